#include "velo/io/scan_spec.h"

namespace velo {

std::string ScanPredicate::to_string(const std::string& name) const {
  auto lit = [](const Value& v) {
    return v.type().is_binary_like() || v.type().id() == TypeId::kDate ||
                   v.type().id() == TypeId::kTimestamp
               ? "'" + v.to_string() + "'"
               : v.to_string();
  };
  switch (op) {
    case Op::kEq: return name + " = " + lit(values[0]);
    case Op::kNe: return name + " <> " + lit(values[0]);
    case Op::kLt: return name + " < " + lit(values[0]);
    case Op::kLe: return name + " <= " + lit(values[0]);
    case Op::kGt: return name + " > " + lit(values[0]);
    case Op::kGe: return name + " >= " + lit(values[0]);
    case Op::kIsNull: return name + " IS NULL";
    case Op::kIsNotNull: return name + " IS NOT NULL";
    case Op::kIn: {
      std::string s = name + " IN (";
      for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + lit(values[i]);
      return s + ")";
    }
  }
  return "?";
}

}  // namespace velo
