// CAST / TRY_CAST between every pair of types that has a sensible conversion. Each pair gets its
// own kernel instantiation (kernel_loops.h), chosen at bind time; parsing and formatting work on
// stack buffers, so no cast allocates per row (nested types, the slow path, excepted).
#include <fmt/compile.h>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "velo/exec/function/cast.h"
#include "velo/exec/function/kernel_loops.h"
#include "velo/types/decimal.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo {

using kernel::Tag;
using kernel::visit_arg;

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

// ---- text parsing ----------------------------------------------------------------------------

bool parse_boolean_text(std::string_view s, bool* out) {
  s = trim(s);
  static constexpr const char* kTrue[] = {"true", "t", "yes", "y", "1"};
  static constexpr const char* kFalse[] = {"false", "f", "no", "n", "0"};
  for (const char* t : kTrue)
    if (iequals(s, t)) return *out = true, true;
  for (const char* f : kFalse)
    if (iequals(s, f)) return *out = false, true;
  return false;
}

bool parse_int64_text(std::string_view s, int64_t* out) {
  s = trim(s);
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  const char* p = b;
  if (*p == '+') {
    ++p;
    if (p == e || *p == '-') return false;
  }
  int64_t v;
  auto r = std::from_chars(p, e, v);
  if (r.ec == std::errc() && r.ptr == e) {
    *out = v;
    return true;
  }
  if (r.ec == std::errc::result_out_of_range) return false;
  // Rarer spellings: hex "0x1F", and "1.5" / "1e3" (rounded half away from zero, as DuckDB).
  bool negative = false;
  const char* q = b;
  if (*q == '+' || *q == '-') negative = *q++ == '-';
  if (e - q > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
    uint64_t u;
    auto h = std::from_chars(q + 2, e, u, 16);
    if (h.ec != std::errc() || h.ptr != e) return false;
    if (u > (negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) return false;
    *out = negative ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
    return true;
  }
  int128_t d;
  if (!decimal::parse(s, decimal::kMaxPrecision, 0, &d)) return false;
  if (d > std::numeric_limits<int64_t>::max() || d < std::numeric_limits<int64_t>::min())
    return false;
  *out = static_cast<int64_t>(d);
  return true;
}

bool parse_double_text(std::string_view s, double* out) {
  s = trim(s);
  if (s.empty()) return false;
  const char* p = s.data();
  const char* e = p + s.size();
  if (*p == '+') {
    ++p;
    if (p == e || *p == '-') return false;
  }
  auto r = std::from_chars(p, e, *out);
  if (r.ptr != e) return false;
  if (r.ec == std::errc()) return true;
  if (r.ec != std::errc::result_out_of_range) return false;
  // 1e400 -> inf, 1e-400 -> 0, as strtod (and DuckDB) do.
  char buf[128];
  if (s.size() >= sizeof buf) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  *out = std::strtod(buf, nullptr);
  return true;
}

// ---- text formatting (identical to Value::to_string) -----------------------------------------

size_t format_double_text(double d, char* buf) {
  auto copy = [&](const char* s) {
    size_t n = std::strlen(s);
    std::memcpy(buf, s, n);
    return n;
  };
  if (std::isnan(d)) return copy("NaN");
  if (std::isinf(d)) return copy(d > 0 ? "Infinity" : "-Infinity");
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    // Integral: the digits and ".0", exactly what "{:.1f}" prints (including "-0.0").
    size_t n = 0;
    if (std::signbit(d)) buf[n++] = '-';
    auto r = std::to_chars(buf + n, buf + kMaxScalarTextSize, static_cast<uint64_t>(std::fabs(d)));
    n = static_cast<size_t>(r.ptr - buf);
    buf[n++] = '.';
    buf[n++] = '0';
    return n;
  }
  // The shortest round-trip text is at most 24 characters: no truncation needed.
  return static_cast<size_t>(fmt::format_to(buf, FMT_COMPILE("{}"), d) - buf);
}

