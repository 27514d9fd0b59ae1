#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace velo {

/// A path into a JSON document, parsed once (at bind time when constant):
///   '$.a.b[0]', '$."key with dots"[#-1]'  JSONPath (DuckDB subset, no wildcards)
///   '/a/0'                                JSON pointer (RFC 6901)
///   'name'                                a single object key (the `json -> 'name'` form)
///   0, -1                                 a single array index (negative counts from the end)
class JsonPath {
 public:
  JsonPath() = default;  // '$': the whole document

  /// Parses the text forms above. Throws a user error naming the path when it is malformed,
  /// and "not supported yet" for wildcards.
  static JsonPath parse(std::string_view text);
  static JsonPath key(std::string_view key);
  static JsonPath index(int64_t index);

  /// The element at the path, or false when the path does not exist in `root`.
  bool find(simdjson::dom::element root, simdjson::dom::element* out) const;

  const std::string& text() const { return text_; }

 private:
  struct Step {
    enum Kind : uint8_t {
      kKey,      // object member `key`
      kIndex,    // array element `index` (negative: from the end)
      kPointer,  // JSON pointer token: object member, or array element when numeric
    } kind;
    std::string key;
    int64_t index = 0;
  };
  std::vector<Step> steps_;
  std::string text_;
};

/// Parses JSON documents with one reused simdjson parser per thread (no per-row allocation once
/// the parser has grown to the largest document).
simdjson::dom::parser& thread_json_parser();

/// Parses `text`; throws a user error "malformed JSON ..." naming the input (DuckDB errors on
/// malformed JSON too).
simdjson::dom::element parse_json_or_throw(std::string_view text);

}  // namespace velo
