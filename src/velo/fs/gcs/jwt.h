#pragma once

#include <cstdint>
#include <string>

namespace velo::gcs {

/// A Google service-account key (the JSON file `gcloud iam service-accounts keys create` writes).
struct ServiceAccountKey {
  std::string client_email;
  std::string private_key;     // PEM, PKCS#8
  std::string private_key_id;  // the JWT "kid"
  std::string token_uri = "https://oauth2.googleapis.com/token";
  std::string source;  // "service account key /path/key.json" (for errors)
};

/// Parses a service-account JSON document; throws a user error naming `source` (never the key).
ServiceAccountKey parse_service_account_key(const std::string& json, const std::string& source);

/// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `data` with a PEM private key.
std::string rs256_sign(const std::string& pem_private_key, const std::string& data);

/// The signed JWT assertion Google's token endpoint exchanges for an access token
/// (RFC 7523): header {"alg":"RS256","typ":"JWT","kid":...}, claims iss, scope, aud
/// (token_uri), iat = now, exp = now + 1 h.
std::string service_account_jwt(const ServiceAccountKey& key, const std::string& scope,
                                int64_t now_seconds);

}  // namespace velo::gcs
