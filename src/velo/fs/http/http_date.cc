#include "velo/fs/http/http_date.h"

#include <ctime>

namespace velo::http {

int64_t parse_iso8601_us(const std::string& s) {
  std::tm tm{};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return 0;
  int64_t us = static_cast<int64_t>(timegm(&tm)) * 1000000;
  if (*rest == '.') {
    int64_t frac = 0, scale = 100000;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, scale /= 10)
      if (scale > 0) frac += (*rest - '0') * scale;
    us += frac;
  }
  return us;
}

int64_t parse_http_date_us(const std::string& s) {
  std::tm tm{};
  if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000000;
}

}  // namespace velo::http
