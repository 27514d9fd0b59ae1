#pragma once

// Typed value handling shared by the aggregate functions: storage-type dispatch, readers and
// writers over columns, the total order and hash used by MIN/MAX, DISTINCT and quantiles, and
// growable per-group value lists. Internal to src/velo/exec/function/aggregate_*.cc.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "velo/batch/column.h"
#include "velo/exec/function/function.h"
#include "velo/types/decimal.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo::aggregate {

/// Names a storage type in dispatch: uint8_t (BOOLEAN), int32_t (INT32, DATE), int64_t (INT64,
/// TIMESTAMP), double, int128_t (DECIMAL), Interval, std::string_view (STRING, BYTES).
template <typename T>
struct Tag {
  using type = T;
};

/// True for the types `dispatch` accepts (every type but NULL and the nested ones).
inline bool is_flat(const DataType& t) { return t.id() != TypeId::kNull && !t.is_nested(); }

/// Calls f(Tag<T>{}) with the storage type of `t`; nested and NULL types throw "not supported
/// yet: <what> of <type>".
template <typename F>
decltype(auto) dispatch(const DataType& t, const char* what, F&& f) {
  switch (t.id()) {
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
  throw_not_supported("{} of {}", what, t.to_string());
}

template <typename T>
inline T read(const Column& c, size_t i) {
  return c.value<T>(i);
}
template <>
inline std::string_view read<std::string_view>(const Column& c, size_t i) {
  return c.string_at(i);
}

/// The type a state keeps a copy of a value in.
template <typename T>
struct OwnedOf {
  using type = T;
};
template <>
struct OwnedOf<std::string_view> {
  using type = std::string;
};
template <typename T>
using Owned = typename OwnedOf<T>::type;

template <typename T>
inline void write(Column* out, const T& v) {
  out->append<T>(v);
}
inline void write(Column* out, std::string_view v) { out->append_string(v); }
inline void write(Column* out, const std::string& v) { out->append_string(v); }

/// Intervals order by their length with 30-day months (as DuckDB).
inline int128_t interval_key(const Interval& v) {
  return (static_cast<int128_t>(v.months) * 30 + v.days) * temporal::kMicrosPerDay + v.micros;
}

/// The total order of MIN/MAX and quantiles: NaN sorts above every other double; strings
/// compare bytewise (UTF-8 code point order).
template <typename T>
inline bool less(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, double>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return a < b;
  } else if constexpr (std::is_same_v<T, Interval>) {
    return interval_key(a) < interval_key(b);
  } else {
    return a < b;
  }
}

/// Equality of DISTINCT: NaN equals NaN, -0.0 equals 0.0, intervals by length.
template <typename T>
inline bool same(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, double>) {
    return a == b || (std::isnan(a) && std::isnan(b));
  } else if constexpr (std::is_same_v<T, Interval>) {
    return interval_key(a) == interval_key(b);
  } else {
    return a == b;
  }
}

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t hash_bytes(const char* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL ^ (n * 0x9E3779B97F4A7C15ULL);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix64(h ^ w);
    p += 8;
    n -= 8;
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = mix64(h ^ w ^ 0x5bd1e995);
  }
  return h;
}

/// A 64-bit hash consistent with `same` (DISTINCT sets, HyperLogLog).
template <typename T>
inline uint64_t hash_value(const T& v) {
  if constexpr (std::is_same_v<T, double>) {
    double d = v == 0 ? 0.0 : v;  // -0.0 -> 0.0
    if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    return mix64(bits);
  } else if constexpr (std::is_same_v<T, int128_t>) {
    auto u = static_cast<unsigned __int128>(v);
    return mix64(static_cast<uint64_t>(u) ^ mix64(static_cast<uint64_t>(u >> 64) + 0x51ED27));
  } else if constexpr (std::is_same_v<T, Interval>) {
    return hash_value<int128_t>(interval_key(v));
  } else if constexpr (std::is_same_v<T, std::string_view> || std::is_same_v<T, std::string>) {
    return hash_bytes(v.data(), v.size());
  } else {
    return mix64(static_cast<uint64_t>(static_cast<int64_t>(v)));
  }
}

/// Calls f(i, row) for every row i in [0, rows) whose argument is not NULL; row is the index to
/// read (0 for a constant argument).
template <typename F>
inline void for_each_valid(const ArgVector& a, size_t rows, F&& f) {
  const Column& c = *a.column;
  if (a.constant) {
    if (c.is_null(0)) return;
    for (size_t i = 0; i < rows; ++i) f(i, size_t{0});
  } else if (!c.has_validity()) {
    for (size_t i = 0; i < rows; ++i) f(i, i);
  } else {
    for (size_t i = 0; i < rows; ++i)
      if (!c.is_null(i)) f(i, i);
  }
}

/// A growable list of values of one storage type (strings packed into one buffer, so a list of
/// strings allocates amortized, not per value).
template <typename T>
class ValueList {
 public:
  void push(T v) { values_.push_back(v); }
  size_t size() const { return values_.size(); }
  T get(size_t i) const { return values_[i]; }
  void append(const ValueList& o) {
    values_.insert(values_.end(), o.values_.begin(), o.values_.end());
  }
  void clear() { values_.clear(); }
  std::vector<T>& raw() { return values_; }

 private:
  std::vector<T> values_;
};

