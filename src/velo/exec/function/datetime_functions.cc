// Date/time functions on DATE (int32 days) and TIMESTAMP (int64 micros, UTC): parts, truncation,
// formatting and parsing, epoch conversions, date arithmetic and the current time. Civil-time
// math is done on integers (datetime_parts.h); semantics follow DuckDB unless noted.
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include "velo/exec/function/datetime_format.h"
#include "velo/exec/function/datetime_parts.h"
#include "velo/exec/function/function.h"
#include "velo/exec/function/string_kernel.h"
#include "velo/types/decimal.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo {

using fn::int_arg;
using fn::str_arg;
using temporal::kMicrosPerDay;
using temporal::kMicrosPerSecond;

namespace {

constexpr int64_t kMicrosPerMilli = 1000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;

inline bool any_null(const std::vector<ArgVector>& args, size_t i) {
  for (const auto& a : args)
    if (a.column->has_validity() && a.is_null(i)) return true;
  return false;
}

// Row i of a DATE or TIMESTAMP argument as micros since the epoch.
inline int64_t micros_arg(const ArgVector& a, size_t i) {
  size_t k = a.index(i);
  if (a.column->type().id() == TypeId::kDate)
    return static_cast<int64_t>(a.column->value<int32_t>(k)) * kMicrosPerDay;
  return a.column->value<int64_t>(k);
}

// Row i of a numeric argument as a double (INT32, INT64, DOUBLE, DECIMAL: no cast needed).
inline double number_arg(const ArgVector& a, size_t i) {
  size_t k = a.index(i);
  const Column& c = *a.column;
  switch (c.type().id()) {
    case TypeId::kInt32:
      return c.value<int32_t>(k);
    case TypeId::kInt64:
      return static_cast<double>(c.value<int64_t>(k));
    case TypeId::kDecimal:
      return decimal::to_double(c.value<int128_t>(k), c.type().scale());
    default:
      return c.value<double>(k);
  }
}

DataType numeric_type(const DataType& t) { return t.is_numeric() ? t : DataType::float64(); }

// DATE and TIMESTAMP are read as they are; other types (STRING) are cast to TIMESTAMP.
DataType temporal_type(const DataType& t) {
  return t.id() == TypeId::kDate || t.id() == TypeId::kTimestamp ? t : DataType::timestamp();
}

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- date parts -----------------------------------------------------------------------------

enum class Part : uint8_t {
  kYear,
  kQuarter,
  kMonth,
  kWeek,
  kDay,
  kDayOfWeek,
  kIsoDayOfWeek,
  kDayOfYear,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kMicrosecond,
  kEpoch,
  kDecade,
  kCentury,
  kMillennium,
  kIsoYear,
  kYearWeek,
  kEra,
  kJulian,
};

std::optional<Part> parse_part(std::string_view text) {
  std::string s;
  for (char c : text) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  struct Name {
    const char* name;
    Part part;
  };
  static const Name kNames[] = {
      {"year", Part::kYear},
      {"years", Part::kYear},
      {"y", Part::kYear},
      {"yr", Part::kYear},
      {"yrs", Part::kYear},
      {"quarter", Part::kQuarter},
      {"quarters", Part::kQuarter},
      {"month", Part::kMonth},
      {"months", Part::kMonth},
      {"mon", Part::kMonth},
      {"mons", Part::kMonth},
      {"week", Part::kWeek},
      {"weeks", Part::kWeek},
      {"w", Part::kWeek},
      {"weekofyear", Part::kWeek},
      {"day", Part::kDay},
      {"days", Part::kDay},
      {"d", Part::kDay},
      {"dayofmonth", Part::kDay},
      {"dow", Part::kDayOfWeek},
      {"dayofweek", Part::kDayOfWeek},
      {"weekday", Part::kDayOfWeek},
      {"isodow", Part::kIsoDayOfWeek},
      {"doy", Part::kDayOfYear},
      {"dayofyear", Part::kDayOfYear},
      {"hour", Part::kHour},
      {"hours", Part::kHour},
      {"h", Part::kHour},
      {"hr", Part::kHour},
      {"hrs", Part::kHour},
      {"minute", Part::kMinute},
      {"minutes", Part::kMinute},
      {"min", Part::kMinute},
      {"mins", Part::kMinute},
      {"m", Part::kMinute},
      {"second", Part::kSecond},
      {"seconds", Part::kSecond},
      {"sec", Part::kSecond},
      {"secs", Part::kSecond},
      {"s", Part::kSecond},
      {"millisecond", Part::kMillisecond},
      {"milliseconds", Part::kMillisecond},
      {"ms", Part::kMillisecond},
      {"msec", Part::kMillisecond},
      {"msecs", Part::kMillisecond},
      {"microsecond", Part::kMicrosecond},
      {"microseconds", Part::kMicrosecond},
      {"us", Part::kMicrosecond},
      {"usec", Part::kMicrosecond},
      {"usecs", Part::kMicrosecond},
      {"epoch", Part::kEpoch},
      {"decade", Part::kDecade},
      {"decades", Part::kDecade},
      {"dec", Part::kDecade},
      {"century", Part::kCentury},
      {"centuries", Part::kCentury},
      {"cent", Part::kCentury},
      {"c", Part::kCentury},
      {"millennium", Part::kMillennium},
      {"millennia", Part::kMillennium},
      {"millenniums", Part::kMillennium},
      {"mil", Part::kMillennium},
      {"isoyear", Part::kIsoYear},
      {"yearweek", Part::kYearWeek},
      {"era", Part::kEra},
      {"julian", Part::kJulian},
      {"jd", Part::kJulian},
  };
  for (const Name& n : kNames)
    if (s == n.name) return n.part;
  return std::nullopt;
}

Part bind_part(const std::string& name, const BindArg& arg) {
  if (!arg.constant || arg.constant->is_null() || arg.constant->type().id() != TypeId::kString)
    throw_not_supported("{} with a part that is not a constant string", name);
  auto p = parse_part(arg.constant->as_string());
  if (!p) throw_user_error("{}: unknown date part '{}'", name, arg.constant->as_string());
  return *p;
}

bool is_double_part(Part p) { return p == Part::kEpoch || p == Part::kJulian; }

int64_t extract_int(Part p, int64_t micros) {
  int32_t days;
  int64_t tod;
  datetime::split_timestamp(micros, &days, &tod);
  switch (p) {
    case Part::kHour:
      return tod / kMicrosPerHour;
    case Part::kMinute:
      return (tod / kMicrosPerMinute) % 60;
    case Part::kSecond:
      return (tod / kMicrosPerSecond) % 60;
    case Part::kMillisecond:
      return (tod % kMicrosPerMinute) / kMicrosPerMilli;
    case Part::kMicrosecond:
      return tod % kMicrosPerMinute;
    case Part::kDayOfWeek:
      return datetime::weekday_sun0(days);
    case Part::kIsoDayOfWeek:
      return datetime::iso_weekday(days);
    case Part::kWeek:
      return datetime::iso_week(days).week;
    case Part::kIsoYear:
      return datetime::iso_week(days).year;
    case Part::kYearWeek: {
      datetime::IsoWeek w = datetime::iso_week(days);
      return static_cast<int64_t>(w.year) * 100 + w.week;
    }
    default:
      break;
  }
  temporal::CivilDate c = temporal::civil_from_days(days);
  switch (p) {
    case Part::kYear:
      return c.year;
    case Part::kQuarter:
      return (c.month - 1) / 3 + 1;
    case Part::kMonth:
      return c.month;
    case Part::kDay:
      return c.day;
    case Part::kDayOfYear:
      return datetime::day_of_year(days, c);
    case Part::kDecade:
      return c.year / 10;
    case Part::kCentury:
      return c.year > 0 ? (c.year - 1) / 100 + 1 : c.year / 100 - 1;
    case Part::kMillennium:
      return c.year > 0 ? (c.year - 1) / 1000 + 1 : c.year / 1000 - 1;
    case Part::kEra:
      return c.year > 0 ? 1 : 0;
    default:
      return 0;
  }
}

double extract_double(Part p, int64_t micros) {
  if (p == Part::kEpoch) return static_cast<double>(micros) / kMicrosPerSecond;
  // Julian day number (noon-based days are not modelled: DuckDB returns whole days + fraction).
  return static_cast<double>(micros) / kMicrosPerDay + 2440588.0;
}

struct PartState {
  Part part;
};

void date_part_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  Part p = static_cast<const PartState*>(ctx.state)->part;
  const ArgVector& x = args.back();
  if (is_double_part(p)) {
    double* v = fn::fixed_output<double>(out, ctx.rows);
    for (size_t i = 0; i < ctx.rows; ++i) v[i] = extract_double(p, micros_arg(x, i));
  } else {
    int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
    for (size_t i = 0; i < ctx.rows; ++i) v[i] = extract_int(p, micros_arg(x, i));
  }
}

