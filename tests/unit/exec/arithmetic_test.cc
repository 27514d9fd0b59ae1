// Arithmetic operators over columns: flat/constant argument combinations, NULLs (including
// garbage behind NULL slots), overflow errors, exact decimals, dates/timestamps/intervals, ||.
#include <gtest/gtest.h>

#include <limits>

#include "expression_test_util.h"
#include "velo/exec/evaluator.h"
#include "velo/types/error.h"

namespace velo {
namespace {

using namespace velo::test;

TEST(ArithmeticTest, IntegersFlatAndConstantArguments) {
  const DataType i32 = DataType::int32();
  Table t(
      {column_of(i32, V{Value::int32(1), Value::int32(-5), Value::null(i32), Value::int32(7)}),
       column_of(i32, V{Value::int32(10), Value::int32(3), Value::int32(2), Value::null(i32)})});
  EXPECT_EQ(t.eval(call("+", {t.col(0), t.col(1)})), (S{"11", "-2", "NULL", "NULL"}));
  EXPECT_EQ(t.eval(call("-", {t.col(0), lit(Value::int32(1))})), (S{"0", "-6", "NULL", "6"}));
  EXPECT_EQ(t.eval(call("-", {lit(Value::int32(1)), t.col(0)})), (S{"0", "6", "NULL", "-6"}));
  EXPECT_EQ(t.eval(call("*", {t.col(0), lit(Value::int64(3))})), (S{"3", "-15", "NULL", "21"}));
  EXPECT_EQ(call("*", {t.col(0), lit(Value::int64(3))})->type, DataType::int64());
  EXPECT_EQ(call("+", {t.col(0), t.col(1)})->type, DataType::int32());
  EXPECT_EQ(t.eval(call("%", {t.col(0), t.col(1)})), (S{"1", "-2", "NULL", "NULL"}));
  EXPECT_EQ(t.eval(call("/", {t.col(0), t.col(1)})),
            (S{"0.1", "-1.6666666666666667", "NULL", "NULL"}));
  EXPECT_EQ(t.eval(call("NEGATE", {t.col(0)})), (S{"-1", "5", "NULL", "-7"}));
}

TEST(ArithmeticTest, OverflowIsAnErrorButNotBehindNulls) {
  const DataType i32 = DataType::int32();
  // Row 1 is NULL but its slot holds INT32_MAX: adding 1 must not raise.
  auto c = Column::make(i32);
  c->append<int32_t>(1);
  c->append<int32_t>(std::numeric_limits<int32_t>::max());
  c->set_null(1);
  Table t({c});
  EXPECT_EQ(t.eval(call("+", {t.col(0), lit(Value::int32(1))})), (S{"2", "NULL"}));
  Table big(
      {column_of(i32, V{Value::int32(1), Value::int32(std::numeric_limits<int32_t>::max())})});
  EXPECT_EQ(error_of(big, call("+", {big.col(0), lit(Value::int32(1))})),
            "integer overflow in addition of INT32 (2147483647 + 1)");
  EXPECT_EQ(error_of(big, call("*", {big.col(0), lit(Value::int32(2))})),
            "integer overflow in multiplication of INT32 (2147483647 * 2)");
  Table small({column_of(DataType::int64(), V{Value::int64(std::numeric_limits<int64_t>::min())})});
  EXPECT_NE(error_of(small, call("NEGATE", {small.col(0)})), "");
  EXPECT_NE(error_of(small, call("-", {small.col(0), lit(Value::int64(1))})), "");
  // MIN % -1 would trap in C++; SQL gives 0.
  EXPECT_EQ(small.eval(call("%", {small.col(0), lit(Value::int64(-1))})), (S{"0"}));
}

// Division follows IEEE (DuckDB): x / 0 is +-Infinity, 0 / 0 NaN; x % 0 is NULL.
TEST(ArithmeticTest, DivisionByZeroIsIeeeAndModuloByZeroIsNull) {
  const DataType i64 = DataType::int64();
  Table t({column_of(i64, V{Value::int64(6), Value::int64(7), Value::int64(8)}),
           column_of(i64, V{Value::int64(0), Value::int64(2), Value::int64(0)})});
  EXPECT_EQ(t.eval(call("/", {t.col(0), t.col(1)})), (S{"Infinity", "3.5", "Infinity"}));
  EXPECT_EQ(t.eval(call("%", {t.col(0), t.col(1)})), (S{"NULL", "1", "NULL"}));
  Table d({column_of(DataType::float64(), V{Value::float64(1.5), Value::float64(-7.5)})});
  EXPECT_EQ(d.eval(call("/", {d.col(0), lit(Value::float64(0))})), (S{"Infinity", "-Infinity"}));
  EXPECT_EQ(d.eval(call("%", {d.col(0), lit(Value::int32(2))})), (S{"1.5", "-1.5"}));
}

TEST(ArithmeticTest, DecimalsAreExactWithDuckDBResultTypes) {
  const DataType d102 = DataType::decimal(10, 2);
  Table t({column_of(d102,
                     V{Value::decimal(10, 10, 2), Value::decimal(-1999, 10, 2), Value::null(d102)}),
           column_of(DataType::decimal(5, 3), V{Value::decimal(200, 5, 3), Value::decimal(5, 5, 3),
                                                Value::decimal(1, 5, 3)})});
  BoundExprPtr add = call("+", {t.col(0), t.col(1)});
  EXPECT_EQ(add->type, DataType::decimal(12, 3));  // max(8, 2) + 3 + 1
  EXPECT_EQ(t.eval(add), (S{"0.300", "-19.985", "NULL"}));
  BoundExprPtr mul = call("*", {t.col(0), t.col(1)});
  EXPECT_EQ(mul->type, DataType::decimal(15, 5));
  EXPECT_EQ(t.eval(mul), (S{"0.02000", "-0.09995", "NULL"}));
  BoundExprPtr with_int = call("-", {t.col(0), lit(Value::int32(1))});
  EXPECT_EQ(with_int->type, DataType::decimal(13, 2));
  EXPECT_EQ(t.eval(with_int), (S{"-0.90", "-20.99", "NULL"}));
  EXPECT_EQ(t.eval(call("%", {t.col(0), lit(Value::decimal(3, 1, 1))})),
            (S{"0.10", "-0.19", "NULL"}));
  EXPECT_EQ(call("/", {t.col(0), t.col(1)})->type, DataType::float64());
  EXPECT_EQ(
      t.eval(call("=", {call("+", {lit(Value::decimal(1, 1, 1)), lit(Value::decimal(2, 1, 1))}),
                        lit(Value::decimal(3, 1, 1))})),
      (S{"true", "true", "true"}));
  // At 38 digits the value itself can overflow.
  int128_t big = decimal::max_for_precision(38);
  Table o({column_of(DataType::decimal(38, 0), V{Value::decimal(big, 38, 0)})});
  std::string err = error_of(o, call("+", {o.col(0), o.col(0)}));
  EXPECT_NE(err.find("decimal overflow"), std::string::npos) << err;
  EXPECT_NE(error_of(o, call("*", {o.col(0), lit(Value::int32(2))})).find("decimal overflow"),
            std::string::npos);
}

TEST(ArithmeticTest, MixedNumericTypesWiden) {
  Table t({column_of(DataType::int32(), V{Value::int32(3)}),
           column_of(DataType::float64(), V{Value::float64(0.5)}),
           column_of(DataType::decimal(4, 2), V{Value::decimal(125, 4, 2)})});
  EXPECT_EQ(call("+", {t.col(0), t.col(1)})->type, DataType::float64());
  EXPECT_EQ(t.eval(call("+", {t.col(0), t.col(1)})), (S{"3.5"}));
  EXPECT_EQ(t.eval(call("*", {t.col(2), t.col(1)})), (S{"0.625"}));
  EXPECT_EQ(t.eval(call("+", {t.col(2), t.col(0)})), (S{"4.25"}));
  EXPECT_THROW(call("+", {t.col(0), lit(Value::boolean(true))}), Error);
  EXPECT_THROW(call("+", {t.col(0), lit(Value::string("1"))}), Error);
}

TEST(ArithmeticTest, DatesTimestampsIntervals) {
  const DataType date = DataType::date(), ts = DataType::timestamp(), iv = DataType::interval();
  int32_t d0 = temporal::days_from_civil(2024, 1, 31);
  int64_t t0 = int64_t{d0} * temporal::kMicrosPerDay + 10 * 3600 * temporal::kMicrosPerSecond;
  Table t({column_of(date, V{Value::date(d0), Value::null(date)}),
           column_of(ts, V{Value::timestamp(t0),
                           Value::timestamp(t0 - 90 * 60 * temporal::kMicrosPerSecond)}),
           column_of(iv, V{Value::interval(Interval{1, 0, 0}),
                           Value::interval(Interval{0, 1, 3600000000})})});
  EXPECT_EQ(t.eval(call("+", {t.col(0), lit(Value::int32(30))})), (S{"2024-03-01", "NULL"}));
  EXPECT_EQ(call("+", {t.col(0), lit(Value::int32(30))})->type, date);
  EXPECT_EQ(t.eval(call("+", {lit(Value::int64(1)), t.col(0)})), (S{"2024-02-01", "NULL"}));
  EXPECT_EQ(t.eval(call("-", {t.col(0), lit(Value::date(d0 - 366))})), (S{"366", "NULL"}));
  EXPECT_EQ(t.eval(call("+", {t.col(0), t.col(2)})), (S{"2024-02-29 00:00:00", "NULL"}));
  EXPECT_EQ(t.eval(call("-", {t.col(1), t.col(2)})),
            (S{"2023-12-31 10:00:00", "2024-01-30 07:30:00"}));
  EXPECT_EQ(t.eval(call("+", {t.col(2), t.col(1)})),
            (S{"2024-02-29 10:00:00", "2024-02-01 09:30:00"}));
  EXPECT_EQ(t.eval(call("-", {t.col(1), lit(Value::timestamp(t0))})), (S{"00:00:00", "-01:30:00"}));
  EXPECT_EQ(t.eval(call("-", {lit(Value::timestamp(t0 + temporal::kMicrosPerDay)), t.col(1)})),
            (S{"1 day", "1 day 01:30:00"}));
  EXPECT_EQ(t.eval(call("*", {t.col(2), lit(Value::int32(3))})),
            (S{"3 months", "3 days 03:00:00"}));
  EXPECT_EQ(t.eval(call("+", {t.col(2), t.col(2)})), (S{"2 months", "2 days 02:00:00"}));
  EXPECT_EQ(t.eval(call("/", {t.col(2), lit(Value::int32(2))})), (S{"15 days", "12:30:00"}));
  EXPECT_EQ(t.eval(call("/", {t.col(2), lit(Value::int32(0))})), (S{"NULL", "NULL"}));
  EXPECT_EQ(t.eval(call("NEGATE", {t.col(2)})), (S{"-1 month", "-1 day -01:00:00"}));
  Table far({column_of(date, V{Value::date(std::numeric_limits<int32_t>::max() - 1)})});
  EXPECT_EQ(error_of(far, call("+", {far.col(0), lit(Value::int32(5))})), "date out of range");
}

TEST(ArithmeticTest, ConcatCastsToTextAndPropagatesNulls) {
  const DataType s = DataType::string();
  Table t({column_of(s, V{Value::string("ab"), Value::null(s), Value::string("")}),
           column_of(DataType::int32(),
                     V{Value::int32(1), Value::int32(2), Value::null(DataType::int32())})});
  EXPECT_EQ(t.eval(call("||", {t.col(0), t.col(1)})), (S{"ab1", "NULL", "NULL"}));
  EXPECT_EQ(t.eval(call("||", {lit(Value::string("<")), t.col(0)})), (S{"<ab", "NULL", "<"}));
  EXPECT_EQ(t.eval(call("||", {t.col(0), lit(Value::decimal(250, 3, 2))})),
            (S{"ab2.50", "NULL", "2.50"}));
  EXPECT_EQ(call("||", {t.col(0), t.col(1)})->type, s);
}

}  // namespace
}  // namespace velo
