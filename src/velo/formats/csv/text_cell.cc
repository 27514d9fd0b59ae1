#include "velo/formats/csv/text_cell.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "velo/formats/json/json_text.h"
#include "velo/types/decimal.h"
#include "velo/types/temporal.h"

namespace velo::text {

CellKind cell_kind(const DataType& type) {
  switch (type.id()) {
    case TypeId::kNull:
      return CellKind::kNull;
    case TypeId::kString:
      return CellKind::kString;
    case TypeId::kBytes:
      return CellKind::kBytes;
    case TypeId::kBoolean:
      return CellKind::kBoolean;
    case TypeId::kInt32:
      return CellKind::kInt32;
    case TypeId::kInt64:
      return CellKind::kInt64;
    case TypeId::kDouble:
      return CellKind::kDouble;
    case TypeId::kDecimal:
      return CellKind::kDecimal;
    case TypeId::kDate:
      return CellKind::kDate;
    case TypeId::kTimestamp:
      return CellKind::kTimestamp;
    case TypeId::kInterval:
      return CellKind::kInterval;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      return CellKind::kNested;
  }
  return CellKind::kString;
}

namespace {
inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

inline bool eq_nocase(std::string_view a, const char* lower) {
  size_t n = std::strlen(lower);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; ++i)
    if ((a[i] | 0x20) != lower[i]) return false;
  return true;
}

// Two ASCII digits at p (caller checked the length).
inline bool two_digits(const char* p, int* out) {
  if (!is_digit(p[0]) || !is_digit(p[1])) return false;
  *out = (p[0] - '0') * 10 + (p[1] - '0');
  return true;
}

// "YYYY-MM-DD" at p (10 bytes available).
inline bool fast_date(const char* p, int32_t* out) {
  if (!is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]) || !is_digit(p[3]) || p[4] != '-' ||
      p[7] != '-')
    return false;
  int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  int m, d;
  if (!two_digits(p + 5, &m) || !two_digits(p + 8, &d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > temporal::days_in_month(y, m)) return false;
  *out = temporal::days_from_civil(y, static_cast<uint32_t>(m), static_cast<uint32_t>(d));
  return true;
}
}  // namespace

bool parse_bool(std::string_view t, bool* out) {
  t = trim_blanks(t);
  if (t.size() == 1) {
    char c = static_cast<char>(t[0] | 0x20);
    if (c == '1' || c == 't' || c == 'y') return *out = true, true;
    if (c == '0' || c == 'f' || c == 'n') return *out = false, true;
    return false;
  }
  if (eq_nocase(t, "true") || eq_nocase(t, "yes")) return *out = true, true;
  if (eq_nocase(t, "false") || eq_nocase(t, "no")) return *out = false, true;
  return false;
}

bool parse_int64(std::string_view t, int64_t* out) {
  if (!t.empty() && (t.front() == ' ' || t.back() == ' ' || t.front() == '\t' || t.back() == '\t'))
    t = trim_blanks(t);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t.empty()) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  return ec == std::errc() && p == t.data() + t.size();
}

bool parse_double(std::string_view t, double* out) {
  if (!t.empty() && (t.front() == ' ' || t.back() == ' ' || t.front() == '\t' || t.back() == '\t'))
    t = trim_blanks(t);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t.empty()) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  if (ec == std::errc() && p == t.data() + t.size()) return true;
  // from_chars reports out-of-range for subnormal/huge values; DuckDB yields 0 / inf there.
  if (ec == std::errc::result_out_of_range && p == t.data() + t.size()) {
    *out = std::strtod(std::string(t).c_str(), nullptr);
    return true;
  }
  return false;
}

