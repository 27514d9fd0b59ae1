// Comparison operators (= <> < <= > >=) for every orderable type, IN over a list, and
// LIKE / ILIKE. Arguments are compared in their common type (kernel_types.h), so numbers of
// different widths, DECIMAL vs DOUBLE, DATE vs TIMESTAMP and STRING vs anything (the string is
// cast) all reach one same-type kernel. DOUBLE follows DuckDB's total order: NaN = NaN and NaN
// is greater than every other value.
#include <memory>
#include <unordered_set>

#include "velo/exec/function/cast.h"
#include "velo/exec/function/kernel_loops.h"
#include "velo/exec/function/kernel_types.h"
#include "velo/exec/function/like_matcher.h"
#include "velo/types/temporal.h"

namespace velo {

using kernel::binary_kernel;
using kernel::make_bound;
using kernel::Tag;

namespace {

enum class Cmp { kEq, kNe, kLt, kLe, kGt, kGe };

using kernel::interval_key;

template <typename T>
inline bool equal(const T& a, const T& b) {
  return kernel::sql_equal(a, b);
}
template <typename T>
inline bool less(const T& a, const T& b) {
  return kernel::sql_less(a, b);
}

template <Cmp kCmp, typename T>
inline bool compare(const T& a, const T& b) {
  if constexpr (kCmp == Cmp::kEq)
    return equal(a, b);
  else if constexpr (kCmp == Cmp::kNe)
    return !equal(a, b);
  else if constexpr (kCmp == Cmp::kLt)
    return less(a, b);
  else if constexpr (kCmp == Cmp::kLe)
    return !less(b, a);
  else if constexpr (kCmp == Cmp::kGt)
    return less(b, a);
  else
    return !less(a, b);
}

template <typename T, Cmp kCmp>
struct CompareOp : kernel::NoFail {
  using A = T;
  using B = T;
  using Out = uint8_t;
  CompareOp(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(const T& a, const T& b, uint8_t& r) const {
    r = compare<kCmp>(a, b);
    return true;
  }
};

// Nested values (STRUCT, LIST, MAP): element-wise through Value, the slow path.
template <Cmp kCmp>
void nested_compare_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                           Column* out) {
  out->resize(ctx.rows);
  uint8_t* o = out->values<uint8_t>();
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (kernel::any_null(args, i)) {
      o[i] = 0;
      continue;
    }
    int c = args[0]
                .column->value_at(args[0].index(i))
                .compare(args[1].column->value_at(args[1].index(i)));
    o[i] = compare<kCmp>(c, 0);
  }
}

template <Cmp kCmp>
ScalarKernel compare_kernel(const DataType& t) {
  if (t.is_nested()) return &nested_compare_kernel<kCmp>;
  return kernel::dispatch_physical(t.id(), [](auto tag) -> ScalarKernel {
    using T = typename decltype(tag)::type;
    return &binary_kernel<CompareOp<T, kCmp>>;
  });
}

template <Cmp kCmp>
BoundScalar bind_compare(const std::vector<BindArg>& args, const char* name) {
  kernel::check_arity(name, args, 2, 2);
  DataType t;
  if (!kernel::comparison_type(args[0].type, args[1].type, &t))
    throw_user_error("cannot compare {} and {}", args[0].type.to_string(),
                     args[1].type.to_string());
  if (t.id() == TypeId::kNull) t = DataType::int32();
  return make_bound(DataType::boolean(), {t, t}, compare_kernel<kCmp>(t));
}

// ---- IN ------------------------------------------------------------------------------------

struct Int128Hash {
  size_t operator()(int128_t v) const {
    uint64_t lo = static_cast<uint64_t>(v), hi = static_cast<uint64_t>(v >> 64);
    return std::hash<uint64_t>()(lo ^ (hi * 0x9E3779B97F4A7C15ull));
  }
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct DoubleEq {
  bool operator()(double a, double b) const { return equal(a, b); }
};
struct DoubleHash {
  size_t operator()(double d) const {
    if (d != d) return 0x7FF8;  // every NaN alike
    return std::hash<double>()(d);
  }
};

/// The hash set of a constant IN list, keyed by the physical type of the common type.
template <typename T>
struct InSet {
  using Set = std::conditional_t<
      std::is_same_v<T, std::string_view>,
      std::unordered_set<std::string, StringHash, std::equal_to<>>,
      std::conditional_t<
          std::is_same_v<T, double>, std::unordered_set<double, DoubleHash, DoubleEq>,
          std::conditional_t<std::is_same_v<T, int128_t> || std::is_same_v<T, Interval>,
                             std::unordered_set<int128_t, Int128Hash>, std::unordered_set<T>>>>;
  Set set;
  bool has_null = false;

