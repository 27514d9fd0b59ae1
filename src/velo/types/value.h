#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "velo/types/data_type.h"
#include "velo/types/decimal.h"
#include "velo/types/temporal.h"

namespace velo {

/// One value of any type: for constants, printing and tests — never the hot path.
/// Storage by type: BOOLEAN/INT32/INT64/DATE/TIMESTAMP -> int64_t, DOUBLE -> double,
/// DECIMAL -> int128_t unscaled, STRING/BYTES -> std::string, INTERVAL -> Interval,
/// STRUCT/LIST -> children, MAP -> children of 2-field structs (key, value).
class Value {
 public:
  Value() = default;  // NULL of type NULL
  static Value null(DataType type) { Value v; v.type_ = std::move(type); return v; }
  static Value boolean(bool b) { return Value(DataType::boolean(), int64_t{b}); }
  static Value int32(int32_t i) { return Value(DataType::int32(), int64_t{i}); }
  static Value int64(int64_t i) { return Value(DataType::int64(), i); }
  static Value float64(double d) { return Value(DataType::float64(), d); }
  static Value decimal(int128_t unscaled, int precision, int scale) {
    return Value(DataType::decimal(precision, scale), unscaled);
  }
  static Value string(std::string s) { return Value(DataType::string(), std::move(s)); }
  static Value bytes(std::string s) { return Value(DataType::bytes(), std::move(s)); }
  static Value date(int32_t days) { return Value(DataType::date(), int64_t{days}); }
  static Value timestamp(int64_t micros) { return Value(DataType::timestamp(), micros); }
  static Value interval(Interval iv) { return Value(DataType::interval(), iv); }
  static Value nested(DataType type, std::vector<Value> children) {
    return Value(std::move(type), std::move(children));
  }

  const DataType& type() const { return type_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }

  bool as_bool() const { return std::get<int64_t>(v_) != 0; }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  int128_t as_decimal() const { return std::get<int128_t>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Interval& as_interval() const { return std::get<Interval>(v_); }
  const std::vector<Value>& children() const { return std::get<std::vector<Value>>(v_); }

  /// Display text: what `velo query` prints in a table cell. NULL prints as "NULL".
  std::string to_string() const;
  /// JSON text of this value (strings quoted, nested as objects/arrays, decimals as numbers).
  std::string to_json() const;

  /// Total order for sorting and tests: NULLs first, then by value (numeric types compare by
  /// value across types).
  int compare(const Value& other) const;
  bool operator==(const Value& other) const { return compare(other) == 0 && is_null() == other.is_null(); }

 private:
  using Storage = std::variant<std::monostate, int64_t, double, int128_t, std::string, Interval,
                               std::vector<Value>>;
  Value(DataType type, Storage v) : type_(std::move(type)), v_(std::move(v)) {}

  DataType type_;
  Storage v_;
};

/// Appends `s` to `out` as a JSON string literal with escapes.
void append_json_string(std::string_view s, std::string* out);

}  // namespace velo
