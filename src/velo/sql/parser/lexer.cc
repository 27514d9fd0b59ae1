#include "velo/sql/parser/lexer.h"

#include <fmt/format.h>

#include <cctype>

#include "velo/types/data_type.h"
#include "velo/types/error.h"

namespace velo::sql {

namespace {

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_char(char c) {
  return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Token::is_word(std::string_view word) const {
  return kind == TokenKind::kWord && iequals(text, word);
}

void throw_syntax_error(const SourcePos& pos, const std::string& message) {
  throw Error(ErrorKind::kUser,
              fmt::format("syntax error at line {}, column {}: {}", pos.line, pos.column, message),
              ErrorLocation{"", pos.line, pos.column, pos.offset});
}

void Lexer::advance(size_t n) {
  for (size_t i = 0; i < n && pos_ < sql_.size(); ++i) {
    char c = sql_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      // Columns count characters: UTF-8 continuation bytes do not start a new one.
      ++column_;
    }
  }
}

void Lexer::fail(const SourcePos& at, const std::string& message) const {
  throw_syntax_error(at, message);
}

void Lexer::skip_space_and_comments() {
  while (pos_ < sql_.size()) {
    char c = peek();
    if (std::isspace(static_cast<unsigned char>(c))) {
      advance();
    } else if (c == '-' && peek(1) == '-') {
      size_t start = pos_;
      while (pos_ < sql_.size() && peek() != '\n') advance();
      comments_.push_back(
          Comment{std::string(sql_.substr(start + 2, pos_ - start - 2)), static_cast<int>(start)});
    } else if (c == '/' && peek(1) == '*') {
      SourcePos start = here();
      advance(2);
      while (pos_ < sql_.size() && !(peek() == '*' && peek(1) == '/')) advance();
      if (pos_ >= sql_.size()) fail(start, "unterminated comment");
      advance(2);
      size_t begin = static_cast<size_t>(start.offset) + 2;
      comments_.push_back(Comment{std::string(sql_.substr(begin, pos_ - 2 - begin)), start.offset});
    } else {
      break;
    }
  }
}

Token Lexer::lex_quoted(char quote, TokenKind kind, const SourcePos& start) {
  advance();  // opening quote
  std::string text;
  while (true) {
    if (pos_ >= sql_.size()) {
      fail(start, kind == TokenKind::kString ? "unterminated string literal"
                                             : "unterminated quoted identifier");
    }
    char c = peek();
    if (c == quote) {
      if (peek(1) == quote) {  // doubled quote is an escaped quote
        text += quote;
        advance(2);
        continue;
      }
      advance();
      break;
    }
    text += c;
    advance();
  }
  Token t;
  t.kind = kind;
  t.text = std::move(text);
  t.pos = start;
  t.length = static_cast<int>(pos_) - start.offset;
  return t;
}

Token Lexer::lex_number(const SourcePos& start) {
  size_t begin = pos_;
  while (is_digit(peek())) advance();
  bool fraction = false;
  if (peek() == '.' && is_digit(peek(1))) {
    fraction = true;
    advance();
    while (is_digit(peek())) advance();
  } else if (peek() == '.' && !is_ident_start(peek(1)) && peek(1) != '.') {
    advance();  // "1." is a number too
  }
  bool exponent = false;
  if ((peek() == 'e' || peek() == 'E') &&
      (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
    exponent = true;
    advance(2);
    while (is_digit(peek())) advance();
  }
  Token t;
  t.kind = TokenKind::kNumber;
  t.pos = start;
  if (!fraction && !exponent && is_ident_start(peek())) {
    // Duration shorthand (1m, 30s, 100ms) used in WINDOW argument lists.
    size_t unit_begin = pos_;
    while (is_ident_char(peek())) advance();
    std::string unit(sql_.substr(unit_begin, pos_ - unit_begin));
    for (char& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (unit != "ms" && unit != "s" && unit != "m" && unit != "h" && unit != "d" && unit != "us" &&
        unit != "w" && unit != "y") {
      fail(start, fmt::format("invalid number '{}'", sql_.substr(begin, pos_ - begin)));
    }
    t.kind = TokenKind::kDuration;
  }
  t.text = std::string(sql_.substr(begin, pos_ - begin));
  t.length = static_cast<int>(pos_ - begin);
  return t;
}

std::vector<Token> Lexer::tokenize() {
  std::vector<Token> tokens;
  while (true) {
    skip_space_and_comments();
    SourcePos start = here();
    if (pos_ >= sql_.size()) {
      Token end;
      end.kind = TokenKind::kEnd;
      end.pos = start;
      tokens.push_back(std::move(end));
      return tokens;
    }
    char c = peek();
    if ((c == 'x' || c == 'X') && peek(1) == '\'') {
      advance();
      Token t = lex_quoted('\'', TokenKind::kString, start);
      std::string bytes;
      if (t.text.size() % 2 != 0) fail(start, "bytes literal needs an even number of hex digits");
      for (size_t i = 0; i < t.text.size(); i += 2) {
        int hi = hex_value(t.text[i]);
        int lo = hex_value(t.text[i + 1]);
        if (hi < 0 || lo < 0) fail(start, "invalid hex digit in bytes literal");
        bytes += static_cast<char>(hi * 16 + lo);
      }
      t.kind = TokenKind::kBytes;
      t.text = std::move(bytes);
      t.pos = start;
      t.length = static_cast<int>(pos_) - start.offset;
      tokens.push_back(std::move(t));
      continue;
    }
    if (is_ident_start(c)) {
      size_t begin = pos_;
      while (is_ident_char(peek())) advance();
      Token t;
      t.kind = TokenKind::kWord;
      t.text = std::string(sql_.substr(begin, pos_ - begin));
      t.pos = start;
      t.length = static_cast<int>(pos_ - begin);
      tokens.push_back(std::move(t));
      continue;
    }
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) {
      tokens.push_back(lex_number(start));
      continue;
    }
    if (c == '\'') {
      tokens.push_back(lex_quoted('\'', TokenKind::kString, start));
      continue;
    }
    if (c == '"') {
      tokens.push_back(lex_quoted('"', TokenKind::kQuotedIdent, start));
      continue;
    }
    if (c == '`') {
      tokens.push_back(lex_quoted('`', TokenKind::kQuotedIdent, start));
      continue;
    }
    static constexpr std::string_view kSymbols[] = {
        "->>", "::", "->", "<=", ">=", "<>", "!=", "==", "||", "(", ")", ",", ".", ";",
        "+",   "-",  "*",  "/",  "%",  "=",  "<",  ">",  "[",  "]", ":", "{", "}"};
    bool matched = false;
    for (std::string_view sym : kSymbols) {
      if (sql_.substr(pos_, sym.size()) == sym) {
        Token t;
        t.kind = TokenKind::kSymbol;
        t.text = std::string(sym);
        t.pos = start;
        t.length = static_cast<int>(sym.size());
        advance(sym.size());
        tokens.push_back(std::move(t));
        matched = true;
        break;
      }
    }
    if (!matched) fail(start, fmt::format("unexpected character '{}'", c));
  }
}

int token_length_at(std::string_view sql, int offset) {
  if (offset < 0 || static_cast<size_t>(offset) >= sql.size()) return 1;
  std::string_view rest = sql.substr(static_cast<size_t>(offset));
  if (rest.substr(0, 2) == "/*" || rest.substr(0, 2) == "--") return 2;
  try {
    Lexer lexer(sql.substr(static_cast<size_t>(offset)));
    std::vector<Token> tokens = lexer.tokenize();
    if (!tokens.empty() && tokens[0].kind != TokenKind::kEnd && tokens[0].pos.offset == 0) {
      return std::max(1, tokens[0].length);
    }
  } catch (const Error&) {
    // Text after the token may not lex (e.g. an unterminated string): fall back to one char.
  }
  return 1;
}

}  // namespace velo::sql