int64_t extract_interval(Part p, const Interval& iv, const std::string& name) {
  int64_t years = iv.months / 12;
  switch (p) {
    case Part::kYear:
      return years;
    case Part::kQuarter:
      return (iv.months % 12) / 3 + 1;
    case Part::kMonth:
      return iv.months % 12;
    case Part::kDay:
      return iv.days;
    case Part::kHour:
      return iv.micros / kMicrosPerHour;
    case Part::kMinute:
      return (iv.micros / kMicrosPerMinute) % 60;
    case Part::kSecond:
      return (iv.micros / kMicrosPerSecond) % 60;
    case Part::kMillisecond:
      return (iv.micros % kMicrosPerMinute) / kMicrosPerMilli;
    case Part::kMicrosecond:
      return iv.micros % kMicrosPerMinute;
    case Part::kDecade:
      return years / 10;
    case Part::kCentury:
      return years / 100;
    case Part::kMillennium:
      return years / 1000;
    default:
      throw_user_error("{}: this part of an INTERVAL is not supported", name);
  }
}

// DuckDB's interval epoch: 365.25-day years, 30-day months.
double interval_epoch(const Interval& iv) {
  int64_t years = iv.months / 12;
  int64_t days = 365 * years + 30 * (iv.months % 12) + iv.days;
  int64_t secs = days * 86400 + years * (86400 / 4);
  return static_cast<double>(secs) + static_cast<double>(iv.micros) / kMicrosPerSecond;
}

