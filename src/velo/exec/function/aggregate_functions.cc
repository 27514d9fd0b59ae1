// The built-in aggregate functions: COUNT, SUM, AVG, MIN/MAX, BOOL_AND/BOOL_OR, COUNT_IF, the
// variance family, FIRST/LAST/ANY_VALUE; quantiles, lists and APPROX_COUNT_DISTINCT live in
// their own aggregate_*.cc files. Semantics and result types follow DuckDB, except that integer
// SUM returns INT64 (DuckDB: HUGEINT) and fails on overflow instead of widening.

#include <fmt/format.h>

#include <cmath>

#include "velo/exec/function/aggregate_values.h"
#include "velo/exec/function/function.h"
#include "velo/types/error.h"

namespace velo {
namespace aggregate {

const Value& constant_arg(const BindArg& a, const char* function, const char* what) {
  if (!a.constant) throw_user_error("{}: the {} must be a constant", function, what);
  return *a.constant;
}

namespace {

// ---- generic unary drivers ------------------------------------------------------------------
// An Op has: using State; using In (storage type read from the argument);
//   static void add(State&, In, const void* bind);
//   static void merge(State&, const State&, const void* bind);
//   static void finalize(State&, Column* out, const void* bind);
// and optionally static void remove(State&, In, const void* bind) for retraction.

template <typename Op>
void unary_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows,
                  const void* bind) {
  using S = typename Op::State;
  using In = typename Op::In;
  const Column& c = *args[0].column;
  for_each_valid(args[0], rows, [&](size_t i, size_t r) {
    Op::add(state_of<S>(states[i]), read<In>(c, r), bind);
  });
}

template <typename Op>
void unary_retract(uint8_t** states, const std::vector<ArgVector>& args, size_t rows,
                   const void* bind) {
  using S = typename Op::State;
  using In = typename Op::In;
  const Column& c = *args[0].column;
  for_each_valid(args[0], rows, [&](size_t i, size_t r) {
    Op::remove(state_of<S>(states[i]), read<In>(c, r), bind);
  });
}

template <typename Op>
void unary_combine(uint8_t* target, const uint8_t* source, const void* bind) {
  using S = typename Op::State;
  Op::merge(state_of<S>(target), state_of<S>(source), bind);
}

template <typename Op>
void unary_finalize(uint8_t** states, size_t n, Column* out, const void* bind) {
  using S = typename Op::State;
  for (size_t i = 0; i < n; ++i) Op::finalize(state_of<S>(states[i]), out, bind);
}

template <typename Op>
BoundAggregate unary(DataType return_type, DataType arg_type,
                     std::shared_ptr<const void> bind_state = nullptr) {
  auto a = make_aggregate<typename Op::State>(std::move(return_type), {std::move(arg_type)});
  a.bind_state = std::move(bind_state);
  a.update = &unary_update<Op>;
  a.combine = &unary_combine<Op>;
  a.finalize = &unary_finalize<Op>;
  if constexpr (requires(typename Op::State & s, typename Op::In v) { Op::remove(s, v, nullptr); })
    a.retract = &unary_retract<Op>;
  return a;
}

/// The one argument of a unary aggregate; NULL literals get `null_as` (DuckDB types them INTEGER).
const BindArg& single_arg(const AggregateCall& call, const char* name) {
  if (call.star) throw_user_error("{}(*) is not valid; use COUNT(*)", name);
  if (call.args.size() != 1)
    throw_user_error("{}() takes exactly one argument, got {}", name, call.args.size());
  return call.args[0];
}

DataType typed(const DataType& t, const DataType& null_as) {
  return t.id() == TypeId::kNull ? null_as : t;
}

BoundAggregate maybe_distinct(const AggregateCall& call, BoundAggregate a, const DataType& arg) {
  return call.distinct ? make_distinct(std::move(a), arg) : a;
}

// ---- COUNT ----------------------------------------------------------------------------------

void count_star_update(uint8_t** states, const std::vector<ArgVector>&, size_t rows, const void*) {
  for (size_t i = 0; i < rows; ++i) ++state_of<int64_t>(states[i]);
}
void count_star_retract(uint8_t** states, const std::vector<ArgVector>&, size_t rows, const void*) {
  for (size_t i = 0; i < rows; ++i) --state_of<int64_t>(states[i]);
}
void count_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows, const void*) {
  for_each_valid(args[0], rows, [&](size_t i, size_t) { ++state_of<int64_t>(states[i]); });
}
void count_retract(uint8_t** states, const std::vector<ArgVector>& args, size_t rows, const void*) {
  for_each_valid(args[0], rows, [&](size_t i, size_t) { --state_of<int64_t>(states[i]); });
}
void count_combine(uint8_t* target, const uint8_t* source, const void*) {
  state_of<int64_t>(target) += state_of<int64_t>(source);
}
void count_finalize(uint8_t** states, size_t n, Column* out, const void*) {
  for (size_t i = 0; i < n; ++i) out->append<int64_t>(state_of<int64_t>(states[i]));
}

BoundAggregate bind_count(const AggregateCall& call) {
  if (call.star || call.args.empty()) {
    if (call.distinct) throw_user_error("COUNT(DISTINCT *) is not valid");
    auto a = make_aggregate<int64_t>(DataType::int64(), {});
    a.update = &count_star_update;
    a.retract = &count_star_retract;
    a.combine = &count_combine;
    a.finalize = &count_finalize;
    return a;
  }
  if (call.args.size() != 1)
    throw_user_error("COUNT() takes one argument or *, got {}", call.args.size());
  DataType arg = typed(call.args[0].type, DataType::int32());
  auto a = make_aggregate<int64_t>(DataType::int64(), {arg});
  a.update = &count_update;
  a.retract = &count_retract;
  a.combine = &count_combine;
  a.finalize = &count_finalize;
  return maybe_distinct(call, std::move(a), arg);
}

// ---- SUM / AVG / COUNT_IF -------------------------------------------------------------------

struct IntSum {
  int128_t sum = 0;
  int64_t count = 0;
};
struct DoubleSum {
  double sum = 0;
  int64_t count = 0;
};

/// Integer (and BOOLEAN) input accumulated exactly in 128 bits.
template <typename T>
struct IntSumBase {
  using State = IntSum;
  using In = T;
  static void add(State& s, T v, const void*) {
    s.sum += v;
    ++s.count;
  }
  static void remove(State& s, T v, const void*) {
    s.sum -= v;
    --s.count;
  }
  static void merge(State& t, const State& s, const void*) {
    t.sum += s.sum;
    t.count += s.count;
  }
};

template <typename T>
struct SumInt : IntSumBase<T> {
  static void finalize(IntSum& s, Column* out, const void*) {
    if (s.count == 0) return out->append_null();
    if (s.sum > std::numeric_limits<int64_t>::max() || s.sum < std::numeric_limits<int64_t>::min())
      throw_user_error("SUM overflow: the result does not fit INT64");
    out->append<int64_t>(static_cast<int64_t>(s.sum));
  }
};

struct SumDecimal {
  using State = IntSum;
  using In = int128_t;
  static void add(State& s, int128_t v, const void*) {
    if (__builtin_add_overflow(s.sum, v, &s.sum)) overflow();
    ++s.count;
  }
  static void remove(State& s, int128_t v, const void*) {
    if (__builtin_sub_overflow(s.sum, v, &s.sum)) overflow();
    --s.count;
  }
  static void merge(State& t, const State& s, const void*) {
    if (__builtin_add_overflow(t.sum, s.sum, &t.sum)) overflow();
    t.count += s.count;
  }
  static void finalize(State& s, Column* out, const void*) {
    if (s.count == 0) return out->append_null();
    int128_t max = decimal::max_for_precision(decimal::kMaxPrecision);
    if (s.sum > max || s.sum < -max) overflow();
    out->append<int128_t>(s.sum);
  }
  [[noreturn]] static void overflow() {
    throw_user_error("SUM overflow: the result does not fit DECIMAL(38)");
  }
};

struct SumDoubleBase {
  using State = DoubleSum;
  using In = double;
  static void add(State& s, double v, const void*) {
    s.sum += v;
    ++s.count;
  }
  static void remove(State& s, double v, const void*) {
    s.sum -= v;
    --s.count;
  }
  static void merge(State& t, const State& s, const void*) {
    t.sum += s.sum;
    t.count += s.count;
  }
};
struct SumDouble : SumDoubleBase {
  static void finalize(State& s, Column* out, const void*) {
    if (s.count == 0) return out->append_null();
    out->append<double>(s.sum);
  }
};
struct AvgDouble : SumDoubleBase {
  static void finalize(State& s, Column* out, const void*) {
    if (s.count == 0) return out->append_null();
    out->append<double>(s.sum / static_cast<double>(s.count));
  }
};

/// AVG of integers and decimals: the exact 128-bit sum is divided once, in long double, by
/// count * 10^scale (bind state: the scale's power of ten as long double).
template <typename T>
struct AvgExact : IntSumBase<T> {
  static void finalize(IntSum& s, Column* out, const void* bind) {
    if (s.count == 0) return out->append_null();
    long double divisor = static_cast<long double>(s.count);
    if (bind) divisor *= *static_cast<const long double*>(bind);
    out->append<double>(static_cast<double>(static_cast<long double>(s.sum) / divisor));
  }
};

/// AVG of DATE/TIMESTAMP -> TIMESTAMP: exact sum of microseconds (dates: days, scaled at the end).
template <typename T>
struct AvgTemporal : IntSumBase<T> {
  static void finalize(IntSum& s, Column* out, const void*) {
    if (s.count == 0) return out->append_null();
    int128_t sum = s.sum;
    if constexpr (std::is_same_v<T, int32_t>) sum *= temporal::kMicrosPerDay;
    // Truncated toward zero, as DuckDB.
    out->append<int64_t>(static_cast<int64_t>(sum / s.count));
  }
};

/// COUNT_IF(b): DuckDB's SUM of booleans (NULL when no input row was non-NULL).
struct CountIf : IntSumBase<uint8_t> {
  static void finalize(IntSum& s, Column* out, const void*) {
    if (s.count == 0) return out->append_null();
    out->append<int64_t>(static_cast<int64_t>(s.sum));
  }
};

BoundAggregate bind_sum(const AggregateCall& call) {
  const BindArg& a = single_arg(call, "SUM");
  DataType t = typed(a.type, DataType::int64());
  BoundAggregate f;
  switch (t.id()) {
    case TypeId::kBoolean:
      f = unary<SumInt<uint8_t>>(DataType::int64(), t);
      break;
    case TypeId::kInt32:
      f = unary<SumInt<int32_t>>(DataType::int64(), t);
      break;
    case TypeId::kInt64:
      f = unary<SumInt<int64_t>>(DataType::int64(), t);
      break;
    case TypeId::kDouble:
      f = unary<SumDouble>(DataType::float64(), t);
      break;
    case TypeId::kDecimal:
      f = unary<SumDecimal>(DataType::decimal(decimal::kMaxPrecision, t.scale()), t);
      break;
    default:
      throw_user_error("no overload of SUM({}): SUM takes a numeric argument", t.to_string());
  }
  return maybe_distinct(call, std::move(f), t);
}

BoundAggregate bind_avg(const AggregateCall& call) {
  const BindArg& a = single_arg(call, "AVG");
  DataType t = typed(a.type, DataType::int64());
  BoundAggregate f;
  switch (t.id()) {
    case TypeId::kBoolean:
      f = unary<AvgExact<uint8_t>>(DataType::float64(), t);
      break;
    case TypeId::kInt32:
      f = unary<AvgExact<int32_t>>(DataType::float64(), t);
      break;
    case TypeId::kInt64:
      f = unary<AvgExact<int64_t>>(DataType::float64(), t);
      break;
    case TypeId::kDouble:
      f = unary<AvgDouble>(DataType::float64(), t);
      break;
    case TypeId::kDecimal: {
      long double p = 1;
      for (int i = 0; i < t.scale(); ++i) p *= 10;
      f = unary<AvgExact<int128_t>>(DataType::float64(), t, std::make_shared<const long double>(p));
      // The exact sum must not overflow either.
      f.update = &unary_update<SumDecimal>;
      f.retract = &unary_retract<SumDecimal>;
      f.combine = &unary_combine<SumDecimal>;
      break;
    }
    case TypeId::kDate:
      f = unary<AvgTemporal<int32_t>>(DataType::timestamp(), t);
      break;
    case TypeId::kTimestamp:
      f = unary<AvgTemporal<int64_t>>(DataType::timestamp(), t);
      break;
    default:
      throw_user_error("no overload of AVG({}): AVG takes a numeric argument", t.to_string());
  }
  return maybe_distinct(call, std::move(f), t);
}

BoundAggregate bind_count_if(const AggregateCall& call) {
  single_arg(call, "COUNT_IF");
  return maybe_distinct(call, unary<CountIf>(DataType::int64(), DataType::boolean()),
                        DataType::boolean());
}

// ---- MIN / MAX ------------------------------------------------------------------------------

template <typename T>
struct Extremum {
  Owned<T> value{};
  bool has = false;
};

template <typename T>
inline void assign(Owned<T>& dst, const T& v) {
  if constexpr (std::is_same_v<T, std::string_view>)
    dst.assign(v.data(), v.size());
  else
    dst = v;
}

template <typename T, bool kMax>
struct MinMax {
  using State = Extremum<T>;
  using In = T;
  static bool better(const T& v, const T& cur) { return kMax ? less<T>(cur, v) : less<T>(v, cur); }
  static void add(State& s, T v, const void*) {
    if (!s.has || better(v, T(s.value))) {
      assign<T>(s.value, v);
      s.has = true;
    }
  }
  static void merge(State& t, const State& s, const void*) {
    if (s.has) add(t, T(s.value), nullptr);
  }
  static void finalize(State& s, Column* out, const void*) {
    if (!s.has) return out->append_null();
    write(out, s.value);
  }
};

// Checkpoints of a MIN/MAX of strings (the only extremum that owns heap memory).
void string_extremum_save(const uint8_t* state, ByteWriter& out) {
  const auto& s = state_of<Extremum<std::string_view>>(state);
  out.put<uint8_t>(s.has);
  out.put_string(s.value);
}

void string_extremum_load(uint8_t* state, ByteReader& in) {
  auto& s = state_of<Extremum<std::string_view>>(state);
  s.has = in.get<uint8_t>() != 0;
  s.value = in.get_string();
}

template <bool kMax>
BoundAggregate bind_min_max(const AggregateCall& call) {
  const char* name = kMax ? "MAX" : "MIN";
  DataType t = typed(single_arg(call, name).type, DataType::int32());
  // DISTINCT does not change a minimum.
  return dispatch(t, name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    BoundAggregate a = unary<MinMax<T, kMax>>(t, t);
    if constexpr (std::is_same_v<T, std::string_view>) {
      a.save = &string_extremum_save;
      a.load = &string_extremum_load;
    }
    return a;
  });
}

