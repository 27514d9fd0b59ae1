// ORDER BY inside an aggregate call: STRING_AGG(x, ',' ORDER BY y), ARRAY_AGG(x ORDER BY t DESC).
// Each group buffers its rows (arguments + order keys) in columns; partial states concatenate;
// at finalize the rows of each group are sorted by the keys and replayed into the wrapped
// aggregate. Buffering copies rows through the column slow path: the feature is for modest
// group sizes (string lists, first/last), not for hot aggregates.

#include <algorithm>
#include <memory>
#include <numeric>

#include "velo/exec/function/aggregate_values.h"

namespace velo::aggregate {
namespace {

struct OrderedBind {
  BoundAggregate inner;
  std::vector<DataType> column_types;  // inner's arguments, then the keys
  size_t inner_args = 0;
  std::vector<AggregateOrderKey> keys;
};

struct OrderedRows {
  std::vector<ColumnPtr> columns;
};

void ordered_init(uint8_t* p, const void* bind) {
  const auto& b = *static_cast<const OrderedBind*>(bind);
  auto* rows = new (p) OrderedRows();
  for (const auto& t : b.column_types) rows->columns.push_back(Column::make(t));
}

void ordered_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows,
                    const void*) {
  for (size_t i = 0; i < rows; ++i) {
    auto& s = state_of<OrderedRows>(states[i]);
    for (size_t c = 0; c < args.size(); ++c)
      s.columns[c]->append_from(*args[c].column, args[c].index(i));
  }
}

void ordered_combine(uint8_t* target, const uint8_t* source, const void*) {
  auto& t = state_of<OrderedRows>(target);
  const auto& s = state_of<OrderedRows>(source);
  for (size_t c = 0; c < t.columns.size(); ++c)
    for (size_t r = 0; r < s.columns[c]->size(); ++r) t.columns[c]->append_from(*s.columns[c], r);
}

// Sort permutation of one group's rows by its key columns.
std::vector<uint32_t> sorted_rows(const OrderedRows& s, const OrderedBind& b) {
  size_t n = s.columns.empty() ? 0 : s.columns[0]->size();
  std::vector<std::vector<Value>> keys(b.keys.size());
  for (size_t k = 0; k < b.keys.size(); ++k) {
    const Column& c = *s.columns[b.inner_args + k];
    keys[k].reserve(n);
    for (size_t r = 0; r < n; ++r) keys[k].push_back(c.value_at(r));
  }
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  std::stable_sort(perm.begin(), perm.end(), [&](uint32_t x, uint32_t y) {
    for (size_t k = 0; k < b.keys.size(); ++k) {
      const Value& a = keys[k][x];
      const Value& c = keys[k][y];
      if (a.is_null() || c.is_null()) {
        if (a.is_null() == c.is_null()) continue;
        return a.is_null() == b.keys[k].nulls_first;
      }
      int cmp = a.compare(c);
      if (cmp != 0) return b.keys[k].descending ? cmp > 0 : cmp < 0;
    }
    return false;
  });
  return perm;
}

void ordered_finalize(uint8_t** states, size_t n, Column* out, const void* bind) {
  const auto& b = *static_cast<const OrderedBind*>(bind);
  const BoundAggregate& f = b.inner;
  ScratchStates inner(f, n);
  std::vector<ColumnPtr> replay;
  for (size_t c = 0; c < b.inner_args; ++c) replay.push_back(Column::make(b.column_types[c]));
  std::vector<uint8_t*> ptrs;
  for (size_t g = 0; g < n; ++g) {
    const auto& s = state_of<OrderedRows>(states[g]);
    for (uint32_t r : sorted_rows(s, b)) {
      for (size_t c = 0; c < b.inner_args; ++c) replay[c]->append_from(*s.columns[c], r);
      ptrs.push_back(inner.at(g));
    }
  }
  if (!ptrs.empty()) {
    std::vector<ArgVector> args;
    for (const auto& c : replay) args.push_back(ArgVector{c.get(), false});
    f.update(ptrs.data(), args, ptrs.size(), f.bind_state.get());
  }
  std::vector<uint8_t*> finals(n);
  for (size_t g = 0; g < n; ++g) finals[g] = inner.at(g);
  f.finalize(finals.data(), n, out, f.bind_state.get());
}

}  // namespace
}  // namespace velo::aggregate

namespace velo {

BoundAggregate order_aggregate_input(BoundAggregate inner, std::vector<AggregateOrderKey> keys) {
  using namespace aggregate;
  auto bind = std::make_shared<OrderedBind>();
  bind->inner_args = inner.arg_types.size();
  bind->column_types = inner.arg_types;
  // Arguments the inner aggregate reads at bind time (NULL type = no cast) are still buffered.
  for (auto& t : bind->column_types)
    if (t.id() == TypeId::kNull) t = DataType::string();
  BoundAggregate a = make_aggregate<OrderedRows>(inner.return_type, inner.arg_types);
  for (const auto& k : keys) {
    a.arg_types.push_back(k.type);
    bind->column_types.push_back(k.type);
  }
  bind->keys = std::move(keys);
  bind->inner = std::move(inner);
  a.init = &ordered_init;
  a.update = &ordered_update;
  a.combine = &ordered_combine;
  a.finalize = &ordered_finalize;
  a.bind_state = std::move(bind);
  return a;
}

bool aggregate_is_order_sensitive(const std::string& name) {
  static const char* kNames[] = {"STRING_AGG", "LISTAGG",   "GROUP_CONCAT", "ARRAY_AGG",
                                 "LIST",       "FIRST",     "FIRST_VALUE",  "LAST",
                                 "LAST_VALUE", "ARBITRARY", "ANY_VALUE"};
  for (const char* n : kNames)
    if (iequals(name, n)) return true;
  return false;
}

}  // namespace velo
