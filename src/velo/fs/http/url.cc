#include "velo/fs/http/url.h"

#include <algorithm>

#include "velo/types/error.h"

namespace velo::http {

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string uri_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Endpoint parse_endpoint(std::string_view url, std::string_view option) {
  Endpoint e;
  std::string_view rest = url;
  size_t sep = rest.find("://");
  if (sep == std::string_view::npos) {
    e.scheme = "https";
  } else {
    e.scheme = std::string(rest.substr(0, sep));
    std::transform(e.scheme.begin(), e.scheme.end(), e.scheme.begin(), ::tolower);
    rest = rest.substr(sep + 3);
  }
  if (e.scheme != "http" && e.scheme != "https")
    throw_user_error("{} '{}' must be an http:// or https:// URL", option, url);
  size_t slash = rest.find('/');
  e.authority = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) e.base_path = std::string(rest.substr(slash));
  while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  if (e.authority.empty()) throw_user_error("{} '{}' has no host", option, url);
  e.host = e.authority;
  if (e.host.front() == '[') {  // [::1]:port
    e.host = e.host.substr(0, e.host.find(']') + 1);
  } else if (size_t colon = e.host.find(':'); colon != std::string::npos) {
    e.host = e.host.substr(0, colon);
  }
  return e;
}

std::string encode_query(const QueryParams& params, bool sorted) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(params.size());
  for (const auto& [k, v] : params) enc.emplace_back(uri_encode(k, false), uri_encode(v, false));
  if (sorted) std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

}  // namespace velo::http