  static auto key(const T& v) {
    if constexpr (std::is_same_v<T, Interval>)
      return interval_key(v);
    else
      return v;
  }
  void add(const Value& v) {
    if constexpr (std::is_same_v<T, std::string_view>)
      set.insert(v.as_string());
    else if constexpr (std::is_same_v<T, double>)
      set.insert(v.as_double());
    else if constexpr (std::is_same_v<T, int128_t>)
      set.insert(v.as_decimal());
    else if constexpr (std::is_same_v<T, Interval>)
      set.insert(interval_key(v.as_interval()));
    else
      set.insert(static_cast<T>(v.as_int()));
  }
  bool contains(const T& v) const { return set.find(key(v)) != set.end(); }
};

// x IN (constants): one hash probe per row. NULL when x is NULL, or when not found and the list
// holds a NULL.
template <typename T>
void in_set_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const auto& s = *static_cast<const InSet<T>*>(ctx.state);
  size_t n = ctx.rows;
  out->resize(n);
  uint8_t* o = out->values<uint8_t>();
  kernel::visit_arg<T>(args[0], [&](auto x) {
    for (size_t i = 0; i < n; ++i) o[i] = s.contains(x[i]);
  });
  if (s.has_null)
    for (size_t i = 0; i < n; ++i)
      if (!o[i]) out->set_null(i);
  if (args[0].column->has_validity())
    for (size_t i = 0; i < n; ++i)
      if (args[0].is_null(i)) out->set_null(i);
}

// x IN (expressions): x = a OR x = b OR ..., one column-at-a-time pass per list item.
template <typename T>
void in_list_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  size_t n = ctx.rows;
  out->resize(n);
  uint8_t* found = out->values<uint8_t>();
  std::fill(found, found + n, 0);
  std::vector<uint8_t> saw_null(n, 0);
  for (size_t k = 1; k < args.size(); ++k) {
    kernel::visit_args<T, T>(args[0], args[k], [&](auto x, auto y) {
      for (size_t i = 0; i < n; ++i) found[i] |= equal<T>(x[i], y[i]);
    });
    if (args[k].column->has_validity())
      for (size_t i = 0; i < n; ++i) saw_null[i] |= args[k].is_null(i);
  }
  // A NULL item's slot may hold any value: a "match" there does not count.
  for (size_t i = 0; i < n; ++i) {
    if (args[0].is_null(i)) {
      out->set_null(i);
    } else if (saw_null[i]) {
      bool real = false;
      for (size_t k = 1; k < args.size() && !real; ++k)
        if (!args[k].is_null(i)) {
          kernel::visit_args<T, T>(args[0], args[k],
                                   [&](auto x, auto y) { real = equal<T>(x[i], y[i]); });
        }
      found[i] = real;
      if (!real) out->set_null(i);
    }
  }
}

BoundScalar bind_in(const std::vector<BindArg>& args) {
  if (args.size() < 2) throw_user_error("IN needs at least one list item");
  DataType t = kernel::comparison_type_of(args, "IN");
  if (t.is_nested()) throw_not_supported("IN on {}", t.to_string());
  bool all_constant = true;
  for (size_t k = 1; k < args.size(); ++k) all_constant &= args[k].constant != nullptr;
  BoundScalar b;
  b.return_type = DataType::boolean();
  b.propagates_nulls = false;
  if (all_constant) {
    b.arg_types.push_back(t);
    for (size_t k = 1; k < args.size(); ++k) b.arg_types.push_back(args[k].type);  // unused
    kernel::dispatch_physical(t.id(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto set = std::make_shared<InSet<T>>();
      for (size_t k = 1; k < args.size(); ++k) {
        const Value& v = *args[k].constant;
        if (v.is_null())
          set->has_null = true;
        else
          set->add(cast_value(v, t));
      }
      b.state = set;
      b.kernel = &in_set_kernel<T>;
    });
    return b;
  }
  b.arg_types.assign(args.size(), t);
  b.kernel = kernel::dispatch_physical(t.id(), [](auto tag) -> ScalarKernel {
    return &in_list_kernel<typename decltype(tag)::type>;
  });
  return b;
}

