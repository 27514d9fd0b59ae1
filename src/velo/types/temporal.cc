#include "velo/types/temporal.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "velo/types/data_type.h"

namespace velo::temporal {

// Howard Hinnant's civil calendar algorithms (public domain), proleptic Gregorian.
int32_t days_from_civil(int32_t y, uint32_t m, uint32_t d) {
  y -= m <= 2;
  const int32_t era = (y >= 0 ? y : y - 399) / 400;
  const uint32_t yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

CivilDate civil_from_days(int32_t z) {
  z += 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const uint32_t doe = static_cast<uint32_t>(z - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int32_t y = static_cast<int32_t>(yoe) + era * 400;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  const uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  const uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (m <= 2), m, d};
}

int32_t days_in_month(int32_t y, uint32_t m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) {
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[m - 1];
}

namespace {
// Reads exactly `n` digits at s[*i].
bool read_digits(std::string_view s, size_t* i, int n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool parse_date_prefix(std::string_view s, size_t* i, int32_t* out) {
  int y, m, d;
  bool neg = false;
  if (*i < s.size() && s[*i] == '-') { neg = true; ++*i; }
  size_t start = *i;
  y = 0;
  // Count every digit but accumulate at most 7: a longer year is rejected below, and summing
  // all of them would overflow int.
  while (*i < s.size() && std::isdigit(static_cast<unsigned char>(s[*i]))) {
    if (*i - start < 7) y = y * 10 + (s[*i] - '0');
    ++*i;
  }
  if (*i - start < 4 || *i - start > 6) return false;
  if (neg) y = -y;
  if (*i >= s.size() || s[*i] != '-') return false;
  ++*i;
  if (!read_digits(s, i, 2, &m)) return false;
  if (*i >= s.size() || s[*i] != '-') return false;
  ++*i;
  if (!read_digits(s, i, 2, &d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
  *out = days_from_civil(y, m, d);
  return true;
}
}  // namespace

bool parse_date(std::string_view s, int32_t* out) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  if (!parse_date_prefix(s, &i, out)) return false;
  while (i < s.size() && s[i] == ' ') ++i;
  return i == s.size();
}

bool parse_timestamp(std::string_view s, int64_t* out) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  int32_t days;
  if (!parse_date_prefix(s, &i, &days)) return false;
  int64_t micros = 0;
  if (i < s.size() && (s[i] == ' ' || s[i] == 'T' || s[i] == 't')) {
    ++i;
    int hh, mm, ss = 0;
    if (!read_digits(s, &i, 2, &hh)) return false;
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
    if (!read_digits(s, &i, 2, &mm)) return false;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!read_digits(s, &i, 2, &ss)) return false;
    }
    if (hh > 23 || mm > 59 || ss > 60) return false;
    micros = (hh * 3600LL + mm * 60LL + ss) * kMicrosPerSecond;
    if (i < s.size() && s[i] == '.') {
      ++i;
      int64_t frac = 0;
      int n = 0;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        if (n < 6) { frac = frac * 10 + (s[i] - '0'); ++n; }
        ++i;
      }
      if (n == 0) return false;
      while (n < 6) { frac *= 10; ++n; }
      micros += frac;
    }
    // Zone: Z, +hh:mm, +hhmm, +hh, " UTC".
    if (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size()) {
      if (s[i] == 'Z' || s[i] == 'z') {
        ++i;
      } else if (s.substr(i) == "UTC") {
        i += 3;
      } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1;
        ++i;
        int oh, om = 0;
        if (!read_digits(s, &i, 2, &oh)) return false;
        if (i < s.size() && s[i] == ':') ++i;
        if (i < s.size()) {
          if (!read_digits(s, &i, 2, &om)) return false;
        }
        micros -= sign * (oh * 3600LL + om * 60LL) * kMicrosPerSecond;
      }
    }
  }
  if (i != s.size()) return false;
  *out = days * kMicrosPerDay + micros;
  return true;
}

