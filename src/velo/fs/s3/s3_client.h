#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "velo/fs/http/http_client.h"
#include "velo/fs/http/url.h"
#include "velo/fs/s3/sigv4.h"

namespace velo::s3 {

/// Where and how to reach an S3-compatible service (AWS S3, GCS's XML API, s3rver).
struct S3Config {
  std::string scheme = "s3";  // URI scheme shown in paths and errors ("s3", "gs")
  http::Endpoint endpoint;
  bool path_style = false;  // endpoint/bucket/key instead of bucket.endpoint/key
  std::string region = "us-east-1";
  std::string service = "s3";
  AwsCredentials credentials;  // SigV4 (HMAC keys for GCS)
  /// OAuth2 bearer token source (GCS); when set it is used instead of SigV4.
  std::function<std::string()> bearer_token;
  std::string credential_source;  // for error messages, never a secret
  bool sign_payload = false;      // sha256 of bodies instead of UNSIGNED-PAYLOAD
  int64_t part_size = 8 << 20;    // multipart threshold and part size
  int list_page_size = 1000;      // keys per ListObjectsV2 page (AWS's maximum)
  int upload_concurrency = 4;     // parts of one stream uploading at once
  http::HttpClientOptions http;
};

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
  int64_t modified_us = 0;
};

/// The S3 REST calls the file system needs, on any bucket. Thread-safe. Failed calls throw io
/// Errors naming the operation, the s3:// URI, the HTTP status and code, and the credential
/// source.
class S3Client {
 public:
  explicit S3Client(S3Config config);

  const S3Config& config() const { return config_; }
  std::string uri(const std::string& bucket, const std::string& key) const;

  /// Size and mtime of an object; nullopt when it does not exist.
  std::optional<ObjectInfo> head(const std::string& bucket, const std::string& key) const;
  /// Reads [offset, offset + n) into `out` with one ranged GET; returns the bytes received.
  size_t get_range(const std::string& bucket, const std::string& key, int64_t offset, size_t n,
                   void* out) const;
  void put(const std::string& bucket, const std::string& key, std::string_view body) const;
  /// Deletes an object; a missing object is not an error.
  void remove(const std::string& bucket, const std::string& key) const;
  /// Objects under `prefix` (ListObjectsV2, following continuation tokens), in key order; stops
  /// after the page that reaches `limit` when limit > 0.
  std::vector<ObjectInfo> list(const std::string& bucket, const std::string& prefix,
                               size_t limit = 0) const;

  std::string create_multipart(const std::string& bucket, const std::string& key) const;
  /// Returns the part's ETag.
  std::string upload_part(const std::string& bucket, const std::string& key,
                          const std::string& upload_id, int part_number,
                          std::string_view body) const;
  /// `expected_size` lets a Complete that finds the upload already gone (a retry whose first
  /// try succeeded but lost its answer, or a second Complete after recovery) check the object
  /// instead of failing. `gone_is_done`: also accept a missing upload whose object is missing
  /// (completed, then removed; recovery must not fail for a file consumed downstream).
  void complete_multipart(const std::string& bucket, const std::string& key,
                          const std::string& upload_id, const std::vector<std::string>& etags,
                          int64_t expected_size, bool gone_is_done = false) const;
  /// Best effort: services without AbortMultipartUpload (s3rver: 404/501) are ignored.
  void abort_multipart(const std::string& bucket, const std::string& key,
                       const std::string& upload_id) const noexcept;

 private:
  std::string url(const std::string& bucket, const std::string& key,
                  const http::QueryParams& query) const;
  http::HttpResponse send(http::HttpRequest request, const std::string& what) const;
  [[noreturn]] void fail(const std::string& what, const http::HttpResponse& response) const;

  S3Config config_;
  http::HttpClient client_;
};

}  // namespace velo::s3
