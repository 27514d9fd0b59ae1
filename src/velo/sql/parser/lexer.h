#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "velo/sql/parser/ast.h"

namespace velo::sql {

/// Kinds of SQL tokens. Keywords are not a separate kind: every bare word is kWord and the
/// parser compares it case-insensitively, which lets non-reserved keywords serve as identifiers.
enum class TokenKind {
  kWord,         // bare identifier or keyword: text as written
  kQuotedIdent,  // "Name" or `Name`: text without quotes, escapes resolved
  kString,       // 'text': text without quotes, '' resolved
  kBytes,        // X'0aff': text holds the decoded bytes
  kNumber,       // 12, 1.50, 1e3, .5: text as written
  kDuration,     // 1m, 30s, 5h, 1d, 100ms: text as written
  kSymbol,       // ( ) , . ; + - * / % = == <> != < <= > >= || :: -> ->> [ ] :
  kEnd,          // end of input
};

/// One token with its position in the lexed text.
struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  SourcePos pos;
  int length = 0;  // bytes of source text the token spans (for error carets)

  bool is_symbol(std::string_view s) const { return kind == TokenKind::kSymbol && text == s; }
  /// True for a bare word equal to `word` ignoring ASCII case.
  bool is_word(std::string_view word) const;
};

/// A `--` or `/* */` comment, kept so the parser can read `-- @key: value` annotations.
struct Comment {
  std::string text;  // without the comment markers
  int offset = 0;    // byte offset of the comment start
};

/// Splits SQL text into tokens. Throws velo::Error (kUser) with a location for unterminated
/// strings, quoted identifiers and block comments (at their start) and for stray characters.
class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  /// All tokens, ending with one kEnd token.
  std::vector<Token> tokenize();
  /// Comments seen by tokenize(), in source order.
  const std::vector<Comment>& comments() const { return comments_; }

 private:
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < sql_.size() ? sql_[pos_ + ahead] : '\0';
  }
  void advance(size_t n = 1);
  SourcePos here() const { return SourcePos{line_, column_, static_cast<int>(pos_)}; }
  [[noreturn]] void fail(const SourcePos& at, const std::string& message) const;
  void skip_space_and_comments();
  Token lex_quoted(char quote, TokenKind kind, const SourcePos& start);
  Token lex_number(const SourcePos& start);

  std::string_view sql_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::vector<Comment> comments_;
};

/// Byte length of the token starting at `offset` of `sql` (1 when it cannot be lexed).
int token_length_at(std::string_view sql, int offset);

/// Throws a kUser velo::Error "syntax error at line L, column C: <message>" located at `pos`.
[[noreturn]] void throw_syntax_error(const SourcePos& pos, const std::string& message);

}  // namespace velo::sql
