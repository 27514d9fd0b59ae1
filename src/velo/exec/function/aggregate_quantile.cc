// Holistic aggregates: MEDIAN, QUANTILE_CONT/QUANTILE_DISC(x, q) and the SQL standard
// PERCENTILE_CONT/PERCENTILE_DISC(q) WITHIN GROUP (ORDER BY x). Each group keeps its non-NULL
// values; finalize selects with nth_element. q may be a list of fractions (result LIST).
// Interpolation and index rules are DuckDB's:
//   CONT: RN = (n-1)*q, lo = x[floor RN], hi = x[ceil RN]; numbers -> DOUBLE lo + (hi-lo)*d,
//         DECIMAL -> lo + trunc((hi-lo)*d) at the input scale, DATE/TIMESTAMP -> TIMESTAMP
//         lo + round((hi-lo)*d) microseconds.
//   DISC: x[max(1, ceil(n*q)) - 1], computed exactly when q is a decimal literal.

#include <algorithm>
#include <cmath>

#include "velo/exec/function/aggregate_values.h"

namespace velo::aggregate {
namespace {

struct Fraction {
  double value = 0;
  bool exact = false;  // q = unscaled / 10^scale
  int128_t unscaled = 0;
  int scale = 0;
};

struct QuantileBind {
  std::vector<Fraction> fractions;
  bool list = false;  // q was a list: the result is LIST<T>
  TypeId input = TypeId::kNull;
};

Fraction fraction_of(const Value& v, const char* name) {
  Fraction f;
  switch (v.type().id()) {
    case TypeId::kDecimal:
      f.exact = true;
      f.unscaled = v.as_decimal();
      f.scale = v.type().scale();
      f.value = decimal::to_double(f.unscaled, f.scale);
      break;
    case TypeId::kInt32:
    case TypeId::kInt64:
      f.exact = true;
      f.unscaled = v.as_int();
      f.value = static_cast<double>(v.as_int());
      break;
    case TypeId::kDouble:
      f.value = v.as_double();
      break;
    default:
      throw_user_error("{}: the quantile must be a number, got {}", name, v.type().to_string());
  }
  if (!(f.value >= 0 && f.value <= 1))
    throw_user_error("{} can only take parameters in the range [0, 1]", name);
  return f;
}

size_t disc_index(const Fraction& q, size_t n) {
  int128_t k;  // ceil(n * q)
  if (q.exact) {
    int128_t num = static_cast<int128_t>(n) * q.unscaled, den = decimal::pow10(q.scale);
    k = num / den + (num % den != 0 ? 1 : 0);
  } else {
    double floored = std::floor(static_cast<double>(n) - static_cast<double>(n) * q.value);
    k = static_cast<int128_t>(n) - static_cast<int128_t>(floored);
  }
  if (k < 1) k = 1;
  if (k > static_cast<int128_t>(n)) k = n;
  return static_cast<size_t>(k - 1);
}

template <typename T>
struct Values {
  ValueList<T> list;
};

template <typename T>
void values_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows, const void*) {
  const Column& c = *args[0].column;
  for_each_valid(args[0], rows, [&](size_t i, size_t r) {
    state_of<Values<T>>(states[i]).list.push(read<T>(c, r));
  });
}

template <typename T>
void values_combine(uint8_t* target, const uint8_t* source, const void*) {
  state_of<Values<T>>(target).list.append(state_of<Values<T>>(source).list);
}

/// The values of a state as a sortable vector (strings: views into the state's buffer).
template <typename T>
std::vector<T>& sortable(Values<T>& s, std::vector<T>* scratch) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    scratch->clear();
    for (size_t i = 0; i < s.list.size(); ++i) scratch->push_back(s.list.get(i));
    return *scratch;
  } else {
    (void)scratch;
    return s.list.raw();
  }
}

template <typename T>
T nth(std::vector<T>& v, size_t k) {
  std::nth_element(v.begin(), v.begin() + k, v.end(),
                   [](const T& a, const T& b) { return less<T>(a, b); });
  return v[k];
}

template <typename T>
void emit_cont(std::vector<T>& v, const Fraction& q, TypeId input, Column* dst) {
  double rn = static_cast<double>(v.size() - 1) * q.value;
  auto frn = static_cast<size_t>(std::floor(rn)), crn = static_cast<size_t>(std::ceil(rn));
  T lo = nth(v, frn);
  T hi = lo;
  if (crn != frn)
    hi = *std::min_element(v.begin() + frn + 1, v.end(),
                           [](const T& a, const T& b) { return less<T>(a, b); });
  double d = rn - static_cast<double>(frn);
  if constexpr (std::is_same_v<T, int128_t>) {
    double delta = static_cast<double>(hi - lo) * d;
    dst->append<int128_t>(lo + static_cast<int128_t>(delta));
  } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
    if (input == TypeId::kDate || input == TypeId::kTimestamp) {
      int64_t scale = input == TypeId::kDate ? temporal::kMicrosPerDay : 1;
      int64_t l = static_cast<int64_t>(lo) * scale, h = static_cast<int64_t>(hi) * scale;
      dst->append<int64_t>(l + static_cast<int64_t>(std::llround(static_cast<double>(h - l) * d)));
    } else {
      double l = static_cast<double>(lo), h = static_cast<double>(hi);
      dst->append<double>(crn == frn ? l : l + (h - l) * d);
    }
  } else if constexpr (std::is_same_v<T, double>) {
    dst->append<double>(crn == frn ? lo : lo + (hi - lo) * d);
  }
}

