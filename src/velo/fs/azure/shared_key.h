#pragma once

#include <cstdint>
#include <string>

#include "velo/fs/http/http_client.h"

namespace velo::azure {

/// The Azure Storage "Shared Key" string to sign for a request (Authorize with Shared Key,
/// Blob service, version 2009-09-19 and later): the verb, the standard headers, the sorted
/// x-ms-* headers and the canonicalized resource "/<account><encoded path>" followed by the
/// sorted, lower-cased query parameters with decoded values.
std::string shared_key_string_to_sign(const http::HttpRequest& request, const std::string& account);

/// Adds x-ms-date (now, unless the request has one) and the Authorization header
/// "SharedKey <account>:<base64 HMAC-SHA256>" signed with the decoded account key.
void sign_shared_key(http::HttpRequest& request, const std::string& account,
                     const std::string& decoded_key);

/// RFC 1123 date ("Tue, 01 Dec 2026 16:27:50 GMT") for a unix time.
std::string rfc1123_date(int64_t unix_seconds);

}  // namespace velo::azure
