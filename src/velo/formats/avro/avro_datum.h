#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "velo/batch/batch.h"
#include "velo/batch/buffer.h"
#include "velo/formats/avro/avro_schema.h"

namespace velo::avro {

/// Avro binary encoding of one datum, decoded straight into columns and encoded straight from
/// them. Shared by the object container format (formats/avro) and Kafka messages (plain datum,
/// Confluent wire format, single-object encoding).

struct DecodeStep;

/// A compiled resolution of a writer schema against the columns to produce. Build once per
/// (writer schema, target) pair and reuse for every datum: decoding is a switch per value, no
/// allocation per row beyond column growth. Immutable after construction; decode() may be
/// called from several threads on different columns.
///
/// Resolution (the spec's "Schema Resolution", applied between the writer schema and the target
/// columns): record fields match by name (exact, then case-insensitive), also through the
/// reader's field aliases and the writer's; target fields absent from the writer take the
/// reader schema's default or NULL; int -> long/double/decimal, long -> double/decimal,
/// float -> double, string <-> bytes, date -> timestamp, decimal rescaling; a writer union is
/// resolved per branch (a branch that cannot be read as the target fails when it occurs); a
/// writer field absent from the target is skipped without decoding. Enum symbols are produced
/// as the writer wrote them.
class DatumDecoder {
 public:
  /// Produces the columns of `reader` (its velo_schema()) or, without a reader, of `writer`.
  DatumDecoder(AvroSchemaPtr writer, AvroSchemaPtr reader = nullptr);
  /// Produces `target` (e.g. a declared schema, or a projection). `reader`, when given, supplies
  /// defaults and aliases for target columns named like its fields.
  DatumDecoder(AvroSchemaPtr writer, SchemaPtr target, AvroSchemaPtr reader);
  ~DatumDecoder();
  DatumDecoder(DatumDecoder&&) noexcept;
  DatumDecoder& operator=(DatumDecoder&&) noexcept;

  const SchemaPtr& output_schema() const { return target_; }
  const AvroSchema& writer() const { return *writer_; }
  /// Fresh empty columns of output_schema().
  std::vector<ColumnPtr> make_columns() const;

  /// Decodes one datum starting at `p` (not past `end`), appending one row to `columns`
  /// (output_schema() order). Returns the position just after the datum. Throws a kFormat error
  /// (no location; the caller adds file/offset) on truncated data, bad varints, lengths past the
  /// end, out-of-range union branches or enum indexes. On a throw, columns may hold a partial
  /// row: see truncate_columns().
  const uint8_t* decode(const uint8_t* p, const uint8_t* end,
                        const std::vector<ColumnPtr>& columns) const;

 private:
  AvroSchemaPtr writer_;
  AvroSchemaPtr reader_;
  SchemaPtr target_;
  std::unique_ptr<DecodeStep> root_;
};

/// Cuts every column back to `rows` rows (nested children too), e.g. to drop a partially
/// decoded row after an error.
void truncate_columns(const std::vector<ColumnPtr>& columns, size_t rows);

/// Decodes the single datum `bytes` (the whole of it: trailing bytes are an error) as one row
/// appended to `columns` (reader's or writer's velo_schema() order). Compiles the resolution
/// on every call: for a stream of messages build a DatumDecoder once.
void decode_datum(const AvroSchema& writer, const AvroSchema* reader, std::string_view bytes,
                  std::vector<ColumnPtr>& columns);

struct EncodeStep;

/// Encodes rows of columns with a writer schema: the schema's record fields are matched to
/// columns by name (case-insensitive); a field with no column is written as null (its union's
/// null branch) or its default. Types convert as the reverse of DatumDecoder (INT64 -> int
/// checks the range, TIMESTAMP -> timestamp-millis/micros/nanos, DECIMAL rescales, STRING ->
/// enum looks the symbol up). Immutable after construction.
class DatumEncoder {
 public:
  DatumEncoder(SchemaPtr schema, AvroSchemaPtr writer);
  ~DatumEncoder();
  DatumEncoder(DatumEncoder&&) noexcept;
  DatumEncoder& operator=(DatumEncoder&&) noexcept;

  const AvroSchema& writer() const { return *writer_; }
  /// Appends the encoding of row `row` of `columns` (schema order) to `out`. Throws a user error
  /// when a value does not fit the writer schema (NULL into a non-null field, int overflow,
  /// unknown enum symbol, decimal overflow, wrong fixed size).
  void encode(const std::vector<ColumnPtr>& columns, size_t row, Buffer* out) const;

 private:
  SchemaPtr schema_;
  AvroSchemaPtr writer_;
  std::unique_ptr<EncodeStep> root_;
};

/// Appends the encoding of row `row` of `batch` with `writer` to `out` (compiles every call:
/// build a DatumEncoder for a stream of rows).
void encode_datum(const AvroSchemaPtr& writer, const Batch& batch, size_t row, std::string* out);

// ---- message framing ------------------------------------------------------------------------

/// Confluent Schema Registry wire format: magic byte 0, 4-byte big-endian schema id, datum.
inline constexpr uint8_t kConfluentMagic = 0;
inline constexpr size_t kConfluentHeaderSize = 5;

struct ConfluentMessage {
  int32_t schema_id = 0;
  std::string_view datum;
};
/// Splits a Confluent-framed message; throws a kFormat error when it is shorter than 5 bytes or
/// its magic byte is not 0.
ConfluentMessage parse_confluent(std::string_view message);
/// Appends the 5-byte Confluent header for `schema_id` to `out`.
void append_confluent_header(int32_t schema_id, std::string* out);

/// Avro single-object encoding: C3 01, 8-byte little-endian CRC-64-AVRO fingerprint of the
/// writer schema's canonical form, datum.
struct SingleObjectMessage {
  uint64_t fingerprint = 0;
  std::string_view datum;
};
/// True when `message` starts with the single-object marker C3 01 and holds a fingerprint.
bool is_single_object(std::string_view message);
/// Throws a kFormat error when `message` is not single-object encoded.
SingleObjectMessage parse_single_object(std::string_view message);
void append_single_object_header(uint64_t fingerprint, std::string* out);

// ---- primitives (also used by the container format) ---------------------------------------

/// Zigzag varint long at [*p, end); advances *p. Throws kFormat on truncation or a varint
/// longer than 10 bytes.
int64_t read_long(const uint8_t** p, const uint8_t* end);
void write_long(int64_t v, Buffer* out);
void write_long(int64_t v, std::string* out);

}  // namespace velo::avro