bool parse_interval(std::string_view s, Interval* out) {
  Interval iv;
  size_t i = 0;
  bool any = false;
  auto skip_space = [&] { while (i < s.size() && s[i] == ' ') ++i; };
  skip_space();
  while (i < s.size()) {
    bool neg = false;
    if (s[i] == '-' || s[i] == '+') neg = s[i++] == '-';
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (start == i) return false;
    std::string num(s.substr(start, i - start));
    // hh:mm:ss form
    if (i < s.size() && s[i] == ':') {
      int64_t h = std::atoll(num.c_str());
      ++i;
      size_t ms = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      int64_t m = std::atoll(std::string(s.substr(ms, i - ms)).c_str());
      double sec = 0;
      if (i < s.size() && s[i] == ':') {
        ++i;
        size_t ss = i;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
        sec = std::atof(std::string(s.substr(ss, i - ss)).c_str());
      }
      int64_t us = (h * 3600 + m * 60) * kMicrosPerSecond + static_cast<int64_t>(sec * 1e6 + 0.5);
      iv.micros += neg ? -us : us;
      any = true;
      skip_space();
      continue;
    }
    double value = std::atof(num.c_str());
    if (neg) value = -value;
    skip_space();
    size_t us = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string unit(s.substr(us, i - us));
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (unit.size() > 1 && unit.back() == 's' && unit != "ms" && unit != "us" && unit != "s")
      unit.pop_back();
    auto micros_of = [](double v, double scale) { return static_cast<int64_t>(v * scale + (v < 0 ? -0.5 : 0.5)); };
    if (unit == "year" || unit == "y") iv.months += static_cast<int32_t>(value * 12);
    else if (unit == "month" || unit == "mon") iv.months += static_cast<int32_t>(value);
    else if (unit == "week" || unit == "w") iv.days += static_cast<int32_t>(value * 7);
    else if (unit == "day" || unit == "d") iv.days += static_cast<int32_t>(value);
    else if (unit == "hour" || unit == "h" || unit == "hr") iv.micros += micros_of(value, 3600e6);
    else if (unit == "minute" || unit == "m" || unit == "min") iv.micros += micros_of(value, 60e6);
    else if (unit == "second" || unit == "s" || unit == "sec") iv.micros += micros_of(value, 1e6);
    else if (unit == "millisecond" || unit == "ms" || unit == "milli") iv.micros += micros_of(value, 1e3);
    else if (unit == "microsecond" || unit == "us" || unit == "micro") iv.micros += micros_of(value, 1);
    else return false;
    any = true;
    skip_space();
  }
  if (!any) return false;
  *out = iv;
  return true;
}

std::string format_date(int32_t days) {
  CivilDate c = civil_from_days(days);
  return fmt::format("{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
}

namespace {
std::string format_ts(int64_t micros, char sep, const char* suffix) {
  int32_t days = days_of(micros);
  int64_t rem = micros - static_cast<int64_t>(days) * kMicrosPerDay;
  int64_t secs = rem / kMicrosPerSecond;
  int64_t frac = rem % kMicrosPerSecond;
  std::string s = fmt::format("{}{}{:02d}:{:02d}:{:02d}", format_date(days), sep, secs / 3600,
                              (secs / 60) % 60, secs % 60);
  if (frac != 0) {
    std::string f = fmt::format("{:06d}", frac);
    while (f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s + suffix;
}
}  // namespace

std::string format_timestamp(int64_t micros) { return format_ts(micros, ' ', ""); }
std::string format_timestamp_iso(int64_t micros) { return format_ts(micros, 'T', "Z"); }

std::string format_interval(const Interval& iv) {
  std::string s;
  auto part = [&](int64_t n, const char* unit) {
    if (n == 0) return;
    if (!s.empty()) s += ' ';
    s += fmt::format("{} {}{}", n, unit, (n == 1 || n == -1) ? "" : "s");
  };
  part(iv.months / 12, "year");
  part(iv.months % 12, "month");
  part(iv.days, "day");
  if (iv.micros != 0) {
    int64_t us = iv.micros < 0 ? -iv.micros : iv.micros;
    std::string t = fmt::format("{}{:02d}:{:02d}:{:02d}", iv.micros < 0 ? "-" : "", us / 3600000000LL,
                                (us / 60000000LL) % 60, (us / 1000000LL) % 60);
    if (us % 1000000) t += fmt::format(".{:06d}", us % 1000000);
    if (!s.empty()) s += ' ';
    s += t;
  }
  return s.empty() ? "00:00:00" : s;
}

int64_t add_interval(int64_t micros, const Interval& iv) {
  if (iv.months != 0) {
    int32_t days = days_of(micros);
    int64_t tod = micros - static_cast<int64_t>(days) * kMicrosPerDay;
    CivilDate c = civil_from_days(days);
    int64_t total = static_cast<int64_t>(c.year) * 12 + (c.month - 1) + iv.months;
    int32_t y = static_cast<int32_t>(total >= 0 ? total / 12 : (total - 11) / 12);
    uint32_t m = static_cast<uint32_t>(total - static_cast<int64_t>(y) * 12) + 1;
    uint32_t d = std::min<uint32_t>(c.day, days_in_month(y, m));
    micros = days_from_civil(y, m, d) * kMicrosPerDay + tod;
  }
  return micros + iv.days * kMicrosPerDay + iv.micros;
}

}  // namespace velo::temporal
