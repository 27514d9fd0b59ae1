#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace velo {

/// A calendar interval. Months and days are kept apart from micros because their length varies.
struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  bool operator==(const Interval& o) const {
    return months == o.months && days == o.days && micros == o.micros;
  }
};

/// Dates are int32 days since 1970-01-01; timestamps int64 microseconds since epoch, UTC.
namespace temporal {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

struct CivilDate {
  int32_t year;
  uint32_t month;  // 1..12
  uint32_t day;    // 1..31
};

int32_t days_from_civil(int32_t y, uint32_t m, uint32_t d);
CivilDate civil_from_days(int32_t days);

/// Floor division of micros into days (correct for negative timestamps).
inline int32_t days_of(int64_t micros) {
  int64_t d = micros / kMicrosPerDay;
  if (micros % kMicrosPerDay < 0) --d;
  return static_cast<int32_t>(d);
}

/// "2024-01-31" -> days. False on malformed or impossible dates.
bool parse_date(std::string_view text, int32_t* out);
/// "2024-01-31 12:34:56.123456", "2024-01-31T12:34:56Z", "…+02:00", or a bare date -> micros UTC.
bool parse_timestamp(std::string_view text, int64_t* out);
/// "1 day", "5 seconds", "01:30:00", "2 hours 30 minutes", "1m", "30s", "500ms" -> Interval.
bool parse_interval(std::string_view text, Interval* out);

std::string format_date(int32_t days);
/// "2024-01-31 12:34:56" with ".ffffff" only when the fraction is non-zero.
std::string format_timestamp(int64_t micros);
/// ISO-8601 with a 'T' and 'Z': the JSON spelling.
std::string format_timestamp_iso(int64_t micros);
std::string format_interval(const Interval& iv);

/// Adds an interval to a timestamp, months first (clamping the day), then days, then micros.
int64_t add_interval(int64_t micros, const Interval& iv);
int32_t days_in_month(int32_t year, uint32_t month);

}  // namespace temporal
}  // namespace velo