bool parse_decimal(std::string_view t, int precision, int scale, int128_t* out) {
  if (!t.empty() && (t.front() == ' ' || t.back() == ' ' || t.front() == '\t' || t.back() == '\t'))
    t = trim_blanks(t);
  const char* p = t.data();
  const char* e = p + t.size();
  bool neg = false;
  if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
  int128_t v = 0;
  int digits = 0;  // significant digits accumulated
  int frac = 0;
  bool any = false;
  while (p < e && is_digit(*p)) {
    v = v * 10 + (*p++ - '0');
    any = true;
    if (v != 0) ++digits;
  }
  if (p < e && *p == '.') {
    ++p;
    while (p < e && is_digit(*p)) {
      v = v * 10 + (*p++ - '0');
      any = true;
      ++frac;
      if (v != 0) ++digits;
    }
  }
  // Exponents, excess fraction digits (rounding) and long inputs take the general path.
  if (p != e || frac > scale || digits > 36) {
    if (!any && p == e) return false;
    return decimal::parse(t, precision, scale, out);
  }
  if (!any) return false;
  if (frac < scale) v *= decimal::pow10(scale - frac);
  if (v > decimal::max_for_precision(precision)) return false;
  *out = neg ? -v : v;
  return true;
}

bool parse_date(std::string_view t, int32_t* out) {
  if (t.size() == 10 && fast_date(t.data(), out)) return true;
  return temporal::parse_date(trim_blanks(t), out);
}

bool parse_timestamp(std::string_view t, int64_t* out) {
  const char* p = t.data();
  if (t.size() >= 19 && (p[10] == ' ' || p[10] == 'T') && p[13] == ':' && p[16] == ':') {
    int32_t days;
    int hh, mm, ss;
    if (fast_date(p, &days) && two_digits(p + 11, &hh) && two_digits(p + 14, &mm) &&
        two_digits(p + 17, &ss) && hh < 24 && mm < 60 && ss < 61) {
      int64_t micros = (hh * 3600LL + mm * 60LL + ss) * temporal::kMicrosPerSecond;
      size_t i = 19;
      bool ok = i == t.size();
      if (!ok && t[i] == '.' && i + 1 < t.size()) {
        ++i;
        int64_t f = 0;
        int n = 0;
        while (i < t.size() && is_digit(t[i])) {
          if (n < 6) f = f * 10 + (t[i] - '0'), ++n;
          ++i;
        }
        if (i == t.size() && n > 0) {
          while (n < 6) f *= 10, ++n;
          micros += f;
          ok = true;
        }
      }
      if (ok) {
        *out = days * temporal::kMicrosPerDay + micros;
        return true;
      }
    }
  }
  return temporal::parse_timestamp(trim_blanks(t), out);
}

NumberInfo classify_number(std::string_view t) {
  NumberInfo info;
  t = trim_blanks(t);
  const char* p = t.data();
  const char* e = p + t.size();
  if (p < e && (*p == '-' || *p == '+')) ++p;
  const char* start = p;
  bool leading = true;
  while (p < e && is_digit(*p)) {
    if (*p != '0') leading = false;
    if (!leading) ++info.int_digits;
    ++p;
  }
  size_t int_len = p - start;
  if (p == e) {
    if (int_len == 0) return info;
    int64_t v;
    // Integers beyond INT64 are still exact decimals when short enough.
    info.shape = parse_int64(t, &v) ? NumberShape::kInteger : NumberShape::kDecimal;
    return info;
  }
  if (*p == '.') {
    ++p;
    const char* fs = p;
    while (p < e && is_digit(*p)) ++p;
    info.frac_digits = static_cast<int>(p - fs);
    if (p == e) {
      if (int_len + info.frac_digits == 0) return info;
      info.shape = NumberShape::kDecimal;
      return info;
    }
  }
  if (int_len + info.frac_digits == 0) return info;
  if (*p != 'e' && *p != 'E') return info;
  double d;
  if (parse_double(t, &d)) info.shape = NumberShape::kDouble;
  return info;
}