void interval_part_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                          Column* out) {
  Part p = static_cast<const PartState*>(ctx.state)->part;
  const ArgVector& x = args.back();
  if (p == Part::kEpoch) {
    double* v = fn::fixed_output<double>(out, ctx.rows);
    for (size_t i = 0; i < ctx.rows; ++i)
      v[i] = interval_epoch(x.column->value<Interval>(x.index(i)));
    return;
  }
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i)
    v[i] = extract_interval(p, x.column->value<Interval>(x.index(i)), "DATE_PART");
}

BoundScalar bind_part_call(const std::string& name, Part p, const std::vector<BindArg>& args,
                           std::vector<DataType> leading) {
  const DataType& t = args.back().type;
  BoundScalar b;
  if (t.id() == TypeId::kInterval) {
    if (is_double_part(p) && p != Part::kEpoch)
      throw_user_error("{}: this part of an INTERVAL is not supported", name);
    if (p != Part::kEpoch) extract_interval(p, Interval{}, name);  // validates the part
    b = fn::bound(p == Part::kEpoch ? DataType::float64() : DataType::int64(), leading,
                  &interval_part_kernel);
    b.arg_types.push_back(t);
  } else {
    b = fn::bound(is_double_part(p) ? DataType::float64() : DataType::int64(), leading,
                  &date_part_kernel);
    b.arg_types.push_back(temporal_type(t));
  }
  b.state = std::make_shared<const PartState>(PartState{p});
  return b;
}

BoundScalar bind_date_part(const std::vector<BindArg>& args) {
  fn::check_arity("DATE_PART", args, 2, 2, "part STRING, DATE|TIMESTAMP|INTERVAL");
  return bind_part_call("DATE_PART", bind_part("DATE_PART", args[0]), args, {DataType::string()});
}

// YEAR(x), MONTH(x), ...: DATE_PART with a fixed part.
std::function<BoundScalar(const std::vector<BindArg>&)> fixed_part(const char* name, Part p) {
  return [=](const std::vector<BindArg>& args) {
    fn::check_arity(name, args, 1, 1, "DATE|TIMESTAMP");
    return bind_part_call(name, p, args, {});
  };
}

constexpr const char* kDayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};
constexpr const char* kMonthNames[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};

template <bool kDay>
void name_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  for (size_t i = 0; i < ctx.rows; ++i) {
    int32_t days = temporal::days_of(micros_arg(args[0], i));
    if (kDay)
      out->append_string(kDayNames[datetime::weekday_sun0(days)]);
    else
      out->append_string(kMonthNames[temporal::civil_from_days(days).month - 1]);
  }
}

// ---- DATE_TRUNC -----------------------------------------------------------------------------