// ---- BOOL_AND / BOOL_OR ---------------------------------------------------------------------

struct BoolState {
  uint8_t has = 0;
  uint8_t value = 0;
};

template <bool kAnd>
struct BoolOp {
  using State = BoolState;
  using In = uint8_t;
  static void add(State& s, uint8_t v, const void*) {
    if (!s.has) {
      s.has = 1;
      s.value = v != 0;
    } else {
      s.value = kAnd ? (s.value & (v != 0)) : (s.value | (v != 0));
    }
  }
  static void merge(State& t, const State& s, const void*) {
    if (s.has) add(t, s.value, nullptr);
  }
  static void finalize(State& s, Column* out, const void*) {
    if (!s.has) return out->append_null();
    out->append<uint8_t>(s.value);
  }
};

template <bool kAnd>
BoundAggregate bind_bool(const AggregateCall& call) {
  single_arg(call, kAnd ? "BOOL_AND" : "BOOL_OR");
  return unary<BoolOp<kAnd>>(DataType::boolean(), DataType::boolean());
}

// ---- variance family (Welford; Chan et al. for combine) -----------------------------------------

struct Moments {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared differences from the mean
};

enum class Moment { kVarSamp, kVarPop, kStddevSamp, kStddevPop };

template <typename T, Moment kKind>
struct VarianceOp {
  using State = Moments;
  using In = T;
  static double as_double(T v, const void* bind) {
    if constexpr (std::is_same_v<T, int128_t>)
      return static_cast<double>(v) / *static_cast<const double*>(bind);
    else
      return static_cast<double>(v);
  }
  static void add(State& s, T raw, const void* bind) {
    double x = as_double(raw, bind);
    ++s.count;
    double delta = x - s.mean;
    s.mean += delta / static_cast<double>(s.count);
    s.m2 += delta * (x - s.mean);
  }
  static void merge(State& t, const State& s, const void*) {
    if (s.count == 0) return;
    if (t.count == 0) {
      t = s;
      return;
    }
    double n1 = static_cast<double>(t.count), n2 = static_cast<double>(s.count), n = n1 + n2;
    double delta = s.mean - t.mean;
    t.mean = (n1 * t.mean + n2 * s.mean) / n;
    t.m2 = t.m2 + s.m2 + delta * delta * n1 * n2 / n;
    t.count += s.count;
  }
  static void finalize(State& s, Column* out, const void*) {
    bool sample = kKind == Moment::kVarSamp || kKind == Moment::kStddevSamp;
    if (s.count == 0 || (sample && s.count < 2)) return out->append_null();
    double v = s.m2 / static_cast<double>(sample ? s.count - 1 : s.count);
    if (v < 0) v = 0;  // rounding can leave -epsilon
    if (kKind == Moment::kStddevSamp || kKind == Moment::kStddevPop) v = std::sqrt(v);
    out->append<double>(v);
  }
};

