#include <gtest/gtest.h>

#include "velo/sql/parser/parser.h"
#include "velo/sql/parser/sql_error.h"
#include "velo/types/error.h"

namespace velo::sql {
namespace {

Error error_of(std::string_view sql) {
  try {
    parse_script(sql);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << sql;
  return Error(ErrorKind::kInternal, "none");
}

TEST(ParserErrorTest, MisspeltKeywordCaret) {
  std::string sql = "SELECT a\nFROM x FORM y";
  Error e = error_of(sql);
  EXPECT_EQ(e.kind(), ErrorKind::kUser);
  EXPECT_EQ(e.location().line, 2);
  EXPECT_EQ(e.location().column, 8);
  EXPECT_EQ(e.location().offset, 16);
  EXPECT_EQ(e.message().rfind("syntax error at line 2, column 8: unexpected 'FORM', expected ", 0),
            0u)
      << e.message();
  EXPECT_NE(e.message().find("WHERE"), std::string::npos);
  std::string rendered = render_sql_error(sql, e);
  EXPECT_EQ(rendered, "error: " + e.message() +
                          "\n"
                          "  SELECT a\n"
                          "  FROM x FORM y\n"
                          "         ^^^^");
}

TEST(ParserErrorTest, MisspeltFrom) {
  Error e = error_of("SELECT a FORM t");
  EXPECT_EQ(e.location().column, 10);
  EXPECT_NE(e.message().find("unexpected 'FORM', expected"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("FROM"), std::string::npos) << e.message();
}

TEST(ParserErrorTest, UnexpectedEndOfInput) {
  Error e = error_of("SELECT a FROM");
  EXPECT_NE(e.message().find("unexpected end of input"), std::string::npos) << e.message();
  EXPECT_EQ(e.location().column, 14);
  std::string r = render_sql_error("SELECT a FROM", e);
  EXPECT_NE(r.find("\n               ^"), std::string::npos) << r;
}

TEST(ParserErrorTest, MissingExpression) {
  Error e = error_of("SELECT a + FROM t");
  EXPECT_NE(e.message().find("unexpected 'FROM', expected expression"), std::string::npos)
      << e.message();
  EXPECT_EQ(e.location().column, 12);
}

TEST(ParserErrorTest, MissingParenthesis) {
  Error e = error_of("SELECT COUNT(a FROM t");
  EXPECT_NE(e.message().find("expected"), std::string::npos);
  EXPECT_NE(e.message().find("')'"), std::string::npos) << e.message();
}

TEST(ParserErrorTest, UnterminatedStringRendersAtStart) {
  std::string sql = "SELECT *\nFROM 'file:///x.csv\nWHERE a = 1";
  Error e = error_of(sql);
  EXPECT_EQ(e.location().line, 2);
  EXPECT_EQ(e.location().column, 6);
  std::string r = render_sql_error(sql, e);
  EXPECT_NE(r.find("unterminated string literal"), std::string::npos);
  EXPECT_NE(r.find("\n  FROM 'file:///x.csv\n       ^"), std::string::npos) << r;
}

TEST(ParserErrorTest, ErrorsInLaterStatementsUseScriptLines) {
  Error e = error_of("SELECT 1;\nSELECT 2;\nSELECT FROM t;");
  EXPECT_EQ(e.location().line, 3);
  EXPECT_EQ(e.location().column, 8);
}

TEST(ParserErrorTest, BadStatementStart) {
  Error e = error_of("SELEC 1");
  EXPECT_NE(e.message().find("unexpected 'SELEC', expected SELECT"), std::string::npos)
      << e.message();
}

TEST(ParserErrorTest, BadLiterals) {
  EXPECT_NE(error_of("SELECT DATE '2024-02-30'").message().find("invalid date"), std::string::npos);
  EXPECT_NE(error_of("SELECT INTERVAL 'soon'").message().find("invalid interval"),
            std::string::npos);
  EXPECT_NE(error_of("SELECT CAST(a AS DECIMAL(40,2))").message().find("precision 40"),
            std::string::npos);
  EXPECT_NE(error_of("SELECT CAST(a AS WIDGET)").message().find("unknown type 'WIDGET'"),
            std::string::npos);
}

TEST(ParserErrorTest, JoinWithoutCondition) {
  Error e = error_of("SELECT * FROM a JOIN b WHERE x");
  EXPECT_NE(e.message().find("unexpected 'WHERE', expected"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("ON"), std::string::npos);
}

TEST(ParserErrorTest, RenderBinderStyleError) {
  std::string sql = "SELECT amount, custmer_id\nFROM t";
  Error e(ErrorKind::kUser, "unknown column 'custmer_id' (did you mean 'customer_id'?)",
          ErrorLocation{"", 1, 16, 15});
  EXPECT_EQ(render_sql_error(sql, e),
            "error: unknown column 'custmer_id' (did you mean 'customer_id'?) (at line 1, column "
            "16)\n"
            "  SELECT amount, custmer_id\n"
            "                 ^^^^^^^^^^");
}

TEST(ParserErrorTest, RenderWithoutLocation) {
  Error e(ErrorKind::kUser, "something");
  EXPECT_EQ(render_sql_error("SELECT 1", e), "error: something");
}

TEST(ParserErrorTest, ParseTypeErrors) {
  EXPECT_THROW(parse_type("DECIMAL(10,"), Error);
  EXPECT_THROW(parse_type("MAP<INT>"), Error);
  EXPECT_THROW(parse_type("INT extra"), Error);
}

TEST(ParserErrorTest, ParseExpressionRejectsTrailingTokens) {
  Error e(ErrorKind::kInternal, "");
  try {
    parse_expression("a = 1 b");
  } catch (const Error& err) {
    e = err;
  }
  EXPECT_NE(e.message().find("unexpected 'b'"), std::string::npos) << e.message();
}

}  // namespace
}  // namespace velo::sql

namespace velo::sql {
namespace {

// Every prefix and every one-token deletion of a rich script either parses or throws a located
// velo::Error: never another exception, a crash or a hang.
TEST(ParserErrorTest, PrefixesAndDeletionsFailCleanly) {
  const std::string sql = R"(-- @name: j
WITH c AS (SELECT a, b FROM 'file:///x.csv' WITH (header = true))
SELECT DISTINCT a->>'k' AS k, CAST(b AS DECIMAL(10,2)) b2, COUNT(*) FILTER (WHERE a > 1),
  CASE WHEN a IS NULL THEN 'n' ELSE "X" END, EXTRACT(YEAR FROM ts), x[1],
  ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
FROM c JOIN TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) w ON c.a = w.a
WHERE a BETWEEN 1 AND 2 AND b NOT IN (SELECT 1) AND s LIKE 'x%'
GROUP BY a WINDOW TUMBLING(ts, 1m) HAVING SUM(b) > 0.5 EMIT CHANGES
ORDER BY a NULLS LAST LIMIT 10 OFFSET 2
INTO 'file:///out.jsonl', sink2 WITH (format = 'json');
CREATE STREAM s AS SELECT * FROM src EMIT CHANGES WITH ('src.type' = 'kafka_source');)";
  ASSERT_NO_THROW(parse_script(sql));
  int errors = 0;
  for (size_t n = 0; n < sql.size(); ++n) {
    std::string prefix = sql.substr(0, n);
    try {
      parse_script(prefix);
    } catch (const Error& e) {
      ++errors;
      EXPECT_GT(e.location().line, 0) << prefix;
      EXPECT_FALSE(render_sql_error(prefix, e).empty());
    }
  }
  EXPECT_GT(errors, 100);
  // Delete each space-separated word in turn.
  for (size_t start = 0; start < sql.size();) {
    size_t end = sql.find_first_of(" \n", start);
    if (end == std::string::npos) end = sql.size();
    std::string mutated = sql.substr(0, start) + sql.substr(end);
    try {
      parse_script(mutated);
    } catch (const Error& e) {
      EXPECT_GT(e.location().line, 0) << mutated;
    }
    start = end + 1;
  }
}

TEST(ParserErrorTest, UnterminatedBlockCommentInScript) {
  std::string sql = "SELECT 1;\nSELECT /* never closed\n2";
  try {
    parse_script(sql);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location().line, 2);
    EXPECT_EQ(e.location().column, 8);
    EXPECT_NE(render_sql_error(sql, e).find("\n  SELECT /* never closed\n         ^^"),
              std::string::npos)
        << render_sql_error(sql, e);
  }
}

}  // namespace
}  // namespace velo::sql

namespace velo::sql {
namespace {

TEST(ParserErrorTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_THROW(parse_expression(deep), Error);
  std::string minus;
  for (int i = 0; i < 50000; ++i) minus += "- ";
  EXPECT_THROW(parse_expression(minus + "x"), Error);
  EXPECT_NO_THROW(parse_expression("- - - x"));
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "NOT ";
  EXPECT_THROW(parse_expression(nots + "TRUE"), Error);
  std::string tables = "SELECT * FROM " + std::string(100000, '(') + "t";
  EXPECT_THROW(parse_statement(tables), Error);
  // Moderate nesting is fine.
  EXPECT_NO_THROW(parse_expression(std::string(100, '(') + "1" + std::string(100, ')')));
}

}  // namespace
}  // namespace velo::sql
