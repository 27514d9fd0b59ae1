#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "velo/fs/gcs/jwt.h"
#include "velo/fs/http/http_client.h"
#include "velo/fs/s3/s3_client.h"
#include "velo/io/options.h"

namespace velo::gcs {

/// OAuth2 access tokens for a service account: a signed JWT exchanged at the key's token_uri,
/// cached until five minutes before it expires. Thread-safe; token() blocks while refreshing.
class ServiceAccountTokenSource {
 public:
  ServiceAccountTokenSource(ServiceAccountKey key, http::HttpClientOptions http);
  std::string token();
  const ServiceAccountKey& key() const { return key_; }

 private:
  ServiceAccountKey key_;
  http::HttpClient client_;
  std::mutex mu_;
  std::string token_;
  int64_t expires_at_ = 0;  // unix seconds
};

/// gs:// through GCS's S3-compatible XML API (endpoint storage.googleapis.com, path style).
/// Credentials, first hit wins: HMAC keys (WITH access_key_id + secret_access_key; SigV4 with
/// service "s3", region "auto"); env GOOGLE_OAUTH_ACCESS_TOKEN (a bearer token); a
/// service-account key file (WITH credentials_file, or GOOGLE_APPLICATION_CREDENTIALS);
/// else anonymous.
s3::S3Config gcs_config_from(const Options& options);

/// The OAuth2 scope requested for service-account tokens.
inline constexpr const char* kStorageScope =
    "https://www.googleapis.com/auth/devstorage.read_write";

}  // namespace velo::gcs
