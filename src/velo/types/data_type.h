#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace velo {

/// Logical types of velostream (ARCHITECTURE.md §1). The physical layout of each is fixed:
/// see batch/column.h.
enum class TypeId : uint8_t {
  kNull,       // the type of a bare NULL literal; no storage
  kBoolean,    // uint8_t 0/1
  kInt32,      // int32_t
  kInt64,      // int64_t
  kDouble,     // double
  kDecimal,    // __int128 scaled by 10^scale, precision <= 38
  kString,     // int32 offsets + UTF-8 bytes
  kBytes,      // int32 offsets + bytes
  kDate,       // int32 days since 1970-01-01
  kTimestamp,  // int64 microseconds since epoch, UTC
  kInterval,   // Interval {months, days, micros}
  kStruct,     // children, one per field
  kList,       // int32 offsets + one child
  kMap,        // int32 offsets + one child STRUCT<key, value>
};

struct Field;

/// A logical type: id plus parameters (decimal precision/scale, nested children).
/// Cheap to copy for scalar types; nested children are shared immutable data.
class DataType {
 public:
  DataType() = default;
  explicit DataType(TypeId id) : id_(id) {}

  static DataType null() { return DataType(TypeId::kNull); }
  static DataType boolean() { return DataType(TypeId::kBoolean); }
  static DataType int32() { return DataType(TypeId::kInt32); }
  static DataType int64() { return DataType(TypeId::kInt64); }
  static DataType float64() { return DataType(TypeId::kDouble); }
  static DataType decimal(int precision, int scale);
  static DataType string() { return DataType(TypeId::kString); }
  static DataType bytes() { return DataType(TypeId::kBytes); }
  static DataType date() { return DataType(TypeId::kDate); }
  static DataType timestamp() { return DataType(TypeId::kTimestamp); }
  static DataType interval() { return DataType(TypeId::kInterval); }
  static DataType struct_of(std::vector<Field> fields);
  static DataType list_of(DataType element);
  static DataType map_of(DataType key, DataType value);

  TypeId id() const { return id_; }
  int precision() const { return precision_; }
  int scale() const { return scale_; }
  /// Struct fields; for LIST one field "element"; for MAP one field "entries" (STRUCT<key,value>).
  const std::vector<Field>& children() const;

  bool is_numeric() const {
    return id_ == TypeId::kInt32 || id_ == TypeId::kInt64 || id_ == TypeId::kDouble ||
           id_ == TypeId::kDecimal;
  }
  bool is_integer() const { return id_ == TypeId::kInt32 || id_ == TypeId::kInt64; }
  bool is_nested() const {
    return id_ == TypeId::kStruct || id_ == TypeId::kList || id_ == TypeId::kMap;
  }
  /// STRING and BYTES: offsets + heap layout.
  bool is_binary_like() const { return id_ == TypeId::kString || id_ == TypeId::kBytes; }
  /// Bytes per value for fixed-width types; 0 for var-width, nested and NULL.
  int fixed_width() const;

  /// SQL spelling: "DECIMAL(10,2)", "LIST<INT64>", "STRUCT<a INT32, b STRING>".
  std::string to_string() const;

  bool operator==(const DataType& other) const;
  bool operator!=(const DataType& other) const { return !(*this == other); }

 private:
  TypeId id_ = TypeId::kNull;
  uint8_t precision_ = 0;
  uint8_t scale_ = 0;
  std::shared_ptr<const std::vector<Field>> children_;
};

/// A named, typed column of a schema or struct.
struct Field {
  std::string name;
  DataType type;
  bool nullable = true;

  bool operator==(const Field& other) const {
    return name == other.name && type == other.type && nullable == other.nullable;
  }
};

/// An ordered list of fields. Shared immutable data between batches of one stream.
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  const Field& field(size_t i) const { return fields_[i]; }
  size_t size() const { return fields_.size(); }
  /// Index of the field named `name` (case-insensitive), or -1.
  int find(std::string_view name) const;
  std::string to_string() const;
  bool operator==(const Schema& other) const { return fields_ == other.fields_; }

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

/// Case-insensitive ASCII equality, the rule for SQL identifiers.
bool iequals(std::string_view a, std::string_view b);

/// The smallest type both `a` and `b` convert to implicitly (numeric widening, NULL to anything,
/// DATE to TIMESTAMP), or nullopt-like kNull result with ok=false when there is none.
bool common_super_type(const DataType& a, const DataType& b, DataType* out);

}  // namespace velo
