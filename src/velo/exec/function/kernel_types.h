#pragma once

// Type resolution shared by the scalar families at bind time: which type two arguments are
// compared or combined in, and how decimal arithmetic sizes its result (DuckDB's rules).

#include <algorithm>
#include <string>
#include <vector>

#include "velo/exec/function/function.h"
#include "velo/types/error.h"

namespace velo::kernel {

/// The type two values are compared in: the common super type, else the non-STRING side when
/// the other is a STRING (ts >= '2024-03-01' compares timestamps). False when incompatible.
inline bool comparison_type(const DataType& a, const DataType& b, DataType* out) {
  if (common_super_type(a, b, out)) return true;
  if (a.id() == TypeId::kString && !b.is_nested()) return *out = b, true;
  if (b.id() == TypeId::kString && !a.is_nested()) return *out = a, true;
  return false;
}

/// comparison_type over every argument (GREATEST, IN, NULLIF); a lone NULL becomes INT32.
inline DataType comparison_type_of(const std::vector<BindArg>& args, const char* what) {
  DataType t = DataType::null();
  for (const auto& a : args) {
    DataType next;
    if (!comparison_type(t, a.type, &next))
      throw_user_error("{}: types {} and {} are not compatible", what, t.to_string(),
                       a.type.to_string());
    t = next;
  }
  return t.id() == TypeId::kNull ? DataType::int32() : t;
}

/// Integer types as DECIMAL(10,0) / DECIMAL(19,0), for decimal arithmetic.
inline DataType as_decimal(const DataType& t) {
  if (t.id() == TypeId::kInt32) return DataType::decimal(10, 0);
  if (t.id() == TypeId::kInt64) return DataType::decimal(19, 0);
  if (t.id() == TypeId::kBoolean) return DataType::decimal(1, 0);
  return t;
}

/// DECIMAL(p, s) rescaled to scale `s`: as many integer digits, at most 38 digits.
inline DataType decimal_at_scale(const DataType& t, int s) {
  return DataType::decimal(std::min(38, std::max(1, t.precision() - t.scale() + s)), s);
}

/// A user-facing list of argument types: "INT32, STRING".
inline std::string type_list(const std::vector<BindArg>& args) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i].type.to_string();
  return s;
}

[[noreturn]] inline void throw_no_overload(const std::string& name,
                                           const std::vector<BindArg>& args) {
  throw_user_error("no overload of {}({})", name, type_list(args));
}

inline void check_arity(const std::string& name, const std::vector<BindArg>& args, size_t lo,
                        size_t hi) {
  if (args.size() < lo || args.size() > hi) {
    if (lo == hi)
      throw_user_error("{}() takes {} argument{}, got {}", name, lo, lo == 1 ? "" : "s",
                       args.size());
    throw_user_error("{}() takes {} to {} arguments, got {}", name, lo, hi, args.size());
  }
}

/// A BoundScalar with the given result, implicit argument casts and kernel.
inline BoundScalar make_bound(DataType ret, std::vector<DataType> arg_types, ScalarKernel k) {
  BoundScalar b;
  b.return_type = std::move(ret);
  b.arg_types = std::move(arg_types);
  b.kernel = k;
  return b;
}

}  // namespace velo::kernel
