#pragma once

// Building blocks for scalar kernels: the C++ type behind each logical type, argument
// accessors that hide constant broadcast, and loops that apply a typed operation to whole
// columns. Everything is a template, so the per-row body is inlined: no virtual call, no
// allocation and no branch on "is this argument constant" inside the loop.

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <vector>

#include "velo/exec/function/function.h"
#include "velo/types/error.h"

namespace velo::kernel {

/// A type as a value, for dispatch: `dispatch_physical(id, [](auto tag) { using T = ...; })`.
template <typename T>
struct Tag {
  using type = T;
};

/// Calls `f(Tag<T>{})` with the C++ type that holds values of `id` in a column:
/// BOOLEAN uint8_t, INT32/DATE int32_t, INT64/TIMESTAMP int64_t, DOUBLE double,
/// DECIMAL int128_t, INTERVAL Interval, STRING/BYTES std::string_view.
/// Throws an internal error for NULL and nested types.
template <typename F>
decltype(auto) dispatch_physical(TypeId id, F&& f) {
  switch (id) {
    case TypeId::kBoolean:
      return f(Tag<uint8_t>{});
    case TypeId::kInt32:
    case TypeId::kDate:
      return f(Tag<int32_t>{});
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      return f(Tag<int64_t>{});
    case TypeId::kDouble:
      return f(Tag<double>{});
    case TypeId::kDecimal:
      return f(Tag<int128_t>{});
    case TypeId::kInterval:
      return f(Tag<Interval>{});
    case TypeId::kString:
    case TypeId::kBytes:
      return f(Tag<std::string_view>{});
    default:
      break;
  }
  throw_internal_error("no physical type for type id {}", static_cast<int>(id));
}

// ---- ordering -----------------------------------------------------------------------------

/// Intervals compare by their length with 30-day months, as DuckDB ('1 month' = '30 days').
inline int128_t interval_key(const Interval& v) {
  return (static_cast<int128_t>(v.months) * 30 + v.days) * (int64_t{86400} * 1000000) + v.micros;
}

/// SQL equality of two non-NULL values of one physical type. DOUBLE follows DuckDB's total
/// order: NaN = NaN.
template <typename T>
inline bool sql_equal(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, double>)
    return a == b || (a != a && b != b);
  else if constexpr (std::is_same_v<T, Interval>)
    return interval_key(a) == interval_key(b);
  else
    return a == b;
}

/// SQL ordering; NaN is greater than every other DOUBLE.
template <typename T>
inline bool sql_less(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, double>)
    return a < b || (b != b && a == a);
  else if constexpr (std::is_same_v<T, Interval>)
    return interval_key(a) < interval_key(b);
  else
    return a < b;
}

// ---- argument accessors ---------------------------------------------------------------------

template <typename T>
struct Flat {
  const T* p;
  T operator[](size_t i) const { return p[i]; }
};

template <typename T>
struct Broadcast {
  T v;
  T operator[](size_t) const { return v; }
};

struct FlatString {
  const int32_t* offsets;
  const char* heap;
  std::string_view operator[](size_t i) const {
    return std::string_view(heap + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
};

/// Calls `f(accessor)` where accessor[i] is row i of `a` as a T (constant broadcast hidden).
template <typename T, typename F>
decltype(auto) visit_arg(const ArgVector& a, F&& f) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    if (a.constant) return f(Broadcast<std::string_view>{a.column->string_at(0)});
    return f(
        FlatString{a.column->offsets(), reinterpret_cast<const char*>(a.column->heap().data())});
  } else {
    if (a.constant) return f(Broadcast<T>{a.column->value<T>(0)});
    return f(Flat<T>{a.column->values<T>()});
  }
}

/// Two arguments at once: four loop bodies, one per constant/flat combination.
template <typename A, typename B, typename F>
decltype(auto) visit_args(const ArgVector& x, const ArgVector& y, F&& f) {
  return visit_arg<A>(x, [&](auto a) { return visit_arg<B>(y, [&](auto b) { return f(a, b); }); });
}

/// True when row i of any argument is NULL (slow path: failure handling).
inline bool any_null(const std::vector<ArgVector>& args, size_t i) {
  for (const auto& a : args)
    if (a.is_null(i)) return true;
  return false;
}

// ---- loops -----------------------------------------------------------------------------------
//
// An operation is a struct constructed once per kernel call from (ctx, args), with
//   using In / using A, B  - argument types (see dispatch_physical)
//   using Out              - result type (uint8_t for BOOLEAN)
//   bool operator()(In, Out&) / bool operator()(A, B, Out&)
//                          - false when the row fails (overflow, bad input, division by zero)
//   void fail(size_t row)  - called for failed rows whose arguments are all non-NULL: throws a
//                            user error or sets the row NULL (`out` is passed to the constructor
//                            when the operation needs it)
// The loop first runs branch-free over every row, then revisits rows only if one failed, so
// failure handling costs nothing in the common case. NULL rows may hold any value; they are
// computed too and their failures ignored (the engine sets the NULLs afterwards).