// ---- LIKE / ILIKE --------------------------------------------------------------------------

template <bool kFold>
void like_const_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const auto& m = *static_cast<const LikeMatcher*>(ctx.state);
  size_t n = ctx.rows;
  out->resize(n);
  uint8_t* o = out->values<uint8_t>();
  std::string scratch;
  kernel::visit_arg<std::string_view>(args[0], [&](auto x) {
    for (size_t i = 0; i < n; ++i) o[i] = m.matches(x[i], kFold ? &scratch : nullptr);
  });
}

template <bool kFold>
void like_dynamic_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                         Column* out) {
  size_t n = ctx.rows;
  out->resize(n);
  uint8_t* o = out->values<uint8_t>();
  std::string text, pattern;
  for (size_t i = 0; i < n; ++i) {
    if (kernel::any_null(args, i)) {
      o[i] = 0;
      continue;
    }
    std::string_view x = args[0].column->string_at(args[0].index(i));
    std::string_view p = args[1].column->string_at(args[1].index(i));
    int escape = -1;
    if (args.size() > 2) escape = like_escape_char(args[2].column->string_at(args[2].index(i)));
    if (kFold) {
      fold_case(x, &text);
      fold_case(p, &pattern);
      if (escape >= 'A' && escape <= 'Z') escape += 32;
      x = text;
      p = pattern;
    }
    o[i] = like_matches(x, p, escape);
  }
}

BoundScalar bind_like(const std::vector<BindArg>& args, bool fold, const char* name) {
  kernel::check_arity(name, args, 2, 3);
  for (const auto& a : args)
    if (a.type.is_nested()) kernel::throw_no_overload(name, args);
  const DataType s = DataType::string();
  BoundScalar b = make_bound(DataType::boolean(), std::vector<DataType>(args.size(), s),
                             fold ? &like_dynamic_kernel<true> : &like_dynamic_kernel<false>);
  auto text_of = [&](const BindArg& a) { return cast_value(*a.constant, s); };
  bool constant = args[1].constant && !args[1].constant->is_null();
  if (args.size() > 2) constant &= args[2].constant && !args[2].constant->is_null();
  if (!constant) return b;
  int escape = args.size() > 2 ? like_escape_char(text_of(args[2]).as_string()) : -1;
  b.state = std::make_shared<LikeMatcher>(text_of(args[1]).as_string(), escape, fold);
  b.kernel = fold ? &like_const_kernel<true> : &like_const_kernel<false>;
  return b;
}

}  // namespace

void register_comparison_functions(FunctionRegistry& r) {
  r.add_scalar({"=", [](const auto& a) { return bind_compare<Cmp::kEq>(a, "="); }, "equal"});
  r.add_scalar({"<>", [](const auto& a) { return bind_compare<Cmp::kNe>(a, "<>"); }, "not equal"});
  r.add_scalar({"<", [](const auto& a) { return bind_compare<Cmp::kLt>(a, "<"); }, "less than"});
  r.add_scalar(
      {"<=", [](const auto& a) { return bind_compare<Cmp::kLe>(a, "<="); }, "less than or equal"});
  r.add_scalar({">", [](const auto& a) { return bind_compare<Cmp::kGt>(a, ">"); }, "greater than"});
  r.add_scalar({">=", [](const auto& a) { return bind_compare<Cmp::kGe>(a, ">="); },
                "greater than or equal"});
  r.add_scalar({"IN", bind_in, "x IN (a, b, ...): hash lookup for constant lists"});
  r.add_scalar({"LIKE", [](const auto& a) { return bind_like(a, false, "LIKE"); },
                "pattern match: % any run, _ one character, optional ESCAPE"});
  r.add_scalar({"ILIKE", [](const auto& a) { return bind_like(a, true, "ILIKE"); },
                "case-insensitive LIKE"});
}

}  // namespace velo
