// The generic DISTINCT wrapper: SUM(DISTINCT x), COUNT(DISTINCT x), STRING_AGG(DISTINCT x, ',').
// Each group keeps the set of its distinct non-NULL values; partial states merge by set union;
// the wrapped aggregate runs once over each group's set when the group is finalized.

#include <memory>

#include "velo/exec/function/aggregate_values.h"

namespace velo::aggregate {
namespace {

struct DistinctBind {
  BoundAggregate inner;
  DataType arg;
};

template <typename T>
void distinct_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows,
                     const void*) {
  const Column& c = *args[0].column;
  for_each_valid(args[0], rows, [&](size_t i, size_t r) {
    T v = read<T>(c, r);
    state_of<DistinctSet<T>>(states[i]).insert(v, hash_value<T>(v));
  });
}

template <typename T>
void distinct_combine(uint8_t* target, const uint8_t* source, const void*) {
  state_of<DistinctSet<T>>(target).merge(state_of<DistinctSet<T>>(source));
}

template <typename T>
void distinct_finalize(uint8_t** states, size_t n, Column* out, const void* bind) {
  const auto& b = *static_cast<const DistinctBind*>(bind);
  const BoundAggregate& f = b.inner;
  ScratchStates inner(f, n);
  size_t total = 0;
  for (size_t g = 0; g < n; ++g) total += state_of<DistinctSet<T>>(states[g]).size();
  Column values(b.arg);
  values.reserve(total);
  std::vector<uint8_t*> ptrs;
  ptrs.reserve(total);
  for (size_t g = 0; g < n; ++g) {
    const auto& set = state_of<DistinctSet<T>>(states[g]);
    for (size_t k = 0; k < set.size(); ++k) {
      write(&values, set.get(k));
      ptrs.push_back(inner.at(g));
    }
  }
  if (total > 0) {
    std::vector<ArgVector> args{ArgVector{&values, false}};
    f.update(ptrs.data(), args, total, f.bind_state.get());
  }
  std::vector<uint8_t*> finals(n);
  for (size_t g = 0; g < n; ++g) finals[g] = inner.at(g);
  f.finalize(finals.data(), n, out, f.bind_state.get());
}

template <typename T>
void distinct_save(const uint8_t* state, ByteWriter& out) {
  state_of<DistinctSet<T>>(state).save(out);
}

template <typename T>
void distinct_load(uint8_t* state, ByteReader& in) {
  state_of<DistinctSet<T>>(state).load(in);
}

}  // namespace

BoundAggregate make_distinct(BoundAggregate inner, const DataType& arg) {
  return dispatch(arg, "DISTINCT", [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto a = make_aggregate<DistinctSet<T>>(inner.return_type, inner.arg_types);
    a.update = &distinct_update<T>;
    a.combine = &distinct_combine<T>;
    a.finalize = &distinct_finalize<T>;
    a.save = &distinct_save<T>;
    a.load = &distinct_load<T>;
    a.bind_state = std::make_shared<const DistinctBind>(DistinctBind{std::move(inner), arg});
    return a;
  });
}

}  // namespace velo::aggregate
