#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "velo/batch/column.h"
#include "velo/formats/csv/text_cell.h"

namespace velo::json {

/// Converts one JSON value into `col` (the column's type decides): numbers from their exact
/// text (so DECIMAL keeps every digit), strings parsed into numbers/dates/timestamps when the
/// column says so, integers into TIMESTAMP as epoch milliseconds, objects/arrays into
/// STRUCT/LIST/MAP, or into a STRING column as minified JSON text. Throws a kFormat error
/// (without location; the caller adds it) naming `field` on a mismatch or malformed JSON.
void append_value(Column& col, simdjson::ondemand::value v, std::string_view field);

/// Maps the members of JSON objects onto columns by name, remembering the order of the last
/// object so the usual case (same key order every line) costs one string compare per member.
/// Missing members are NULL, unknown ones are skipped, a repeated key keeps its first value.
class ObjectMapper {
 public:
  /// `targets[i]`: the output column of schema field i, or -1 when the field is not wanted.
  ObjectMapper(const Schema& schema, std::vector<int> targets);

  /// Appends one row from `obj` into `columns` (indexed by output column). Throws kFormat;
  /// columns may then hold part of the row (the caller truncates).
  void append(simdjson::ondemand::object obj, Column* const* columns);

 private:
  int find(std::string_view key, size_t hint) const;

  std::vector<std::string> names_;
  std::vector<int> targets_;
  std::vector<uint64_t> seen_;  // generation of the row that last set each field
  uint64_t generation_ = 0;
  size_t hint_ = 0;
};

/// Parses the document at [data, data+len), which must be readable up to data+capacity
/// (capacity >= len + SIMDJSON_PADDING), checks it is one object with nothing after it, and
/// appends it through `mapper`. Throws kFormat without location.
void append_object_document(simdjson::ondemand::parser& parser, const char* data, size_t len,
                            size_t capacity, ObjectMapper& mapper, Column* const* columns);

/// First non-blank byte of `s` is at `s.data() + i` for the returned i, or s.size().
inline size_t skip_json_blanks(std::string_view s, size_t i = 0) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

}  // namespace velo::json