template <Moment kKind>
BoundAggregate bind_variance(const AggregateCall& call, const char* name) {
  DataType t = typed(single_arg(call, name).type, DataType::float64());
  BoundAggregate f;
  switch (t.id()) {
    case TypeId::kInt32:
      f = unary<VarianceOp<int32_t, kKind>>(DataType::float64(), t);
      break;
    case TypeId::kInt64:
      f = unary<VarianceOp<int64_t, kKind>>(DataType::float64(), t);
      break;
    case TypeId::kDouble:
      f = unary<VarianceOp<double, kKind>>(DataType::float64(), t);
      break;
    case TypeId::kDecimal:
      f = unary<VarianceOp<int128_t, kKind>>(
          DataType::float64(), t,
          std::make_shared<const double>(static_cast<double>(decimal::pow10(t.scale()))));
      break;
    default:
      throw_user_error("no overload of {}({}): it takes a numeric argument", name, t.to_string());
  }
  return maybe_distinct(call, std::move(f), t);
}

// ---- FIRST / LAST / ANY_VALUE ---------------------------------------------------------------

template <typename T>
struct Pick {
  Owned<T> value{};
  uint8_t set = 0;   // a row was seen
  uint8_t null = 0;  // and it was NULL
};

enum class PickKind { kFirst, kLast, kAny };