size_t format_decimal_text(int128_t v, int scale, char* buf) {
  char tmp[64];
  int pos = 64;
  bool negative = v < 0;
  int written = 0;
  auto digit = [&](int d) {
    tmp[--pos] = static_cast<char>('0' + d);
    ++written;
    if (written == scale) tmp[--pos] = '.';
  };
  if (v > -(int128_t{1} << 62) && v < (int128_t{1} << 62)) {
    // The common case in 64-bit arithmetic: int128 division is a slow library call.
    uint64_t n = static_cast<uint64_t>(negative ? -v : v);
    do {
      digit(static_cast<int>(n % 10));
      n /= 10;
    } while (n != 0 || written < scale + 1);
  } else {
    // Work on the negative range so INT128_MIN does not overflow.
    int128_t n = negative ? v : -v;
    do {
      digit(-static_cast<int>(n % 10));
      n /= 10;
    } while (n != 0 || written < scale + 1);
  }
  if (tmp[pos] == '.') tmp[--pos] = '0';
  if (negative) tmp[--pos] = '-';
  size_t len = static_cast<size_t>(64 - pos);
  std::memcpy(buf, tmp + pos, len);
  return len;
}

size_t format_date_text(int32_t days, char* buf) {
  temporal::CivilDate c = temporal::civil_from_days(days);
  return fmt::format_to_n(buf, kMaxScalarTextSize, "{:04d}-{:02d}-{:02d}", c.year, c.month, c.day)
      .size;
}

size_t format_timestamp_text(int64_t micros, char* buf) {
  int32_t days = temporal::days_of(micros);
  int64_t rem = micros - static_cast<int64_t>(days) * temporal::kMicrosPerDay;
  int64_t secs = rem / temporal::kMicrosPerSecond;
  int64_t frac = rem % temporal::kMicrosPerSecond;
  size_t n = format_date_text(days, buf);
  n += fmt::format_to_n(buf + n, kMaxScalarTextSize - n, " {:02d}:{:02d}:{:02d}", secs / 3600,
                        (secs / 60) % 60, secs % 60)
           .size;
  if (frac != 0) {
    buf[n++] = '.';
    for (int64_t p = 100000; p > 0 && frac != 0; p /= 10) {
      buf[n++] = static_cast<char>('0' + frac / p);
      frac %= p;
    }
  }
  return n;
}

namespace {

// The same text as temporal::format_interval, without allocating. `buf` holds 128 bytes.
size_t format_interval_text(const Interval& iv, char* buf) {
  constexpr size_t kSize = 128;
  size_t n = 0;
  auto part = [&](int64_t v, const char* unit) {
    if (v == 0) return;
    if (n) buf[n++] = ' ';
    n += fmt::format_to_n(buf + n, kSize - n, "{} {}{}", v, unit, (v == 1 || v == -1) ? "" : "s")
             .size;
  };
  part(iv.months / 12, "year");
  part(iv.months % 12, "month");
  part(iv.days, "day");
  if (iv.micros != 0) {
    int64_t us = iv.micros < 0 ? -iv.micros : iv.micros;
    if (n) buf[n++] = ' ';
    n += fmt::format_to_n(buf + n, kSize - n, "{}{:02d}:{:02d}:{:02d}", iv.micros < 0 ? "-" : "",
                          us / 3600000000LL, (us / 60000000LL) % 60, (us / 1000000LL) % 60)
             .size;
    if (us % 1000000) n += fmt::format_to_n(buf + n, kSize - n, ".{:06d}", us % 1000000).size;
  }
  if (n == 0) {
    std::memcpy(buf, "00:00:00", 8);
    n = 8;
  }
  return n;
}

// ---- failure handling ------------------------------------------------------------------------

[[noreturn]] void throw_cast_error(const ArgVector& a, size_t i, const DataType& to) {
  Value v = a.column->value_at(a.index(i));
  std::string text = v.type().id() == TypeId::kString ? "'" + v.as_string() + "'" : v.to_string();
  throw_user_error("could not cast {} to {}", text, to.to_string());
}

template <bool kTry>
struct CastFail {
  const ArgVector* arg;
  const DataType* to;
  Column* out;
  CastFail(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* o)
      : arg(&args[0]), to(ctx.out_type), out(o) {}
  void fail(size_t i) {
    if constexpr (kTry)
      out->set_null(i);
    else
      throw_cast_error(*arg, i, *to);
  }
};

template <template <bool> class Op>
ScalarKernel pick(bool try_cast) {
  return try_cast ? &kernel::unary_kernel<Op<true>> : &kernel::unary_kernel<Op<false>>;
}

// ---- numeric <-> numeric (BOOLEAN, INT32, INT64, DOUBLE, DECIMAL) ------------------------------

template <typename T>
constexpr bool kIsInt = std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;

template <typename From, typename To, bool kTry>
struct NumericCast : CastFail<kTry> {
  using In = From;
  using Out = To;
  int128_t up = 1, down = 1;  // decimal rescale factors (one of them is 1)
  int128_t max = 0;           // largest unscaled value of a DECIMAL target
  double from_pow = 1, to_pow = 1, dmax = 0;