int64_t truncate(Part p, int64_t micros) {
  auto floor_to = [&](int64_t unit) { return micros - datetime::floor_mod(micros, unit); };
  switch (p) {
    case Part::kMicrosecond:
      return micros;
    case Part::kMillisecond:
      return floor_to(kMicrosPerMilli);
    case Part::kSecond:
      return floor_to(kMicrosPerSecond);
    case Part::kMinute:
      return floor_to(kMicrosPerMinute);
    case Part::kHour:
      return floor_to(kMicrosPerHour);
    case Part::kDay:
      return floor_to(kMicrosPerDay);
    default:
      break;
  }
  int32_t days = temporal::days_of(micros);
  if (p == Part::kWeek) return (days - (datetime::iso_weekday(days) - 1)) * kMicrosPerDay;
  if (p == Part::kIsoYear) {
    // Monday of ISO week 1.
    int32_t year = datetime::iso_week(days).year;
    int32_t jan4 = temporal::days_from_civil(year, 1, 4);
    return (jan4 - (datetime::iso_weekday(jan4) - 1)) * kMicrosPerDay;
  }
  temporal::CivilDate c = temporal::civil_from_days(days);
  int32_t y = c.year;
  uint32_t m = 1;
  switch (p) {
    case Part::kMonth:
      m = c.month;
      break;
    case Part::kQuarter:
      m = (c.month - 1) / 3 * 3 + 1;
      break;
    case Part::kYear:
      break;
    case Part::kDecade:
      y = y / 10 * 10;
      break;
    case Part::kCentury:
      y = y / 100 * 100;
      break;
    case Part::kMillennium:
      y = y / 1000 * 1000;
      break;
    default:
      break;
  }
  return static_cast<int64_t>(temporal::days_from_civil(y, m, 1)) * kMicrosPerDay;
}

bool truncatable(Part p) {
  switch (p) {
    case Part::kDayOfWeek:
    case Part::kIsoDayOfWeek:
    case Part::kDayOfYear:
    case Part::kEpoch:
    case Part::kYearWeek:
    case Part::kEra:
    case Part::kJulian:
      return false;
    default:
      return true;
  }
}

void date_trunc_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  Part p = static_cast<const PartState*>(ctx.state)->part;
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) v[i] = truncate(p, micros_arg(args[1], i));
}

BoundScalar bind_date_trunc(const std::vector<BindArg>& args) {
  fn::check_arity("DATE_TRUNC", args, 2, 2, "part STRING, DATE|TIMESTAMP");
  Part p = bind_part("DATE_TRUNC", args[0]);
  if (!truncatable(p))
    throw_user_error("DATE_TRUNC: cannot truncate to '{}'", args[0].constant->as_string());
  BoundScalar b = fn::bound(DataType::timestamp(),
                            {DataType::string(), temporal_type(args[1].type)}, &date_trunc_kernel);
  b.state = std::make_shared<const PartState>(PartState{p});
  return b;
}

// ---- DATE_DIFF ------------------------------------------------------------------------------

// DuckDB's date_diff: the number of `p` boundaries crossed from a to b.
int64_t date_diff(Part p, int64_t a, int64_t b) {
  using datetime::floor_div;
  switch (p) {
    case Part::kMicrosecond:
      return b - a;
    case Part::kMillisecond:
      return floor_div(b, kMicrosPerMilli) - floor_div(a, kMicrosPerMilli);
    case Part::kSecond:
      return floor_div(b, kMicrosPerSecond) - floor_div(a, kMicrosPerSecond);
    case Part::kMinute:
      return floor_div(b, kMicrosPerMinute) - floor_div(a, kMicrosPerMinute);
    case Part::kHour:
      return floor_div(b, kMicrosPerHour) - floor_div(a, kMicrosPerHour);
    default:
      break;
  }
  int32_t da = temporal::days_of(a), db = temporal::days_of(b);
  switch (p) {
    case Part::kDay:
    case Part::kDayOfWeek:
    case Part::kIsoDayOfWeek:
    case Part::kDayOfYear:
      return db - da;
    case Part::kWeek:
      return (db - da) / 7;
    case Part::kIsoYear:
      return datetime::iso_week(db).year - datetime::iso_week(da).year;
    default:
      break;
  }
  temporal::CivilDate ca = temporal::civil_from_days(da), cb = temporal::civil_from_days(db);
  switch (p) {
    case Part::kYear:
      return cb.year - ca.year;
    case Part::kMonth:
      return (int64_t{cb.year} * 12 + cb.month) - (int64_t{ca.year} * 12 + ca.month);
    case Part::kQuarter:
      return (int64_t{cb.year} * 4 + (cb.month - 1) / 3) -
             (int64_t{ca.year} * 4 + (ca.month - 1) / 3);
    case Part::kDecade:
      return cb.year / 10 - ca.year / 10;
    case Part::kCentury:
      return cb.year / 100 - ca.year / 100;
    case Part::kMillennium:
      return cb.year / 1000 - ca.year / 1000;
    default:
      return 0;
  }
}

void date_diff_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  Part p = static_cast<const PartState*>(ctx.state)->part;
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i)
    v[i] = date_diff(p, micros_arg(args[1], i), micros_arg(args[2], i));
}

