#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "velo/fs/http/http_client.h"

namespace velo::s3 {

/// AWS Signature Version 4 (AWS General Reference, "Signature Version 4 signing process"),
/// used for S3 and for GCS's S3-compatible XML API with HMAC keys.

/// An access key, and where it came from. `source` ("credentials from AWS_ACCESS_KEY_ID",
/// "profile 'dev' in ~/.aws/credentials") goes into error messages; the secret never does.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string source;
  bool anonymous() const { return access_key_id.empty(); }
};

/// What SigV4 signs, in canonical pieces.
struct SigV4Input {
  std::string method;
  std::string canonical_uri;  // the encoded path as sent ("/" if empty)
  std::vector<std::pair<std::string, std::string>> query;    // encoded names and values
  std::vector<std::pair<std::string, std::string>> headers;  // the headers to sign
  std::string payload_hash;  // hex sha256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // hex
  std::string authorization;   // the Authorization header value
};

/// Signs `in` for `region`/`service` at `amz_date` ("20150830T123600Z").
SigV4Signature sigv4_sign(const SigV4Input& in, const AwsCredentials& credentials,
                          const std::string& region, const std::string& service,
                          const std::string& amz_date);
/// The derived key: HMAC chain over "AWS4"+secret, date, region, service, "aws4_request".
std::string sigv4_signing_key(const std::string& secret, const std::string& date,
                              const std::string& region, const std::string& service);
/// "YYYYMMDDTHHMMSSZ" for a unix time in seconds.
std::string amz_date(int64_t unix_seconds);

/// Signs an HTTP request in place for S3: adds x-amz-date, x-amz-content-sha256 (the body's
/// sha256, or UNSIGNED-PAYLOAD when `unsigned_payload`), x-amz-security-token and Authorization.
/// Signs host, every x-amz-* header, content-md5 and content-type. Anonymous credentials leave
/// the request unsigned.
void sign_s3_request(http::HttpRequest& request, const AwsCredentials& credentials,
                     const std::string& region, const std::string& service, bool unsigned_payload);

}  // namespace velo::s3