template <>
class ValueList<std::string_view> {
 public:
  void push(std::string_view v) {
    bytes_.append(v.data(), v.size());
    ends_.push_back(bytes_.size());
  }
  size_t size() const { return ends_.size(); }
  std::string_view get(size_t i) const {
    size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_.data() + begin, ends_[i] - begin);
  }
  void append(const ValueList& o) {
    size_t base = bytes_.size();
    bytes_ += o.bytes_;
    for (size_t e : o.ends_) ends_.push_back(base + e);
  }
  void clear() {
    bytes_.clear();
    ends_.clear();
  }

 private:
  std::string bytes_;
  std::vector<size_t> ends_;
};

/// A set of distinct values in insertion order (open addressing over indexes into the list).
template <typename T>
class DistinctSet {
 public:
  /// Adds `v` (hash `h`); true when it was not present.
  bool insert(T v, uint64_t h) {
    if ((values_.size() + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    size_t pos = h & mask;
    while (uint32_t s = slots_[pos]) {
      if (hashes_[s - 1] == h && same<T>(values_.get(s - 1), v)) return false;
      pos = (pos + 1) & mask;
    }
    slots_[pos] = static_cast<uint32_t>(values_.size() + 1);
    values_.push(v);
    hashes_.push_back(h);
    return true;
  }
  void merge(const DistinctSet& o) {
    for (size_t i = 0; i < o.values_.size(); ++i) insert(o.values_.get(i), o.hashes_[i]);
  }
  size_t size() const { return values_.size(); }
  T get(size_t i) const { return values_.get(i); }

  /// Checkpoints: the values in insertion order (hashes are recomputed on load).
  void save(ByteWriter& out) const {
    out.put<uint64_t>(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      if constexpr (std::is_same_v<T, std::string_view>)
        out.put_string(values_.get(i));
      else
        out.put<T>(values_.get(i));
    }
  }
  void load(ByteReader& in) {
    uint64_t n = in.get_count(std::is_same_v<T, std::string_view> ? 8 : sizeof(T));
    for (uint64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, std::string_view>) {
        std::string_view v = in.get_bytes();
        insert(v, hash_value<T>(v));
      } else {
        T v = in.get<T>();
        insert(v, hash_value<T>(v));
      }
    }
  }

 private:
  void grow() {
    slots_.assign(slots_.empty() ? 8 : slots_.size() * 2, 0);
    size_t mask = slots_.size() - 1;
    for (size_t i = 0; i < hashes_.size(); ++i) {
      size_t pos = hashes_[i] & mask;
      while (slots_[pos]) pos = (pos + 1) & mask;
      slots_[pos] = static_cast<uint32_t>(i + 1);
    }
  }

  ValueList<T> values_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> slots_;
};

// ---- building BoundAggregates ---------------------------------------------------------------

template <typename S>
inline S& state_of(uint8_t* p) {
  return *std::launder(reinterpret_cast<S*>(p));
}
template <typename S>
inline const S& state_of(const uint8_t* p) {
  return *std::launder(reinterpret_cast<const S*>(p));
}

template <typename S>
void init_state(uint8_t* p, const void*) {
  new (p) S();
}
template <typename S>
void destroy_state(uint8_t* p) {
  state_of<S>(p).~S();
}

/// A BoundAggregate whose state is `S` (constructed by init, destroyed when not trivial).
template <typename S>
BoundAggregate make_aggregate(DataType return_type, std::vector<DataType> arg_types) {
  static_assert(alignof(S) <= 16, "aggregate states are aligned to 16");
  BoundAggregate a;
  a.return_type = std::move(return_type);
  a.arg_types = std::move(arg_types);
  a.state_size = sizeof(S);
  a.init = &init_state<S>;
  if constexpr (!std::is_trivially_destructible_v<S>) a.destroy = &destroy_state<S>;
  return a;
}

/// Inner states of the groups being finalized, destroyed on every path.
class ScratchStates {
 public:
  ScratchStates(const BoundAggregate& f, size_t n) : f_(f), n_(n) {
    stride_ = (f.state_size + 15) & ~size_t{15};
    if (stride_ == 0) stride_ = 16;
    bytes_ = std::make_unique<uint8_t[]>(n * stride_ + 16);
    auto addr = reinterpret_cast<uintptr_t>(bytes_.get());
    base_ = bytes_.get() + ((16 - (addr & 15)) & 15);
    for (size_t i = 0; i < n; ++i) {
      if (f.init) f.init(at(i), f.bind_state.get());
      inited_ = i + 1;
    }
  }
  ~ScratchStates() {
    if (f_.destroy)
      for (size_t i = 0; i < inited_; ++i) f_.destroy(at(i));
  }
  uint8_t* at(size_t i) { return base_ + i * stride_; }

 private:
  const BoundAggregate& f_;
  size_t n_;
  size_t stride_ = 0;
  size_t inited_ = 0;
  std::unique_ptr<uint8_t[]> bytes_;
  uint8_t* base_ = nullptr;
};

/// The constant value of a bind argument, or a user error naming the function.
const Value& constant_arg(const BindArg& a, const char* function, const char* what);

/// Wraps `inner` (bound for one argument of type `arg`) so it sees every distinct non-NULL value
/// of its group once: the wrapper keeps a DistinctSet per group and runs `inner` over the set
/// when the group is finalized. Extra arguments of the call (separators, fractions) must live
/// in `inner.bind_state`.
BoundAggregate make_distinct(BoundAggregate inner, const DataType& arg);

/// Registration of the families in their own files.
void register_quantile_aggregates(FunctionRegistry& r);
void register_list_aggregates(FunctionRegistry& r);
void register_approx_count_distinct(FunctionRegistry& r);

}  // namespace velo::aggregate
