#include "velo/exec/function/datetime_format.h"

#include <fmt/format.h>

#include <cctype>
#include <iterator>

#include "velo/exec/function/datetime_parts.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo {

namespace {

constexpr const char* kWeekdayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};

void append_padded(int64_t v, int width, std::string* out) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (int k = n; k < width; ++k) out->push_back('0');
  while (n > 0) out->push_back(buf[--n]);
}

bool iequals_prefix(std::string_view text, size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(text[pos + k])) !=
        std::tolower(static_cast<unsigned char>(word[k])))
      return false;
  return true;
}

}  // namespace

void DateTimeFormat::add_literal(std::string_view s) {
  if (steps_.empty() || steps_.back().op != Op::kLiteral) steps_.push_back({Op::kLiteral, {}});
  steps_.back().literal.append(s);
}

DateTimeFormat DateTimeFormat::compile(std::string_view format, Dialect dialect) {
  if (dialect == Dialect::kPostgres) return compile_postgres(format);
  DateTimeFormat f;
  f.text_.assign(format);
  auto literal = [&](std::string_view s) { f.add_literal(s); };
  auto op = [&](Op o) { f.steps_.push_back({o, {}}); };
  auto fail = [&](std::string_view spec) {
    throw_user_error("unknown specifier '{}' in date/time format '{}'", spec, format);
  };
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      literal(format.substr(i, 1));
      continue;
    }
    if (++i >= format.size()) throw_user_error("date/time format '{}' ends with '%'", format);
    char s = format[i];
    if (dialect == Dialect::kMySql) {
      switch (s) {
        case 'Y':
          op(Op::kYear);
          break;
        case 'y':
          op(Op::kYear2);
          break;
        case 'm':
          op(Op::kMonth2);
          break;
        case 'c':
          op(Op::kMonth);
          break;
        case 'd':
          op(Op::kDay2);
          break;
        case 'e':
          op(Op::kDay);
          break;
        case 'D':
          op(Op::kDaySuffix);
          break;
        case 'H':
          op(Op::kHour2);
          break;
        case 'k':
          op(Op::kHour);
          break;
        case 'h':
        case 'I':
          op(Op::kHour12_2);
          break;
        case 'l':
          op(Op::kHour12);
          break;
        case 'i':
          op(Op::kMinute2);
          break;
        case 's':
        case 'S':
          op(Op::kSecond2);
          break;
        case 'f':
          op(Op::kMicros);
          break;
        case 'p':
          op(Op::kAmPm);
          break;
        case 'W':
          op(Op::kWeekdayName);
          break;
        case 'a':
          op(Op::kWeekdayAbbr);
          break;
        case 'M':
          op(Op::kMonthName);
          break;
        case 'b':
          op(Op::kMonthAbbr);
          break;
        case 'j':
          op(Op::kDayOfYear3);
          break;
        case 'w':
          op(Op::kWeekdaySun0);
          break;
        case 'U':
          op(Op::kWeekSunday);
          break;
        case 'u':
          op(Op::kWeekMonday);
          break;
        case 'v':
          op(Op::kIsoWeek);
          break;
        case 'x':
          op(Op::kIsoYear);
          break;
        case 'T':
          op(Op::kHour2), literal(":"), op(Op::kMinute2), literal(":"), op(Op::kSecond2);
          break;
        case 'r':
          op(Op::kHour12_2), literal(":"), op(Op::kMinute2), literal(":"), op(Op::kSecond2);
          literal(" "), op(Op::kAmPm);
          break;
        case '%':
          literal("%");
          break;
        default:
          fail(format.substr(i - 1, 2));
      }
      continue;
    }
    bool no_pad = false;
    if (s == '-') {
      if (++i >= format.size()) throw_user_error("date/time format '{}' ends with '%-'", format);
      s = format[i];
      no_pad = true;
    }
    if (no_pad) {
      switch (s) {
        case 'y':
          op(Op::kYear2);
          break;  // DuckDB prints %-y unpadded; same digits for >= 10
        case 'm':
          op(Op::kMonth);
          break;
        case 'd':
          op(Op::kDay);
          break;
        case 'H':
          op(Op::kHour);
          break;
        case 'I':
          op(Op::kHour12);
          break;
        case 'M':
          op(Op::kMinute);
          break;
        case 'S':
          op(Op::kSecond);
          break;
        case 'j':
          op(Op::kDayOfYear);
          break;
        default:
          fail(format.substr(i - 2, 3));
      }
      continue;
    }
    switch (s) {
      case 'Y':
        op(Op::kYear);
        break;
      case 'y':
        op(Op::kYear2);
        break;
      case 'm':
        op(Op::kMonth2);
        break;
      case 'd':
        op(Op::kDay2);
        break;
      case 'e':
        op(Op::kDaySpace);
        break;
      case 'H':
        op(Op::kHour2);
        break;
      case 'I':
        op(Op::kHour12_2);
        break;
      case 'M':
        op(Op::kMinute2);
        break;
      case 'S':
        op(Op::kSecond2);
        break;
      case 'f':
        op(Op::kMicros);
        break;
      case 'g':
        op(Op::kMillis);
        break;
      case 'n':
        op(Op::kNanos);
        break;
      case 'p':
        op(Op::kAmPm);
        break;
      case 'A':
        op(Op::kWeekdayName);
        break;
      case 'a':
        op(Op::kWeekdayAbbr);
        break;
      case 'B':
        op(Op::kMonthName);
        break;
      case 'b':
      case 'h':
        op(Op::kMonthAbbr);
        break;
      case 'j':
        op(Op::kDayOfYear3);
        break;
      case 'w':
        op(Op::kWeekdaySun0);
        break;
      case 'u':
        op(Op::kWeekdayMon1);
        break;
      case 'U':
        op(Op::kWeekSunday);
        break;
      case 'W':
        op(Op::kWeekMonday);
        break;
      case 'V':
        op(Op::kIsoWeek);
        break;
      case 'G':
        op(Op::kIsoYear);
        break;
      case 'z':
        op(Op::kZoneOffset);
        break;
      case 'Z':
        op(Op::kZoneName);
        break;
      case 'c':
        op(Op::kYear), literal("-"), op(Op::kMonth2), literal("-"), op(Op::kDay2), literal(" ");
        op(Op::kHour2), literal(":"), op(Op::kMinute2), literal(":"), op(Op::kSecond2);
        break;
      case 'x':
        op(Op::kYear), literal("-"), op(Op::kMonth2), literal("-"), op(Op::kDay2);
        break;
      case 'X':
        op(Op::kHour2), literal(":"), op(Op::kMinute2), literal(":"), op(Op::kSecond2);
        break;
      case 'T':
        op(Op::kHour2), literal(":"), op(Op::kMinute2), literal(":"), op(Op::kSecond2);
        break;
      case 'F':
        op(Op::kYear), literal("-"), op(Op::kMonth2), literal("-"), op(Op::kDay2);
        break;
      case '%':
        literal("%");
        break;
      default:
        fail(format.substr(i - 1, 2));
    }
  }
  return f;
}