  NumericCast(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out)
      : CastFail<kTry>(ctx, args, out) {
    const DataType& f = args[0].column->type();
    const DataType& t = *ctx.out_type;
    int fs = f.id() == TypeId::kDecimal ? f.scale() : 0;
    int ts = t.id() == TypeId::kDecimal ? t.scale() : 0;
    if (ts >= fs)
      up = decimal::pow10(ts - fs);
    else
      down = decimal::pow10(fs - ts);
    from_pow = static_cast<double>(decimal::pow10(fs));
    to_pow = static_cast<double>(decimal::pow10(ts));
    if (t.id() == TypeId::kDecimal) {
      max = decimal::max_for_precision(t.precision());
      dmax = static_cast<double>(decimal::pow10(t.precision()));
    }
  }

  bool operator()(From v, To& r) const {
    if constexpr (std::is_same_v<To, uint8_t>) {
      r = v != 0;
      return true;
    } else if constexpr (std::is_same_v<To, int128_t>) {
      if constexpr (std::is_same_v<From, double>) {
        // As DuckDB: scale in double, round half away from zero.
        double x = std::round(v * to_pow);
        if (!(x > -dmax && x < dmax)) return r = 0, false;  // NaN fails too
        r = static_cast<int128_t>(x);
        return true;
      } else if constexpr (std::is_same_v<From, int128_t>) {
        if (down != 1)
          r = kernel::div_round_half_away(v, down);
        else if (!decimal::mul(v, up, &r))
          return r = 0, false;
        return r <= max && r >= -max;
      } else {
        if (!decimal::mul(static_cast<int128_t>(v), up, &r)) return r = 0, false;
        return r <= max && r >= -max;
      }
    } else if constexpr (std::is_same_v<To, double>) {
      if constexpr (std::is_same_v<From, int128_t>)
        r = static_cast<double>(v) / from_pow;
      else
        r = static_cast<double>(v);
      return true;
    } else {
      static_assert(kIsInt<To>);
      constexpr To kMin = std::numeric_limits<To>::min();
      constexpr To kMax = std::numeric_limits<To>::max();
      if constexpr (std::is_same_v<From, double>) {
        // As DuckDB: round half to even. -(double)kMin is 2^31 / 2^63 exactly.
        double x = std::nearbyint(v);
        if (!(x >= static_cast<double>(kMin) && x < -static_cast<double>(kMin)))
          return r = 0, false;
        r = static_cast<To>(x);
        return true;
      } else if constexpr (std::is_same_v<From, int128_t>) {
        int128_t x = down != 1 ? kernel::div_round_half_away(v, down) : v;
        if (x < kMin || x > kMax) return r = 0, false;
        r = static_cast<To>(x);
        return true;
      } else {
        if constexpr (sizeof(From) > sizeof(To)) {
          if (v < kMin || v > kMax) return r = 0, false;
        }
        r = static_cast<To>(v);
        return true;
      }
    }
  }
};

template <typename F>
ScalarKernel dispatch_numeric(TypeId id, F&& f) {
  switch (id) {
    case TypeId::kBoolean:
      return f(Tag<uint8_t>{});
    case TypeId::kInt32:
      return f(Tag<int32_t>{});
    case TypeId::kInt64:
      return f(Tag<int64_t>{});
    case TypeId::kDouble:
      return f(Tag<double>{});
    case TypeId::kDecimal:
      return f(Tag<int128_t>{});
    default:
      return nullptr;
  }
}

bool is_numeric_or_bool(const DataType& t) { return t.is_numeric() || t.id() == TypeId::kBoolean; }

ScalarKernel numeric_cast_kernel(TypeId from, TypeId to, bool try_cast) {
  return dispatch_numeric(from, [&](auto f) {
    return dispatch_numeric(to, [&](auto g) -> ScalarKernel {
      using F = typename decltype(f)::type;
      using G = typename decltype(g)::type;
      return try_cast ? &kernel::unary_kernel<NumericCast<F, G, true>>
                      : &kernel::unary_kernel<NumericCast<F, G, false>>;
    });
  });
}

// ---- STRING -> scalar --------------------------------------------------------------------------

template <bool kTry>
struct ParseBool : CastFail<kTry> {
  using In = std::string_view;
  using Out = uint8_t;
  using CastFail<kTry>::CastFail;
  bool operator()(std::string_view s, uint8_t& r) const {
    bool b = false;
    bool ok = parse_boolean_text(s, &b);
    r = b;
    return ok;
  }
};

template <typename T>
struct ParseInt {
  template <bool kTry>
  struct Op : CastFail<kTry> {
    using In = std::string_view;
    using Out = T;
    using CastFail<kTry>::CastFail;
    bool operator()(std::string_view s, T& r) const {
      int64_t v = 0;
      bool ok = parse_int64_text(s, &v);
      if constexpr (std::is_same_v<T, int32_t>) {
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
          return r = 0, false;
      }
      r = static_cast<T>(v);
      return ok;
    }
  };
};

template <bool kTry>
struct ParseDouble : CastFail<kTry> {
  using In = std::string_view;
  using Out = double;
  using CastFail<kTry>::CastFail;
  bool operator()(std::string_view s, double& r) const {
    r = 0;
    return parse_double_text(s, &r);
  }
};

template <bool kTry>
struct ParseDecimal : CastFail<kTry> {
  using In = std::string_view;
  using Out = int128_t;
  int precision, scale;
  ParseDecimal(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out)
      : CastFail<kTry>(ctx, args, out),
        precision(ctx.out_type->precision()),
        scale(ctx.out_type->scale()) {}
  bool operator()(std::string_view s, int128_t& r) const {
    r = 0;
    return decimal::parse(trim(s), precision, scale, &r);
  }
};

template <bool kTry>
struct ParseDate : CastFail<kTry> {
  using In = std::string_view;
  using Out = int32_t;
  using CastFail<kTry>::CastFail;
  bool operator()(std::string_view s, int32_t& r) const {
    r = 0;
    if (temporal::parse_date(trim(s), &r)) return true;
    // '2024-01-01 10:00:00' -> its date, as DuckDB.
    int64_t micros;
    if (!temporal::parse_timestamp(trim(s), &micros)) return false;
    r = temporal::days_of(micros);
    return true;
  }
};

template <bool kTry>
struct ParseTimestamp : CastFail<kTry> {
  using In = std::string_view;
  using Out = int64_t;
  using CastFail<kTry>::CastFail;
  bool operator()(std::string_view s, int64_t& r) const {
    r = 0;
    return temporal::parse_timestamp(trim(s), &r);
  }
};

template <bool kTry>
struct ParseInterval : CastFail<kTry> {
  using In = std::string_view;
  using Out = Interval;
  using CastFail<kTry>::CastFail;
  bool operator()(std::string_view s, Interval& r) const {
    r = Interval{};
    return temporal::parse_interval(trim(s), &r);
  }
};

// ---- DATE <-> TIMESTAMP ----------------------------------------------------------------------

template <bool kTry>
struct DateToTimestamp : CastFail<kTry> {
  using In = int32_t;
  using Out = int64_t;
  using CastFail<kTry>::CastFail;
  bool operator()(int32_t d, int64_t& r) const {
    if (__builtin_mul_overflow(static_cast<int64_t>(d), temporal::kMicrosPerDay, &r))
      return r = 0, false;
    return true;
  }
};

template <bool kTry>
struct TimestampToDate : CastFail<kTry> {
  using In = int64_t;
  using Out = int32_t;
  using CastFail<kTry>::CastFail;
  bool operator()(int64_t t, int32_t& r) const {
    r = temporal::days_of(t);
    return true;
  }
};

// ---- scalar -> STRING ---------------------------------------------------------------------------

// Formatters: kDirect ones write at most kMaxSize bytes into the heap; the others return a
// view (the input itself, or a literal).
struct BoolText {
  using In = uint8_t;
  static constexpr bool kDirect = false;
  explicit BoolText(const DataType&) {}
  std::string_view operator()(uint8_t v) const { return v ? "true" : "false"; }
};

template <typename T>
struct IntText {
  using In = T;
  static constexpr bool kDirect = true;
  static constexpr size_t kMaxSize = 24;
  explicit IntText(const DataType&) {}
  size_t write(T v, char* buf) const {
    return static_cast<size_t>(std::to_chars(buf, buf + kMaxSize, v).ptr - buf);
  }
};

struct DoubleText {
  using In = double;
  static constexpr bool kDirect = true;
  static constexpr size_t kMaxSize = kMaxScalarTextSize;
  explicit DoubleText(const DataType&) {}
  size_t write(double v, char* buf) const { return format_double_text(v, buf); }
};

struct DecimalText {
  using In = int128_t;
  static constexpr bool kDirect = true;
  static constexpr size_t kMaxSize = kMaxScalarTextSize;
  int scale;
  explicit DecimalText(const DataType& t) : scale(t.scale()) {}
  size_t write(int128_t v, char* buf) const { return format_decimal_text(v, scale, buf); }
};

struct DateText {
  using In = int32_t;
  static constexpr bool kDirect = true;
  static constexpr size_t kMaxSize = kMaxScalarTextSize;
  explicit DateText(const DataType&) {}
  size_t write(int32_t v, char* buf) const { return format_date_text(v, buf); }
};

struct TimestampText {
  using In = int64_t;
  static constexpr bool kDirect = true;
  static constexpr size_t kMaxSize = kMaxScalarTextSize;
  explicit TimestampText(const DataType&) {}
  size_t write(int64_t v, char* buf) const { return format_timestamp_text(v, buf); }
};

struct IntervalText {
  using In = Interval;
  static constexpr bool kDirect = true;
  static constexpr size_t kMaxSize = 128;
  explicit IntervalText(const DataType&) {}
  size_t write(const Interval& v, char* buf) const { return format_interval_text(v, buf); }
};

/// STRING <-> BYTES: the bytes unchanged.
struct CopyText {
  using In = std::string_view;
  static constexpr bool kDirect = false;
  explicit CopyText(const DataType&) {}
  std::string_view operator()(std::string_view v) const { return v; }
};

template <typename Fmt>
void to_text_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const ArgVector& a = args[0];
  Fmt fmt(a.column->type());
  bool nulls = a.column->has_validity();
  kernel::StringColumnWriter w(out, ctx.rows, ctx.rows * 8);
  visit_arg<typename Fmt::In>(a, [&](auto in) {
    for (size_t i = 0; i < ctx.rows; ++i) {
      if (nulls && a.is_null(i)) {
        w.commit(0);
      } else if constexpr (Fmt::kDirect) {
        w.commit(fmt.write(in[i], w.reserve(Fmt::kMaxSize)));
      } else {
        w.append(fmt(in[i]));
      }
    }
  });
}

