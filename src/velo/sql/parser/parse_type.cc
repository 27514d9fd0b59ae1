#include <fmt/format.h>

#include <cstdlib>

#include "velo/sql/parser/parser_impl.h"
#include "velo/types/decimal.h"
#include "velo/types/error.h"

namespace velo::sql {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

DataType Parser::type() {
  DataType t = base_type();
  // Postgres-style array suffix: INT[] / INT[][].
  while (peek().is_symbol("[") && peek(1).is_symbol("]")) {
    next();
    next();
    t = DataType::list_of(t);
  }
  return t;
}

DataType Parser::base_type() {
  const Token& t = peek();
  if (t.kind != TokenKind::kWord) {
    note_expected("type name");
    fail_unexpected();
  }
  Token name_token = next();
  std::string name = upper(name_token.text);
  // Reads an optional "(n)" and returns n, or -1.
  auto optional_length = [&]() -> int64_t {
    if (!peek().is_symbol("(")) return -1;
    next();
    const Token& n = peek();
    if (n.kind != TokenKind::kNumber) {
      note_expected("length");
      fail_unexpected();
    }
    next();
    expect_symbol(")");
    return std::strtoll(n.text.c_str(), nullptr, 10);
  };
  // Reads "<T>" of ARRAY<T> / LIST<T>.
  auto element_type = [&]() {
    expect_symbol("<");
    DataType e = type();
    expect_symbol(">");
    return e;
  };
  // Reads the fields of STRUCT<a T, …> / ROW<a T, …> / ROW(a T, …) up to `close`.
  auto fields = [&](std::string_view close) {
    std::vector<Field> out;
    if (accept_symbol(close)) return DataType::struct_of(std::move(out));
    do {
      const Token& f = peek();
      if (f.kind != TokenKind::kWord && f.kind != TokenKind::kQuotedIdent &&
          f.kind != TokenKind::kString) {
        note_expected("field name");
        fail_unexpected();
      }
      Field field;
      field.name = next().text;
      accept_symbol(":");
      field.type = type();
      if (peek().is_word("NOT") && peek(1).is_word("NULL")) {
        next();
        next();
        field.nullable = false;
      }
      out.push_back(std::move(field));
    } while (accept_symbol(","));
    expect_symbol(close);
    return DataType::struct_of(std::move(out));
  };

  if (name == "INT" || name == "INTEGER" || name == "INT4" || name == "SMALLINT" ||
      name == "TINYINT" || name == "INT2" || name == "INT32") {
    return DataType::int32();
  }
  if (name == "BIGINT" || name == "INT8" || name == "LONG" || name == "INT64") {
    return DataType::int64();
  }
  if (name == "DOUBLE") {
    accept_word("PRECISION");
    return DataType::float64();
  }
  if (name == "FLOAT" || name == "REAL" || name == "FLOAT4" || name == "FLOAT8" ||
      name == "FLOAT64") {
    optional_length();
    return DataType::float64();
  }
  if (name == "DECIMAL" || name == "NUMERIC" || name == "DEC") {
    if (!peek().is_symbol("(")) return DataType::decimal(18, 3);
    next();
    const Token& p = peek();
    if (p.kind != TokenKind::kNumber) {
      note_expected("precision");
      fail_unexpected();
    }
    next();
    int64_t precision = std::strtoll(p.text.c_str(), nullptr, 10);
    int64_t scale = 0;
    const Token* s = nullptr;
    if (accept_symbol(",")) {
      s = &peek();
      if (s->kind != TokenKind::kNumber) {
        note_expected("scale");
        fail_unexpected();
      }
      next();
      scale = std::strtoll(s->text.c_str(), nullptr, 10);
    }
    expect_symbol(")");
    if (precision < 1 || precision > decimal::kMaxPrecision) {
      fail_at(p, fmt::format("decimal precision {} is out of range 1..{}", precision,
                             decimal::kMaxPrecision));
    }
    if (scale < 0 || scale > precision) {
      fail_at(s ? *s : p, fmt::format("decimal scale {} is out of range 0..{}", scale, precision));
    }
    return DataType::decimal(static_cast<int>(precision), static_cast<int>(scale));
  }
  if (name == "VARCHAR" || name == "CHAR" || name == "CHARACTER" || name == "NVARCHAR" ||
      name == "BPCHAR") {
    accept_word("VARYING");
    optional_length();
    return DataType::string();
  }
  if (name == "STRING" || name == "TEXT" || name == "JSON" || name == "UUID") {
    return DataType::string();
  }
  if (name == "BOOLEAN" || name == "BOOL") return DataType::boolean();
  if (name == "DATE") return DataType::date();
  if (name == "TIMESTAMP" || name == "DATETIME") {
    optional_length();  // TIMESTAMP(3): velostream timestamps are always microseconds
    if ((peek().is_word("WITH") || peek().is_word("WITHOUT")) &&
        (peek(1).is_word("TIME") || peek(1).is_word("LOCAL"))) {
      next();
      accept_word("LOCAL");
      expect_word("TIME");
      expect_word("ZONE");
    }
    return DataType::timestamp();
  }
  if (name == "TIMESTAMPTZ" || name == "TIMESTAMP_LTZ" || name == "TIMESTAMP_TZ") {
    optional_length();
    return DataType::timestamp();
  }
  if (name == "INTERVAL") return DataType::interval();
  if (name == "BYTES" || name == "BLOB" || name == "VARBINARY" || name == "BYTEA" ||
      name == "BINARY") {
    optional_length();
    return DataType::bytes();
  }
  if (name == "ARRAY" || name == "LIST") {
    if (peek().is_symbol("(")) {
      next();
      DataType e = type();
      expect_symbol(")");
      return DataType::list_of(e);
    }
    return DataType::list_of(element_type());
  }
  if (name == "MAP") {
    bool paren = peek().is_symbol("(");
    if (paren) {
      next();
    } else {
      expect_symbol("<");
    }
    DataType k = type();
    expect_symbol(",");
    DataType v = type();
    expect_symbol(paren ? ")" : ">");
    return DataType::map_of(k, v);
  }
  if (name == "STRUCT" || name == "ROW") {
    if (peek().is_symbol("(")) {
      next();
      return fields(")");
    }
    expect_symbol("<");
    return fields(">");
  }
  fail_at(name_token, fmt::format("unknown type '{}'", name_token.text));
}

}  // namespace velo::sql