BoundScalar bind_date_diff(const std::vector<BindArg>& args) {
  fn::check_arity("DATE_DIFF", args, 3, 3, "part STRING, start DATE|TIMESTAMP, end DATE|TIMESTAMP");
  Part p = bind_part("DATE_DIFF", args[0]);
  if (p == Part::kEpoch || p == Part::kEra || p == Part::kJulian || p == Part::kYearWeek)
    throw_user_error("DATE_DIFF: unsupported part '{}'", args[0].constant->as_string());
  BoundScalar b =
      fn::bound(DataType::int64(),
                {DataType::string(), temporal_type(args[1].type), temporal_type(args[2].type)},
                &date_diff_kernel);
  b.state = std::make_shared<const PartState>(PartState{p});
  return b;
}

// ---- DATE_ADD / DATE_SUB --------------------------------------------------------------------

template <int kSign>
void add_interval_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                         Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    Interval iv = args[1].column->value<Interval>(args[1].index(i));
    if (kSign < 0) iv = Interval{-iv.months, -iv.days, -iv.micros};
    v[i] = temporal::add_interval(micros_arg(args[0], i), iv);
  }
}

template <int kSign>
void add_days_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int32_t* v = fn::fixed_output<int32_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i)
    v[i] = args[0].column->value<int32_t>(args[0].index(i)) +
           kSign * static_cast<int32_t>(int_arg(args[1], i));
}

template <int kSign>
BoundScalar bind_date_add(const std::vector<BindArg>& args) {
  const char* name = kSign > 0 ? "DATE_ADD" : "DATE_SUB";
  fn::check_arity(name, args, 2, 2, "DATE|TIMESTAMP, INTERVAL");
  const DataType& t = args[0].type;
  if (args[1].type.is_integer() && (t.id() == TypeId::kDate || t.id() == TypeId::kNull))
    return fn::bound(DataType::date(), {DataType::date(), args[1].type}, &add_days_kernel<kSign>);
  if (args[1].type.id() != TypeId::kInterval && args[1].type.id() != TypeId::kNull)
    fn::no_overload(name, args, "DATE|TIMESTAMP, INTERVAL");
  return fn::bound(DataType::timestamp(), {temporal_type(t), DataType::interval()},
                   &add_interval_kernel<kSign>);
}

// ---- MAKE_DATE / MAKE_TIMESTAMP / LAST_DAY --------------------------------------------------

int32_t checked_date(int64_t y, int64_t m, int64_t d) {
  if (y < -290000 || y > 290000 || m < 1 || m > 12 || d < 1 ||
      d > temporal::days_in_month(static_cast<int32_t>(y), static_cast<uint32_t>(m)))
    throw_user_error("date out of range: {}-{}-{}", y, m, d);
  return temporal::days_from_civil(static_cast<int32_t>(y), static_cast<uint32_t>(m),
                                   static_cast<uint32_t>(d));
}

void make_date_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int32_t* v = fn::fixed_output<int32_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    v[i] = 0;
    if (any_null(args, i)) continue;
    v[i] = checked_date(int_arg(args[0], i), int_arg(args[1], i), int_arg(args[2], i));
  }
}

void make_timestamp_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                           Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    v[i] = 0;
    if (any_null(args, i)) continue;
    if (args.size() == 1) {
      v[i] = int_arg(args[0], i);  // MAKE_TIMESTAMP(micros)
      continue;
    }
    int32_t days = checked_date(int_arg(args[0], i), int_arg(args[1], i), int_arg(args[2], i));
    int64_t h = int_arg(args[3], i), m = int_arg(args[4], i);
    double s = number_arg(args[5], i);
    if (h < 0 || h > 23 || m < 0 || m > 59 || !(s >= 0 && s < 60))
      throw_user_error("time out of range: {}:{}:{}", h, m, s);
    v[i] = days * kMicrosPerDay + h * kMicrosPerHour + m * kMicrosPerMinute +
           std::llround(s * kMicrosPerSecond);
  }
}

BoundScalar bind_make_timestamp(const std::vector<BindArg>& args) {
  if (args.size() == 1)
    return fn::bound(DataType::timestamp(), {fn::integer_type(args[0].type)},
                     &make_timestamp_kernel);
  fn::check_arity("MAKE_TIMESTAMP", args, 6, 6,
                  "year, month, day, hour, minute INT64, second DOUBLE");
  std::vector<DataType> types;
  for (size_t k = 0; k < 5; ++k) types.push_back(fn::integer_type(args[k].type));
  types.push_back(numeric_type(args[5].type));
  return fn::bound(DataType::timestamp(), std::move(types), &make_timestamp_kernel);
}

