// Math functions. Result types follow DuckDB: ABS/ROUND/TRUNC keep integer and DECIMAL types
// (ROUND on DECIMAL is exact), CEIL/FLOOR of a DECIMAL(p,s) is DECIMAL(p,0), of an integer a
// DOUBLE; transcendental functions are DOUBLE and raise DuckDB's domain errors (sqrt(-1),
// ln(0), asin(2)).
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "velo/exec/function/kernel_loops.h"
#include "velo/exec/function/kernel_types.h"
#include "velo/types/decimal.h"

namespace velo {

using kernel::binary_kernel;
using kernel::make_bound;
using kernel::unary_kernel;

namespace {

const DataType kDouble = DataType::float64();

double arg_double(const std::vector<ArgVector>& args, size_t k, size_t i) {
  return args[k].column->value<double>(args[k].index(i));
}

// ---- DOUBLE -> DOUBLE with a domain ------------------------------------------------------------

enum class Domain { kAll, kNonNegative, kPositive, kAsin, kAcos };

template <double (*F)(double), Domain kDomain = Domain::kAll>
struct DoubleFn {
  using In = double;
  using Out = double;
  const std::vector<ArgVector>* args;
  DoubleFn(const KernelContext&, const std::vector<ArgVector>& a, Column*) : args(&a) {}
  bool operator()(double x, double& r) const {
    bool ok = true;
    if constexpr (kDomain == Domain::kNonNegative)
      ok = !(x < 0);
    else if constexpr (kDomain == Domain::kPositive)
      ok = !(x <= 0);
    else if constexpr (kDomain == Domain::kAsin || kDomain == Domain::kAcos)
      ok = !(x < -1 || x > 1);
    r = ok ? F(x) : 0;
    return ok;
  }
  void fail(size_t i) const {
    double x = arg_double(*args, 0, i);
    if constexpr (kDomain == Domain::kNonNegative)
      throw_user_error("cannot take square root of a negative number");
    else if constexpr (kDomain == Domain::kPositive)
      throw_user_error("cannot take logarithm of {}", x == 0 ? "zero" : "a negative number");
    else if constexpr (kDomain == Domain::kAsin)
      throw_user_error("ASIN is undefined outside [-1,1]");
    else
      throw_user_error("ACOS is undefined outside [-1,1]");
  }
};

double f_sqrt(double x) { return std::sqrt(x); }
double f_cbrt(double x) { return std::cbrt(x); }
double f_exp(double x) { return std::exp(x); }
double f_ln(double x) { return std::log(x); }
double f_log10(double x) { return std::log10(x); }
double f_log2(double x) { return std::log2(x); }
double f_sin(double x) { return std::sin(x); }
double f_cos(double x) { return std::cos(x); }
double f_tan(double x) { return std::tan(x); }
double f_cot(double x) { return 1.0 / std::tan(x); }
double f_asin(double x) { return std::asin(x); }
double f_acos(double x) { return std::acos(x); }
double f_atan(double x) { return std::atan(x); }
double f_degrees(double x) { return x * (180.0 / M_PI); }
double f_radians(double x) { return x * (M_PI / 180.0); }
double f_ceil(double x) { return std::ceil(x); }
double f_floor(double x) { return std::floor(x); }
double f_round(double x) { return std::round(x); }
double f_trunc(double x) { return std::trunc(x); }
double f_abs(double x) { return std::fabs(x); }
double f_pow(double a, double b) { return std::pow(a, b); }
double f_atan2(double a, double b) { return std::atan2(a, b); }
uint8_t f_isnan(double x) { return std::isnan(x); }
uint8_t f_isinf(double x) { return std::isinf(x); }
uint8_t f_isfinite(double x) { return std::isfinite(x); }

template <double (*F)(double), Domain kDomain = Domain::kAll>
BoundScalar double_fn(const std::vector<BindArg>& args, const char* name) {
  kernel::check_arity(name, args, 1, 1);
  if (!(args[0].type.is_numeric() || args[0].type.id() == TypeId::kNull))
    kernel::throw_no_overload(name, args);
  return make_bound(kDouble, {kDouble}, &unary_kernel<DoubleFn<F, kDomain>>);
}

/// LOG(b, x): logarithm of x to base b.
struct LogBase {
  using A = double;
  using B = double;
  using Out = double;
  const std::vector<ArgVector>* args;
  LogBase(const KernelContext&, const std::vector<ArgVector>& a, Column*) : args(&a) {}
  bool operator()(double b, double x, double& r) const {
    bool ok = !(x <= 0) && !(b <= 0);
    r = ok ? std::log(x) / std::log(b) : 0;
    return ok;
  }
  void fail(size_t i) const {
    double v = std::min(arg_double(*args, 0, i), arg_double(*args, 1, i));
    throw_user_error("cannot take logarithm of {}", v == 0 ? "zero" : "a negative number");
  }
};

// ---- number -> same type -------------------------------------------------------------------

template <typename T>
struct Abs {
  using In = T;
  using Out = T;
  const std::vector<ArgVector>* args;
  Abs(const KernelContext&, const std::vector<ArgVector>& a, Column*) : args(&a) {}
  bool operator()(T x, T& r) const {
    if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
      bool ok = x != std::numeric_limits<T>::min();
      r = ok ? (x < 0 ? -x : x) : 0;
      return ok;
    } else {
      r = x < 0 ? -x : x;
      return true;
    }
  }
  void fail(size_t i) const {
    throw_user_error("Overflow on abs({})", args->at(0).column->value<T>(args->at(0).index(i)));
  }
};

template <typename T>
int32_t sign_of(T x) {
  return (x > 0) - (x < 0);
}

/// Decimal rounding to `digits` fewer fraction digits: ceil, floor, round (half away), trunc.
enum class RoundMode { kCeil, kFloor, kRound, kTrunc };

template <RoundMode kMode>
int128_t round_unscaled(int128_t v, int128_t p) {
  if constexpr (kMode == RoundMode::kRound) {
    return kernel::div_round_half_away(v, p);
  } else {
    int128_t q, rem;
    kernel::div_mod(v, p, &q, &rem);
    if constexpr (kMode == RoundMode::kCeil)
      q += rem > 0;
    else if constexpr (kMode == RoundMode::kFloor)
      q -= rem < 0;
    return q;
  }
}

/// DECIMAL(p,s) -> DECIMAL(p, s') dropping `drop` fraction digits, then multiplied by `up`
/// (ROUND(x, -2)). Bind-time state: the factors.
struct DecimalRoundState {
  int128_t down = 1;
  int128_t up = 1;
  bool zero = false;  // rounding to more digits than 38: always 0
};

template <RoundMode kMode>
struct DecimalRound : kernel::NoFail {
  using In = int128_t;
  using Out = int128_t;
  DecimalRoundState s;
  DecimalRound(const KernelContext& ctx, const std::vector<ArgVector>& args, Column*) {
    if (ctx.state) {
      s = *static_cast<const DecimalRoundState*>(ctx.state);
    } else {
      // One-argument form: to scale 0.
      s.down = decimal::pow10(args[0].column->type().scale());
    }
  }
  bool operator()(int128_t v, int128_t& r) const {
    if (s.zero)
      r = 0;
    else
      r = round_unscaled<kMode>(v, s.down) * s.up;
    return true;
  }
};

/// Integer ROUND/TRUNC(x, d) for d < 0: to a multiple of 10^-d; overflow is an error.
template <typename T, RoundMode kMode>
struct IntRound {
  using A = T;
  using B = int32_t;
  using Out = T;
  IntRound(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(T x, int32_t d, T& r) const {
    if (d >= 0) return r = x, true;
    if (d < -18) return r = 0, true;
    int128_t p = decimal::pow10(-d);
    int128_t v = round_unscaled<kMode>(x, p) * p;
    bool ok = v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
    r = ok ? static_cast<T>(v) : 0;
    return ok;
  }
  void fail(size_t) const { throw_user_error("integer overflow in ROUND"); }
};

/// DOUBLE ROUND/TRUNC(x, d), as DuckDB (the input back when the result is not finite).
template <RoundMode kMode>
struct DoubleRound : kernel::NoFail {
  using A = double;
  using B = int32_t;
  using Out = double;
  DoubleRound(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  static double apply(double x) {
    if constexpr (kMode == RoundMode::kRound)
      return std::round(x);
    else
      return std::trunc(x);
  }
  bool operator()(double x, int32_t d, double& r) const {
    double v = d < 0 ? apply(x / std::pow(10.0, -d)) * std::pow(10.0, -d)
                     : apply(x * std::pow(10.0, d)) / std::pow(10.0, d);
    r = std::isfinite(v) ? v : x;
    return true;
  }
};

template <typename T>
T identity(T x) {
  return x;
}

ScalarKernel int_identity_kernel(TypeId id) {
  if (id == TypeId::kInt32)
    return &unary_kernel<kernel::PureUnary<int32_t, int32_t, identity<int32_t>>>;
  return &unary_kernel<kernel::PureUnary<int64_t, int64_t, identity<int64_t>>>;
}

/// CEIL / FLOOR / ROUND / TRUNC with one argument.
template <RoundMode kMode>
BoundScalar bind_round1(const DataType& t, const std::vector<BindArg>& args, const char* name) {
  constexpr double (*kDoubleFn)(double) = kMode == RoundMode::kCeil    ? f_ceil
                                          : kMode == RoundMode::kFloor ? f_floor
                                          : kMode == RoundMode::kRound ? f_round
                                                                       : f_trunc;
  switch (t.id()) {
    case TypeId::kDecimal:
      return make_bound(DataType::decimal(t.precision(), 0), {t},
                        &unary_kernel<DecimalRound<kMode>>);
    case TypeId::kInt32:
    case TypeId::kInt64:
      // DuckDB: CEIL/FLOOR of an integer is a DOUBLE, ROUND/TRUNC keep the integer.
      if (kMode == RoundMode::kCeil || kMode == RoundMode::kFloor) break;
      return make_bound(t, {t}, int_identity_kernel(t.id()));
    case TypeId::kDouble:
    case TypeId::kNull:
      break;
    default:
      kernel::throw_no_overload(name, args);
  }
  return make_bound(kDouble, {kDouble}, &unary_kernel<DoubleFn<kDoubleFn>>);
}

/// ROUND / TRUNC(x, d).
template <RoundMode kMode>
BoundScalar bind_round(const std::vector<BindArg>& args, const char* name) {
  kernel::check_arity(name, args, 1, 2);
  DataType t = args[0].type;
  if (args.size() == 1) return bind_round1<kMode>(t, args, name);
  if (!(args[1].type.is_integer() || args[1].type.id() == TypeId::kNull))
    kernel::throw_no_overload(name, args);
  const DataType i32 = DataType::int32();
  const Value* d = args[1].constant;
  if (t.id() == TypeId::kDecimal && d && !d->is_null()) {
    int64_t digits = d->as_int();
    int s = t.scale();
    auto st = std::make_shared<DecimalRoundState>();
    if (digits >= s) {
      BoundScalar b = make_bound(t, {t, i32}, &unary_kernel<DecimalRound<kMode>>);
      b.state = st;  // factors 1: unchanged
      return b;
    }
    int new_scale = static_cast<int>(std::max<int64_t>(digits, 0));
    int64_t drop = s - digits;  // > 0
    if (drop > decimal::kMaxPrecision)
      st->zero = true;
    else
      st->down = decimal::pow10(static_cast<int>(drop));
    if (digits < 0) {
      if (-digits > decimal::kMaxPrecision)
        st->zero = true;
      else
        st->up = decimal::pow10(static_cast<int>(-digits));
    }
    BoundScalar b = make_bound(DataType::decimal(t.precision(), new_scale), {t, i32},
                               &unary_kernel<DecimalRound<kMode>>);
    b.state = st;
    return b;
  }
  switch (t.id()) {
    case TypeId::kInt32:
      return make_bound(t, {t, i32}, &binary_kernel<IntRound<int32_t, kMode>>);
    case TypeId::kInt64:
      return make_bound(t, {t, i32}, &binary_kernel<IntRound<int64_t, kMode>>);
    case TypeId::kDecimal:
    case TypeId::kDouble:
    case TypeId::kNull:
      return make_bound(kDouble, {kDouble, i32}, &binary_kernel<DoubleRound<kMode>>);
    default:
      kernel::throw_no_overload(name, args);
  }
}

// ---- integers ---------------------------------------------------------------------------------

uint64_t magnitude(int64_t v) { return v < 0 ? 0 - static_cast<uint64_t>(v) : v; }

int64_t f_gcd(int64_t a, int64_t b) {
  return static_cast<int64_t>(std::gcd(magnitude(a), magnitude(b)));
}

struct Lcm {
  using A = int64_t;
  using B = int64_t;
  using Out = int64_t;
  Lcm(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(int64_t a, int64_t b, int64_t& r) const {
    r = 0;
    if (a == 0 || b == 0) return true;
    uint64_t g = std::gcd(magnitude(a), magnitude(b));
    uint64_t v;
    if (__builtin_mul_overflow(magnitude(a) / g, magnitude(b), &v) ||
        v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return false;
    r = static_cast<int64_t>(v);
    return true;
  }
  void fail(size_t) const { throw_user_error("lcm value is out of range"); }
};

struct Factorial {
  using In = int64_t;
  using Out = int128_t;
  const std::vector<ArgVector>* args;
  Factorial(const KernelContext&, const std::vector<ArgVector>& a, Column*) : args(&a) {}
  bool operator()(int64_t n, int128_t& r) const {
    r = 0;
    if (n < 0 || n > 33) return false;  // 34! exceeds 38 digits
    int128_t f = 1;
    for (int64_t k = 2; k <= n; ++k) f *= k;
    r = f;
    return true;
  }
  void fail(size_t i) const {
    if (args->at(0).column->value<int64_t>(args->at(0).index(i)) < 0)
      throw_user_error("factorial of a negative number is undefined");
    throw_user_error("factorial value is out of range");
  }
};

// ---- RANDOM ----------------------------------------------------------------------------------

void random_kernel(const KernelContext& ctx, const std::vector<ArgVector>&, Column* out) {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  out->resize(ctx.rows);
  double* o = out->values<double>();
  for (size_t i = 0; i < ctx.rows; ++i) o[i] = dist(gen);
}

void pi_kernel(const KernelContext& ctx, const std::vector<ArgVector>&, Column* out) {
  out->resize(ctx.rows);
  double* o = out->values<double>();
  for (size_t i = 0; i < ctx.rows; ++i) o[i] = M_PI;
}

// ---- binding ---------------------------------------------------------------------------------

bool numeric_or_null(const DataType& t) { return t.is_numeric() || t.id() == TypeId::kNull; }

BoundScalar bind_abs(const std::vector<BindArg>& args) {
  kernel::check_arity("ABS", args, 1, 1);
  DataType t = args[0].type;
  switch (t.id()) {
    case TypeId::kInt32:
      return make_bound(t, {t}, &unary_kernel<Abs<int32_t>>);
    case TypeId::kInt64:
      return make_bound(t, {t}, &unary_kernel<Abs<int64_t>>);
    case TypeId::kDecimal:
      return make_bound(t, {t}, &unary_kernel<Abs<int128_t>>);
    case TypeId::kDouble:
      return make_bound(t, {t}, &unary_kernel<DoubleFn<f_abs>>);
    case TypeId::kNull:
      return make_bound(DataType::int64(), {DataType::int64()}, &unary_kernel<Abs<int64_t>>);
    default:
      kernel::throw_no_overload("ABS", args);
  }
}

BoundScalar bind_sign(const std::vector<BindArg>& args) {
  kernel::check_arity("SIGN", args, 1, 1);
  DataType t = args[0].type;
  const DataType i32 = DataType::int32();
  switch (t.id()) {
    case TypeId::kInt32:
      return make_bound(i32, {t}, &unary_kernel<kernel::PureUnary<int32_t, int32_t, sign_of>>);
    case TypeId::kInt64:
      return make_bound(i32, {t}, &unary_kernel<kernel::PureUnary<int64_t, int32_t, sign_of>>);
    case TypeId::kDecimal:
      return make_bound(i32, {t}, &unary_kernel<kernel::PureUnary<int128_t, int32_t, sign_of>>);
    case TypeId::kDouble:
    case TypeId::kNull:
      return make_bound(i32, {kDouble}, &unary_kernel<kernel::PureUnary<double, int32_t, sign_of>>);
    default:
      kernel::throw_no_overload("SIGN", args);
  }
}

BoundScalar bind_binary_double(const std::vector<BindArg>& args, const char* name, ScalarKernel k) {
  kernel::check_arity(name, args, 2, 2);
  if (!numeric_or_null(args[0].type) || !numeric_or_null(args[1].type))
    kernel::throw_no_overload(name, args);
  return make_bound(kDouble, {kDouble, kDouble}, k);
}

BoundScalar bind_log(const std::vector<BindArg>& args) {
  kernel::check_arity("LOG", args, 1, 2);
  if (args.size() == 1) return double_fn<f_log10, Domain::kPositive>(args, "LOG");
  return bind_binary_double(args, "LOG", &binary_kernel<LogBase>);
}

template <uint8_t (*F)(double)>
BoundScalar bind_double_predicate(const std::vector<BindArg>& args, const char* name) {
  kernel::check_arity(name, args, 1, 1);
  if (!numeric_or_null(args[0].type)) kernel::throw_no_overload(name, args);
  return make_bound(DataType::boolean(), {kDouble},
                    &unary_kernel<kernel::PureUnary<double, uint8_t, F>>);
}

BoundScalar bind_bigint2(const std::vector<BindArg>& args, const char* name, ScalarKernel k) {
  kernel::check_arity(name, args, 2, 2);
  for (const auto& a : args)
    if (!(a.type.is_integer() || a.type.id() == TypeId::kNull))
      kernel::throw_no_overload(name, args);
  const DataType i64 = DataType::int64();
  return make_bound(i64, {i64, i64}, k);
}

BoundScalar bind_nullary(const std::vector<BindArg>& args, const char* name, ScalarKernel k,
                         bool deterministic) {
  kernel::check_arity(name, args, 0, 0);
  BoundScalar b = make_bound(kDouble, {}, k);
  b.deterministic = deterministic;
  b.per_row = !deterministic;
  return b;
}

template <double (*F)(double), Domain kDomain = Domain::kAll>
void add_double(FunctionRegistry& r, const char* name, const char* description) {
  r.add_scalar(
      {name, [name](const auto& a) { return double_fn<F, kDomain>(a, name); }, description});
}

}  // namespace

void register_math_functions(FunctionRegistry& r) {
  r.add_scalar({"ABS", bind_abs, "absolute value (same type)"});
  r.add_scalar({"SIGN", bind_sign, "-1, 0 or 1"});
  r.add_scalar({"CEIL",
                [](const auto& a) {
                  kernel::check_arity("CEIL", a, 1, 1);
                  return bind_round1<RoundMode::kCeil>(a[0].type, a, "CEIL");
                },
                "smallest integer not below x"});
  r.add_alias("CEILING", "CEIL");
  r.add_scalar({"FLOOR",
                [](const auto& a) {
                  kernel::check_arity("FLOOR", a, 1, 1);
                  return bind_round1<RoundMode::kFloor>(a[0].type, a, "FLOOR");
                },
                "largest integer not above x"});
  r.add_scalar({"ROUND", [](const auto& a) { return bind_round<RoundMode::kRound>(a, "ROUND"); },
                "ROUND(x[, digits]): half away from zero; exact for DECIMAL"});
  r.add_scalar({"TRUNC", [](const auto& a) { return bind_round<RoundMode::kTrunc>(a, "TRUNC"); },
                "TRUNC(x[, digits]): toward zero"});
  add_double<f_sqrt, Domain::kNonNegative>(r, "SQRT", "square root");
  add_double<f_cbrt>(r, "CBRT", "cube root");
  add_double<f_exp>(r, "EXP", "e to the power x");
  add_double<f_ln, Domain::kPositive>(r, "LN", "natural logarithm");
  add_double<f_log10, Domain::kPositive>(r, "LOG10", "base-10 logarithm");
  add_double<f_log2, Domain::kPositive>(r, "LOG2", "base-2 logarithm");
  r.add_scalar({"LOG", bind_log, "LOG(x): base-10 logarithm; LOG(b, x): base b"});
  r.add_scalar({"POWER",
                [](const auto& a) {
                  return bind_binary_double(
                      a, "POWER",
                      &binary_kernel<kernel::PureBinary<double, double, double, f_pow>>);
                },
                "POWER(x, y): x to the power y"});
  r.add_alias("POW", "POWER");
  r.add_alias("MOD", "%");
  add_double<f_sin>(r, "SIN", "sine (radians)");
  add_double<f_cos>(r, "COS", "cosine (radians)");
  add_double<f_tan>(r, "TAN", "tangent (radians)");
  add_double<f_cot>(r, "COT", "cotangent (radians)");
  add_double<f_asin, Domain::kAsin>(r, "ASIN", "arc sine");
  add_double<f_acos, Domain::kAcos>(r, "ACOS", "arc cosine");
  add_double<f_atan>(r, "ATAN", "arc tangent");
  r.add_scalar({"ATAN2",
                [](const auto& a) {
                  return bind_binary_double(
                      a, "ATAN2",
                      &binary_kernel<kernel::PureBinary<double, double, double, f_atan2>>);
                },
                "ATAN2(y, x): arc tangent of y/x"});
  add_double<f_degrees>(r, "DEGREES", "radians to degrees");
  add_double<f_radians>(r, "RADIANS", "degrees to radians");
  r.add_scalar({"ISNAN", [](const auto& a) { return bind_double_predicate<f_isnan>(a, "ISNAN"); },
                "true for NaN"});
  r.add_scalar({"ISINF", [](const auto& a) { return bind_double_predicate<f_isinf>(a, "ISINF"); },
                "true for +/-Infinity"});
  r.add_scalar({"ISFINITE",
                [](const auto& a) { return bind_double_predicate<f_isfinite>(a, "ISFINITE"); },
                "true unless NaN or infinite"});
  r.add_scalar({"GCD",
                [](const auto& a) {
                  return bind_bigint2(
                      a, "GCD",
                      &binary_kernel<kernel::PureBinary<int64_t, int64_t, int64_t, f_gcd>>);
                },
                "greatest common divisor"});
  r.add_scalar({"LCM", [](const auto& a) { return bind_bigint2(a, "LCM", &binary_kernel<Lcm>); },
                "least common multiple"});
  r.add_scalar({"FACTORIAL",
                [](const auto& a) {
                  kernel::check_arity("FACTORIAL", a, 1, 1);
                  if (!(a[0].type.is_integer() || a[0].type.id() == TypeId::kNull))
                    kernel::throw_no_overload("FACTORIAL", a);
                  return make_bound(DataType::decimal(38, 0), {DataType::int64()},
                                    &unary_kernel<Factorial>);
                },
                "n! (up to 33!)"});
  r.add_scalar(
      {"PI", [](const auto& a) { return bind_nullary(a, "PI", &pi_kernel, true); }, "3.14159..."});
  r.add_scalar({"RANDOM",
                [](const auto& a) { return bind_nullary(a, "RANDOM", &random_kernel, false); },
                "uniform random DOUBLE in [0, 1)"});
}

}  // namespace velo
