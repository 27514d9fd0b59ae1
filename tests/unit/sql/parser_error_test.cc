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