template <typename T, PickKind kKind>
void pick_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows, const void*) {
  const ArgVector& a = args[0];
  const Column& c = *a.column;
  for (size_t i = 0; i < rows; ++i) {
    auto& s = state_of<Pick<T>>(states[i]);
    bool null = a.is_null(i);
    if constexpr (kKind == PickKind::kFirst) {
      if (s.set) continue;
    } else if constexpr (kKind == PickKind::kAny) {
      if (null || (s.set && !s.null)) continue;
    }
    s.set = 1;
    s.null = null;
    if (!null) assign<T>(s.value, read<T>(c, a.index(i)));
  }
}

template <typename T, PickKind kKind>
void pick_combine(uint8_t* target, const uint8_t* source, const void*) {
  auto& t = state_of<Pick<T>>(target);
  const auto& s = state_of<Pick<T>>(source);
  if (!s.set) return;
  bool take = kKind == PickKind::kLast || !t.set || (kKind == PickKind::kAny && t.null && !s.null);
  if (!take) return;
  t.set = 1;
  t.null = s.null;
  if (!s.null) t.value = s.value;
}

template <typename T>
void pick_finalize(uint8_t** states, size_t n, Column* out, const void*) {
  for (size_t i = 0; i < n; ++i) {
    auto& s = state_of<Pick<T>>(states[i]);
    if (!s.set || s.null)
      out->append_null();
    else
      write(out, s.value);
  }
}

