#include "velo/fs/azure/shared_key.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <vector>

#include "velo/fs/http/crypto.h"
#include "velo/fs/http/url.h"

namespace velo::azure {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::string rfc1123_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm;
  gmtime_r(&t, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string shared_key_string_to_sign(const http::HttpRequest& request,
                                      const std::string& account) {
  auto h = [&](const char* name) { return request.header(name).value_or(""); };
  std::string content_length;
  bool has_body = request.method == "PUT" || request.method == "POST";
  if (has_body && !request.body.empty()) content_length = std::to_string(request.body.size());
  std::string s = request.method + "\n" + h("content-encoding") + "\n" + h("content-language") +
                  "\n" + content_length + "\n" + h("content-md5") + "\n" + h("content-type") +
                  "\n" + h("date") + "\n" + h("if-modified-since") + "\n" + h("if-match") + "\n" +
                  h("if-none-match") + "\n" + h("if-unmodified-since") + "\n" + h("range") + "\n";
  std::map<std::string, std::string> ms_headers;
  for (const auto& [k, v] : request.headers) {
    std::string name = lower(k);
    if (name.rfind("x-ms-", 0) == 0) ms_headers[name] = trim(v);
  }
  for (const auto& [k, v] : ms_headers) s += k + ":" + v + "\n";

  const std::string& url = request.url;
  size_t path_begin = url.find('/', url.find("://") + 3);
  std::string path = "/", query;
  if (path_begin != std::string::npos) {
    size_t q = url.find('?', path_begin);
    path = url.substr(path_begin, q == std::string::npos ? std::string::npos : q - path_begin);
    if (q != std::string::npos) query = url.substr(q + 1);
  }
  s += "/" + account + path;
  std::map<std::string, std::vector<std::string>> params;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = part.find('=');
    std::string name = lower(http::uri_decode(part.substr(0, eq)));
    std::string value = eq == std::string::npos ? "" : http::uri_decode(part.substr(eq + 1));
    params[name].push_back(value);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  for (auto& [name, values] : params) {
    std::sort(values.begin(), values.end());
    s += "\n" + name + ":";
    for (size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + values[i];
  }
  return s;
}

void sign_shared_key(http::HttpRequest& request, const std::string& account,
                     const std::string& decoded_key) {
  if (!request.header("x-ms-date"))
    request.headers.emplace_back("x-ms-date",
                                 rfc1123_date(static_cast<int64_t>(std::time(nullptr))));
  std::string signature = http::base64_encode(
      http::hmac_sha256(decoded_key, shared_key_string_to_sign(request, account)));
  request.headers.emplace_back("Authorization", "SharedKey " + account + ":" + signature);
}

}  // namespace velo::azure
