// CAST / TRY_CAST kernels over whole columns: parsing, formatting (identical to
// Value::to_string), numeric range checks and rounding, NULL handling, bind-time errors.
#include "velo/exec/function/cast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "velo/exec/evaluator.h"
#include "velo/types/error.h"

namespace velo {
namespace {

ColumnPtr column_of(const DataType& t, const std::vector<Value>& values) {
  auto c = Column::make(t);
  for (const auto& v : values) c->append_value(v);
  return c;
}

// Casts a column through the bound expression and the evaluator; each row as display text.
std::vector<std::string> cast_rows(const DataType& from, const std::vector<Value>& values,
                                   const DataType& to, bool try_cast = false) {
  Batch b;
  b.columns = {column_of(from, values)};
  b.num_rows = values.size();
  BoundExprPtr e = bind_cast_expr(BoundExpr::column_ref(0, from, "x"), to, try_cast);
  EXPECT_EQ(e->type, to);
  Evaluator ev;
  ColumnPtr out = ev.evaluate(*e, b);
  std::vector<std::string> rows;
  for (size_t i = 0; i < out->size(); ++i) rows.push_back(out->value_at(i).to_string());
  return rows;
}

std::string cast_error(const DataType& from, const std::vector<Value>& values, const DataType& to) {
  try {
    cast_rows(from, values, to);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser);
    return e.message();
  }
  return "";
}

using V = std::vector<Value>;
using S = std::vector<std::string>;

TEST(CastTest, StringToIntegersTrimsRoundsAndRangeChecks) {
  const DataType s = DataType::string();
  EXPECT_EQ(cast_rows(s,
                      V{Value::string("1"), Value::string(" 22 "), Value::string("+7"),
                        Value::string("2.5"), Value::string("-2.5"), Value::string("1e2"),
                        Value::string("0x1F"), Value::null(s)},
                      DataType::int32()),
            (S{"1", "22", "7", "3", "-3", "100", "31", "NULL"}));
  EXPECT_EQ(
      cast_rows(s, V{Value::string("-9223372036854775808"), Value::string("9223372036854775807")},
                DataType::int64()),
      (S{"-9223372036854775808", "9223372036854775807"}));
  EXPECT_EQ(cast_error(s, V{Value::string("1"), Value::string("abc")}, DataType::int32()),
            "could not cast 'abc' to INT32");
  EXPECT_EQ(cast_error(s, V{Value::string("2147483648")}, DataType::int32()),
            "could not cast '2147483648' to INT32");
  EXPECT_EQ(cast_error(s, V{Value::string("")}, DataType::int64()), "could not cast '' to INT64");
  EXPECT_EQ(cast_rows(s, V{Value::string("x"), Value::string("5"), Value::null(s)},
                      DataType::int32(), true),
            (S{"NULL", "5", "NULL"}));
}

TEST(CastTest, NullRowsNeverFail) {
  // A NULL row's slot holds an empty string: it must not raise "could not cast ''".
  const DataType s = DataType::string();
  EXPECT_EQ(cast_rows(s, V{Value::null(s), Value::string("4")}, DataType::int32()),
            (S{"NULL", "4"}));
  // A NULL DOUBLE slot holding a value out of INT32 range.
  auto c = Column::make(DataType::float64());
  c->append<double>(1e300);
  c->append<double>(2.0);
  c->set_null(0);
  Batch b;
  b.columns = {c};
  b.num_rows = 2;
  Evaluator ev;
  ColumnPtr out = ev.evaluate(
      *bind_cast_expr(BoundExpr::column_ref(0, DataType::float64(), "x"), DataType::int32()), b);
  EXPECT_TRUE(out->is_null(0));
  EXPECT_EQ(out->value<int32_t>(1), 2);
}

TEST(CastTest, DoubleToIntegerRoundsHalfToEvenLikeDuckDB) {
  const DataType d = DataType::float64();
  EXPECT_EQ(cast_rows(d,
                      V{Value::float64(2.5), Value::float64(3.5), Value::float64(-2.5),
                        Value::float64(2.7), Value::float64(-0.4)},
                      DataType::int64()),
            (S{"2", "4", "-2", "3", "0"}));
  EXPECT_NE(cast_error(d, V{Value::float64(3e9)}, DataType::int32()), "");
  EXPECT_NE(cast_error(d, V{Value::float64(std::nan(""))}, DataType::int64()), "");
  EXPECT_NE(cast_error(d, V{Value::float64(9.3e18)}, DataType::int64()), "");
  EXPECT_EQ(cast_rows(d, V{Value::float64(-9.2e18)}, DataType::int64()),
            (S{"-9200000000000000000"}));
}

TEST(CastTest, DecimalConversionsRoundHalfAwayFromZero) {
  const DataType d103 = DataType::decimal(10, 3);
  EXPECT_EQ(cast_rows(d103,
                      V{Value::decimal(1250, 10, 3), Value::decimal(-1250, 10, 3),
                        Value::decimal(1249, 10, 3)},
                      DataType::decimal(10, 1)),
            (S{"1.3", "-1.3", "1.2"}));
  EXPECT_EQ(cast_rows(d103, V{Value::decimal(2500, 10, 3), Value::decimal(-2500, 10, 3)},
                      DataType::int32()),
            (S{"3", "-3"}));
  EXPECT_EQ(cast_rows(d103, V{Value::decimal(1500, 10, 3)}, DataType::decimal(20, 6)),
            (S{"1.500000"}));
  EXPECT_EQ(cast_error(d103, V{Value::decimal(123450, 10, 3)}, DataType::decimal(3, 1)),
            "could not cast 123.450 to DECIMAL(3,1)");
  EXPECT_EQ(
      cast_rows(DataType::int32(), V{Value::int32(5), Value::int32(-7)}, DataType::decimal(5, 2)),
      (S{"5.00", "-7.00"}));
  EXPECT_NE(cast_error(DataType::int32(), V{Value::int32(1000)}, DataType::decimal(5, 2)), "");
  // DOUBLE -> DECIMAL scales in double then rounds, as DuckDB: 0.285 is 0.28499999...
  EXPECT_EQ(cast_rows(DataType::float64(),
                      V{Value::float64(0.285), Value::float64(2.675), Value::float64(-0.125)},
                      DataType::decimal(10, 2)),
            (S{"0.28", "2.68", "-0.13"}));
  EXPECT_EQ(cast_rows(d103, V{Value::decimal(1250, 10, 3)}, DataType::float64()), (S{"1.25"}));
  EXPECT_EQ(cast_rows(DataType::string(), V{Value::string(" -12.345 "), Value::string("1e3")},
                      DataType::decimal(10, 2)),
            (S{"-12.35", "1000.00"}));
}

TEST(CastTest, TextOfEveryScalarTypeMatchesValueToString) {
  std::vector<Value> values = {
      Value::boolean(true),
      Value::boolean(false),
      Value::int32(std::numeric_limits<int32_t>::min()),
      Value::int64(std::numeric_limits<int64_t>::max()),
      Value::float64(0.1),
      Value::float64(100),
      Value::float64(-0.0),
      Value::float64(1e20),
      Value::float64(1.5e-7),
      Value::float64(123456789.125),
      Value::float64(1e15),
      Value::float64(std::nan("")),
      Value::float64(-INFINITY),
      Value::decimal(-5, 10, 2),
      Value::decimal(12345, 10, 0),
      Value::decimal(static_cast<int128_t>(1) << 100, 38, 10),
      Value::date(0),
      Value::date(-800000),
      Value::date(19782),
      Value::timestamp(1706745600123456),
      Value::timestamp(-1),
      Value::timestamp(1706745600000000),
      Value::interval(Interval{14, 3, 3723000001}),
      Value::interval(Interval{-1, -1, -1000000}),
      Value::interval(Interval{}),
  };
  for (const Value& v : values) {
    SCOPED_TRACE(v.type().to_string() + " " + v.to_string());
    EXPECT_EQ(cast_rows(v.type(), {v}, DataType::string()), (S{v.to_string()}));
    EXPECT_EQ(cast_value(v, DataType::string()).as_string(), v.to_string());
  }
}

TEST(CastTest, TextRoundTripsThroughEveryParsedType) {
  struct Case {
    DataType type;
    std::string text;
  };
  std::vector<Case> cases = {
      {DataType::boolean(), "true"},
      {DataType::int32(), "-2147483648"},
      {DataType::int64(), "42"},
      {DataType::float64(), "0.25"},
      {DataType::float64(), "1e+300"},
      {DataType::float64(), "Infinity"},
      {DataType::decimal(12, 4), "-3.1416"},
      {DataType::date(), "2024-02-29"},
      {DataType::timestamp(), "2024-02-29 23:59:59.5"},
      {DataType::interval(), "1 day 02:00:00"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.type.to_string() + " " + c.text);
    Value parsed = cast_value(Value::string(c.text), c.type);
    EXPECT_EQ(parsed.type(), c.type);
    EXPECT_EQ(parsed.to_string(), c.text);
  }
}

TEST(CastTest, BooleansDatesTimestamps) {
  const DataType s = DataType::string();
  EXPECT_EQ(cast_rows(s,
                      V{Value::string("TRUE"), Value::string(" f "), Value::string("yes"),
                        Value::string("no"), Value::string("1"), Value::string("0")},
                      DataType::boolean()),
            (S{"true", "false", "true", "false", "true", "false"}));
  EXPECT_EQ(cast_error(s, V{Value::string("maybe")}, DataType::boolean()),
            "could not cast 'maybe' to BOOLEAN");
  EXPECT_EQ(cast_rows(DataType::int64(), V{Value::int64(0), Value::int64(-3)}, DataType::boolean()),
            (S{"false", "true"}));
  EXPECT_EQ(cast_rows(DataType::boolean(), V{Value::boolean(true)}, DataType::decimal(3, 1)),
            (S{"1.0"}));
  EXPECT_EQ(cast_rows(s, V{Value::string("2024-01-01 10:00:00"), Value::string("2024-03-01")},
                      DataType::date()),
            (S{"2024-01-01", "2024-03-01"}));
  EXPECT_EQ(cast_rows(DataType::date(), V{Value::date(-1)}, DataType::timestamp()),
            (S{"1969-12-31 00:00:00"}));
  EXPECT_EQ(cast_rows(DataType::timestamp(), V{Value::timestamp(-1)}, DataType::date()),
            (S{"1969-12-31"}));
  EXPECT_EQ(cast_rows(s, V{Value::string("2023-02-29"), Value::string("2024-02-29")},
                      DataType::date(), true),
            (S{"NULL", "2024-02-29"}));
}

TEST(CastTest, BytesNestedAndNull) {
  EXPECT_EQ(cast_value(Value::string("ab\x01"), DataType::bytes()).as_string(), "ab\x01");
  EXPECT_EQ(cast_value(Value::bytes("hi"), DataType::string()).as_string(), "hi");
  DataType list64 = DataType::list_of(DataType::int64());
  Value list =
      Value::nested(DataType::list_of(DataType::int32()), {Value::int32(1), Value::int32(2)});
  EXPECT_EQ(cast_value(list, DataType::string()).as_string(), "[1,2]");
  Value widened = cast_value(list, list64);
  EXPECT_EQ(widened.type(), list64);
  EXPECT_EQ(widened.children()[1].type(), DataType::int64());
  EXPECT_EQ(cast_rows(DataType::list_of(DataType::int32()), V{list}, list64), (S{"[1,2]"}));
  DataType st =
      DataType::struct_of({Field{"a", DataType::int32()}, Field{"b", DataType::string()}});
  Value sv = Value::nested(st, {Value::int32(1), Value::string("x")});
  EXPECT_EQ(cast_rows(st, V{sv, Value::null(st)}, DataType::string()),
            (S{"{\"a\":1,\"b\":\"x\"}", "NULL"}));
  // A NULL-typed expression casts to anything as NULLs.
  EXPECT_EQ(cast_rows(DataType::null(), V{Value(), Value()}, DataType::int32()),
            (S{"NULL", "NULL"}));
  EXPECT_TRUE(cast_value(Value::null(DataType::string()), DataType::date()).is_null());
}

TEST(CastTest, UnsupportedPairsFailAtBindTime) {
  try {
    bind_cast(DataType::list_of(DataType::int64()), DataType::date(), false);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "cannot cast LIST<INT64> to DATE");
  }
  EXPECT_FALSE(can_cast(DataType::date(), DataType::int32()));
  EXPECT_FALSE(can_cast(DataType::interval(), DataType::float64()));
  EXPECT_FALSE(can_cast(DataType::bytes(), DataType::int32()));
  EXPECT_FALSE(can_cast(DataType::string(), DataType::list_of(DataType::int32())));
  EXPECT_TRUE(can_cast(DataType::string(), DataType::interval()));
  EXPECT_TRUE(
      can_cast(DataType::map_of(DataType::string(), DataType::int32()), DataType::string()));
}

