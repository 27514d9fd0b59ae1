#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "velo/exec/function/function.h"
#include "velo/types/error.h"

/// Small building blocks shared by the string, date/time and JSON function families: typed
/// argument access for kernels and the bind-time plumbing (arity checks, argument types).
namespace velo::fn {

/// Row i of a STRING/BYTES argument.
inline std::string_view str_arg(const ArgVector& a, size_t i) {
  return a.column->string_at(a.index(i));
}

/// Row i of an INT32 or INT64 argument (the bind step keeps integer arguments as they are so
/// kernels need no cast for them).
inline int64_t int_arg(const ArgVector& a, size_t i) {
  size_t k = a.index(i);
  return a.column->type().id() == TypeId::kInt32 ? a.column->value<int32_t>(k)
                                                 : a.column->value<int64_t>(k);
}

/// The argument type a kernel reading integers accepts: INT32/INT64 stay, anything else (NULL,
/// DOUBLE, DECIMAL, STRING) is cast to INT64.
inline DataType integer_type(const DataType& t) { return t.is_integer() ? t : DataType::int64(); }

/// "INT32, STRING" for error messages.
inline std::string type_list(const std::vector<BindArg>& args) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i].type.to_string();
  return s;
}

[[noreturn]] inline void no_overload(const std::string& name, const std::vector<BindArg>& args,
                                     const char* expected) {
  throw_user_error("no overload of {}({}); expected {}({})", name, type_list(args), name, expected);
}

inline void check_arity(const std::string& name, const std::vector<BindArg>& args, size_t min,
                        size_t max, const char* expected) {
  if (args.size() < min || args.size() > max) no_overload(name, args, expected);
}

/// True when the argument is a constant NULL.
inline bool is_null_constant(const BindArg& a) {
  return a.type.id() == TypeId::kNull || (a.constant && a.constant->is_null());
}

inline BoundScalar bound(DataType ret, std::vector<DataType> arg_types, ScalarKernel kernel,
                         bool propagates_nulls = true) {
  BoundScalar b;
  b.return_type = std::move(ret);
  b.arg_types = std::move(arg_types);
  b.kernel = kernel;
  b.propagates_nulls = propagates_nulls;
  return b;
}

/// Registers a function with `bind` under `name` and the given aliases.
inline void add_function(FunctionRegistry& r, const char* name,
                         std::function<BoundScalar(const std::vector<BindArg>&)> bind,
                         const char* description, std::initializer_list<const char*> aliases = {}) {
  r.add_scalar(ScalarFunction{name, std::move(bind), description});
  for (const char* a : aliases) r.add_alias(a, name);
}

/// Sizes a fixed-width output column for `rows` rows and returns its values.
template <typename T>
T* fixed_output(Column* out, size_t rows) {
  out->resize(rows);
  return out->values<T>();
}

}  // namespace velo::fn
