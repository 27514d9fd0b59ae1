#include "velo/types/data_type.h"

#include <fmt/format.h>

#include <algorithm>

#include "velo/types/error.h"

namespace velo {

namespace {
const std::vector<Field>& empty_fields() {
  static const std::vector<Field> kEmpty;
  return kEmpty;
}
}  // namespace

DataType DataType::decimal(int precision, int scale) {
  if (precision < 1 || precision > 38) throw_user_error("DECIMAL precision must be 1..38, got {}", precision);
  if (scale < 0 || scale > precision)
    throw_user_error("DECIMAL scale must be 0..{}, got {}", precision, scale);
  DataType t(TypeId::kDecimal);
  t.precision_ = static_cast<uint8_t>(precision);
  t.scale_ = static_cast<uint8_t>(scale);
  return t;
}

DataType DataType::struct_of(std::vector<Field> fields) {
  DataType t(TypeId::kStruct);
  t.children_ = std::make_shared<const std::vector<Field>>(std::move(fields));
  return t;
}

DataType DataType::list_of(DataType element) {
  DataType t(TypeId::kList);
  t.children_ = std::make_shared<const std::vector<Field>>(
      std::vector<Field>{Field{"element", std::move(element), true}});
  return t;
}

DataType DataType::map_of(DataType key, DataType value) {
  DataType t(TypeId::kMap);
  DataType entries = struct_of({Field{"key", std::move(key), false}, Field{"value", std::move(value), true}});
  t.children_ = std::make_shared<const std::vector<Field>>(
      std::vector<Field>{Field{"entries", std::move(entries), false}});
  return t;
}

const std::vector<Field>& DataType::children() const {
  return children_ ? *children_ : empty_fields();
}

int DataType::fixed_width() const {
  switch (id_) {
    case TypeId::kBoolean: return 1;
    case TypeId::kInt32:
    case TypeId::kDate: return 4;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kDouble: return 8;
    case TypeId::kDecimal:
    case TypeId::kInterval: return 16;
    default: return 0;
  }
}

std::string DataType::to_string() const {
  switch (id_) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInt32: return "INT32";
    case TypeId::kInt64: return "INT64";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kDecimal: return fmt::format("DECIMAL({},{})", precision_, scale_);
    case TypeId::kString: return "STRING";
    case TypeId::kBytes: return "BYTES";
    case TypeId::kDate: return "DATE";
    case TypeId::kTimestamp: return "TIMESTAMP";
    case TypeId::kInterval: return "INTERVAL";
    case TypeId::kStruct: {
      std::string s = "STRUCT<";
      for (size_t i = 0; i < children().size(); ++i) {
        if (i) s += ", ";
        s += children()[i].name + " " + children()[i].type.to_string();
      }
      return s + ">";
    }
    case TypeId::kList: return "LIST<" + children()[0].type.to_string() + ">";
    case TypeId::kMap: {
      const auto& kv = children()[0].type.children();
      return "MAP<" + kv[0].type.to_string() + ", " + kv[1].type.to_string() + ">";
    }
  }
  return "?";
}

bool DataType::operator==(const DataType& other) const {
  if (id_ != other.id_ || precision_ != other.precision_ || scale_ != other.scale_) return false;
  if (!is_nested()) return true;
  return children() == other.children();
}

int Schema::find(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i)
    if (iequals(fields_[i].name, name)) return static_cast<int>(i);
  return -1;
}

std::string Schema::to_string() const {
  std::string s;
  for (const auto& f : fields_) s += fmt::format("{} {}\n", f.name, f.type.to_string());
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

namespace {
// Digits before the decimal point that an integer type needs.
int integer_digits(TypeId id) { return id == TypeId::kInt32 ? 10 : 19; }
}  // namespace

bool common_super_type(const DataType& a, const DataType& b, DataType* out) {
  if (a == b) { *out = a; return true; }
  if (a.id() == TypeId::kNull) { *out = b; return true; }
  if (b.id() == TypeId::kNull) { *out = a; return true; }
  TypeId x = a.id(), y = b.id();
  if (a.is_numeric() && b.is_numeric()) {
    if (x == TypeId::kDouble || y == TypeId::kDouble) { *out = DataType::float64(); return true; }
    if (x == TypeId::kDecimal || y == TypeId::kDecimal) {
      int scale = std::max(a.scale(), b.scale());
      int int_digits = std::max(x == TypeId::kDecimal ? a.precision() - a.scale() : integer_digits(x),
                                y == TypeId::kDecimal ? b.precision() - b.scale() : integer_digits(y));
      *out = DataType::decimal(std::min(38, int_digits + scale), scale);
      return true;
    }
    *out = DataType::int64();
    return true;
  }
  if ((x == TypeId::kDate && y == TypeId::kTimestamp) || (x == TypeId::kTimestamp && y == TypeId::kDate)) {
    *out = DataType::timestamp();
    return true;
  }
  if (a.is_binary_like() && b.is_binary_like()) { *out = DataType::bytes(); return true; }
  return false;
}

}  // namespace velo