template <PickKind kKind>
BoundAggregate bind_pick(const AggregateCall& call, const char* name) {
  DataType t = typed(single_arg(call, name).type, DataType::int32());
  return dispatch(t, name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto a = make_aggregate<Pick<T>>(t, {t});
    a.update = &pick_update<T, kKind>;
    a.combine = &pick_combine<T, kKind>;
    a.finalize = &pick_finalize<T>;
    return a;
  });
}

void add(FunctionRegistry& r, std::initializer_list<const char*> names,
         std::function<BoundAggregate(const AggregateCall&)> bind, const char* description) {
  // Every spelling is registered as a function of its own (aliases are shared with scalars).
  for (const char* n : names) r.add_aggregate(AggregateFunction{n, bind, description});
}

}  // namespace
}  // namespace aggregate

void register_aggregate_functions(FunctionRegistry& r) {
  using namespace aggregate;
  add(r, {"COUNT"}, bind_count, "number of rows (COUNT(*)) or of non-NULL values");
  add(r, {"SUM"}, bind_sum, "sum of the non-NULL values (INT64 for integers, DECIMAL(38,s))");
  add(r, {"AVG", "MEAN"}, bind_avg, "average of the non-NULL values");
  add(r, {"MIN"}, bind_min_max<false>, "smallest non-NULL value");
  add(r, {"MAX"}, bind_min_max<true>, "largest non-NULL value");
  add(r, {"BOOL_AND", "EVERY"}, bind_bool<true>, "true when every non-NULL value is true");
  add(r, {"BOOL_OR"}, bind_bool<false>, "true when some non-NULL value is true");
  add(r, {"COUNT_IF"}, bind_count_if, "number of rows where the condition is true");
  add(
      r, {"VAR_SAMP", "VARIANCE"},
      [](const AggregateCall& c) { return bind_variance<Moment::kVarSamp>(c, "VAR_SAMP"); },
      "sample variance");
  add(
      r, {"VAR_POP"},
      [](const AggregateCall& c) { return bind_variance<Moment::kVarPop>(c, "VAR_POP"); },
      "population variance");
  add(
      r, {"STDDEV_SAMP", "STDDEV"},
      [](const AggregateCall& c) { return bind_variance<Moment::kStddevSamp>(c, "STDDEV_SAMP"); },
      "sample standard deviation");
  add(
      r, {"STDDEV_POP"},
      [](const AggregateCall& c) { return bind_variance<Moment::kStddevPop>(c, "STDDEV_POP"); },
      "population standard deviation");
  add(
      r, {"FIRST", "FIRST_VALUE", "ARBITRARY"},
      [](const AggregateCall& c) { return bind_pick<PickKind::kFirst>(c, "FIRST"); },
      "value of the first row (NULL included)");
  add(
      r, {"LAST", "LAST_VALUE"},
      [](const AggregateCall& c) { return bind_pick<PickKind::kLast>(c, "LAST"); },
      "value of the last row (NULL included)");
  add(
      r, {"ANY_VALUE"},
      [](const AggregateCall& c) { return bind_pick<PickKind::kAny>(c, "ANY_VALUE"); },
      "some non-NULL value of the group");
  register_quantile_aggregates(r);
  register_list_aggregates(r);
  register_approx_count_distinct(r);
}

}  // namespace velo
