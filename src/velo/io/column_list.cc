#include "velo/io/column_list.h"

#include <cctype>

#include "velo/types/error.h"

namespace velo {
namespace {

class ColumnListParser {
 public:
  explicit ColumnListParser(std::string_view text) : text_(text) {}

  std::vector<Field> fields(char terminator) {
    std::vector<Field> out;
    skip_space();
    while (pos_ < text_.size() && text_[pos_] != terminator) {
      Field f;
      f.name = name();
      f.type = type();
      skip_space();
      if (word_is("NOT")) {
        expect_word("NOT");
        expect_word("NULL");
        f.nullable = false;
      }
      out.push_back(std::move(f));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] == terminator) fail("expected a column after ','");
      } else {
        break;
      }
    }
    return out;
  }

  bool at_end() {
    skip_space();
    return pos_ >= text_.size();
  }
  [[noreturn]] void fail(std::string_view what) {
    throw_user_error("schema '{}': {} at position {}", text_, what, pos_ + 1);
  }
  void expect(char c) {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != c) fail(fmt::format("expected '{}'", c));
    ++pos_;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  std::string name() {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      size_t end = text_.find('"', pos_ + 1);
      if (end == std::string_view::npos) fail("unterminated quoted name");
      std::string n(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return n;
    }
    std::string n = word();
    if (n.empty()) fail("expected a column name");
    return n;
  }
  std::string word() {
    skip_space();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  bool word_is(std::string_view w) {
    size_t save = pos_;
    bool is = iequals(word(), w);
    pos_ = save;
    return is;
  }
  void expect_word(std::string_view w) {
    if (!iequals(word(), w)) fail(fmt::format("expected {}", w));
  }
  int number() {
    skip_space();
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (start == pos_) fail("expected a number");
    return std::stoi(std::string(text_.substr(start, pos_ - start)));
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  DataType type() {
    size_t start = pos_;
    std::string t = word();
    std::string u;
    for (char c : t) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u == "BOOLEAN" || u == "BOOL") return DataType::boolean();
    if (u == "INT" || u == "INTEGER" || u == "INT32") return DataType::int32();
    if (u == "BIGINT" || u == "INT64" || u == "LONG") return DataType::int64();
    if (u == "DOUBLE" || u == "FLOAT" || u == "REAL" || u == "FLOAT64") {
      if (u == "DOUBLE" && word_is("PRECISION")) word();
      return DataType::float64();
    }
    if (u == "DECIMAL" || u == "NUMERIC") {
      int p = 38, s = 0;
      if (peek('(')) {
        expect('(');
        p = number();
        if (peek(',')) {
          expect(',');
          s = number();
        }
        expect(')');
      }
      if (p < 1 || p > 38 || s < 0 || s > p) fail("DECIMAL(p,s) needs 1 <= p <= 38, 0 <= s <= p");
      return DataType::decimal(p, s);
    }
    if (u == "STRING" || u == "VARCHAR" || u == "TEXT" || u == "CHAR") {
      if (peek('(')) {
        expect('(');
        number();
        expect(')');
      }
      return DataType::string();
    }
    if (u == "BYTES" || u == "BINARY" || u == "VARBINARY" || u == "BLOB" || u == "BYTEA")
      return DataType::bytes();
    if (u == "DATE") return DataType::date();
    if (u == "TIMESTAMP") return DataType::timestamp();
    if (u == "INTERVAL") return DataType::interval();
    if (u == "LIST" || u == "ARRAY") {
      expect('<');
      DataType e = type();
      expect('>');
      return DataType::list_of(e);
    }
    if (u == "MAP") {
      expect('<');
      DataType k = type();
      expect(',');
      DataType v = type();
      expect('>');
      return DataType::map_of(k, v);
    }
    if (u == "STRUCT" || u == "ROW") {
      expect('<');
      auto f = fields('>');
      expect('>');
      return DataType::struct_of(std::move(f));
    }
    pos_ = start;
    fail(t.empty() ? std::string("expected a type") : fmt::format("unknown type '{}'", t));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

SchemaPtr parse_column_list(std::string_view text) {
  ColumnListParser p(text);
  auto fields = p.fields('\0');
  if (!p.at_end()) p.fail("unexpected text");
  if (fields.empty()) throw_user_error("schema '{}' declares no column", text);
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace velo
