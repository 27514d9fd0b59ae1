#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "velo/batch/batch.h"
#include "velo/io/options.h"

namespace velo::kafka {

/// Message formats of the Kafka connector (`format` / `key_format`).
enum class MessageFormat { kJson, kCsv, kString, kBytes, kAvro, kProtobuf };

/// "json" (default), "csv", "raw"/"string"/"text", "bytes"/"binary", "avro" (decoded by
/// make_avro_decoder / encoded by make_avro_encoder in avro_message.h, which know the schemas),
/// "protobuf" (protobuf_message.h, schemas from a registry); anything else a user error.
MessageFormat parse_message_format(const std::string& name, const std::string& option);

/// Decodes one message payload into one row of value columns. One decoder per reader thread;
/// reuses its scratch buffers so decoding allocates nothing per message in the steady state.
class MessageDecoder {
 public:
  virtual ~MessageDecoder() = default;
  /// Appends one row to `columns` (one per schema field). Throws Error(kFormat) on malformed
  /// input or a schema mismatch, possibly after appending to some columns: the caller rolls back
  /// with truncate_columns().
  virtual void append(std::string_view payload, std::vector<ColumnPtr>& columns) = 0;
};

/// A decoder for `format` producing `schema`. csv reads `delimiter` (default ',') from options.
std::unique_ptr<MessageDecoder> make_decoder(MessageFormat format, SchemaPtr schema,
                                             char csv_delimiter);

/// The value schema of messages in `format` when none is declared: json infers from `samples`
/// (objects; fields in first-seen order), csv gives STRING columns c1..cN, string a STRING
/// `value`, bytes a BYTES `value`. Throws a user error when json has no sample to infer from.
SchemaPtr infer_message_schema(MessageFormat format, const std::vector<std::string_view>& samples,
                               char csv_delimiter);

/// Encodes one row of a batch into a message payload (the sink side).
class MessageEncoder {
 public:
  virtual ~MessageEncoder() = default;
  /// Appends row `row` of `batch` to `out`; returns false when the payload is NULL (a tombstone:
  /// string/bytes formats with a NULL value).
  virtual bool encode(const Batch& batch, size_t row, std::string* out) = 0;
};

/// An encoder of batches of `schema`. string/bytes need exactly one STRING/BYTES column (user
/// error otherwise).
std::unique_ptr<MessageEncoder> make_encoder(MessageFormat format, const SchemaPtr& schema,
                                             char csv_delimiter);

/// Shrinks every column to `rows` rows, undoing a partly appended row (values, strings, nested
/// children and validity bits).
void truncate_columns(std::vector<ColumnPtr>& columns, size_t rows);

/// Appends `text` converted to the column's type ("" -> NULL). Throws Error(kFormat) when the
/// text is not a value of that type. Nested types take JSON text.
void append_text(Column& column, std::string_view text);

}  // namespace velo::kafka
