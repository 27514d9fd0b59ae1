#include "velo/exec/function/string_render.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "velo/types/decimal.h"
#include "velo/types/temporal.h"

namespace velo {

void append_display_double(double d, std::string* out) {
  if (std::isnan(d)) {
    *out += "NaN";
  } else if (std::isinf(d)) {
    *out += d > 0 ? "Infinity" : "-Infinity";
  } else if (d == std::floor(d) && std::fabs(d) < 1e15) {
    fmt::format_to(std::back_inserter(*out), "{:.1f}", d);
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", d);
  }
}

void append_date_text(int32_t days, std::string* out) {
  temporal::CivilDate c = temporal::civil_from_days(days);
  fmt::format_to(std::back_inserter(*out), "{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
}

void append_timestamp_text(int64_t micros, std::string* out) {
  int32_t days = temporal::days_of(micros);
  int64_t rem = micros - static_cast<int64_t>(days) * temporal::kMicrosPerDay;
  int64_t secs = rem / temporal::kMicrosPerSecond;
  int64_t frac = rem % temporal::kMicrosPerSecond;
  append_date_text(days, out);
  fmt::format_to(std::back_inserter(*out), " {:02d}:{:02d}:{:02d}", secs / 3600, (secs / 60) % 60,
                 secs % 60);
  if (frac != 0) {
    char buf[8];
    int n = 6;
    for (int k = 5; k >= 0; --k) {
      buf[k] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    while (n > 0 && buf[n - 1] == '0') --n;
    out->push_back('.');
    out->append(buf, n);
  }
}

void append_display_text(const Column& c, size_t i, std::string* out) {
  switch (c.type().id()) {
    case TypeId::kNull:
      *out += "NULL";
      return;
    case TypeId::kBoolean:
      *out += c.value<uint8_t>(i) ? "true" : "false";
      return;
    case TypeId::kInt32:
      fmt::format_to(std::back_inserter(*out), "{}", c.value<int32_t>(i));
      return;
    case TypeId::kInt64:
      fmt::format_to(std::back_inserter(*out), "{}", c.value<int64_t>(i));
      return;
    case TypeId::kDouble:
      append_display_double(c.value<double>(i), out);
      return;
    case TypeId::kString:
      out->append(c.string_at(i));
      return;
    case TypeId::kDate:
      append_date_text(c.value<int32_t>(i), out);
      return;
    case TypeId::kTimestamp:
      append_timestamp_text(c.value<int64_t>(i), out);
      return;
    case TypeId::kDecimal:
      *out += decimal::to_string(c.value<int128_t>(i), c.type().scale());
      return;
    default:
      // BYTES, INTERVAL and nested values: the slow path is fine (rare in concatenation).
      *out += c.value_at(i).to_string();
      return;
  }
}

namespace {
// Latin Extended-A (U+0100..U+017F) alternates upper/lower, except 0x130..0x131, 0x138 and the
// 0x139..0x148 / 0x179..0x17E runs where the upper case letter is odd.
bool latin_ext_a_odd_upper(uint32_t cp) {
  return (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
}
}  // namespace

uint32_t unicode_upper(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 32;
  if (cp == 0xFF) return 0x178;
  if (cp >= 0x100 && cp <= 0x17F) {
    if (cp == 0x131) return 'I';
    if (cp == 0x130 || cp == 0x138 || cp == 0x149 || cp == 0x178) return cp;
    if (cp == 0x17F) return 'S';
    bool odd = cp & 1;
    if (latin_ext_a_odd_upper(cp)) return odd ? cp : cp - 1;
    return odd ? cp - 1 : cp;
  }
  if (cp >= 0x3B1 && cp <= 0x3C9) return cp == 0x3C2 ? 0x3A3 : cp - 32;
  if (cp >= 0x3AC && cp <= 0x3AF) {
    static const uint32_t kTonos[] = {0x386, 0x388, 0x389, 0x38A};
    return kTonos[cp - 0x3AC];
  }
  if (cp >= 0x430 && cp <= 0x44F) return cp - 32;
  if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
  return cp;
}

uint32_t unicode_lower(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x100 && cp <= 0x17F) {
    if (cp == 0x130) return 'i';
    if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;
    bool odd = cp & 1;
    if (latin_ext_a_odd_upper(cp)) return odd ? cp + 1 : cp;
    return odd ? cp : cp + 1;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

}  // namespace velo
