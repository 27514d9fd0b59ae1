// Math functions over columns: result types (DuckDB's), exact DECIMAL rounding, domain errors,
// integer helpers, RANDOM.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "expression_test_util.h"
#include "velo/exec/evaluator.h"
#include "velo/types/error.h"

namespace velo {
namespace {

using namespace velo::test;

Table decimals() {
  const DataType d = DataType::decimal(6, 3);
  return Table(
      {column_of(d, V{Value::decimal(2345, 6, 3), Value::decimal(-2500, 6, 3),
                      Value::decimal(99500, 6, 3), Value::null(d), Value::decimal(-1, 6, 3)})});
}

TEST(MathTest, RoundOnDecimalsIsExactAndKeepsDecimal) {
  Table t = decimals();
  BoundExprPtr r0 = call("ROUND", {t.col(0)});
  EXPECT_EQ(r0->type, DataType::decimal(6, 0));
  EXPECT_EQ(t.eval(r0), (S{"2", "-3", "100", "NULL", "0"}));
  BoundExprPtr r2 = call("ROUND", {t.col(0), lit(Value::int32(2))});
  EXPECT_EQ(r2->type, DataType::decimal(6, 2));
  EXPECT_EQ(t.eval(r2), (S{"2.35", "-2.50", "99.50", "NULL", "0.00"}));
  BoundExprPtr rneg = call("ROUND", {t.col(0), lit(Value::int32(-1))});
  EXPECT_EQ(rneg->type, DataType::decimal(6, 0));
  EXPECT_EQ(t.eval(rneg), (S{"0", "0", "100", "NULL", "0"}));
  BoundExprPtr rmore = call("ROUND", {t.col(0), lit(Value::int32(5))});
  EXPECT_EQ(rmore->type, DataType::decimal(6, 3));
  EXPECT_EQ(t.eval(rmore), (S{"2.345", "-2.500", "99.500", "NULL", "-0.001"}));
  EXPECT_EQ(t.eval(call("TRUNC", {t.col(0), lit(Value::int32(1))})),
            (S{"2.3", "-2.5", "99.5", "NULL", "0.0"}));
  EXPECT_EQ(t.eval(call("CEIL", {t.col(0)})), (S{"3", "-2", "100", "NULL", "0"}));
  EXPECT_EQ(t.eval(call("FLOOR", {t.col(0)})), (S{"2", "-3", "99", "NULL", "-1"}));
  EXPECT_EQ(call("FLOOR", {t.col(0)})->type, DataType::decimal(6, 0));
  EXPECT_EQ(t.eval(call("ABS", {t.col(0)})), (S{"2.345", "2.500", "99.500", "NULL", "0.001"}));
  EXPECT_EQ(t.eval(call("SIGN", {t.col(0)})), (S{"1", "-1", "1", "NULL", "-1"}));
}

TEST(MathTest, RoundOnIntegersAndDoubles) {
  const DataType i32 = DataType::int32();
  Table t({column_of(i32, V{Value::int32(15), Value::int32(-15), Value::int32(17)}),
           column_of(DataType::float64(),
                     V{Value::float64(2.5), Value::float64(-2.5), Value::float64(1.2345)}),
           column_of(i32, V{Value::int32(-1), Value::int32(0), Value::int32(2)})});
  EXPECT_EQ(call("ROUND", {t.col(0)})->type, i32);
  EXPECT_EQ(t.eval(call("ROUND", {t.col(0), lit(Value::int32(-1))})), (S{"20", "-20", "20"}));
  EXPECT_EQ(t.eval(call("TRUNC", {t.col(0), lit(Value::int32(-1))})), (S{"10", "-10", "10"}));
  EXPECT_EQ(t.eval(call("ROUND", {t.col(1)})), (S{"3.0", "-3.0", "1.0"}));
  EXPECT_EQ(t.eval(call("ROUND", {t.col(1), t.col(2)})), (S{"0.0", "-3.0", "1.23"}));
  EXPECT_EQ(call("CEIL", {t.col(0)})->type, DataType::float64());  // as DuckDB
  EXPECT_EQ(t.eval(call("CEIL", {t.col(1)})), (S{"3.0", "-2.0", "2.0"}));
  Table big({column_of(i32, V{Value::int32(2147483647)})});
  EXPECT_NE(error_of(big, call("ROUND", {big.col(0), lit(Value::int32(-1))})), "");
}

TEST(MathTest, AbsOverflowAndSign) {
  Table t({column_of(DataType::int64(),
                     V{Value::int64(-3), Value::int64(std::numeric_limits<int64_t>::min())})});
  EXPECT_EQ(error_of(t, call("ABS", {t.col(0)})), "Overflow on abs(-9223372036854775808)");
  Table d({column_of(DataType::float64(),
                     V{Value::float64(-0.5), Value::float64(std::nan("")), Value::float64(0)})});
  EXPECT_EQ(d.eval(call("ABS", {d.col(0)})), (S{"0.5", "NaN", "0.0"}));
  EXPECT_EQ(d.eval(call("SIGN", {d.col(0)})), (S{"-1", "0", "0"}));
}

TEST(MathTest, TranscendentalFunctionsAndDomainErrors) {
  Table t({column_of(DataType::int32(),
                     V{Value::int32(1), Value::int32(100), Value::null(DataType::int32())})});
  EXPECT_EQ(t.eval(call("LOG10", {t.col(0)})), (S{"0.0", "2.0", "NULL"}));
  EXPECT_EQ(t.eval(call("LOG", {t.col(0)})), (S{"0.0", "2.0", "NULL"}));
  EXPECT_EQ(t.eval(call("LOG", {lit(Value::int32(10)), t.col(0)})), (S{"0.0", "2.0", "NULL"}));
  EXPECT_EQ(t.eval(call("SQRT", {t.col(0)})), (S{"1.0", "10.0", "NULL"}));
  EXPECT_EQ(t.eval(call("POWER", {t.col(0), lit(Value::float64(0.5))})),
            (S{"1.0", "10.0", "NULL"}));
  EXPECT_EQ(t.eval(call("POW", {lit(Value::int32(2)), t.col(0)})),
            (S{"2.0", "1.2676506002282294e+30", "NULL"}));
  EXPECT_EQ(t.eval(call("EXP", {call("LN", {t.col(0)})})),
            (S{"1.0", "100.00000000000004", "NULL"}));
  Table bad({column_of(DataType::float64(), V{Value::float64(4), Value::float64(-1)})});
  EXPECT_EQ(error_of(bad, call("SQRT", {bad.col(0)})),
            "cannot take square root of a negative number");
  EXPECT_EQ(error_of(bad, call("LN", {bad.col(0)})), "cannot take logarithm of a negative number");
  EXPECT_EQ(error_of(bad, call("ACOS", {call("*", {bad.col(0), lit(Value::int32(2))})})),
            "ACOS is undefined outside [-1,1]");
  Table zero({column_of(DataType::float64(), V{Value::float64(0)})});
  EXPECT_EQ(error_of(zero, call("LOG2", {zero.col(0)})), "cannot take logarithm of zero");
  // A NULL row whose slot holds -1 does not raise.
  auto c = Column::make(DataType::float64());
  c->append<double>(-1);
  c->append<double>(9);
  c->set_null(0);
  Table n({c});
  EXPECT_EQ(n.eval(call("SQRT", {n.col(0)})), (S{"NULL", "3.0"}));
  EXPECT_EQ(t.eval(call("ISNAN", {t.col(0)})), (S{"false", "false", "NULL"}));
  EXPECT_EQ(bad.eval(call("ISFINITE", {call("/", {bad.col(0), lit(Value::float64(1e-320))})})),
            (S{"false", "false"}));
  EXPECT_EQ(bad.eval(call("DEGREES", {call("ATAN2", {bad.col(0), bad.col(0)})})),
            (S{"45.0", "-135.0"}));
}

TEST(MathTest, IntegerFunctions) {
  const DataType i64 = DataType::int64();
  Table t({column_of(i64, V{Value::int64(12), Value::int64(-4), Value::int64(0),
                            Value::int64(std::numeric_limits<int64_t>::max())}),
           column_of(i64, V{Value::int64(18), Value::int64(6), Value::int64(5), Value::int64(2)})});
  EXPECT_EQ(t.eval(call("GCD", {t.col(0), t.col(1)})), (S{"6", "2", "5", "1"}));
  EXPECT_EQ(error_of(t, call("LCM", {t.col(0), t.col(1)})), "lcm value is out of range");
  Table ok({column_of(i64, V{Value::int64(4), Value::int64(-4), Value::int64(0)})});
  EXPECT_EQ(ok.eval(call("LCM", {ok.col(0), lit(Value::int32(6))})), (S{"12", "12", "0"}));
  EXPECT_EQ(ok.eval(call("MOD", {ok.col(0), lit(Value::int32(3))})), (S{"1", "-1", "0"}));
  Table f({column_of(DataType::int32(), V{Value::int32(0), Value::int32(20), Value::int32(33)})});
  BoundExprPtr fact = call("FACTORIAL", {f.col(0)});
  EXPECT_EQ(fact->type, DataType::decimal(38, 0));
  EXPECT_EQ(f.eval(fact), (S{"1", "2432902008176640000", "8683317618811886495518194401280000000"}));
  Table neg({column_of(DataType::int32(), V{Value::int32(-1)})});
  EXPECT_EQ(error_of(neg, call("FACTORIAL", {neg.col(0)})),
            "factorial of a negative number is undefined");
}

TEST(MathTest, PiAndRandom) {
  BoundExprPtr pi = call("PI", {});
  EXPECT_TRUE(pi->foldable());
  EXPECT_DOUBLE_EQ(Evaluator::evaluate_constant(*pi).as_double(), M_PI);
  BoundExprPtr r = call("RANDOM", {});
  EXPECT_FALSE(r->foldable());
  for (int k = 0; k < 100; ++k) {
    double v = Evaluator::evaluate_constant(*r).as_double();
    EXPECT_GE(v, 0.0);
    EXPECT_LT(v, 1.0);
  }
  EXPECT_THROW(call("PI", {lit(Value::int32(1))}), Error);
  EXPECT_THROW(call("SQRT", {lit(Value::string("x"))}), Error);
}

}  // namespace
}  // namespace velo
