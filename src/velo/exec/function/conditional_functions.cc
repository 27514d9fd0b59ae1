// NULLIF, GREATEST / LEAST (NULLs ignored, as DuckDB) and IF / IIF. COALESCE, IFNULL and NVL
// are lazy and bound by the binder itself. Arguments are cast to their common type first.
#include "velo/exec/function/kernel_loops.h"
#include "velo/exec/function/kernel_types.h"

namespace velo {

using kernel::Tag;

namespace {

using kernel::sql_equal;
using kernel::sql_less;

/// Writes row values of one physical type: fixed width into a resized column, strings appended.
template <typename T>
struct Writer {
  Column* out;
  T* o = nullptr;
  Writer(Column* c, size_t n) : out(c) {
    if constexpr (!std::is_same_v<T, std::string_view>) {
      out->resize(n);
      o = out->values<T>();
    }
  }
  void put(size_t i, const T& v) {
    if constexpr (std::is_same_v<T, std::string_view>)
      out->append_string(v);
    else
      o[i] = v;
  }
  void put_null(size_t i) {
    if constexpr (std::is_same_v<T, std::string_view>) {
      out->append_null();
    } else {
      o[i] = T{};
      out->set_null(i);
    }
  }
};

// NULLIF(a, b): a, or NULL where a = b.
template <typename T>
void nullif_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  Writer<T> w(out, ctx.rows);
  kernel::visit_args<T, T>(args[0], args[1], [&](auto a, auto b) {
    for (size_t i = 0; i < ctx.rows; ++i) {
      if (args[0].is_null(i) || (!args[1].is_null(i) && sql_equal<T>(a[i], b[i])))
        w.put_null(i);
      else
        w.put(i, a[i]);
    }
  });
}

void nullif_nested_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                          Column* out) {
  for (size_t i = 0; i < ctx.rows; ++i) {
    const Column& a = *args[0].column;
    size_t ia = args[0].index(i);
    bool same = !a.is_null(ia) && !args[1].is_null(i) &&
                a.value_at(ia).compare(args[1].column->value_at(args[1].index(i))) == 0;
    if (same)
      out->append_null();
    else
      out->append_from(a, ia);
  }
}

// GREATEST / LEAST: column at a time, keeping the best value seen per row.
template <typename T, bool kGreatest>
void extreme_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  size_t n = ctx.rows;
  std::vector<T> best(n);
  std::vector<uint8_t> have(n, 0);
  for (const ArgVector& a : args) {
    bool nulls = a.column->has_validity();
    kernel::visit_arg<T>(a, [&](auto v) {
      for (size_t i = 0; i < n; ++i) {
        if (nulls && a.is_null(i)) continue;
        T x = v[i];
        bool better = !have[i] || (kGreatest ? sql_less<T>(best[i], x) : sql_less<T>(x, best[i]));
        if (better) best[i] = x;
        have[i] = 1;
      }
    });
  }
  Writer<T> w(out, n);
  for (size_t i = 0; i < n; ++i) {
    if (have[i])
      w.put(i, best[i]);
    else
      w.put_null(i);
  }
}

template <bool kGreatest>
void extreme_nested_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                           Column* out) {
  for (size_t i = 0; i < ctx.rows; ++i) {
    int pick = -1;
    Value best;
    for (size_t k = 0; k < args.size(); ++k) {
      if (args[k].is_null(i)) continue;
      Value v = args[k].column->value_at(args[k].index(i));
      int c = pick < 0 ? 1 : (kGreatest ? v.compare(best) : best.compare(v));
      if (c > 0) pick = static_cast<int>(k), best = std::move(v);
    }
    if (pick < 0)
      out->append_null();
    else
      out->append_from(*args[pick].column, args[pick].index(i));
  }
}

