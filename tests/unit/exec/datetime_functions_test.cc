// Date/time functions: parts, truncation, DATE_DIFF boundaries, formats (compiled once and per
// row), epoch conversions, including timestamps before 1970.
#include <gtest/gtest.h>

#include "velo/batch/batch.h"
#include "velo/exec/evaluator.h"
#include "velo/exec/expression.h"
#include "velo/exec/function/datetime_format.h"
#include "velo/exec/function/datetime_parts.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo {
namespace {

using Rows = std::vector<std::string>;

int64_t ts(const char* text) {
  int64_t v = 0;
  EXPECT_TRUE(temporal::parse_timestamp(text, &v)) << text;
  return v;
}
int32_t date(const char* text) {
  int32_t v = 0;
  EXPECT_TRUE(temporal::parse_date(text, &v)) << text;
  return v;
}

ColumnPtr timestamps(std::vector<const char*> v) {
  auto c = Column::make(DataType::timestamp());
  for (const char* s : v) {
    if (s)
      c->append<int64_t>(ts(s));
    else
      c->append_null();
  }
  return c;
}

ColumnPtr dates(std::vector<const char*> v) {
  auto c = Column::make(DataType::date());
  for (const char* s : v) c->append<int32_t>(date(s));
  return c;
}

ColumnPtr strings(std::vector<const char*> v) {
  auto c = Column::make(DataType::string());
  for (const char* s : v) c->append_string(s);
  return c;
}

// name(constants..., columns...) over the columns' rows, as text.
Rows eval(const std::string& name, std::vector<Value> leading, std::vector<ColumnPtr> cols,
          std::vector<Value> trailing = {}) {
  Batch b;
  b.num_rows = cols[0]->size();
  std::vector<BoundExprPtr> args;
  for (auto& v : leading) args.push_back(BoundExpr::literal(v));
  for (size_t i = 0; i < cols.size(); ++i) {
    args.push_back(BoundExpr::column_ref(static_cast<int>(i), cols[i]->type(), "c"));
    b.columns.push_back(cols[i]);
  }
  for (auto& v : trailing) args.push_back(BoundExpr::literal(v));
  BoundExprPtr e = bind_function_call(name, std::move(args));
  Evaluator ev;
  ColumnPtr out = ev.evaluate(*e, b);
  Rows rows;
  for (size_t i = 0; i < out->size(); ++i) rows.push_back(out->value_at(i).to_string());
  return rows;
}

Value S(const char* s) { return Value::string(s); }

TEST(DateTimeParts, CalendarHelpers) {
  EXPECT_EQ(datetime::weekday_sun0(0), 4);  // 1970-01-01 was a Thursday
  EXPECT_EQ(datetime::weekday_sun0(-1), 3);
  EXPECT_EQ(datetime::iso_weekday(date("2024-03-17")), 7);
  EXPECT_EQ(datetime::iso_week(date("2021-01-01")).year, 2020);
  EXPECT_EQ(datetime::iso_week(date("2021-01-01")).week, 53);
  EXPECT_EQ(datetime::iso_week(date("2024-12-30")).year, 2025);
  EXPECT_EQ(datetime::iso_week(date("2024-12-30")).week, 1);
  EXPECT_EQ(datetime::floor_div(-1, 1000), -1);
  EXPECT_EQ(datetime::floor_mod(-1, 1000), 999);
}

TEST(DateTimeFunctions, DatePartOnTimestampsAndDates) {
  auto t = timestamps({"2024-03-15 10:20:30.123456", "1969-12-31 23:59:59.5", nullptr});
  EXPECT_EQ(eval("DATE_PART", {S("year")}, {t}), (Rows{"2024", "1969", "NULL"}));
  EXPECT_EQ(eval("DATE_PART", {S("second")}, {t}), (Rows{"30", "59", "NULL"}));
  EXPECT_EQ(eval("DATE_PART", {S("ms")}, {t}), (Rows{"30123", "59500", "NULL"}));
  EXPECT_EQ(eval("DATE_PART", {S("microsecond")}, {t}), (Rows{"30123456", "59500000", "NULL"}));
  EXPECT_EQ(eval("DATE_PART", {S("epoch")}, {t}), (Rows{"1710498030.123456", "-0.5", "NULL"}));
  EXPECT_EQ(eval("EXTRACT", {S("HOUR")}, {t}), (Rows{"10", "23", "NULL"}));
  auto d = dates({"2024-03-17", "2021-01-01", "0044-03-15"});
  EXPECT_EQ(eval("DATE_PART", {S("dow")}, {d}), (Rows{"0", "5", "2"}));
  EXPECT_EQ(eval("DATE_PART", {S("week")}, {d}), (Rows{"11", "53", "11"}));
  EXPECT_EQ(eval("DATE_PART", {S("doy")}, {d}), (Rows{"77", "1", "75"}));
  EXPECT_EQ(eval("DATE_PART", {S("century")}, {d}), (Rows{"21", "21", "1"}));
  EXPECT_EQ(eval("QUARTER", {}, {d}), (Rows{"1", "1", "1"}));
  EXPECT_EQ(eval("DAYNAME", {}, {d}), (Rows{"Sunday", "Friday", "Tuesday"}));
  EXPECT_EQ(eval("MONTHNAME", {}, {d}), (Rows{"March", "January", "March"}));
}

TEST(DateTimeFunctions, DatePartOnIntervals) {
  auto iv = Column::make(DataType::interval());
  iv->append<Interval>(Interval{14, 3, 25 * 3600 * 1000000LL + 500000});
  EXPECT_EQ(eval("DATE_PART", {S("year")}, {iv}), (Rows{"1"}));
  EXPECT_EQ(eval("DATE_PART", {S("month")}, {iv}), (Rows{"2"}));
  EXPECT_EQ(eval("DATE_PART", {S("hour")}, {iv}), (Rows{"25"}));
  EXPECT_EQ(eval("DATE_PART", {S("millisecond")}, {iv}), (Rows{"500"}));
  EXPECT_THROW(eval("DATE_PART", {S("dow")}, {iv}), Error);
}

TEST(DateTimeFunctions, UnknownOrNonConstantPartIsAnError) {
  auto d = dates({"2024-03-17"});
  EXPECT_THROW(eval("DATE_PART", {S("bogus")}, {d}), Error);
  EXPECT_THROW(eval("DATE_PART", {}, {strings({"year"}), d}), Error);
  EXPECT_THROW(eval("DATE_TRUNC", {S("dow")}, {d}), Error);
}

TEST(DateTimeFunctions, DateTrunc) {
  auto t = timestamps({"2024-03-15 10:20:30.5", "1969-12-31 23:59:30.25"});
  EXPECT_EQ(eval("DATE_TRUNC", {S("minute")}, {t}),
            (Rows{"2024-03-15 10:20:00", "1969-12-31 23:59:00"}));
  EXPECT_EQ(eval("DATE_TRUNC", {S("second")}, {t}),
            (Rows{"2024-03-15 10:20:30", "1969-12-31 23:59:30"}));
  EXPECT_EQ(eval("DATE_TRUNC", {S("week")}, {t}),
            (Rows{"2024-03-11 00:00:00", "1969-12-29 00:00:00"}));
  EXPECT_EQ(eval("DATE_TRUNC", {S("quarter")}, {t}),
            (Rows{"2024-01-01 00:00:00", "1969-10-01 00:00:00"}));
  EXPECT_EQ(eval("DATE_TRUNC", {S("month")}, {dates({"2024-02-29"})}),
            (Rows{"2024-02-01 00:00:00"}));
}

TEST(DateTimeFunctions, DateDiffCountsBoundaries) {
  auto a = timestamps({"2024-01-01 23:59:00", "1969-12-31 23:59:59.5", "2024-01-31 10:00:00"});
  auto b = timestamps({"2024-01-02 00:01:00", "1970-01-01 00:00:00.5", "2024-02-01 09:00:00"});
  EXPECT_EQ(eval("DATE_DIFF", {S("hour")}, {a, b}), (Rows{"1", "1", "23"}));
  EXPECT_EQ(eval("DATE_DIFF", {S("day")}, {a, b}), (Rows{"1", "1", "1"}));
  EXPECT_EQ(eval("DATE_DIFF", {S("second")}, {a, b}), (Rows{"120", "1", "82800"}));
  EXPECT_EQ(eval("DATE_DIFF", {S("month")}, {a, b}), (Rows{"0", "1", "1"}));
  EXPECT_EQ(eval("DATEDIFF", {S("week")},
                 {dates({"2024-01-06", "2024-01-14"}), dates({"2024-01-08", "2024-01-01"})}),
            (Rows{"0", "-1"}));
  // Mixed DATE and TIMESTAMP arguments.
  EXPECT_EQ(
      eval("DATE_DIFF", {S("day")}, {dates({"2024-01-01"}), timestamps({"2024-01-03 05:00:00"})}),
      (Rows{"2"}));
}

TEST(DateTimeFunctions, DateAddAndMakeFunctions) {
  auto iv = Column::make(DataType::interval());
  iv->append<Interval>(Interval{1, 0, 0});
  EXPECT_EQ(eval("DATE_ADD", {}, {dates({"2024-01-31"}), iv}), (Rows{"2024-02-29 00:00:00"}));
  EXPECT_EQ(eval("DATE_SUB", {}, {timestamps({"2024-03-31 10:00:00"}), iv}),
            (Rows{"2024-02-29 10:00:00"}));
  EXPECT_EQ(eval("DATE_ADD", {}, {dates({"2024-01-31"})}, {Value::int32(5)}), (Rows{"2024-02-05"}));
  auto y = Column::make(DataType::int64());
  y->append<int64_t>(2024);
  y->append<int64_t>(2023);
  auto m = Column::make(DataType::int32());
  m->append<int32_t>(2);
  m->append<int32_t>(12);
  EXPECT_EQ(eval("MAKE_DATE", {}, {y, m}, {Value::int32(29)}), (Rows{"2024-02-29", "2023-12-29"}));
  EXPECT_THROW(eval("MAKE_DATE", {}, {y, m}, {Value::int32(30)}), Error);
  EXPECT_EQ(eval("MAKE_TIMESTAMP", {}, {y, m},
                 {Value::int32(1), Value::int32(10), Value::int32(20), Value::float64(30.5)}),
            (Rows{"2024-02-01 10:20:30.5", "2023-12-01 10:20:30.5"}));
  EXPECT_EQ(eval("LAST_DAY", {}, {dates({"2024-02-10", "2023-02-10", "2024-12-05"})}),
            (Rows{"2024-02-29", "2023-02-28", "2024-12-31"}));
}

TEST(DateTimeFunctions, EpochConversions) {
  auto t = timestamps({"2024-01-01 00:00:01.5", "1969-12-31 23:59:59.9995"});
  EXPECT_EQ(eval("EPOCH", {}, {t}), (Rows{"1704067201.5", "-0.0005"}));
  EXPECT_EQ(eval("EPOCH_MS", {}, {t}), (Rows{"1704067201500", "0"}));
  EXPECT_EQ(eval("EPOCH_US", {}, {t}), (Rows{"1704067201500000", "-500"}));
  EXPECT_EQ(eval("UNIX_TIMESTAMP", {}, {t}), (Rows{"1704067201", "-1"}));
  auto ms = Column::make(DataType::int64());
  ms->append<int64_t>(1704067201500);
  ms->append<int64_t>(-1);
  EXPECT_EQ(eval("EPOCH_MS", {}, {ms}), (Rows{"2024-01-01 00:00:01.5", "1969-12-31 23:59:59.999"}));
  auto secs = Column::make(DataType::float64());
  secs->append<double>(1704067201.5);
  secs->append<double>(-1.5);
  EXPECT_EQ(eval("TO_TIMESTAMP", {}, {secs}),
            (Rows{"2024-01-01 00:00:01.5", "1969-12-31 23:59:58.5"}));
}

TEST(DateTimeFunctions, StrftimeWithConstantAndPerRowFormats) {
  auto t = timestamps({"2024-03-05 17:08:09.123456", "0044-03-15 00:00:00"});
  EXPECT_EQ(eval("STRFTIME", {}, {t}, {S("%Y-%m-%d %H:%M:%S")}),
            (Rows{"2024-03-05 17:08:09", "0044-03-15 00:00:00"}));
  EXPECT_EQ(eval("STRFTIME", {}, {t}, {S("%a %b %-d %I%p %f %j")}),
            (Rows{"Tue Mar 5 05PM 123456 065", "Tue Mar 15 12AM 000000 075"}));
  EXPECT_EQ(eval("STRFTIME", {}, {t, strings({"%Y", "%d/%m"})}), (Rows{"2024", "15/03"}));
  EXPECT_EQ(eval("DATE_FORMAT", {}, {t}, {S("%Y-%m-%d %H:%i:%s %W %D")}),
            (Rows{"2024-03-05 17:08:09 Tuesday 5th", "0044-03-15 00:00:00 Tuesday 15th"}));
  EXPECT_THROW(eval("STRFTIME", {}, {t}, {S("%Q")}), Error);
}

TEST(DateTimeFunctions, Strptime) {
  auto s = strings({"2024-03-05 07:08:09", "2024-3-5 7:08:09", "1969-12-31 23:59:59"});
  EXPECT_EQ(eval("STRPTIME", {}, {s}, {S("%Y-%m-%d %H:%M:%S")}),
            (Rows{"2024-03-05 07:08:09", "2024-03-05 07:08:09", "1969-12-31 23:59:59"}));
  EXPECT_EQ(eval("TRY_STRPTIME", {}, {strings({"2024-02-30", "x", "2024-02-29"})}, {S("%Y-%m-%d")}),
            (Rows{"NULL", "NULL", "2024-02-29 00:00:00"}));
  EXPECT_THROW(eval("STRPTIME", {}, {strings({"2024-03-05x"})}, {S("%Y-%m-%d")}), Error);
}

TEST(DateTimeFormat, RoundTripsAndZones) {
  auto f = DateTimeFormat::compile("%Y-%m-%dT%H:%M:%S.%f%z", DateTimeFormat::Dialect::kStrftime);
  int64_t v = 0;
  ASSERT_TRUE(f.parse("2024-03-05T07:08:09.25+02:00", &v));
  EXPECT_EQ(v, ts("2024-03-05 05:08:09.25"));
  std::string out;
  f.format(v, &out);
  EXPECT_EQ(out, "2024-03-05T05:08:09.250000+00");
  auto packed = DateTimeFormat::compile("%Y%m%d", DateTimeFormat::Dialect::kStrftime);
  ASSERT_TRUE(packed.parse("20240305", &v));
  EXPECT_EQ(v, ts("2024-03-05"));
  EXPECT_FALSE(packed.parse("2024030", &v));
}

TEST(DateTimeFunctions, CurrentTimeIsNotFoldable) {
  BoundExprPtr e = bind_function_call("NOW", {});
  EXPECT_FALSE(e->foldable());
  Value now = Evaluator::evaluate_constant(*e);
  EXPECT_GT(now.as_int(), ts("2024-01-01 00:00:00"));
  Value today = Evaluator::evaluate_constant(*bind_function_call("CURRENT_DATE", {}));
  EXPECT_EQ(today.type().id(), TypeId::kDate);
  EXPECT_NEAR(today.as_int(), temporal::days_of(now.as_int()), 1);
}

}  // namespace
}  // namespace velo
