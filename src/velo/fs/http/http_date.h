#pragma once

#include <cstdint>
#include <string>

namespace velo::http {

/// Parses "2024-01-02T03:04:05.678Z" (S3 listings) to microseconds since the epoch; 0 if bad.
int64_t parse_iso8601_us(const std::string& s);
/// Parses an RFC 1123 date "Tue, 02 Jan 2024 03:04:05 GMT" (Last-Modified); 0 if bad.
int64_t parse_http_date_us(const std::string& s);

}  // namespace velo::http