template <typename T, bool kCont>
void quantile_finalize(uint8_t** states, size_t n, Column* out, const void* bind) {
  const auto& b = *static_cast<const QuantileBind*>(bind);
  std::vector<T> scratch;
  for (size_t g = 0; g < n; ++g) {
    auto& s = state_of<Values<T>>(states[g]);
    if (s.list.size() == 0) {
      out->append_null();
      continue;
    }
    std::vector<T>& v = sortable(s, &scratch);
    Column* dst = b.list ? &out->child(0) : out;
    for (const Fraction& q : b.fractions) {
      if constexpr (kCont)
        emit_cont(v, q, b.input, dst);
      else
        write(dst, nth(v, disc_index(q, v.size())));
    }
    if (b.list) out->append_list_end();
  }
}

enum class Mode { kCont, kDisc, kMedian };

bool interpolates(const DataType& t) {
  switch (t.id()) {
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDouble:
    case TypeId::kDecimal:
    case TypeId::kDate:
    case TypeId::kTimestamp:
      return true;
    default:
      return false;
  }
}

DataType cont_type(const DataType& t) {
  switch (t.id()) {
    case TypeId::kDecimal:
      return t;
    case TypeId::kDate:
    case TypeId::kTimestamp:
      return DataType::timestamp();
    default:
      return DataType::float64();
  }
}

BoundAggregate bind_quantile(const AggregateCall& call, Mode mode, const char* name) {
  if (call.star) throw_user_error("{}(*) is not valid", name);
  const BindArg* qarg = nullptr;
  if (!call.direct_args.empty()) {
    if (call.direct_args.size() != 1 || call.args.size() != 1)
      throw_user_error("{}(q) WITHIN GROUP (ORDER BY x) takes one fraction and one ordering", name);
    qarg = &call.direct_args[0];
  } else if (mode == Mode::kMedian) {
    if (call.args.size() != 1) throw_user_error("MEDIAN() takes exactly one argument");
  } else {
    if (call.args.size() != 2) throw_user_error("{}(x, q) takes two arguments", name);
    qarg = &call.args[1];
  }
  DataType t = call.args[0].type.id() == TypeId::kNull ? DataType::float64() : call.args[0].type;
  auto b = std::make_shared<QuantileBind>();
  b->input = t.id();
  if (!qarg) {
    b->fractions.push_back(Fraction{0.5, true, 5, 1});
  } else {
    const Value& q = constant_arg(*qarg, name, "quantile");
    if (q.is_null()) throw_user_error("{}: the quantile must not be NULL", name);
    if (q.type().id() == TypeId::kList) {
      b->list = true;
      for (const auto& e : q.children()) b->fractions.push_back(fraction_of(e, name));
    } else {
      b->fractions.push_back(fraction_of(q, name));
    }
  }
  bool cont = mode == Mode::kCont || (mode == Mode::kMedian && interpolates(t));
  if (cont && !interpolates(t))
    throw_user_error(
        "no overload of {}({}): it interpolates numbers, dates and timestamps; use "
        "the _DISC form",
        name, t.to_string());
  DataType element = cont ? cont_type(t) : t;
  DataType ret = b->list ? DataType::list_of(element) : element;
  std::vector<DataType> arg_types{t};
  if (call.args.size() > 1) arg_types.push_back(DataType::null());  // the fraction: no cast
  BoundAggregate a = dispatch(t, name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto f = make_aggregate<Values<T>>(ret, arg_types);
    f.update = &values_update<T>;
    f.combine = &values_combine<T>;
    if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
                  std::is_same_v<T, double> || std::is_same_v<T, int128_t>) {
      f.finalize = cont ? &quantile_finalize<T, true> : &quantile_finalize<T, false>;
    } else {
      f.finalize = &quantile_finalize<T, false>;
    }
    return f;
  });
  a.bind_state = b;
  return call.distinct ? make_distinct(std::move(a), t) : a;
}

}  // namespace

void register_quantile_aggregates(FunctionRegistry& r) {
  auto add = [&](const char* name, Mode mode, const char* description) {
    r.add_aggregate(AggregateFunction{
        name, [mode, name](const AggregateCall& c) { return bind_quantile(c, mode, name); },
        description});
  };
  add("MEDIAN", Mode::kMedian, "middle value (interpolated for numbers and times)");
  add("QUANTILE_CONT", Mode::kCont, "interpolated quantile: QUANTILE_CONT(x, 0.9)");
  add("PERCENTILE_CONT", Mode::kCont, "PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY x)");
  add("QUANTILE_DISC", Mode::kDisc, "quantile, an input value: QUANTILE_DISC(x, 0.9)");
  add("QUANTILE", Mode::kDisc, "QUANTILE_DISC");
  add("PERCENTILE_DISC", Mode::kDisc, "PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY x)");
}

}  // namespace velo::aggregate
