#include <gtest/gtest.h>

#include "velo/sql/parser/parser.h"
#include "velo/types/error.h"

namespace velo::sql {
namespace {

std::string text(std::string_view sql) { return parse_expression(sql)->to_string(); }

// Parenthesizes every binary node, to make the tree shape visible in assertions.
std::string shape(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary:
      return "(" + shape(*e.args[0]) + " " + e.op + " " + shape(*e.args[1]) + ")";
    case ExprKind::kUnary:
      return "(" + e.op + " " + shape(*e.args[0]) + ")";
    case ExprKind::kIsNull:
      return "(" + shape(*e.args[0]) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
    case ExprKind::kBetween:
      return "(" + shape(*e.args[0]) + " BETWEEN " + shape(*e.args[1]) + " AND " +
             shape(*e.args[2]) + ")";
    case ExprKind::kLike:
      return "(" + shape(*e.args[0]) + " LIKE " + shape(*e.args[1]) + ")";
    case ExprKind::kIn: {
      std::string s = "(" + shape(*e.args[0]) + " IN";
      for (size_t i = 1; i < e.args.size(); ++i) s += " " + shape(*e.args[i]);
      return s + ")";
    }
    default:
      return e.to_string();
  }
}
std::string shape(std::string_view sql) { return shape(*parse_expression(sql)); }

TEST(ParserExprTest, ArithmeticPrecedence) {
  EXPECT_EQ(shape("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(shape("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(shape("a / b % c"), "((a / b) % c)");
  EXPECT_EQ(shape("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(shape("a || b + c"), "(a || (b + c))");
}

TEST(ParserExprTest, LogicalPrecedence) {
  EXPECT_EQ(shape("a OR b AND c"), "(a OR (b AND c))");
  EXPECT_EQ(shape("NOT a = b AND c"), "((NOT (a = b)) AND c)");
  EXPECT_EQ(shape("a = 1 OR b = 2 AND NOT c"), "((a = 1) OR ((b = 2) AND (NOT c)))");
  EXPECT_EQ(shape("a + 1 > b * 2"), "((a + 1) > (b * 2))");
}

TEST(ParserExprTest, ComparisonOperatorsNormalized) {
  EXPECT_EQ(parse_expression("a == b")->op, "=");
  EXPECT_EQ(parse_expression("a != b")->op, "<>");
  EXPECT_EQ(parse_expression("a <> b")->op, "<>");
  EXPECT_EQ(parse_expression("a <= b")->op, "<=");
  EXPECT_EQ(parse_expression("a >= b")->op, ">=");
}

TEST(ParserExprTest, JsonOperatorsBindTighterThanComparison) {
  EXPECT_EQ(shape("after->>'id' = '5'"), "((after ->> 'id') = '5')");
  EXPECT_EQ(shape("a->'b'->>'c'"), "((a -> 'b') ->> 'c')");
  EXPECT_EQ(shape("a->>'x' || 'y'"), "((a ->> 'x') || 'y')");
}

TEST(ParserExprTest, IsNullAndIsBool) {
  auto e = parse_expression("a + 1 IS NOT NULL");
  EXPECT_EQ(e->kind, ExprKind::kIsNull);
  EXPECT_TRUE(e->negated);
  EXPECT_EQ(shape("a IS NULL AND b IS NOT NULL"), "((a IS NULL) AND (b IS NOT NULL))");
  auto b = parse_expression("flag IS NOT TRUE");
  EXPECT_EQ(b->kind, ExprKind::kIsBool);
  EXPECT_TRUE(b->negated);
  EXPECT_TRUE(b->value.as_bool());
  EXPECT_FALSE(parse_expression("flag IS FALSE")->value.as_bool());
}

TEST(ParserExprTest, InBetweenLike) {
  auto in = parse_expression("x NOT IN (1, 2, 3)");
  EXPECT_EQ(in->kind, ExprKind::kIn);
  EXPECT_TRUE(in->negated);
  EXPECT_EQ(in->args.size(), 4u);
  EXPECT_EQ(shape("a BETWEEN 1 AND 2 AND b"), "((a BETWEEN 1 AND 2) AND b)");
  EXPECT_EQ(shape("a BETWEEN b - 1 AND b + 1"), "(a BETWEEN (b - 1) AND (b + 1))");
  auto nb = parse_expression("a NOT BETWEEN 1 AND 2");
  EXPECT_TRUE(nb->negated);
  auto like = parse_expression("name NOT ILIKE 'a\\%%' ESCAPE '\\'");
  EXPECT_EQ(like->kind, ExprKind::kLike);
  EXPECT_EQ(like->op, "ILIKE");
  EXPECT_TRUE(like->negated);
  EXPECT_EQ(like->args.size(), 3u);
  EXPECT_EQ(parse_expression("a LIKE 'x%'")->op, "LIKE");
}

TEST(ParserExprTest, IntegerLiterals) {
  auto a = parse_expression("42");
  EXPECT_EQ(a->value.type(), DataType::int32());
  EXPECT_EQ(a->value.as_int(), 42);
  auto b = parse_expression("2147483648");
  EXPECT_EQ(b->value.type(), DataType::int64());
  auto c = parse_expression("-2147483648");
  EXPECT_EQ(c->value.type(), DataType::int32());
  EXPECT_EQ(c->value.as_int(), INT32_MIN);
  auto d = parse_expression("-5");
  EXPECT_EQ(d->kind, ExprKind::kLiteral);
  EXPECT_EQ(d->value.as_int(), -5);
  auto huge = parse_expression("123456789012345678901234567890");
  EXPECT_EQ(huge->value.type(), DataType::decimal(30, 0));
}

TEST(ParserExprTest, DecimalLiteralsExactlyAsWritten) {
  EXPECT_EQ(parse_expression("0.1")->value.type(), DataType::decimal(1, 1));
  EXPECT_EQ(parse_expression("100.00")->value.type(), DataType::decimal(5, 2));
  EXPECT_EQ(parse_expression("0.908")->value.type(), DataType::decimal(3, 3));
  EXPECT_EQ(parse_expression("12.5")->value.type(), DataType::decimal(3, 1));
  EXPECT_EQ(parse_expression("12.5")->value.as_decimal(), 125);
  EXPECT_EQ(parse_expression(".5")->value.type(), DataType::decimal(1, 1));
  auto neg = parse_expression("-1.25");
  EXPECT_EQ(neg->value.as_decimal(), -125);
  EXPECT_EQ(neg->to_string(), "-1.25");
}

TEST(ParserExprTest, DoubleLiterals) {
  auto e = parse_expression("1.5e3");
  EXPECT_EQ(e->value.type(), DataType::float64());
  EXPECT_DOUBLE_EQ(e->value.as_double(), 1500.0);
  EXPECT_EQ(parse_expression("2E-2")->value.type(), DataType::float64());
}

TEST(ParserExprTest, StringAndIdentifierQuoting) {
  auto s = parse_expression("'it''s'");
  EXPECT_EQ(s->value.as_string(), "it's");
  auto q = parse_expression("\"My Col\"");
  EXPECT_EQ(q->kind, ExprKind::kColumnRef);
  EXPECT_EQ(q->names[0], "My Col");
  auto b = parse_expression("`dateTime`");
  EXPECT_EQ(b->names[0], "dateTime");
  auto d = parse_expression("'_action = \"D\"'");
  EXPECT_EQ(d->kind, ExprKind::kLiteral);
  EXPECT_EQ(d->value.as_string(), "_action = \"D\"");
}

TEST(ParserExprTest, BooleanNullBytes) {
  EXPECT_TRUE(parse_expression("TRUE")->value.as_bool());
  EXPECT_FALSE(parse_expression("false")->value.as_bool());
  auto n = parse_expression("NULL");
  EXPECT_EQ(n->kind, ExprKind::kLiteral);
  EXPECT_TRUE(n->value.is_null());
  auto x = parse_expression("X'0aFF'");
  EXPECT_EQ(x->value.type(), DataType::bytes());
  EXPECT_EQ(x->value.as_string(), std::string("\x0a\xff", 2));
}

TEST(ParserExprTest, TypedLiterals) {
  auto d = parse_expression("DATE '2024-01-01'");
  EXPECT_EQ(d->value.type(), DataType::date());
  EXPECT_EQ(d->value.as_int(), 19723);
  auto t = parse_expression("TIMESTAMP '2024-01-01 00:00:01'");
  EXPECT_EQ(t->value.type(), DataType::timestamp());
  EXPECT_EQ(t->value.as_int(), 19723LL * 86400 * 1000000 + 1000000);
  EXPECT_THROW(parse_expression("DATE '2024-13-01'"), Error);
}

TEST(ParserExprTest, IntervalLiterals) {
  EXPECT_EQ(parse_expression("INTERVAL '1' HOUR")->value.as_interval().micros, 3600'000'000LL);
  EXPECT_EQ(parse_expression("INTERVAL '1 hour'")->value.as_interval().micros, 3600'000'000LL);
  EXPECT_EQ(parse_expression("INTERVAL '5' MINUTES")->value.as_interval().micros, 300'000'000LL);
  EXPECT_EQ(parse_expression("INTERVAL 2 DAY")->value.as_interval().days, 2);
  EXPECT_EQ(parse_expression("INTERVAL '3' MONTH")->value.as_interval().months, 3);
  EXPECT_EQ(parse_expression("INTERVAL '10' SECOND")->value.as_interval().micros, 10'000'000LL);
  auto dyn = parse_expression("INTERVAL (n * 2) HOUR");
  EXPECT_EQ(dyn->kind, ExprKind::kInterval);
  EXPECT_EQ(dyn->op, "HOUR");
  EXPECT_EQ(shape("ts - INTERVAL '10' SECOND"), "(ts - INTERVAL '00:00:10')");
}

TEST(ParserExprTest, DurationShorthand) {
  EXPECT_EQ(parse_expression("1m")->value.as_interval().micros, 60'000'000LL);
  EXPECT_EQ(parse_expression("30s")->value.as_interval().micros, 30'000'000LL);
  EXPECT_EQ(parse_expression("5h")->value.as_interval().micros, 5 * 3600'000'000LL);
  EXPECT_EQ(parse_expression("1d")->value.as_interval().days, 1);
  EXPECT_EQ(parse_expression("100ms")->value.as_interval().micros, 100'000LL);
  EXPECT_THROW(parse_expression("10abc"), Error);
}

TEST(ParserExprTest, CaseForms) {
  auto searched = parse_expression("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END");
  EXPECT_EQ(searched->kind, ExprKind::kCase);
  EXPECT_FALSE(searched->has_operand);
  EXPECT_TRUE(searched->has_else);
  EXPECT_EQ(searched->args.size(), 5u);
  auto simple = parse_expression("CASE status WHEN 1 THEN 'one' END");
  EXPECT_TRUE(simple->has_operand);
  EXPECT_FALSE(simple->has_else);
  EXPECT_EQ(simple->args.size(), 3u);
}

TEST(ParserExprTest, Casts) {
  auto c = parse_expression("CAST(amount AS DECIMAL(10,2))");
  EXPECT_EQ(c->kind, ExprKind::kCast);
  EXPECT_EQ(c->cast_type, DataType::decimal(10, 2));
  EXPECT_FALSE(c->try_cast);
  EXPECT_TRUE(parse_expression("TRY_CAST(x AS INT)")->try_cast);
  auto pg = parse_expression("x::BIGINT + 1");
  EXPECT_EQ(pg->kind, ExprKind::kBinary);
  EXPECT_EQ(pg->args[0]->kind, ExprKind::kCast);
  EXPECT_EQ(pg->args[0]->cast_type, DataType::int64());
  auto neg = parse_expression("-x::INT");
  EXPECT_EQ(neg->kind, ExprKind::kUnary);
  EXPECT_EQ(neg->args[0]->kind, ExprKind::kCast);
}

TEST(ParserExprTest, SpecialSyntaxFunctions) {
  auto ex = parse_expression("EXTRACT(YEAR FROM ts)");
  EXPECT_EQ(ex->kind, ExprKind::kFunction);
  EXPECT_EQ(ex->name, "EXTRACT");
  EXPECT_EQ(ex->args[0]->value.as_string(), "YEAR");
  EXPECT_EQ(ex->args[1]->names[0], "ts");
  auto pos = parse_expression("POSITION('a' IN name)");
  EXPECT_EQ(pos->args.size(), 2u);
  EXPECT_EQ(pos->args[1]->names[0], "name");
  auto sub = parse_expression("SUBSTRING(s FROM 2 FOR 3)");
  EXPECT_EQ(sub->args.size(), 3u);
  EXPECT_EQ(sub->args[2]->value.as_int(), 3);
  EXPECT_EQ(parse_expression("SUBSTRING(s, 2)")->args.size(), 2u);
  auto lt = parse_expression("TRIM(LEADING 'x' FROM s)");
  EXPECT_EQ(lt->name, "LTRIM");
  EXPECT_EQ(lt->args[0]->names[0], "s");
  EXPECT_EQ(lt->args[1]->value.as_string(), "x");
  EXPECT_EQ(parse_expression("TRIM(TRAILING FROM s)")->name, "RTRIM");
  auto both = parse_expression("TRIM(BOTH ' ' FROM s)");
  EXPECT_EQ(both->name, "TRIM");
  EXPECT_EQ(both->args.size(), 2u);
  EXPECT_EQ(parse_expression("TRIM(s)")->args.size(), 1u);
  auto tc = parse_expression("TRIM('-' FROM s)");
  EXPECT_EQ(tc->args[0]->names[0], "s");
}

TEST(ParserExprTest, AggregateForms) {
  auto star = parse_expression("COUNT(*)");
  EXPECT_TRUE(star->star);
  auto d = parse_expression("count(DISTINCT bidder)");
  EXPECT_TRUE(d->distinct);
  EXPECT_EQ(d->name, "count");
  auto sa = parse_expression("STRING_AGG(name, ',' ORDER BY ts DESC)");
  EXPECT_EQ(sa->args.size(), 2u);
  ASSERT_EQ(sa->order_by.size(), 1u);
  EXPECT_TRUE(sa->order_by[0].descending);
  auto f = parse_expression("count(*) filter (where price < 10000)");
  ASSERT_TRUE(f->filter);
  EXPECT_EQ(f->filter->to_string(), "price < 10000");
  auto p = parse_expression("PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x)");
  ASSERT_EQ(p->args.size(), 1u);
  EXPECT_EQ(p->args[0]->value.type(), DataType::decimal(1, 1));
  ASSERT_EQ(p->order_by.size(), 1u);
  EXPECT_EQ(p->order_by[0].expr->names[0], "x");
}

TEST(ParserExprTest, WindowFunctions) {
  auto rn = parse_expression("ROW_NUMBER() OVER (PARTITION BY a, b ORDER BY c DESC)");
  ASSERT_TRUE(rn->over);
  EXPECT_EQ(rn->over->partition_by.size(), 2u);
  EXPECT_TRUE(rn->over->order_by[0].descending);
  EXPECT_EQ(rn->over->frame_unit, WindowSpec::FrameUnit::kNone);
  auto lag = parse_expression("LAG(price, 1) OVER (ORDER BY ts)");
  EXPECT_EQ(lag->args.size(), 2u);
  auto range = parse_expression(
      "SUM(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND UNBOUNDED "
      "FOLLOWING)");
  EXPECT_EQ(range->over->frame_unit, WindowSpec::FrameUnit::kRange);
  EXPECT_EQ(range->over->start, WindowSpec::BoundKind::kPreceding);
  EXPECT_EQ(range->over->end, WindowSpec::BoundKind::kUnboundedFollowing);
  auto single = parse_expression("SUM(x) OVER (ORDER BY ts ROWS 5 PRECEDING)");
  EXPECT_EQ(single->over->start, WindowSpec::BoundKind::kPreceding);
  EXPECT_EQ(single->over->end, WindowSpec::BoundKind::kCurrentRow);
  auto velo = parse_expression(
      "AVG(price) OVER (ROWS WINDOW BUFFER 100 ROWS PARTITION BY symbol ORDER BY ts)");
  EXPECT_EQ(velo->over->buffer_rows, 100);
  EXPECT_EQ(velo->over->partition_by[0]->names[0], "symbol");
  EXPECT_EQ(velo->over->order_by.size(), 1u);
}

TEST(ParserExprTest, NiladicDateTimeFunctions) {
  auto ct = parse_expression("CURRENT_TIMESTAMP");
  EXPECT_EQ(ct->kind, ExprKind::kFunction);
  EXPECT_TRUE(ct->args.empty());
  EXPECT_EQ(parse_expression("current_date")->name, "current_date");
  EXPECT_EQ(parse_expression("CURRENT_TIMESTAMP()")->kind, ExprKind::kFunction);
}

TEST(ParserExprTest, ScalarSubqueryAndExists) {
  auto s = parse_expression("(SELECT MAX(x) FROM t) + 1");
  EXPECT_EQ(s->args[0]->kind, ExprKind::kSubquery);
  auto in = parse_expression("a IN (SELECT b FROM t)");
  EXPECT_EQ(in->kind, ExprKind::kInSubquery);
  auto ne = parse_expression("NOT EXISTS (SELECT 1)");
  EXPECT_EQ(ne->kind, ExprKind::kExists);
  EXPECT_TRUE(ne->negated);
}

TEST(ParserExprTest, ColumnReferences) {
  auto e = parse_expression("t._metadata.filename");
  EXPECT_EQ(e->names, (std::vector<std::string>{"t", "_metadata", "filename"}));
  EXPECT_EQ(e->pos.column, 1);
}

TEST(ParserExprTest, PositionsOfNodes) {
  auto e = parse_expression("a +\n  foo(b)");
  EXPECT_EQ(e->pos.line, 1);
  EXPECT_EQ(e->args[1]->pos.line, 2);
  EXPECT_EQ(e->args[1]->pos.column, 3);
  EXPECT_EQ(e->args[1]->pos.offset, 6);
}

// --- to_string round trips
// ------------------------------------------------------------------------

class RoundTripTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RoundTripTest, ToStringParsesBackToTheSameText) {
  std::string once = text(GetParam());
  std::string twice = text(once);
  EXPECT_EQ(once, twice) << "input: " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    Expressions, RoundTripTest,
    ::testing::Values("1 + 2 * 3", "(1 + 2) * 3", "a - (b - c)", "a OR b AND c", "(a OR b) AND c",
                      "NOT (a AND b)", "NOT a = b", "-(a + b)", "- -5", "-x", "a * -5",
                      "a || 'x' || b", "x BETWEEN 1 AND 2 + 3", "x NOT IN (1, 2, 'a')",
                      "name LIKE 'a%' ESCAPE '!'", "a IS NOT NULL", "(a = b) IS TRUE",
                      "CASE WHEN a THEN 1 ELSE 2 END", "CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END",
                      "CAST(x AS DECIMAL(10,2))", "TRY_CAST(x AS BIGINT)", "x::DOUBLE",
                      "after->>'id' = '5'", "a->'b'->>'c'", "EXTRACT(YEAR FROM ts)",
                      "POSITION('a' IN s)", "SUBSTRING(s FROM 1 FOR 2)", "TRIM(LEADING 'x' FROM s)",
                      "COUNT(*)", "COUNT(DISTINCT x)", "COUNT(*) FILTER (WHERE p > 1)",
                      "STRING_AGG(a, ',' ORDER BY b DESC NULLS LAST)",
                      "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x)",
                      "ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC)",
                      "AVG(p) OVER (ORDER BY t ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)",
                      "AVG(p) OVER (ROWS WINDOW BUFFER 100 ROWS PARTITION BY s)",
                      "CURRENT_TIMESTAMP", "DATE '2024-01-01'", "TIMESTAMP '2024-01-01 10:00:00.5'",
                      "INTERVAL '1' HOUR", "INTERVAL '1 day 2 hours'", "INTERVAL (n) MINUTE",
                      "X'00ff'", "'it''s'", "1.5e3", "0.1 + 0.2", "100.00", "\"Weird Name\" + 1",
                      "t._metadata.filename", "TRUE AND NULL", "1m", "a % b / c",
                      "JSON_OBJECT('a', 1, 'b', x)", "(SELECT 1) + 1", "EXISTS (SELECT 1)",
                      "a IN (SELECT 1)", "(a + b)::INT", "a->'x'::INT", "a = b = c",
                      "((SELECT 1) + 1) * 2", "-2147483648", "9223372036854775807"));

TEST(ParserExprTest, ToStringNormalizes) {
  EXPECT_EQ(text("a+b*c"), "a + b * c");
  EXPECT_EQ(text("(a+b)*c"), "(a + b) * c");
  EXPECT_EQ(text("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(text("not (a and b)"), "NOT (a AND b)");
  EXPECT_EQ(text("x::int"), "CAST(x AS INT32)");
  EXPECT_EQ(text("a != b"), "a <> b");
  EXPECT_EQ(text("count(distinct x)"), "count(DISTINCT x)");
  EXPECT_EQ(text("INTERVAL '90' MINUTE"), "INTERVAL '01:30:00'");
  EXPECT_EQ(text("1.5e3"), "1500e0");
  EXPECT_EQ(text("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
  EXPECT_EQ(text("\"a b\""), "\"a b\"");
}

}  // namespace
}  // namespace velo::sql
