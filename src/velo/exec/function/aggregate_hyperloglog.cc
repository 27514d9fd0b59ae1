// APPROX_COUNT_DISTINCT over a HyperLogLog sketch per group (see aggregate_hyperloglog.h for
// the error bound). The hash of a value is aggregate::hash_value, consistent with DISTINCT.

#include "velo/exec/function/aggregate_hyperloglog.h"

#include <cmath>
#include <limits>

#include "velo/exec/function/aggregate_values.h"

namespace velo {

namespace {
constexpr int kQ = 64 - HyperLogLog::kPrecision;  // bits left for the rank

// A hash of 0 marks an empty sparse slot; move it elsewhere (one hash in 2^64 collides).
inline uint64_t nonzero(uint64_t h) { return h ? h : 0x9E3779B97F4A7C15ULL; }

double sigma(double x) {
  if (x == 1) return std::numeric_limits<double>::infinity();
  double y = 1, z = x, prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (z != prev);
  return z;
}

double tau(double x) {
  if (x == 0 || x == 1) return 0;
  double y = 1, z = 1 - x, prev;
  do {
    x = std::sqrt(x);
    prev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (z != prev);
  return z / 3;
}
}  // namespace

void HyperLogLog::add_hash(uint64_t hash) {
  hash = nonzero(hash);
  if (dense_) return set_register(hash);
  insert_sparse(hash);
  if (sparse_count_ > kSparseLimit) to_dense();
}

void HyperLogLog::insert_sparse(uint64_t hash) {
  if ((sparse_count_ + 1) * 2 > sparse_.size()) {
    std::vector<uint64_t> old = std::move(sparse_);
    sparse_.assign(old.empty() ? 16 : old.size() * 2, 0);
    sparse_count_ = 0;
    for (uint64_t h : old)
      if (h) insert_sparse(h);
  }
  size_t mask = sparse_.size() - 1;
  size_t pos = aggregate::mix64(hash) & mask;
  while (sparse_[pos]) {
    if (sparse_[pos] == hash) return;
    pos = (pos + 1) & mask;
  }
  sparse_[pos] = hash;
  ++sparse_count_;
}

void HyperLogLog::set_register(uint64_t hash) {
  size_t index = hash >> kQ;
  uint64_t rest = hash << kPrecision;  // the low kQ bits, moved to the top
  int rank = rest == 0 ? kQ + 1 : __builtin_clzll(rest) + 1;
  if (rank > kQ + 1) rank = kQ + 1;
  if (dense_[index] < rank) dense_[index] = static_cast<uint8_t>(rank);
}

void HyperLogLog::to_dense() {
  dense_ = std::make_unique<uint8_t[]>(kRegisters);  // zeroed
  for (uint64_t h : sparse_)
    if (h) set_register(h);
  sparse_.clear();
  sparse_.shrink_to_fit();
  sparse_count_ = 0;
}

void HyperLogLog::merge(const HyperLogLog& other) {
  if (!other.dense_) {
    for (uint64_t h : other.sparse_)
      if (h) add_hash(h);
    return;
  }
  if (!dense_) to_dense();
  for (size_t i = 0; i < kRegisters; ++i)
    if (dense_[i] < other.dense_[i]) dense_[i] = other.dense_[i];
}

uint64_t HyperLogLog::estimate() const {
  if (!dense_) return sparse_count_;
  // Ertl's improved estimator over the register histogram.
  double counts[kQ + 2] = {};
  for (size_t i = 0; i < kRegisters; ++i) counts[dense_[i]] += 1;
  double m = static_cast<double>(kRegisters);
  double z = m * tau(1 - counts[kQ + 1] / m);
  for (int k = kQ; k >= 1; --k) z = 0.5 * (z + counts[k]);
  z += m * sigma(counts[0] / m);
  constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

namespace aggregate {
namespace {

template <typename T>
void hll_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows, const void*) {
  const Column& c = *args[0].column;
  for_each_valid(args[0], rows, [&](size_t i, size_t r) {
    state_of<HyperLogLog>(states[i]).add_hash(hash_value<T>(read<T>(c, r)));
  });
}

void hll_combine(uint8_t* target, const uint8_t* source, const void*) {
  state_of<HyperLogLog>(target).merge(state_of<HyperLogLog>(source));
}

void hll_finalize(uint8_t** states, size_t n, Column* out, const void*) {
  for (size_t i = 0; i < n; ++i)
    out->append<int64_t>(static_cast<int64_t>(state_of<HyperLogLog>(states[i]).estimate()));
}

BoundAggregate bind_approx_count_distinct(const AggregateCall& call) {
  if (call.star || call.args.size() != 1)
    throw_user_error("APPROX_COUNT_DISTINCT() takes exactly one argument");
  DataType t = call.args[0].type.id() == TypeId::kNull ? DataType::int32() : call.args[0].type;
  // DISTINCT changes nothing for a distinct count.
  return dispatch(t, "APPROX_COUNT_DISTINCT", [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto a = make_aggregate<HyperLogLog>(DataType::int64(), {t});
    a.update = &hll_update<T>;
    a.combine = &hll_combine;
    a.finalize = &hll_finalize;
    return a;
  });
}

}  // namespace

void register_approx_count_distinct(FunctionRegistry& r) {
  r.add_aggregate(AggregateFunction{"APPROX_COUNT_DISTINCT", bind_approx_count_distinct,
                                    "approximate number of distinct non-NULL values (HyperLogLog: "
                                    "exact up to 256, then ~1.6% standard error)"});
}

}  // namespace aggregate
}  // namespace velo
