// Comparison operators, IN (constant hash set and dynamic lists), LIKE / ILIKE (compiled fast
// paths checked against the general matcher), and the conditional functions NULLIF, GREATEST,
// LEAST, IF.
#include <gtest/gtest.h>

#include <cmath>

#include "expression_test_util.h"
#include "velo/exec/evaluator.h"
#include "velo/exec/function/like_matcher.h"
#include "velo/types/error.h"

namespace velo {
namespace {

using namespace velo::test;

TEST(ComparisonTest, EveryOperatorOnIntegersFlatAndConstant) {
  const DataType i64 = DataType::int64();
  Table t({column_of(i64, V{Value::int64(1), Value::int64(2), Value::int64(3), Value::null(i64)}),
           column_of(DataType::int32(),
                     V{Value::int32(2), Value::int32(2), Value::int32(2), Value::int32(2)})});
  EXPECT_EQ(t.eval(call("=", {t.col(0), t.col(1)})), (S{"false", "true", "false", "NULL"}));
  EXPECT_EQ(t.eval(call("<>", {t.col(0), t.col(1)})), (S{"true", "false", "true", "NULL"}));
  EXPECT_EQ(t.eval(call("<", {t.col(0), lit(Value::int32(2))})),
            (S{"true", "false", "false", "NULL"}));
  EXPECT_EQ(t.eval(call("<=", {lit(Value::int32(2)), t.col(0)})),
            (S{"false", "true", "true", "NULL"}));
  EXPECT_EQ(t.eval(call(">", {t.col(0), lit(Value::decimal(15, 2, 1))})),
            (S{"false", "true", "true", "NULL"}));
  EXPECT_EQ(t.eval(call(">=", {t.col(0), lit(Value::float64(2.0))})),
            (S{"false", "true", "true", "NULL"}));
}

TEST(ComparisonTest, StringsDoublesDatesIntervals) {
  const DataType s = DataType::string();
  Table t({column_of(s, V{Value::string("a"), Value::string("ab"), Value::string(""),
                          Value::string("\xc3\xa9")})});
  EXPECT_EQ(t.eval(call("<", {t.col(0), lit(Value::string("ab"))})),
            (S{"true", "false", "true", "false"}));
  EXPECT_EQ(t.eval(call("=", {t.col(0), lit(Value::string("ab"))})),
            (S{"false", "true", "false", "false"}));

  double nan = std::nan("");
  Table d({column_of(DataType::float64(),
                     V{Value::float64(nan), Value::float64(1e308), Value::float64(-INFINITY)})});
  EXPECT_EQ(d.eval(call("=", {d.col(0), lit(Value::float64(nan))})), (S{"true", "false", "false"}));
  EXPECT_EQ(d.eval(call(">", {d.col(0), lit(Value::float64(INFINITY))})),
            (S{"true", "false", "false"}));
  EXPECT_EQ(d.eval(call("<", {d.col(0), lit(Value::float64(nan))})), (S{"false", "true", "true"}));

  // DATE vs TIMESTAMP and STRING vs TIMESTAMP compare as timestamps.
  int32_t day = temporal::days_from_civil(2024, 3, 1);
  Table ts({column_of(DataType::timestamp(),
                      V{Value::timestamp(int64_t{day} * temporal::kMicrosPerDay),
                        Value::timestamp(int64_t{day} * temporal::kMicrosPerDay - 1)})});
  EXPECT_EQ(ts.eval(call(">=", {ts.col(0), lit(Value::string("2024-03-01"))})),
            (S{"true", "false"}));
  EXPECT_EQ(ts.eval(call("=", {lit(Value::date(day)), ts.col(0)})), (S{"true", "false"}));
  EXPECT_THROW(ts.eval(call("=", {ts.col(0), lit(Value::string("not a time"))})), Error);

  Table iv({column_of(DataType::interval(), V{Value::interval(Interval{1, 0, 0}),
                                              Value::interval(Interval{0, 0, 3600000000})})});
  EXPECT_EQ(iv.eval(call("=", {iv.col(0), lit(Value::interval(Interval{0, 30, 0}))})),
            (S{"true", "false"}));
  EXPECT_EQ(iv.eval(call("<", {iv.col(0), lit(Value::interval(Interval{0, 0, 5400000000}))})),
            (S{"false", "true"}));

  EXPECT_THROW(call("=", {lit(Value::int32(1)), lit(Value::date(0))}), Error);
}

TEST(ComparisonTest, NestedValuesCompareElementWise) {
  DataType lt = DataType::list_of(DataType::int64());
  auto list = [&](std::vector<int64_t> xs) {
    std::vector<Value> kids;
    for (int64_t x : xs) kids.push_back(Value::int64(x));
    return Value::nested(lt, kids);
  };
  Table t({column_of(lt, V{list({1, 2}), list({1}), list({2})})});
  EXPECT_EQ(t.eval(call("=", {t.col(0), lit(list({1, 2}))})), (S{"true", "false", "false"}));
  EXPECT_EQ(t.eval(call("<", {t.col(0), lit(list({1, 2}))})), (S{"false", "true", "false"}));
}

TEST(InTest, ConstantListIsAHashSetWithSqlNullSemantics) {
  const DataType i32 = DataType::int32();
  Table t({column_of(i32, V{Value::int32(1), Value::int32(4), Value::null(i32), Value::int32(3)})});
  BoundExprPtr in =
      call("IN", {t.col(0), lit(Value::int32(1)), lit(Value::int64(3)), lit(Value::int32(5))});
  EXPECT_NE(in->call.state, nullptr);
  EXPECT_EQ(t.eval(in), (S{"true", "false", "NULL", "true"}));
  BoundExprPtr with_null = call("IN", {t.col(0), lit(Value::int32(1)), lit(Value())});
  EXPECT_EQ(t.eval(with_null), (S{"true", "NULL", "NULL", "NULL"}));
  // Common type DECIMAL: 1 = 1.0, and 1.5 matches nothing.
  EXPECT_EQ(
      t.eval(call("IN", {t.col(0), lit(Value::decimal(10, 2, 1)), lit(Value::decimal(15, 2, 1))})),
      (S{"true", "false", "NULL", "false"}));

  const DataType s = DataType::string();
  std::vector<Value> words;
  for (int k = 0; k < 1000; ++k) words.push_back(Value::string("w" + std::to_string(k)));
  Table w({column_of(s, V{Value::string("w999"), Value::string("w1000"), Value::string("")})});
  std::vector<BoundExprPtr> args{w.col(0)};
  for (const auto& v : words) args.push_back(lit(v));
  EXPECT_EQ(w.eval(call("IN", args)), (S{"true", "false", "false"}));

  // Strings in the list cast to the probe's type.
  int32_t day = temporal::days_from_civil(2024, 1, 2);
  Table d({column_of(DataType::date(), V{Value::date(day), Value::date(day + 1)})});
  EXPECT_EQ(d.eval(call("IN", {d.col(0), lit(Value::string("2024-01-02"))})), (S{"true", "false"}));
  Table f({column_of(DataType::float64(), V{Value::float64(std::nan("")), Value::float64(-0.0)})});
  EXPECT_EQ(
      f.eval(call("IN", {f.col(0), lit(Value::float64(std::nan(""))), lit(Value::float64(0.0))})),
      (S{"true", "true"}));
  Table iv({column_of(DataType::interval(), V{Value::interval(Interval{0, 30, 0})})});
  EXPECT_EQ(iv.eval(call("IN", {iv.col(0), lit(Value::interval(Interval{1, 0, 0}))})), (S{"true"}));
}

TEST(InTest, NonConstantListFallsBackToOrSemantics) {
  const DataType i64 = DataType::int64();
  Table t({column_of(i64, V{Value::int64(1), Value::int64(2), Value::int64(3), Value::null(i64)}),
           column_of(i64, V{Value::int64(1), Value::null(i64), Value::int64(7), Value::int64(1)})});
  BoundExprPtr in = call("IN", {t.col(0), t.col(1), lit(Value::int64(3))});
  EXPECT_EQ(in->call.state, nullptr);
  EXPECT_EQ(t.eval(in), (S{"true", "NULL", "true", "NULL"}));
  // A NULL slot whose garbage equals x must not count as a match.
  auto y = Column::make(i64);
  y->append<int64_t>(5);
  y->set_null(0);
  Table g({column_of(i64, V{Value::int64(5)}), y});
  EXPECT_EQ(g.eval(call("IN", {g.col(0), g.col(1)})), (S{"NULL"}));
}

TEST(LikeTest, CompiledShapesAgreeWithTheGeneralMatcher) {
  EXPECT_EQ(LikeMatcher("abc", -1, false).shape(), LikeMatcher::Shape::kExact);
  EXPECT_EQ(LikeMatcher("abc%", -1, false).shape(), LikeMatcher::Shape::kPrefix);
  EXPECT_EQ(LikeMatcher("%abc", -1, false).shape(), LikeMatcher::Shape::kSuffix);
  EXPECT_EQ(LikeMatcher("%abc%", -1, false).shape(), LikeMatcher::Shape::kContains);
  EXPECT_EQ(LikeMatcher("%%", -1, false).shape(), LikeMatcher::Shape::kContains);
  EXPECT_EQ(LikeMatcher("a%b%c", -1, false).shape(), LikeMatcher::Shape::kSegments);
  EXPECT_EQ(LikeMatcher("a_c", -1, false).shape(), LikeMatcher::Shape::kGeneral);
  EXPECT_EQ(LikeMatcher("a\\_c%", '\\', false).shape(), LikeMatcher::Shape::kPrefix);

  const std::vector<std::string> patterns = {
      "",  "%",  "%%", "a",   "abc", "a%",   "%a",    "%a%",   "a%c",     "a%b%c", "%b%b%", "ab%ab",
      "_", "__", "a_", "_b%", "%_",  "a%_c", "%a_a%", "aa%aa", "%aa%aa%", "a!%%",  "!_%",   "%!!"};
  const std::vector<std::string> texts = {"",    "a",     "ab",     "abc",    "aab", "aaaa",
                                          "aXc", "abab",  "ababab", "a%b",    "_x",  "cab",
                                          "!!",  "aaXaa", "aabaa",  "abcabc", "b",   "bb"};
  for (const auto& p : patterns) {
    LikeMatcher m(p, '!', false);
    for (const auto& t : texts) {
      SCOPED_TRACE("'" + t + "' LIKE '" + p + "'");
      EXPECT_EQ(m.matches(t, nullptr), like_matches(t, p, '!'));
    }
  }
  // A few fixed answers for the general matcher itself.
  EXPECT_TRUE(like_matches("abcabc", "a%c%c", -1));
  EXPECT_FALSE(like_matches("abc", "a%b%c%d", -1));
  EXPECT_TRUE(like_matches("", "%", -1));
  EXPECT_FALSE(like_matches("", "_", -1));
  EXPECT_TRUE(like_matches("100%", "100!%", '!'));
  EXPECT_FALSE(like_matches("100x", "100!%", '!'));
  EXPECT_FALSE(like_matches("a_c", "a\\_c", -1));  // no default escape, as DuckDB
}

TEST(LikeTest, UnderscoreIsOneUtf8CharacterAndIlikeFoldsCase) {
  EXPECT_TRUE(
      like_matches("\xc3\xb1"
                   "and\xc3\xba",
                   "_and_", -1));  // ñandú
  EXPECT_FALSE(like_matches("\xc3\xb1", "__", -1));
  EXPECT_TRUE(
      like_matches("a\xe2\x82\xac"
                   "b",
                   "a_b", -1));          // a€b
  LikeMatcher m("\xc3\xa1%", -1, true);  // 'á%'
  std::string scratch;
  EXPECT_TRUE(
      m.matches("\xc3\x81"
                "bc",
                &scratch));  // 'Ábc'
  EXPECT_FALSE(m.matches("abc", &scratch));
  LikeMatcher w("%world", -1, true);
  EXPECT_TRUE(w.matches("Hello WORLD", &scratch));
  std::string folded;
  fold_case("\xd0\x9f\xd0\xa0\xce\x9b\xc4\x80Z", &folded);  // ПРΛĀZ
  EXPECT_EQ(folded, "\xd0\xbf\xd1\x80\xce\xbb\xc4\x81z");
  EXPECT_THROW(like_escape_char("ab"), Error);
}

TEST(LikeTest, KernelsOverColumns) {
  const DataType s = DataType::string();
  Table t({column_of(s, V{Value::string("apple"), Value::string("grape"), Value::null(s),
                          Value::string("APPLE")}),
           column_of(s, V{Value::string("a%"), Value::string("%ape"), Value::string("x"),
                          Value::null(s)})});
  EXPECT_EQ(t.eval(call("LIKE", {t.col(0), lit(Value::string("%pp%"))})),
            (S{"true", "false", "NULL", "false"}));
  EXPECT_EQ(t.eval(call("ILIKE", {t.col(0), lit(Value::string("%pp%"))})),
            (S{"true", "false", "NULL", "true"}));
  EXPECT_EQ(t.eval(call("LIKE", {t.col(0), t.col(1)})), (S{"true", "true", "NULL", "NULL"}));
  EXPECT_EQ(t.eval(call("ILIKE", {t.col(0), t.col(1)})), (S{"true", "true", "NULL", "NULL"}));
  EXPECT_EQ(t.eval(call("LIKE", {t.col(0), lit(Value::string("_rape")), lit(Value::string("\\"))})),
            (S{"false", "true", "NULL", "false"}));
  EXPECT_EQ(t.eval(call("LIKE", {t.col(0), lit(Value::null(s))})),
            (S{"NULL", "NULL", "NULL", "NULL"}));
}

TEST(ConditionalTest, NullifGreatestLeastIf) {
  const DataType i32 = DataType::int32();
  Table t(
      {column_of(i32, V{Value::int32(1), Value::int32(5), Value::null(i32), Value::null(i32)}),
       column_of(i32, V{Value::int32(1), Value::int32(2), Value::int32(3), Value::null(i32)}),
       column_of(DataType::boolean(), V{Value::boolean(true), Value::boolean(false),
                                        Value::null(DataType::boolean()), Value::boolean(true)})});
  EXPECT_EQ(t.eval(call("NULLIF", {t.col(0), t.col(1)})), (S{"NULL", "5", "NULL", "NULL"}));
  EXPECT_EQ(t.eval(call("GREATEST", {t.col(0), t.col(1), lit(Value::int32(2))})),
            (S{"2", "5", "3", "2"}));
  EXPECT_EQ(t.eval(call("LEAST", {t.col(0), t.col(1)})), (S{"1", "2", "3", "NULL"}));
  BoundExprPtr g = call("GREATEST", {t.col(0), lit(Value::decimal(25, 2, 1))});
  EXPECT_EQ(g->type, DataType::decimal(11, 1));
  EXPECT_EQ(t.eval(g), (S{"2.5", "5.0", "2.5", "2.5"}));
  EXPECT_EQ(t.eval(call("IF", {t.col(2), t.col(0), t.col(1)})), (S{"1", "2", "3", "NULL"}));
  EXPECT_EQ(t.eval(call("IIF", {t.col(2), lit(Value::string("y")), lit(Value::string("n"))})),
            (S{"y", "n", "n", "y"}));
  const DataType s = DataType::string();
  Table w({column_of(s, V{Value::string("pear"), Value::null(s)}),
           column_of(s, V{Value::string("apple"), Value::string("fig")})});
  EXPECT_EQ(w.eval(call("GREATEST", {w.col(0), w.col(1)})), (S{"pear", "fig"}));
  EXPECT_EQ(w.eval(call("LEAST", {w.col(0), w.col(1)})), (S{"apple", "fig"}));
  EXPECT_EQ(w.eval(call("NULLIF", {w.col(1), lit(Value::string("fig"))})), (S{"apple", "NULL"}));
  EXPECT_THROW(call("IF", {lit(Value::int32(1)), t.col(0), t.col(1)}), Error);
}

}  // namespace
}  // namespace velo