// IF(cond, a, b): a where cond is TRUE, else b (NULL cond picks b).
template <typename T>
void if_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const ArgVector& c = args[0];
  const uint8_t* cv = c.column->values<uint8_t>();
  Writer<T> w(out, ctx.rows);
  kernel::visit_args<T, T>(args[1], args[2], [&](auto a, auto b) {
    for (size_t i = 0; i < ctx.rows; ++i) {
      bool take_a = !c.is_null(i) && cv[c.index(i)];
      const ArgVector& src = take_a ? args[1] : args[2];
      if (src.is_null(i))
        w.put_null(i);
      else
        w.put(i, take_a ? a[i] : b[i]);
    }
  });
}

void if_nested_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const ArgVector& c = args[0];
  for (size_t i = 0; i < ctx.rows; ++i) {
    bool take_a = !c.is_null(i) && c.column->value<uint8_t>(c.index(i));
    const ArgVector& src = take_a ? args[1] : args[2];
    out->append_from(*src.column, src.index(i));
  }
}

template <template <typename> class K>
ScalarKernel typed(const DataType& t, ScalarKernel nested) {
  if (t.is_nested()) return nested;
  return kernel::dispatch_physical(
      t.id(), [](auto tag) -> ScalarKernel { return &K<typename decltype(tag)::type>::run; });
}

template <typename T>
struct NullifK {
  static void run(const KernelContext& c, const std::vector<ArgVector>& a, Column* o) {
    nullif_kernel<T>(c, a, o);
  }
};
template <typename T>
struct GreatestK {
  static void run(const KernelContext& c, const std::vector<ArgVector>& a, Column* o) {
    extreme_kernel<T, true>(c, a, o);
  }
};
template <typename T>
struct LeastK {
  static void run(const KernelContext& c, const std::vector<ArgVector>& a, Column* o) {
    extreme_kernel<T, false>(c, a, o);
  }
};
template <typename T>
struct IfK {
  static void run(const KernelContext& c, const std::vector<ArgVector>& a, Column* o) {
    if_kernel<T>(c, a, o);
  }
};

BoundScalar bind_nullif(const std::vector<BindArg>& args) {
  kernel::check_arity("NULLIF", args, 2, 2);
  DataType t = kernel::comparison_type_of(args, "NULLIF");
  BoundScalar b = kernel::make_bound(t, {t, t}, typed<NullifK>(t, &nullif_nested_kernel));
  b.propagates_nulls = false;
  return b;
}

template <bool kGreatest>
BoundScalar bind_extreme(const std::vector<BindArg>& args) {
  const char* name = kGreatest ? "GREATEST" : "LEAST";
  if (args.empty()) throw_user_error("{}() needs at least one argument", name);
  DataType t = kernel::comparison_type_of(args, name);
  BoundScalar b = kernel::make_bound(t, std::vector<DataType>(args.size(), t),
                                     kGreatest ? typed<GreatestK>(t, &extreme_nested_kernel<true>)
                                               : typed<LeastK>(t, &extreme_nested_kernel<false>));
  b.propagates_nulls = false;
  return b;
}

BoundScalar bind_if(const std::vector<BindArg>& args) {
  kernel::check_arity("IF", args, 3, 3);
  if (args[0].type.id() != TypeId::kBoolean && args[0].type.id() != TypeId::kNull)
    throw_user_error("IF needs a BOOLEAN condition, got {}", args[0].type.to_string());
  DataType t = kernel::comparison_type_of({args[1], args[2]}, "IF");
  BoundScalar b =
      kernel::make_bound(t, {DataType::boolean(), t, t}, typed<IfK>(t, &if_nested_kernel));
  b.propagates_nulls = false;
  return b;
}

}  // namespace

void register_conditional_functions(FunctionRegistry& r) {
  r.add_scalar({"NULLIF", bind_nullif, "NULLIF(a, b): NULL when a = b, else a"});
  r.add_scalar({"GREATEST", bind_extreme<true>, "largest argument, NULLs ignored"});
  r.add_scalar({"LEAST", bind_extreme<false>, "smallest argument, NULLs ignored"});
  r.add_scalar({"IF", bind_if, "IF(cond, a, b): a when cond is TRUE, else b"});
  r.add_alias("IIF", "IF");
}

}  // namespace velo