template <typename Op>
void unary_loop(Op& op, const std::vector<ArgVector>& args, size_t n, Column* out) {
  using In = typename Op::In;
  using Out = typename Op::Out;
  out->resize(n);
  Out* o = out->values<Out>();
  visit_arg<In>(args[0], [&](auto a) {
    bool ok = true;
    for (size_t i = 0; i < n; ++i) ok &= op(a[i], o[i]);
    if (ok) return;
    for (size_t i = 0; i < n; ++i)
      if (!op(a[i], o[i]) && !any_null(args, i)) op.fail(i);
  });
}

template <typename Op>
void binary_loop(Op& op, const std::vector<ArgVector>& args, size_t n, Column* out) {
  using A = typename Op::A;
  using B = typename Op::B;
  using Out = typename Op::Out;
  out->resize(n);
  Out* o = out->values<Out>();
  visit_args<A, B>(args[0], args[1], [&](auto a, auto b) {
    bool ok = true;
    for (size_t i = 0; i < n; ++i) ok &= op(a[i], b[i], o[i]);
    if (ok) return;
    for (size_t i = 0; i < n; ++i)
      if (!op(a[i], b[i], o[i]) && !any_null(args, i)) op.fail(i);
  });
}

/// A kernel that constructs `Op(ctx, args, out)` and runs the unary loop.
template <typename Op>
void unary_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  Op op(ctx, args, out);
  unary_loop(op, args, ctx.rows, out);
}

/// A kernel that constructs `Op(ctx, args, out)` and runs the binary loop.
template <typename Op>
void binary_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  Op op(ctx, args, out);
  binary_loop(op, args, ctx.rows, out);
}

/// Base for operations that never fail.
struct NoFail {
  void fail(size_t) {}
};

/// Base for operations whose failed rows become NULL (x / 0).
struct NullOnFail {
  Column* out_;
  explicit NullOnFail(Column* out) : out_(out) {}
  void fail(size_t i) { out_->set_null(i); }
};

/// A unary operation from a plain function `R f(T)` that never fails.
template <typename T, typename R, R (*F)(T)>
struct PureUnary : NoFail {
  using In = T;
  using Out = R;
  PureUnary(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(T a, R& r) const {
    r = F(a);
    return true;
  }
};

/// A binary operation from a plain function `R f(A, B)` that never fails.
template <typename TA, typename TB, typename R, R (*F)(TA, TB)>
struct PureBinary : NoFail {
  using A = TA;
  using B = TB;
  using Out = R;
  PureBinary(const KernelContext&, const std::vector<ArgVector>&, Column*) {}
  bool operator()(TA a, TB b, R& r) const {
    r = F(a, b);
    return true;
  }
};

/// Builds a STRING/BYTES result of `rows` rows in order, writing straight into the heap (no
/// per-row memcpy call or offset push). Usage: `char* p = w.reserve(max); ...; w.commit(len);`
/// once per row, or `w.append(view)`. NULL rows commit an empty string.
class StringColumnWriter {
 public:
  StringColumnWriter(Column* out, size_t rows, size_t bytes_hint = 0)
      : heap_(out->heap()), row_(0) {
    out->resize(rows);
    offsets_ = out->mutable_offsets();
    offsets_[0] = static_cast<int32_t>(heap_.size());
    if (bytes_hint) heap_.reserve(heap_.size() + bytes_hint);
  }
  char* reserve(size_t max_len) {
    heap_.reserve(heap_.size() + max_len);
    return reinterpret_cast<char*>(heap_.data()) + heap_.size();
  }
  void commit(size_t len) {
    heap_.resize(heap_.size() + len);
    offsets_[++row_] = static_cast<int32_t>(heap_.size());
  }
  void append(std::string_view s) {
    if (!s.empty()) std::memcpy(reserve(s.size()), s.data(), s.size());
    commit(s.size());
  }

 private:
  Buffer& heap_;
  int32_t* offsets_;
  size_t row_;
};

/// a / b rounded half away from zero (b > 0), in 64-bit arithmetic when both fit: int128
/// division is a slow library call.
inline int128_t div_round_half_away(int128_t a, int128_t b) {
  if (a >= INT64_MIN && a <= INT64_MAX && b <= INT64_MAX) {
    int64_t x = static_cast<int64_t>(a), y = static_cast<int64_t>(b);
    int64_t q = x / y, r = x % y;
    if ((r < 0 ? -r : r) >= y - (r < 0 ? -r : r)) q += x < 0 ? -1 : 1;
    return q;
  }
  int128_t q = a / b, r = a % b;
  int128_t ar = r < 0 ? -r : r;
  if (ar >= b - ar) q += a < 0 ? -1 : 1;
  return q;
}

/// a / b truncated toward zero and the remainder (b > 0), 64-bit when both fit.
inline void div_mod(int128_t a, int128_t b, int128_t* q, int128_t* r) {
  if (a >= INT64_MIN && a <= INT64_MAX && b <= INT64_MAX) {
    int64_t x = static_cast<int64_t>(a), y = static_cast<int64_t>(b);
    *q = x / y;
    *r = x % y;
    return;
  }
  *q = a / b;
  *r = a % b;
}

/// Writes `rows` NULLs (any type, nested included).
inline void fill_nulls(size_t rows, Column* out) {
  for (size_t i = 0; i < rows; ++i) out->append_null();
}

}  // namespace velo::kernel