void last_day_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int32_t* v = fn::fixed_output<int32_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    temporal::CivilDate c = temporal::civil_from_days(temporal::days_of(micros_arg(args[0], i)));
    v[i] = temporal::days_from_civil(c.year, c.month, temporal::days_in_month(c.year, c.month));
  }
}

// ---- epoch conversions ----------------------------------------------------------------------

template <int64_t kUnit>
void epoch_int_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  // Truncating division, as DuckDB's epoch_ms.
  for (size_t i = 0; i < ctx.rows; ++i) {
    int64_t us = micros_arg(args[0], i);
    v[i] = kUnit > 0 ? us / kUnit : us * -kUnit;
  }
}

void epoch_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  double* v = fn::fixed_output<double>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i)
    v[i] = static_cast<double>(micros_arg(args[0], i)) / kMicrosPerSecond;
}

void unix_timestamp_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                           Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i)
    v[i] =
        datetime::floor_div(args.empty() ? now_micros() : micros_arg(args[0], i), kMicrosPerSecond);
}

// Integer `x * unit` micros -> TIMESTAMP.
template <int64_t kUnit>
void from_epoch_int_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                           Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) v[i] = int_arg(args[0], i) * kUnit;
}

void from_epoch_seconds_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                               Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    v[i] = 0;
    if (any_null(args, i)) continue;
    double s = number_arg(args[0], i);
    if (!std::isfinite(s) || std::fabs(s) > 9.2e12)
      throw_user_error("epoch seconds {} are out of the TIMESTAMP range", s);
    v[i] = std::llround(s * kMicrosPerSecond);
  }
}

// EPOCH_MS(TIMESTAMP) -> BIGINT ms; EPOCH_MS(BIGINT ms) -> TIMESTAMP.
BoundScalar bind_epoch_ms(const std::vector<BindArg>& args) {
  fn::check_arity("EPOCH_MS", args, 1, 1, "TIMESTAMP | ms INT64");
  if (args[0].type.is_integer())
    return fn::bound(DataType::timestamp(), {args[0].type}, &from_epoch_int_kernel<1000>);
  return fn::bound(DataType::int64(), {temporal_type(args[0].type)}, &epoch_int_kernel<1000>);
}

BoundScalar bind_to_timestamp(const std::vector<BindArg>& args) {
  fn::check_arity("TO_TIMESTAMP", args, 1, 1, "seconds DOUBLE");
  return fn::bound(DataType::timestamp(), {numeric_type(args[0].type)}, &from_epoch_seconds_kernel);
}

// ---- STRFTIME / DATE_FORMAT / STRPTIME ------------------------------------------------------

struct FormatState {
  std::optional<DateTimeFormat> format;  // set when the format is a constant
  DateTimeFormat::Dialect dialect;
  bool try_parse = false;
};

// The compiled format of row i: the bind-time one, or a per-batch cache of the last one seen.
class FormatCache {
 public:
  explicit FormatCache(const FormatState& s) : state_(s) {}
  const DateTimeFormat& get(const ArgVector& fmt, size_t i) {
    if (state_.format) return *state_.format;
    std::string_view f = str_arg(fmt, i);
    if (!cached_ || cached_->text() != f) cached_ = DateTimeFormat::compile(f, state_.dialect);
    return *cached_;
  }

 private:
  const FormatState& state_;
  std::optional<DateTimeFormat> cached_;
};

std::shared_ptr<FormatState> bind_format_state(const BindArg& fmt, DateTimeFormat::Dialect d) {
  auto s = std::make_shared<FormatState>();
  s->dialect = d;
  if (fmt.constant && !fmt.constant->is_null() && fmt.constant->type().id() == TypeId::kString)
    s->format = DateTimeFormat::compile(fmt.constant->as_string(), d);
  return s;
}

void strftime_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const auto& state = *static_cast<const FormatState*>(ctx.state);
  FormatCache cache(state);
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (any_null(args, i)) {
      out->append_string({});
      continue;
    }
    scratch.clear();
    cache.get(args[1], i).format(micros_arg(args[0], i), &scratch);
    out->append_string(scratch);
  }
}

template <DateTimeFormat::Dialect kDialect>
BoundScalar bind_strftime(const std::vector<BindArg>& args) {
  const char* name = kDialect == DateTimeFormat::Dialect::kMySql      ? "DATE_FORMAT"
                     : kDialect == DateTimeFormat::Dialect::kPostgres ? "TO_CHAR"
                                                                      : "STRFTIME";
  fn::check_arity(name, args, 2, 2, "DATE|TIMESTAMP, format STRING");
  BoundScalar b = fn::bound(DataType::string(), {temporal_type(args[0].type), DataType::string()},
                            &strftime_kernel);
  b.state = bind_format_state(args[1], kDialect);
  return b;
}