TEST(CastTest, TextParsersHandleEdgeCases) {
  int64_t i = 0;
  EXPECT_TRUE(parse_int64_text("9223372036854775807", &i));
  EXPECT_FALSE(parse_int64_text("9223372036854775808", &i));
  EXPECT_FALSE(parse_int64_text("+-1", &i));
  EXPECT_FALSE(parse_int64_text("1 2", &i));
  EXPECT_TRUE(parse_int64_text("-0x10", &i));
  EXPECT_EQ(i, -16);
  double d = 0;
  EXPECT_TRUE(parse_double_text(" 1e400 ", &d));
  EXPECT_TRUE(std::isinf(d));
  EXPECT_TRUE(parse_double_text("-infinity", &d));
  EXPECT_TRUE(std::isinf(d) && d < 0);
  EXPECT_FALSE(parse_double_text("1.5x", &d));
  EXPECT_FALSE(parse_double_text("", &d));
  bool b = false;
  EXPECT_TRUE(parse_boolean_text("Y", &b));
  EXPECT_TRUE(b);
  EXPECT_FALSE(parse_boolean_text("on", &b));
}

TEST(CastTest, LongColumnKeepsRowsAligned) {
  // Many rows, some NULL, through a string round trip.
  auto c = Column::make(DataType::int64());
  for (int64_t k = 0; k < 5000; ++k) {
    if (k % 7 == 0)
      c->append_null();
    else
      c->append<int64_t>(k * 1000003 - 2500000000LL);
  }
  Batch b;
  b.columns = {c};
  b.num_rows = 5000;
  BoundExprPtr e = bind_cast_expr(
      bind_cast_expr(BoundExpr::column_ref(0, DataType::int64(), "x"), DataType::string()),
      DataType::int64());
  Evaluator ev;
  ColumnPtr out = ev.evaluate(*e, b);
  ASSERT_EQ(out->size(), 5000u);
  for (size_t k = 0; k < 5000; ++k) {
    ASSERT_EQ(out->is_null(k), k % 7 == 0);
    if (!out->is_null(k)) {
      ASSERT_EQ(out->value<int64_t>(k), c->value<int64_t>(k));
    }
  }
}

}  // namespace
}  // namespace velo