// Nested values as JSON text (Value::to_string): the slow path.
void nested_to_text_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                           Column* out) {
  const ArgVector& a = args[0];
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (a.is_null(i))
      out->append_string(std::string_view());
    else
      out->append_string(a.column->value_at(a.index(i)).to_string());
  }
}

ScalarKernel to_text_kernel_for(const DataType& from) {
  switch (from.id()) {
    case TypeId::kBoolean:
      return &to_text_kernel<BoolText>;
    case TypeId::kInt32:
      return &to_text_kernel<IntText<int32_t>>;
    case TypeId::kInt64:
      return &to_text_kernel<IntText<int64_t>>;
    case TypeId::kDouble:
      return &to_text_kernel<DoubleText>;
    case TypeId::kDecimal:
      return &to_text_kernel<DecimalText>;
    case TypeId::kDate:
      return &to_text_kernel<DateText>;
    case TypeId::kTimestamp:
      return &to_text_kernel<TimestampText>;
    case TypeId::kInterval:
      return &to_text_kernel<IntervalText>;
    case TypeId::kString:
    case TypeId::kBytes:
      return &to_text_kernel<CopyText>;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      return &nested_to_text_kernel;
    default:
      return nullptr;
  }
}

// ---- the rest ----------------------------------------------------------------------------------