void strptime_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const auto& state = *static_cast<const FormatState*>(ctx.state);
  FormatCache cache(state);
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    v[i] = 0;
    if (any_null(args, i)) continue;
    const DateTimeFormat& f = cache.get(args[1], i);
    std::string_view text = str_arg(args[0], i);
    if (f.parse(text, &v[i])) continue;
    if (!state.try_parse) throw_user_error("could not parse '{}' with format '{}'", text, f.text());
    out->set_null(i);
  }
}

template <bool kTry>
BoundScalar bind_strptime(const std::vector<BindArg>& args) {
  fn::check_arity(kTry ? "TRY_STRPTIME" : "STRPTIME", args, 2, 2, "STRING, format STRING");
  BoundScalar b =
      fn::bound(DataType::timestamp(), {DataType::string(), DataType::string()}, &strptime_kernel);
  auto state = bind_format_state(args[1], DateTimeFormat::Dialect::kStrftime);
  state->try_parse = kTry;
  b.state = std::move(state);
  return b;
}

// ---- current time ---------------------------------------------------------------------------

void now_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int64_t now = now_micros();
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) v[i] = now;
}

void today_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int32_t today = temporal::days_of(now_micros());
  int32_t* v = fn::fixed_output<int32_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) v[i] = today;
}

std::function<BoundScalar(const std::vector<BindArg>&)> clock(const char* name, DataType ret,
                                                              ScalarKernel kernel) {
  return [=](const std::vector<BindArg>& args) {
    fn::check_arity(name, args, 0, 0, "");
    BoundScalar b = fn::bound(ret, {}, kernel);
    b.deterministic = false;
    return b;
  };
}

std::function<BoundScalar(const std::vector<BindArg>&)> unary_temporal(const char* name,
                                                                       DataType ret,
                                                                       ScalarKernel kernel) {
  return [=](const std::vector<BindArg>& args) {
    fn::check_arity(name, args, 1, 1, "DATE|TIMESTAMP");
    return fn::bound(ret, {temporal_type(args[0].type)}, kernel);
  };
}

}  // namespace