void DateTimeFormat::format(int64_t micros, std::string* out) const {
  int32_t days = temporal::days_of(micros);
  int64_t tod = micros - static_cast<int64_t>(days) * temporal::kMicrosPerDay;
  temporal::CivilDate c = temporal::civil_from_days(days);
  int64_t hour = tod / 3600000000LL, minute = (tod / 60000000LL) % 60,
          second = (tod / 1000000) % 60;
  int64_t frac = tod % 1000000;
  int64_t hour12 = hour % 12 == 0 ? 12 : hour % 12;
  for (const Step& s : steps_) {
    switch (s.op) {
      case Op::kLiteral:
        out->append(s.literal);
        break;
      case Op::kYear:
        append_padded(c.year, c.year < 0 ? 0 : 4, out);
        break;
      case Op::kYear2:
        append_padded(((c.year % 100) + 100) % 100, 2, out);
        break;
      case Op::kMonth2:
        append_padded(c.month, 2, out);
        break;
      case Op::kMonth:
        append_padded(c.month, 1, out);
        break;
      case Op::kDay2:
        append_padded(c.day, 2, out);
        break;
      case Op::kDay:
        append_padded(c.day, 1, out);
        break;
      case Op::kDaySpace:
        if (c.day < 10) out->push_back(' ');
        append_padded(c.day, 1, out);
        break;
      case Op::kDaySuffix: {
        append_padded(c.day, 1, out);
        uint32_t d = c.day;
        *out += (d % 10 == 1 && d != 11)   ? "st"
                : (d % 10 == 2 && d != 12) ? "nd"
                : (d % 10 == 3 && d != 13) ? "rd"
                                           : "th";
        break;
      }
      case Op::kHour2:
        append_padded(hour, 2, out);
        break;
      case Op::kHour:
        append_padded(hour, 1, out);
        break;
      case Op::kHour12_2:
        append_padded(hour12, 2, out);
        break;
      case Op::kHour12:
        append_padded(hour12, 1, out);
        break;
      case Op::kMinute2:
        append_padded(minute, 2, out);
        break;
      case Op::kMinute:
        append_padded(minute, 1, out);
        break;
      case Op::kSecond2:
        append_padded(second, 2, out);
        break;
      case Op::kSecond:
        append_padded(second, 1, out);
        break;
      case Op::kMicros:
        append_padded(frac, 6, out);
        break;
      case Op::kMillis:
        append_padded(frac / 1000, 3, out);
        break;
      case Op::kNanos:
        append_padded(frac * 1000, 9, out);
        break;
      case Op::kAmPm:
        *out += hour < 12 ? "AM" : "PM";
        break;
      case Op::kWeekdayName:
        *out += kWeekdayNames[datetime::weekday_sun0(days)];
        break;
      case Op::kWeekdayAbbr:
        out->append(kWeekdayNames[datetime::weekday_sun0(days)], 3);
        break;
      case Op::kMonthName:
        *out += kMonthNames[c.month - 1];
        break;
      case Op::kMonthAbbr:
        out->append(kMonthNames[c.month - 1], 3);
        break;
      case Op::kMonthPad:
        *out += fmt::format("{:<9}", kMonthNames[c.month - 1]);
        break;
      case Op::kDayPad:
        *out += fmt::format("{:<9}", kWeekdayNames[datetime::weekday_sun0(days)]);
        break;
      case Op::kDayOfYear3:
        append_padded(datetime::day_of_year(days, c), 3, out);
        break;
      case Op::kDayOfYear:
        append_padded(datetime::day_of_year(days, c), 1, out);
        break;
      case Op::kWeekdaySun0:
        append_padded(datetime::weekday_sun0(days), 1, out);
        break;
      case Op::kWeekdayMon1:
        append_padded(datetime::iso_weekday(days), 1, out);
        break;
      case Op::kWeekSunday:
        append_padded((datetime::day_of_year(days, c) + 6 - datetime::weekday_sun0(days)) / 7, 2,
                      out);
        break;
      case Op::kWeekMonday:
        append_padded((datetime::day_of_year(days, c) + 6 - (datetime::iso_weekday(days) - 1)) / 7,
                      2, out);
        break;
      case Op::kIsoWeek:
        append_padded(datetime::iso_week(days).week, 2, out);
        break;
      case Op::kIsoYear:
        append_padded(datetime::iso_week(days).year, 4, out);
        break;
      case Op::kZoneOffset:
        *out += "+00";
        break;
      case Op::kZoneName:
        break;
    }
  }
}

