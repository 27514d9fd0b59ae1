// Arithmetic operators: + - * / % NEGATE || over numbers (exact decimals on int128, overflow
// checked integers), dates, timestamps and intervals. Semantics follow DuckDB: INT32 op INT32
// stays INT32 and errors on overflow, `/` returns DOUBLE, x / 0 and x % 0 are NULL.
#include <cmath>
#include <cstring>
#include <limits>

#include "velo/exec/function/kernel_loops.h"
#include "velo/exec/function/kernel_types.h"
#include "velo/types/decimal.h"
#include "velo/types/temporal.h"

namespace velo {

using kernel::binary_kernel;
using kernel::make_bound;
using kernel::unary_kernel;

namespace {

enum class Op { kAdd, kSub, kMul };

constexpr const char* op_word(Op op) {
  return op == Op::kAdd ? "addition" : op == Op::kSub ? "subtraction" : "multiplication";
}
constexpr const char* op_symbol(Op op) { return op == Op::kAdd ? "+" : op == Op::kSub ? "-" : "*"; }

template <Op kOp, typename T>
bool checked(T a, T b, T& r) {
  if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
    // Branch-free forms the compiler vectorizes: wrap-around result, sign test for overflow.
    using U = std::make_unsigned_t<T>;
    if constexpr (kOp == Op::kAdd) {
      r = static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
      return ((a ^ r) & (b ^ r)) >= 0;
    } else if constexpr (kOp == Op::kSub) {
      r = static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
      return ((a ^ b) & (a ^ r)) >= 0;
    } else if constexpr (std::is_same_v<T, int32_t>) {
      int64_t wide = int64_t{a} * b;
      r = static_cast<int32_t>(wide);
      return wide == r;
    } else {
      return !__builtin_mul_overflow(a, b, &r);
    }
  } else {
    if constexpr (kOp == Op::kAdd)
      return !__builtin_add_overflow(a, b, &r);
    else if constexpr (kOp == Op::kSub)
      return !__builtin_sub_overflow(a, b, &r);
    else
      return !__builtin_mul_overflow(a, b, &r);
  }
}

std::string arg_text(const ArgVector& a, size_t i) {
  return a.column->value_at(a.index(i)).to_string();
}

/// Throws "<kind> overflow in addition of INT32 (2147483647 + 1)".
struct OverflowFail {
  const std::vector<ArgVector>* args;
  const DataType* type;
  const char* kind;
  const char* word;
  const char* symbol;
  void fail(size_t i) const {
    throw_user_error("{} overflow in {} of {} ({} {} {})", kind, word, type->to_string(),
                     arg_text((*args)[0], i), symbol, arg_text((*args)[1], i));
  }
};

// ---- numbers ---------------------------------------------------------------------------------

template <typename T, Op kOp>
struct IntArith : OverflowFail {
  using A = T;
  using B = T;
  using Out = T;
  IntArith(const KernelContext& ctx, const std::vector<ArgVector>& args, Column*)
      : OverflowFail{&args, ctx.out_type, "integer", op_word(kOp), op_symbol(kOp)} {}
  bool operator()(T a, T b, T& r) const { return checked<kOp>(a, b, r); }
};

template <Op kOp>
struct DoubleArith : kernel::NoFail {
  using A = double;
  using B = double;
  using Out = double;
  DoubleArith(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(double a, double b, double& r) const {
    if constexpr (kOp == Op::kAdd)
      r = a + b;
    else if constexpr (kOp == Op::kSub)
      r = a - b;
    else
      r = a * b;
    return true;
  }
};

/// Both arguments at the result scale for + and -; unscaled product for * (scale s1 + s2).
template <Op kOp>
struct DecimalArith : OverflowFail {
  using A = int128_t;
  using B = int128_t;
  using Out = int128_t;
  int128_t max;
  DecimalArith(const KernelContext& ctx, const std::vector<ArgVector>& args, Column*)
      : OverflowFail{&args, ctx.out_type, "decimal", op_word(kOp), op_symbol(kOp)},
        max(decimal::max_for_precision(ctx.out_type->precision())) {}
  bool operator()(int128_t a, int128_t b, int128_t& r) const {
    return checked<kOp>(a, b, r) & (r <= max) & (r >= -max);
  }
};

/// x % y, sign of the dividend; x % 0 is NULL.
template <typename T>
struct Mod : kernel::NullOnFail {
  using A = T;
  using B = T;
  using Out = T;
  Mod(const KernelContext&, const std::vector<ArgVector>&, Column* out) : NullOnFail(out) {}
  bool operator()(T a, T b, T& r) const {
    if (b == 0) return r = 0, false;
    if constexpr (std::is_same_v<T, double>) {
      r = std::fmod(a, b);
    } else {
      r = b == -1 ? 0 : a % b;  // MIN % -1 would trap
    }
    return true;
  }
};

/// x / y in DOUBLE with IEEE results, as DuckDB: 1 / 0 = Infinity, 0 / 0 = NaN (x % 0 is NULL).
struct Div : kernel::NullOnFail {
  using A = double;
  using B = double;
  using Out = double;
  Div(const KernelContext&, const std::vector<ArgVector>&, Column* out) : NullOnFail(out) {}
  bool operator()(double a, double b, double& r) const {
    r = a / b;
    return true;
  }
};

template <typename T>
struct Negate {
  using In = T;
  using Out = T;
  const std::vector<ArgVector>* args;
  const DataType* type;
  Negate(const KernelContext& ctx, const std::vector<ArgVector>& a, Column*)
      : args(&a), type(ctx.out_type) {}
  bool operator()(T a, T& r) const {
    if constexpr (std::is_same_v<T, Interval>) {
      r = Interval{-a.months, -a.days, -a.micros};
      return true;
    } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int128_t>) {
      r = -a;
      return true;
    } else {
      return !__builtin_sub_overflow(T{0}, a, &r);
    }
  }
  void fail(size_t i) const {
    throw_user_error("integer overflow in negation of {} ({})", type->to_string(),
                     arg_text((*args)[0], i));
  }
};

// ---- dates, timestamps, intervals -----------------------------------------------------------

/// DATE +/- days (kSwap: days + DATE).
template <bool kSub, bool kSwap>
struct DateAddDays {
  using A = std::conditional_t<kSwap, int64_t, int32_t>;
  using B = std::conditional_t<kSwap, int32_t, int64_t>;
  using Out = int32_t;
  DateAddDays(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(A a, B b, int32_t& r) const {
    int64_t d = kSwap ? b : a;
    int64_t n = kSwap ? a : b;
    int64_t v;
    bool ok = kSub ? !__builtin_sub_overflow(d, n, &v) : !__builtin_add_overflow(d, n, &v);
    ok &= v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    r = static_cast<int32_t>(ok ? v : 0);
    return ok;
  }
  void fail(size_t) const { throw_user_error("date out of range"); }
};

int64_t date_diff(int32_t a, int32_t b) { return int64_t{a} - b; }

Interval negate_interval(const Interval& iv) { return Interval{-iv.months, -iv.days, -iv.micros}; }

/// TIMESTAMP +/- INTERVAL (kSwap: INTERVAL + TIMESTAMP).
template <bool kSub, bool kSwap>
struct TimestampAddInterval : kernel::NoFail {
  using A = std::conditional_t<kSwap, Interval, int64_t>;
  using B = std::conditional_t<kSwap, int64_t, Interval>;
  using Out = int64_t;
  TimestampAddInterval(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(const A& a, const B& b, int64_t& r) const {
    if constexpr (kSwap)
      r = temporal::add_interval(b, a);
    else
      r = temporal::add_interval(a, kSub ? negate_interval(b) : b);
    return true;
  }
};

/// TIMESTAMP - TIMESTAMP: whole days and the rest, as DuckDB prints "1 day 01:30:00".
Interval timestamp_diff(int64_t a, int64_t b) {
  int64_t d = a - b;
  return Interval{0, static_cast<int32_t>(d / temporal::kMicrosPerDay),
                  d % temporal::kMicrosPerDay};
}

struct IntervalFail {
  void fail(size_t) const { throw_user_error("interval overflow"); }
};

template <bool kSub>
struct IntervalAdd : IntervalFail {
  using A = Interval;
  using B = Interval;
  using Out = Interval;
  IntervalAdd(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(const Interval& a, const Interval& b, Interval& r) const {
    if constexpr (kSub)
      return !__builtin_sub_overflow(a.months, b.months, &r.months) &
             !__builtin_sub_overflow(a.days, b.days, &r.days) &
             !__builtin_sub_overflow(a.micros, b.micros, &r.micros);
    else
      return !__builtin_add_overflow(a.months, b.months, &r.months) &
             !__builtin_add_overflow(a.days, b.days, &r.days) &
             !__builtin_add_overflow(a.micros, b.micros, &r.micros);
  }
};

bool scale_interval(const Interval& a, int64_t n, Interval& r) {
  int64_t m, d;
  bool ok = !__builtin_mul_overflow(int64_t{a.months}, n, &m) &
            !__builtin_mul_overflow(int64_t{a.days}, n, &d) &
            !__builtin_mul_overflow(a.micros, n, &r.micros);
  ok &= m >= INT32_MIN && m <= INT32_MAX && d >= INT32_MIN && d <= INT32_MAX;
  r.months = static_cast<int32_t>(m);
  r.days = static_cast<int32_t>(d);
  return ok;
}

/// INTERVAL * BIGINT (kSwap: BIGINT * INTERVAL).
template <bool kSwap>
struct IntervalMul : IntervalFail {
  using A = std::conditional_t<kSwap, int64_t, Interval>;
  using B = std::conditional_t<kSwap, Interval, int64_t>;
  using Out = Interval;
  IntervalMul(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(const A& a, const B& b, Interval& r) const {
    if constexpr (kSwap)
      return scale_interval(b, a, r);
    else
      return scale_interval(a, b, r);
  }
};

/// INTERVAL * DOUBLE: fractions of months carry into days (30 per month), of days into micros.
template <bool kSwap>
struct IntervalMulDouble : IntervalFail {
  using A = std::conditional_t<kSwap, double, Interval>;
  using B = std::conditional_t<kSwap, Interval, double>;
  using Out = Interval;
  IntervalMulDouble(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(const A& x, const B& y, Interval& r) const {
    const Interval* iv;
    double f;
    if constexpr (kSwap)
      iv = &y, f = x;
    else
      iv = &x, f = y;
    double months = iv->months * f;
    double days = iv->days * f + (months - std::trunc(months)) * 30;
    double micros = static_cast<double>(iv->micros) * f +
                    (days - std::trunc(days)) * static_cast<double>(temporal::kMicrosPerDay);
    bool ok = std::fabs(months) < 2147483647.0 && std::fabs(days) < 2147483647.0 &&
              std::fabs(micros) < 9.2e18;
    r.months = ok ? static_cast<int32_t>(std::trunc(months)) : 0;
    r.days = ok ? static_cast<int32_t>(std::trunc(days)) : 0;
    r.micros = ok ? static_cast<int64_t>(std::llround(micros)) : 0;
    return ok;
  }
};

/// INTERVAL / BIGINT: remainders carry down (months into 30-day units, days into micros);
/// division by zero is NULL.
struct IntervalDiv : kernel::NullOnFail {
  using A = Interval;
  using B = int64_t;
  using Out = Interval;
  IntervalDiv(const KernelContext&, const std::vector<ArgVector>&, Column* out) : NullOnFail(out) {}
  bool operator()(const Interval& a, int64_t n, Interval& r) const {
    if (n == 0) return r = Interval{}, false;
    int64_t days = int64_t{a.months % n} * 30 + a.days;  // |months % n| < |n|: no overflow
    r.months = static_cast<int32_t>(a.months / n);
    r.days = static_cast<int32_t>(days / n);
    r.micros = ((days % n) * temporal::kMicrosPerDay + a.micros) / n;
    return true;
  }
};

// ---- binding ---------------------------------------------------------------------------------

bool is_int(const DataType& t) { return t.is_integer(); }
bool is(const DataType& t, TypeId id) { return t.id() == id; }

template <Op kOp>
ScalarKernel numeric_kernel(TypeId id) {
  switch (id) {
    case TypeId::kInt32:
      return &binary_kernel<IntArith<int32_t, kOp>>;
    case TypeId::kInt64:
      return &binary_kernel<IntArith<int64_t, kOp>>;
    case TypeId::kDouble:
      return &binary_kernel<DoubleArith<kOp>>;
    case TypeId::kDecimal:
      return &binary_kernel<DecimalArith<kOp>>;
    default:
      return nullptr;
  }
}

/// Both numeric (or NULL): the result type and argument casts of + - * %.
BoundScalar bind_numeric(Op op, bool mod, const std::vector<BindArg>& args, const char* name) {
  const DataType& a = args[0].type;
  const DataType& b = args[1].type;
  DataType t;
  if (!common_super_type(a, b, &t) || !(t.is_numeric() || is(t, TypeId::kNull)))
    kernel::throw_no_overload(name, args);
  if (is(t, TypeId::kNull)) t = DataType::int32();
  if (t.id() != TypeId::kDecimal) {
    ScalarKernel k = nullptr;
    if (mod) {
      switch (t.id()) {
        case TypeId::kInt32:
          k = &binary_kernel<Mod<int32_t>>;
          break;
        case TypeId::kInt64:
          k = &binary_kernel<Mod<int64_t>>;
          break;
        default:
          k = &binary_kernel<Mod<double>>;
          break;
      }
    } else {
      k = op == Op::kAdd   ? numeric_kernel<Op::kAdd>(t.id())
          : op == Op::kSub ? numeric_kernel<Op::kSub>(t.id())
                           : numeric_kernel<Op::kMul>(t.id());
    }
    return make_bound(t, {t, t}, k);
  }
  // DuckDB's decimal sizing; integers count as DECIMAL(10,0) / DECIMAL(19,0).
  DataType da = kernel::as_decimal(is(a, TypeId::kNull) ? b : a);
  DataType db = kernel::as_decimal(is(b, TypeId::kNull) ? a : b);
  int ia = da.precision() - da.scale(), ib = db.precision() - db.scale();
  if (op == Op::kMul && !mod) {
    int s = da.scale() + db.scale();
    if (s > decimal::kMaxPrecision)
      throw_user_error("decimal multiplication {} * {}: result scale {} exceeds 38", da.to_string(),
                       db.to_string(), s);
    int p = std::min(decimal::kMaxPrecision, da.precision() + db.precision());
    return make_bound(DataType::decimal(p, s), {da, db}, &binary_kernel<DecimalArith<Op::kMul>>);
  }
  int s = std::max(da.scale(), db.scale());
  int p = std::min(decimal::kMaxPrecision, std::max(ia, ib) + s + (mod ? 0 : 1));
  DataType ca = kernel::decimal_at_scale(da, s), cb = kernel::decimal_at_scale(db, s);
  ScalarKernel k = mod              ? &binary_kernel<Mod<int128_t>>
                   : op == Op::kAdd ? &binary_kernel<DecimalArith<Op::kAdd>>
                                    : &binary_kernel<DecimalArith<Op::kSub>>;
  return make_bound(DataType::decimal(std::max(p, 1), s), {ca, cb}, k);
}

/// NULL next to a temporal type takes the type that operator expects there.
DataType null_partner(const DataType& other, bool additive) {
  switch (other.id()) {
    case TypeId::kDate:
      return DataType::int32();
    case TypeId::kTimestamp:
      return DataType::interval();
    case TypeId::kInterval:
      return additive ? DataType::interval() : DataType::int64();
    default:
      return other;
  }
}

bool is_temporal(const DataType& t) {
  return is(t, TypeId::kDate) || is(t, TypeId::kTimestamp) || is(t, TypeId::kInterval);
}

std::vector<BindArg> resolve_nulls(const std::vector<BindArg>& args, bool additive) {
  std::vector<BindArg> out = args;
  if (out.size() == 2) {
    if (is(out[0].type, TypeId::kNull) && is_temporal(out[1].type))
      out[0].type = null_partner(out[1].type, additive);
    if (is(out[1].type, TypeId::kNull) && is_temporal(out[0].type))
      out[1].type = null_partner(out[0].type, additive);
  }
  return out;
}

BoundScalar bind_add_sub(const std::vector<BindArg>& in, bool sub) {
  const char* name = sub ? "-" : "+";
  kernel::check_arity(name, in, 2, 2);
  std::vector<BindArg> args = resolve_nulls(in, true);
  const DataType& a = args[0].type;
  const DataType& b = args[1].type;
  const DataType ts = DataType::timestamp(), iv = DataType::interval(), i64 = DataType::int64();
  auto date_or_ts = [](const DataType& t) {
    return is(t, TypeId::kDate) || is(t, TypeId::kTimestamp);
  };
  if (is(a, TypeId::kDate) && is_int(b))
    return make_bound(
        DataType::date(), {a, i64},
        sub ? &binary_kernel<DateAddDays<true, false>> : &binary_kernel<DateAddDays<false, false>>);
  if (!sub && is_int(a) && is(b, TypeId::kDate))
    return make_bound(DataType::date(), {i64, b}, &binary_kernel<DateAddDays<false, true>>);
  if (sub && is(a, TypeId::kDate) && is(b, TypeId::kDate))
    return make_bound(i64, {a, b},
                      &binary_kernel<kernel::PureBinary<int32_t, int32_t, int64_t, date_diff>>);
  if (date_or_ts(a) && is(b, TypeId::kInterval))
    return make_bound(ts, {ts, iv},
                      sub ? &binary_kernel<TimestampAddInterval<true, false>>
                          : &binary_kernel<TimestampAddInterval<false, false>>);
  if (!sub && is(a, TypeId::kInterval) && date_or_ts(b))
    return make_bound(ts, {iv, ts}, &binary_kernel<TimestampAddInterval<false, true>>);
  if (sub && date_or_ts(a) && date_or_ts(b))
    return make_bound(
        iv, {ts, ts},
        &binary_kernel<kernel::PureBinary<int64_t, int64_t, Interval, timestamp_diff>>);
  if (is(a, TypeId::kInterval) && is(b, TypeId::kInterval))
    return make_bound(iv, {iv, iv},
                      sub ? &binary_kernel<IntervalAdd<true>> : &binary_kernel<IntervalAdd<false>>);
  return bind_numeric(sub ? Op::kSub : Op::kAdd, false, args, name);
}

BoundScalar bind_mul(const std::vector<BindArg>& in) {
  kernel::check_arity("*", in, 2, 2);
  std::vector<BindArg> args = resolve_nulls(in, false);
  const DataType& a = args[0].type;
  const DataType& b = args[1].type;
  const DataType iv = DataType::interval();
  if (is(a, TypeId::kInterval) && is_int(b))
    return make_bound(iv, {iv, DataType::int64()}, &binary_kernel<IntervalMul<false>>);
  if (is_int(a) && is(b, TypeId::kInterval))
    return make_bound(iv, {DataType::int64(), iv}, &binary_kernel<IntervalMul<true>>);
  if (is(a, TypeId::kInterval) && b.is_numeric())
    return make_bound(iv, {iv, DataType::float64()}, &binary_kernel<IntervalMulDouble<false>>);
  if (a.is_numeric() && is(b, TypeId::kInterval))
    return make_bound(iv, {DataType::float64(), iv}, &binary_kernel<IntervalMulDouble<true>>);
  return bind_numeric(Op::kMul, false, args, "*");
}

BoundScalar bind_div(const std::vector<BindArg>& in) {
  kernel::check_arity("/", in, 2, 2);
  std::vector<BindArg> args = resolve_nulls(in, false);
  const DataType& a = args[0].type;
  const DataType& b = args[1].type;
  if (is(a, TypeId::kInterval) && is_int(b))
    return make_bound(DataType::interval(), {a, DataType::int64()}, &binary_kernel<IntervalDiv>);
  bool a_ok = a.is_numeric() || is(a, TypeId::kNull);
  bool b_ok = b.is_numeric() || is(b, TypeId::kNull);
  if (!a_ok || !b_ok) kernel::throw_no_overload("/", args);
  const DataType d = DataType::float64();
  return make_bound(d, {d, d}, &binary_kernel<Div>);
}

BoundScalar bind_mod(const std::vector<BindArg>& args) {
  kernel::check_arity("%", args, 2, 2);
  return bind_numeric(Op::kMul, true, args, "%");
}

BoundScalar bind_negate(const std::vector<BindArg>& args) {
  kernel::check_arity("NEGATE", args, 1, 1);
  DataType t = args[0].type;
  ScalarKernel k = nullptr;
  switch (t.id()) {
    case TypeId::kNull:
      t = DataType::int32();
      [[fallthrough]];
    case TypeId::kInt32:
      k = &unary_kernel<Negate<int32_t>>;
      break;
    case TypeId::kInt64:
      k = &unary_kernel<Negate<int64_t>>;
      break;
    case TypeId::kDouble:
      k = &unary_kernel<Negate<double>>;
      break;
    case TypeId::kDecimal:
      k = &unary_kernel<Negate<int128_t>>;
      break;
    case TypeId::kInterval:
      k = &unary_kernel<Negate<Interval>>;
      break;
    default:
      kernel::throw_no_overload("-", args);
  }
  return make_bound(t, {t}, k);
}

// ---- || ----------------------------------------------------------------------------------------

void concat_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  size_t n = ctx.rows;
  kernel::StringColumnWriter w(out, n);
  kernel::visit_args<std::string_view, std::string_view>(args[0], args[1], [&](auto a, auto b) {
    for (size_t i = 0; i < n; ++i) {
      std::string_view x = a[i], y = b[i];
      char* p = w.reserve(x.size() + y.size());
      if (!x.empty()) std::memcpy(p, x.data(), x.size());
      if (!y.empty()) std::memcpy(p + x.size(), y.data(), y.size());
      w.commit(x.size() + y.size());
    }
  });
}

BoundScalar bind_concat(const std::vector<BindArg>& args) {
  kernel::check_arity("||", args, 2, 2);
  for (const auto& a : args)
    if (a.type.id() == TypeId::kList || a.type.id() == TypeId::kMap)
      throw_not_supported("|| on {}", a.type.to_string());
  DataType t = is(args[0].type, TypeId::kBytes) && is(args[1].type, TypeId::kBytes)
                   ? DataType::bytes()
                   : DataType::string();
  return make_bound(t, {t, t}, &concat_kernel);
}

}  // namespace

void register_arithmetic_functions(FunctionRegistry& r) {
  r.add_scalar({"+", [](const auto& a) { return bind_add_sub(a, false); },
                "addition: numbers, DATE + days, TIMESTAMP/DATE + INTERVAL, INTERVAL + INTERVAL"});
  r.add_scalar({"-", [](const auto& a) { return bind_add_sub(a, true); },
                "subtraction: numbers, DATE - days, DATE - DATE (days), TIMESTAMP - TIMESTAMP "
                "(INTERVAL), TIMESTAMP/DATE - INTERVAL"});
  r.add_scalar({"*", bind_mul, "multiplication: numbers, INTERVAL * number"});
  r.add_scalar({"/", bind_div, "division as DOUBLE (x / 0 is NULL); INTERVAL / BIGINT"});
  r.add_scalar({"%", bind_mod, "remainder with the sign of the dividend (x % 0 is NULL)"});
  r.add_scalar({"NEGATE", bind_negate, "unary minus"});
  r.add_scalar({"||", bind_concat, "string concatenation (any types, as text); NULL if any is"});
}

}  // namespace velo