bool append_cell(Column& col, CellKind kind, std::string_view text) {
  switch (kind) {
    case CellKind::kString:
    case CellKind::kBytes:
      col.append_string(text);
      return true;
    case CellKind::kBoolean: {
      bool b;
      if (!parse_bool(text, &b)) return false;
      col.append<uint8_t>(b ? 1 : 0);
      return true;
    }
    case CellKind::kInt32: {
      int64_t v;
      if (!parse_int64(text, &v) || v < std::numeric_limits<int32_t>::min() ||
          v > std::numeric_limits<int32_t>::max())
        return false;
      col.append<int32_t>(static_cast<int32_t>(v));
      return true;
    }
    case CellKind::kInt64: {
      int64_t v;
      if (!parse_int64(text, &v)) return false;
      col.append<int64_t>(v);
      return true;
    }
    case CellKind::kDouble: {
      double d;
      if (!parse_double(text, &d)) return false;
      col.append<double>(d);
      return true;
    }
    case CellKind::kDecimal: {
      int128_t v;
      if (!parse_decimal(text, col.type().precision(), col.type().scale(), &v)) return false;
      col.append<int128_t>(v);
      return true;
    }
    case CellKind::kDate: {
      int32_t d;
      if (!parse_date(text, &d)) return false;
      col.append<int32_t>(d);
      return true;
    }
    case CellKind::kTimestamp: {
      int64_t ts;
      if (!parse_timestamp(text, &ts)) return false;
      col.append<int64_t>(ts);
      return true;
    }
    case CellKind::kInterval: {
      Interval iv;
      if (!temporal::parse_interval(trim_blanks(text), &iv)) return false;
      col.append<Interval>(iv);
      return true;
    }
    case CellKind::kNested:
      return json::append_json_text(col, text);
    case CellKind::kNull:
      col.append_null();
      return true;
  }
  return false;
}

// ---- printers -------------------------------------------------------------------------------

void append_int(int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr - buf);
}

void append_double(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("NaN");
  } else if (std::isinf(d)) {
    out->append(d > 0 ? "Infinity" : "-Infinity");
  } else if (d == std::floor(d) && std::fabs(d) < 1e15) {
    if (d == 0 && std::signbit(d)) out->push_back('-');
    append_int(static_cast<int64_t>(d), out);
    out->append(".0");
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", d);
  }
}

void append_decimal(int128_t v, int scale, std::string* out) {
  char buf[48];
  char* end = buf + sizeof(buf);
  char* p = end;
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : v;
  int n = 0;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
    if (++n == scale) *--p = '.';
  } while (u != 0);
  while (n < scale) {  // 0.05 at scale 2: pad the fraction, then the point and a zero
    *--p = '0';
    if (++n == scale) *--p = '.';
  }
  if (*p == '.') *--p = '0';
  if (neg) *--p = '-';
  out->append(p, end - p);
}

namespace {
inline void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}
}  // namespace

void append_date(int32_t days, std::string* out) {
  temporal::CivilDate c = temporal::civil_from_days(days);
  if (c.year < 0 || c.year > 9999) {
    out->append(temporal::format_date(days));
    return;
  }
  char buf[10];
  put2(buf, static_cast<unsigned>(c.year) / 100);
  put2(buf + 2, static_cast<unsigned>(c.year) % 100);
  buf[4] = '-';
  put2(buf + 5, c.month);
  buf[7] = '-';
  put2(buf + 8, c.day);
  out->append(buf, 10);
}

void append_timestamp(int64_t micros, std::string* out) {
  int32_t days = temporal::days_of(micros);
  int64_t rem = micros - static_cast<int64_t>(days) * temporal::kMicrosPerDay;
  temporal::CivilDate c = temporal::civil_from_days(days);
  if (c.year < 0 || c.year > 9999) {
    out->append(temporal::format_timestamp(micros));
    return;
  }
  append_date(days, out);
  int64_t secs = rem / temporal::kMicrosPerSecond;
  int64_t frac = rem % temporal::kMicrosPerSecond;
  char buf[16];
  buf[0] = ' ';
  put2(buf + 1, static_cast<unsigned>(secs / 3600));
  buf[3] = ':';
  put2(buf + 4, static_cast<unsigned>((secs / 60) % 60));
  buf[6] = ':';
  put2(buf + 7, static_cast<unsigned>(secs % 60));
  size_t n = 9;
  if (frac != 0) {
    buf[n++] = '.';
    int64_t div = 100000;
    while (frac != 0) {
      buf[n++] = static_cast<char>('0' + frac / div);
      frac %= div;
      div /= 10;
    }
  }
  out->append(buf, n);
}

// ---- building -------------------------------------------------------------------------------

void truncate_column(Column& c, size_t rows) { c.truncate(rows); }

}  // namespace velo::text