bool DateTimeFormat::parse(std::string_view text, int64_t* micros) const {
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, frac = 0;
  int64_t doy = -1, offset_minutes = 0;
  int pm = -1;  // -1 unset, 0 AM, 1 PM
  bool hour12 = false;
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  };
  // Reads 1..max digits.
  auto number = [&](int max_digits, int64_t* out) {
    size_t start = pos;
    int64_t v = 0;
    while (pos < text.size() && pos - start < static_cast<size_t>(max_digits) &&
           std::isdigit(static_cast<unsigned char>(text[pos])))
      v = v * 10 + (text[pos++] - '0');
    if (pos == start) return false;
    *out = v;
    return true;
  };
  // Reads up to `digits` fraction digits, scaled to `digits`.
  auto fraction = [&](int digits, int64_t* out) {
    size_t start = pos;
    int64_t v = 0;
    int n = 0;
    while (pos < text.size() && n < digits && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      v = v * 10 + (text[pos++] - '0');
      ++n;
    }
    if (pos == start) return false;
    for (; n < digits; ++n) v *= 10;
    *out = v;
    return true;
  };
  auto name = [&](const char* const* names, int count, bool abbreviated, int64_t* out) {
    for (int k = 0; k < count; ++k) {
      std::string_view full(names[k]);
      if (!abbreviated && iequals_prefix(text, pos, full)) {
        pos += full.size();
        *out = k;
        return true;
      }
      if (iequals_prefix(text, pos, full.substr(0, 3))) {
        pos += 3;
        *out = k;
        return true;
      }
    }
    return false;
  };
  skip_space();
  for (size_t step = 0; step < steps_.size(); ++step) {
    const Step& s = steps_[step];
    int64_t v = 0;
    switch (s.op) {
      case Op::kLiteral:
        for (char c : s.literal) {
          if (std::isspace(static_cast<unsigned char>(c))) {
            skip_space();
          } else {
            if (pos >= text.size() || text[pos] != c) return false;
            ++pos;
          }
        }
        break;
      case Op::kYear: {
        bool neg = pos < text.size() && text[pos] == '-';
        if (neg) ++pos;
        // Four digits when another number follows directly (%Y%m%d), else up to six.
        bool packed = step + 1 < steps_.size() && steps_[step + 1].op != Op::kLiteral;
        if (!number(packed ? 4 : 6, &year)) return false;
        if (neg) year = -year;
        break;
      }
      case Op::kYear2:
        if (!number(2, &year)) return false;
        year += year >= 69 ? 1900 : 2000;
        break;
      case Op::kMonth2:
      case Op::kMonth:
        if (!number(2, &month)) return false;
        break;
      case Op::kDay2:
      case Op::kDay:
      case Op::kDaySpace:
        skip_space();
        if (!number(2, &day)) return false;
        break;
      case Op::kDaySuffix:
        if (!number(2, &day)) return false;
        if (pos + 2 > text.size()) return false;
        pos += 2;
        break;
      case Op::kHour2:
      case Op::kHour:
        if (!number(2, &hour)) return false;
        break;
      case Op::kHour12_2:
      case Op::kHour12:
        if (!number(2, &hour)) return false;
        hour12 = true;
        break;
      case Op::kMinute2:
      case Op::kMinute:
        if (!number(2, &minute)) return false;
        break;
      case Op::kSecond2:
      case Op::kSecond:
        if (!number(2, &second)) return false;
        break;
      case Op::kMicros:
        if (!fraction(6, &frac)) return false;
        break;
      case Op::kMillis:
        if (!fraction(3, &v)) return false;
        frac = v * 1000;
        break;
      case Op::kNanos:
        if (!fraction(9, &v)) return false;
        frac = v / 1000;
        break;
      case Op::kAmPm:
        if (iequals_prefix(text, pos, "AM"))
          pm = 0;
        else if (iequals_prefix(text, pos, "PM"))
          pm = 1;
        else
          return false;
        pos += 2;
        break;
      case Op::kWeekdayName:
      case Op::kWeekdayAbbr:
      case Op::kDayPad:
        if (!name(kWeekdayNames, 7, s.op == Op::kWeekdayAbbr, &v)) return false;
        if (s.op == Op::kDayPad) skip_space();
        break;
      case Op::kMonthName:
      case Op::kMonthAbbr:
      case Op::kMonthPad:
        if (!name(kMonthNames, 12, s.op == Op::kMonthAbbr, &month)) return false;
        if (s.op == Op::kMonthPad) skip_space();
        ++month;
        break;
      case Op::kDayOfYear3:
      case Op::kDayOfYear:
        if (!number(3, &doy)) return false;
        break;
      case Op::kWeekdaySun0:
      case Op::kWeekdayMon1:
        if (!number(1, &v)) return false;
        break;
      case Op::kWeekSunday:
      case Op::kWeekMonday:
      case Op::kIsoWeek:
        if (!number(2, &v)) return false;
        break;
      case Op::kIsoYear:
        if (!number(4, &v)) return false;
        break;
      case Op::kZoneOffset: {
        if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
          ++pos;
          break;
        }
        if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return false;
        int sign = text[pos++] == '-' ? -1 : 1;
        int64_t hh = 0, mm = 0;
        if (!number(2, &hh)) return false;
        if (pos < text.size() && text[pos] == ':') ++pos;
        number(2, &mm);
        offset_minutes = sign * (hh * 60 + mm);
        break;
      }
      case Op::kZoneName:
        while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
        break;
    }
  }
  skip_space();
  if (pos != text.size()) return false;
  if (hour12) {
    if (hour < 1 || hour > 12) return false;
    hour %= 12;
  }
  if (pm == 1) hour += hour < 12 ? 12 : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  int32_t days;
  if (doy >= 0) {
    bool leap = temporal::days_in_month(static_cast<int32_t>(year), 2) == 29;
    if (doy < 1 || doy > (leap ? 366 : 365)) return false;
    days =
        temporal::days_from_civil(static_cast<int32_t>(year), 1, 1) + static_cast<int32_t>(doy) - 1;
  } else {
    if (day < 1 || day > temporal::days_in_month(static_cast<int32_t>(year), month)) return false;
    days = temporal::days_from_civil(static_cast<int32_t>(year), static_cast<uint32_t>(month),
                                     static_cast<uint32_t>(day));
  }
  *micros = static_cast<int64_t>(days) * temporal::kMicrosPerDay +
            ((hour * 60 + minute) * 60 + second) * temporal::kMicrosPerSecond + frac -
            offset_minutes * 60 * temporal::kMicrosPerSecond;
  return true;
}

}  // namespace velo
