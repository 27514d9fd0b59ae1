// PostgreSQL's TO_CHAR template patterns (also RisingWave's): `YYYY-MM-DD HH24:MI:SS.MS`.
// Patterns are matched longest first; other characters, and text in double quotes, are copied.

#include <array>
#include <string_view>

#include "velo/exec/function/datetime_format.h"
#include "velo/types/error.h"

namespace velo {

namespace {

bool starts_with_at(std::string_view text, size_t pos, std::string_view word) {
  return text.substr(pos, word.size()) == word;
}

}  // namespace

DateTimeFormat DateTimeFormat::compile_postgres(std::string_view format) {
  struct Pattern {
    std::string_view text;
    Op op;
    Op fill_mode_op;  // with the FM prefix: no padding
  };
  // Longest first where one pattern is a prefix of another (HH24 before HH, DDD before DD).
  static constexpr std::array<Pattern, 30> kPatterns{{
      {"HH24", Op::kHour2, Op::kHour},
      {"hh24", Op::kHour2, Op::kHour},
      {"HH12", Op::kHour12_2, Op::kHour12},
      {"hh12", Op::kHour12_2, Op::kHour12},
      {"HH", Op::kHour12_2, Op::kHour12},
      {"hh", Op::kHour12_2, Op::kHour12},
      {"YYYY", Op::kYear, Op::kYear},
      {"yyyy", Op::kYear, Op::kYear},
      {"YY", Op::kYear2, Op::kYear2},
      {"yy", Op::kYear2, Op::kYear2},
      {"Month", Op::kMonthPad, Op::kMonthName},
      {"Mon", Op::kMonthAbbr, Op::kMonthAbbr},
      {"MM", Op::kMonth2, Op::kMonth},
      {"mm", Op::kMonth2, Op::kMonth},
      {"MI", Op::kMinute2, Op::kMinute},
      {"mi", Op::kMinute2, Op::kMinute},
      {"MS", Op::kMillis, Op::kMillis},
      {"ms", Op::kMillis, Op::kMillis},
      {"US", Op::kMicros, Op::kMicros},
      {"us", Op::kMicros, Op::kMicros},
      {"SS", Op::kSecond2, Op::kSecond},
      {"ss", Op::kSecond2, Op::kSecond},
      {"DDD", Op::kDayOfYear3, Op::kDayOfYear},
      {"Day", Op::kDayPad, Op::kWeekdayName},
      {"Dy", Op::kWeekdayAbbr, Op::kWeekdayAbbr},
      {"DD", Op::kDay2, Op::kDay},
      {"dd", Op::kDay2, Op::kDay},
      {"AM", Op::kAmPm, Op::kAmPm},
      {"PM", Op::kAmPm, Op::kAmPm},
      {"IW", Op::kIsoWeek, Op::kIsoWeek},
  }};
  DateTimeFormat f;
  f.text_.assign(format);
  size_t i = 0;
  while (i < format.size()) {
    if (format[i] == '"') {  // quoted literal text
      size_t end = format.find('"', i + 1);
      if (end == std::string_view::npos) end = format.size();
      f.add_literal(format.substr(i + 1, end - i - 1));
      i = end + 1;
      continue;
    }
    bool fill_mode = starts_with_at(format, i, "FM") || starts_with_at(format, i, "fm");
    size_t at = fill_mode ? i + 2 : i;
    const Pattern* match = nullptr;
    for (const Pattern& p : kPatterns) {
      if (starts_with_at(format, at, p.text)) {
        match = &p;
        break;
      }
    }
    if (!match) {
      // PostgreSQL patterns we do not implement fail rather than print as literal text.
      static constexpr std::array<std::string_view, 26> kUnsupported{
          "MONTH", "month", "MON",  "mon",  "DAY",  "day",  "DY", "dy", "am",
          "pm",    "A.M.",  "P.M.", "a.m.", "p.m.", "SSSS", "FF", "TZ", "tz",
          "OF",    "CC",    "RM",   "WW",   "IY",   "Q",    "J",  "W"};
      for (std::string_view u : kUnsupported)
        if (starts_with_at(format, at, u))
          throw_not_supported("TO_CHAR pattern '{}' (in '{}')", u, format);
      if (at < format.size() && (format[at] == 'D' || format[at] == 'Y' || format[at] == 'I'))
        throw_not_supported("TO_CHAR pattern starting '{}' (in '{}')", format.substr(at, 2),
                            format);
      f.add_literal(format.substr(i, 1));
      ++i;
      continue;
    }
    f.steps_.push_back({fill_mode ? match->fill_mode_op : match->op, {}});
    i = at + match->text.size();
  }
  return f;
}

}  // namespace velo
