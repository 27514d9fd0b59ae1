#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "velo/formats/parquet/parquet_metadata.h"
#include "velo/types/data_type.h"

namespace velo::parquet {

/// How a leaf's physical values become our column values (decided once per column, applied to
/// whole pages).
enum class Conversion : uint8_t {
  kBoolean,
  kInt32,            // INT32 -> INT32
  kInt32ToInt64,     // UINT_32 -> INT64 (zero-extended)
  kInt32Date,        // DATE
  kInt32Decimal,     // DECIMAL stored as INT32
  kInt32TimeMillis,  // TIME(MILLIS) -> INT64 micros
  kInt64,            // INT64 (also UINT_64 bit pattern, TIME micros)
  kInt64Decimal,
  kInt64TimestampMillis,
  kInt64TimestampMicros,
  kInt64TimestampNanos,
  kInt64TimeNanos,  // TIME(NANOS) -> INT64 micros
  kInt96Timestamp,
  kFloat,  // FLOAT -> DOUBLE
  kDouble,
  kBinaryString,   // BYTE_ARRAY / FLBA -> STRING
  kBinaryBytes,    // BYTE_ARRAY / FLBA -> BYTES
  kBinaryDecimal,  // big-endian two's complement BYTE_ARRAY / FLBA -> DECIMAL
  kUuid,           // FLBA(16) -> STRING "8-4-4-4-12"
  kFloat16,        // FLBA(2) -> DOUBLE
  kInterval,       // FLBA(12) months/days/millis -> INTERVAL
};

/// One primitive column of the file (a leaf of the schema tree).
struct LeafInfo {
  int index = 0;     // position among leaves = position in RowGroup.columns
  std::string path;  // dotted path for messages
  PhysicalType physical = PhysicalType::kInt32;
  int32_t type_length = 0;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  DataType type;  // output type of the values
  Conversion conversion = Conversion::kInt32;
  int scale = 0;  // decimal scale
};

/// A node of the output column tree, with the levels that drive assembly.
struct OutputNode {
  enum class Kind : uint8_t { kLeaf, kStruct, kList };
  Kind kind = Kind::kLeaf;
  DataType type;
  /// The value is non-null when the definition level >= def_level.
  int16_t def_level = 0;
  /// LIST/MAP: the list has >= 1 element when def >= elem_def; new elements repeat at rep_level.
  int16_t elem_def = 0;
  int16_t rep_level = 0;
  int leaf = -1;  // kLeaf: LeafInfo index
  std::vector<OutputNode> children;
};

/// The file's schema as our types plus the trees that map leaves to output columns.
struct FileSchema {
  std::vector<LeafInfo> leaves;
  std::vector<OutputNode> fields;  // one per top-level field
  SchemaPtr schema;                // top-level fields as our Schema
  /// Leaves (in file order) under each top-level field.
  std::vector<std::vector<int>> field_leaves;
};

/// Builds the schema tree from the flattened SchemaElement list; throws a format error (naming
/// `file`) when the tree is malformed and not-supported errors for types we cannot represent.
FileSchema build_file_schema(const std::vector<SchemaElement>& elements, const std::string& file);

}  // namespace velo::parquet
