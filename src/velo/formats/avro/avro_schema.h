#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "velo/types/data_type.h"

namespace velo::avro {

/// Avro's schema types (the spec's primitive and complex types; "error" parses as kRecord).
enum class AvroType : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

/// Logical types velostream understands. An unknown or invalid logical type (wrong base type,
/// bad decimal parameters) is ignored as the spec says: the node reads as its base type.
enum class LogicalType : uint8_t {
  kNone,
  kDecimal,               // bytes or fixed; precision, scale
  kUuid,                  // string or fixed(16)
  kDate,                  // int
  kTimeMillis,            // int
  kTimeMicros,            // long
  kTimestampMillis,       // long
  kTimestampMicros,       // long
  kTimestampNanos,        // long
  kLocalTimestampMillis,  // long
  kLocalTimestampMicros,  // long
  kLocalTimestampNanos,   // long
  kDuration,              // fixed(12): months, days, millis (little-endian uint32 each)
  kMap,                   // array of record {key, value} (Iceberg's maps with non-string keys)
};

struct AvroNode;

/// One field of a record.
struct AvroField {
  std::string name;
  std::vector<std::string> aliases;
  const AvroNode* type = nullptr;
  /// The field's "default", minified JSON (for a union: a value of the first branch).
  std::optional<std::string> default_json;
};

/// One node of a parsed schema. Named types referenced more than once (and recursive types)
/// are one node pointed to from several places. Owned by the AvroSchema.
struct AvroNode {
  AvroType type = AvroType::kNull;
  LogicalType logical = LogicalType::kNone;
  int precision = 0;                      // decimal
  int scale = 0;                          // decimal
  int64_t size = 0;                       // fixed
  std::string name;                       // full name of a record, enum or fixed ("ns.Name")
  std::vector<std::string> aliases;       // full names
  std::vector<std::string> symbols;       // enum
  std::vector<AvroField> fields;          // record
  std::vector<const AvroNode*> branches;  // union
  const AvroNode* items = nullptr;        // array items, map values
  int null_branch = -1;                   // union: index of the "null" branch, -1 if none
  /// Smallest encoded size of a datum in bytes (0 for null and empty records): bounds the
  /// number of items a length field may claim.
  int64_t min_size = 0;

  bool is_named() const {
    return type == AvroType::kRecord || type == AvroType::kEnum || type == AvroType::kFixed;
  }
  /// Union [null, T] or [T, null]: the T branch; nullptr for any other node.
  const AvroNode* nullable_branch() const;
  /// The name after the last dot.
  std::string short_name() const;
};

/// "null", "int", "record", ... as the spec spells them.
const char* avro_type_name(AvroType type);

/// A parsed Avro schema. Immutable once built, shared between readers and threads.
class AvroSchema {
 public:
  /// Parses schema JSON. Throws a kFormat error on malformed JSON or an invalid schema (unknown
  /// type, missing name/size/fields/symbols, invalid names, redefined or undefined names).
  /// Names follow the spec ([A-Za-z_][A-Za-z0-9_]*, dot-separated), except that '$' is also
  /// accepted inside names because Java's reflect API writes names such as "Outer$Inner" and
  /// files with them are common; any other character (e.g. '-') is rejected.
  static std::shared_ptr<const AvroSchema> parse(std::string_view json);

  /// The Avro schema velostream writes for `schema`: a record `record_name` (in `ns`, may be
  /// empty) with one field per column. Nullable columns become ["null", T] with default null;
  /// DECIMAL -> bytes/decimal, DATE -> int/date, TIMESTAMP -> long/timestamp-micros, INTERVAL
  /// -> fixed(12)/duration, LIST -> array, MAP<STRING,V> -> map, other MAP -> array of
  /// record {key, value}, STRUCT -> nested record. Column names that are not valid Avro names
  /// are made valid (invalid characters -> '_', leading digit prefixed with '_', duplicates
  /// suffixed "_2", ...).
  static std::shared_ptr<const AvroSchema> from_velo(const Schema& schema,
                                                     const std::string& record_name = "Record",
                                                     const std::string& ns = "");

  const AvroNode& root() const { return *root_; }

  /// Full JSON: each named type is defined once, then referenced by its full name.
  std::string to_json() const;
  /// Parsing Canonical Form (spec "Parsing Canonical Form for Schemas").
  std::string canonical_form() const;
  /// CRC-64-AVRO (Rabin) fingerprint of the canonical form, as used by single-object encoding.
  uint64_t fingerprint64() const;

  /// The velostream columns of this schema: a record's fields, or one column "value" for any
  /// other root type. Throws kNotSupported for recursive types and decimals with precision > 38.
  /// Mapping: int INT32, long INT64, float/double DOUBLE, boolean, string/enum/uuid STRING,
  /// bytes/fixed BYTES, decimal DECIMAL(p,s), date DATE, time-millis/time-micros INT64
  /// microseconds of the day, timestamp-* and local-timestamp-* TIMESTAMP (nanos truncated to
  /// micros), duration INTERVAL, array LIST (an array of record {key, value} with logicalType
  /// "map": MAP<K,V>), map MAP<STRING,T>, record STRUCT, [null,T] nullable
  /// T, [null] NULL, other unions STRUCT with one nullable field per non-null branch (named by
  /// the branch's type: "int", "string", or a named type's short name) of which at most one is
  /// set per row.
  SchemaPtr velo_schema() const;
  /// The velostream type of one node (same rules as velo_schema()).
  static DataType velo_type(const AvroNode& node);

  /// Builds from nodes already linked together (used by from_velo). Takes ownership.
  AvroSchema(std::vector<std::unique_ptr<AvroNode>> nodes, const AvroNode* root);

 private:
  std::vector<std::unique_ptr<AvroNode>> nodes_;
  const AvroNode* root_ = nullptr;
};

using AvroSchemaPtr = std::shared_ptr<const AvroSchema>;

/// The column name used when the root of a schema is not a record.
inline constexpr const char* kValueColumn = "value";

/// Field names of the STRUCT that a general union maps to, one per branch ("" for the null
/// branch), made unique.
std::vector<std::string> union_member_names(const AvroNode& union_node);

}  // namespace velo::avro
