#pragma once

#include <cstdint>

#include "velo/types/temporal.h"

/// Calendar arithmetic on int32 days since 1970-01-01 (no std::tm, no time zones).
namespace velo::datetime {

inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
inline int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

/// 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday).
inline int32_t weekday_sun0(int32_t days) { return static_cast<int32_t>(floor_mod(days + 4, 7)); }
/// 1 = Monday .. 7 = Sunday.
inline int32_t iso_weekday(int32_t days) {
  int32_t d = weekday_sun0(days);
  return d == 0 ? 7 : d;
}
/// 1-based day of the year.
inline int32_t day_of_year(int32_t days, const temporal::CivilDate& c) {
  return days - temporal::days_from_civil(c.year, 1, 1) + 1;
}

struct IsoWeek {
  int32_t year;
  int32_t week;  // 1..53
};

/// ISO-8601 week: weeks start on Monday; week 1 holds the year's first Thursday.
inline IsoWeek iso_week(int32_t days) {
  int32_t thursday = days - iso_weekday(days) + 4;
  int32_t year = temporal::civil_from_days(thursday).year;
  int32_t week = (thursday - temporal::days_from_civil(year, 1, 1)) / 7 + 1;
  return {year, week};
}

/// Splits a timestamp into days and microseconds of the day (0 <= tod < one day).
inline void split_timestamp(int64_t micros, int32_t* days, int64_t* tod) {
  *days = temporal::days_of(micros);
  *tod = micros - static_cast<int64_t>(*days) * temporal::kMicrosPerDay;
}

}  // namespace velo::datetime