void null_cast_kernel(const KernelContext& ctx, const std::vector<ArgVector>&, Column* out) {
  kernel::fill_nulls(ctx.rows, out);
}

void identity_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const ArgVector& a = args[0];
  for (size_t i = 0; i < ctx.rows; ++i) out->append_from(*a.column, a.index(i));
}

template <bool kTry>
void nested_cast_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const ArgVector& a = args[0];
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (a.is_null(i))
      out->append_null();
    else
      out->append_value(cast_value(a.column->value_at(a.index(i)), *ctx.out_type, kTry));
  }
}

ScalarKernel from_text_kernel_for(const DataType& to, bool try_cast) {
  switch (to.id()) {
    case TypeId::kBoolean:
      return pick<ParseBool>(try_cast);
    case TypeId::kInt32:
      return pick<ParseInt<int32_t>::Op>(try_cast);
    case TypeId::kInt64:
      return pick<ParseInt<int64_t>::Op>(try_cast);
    case TypeId::kDouble:
      return pick<ParseDouble>(try_cast);
    case TypeId::kDecimal:
      return pick<ParseDecimal>(try_cast);
    case TypeId::kDate:
      return pick<ParseDate>(try_cast);
    case TypeId::kTimestamp:
      return pick<ParseTimestamp>(try_cast);
    case TypeId::kInterval:
      return pick<ParseInterval>(try_cast);
    case TypeId::kString:
    case TypeId::kBytes:
      return &to_text_kernel<CopyText>;
    default:
      return nullptr;
  }
}

