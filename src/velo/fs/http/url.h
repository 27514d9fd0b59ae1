#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace velo::http {

/// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), and
/// '/' when `keep_slash` (object keys in paths). This is the encoding SigV4 and Azure expect.
std::string uri_encode(std::string_view s, bool keep_slash);
/// Reverses percent-encoding ('+' stays '+').
std::string uri_decode(std::string_view s);

/// An http(s) endpoint split into its parts: "http://127.0.0.1:9000/devstoreaccount1" ->
/// scheme "http", authority "127.0.0.1:9000", host "127.0.0.1", base_path "/devstoreaccount1".
struct Endpoint {
  std::string scheme;
  std::string authority;  // host[:port], as sent in the Host header
  std::string host;
  std::string base_path;  // "" or "/..." without a trailing '/'
  std::string str() const { return scheme + "://" + authority + base_path; }
};
/// Parses an endpoint; a missing scheme means https. Throws a user error naming `option`.
Endpoint parse_endpoint(std::string_view url, std::string_view option);

/// Query parameters in the order given; values are raw (encoded when the URL is built).
using QueryParams = std::vector<std::pair<std::string, std::string>>;
/// "a=1&b=x%2Fy" (names and values uri_encode'd, sorted by encoded name when `sorted`).
std::string encode_query(const QueryParams& params, bool sorted);

}  // namespace velo::http
