#include "velo/sql/parser/lexer.h"

#include <gtest/gtest.h>

#include "velo/types/error.h"

namespace velo::sql {
namespace {

std::vector<Token> lex(std::string_view sql) { return Lexer(sql).tokenize(); }

TEST(LexerTest, WordsNumbersStringsSymbols) {
  auto t = lex("SELECT a1, 'x''y', 1.50, 3 FROM t;");
  ASSERT_EQ(t.size(), 12u);
  EXPECT_EQ(t[0].kind, TokenKind::kWord);
  EXPECT_TRUE(t[0].is_word("select"));
  EXPECT_EQ(t[1].text, "a1");
  EXPECT_TRUE(t[2].is_symbol(","));
  EXPECT_EQ(t[3].kind, TokenKind::kString);
  EXPECT_EQ(t[3].text, "x'y");
  EXPECT_EQ(t[3].length, 6);
  EXPECT_EQ(t[5].kind, TokenKind::kNumber);
  EXPECT_EQ(t[5].text, "1.50");
  EXPECT_TRUE(t[10].is_symbol(";"));
  EXPECT_EQ(t[11].kind, TokenKind::kEnd);
}

TEST(LexerTest, MultiCharOperators) {
  auto t = lex("a->>'x' -> :: <= >= <> != == || < > =");
  std::vector<std::string> ops;
  for (const auto& tok : t) {
    if (tok.kind == TokenKind::kSymbol) ops.push_back(tok.text);
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"->>", "->", "::", "<=", ">=", "<>", "!=", "==", "||",
                                           "<", ">", "="}));
}

TEST(LexerTest, QuotedIdentifiers) {
  auto t = lex("\"My \"\"Col\"\"\" `dateTime`");
  EXPECT_EQ(t[0].kind, TokenKind::kQuotedIdent);
  EXPECT_EQ(t[0].text, "My \"Col\"");
  EXPECT_EQ(t[1].kind, TokenKind::kQuotedIdent);
  EXPECT_EQ(t[1].text, "dateTime");
}

TEST(LexerTest, CommentsAreSkippedAndKept) {
  Lexer lexer("-- @name: job\nSELECT /* inline */ 1 -- tail");
  auto t = lexer.tokenize();
  ASSERT_EQ(t.size(), 3u);
  ASSERT_EQ(lexer.comments().size(), 3u);
  EXPECT_EQ(lexer.comments()[0].text, " @name: job");
  EXPECT_EQ(lexer.comments()[1].text, " inline ");
  EXPECT_EQ(lexer.comments()[0].offset, 0);
}

TEST(LexerTest, NumbersAndDurations) {
  auto t = lex("1e3 2.5E-2 .5 7 10m 30s 100ms 5h 1d");
  EXPECT_EQ(t[0].kind, TokenKind::kNumber);
  EXPECT_EQ(t[0].text, "1e3");
  EXPECT_EQ(t[1].text, "2.5E-2");
  EXPECT_EQ(t[2].text, ".5");
  for (int i = 4; i <= 8; ++i) EXPECT_EQ(t[i].kind, TokenKind::kDuration) << i;
  EXPECT_EQ(t[6].text, "100ms");
}

TEST(LexerTest, DottedNamesAreSeparateTokens) {
  auto t = lex("t._metadata.filename");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[2].text, "_metadata");
  EXPECT_TRUE(t[3].is_symbol("."));
}

TEST(LexerTest, BytesLiteral) {
  auto t = lex("X'DEad' x'00'");
  EXPECT_EQ(t[0].kind, TokenKind::kBytes);
  EXPECT_EQ(t[0].text, std::string("\xde\xad", 2));
  EXPECT_EQ(t[1].text, std::string(1, '\0'));
  EXPECT_THROW(lex("X'0'"), Error);
  EXPECT_THROW(lex("X'zz'"), Error);
}

TEST(LexerTest, PositionsCountLinesAndCharacters) {
  auto t = lex("a\n  bb\n\t'é' c");
  EXPECT_EQ(t[0].pos.line, 1);
  EXPECT_EQ(t[0].pos.column, 1);
  EXPECT_EQ(t[1].pos.line, 2);
  EXPECT_EQ(t[1].pos.column, 3);
  EXPECT_EQ(t[1].pos.offset, 4);
  EXPECT_EQ(t[2].pos.line, 3);
  EXPECT_EQ(t[2].pos.column, 2);
  // 'é' is 4 bytes but 3 characters.
  EXPECT_EQ(t[3].pos.column, 6);
}

TEST(LexerTest, UnterminatedStringPointsAtItsStart) {
  try {
    lex("SELECT 'abc\nFROM t");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser);
    EXPECT_EQ(e.location().line, 1);
    EXPECT_EQ(e.location().column, 8);
    EXPECT_EQ(e.location().offset, 7);
    EXPECT_NE(e.message().find("unterminated string"), std::string::npos);
  }
}

TEST(LexerTest, UnterminatedCommentAndIdentifier) {
  try {
    lex("SELECT 1\n  /* open");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location().line, 2);
    EXPECT_EQ(e.location().column, 3);
    EXPECT_NE(e.message().find("unterminated comment"), std::string::npos);
  }
  EXPECT_THROW(lex("SELECT \"abc"), Error);
  EXPECT_THROW(lex("SELECT `abc"), Error);
}

TEST(LexerTest, StrayCharacter) {
  try {
    lex("SELECT a # b");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location().column, 10);
    EXPECT_NE(e.message().find("unexpected character '#'"), std::string::npos);
  }
}

TEST(LexerTest, TokenLengthAt) {
  std::string sql = "SELECT 'abc' FROM x";
  EXPECT_EQ(token_length_at(sql, 0), 6);
  EXPECT_EQ(token_length_at(sql, 7), 5);
  EXPECT_EQ(token_length_at(sql, 100), 1);
}

}  // namespace
}  // namespace velo::sql