ScalarKernel cast_kernel_for(const DataType& from, const DataType& to, bool try_cast) {
  if (from.id() == TypeId::kNull) return &null_cast_kernel;
  if (from == to) return &identity_kernel;
  if (to.id() == TypeId::kString) return to_text_kernel_for(from);
  if (from.id() == TypeId::kString) return from_text_kernel_for(to, try_cast);
  if (from.id() == TypeId::kBytes) return nullptr;
  if (is_numeric_or_bool(from) && is_numeric_or_bool(to))
    return numeric_cast_kernel(from.id(), to.id(), try_cast);
  if (from.id() == TypeId::kDate && to.id() == TypeId::kTimestamp)
    return pick<DateToTimestamp>(try_cast);
  if (from.id() == TypeId::kTimestamp && to.id() == TypeId::kDate)
    return pick<TimestampToDate>(try_cast);
  if (from.is_nested() && from.id() == to.id() && can_cast(from, to))
    return try_cast ? &nested_cast_kernel<true> : &nested_cast_kernel<false>;
  return nullptr;
}

}  // namespace

bool can_cast(const DataType& from, const DataType& to) {
  if (from.id() == TypeId::kNull || from == to || to.id() == TypeId::kString) return true;
  if (from.is_nested() || to.is_nested()) {
    if (from.id() != to.id()) return false;
    const auto& a = from.children();
    const auto& b = to.children();
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!can_cast(a[i].type, b[i].type)) return false;
    return true;
  }
  return cast_kernel_for(from, to, false) != nullptr;
}

BoundScalar bind_cast(const DataType& from, const DataType& to, bool try_cast) {
  ScalarKernel k = to.id() == TypeId::kNull ? nullptr : cast_kernel_for(from, to, try_cast);
  if (!k) throw_user_error("cannot cast {} to {}", from.to_string(), to.to_string());
  BoundScalar b;
  b.return_type = to;
  b.arg_types = {from};
  b.kernel = k;
  return b;
}

Value cast_value(const Value& v, const DataType& to, bool try_cast) {
  if (v.is_null()) return Value::null(to);
  if (v.type() == to) return v;
  if (v.type().is_nested() && to.is_nested()) {
    if (!can_cast(v.type(), to))
      throw_user_error("cannot cast {} to {}", v.type().to_string(), to.to_string());
    std::vector<Value> kids;
    kids.reserve(v.children().size());
    for (size_t i = 0; i < v.children().size(); ++i) {
      const DataType& t =
          to.id() == TypeId::kStruct ? to.children()[i].type : to.children()[0].type;
      kids.push_back(cast_value(v.children()[i], t, try_cast));
    }
    return Value::nested(to, std::move(kids));
  }
  BoundScalar b = bind_cast(v.type(), to, try_cast);
  auto in = Column::make(v.type());
  in->append_value(v);
  auto out = Column::make(to);
  KernelContext ctx;
  ctx.rows = 1;
  ctx.out_type = &to;
  ctx.state = b.state.get();
  std::vector<ArgVector> args{ArgVector{in.get(), false}};
  b.kernel(ctx, args, out.get());
  return out->value_at(0);
}

void register_cast_functions(FunctionRegistry&) {
  // CAST and TRY_CAST are bound by the binder through bind_cast; no named functions.
}

}  // namespace velo
