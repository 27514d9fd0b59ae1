#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace velo {

/// A compiled date/time format: literal text and field specifiers, compiled once (at bind time
/// when the format is a constant) and applied per row without allocation.
class DateTimeFormat {
 public:
  enum class Dialect {
    kStrftime,  // %Y-%m-%d %H:%M:%S (C strftime / DuckDB STRFTIME, STRPTIME)
    kMySql,     // %Y-%m-%d %H:%i:%s (MySQL DATE_FORMAT)
    kPostgres,  // YYYY-MM-DD HH24:MI:SS (PostgreSQL / RisingWave TO_CHAR templates)
  };

  /// Throws a user error naming the format when a specifier is unknown.
  static DateTimeFormat compile(std::string_view format, Dialect dialect);

  /// Appends `micros` (UTC) formatted to `out`.
  void format(int64_t micros, std::string* out) const;
  /// Parses `text` into micros (UTC). False when the text does not match the format or names an
  /// impossible date.
  bool parse(std::string_view text, int64_t* micros) const;

  const std::string& text() const { return text_; }

 private:
  enum class Op : uint8_t {
    kLiteral,
    kYear,         // %Y
    kYear2,        // %y
    kMonth2,       // %m
    kMonth,        // %-m, MySQL %c
    kDay2,         // %d
    kDay,          // %-d, MySQL %e
    kDaySpace,     // %e (strftime): space padded
    kDaySuffix,    // MySQL %D: 1st, 2nd
    kHour2,        // %H
    kHour,         // %-H, MySQL %k
    kHour12_2,     // %I
    kHour12,       // %-I, MySQL %l
    kMinute2,      // %M, MySQL %i
    kMinute,       // %-M
    kSecond2,      // %S
    kSecond,       // %-S
    kMicros,       // %f: 6 digits
    kMillis,       // %g: 3 digits
    kNanos,        // %n: 9 digits
    kAmPm,         // %p
    kWeekdayName,  // %A, MySQL %W
    kWeekdayAbbr,  // %a
    kMonthName,    // %B, MySQL %M
    kMonthAbbr,    // %b, %h
    kMonthPad,     // Postgres Month: blank-padded to 9 characters
    kDayPad,       // Postgres Day: blank-padded to 9 characters
    kDayOfYear3,   // %j
    kDayOfYear,    // %-j
    kWeekdaySun0,  // %w: 0 = Sunday
    kWeekdayMon1,  // %u: 1 = Monday
    kWeekSunday,   // %U
    kWeekMonday,   // %W, MySQL %u
    kIsoWeek,      // %V, MySQL %v
    kIsoYear,      // %G, MySQL %x
    kZoneOffset,   // %z: +00
    kZoneName,     // %Z: empty (timestamps are UTC)
  };
  struct Step {
    Op op;
    std::string literal;  // kLiteral only
  };
  /// Dialect::kPostgres (datetime_format_postgres.cc): template patterns, not % specifiers.
  static DateTimeFormat compile_postgres(std::string_view format);
  void add_literal(std::string_view s);
  std::vector<Step> steps_;
  std::string text_;
};

}  // namespace velo
