#pragma once

#include <memory>

#include "velo/types/data_type.h"

namespace velo::json {

struct JsonInferOptions {
  /// Numbers with a '.' and no exponent become DECIMAL(18, max fraction digits) when integer
  /// plus fraction digits fit 18 (velostream keeps money exact); false: DOUBLE.
  bool decimals = true;
  /// Strings that all parse as dates / timestamps become DATE / TIMESTAMP.
  bool temporals = true;
};

/// Merges the types of sampled JSON objects into one schema: int + decimal -> DECIMAL,
/// int/decimal + double -> DOUBLE, DATE + TIMESTAMP -> TIMESTAMP, objects -> STRUCT with the
/// union of their fields (first-seen order), arrays -> LIST of the merged element type, any
/// other mix -> STRING (nested values then read as JSON text), null-only -> STRING.
class JsonSchemaInferrer {
 public:
  explicit JsonSchemaInferrer(JsonInferOptions options = {});
  ~JsonSchemaInferrer();
  JsonSchemaInferrer(const JsonSchemaInferrer&) = delete;
  JsonSchemaInferrer& operator=(const JsonSchemaInferrer&) = delete;

  /// Adds one document at [data, data+len), readable up to data+capacity (capacity >= len +
  /// SIMDJSON_PADDING). Returns false when it is malformed or not an object: sampling skips
  /// such records, reading decides what to do with them.
  bool add(const char* data, size_t len, size_t capacity);
  /// Copies `text` into a padded buffer first.
  bool add_text(std::string_view text);
  size_t objects() const;
  /// The merged schema; throws a user error naming `what` when no object was added.
  SchemaPtr finish(const std::string& what) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace velo::json