void register_datetime_functions(FunctionRegistry& r) {
  using fn::add_function;
  add_function(r, "DATE_PART", &bind_date_part,
               "a part (year, month, dow, epoch, ...) of a date, timestamp or interval",
               {"EXTRACT", "DATEPART"});
  struct Named {
    const char* name;
    Part part;
    const char* description;
    std::initializer_list<const char*> aliases;
  };
  const Named kNamed[] = {
      {"YEAR", Part::kYear, "the year", {}},
      {"QUARTER", Part::kQuarter, "the quarter (1-4)", {}},
      {"MONTH", Part::kMonth, "the month (1-12)", {}},
      {"WEEK", Part::kWeek, "the ISO week (1-53)", {"WEEKOFYEAR"}},
      {"DAY", Part::kDay, "the day of the month", {"DAYOFMONTH"}},
      {"DAYOFWEEK", Part::kDayOfWeek, "the day of the week (0 = Sunday)", {"WEEKDAY", "DOW"}},
      {"ISODOW", Part::kIsoDayOfWeek, "the ISO day of the week (1 = Monday)", {}},
      {"DAYOFYEAR", Part::kDayOfYear, "the day of the year (1-366)", {"DOY"}},
      {"HOUR", Part::kHour, "the hour (0-23)", {}},
      {"MINUTE", Part::kMinute, "the minute (0-59)", {}},
      {"SECOND", Part::kSecond, "the second (0-59)", {}},
      {"MILLISECOND", Part::kMillisecond, "seconds * 1000 + milliseconds", {}},
      {"MICROSECOND", Part::kMicrosecond, "seconds * 1000000 + microseconds", {}},
      {"DECADE", Part::kDecade, "the year / 10", {}},
      {"CENTURY", Part::kCentury, "the century", {}},
      {"MILLENNIUM", Part::kMillennium, "the millennium", {}},
      {"ISOYEAR", Part::kIsoYear, "the ISO-8601 week-numbering year", {}},
      {"YEARWEEK", Part::kYearWeek, "ISO year * 100 + ISO week", {}},
      {"ERA", Part::kEra, "1 for AD, 0 for BC", {}},
      {"JULIAN", Part::kJulian, "the Julian day number", {}},
  };
  for (const Named& n : kNamed)
    add_function(r, n.name, fixed_part(n.name, n.part), n.description, n.aliases);
  add_function(r, "DAYNAME", unary_temporal("DAYNAME", DataType::string(), &name_kernel<true>),
               "English name of the weekday");
  add_function(r, "MONTHNAME", unary_temporal("MONTHNAME", DataType::string(), &name_kernel<false>),
               "English name of the month");
  add_function(r, "DATE_TRUNC", &bind_date_trunc,
               "truncates a date or timestamp to a unit (year, month, week, hour, ...)",
               {"DATETRUNC"});
  add_function(r, "DATE_DIFF", &bind_date_diff,
               "number of unit boundaries between two dates or timestamps", {"DATEDIFF"});
  add_function(r, "DATE_ADD", &bind_date_add<1>,
               "adds an interval to a date or timestamp (or days to a date)");
  add_function(r, "DATE_SUB", &bind_date_add<-1>,
               "subtracts an interval from a date or timestamp (or days from a date)");
  add_function(
      r, "MAKE_DATE",
      [](const std::vector<BindArg>& args) {
        fn::check_arity("MAKE_DATE", args, 3, 3, "year, month, day INT64");
        return fn::bound(DataType::date(),
                         {fn::integer_type(args[0].type), fn::integer_type(args[1].type),
                          fn::integer_type(args[2].type)},
                         &make_date_kernel);
      },
      "the date of a year, month and day");
  add_function(r, "MAKE_TIMESTAMP", &bind_make_timestamp,
               "the timestamp of year, month, day, hour, minute, second (or of epoch micros)");
  add_function(r, "LAST_DAY", unary_temporal("LAST_DAY", DataType::date(), &last_day_kernel),
               "the last day of the month");
  add_function(r, "EPOCH", unary_temporal("EPOCH", DataType::float64(), &epoch_kernel),
               "seconds since 1970-01-01 as DOUBLE");
  add_function(r, "EPOCH_MS", &bind_epoch_ms,
               "milliseconds since the epoch of a timestamp, or the timestamp of epoch ms");
  add_function(r, "EPOCH_US", unary_temporal("EPOCH_US", DataType::int64(), &epoch_int_kernel<1>),
               "microseconds since the epoch");
  add_function(r, "EPOCH_NS",
               unary_temporal("EPOCH_NS", DataType::int64(), &epoch_int_kernel<-1000>),
               "nanoseconds since the epoch");
  add_function(r, "TO_TIMESTAMP", &bind_to_timestamp, "the timestamp of seconds since the epoch",
               {"FROM_UNIXTIME"});
  add_function(
      r, "UNIX_TIMESTAMP",
      [](const std::vector<BindArg>& args) {
        fn::check_arity("UNIX_TIMESTAMP", args, 0, 1, "[TIMESTAMP]");
        if (args.empty()) {
          BoundScalar b = fn::bound(DataType::int64(), {}, &unix_timestamp_kernel);
          b.deterministic = false;
          return b;
        }
        return fn::bound(DataType::int64(), {temporal_type(args[0].type)}, &unix_timestamp_kernel);
      },
      "whole seconds since the epoch (of now, without argument)");
  add_function(r, "STRFTIME", &bind_strftime<DateTimeFormat::Dialect::kStrftime>,
               "formats a timestamp with strftime specifiers (%Y-%m-%d %H:%M:%S)");
  add_function(r, "DATE_FORMAT", &bind_strftime<DateTimeFormat::Dialect::kMySql>,
               "formats a timestamp with MySQL specifiers (%Y-%m-%d %H:%i:%s)");
  add_function(r, "TO_CHAR", &bind_strftime<DateTimeFormat::Dialect::kPostgres>,
               "formats a timestamp with PostgreSQL patterns (YYYY-MM-DD HH24:MI:SS)");
  add_function(r, "STRPTIME", &bind_strptime<false>,
               "parses a timestamp with strftime specifiers; fails on mismatch");
  add_function(r, "TRY_STRPTIME", &bind_strptime<true>,
               "parses a timestamp with strftime specifiers; NULL on mismatch");
  add_function(r, "CURRENT_TIMESTAMP",
               clock("CURRENT_TIMESTAMP", DataType::timestamp(), &now_kernel),
               "the current time (UTC)",
               {"NOW", "GET_CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "TRANSACTION_TIMESTAMP"});
  add_function(r, "CURRENT_DATE", clock("CURRENT_DATE", DataType::date(), &today_kernel),
               "the current date (UTC)", {"TODAY"});
  add_function(r, "CURRENT_TIME",
               [](const std::vector<BindArg>&) -> BoundScalar {
                 throw_not_supported("the TIME type (CURRENT_TIME); use CURRENT_TIMESTAMP");
               },
               "not supported yet: the TIME type", {"LOCALTIME"});
}

}  // namespace velo
