#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "velo/batch/batch.h"

namespace velo {

/// Decodes one JSON object per call into columns of a fixed schema: the JSON decoder shared by
/// message sources (Kafka) and the json file format (same conversions, same errors). Members are
/// mapped by name (missing -> NULL, unknown ignored). Reuses one parser and padded buffer, so an
/// instance belongs to one thread.
class JsonRowDecoder {
 public:
  explicit JsonRowDecoder(SchemaPtr schema);
  ~JsonRowDecoder();
  JsonRowDecoder(JsonRowDecoder&&) noexcept;
  JsonRowDecoder& operator=(JsonRowDecoder&&) noexcept;

  /// Appends one row to `columns` (one per schema field). Throws a kFormat error on malformed
  /// JSON or a value that does not fit its column; `columns` may then hold part of the row (the
  /// caller truncates, see kafka::truncate_columns).
  void append_row(std::string_view payload, std::vector<ColumnPtr>& columns);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Schema of sampled JSON messages: objects merged field by field (int + double -> DOUBLE,
/// anything + string -> STRING, objects -> STRUCT, arrays -> LIST, null-only -> STRING).
/// Malformed samples and non-objects are skipped; throws a user error when none is an object.
SchemaPtr infer_json_schema(const std::vector<std::string_view>& samples);

/// Appends row `row` of `batch` as one JSON object (no newline): {"name":value,...}.
void append_json_row(const Batch& batch, size_t row, std::string* out);

}  // namespace velo
