#include "velo/exec/operators/hash_aggregate.h"

#include <cstring>
#include <exception>
#include <thread>

#include "velo/exec/hash.h"
#include "velo/types/error.h"

namespace velo {

GroupTable::GroupTable(std::vector<DataType> key_types,
                       const std::vector<AggregateSpec>* aggregates)
    : aggregates_(aggregates) {
  for (auto& t : key_types) keys_.push_back(Column::make(std::move(t)));
  for (const auto& a : *aggregates_) {
    offsets_.push_back(stride_);
    stride_ += (a.function.state_size + 15) & ~size_t{15};
  }
  if (stride_ == 0) stride_ = 16;
  slots_.assign(1024, 0);
  mask_ = slots_.size() - 1;
  if (keys_.empty()) {
    // A global aggregate has exactly one group, present even for empty input.
    std::vector<const Column*> none;
    new_group(none, 0, 0);
  }
}

GroupTable::~GroupTable() { destroy_states(); }

void GroupTable::destroy_states() {
  for (size_t a = 0; a < aggregates_->size(); ++a) {
    auto destroy = (*aggregates_)[a].function.destroy;
    if (!destroy) continue;
    for (uint32_t g = 0; g < num_groups_; ++g) destroy(state(g) + offsets_[a]);
  }
}

std::string GroupTable::checkpoint_blocker(const std::vector<AggregateSpec>& aggregates) {
  for (const auto& a : aggregates)
    if (a.function.destroy && !a.function.save)
      return fmt::format("checkpointing the state of aggregate {} (it keeps values on the heap)",
                         a.name);
  return {};
}

void GroupTable::save(ByteWriter& out) const {
  std::string blocker = checkpoint_blocker(*aggregates_);
  if (!blocker.empty()) throw_not_supported("{}", blocker);
  out.put<uint64_t>(num_groups_);
  out.put<uint64_t>(keys_.size());
  for (const auto& k : keys_) k->serialize(out);
  out.put_bytes(group_hashes_.data(), group_hashes_.size() * sizeof(uint64_t));
  out.put<uint64_t>(aggregates_->size());
  std::string states;
  for (size_t a = 0; a < aggregates_->size(); ++a) {
    const BoundAggregate& f = (*aggregates_)[a].function;
    if (f.save) {
      // Heap-owning states write themselves, one after the other.
      ByteWriter each;
      for (uint32_t g = 0; g < num_groups_; ++g) f.save(state(g) + offsets_[a], each);
      out.put_string(each.str());
      continue;
    }
    size_t size = f.state_size;
    states.clear();
    states.reserve(size * num_groups_);
    for (uint32_t g = 0; g < num_groups_; ++g)
      states.append(reinterpret_cast<const char*>(state(g) + offsets_[a]), size);
    out.put_string(states);
  }
}

void GroupTable::load(ByteReader& in) {
  destroy_states();
  chunks_.clear();
  group_hashes_.clear();
  num_groups_ = 0;
  uint64_t groups = in.get_count(0);
  if (in.get<uint64_t>() != keys_.size()) in.corrupt();
  for (auto& k : keys_) {
    k = Column::deserialize(k->type(), in);
    if (k->size() != groups) in.corrupt();
  }
  std::string_view hashes = in.get_bytes();
  if (hashes.size() != groups * sizeof(uint64_t)) in.corrupt();
  group_hashes_.resize(groups);
  std::memcpy(group_hashes_.data(), hashes.data(), hashes.size());
  if (in.get<uint64_t>() != aggregates_->size()) in.corrupt();
  std::vector<std::string_view> states(aggregates_->size());
  for (size_t a = 0; a < aggregates_->size(); ++a) {
    states[a] = in.get_bytes();
    const BoundAggregate& f = (*aggregates_)[a].function;
    if (!f.save && states[a].size() != groups * f.state_size) in.corrupt();
  }
  std::vector<std::unique_ptr<ByteReader>> readers(aggregates_->size());
  for (size_t a = 0; a < aggregates_->size(); ++a)
    if ((*aggregates_)[a].function.save)
      readers[a] = std::make_unique<ByteReader>(states[a], "aggregate state in the checkpoint");
  for (uint32_t g = 0; g < groups; ++g) {
    if ((g >> kChunkBits) >= chunks_.size())
      chunks_.push_back(std::make_unique<uint8_t[]>(kChunkRows * stride_));
    // Every state of the group is valid before any can fail to load, so an error part-way
    // leaves a table the destructor can clean up.
    for (size_t a = 0; a < aggregates_->size(); ++a) {
      const BoundAggregate& f = (*aggregates_)[a].function;
      uint8_t* s = state(g) + offsets_[a];
      if (f.load && f.init) f.init(s, f.bind_state.get());
      if (!f.load) std::memcpy(s, states[a].data() + g * f.state_size, f.state_size);
    }
    num_groups_ = g + 1;
    for (size_t a = 0; a < aggregates_->size(); ++a) {
      const BoundAggregate& f = (*aggregates_)[a].function;
      if (f.load) f.load(state(g) + offsets_[a], *readers[a]);
    }
  }
  num_groups_ = groups;
  for (const auto& r : readers)
    if (r && !r->at_end()) in.corrupt();
  size_t slots = 1024;
  while (slots < groups * 2) slots *= 2;
  slots_.assign(slots, 0);
  mask_ = slots - 1;
  for (uint32_t g = 0; g < num_groups_; ++g) {
    uint64_t pos = group_hashes_[g] & mask_;
    while (slots_[pos]) pos = (pos + 1) & mask_;
    slots_[pos] = g + 1;
  }
}

uint32_t GroupTable::new_group(const std::vector<const Column*>& keys, uint32_t row,
                               uint64_t hash) {
  uint32_t g = static_cast<uint32_t>(num_groups_++);
  for (size_t k = 0; k < keys.size(); ++k) keys_[k]->append_from(*keys[k], row);
  group_hashes_.push_back(hash);
  if ((g >> kChunkBits) >= chunks_.size())
    chunks_.push_back(std::make_unique<uint8_t[]>(kChunkRows * stride_));
  uint8_t* s = state(g);
  for (size_t a = 0; a < aggregates_->size(); ++a) {
    const auto& f = (*aggregates_)[a].function;
    if (f.init) f.init(s + offsets_[a], f.bind_state.get());
  }
  return g;
}

void GroupTable::grow() {
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (uint32_t g = 0; g < num_groups_; ++g) {
    uint64_t pos = group_hashes_[g] & mask_;
    while (slots_[pos]) pos = (pos + 1) & mask_;
    slots_[pos] = g + 1;
  }
}

void GroupTable::find_groups(const std::vector<const Column*>& keys, size_t rows, uint32_t* ids) {
  if (keys.empty()) {
    std::fill(ids, ids + rows, 0u);
    return;
  }
  // Room for every row to become a new group, so slots never move while rows probe.
  while ((num_groups_ + rows) * 2 > slots_.size()) grow();
  hashes_.resize(rows);
  for (size_t k = 0; k < keys.size(); ++k) hash_column(*keys[k], rows, hashes_.data(), k > 0);
  // Probe in rounds: each round, every pending row looks at one slot; rows whose slot holds a
  // group with the same hash are compared column by column, the rest move on.
  std::vector<uint32_t> pending(rows), next_pending, cmp_rows, cmp_groups;
  std::vector<uint64_t> pos(rows);
  std::vector<uint8_t> equal;
  for (uint32_t i = 0; i < rows; ++i) {
    pending[i] = i;
    pos[i] = hashes_[i] & mask_;
  }
  while (!pending.empty()) {
    cmp_rows.clear();
    cmp_groups.clear();
    for (uint32_t i : pending) {
      while (true) {
        uint32_t slot = slots_[pos[i]];
        if (slot == 0) {
          uint32_t g = new_group(keys, i, hashes_[i]);
          slots_[pos[i]] = g + 1;
          ids[i] = g;
          break;
        }
        if (group_hashes_[slot - 1] == hashes_[i]) {
          cmp_rows.push_back(i);
          cmp_groups.push_back(slot - 1);
          break;
        }
        pos[i] = (pos[i] + 1) & mask_;
      }
    }
    if (cmp_rows.empty()) break;
    equal.assign(cmp_rows.size(), 1);
    for (size_t k = 0; k < keys.size(); ++k)
      compare_rows(*keys[k], cmp_rows.data(), *keys_[k], cmp_groups.data(), cmp_rows.size(),
                   equal.data());
    next_pending.clear();
    for (size_t j = 0; j < cmp_rows.size(); ++j) {
      uint32_t i = cmp_rows[j];
      if (equal[j]) {
        ids[i] = cmp_groups[j];
      } else {
        pos[i] = (pos[i] + 1) & mask_;
        next_pending.push_back(i);
      }
    }
    pending.swap(next_pending);
  }
}

void GroupTable::consume(const Batch& input, const std::vector<BoundExprPtr>& group_exprs,
                         Evaluator* ev) {
  assign(input, group_exprs, ev, &group_ids_);
  update(input, group_ids_, ev);
}

void GroupTable::assign(const Batch& input, const std::vector<BoundExprPtr>& group_exprs,
                        Evaluator* ev, std::vector<uint32_t>* group_ids) {
  size_t rows = input.num_rows;
  std::vector<ColumnPtr> key_cols;
  std::vector<const Column*> keys;
  for (const auto& g : group_exprs) {
    key_cols.push_back(ev->evaluate(*g, input));
    keys.push_back(key_cols.back().get());
  }
  group_ids->resize(rows);
  find_groups(keys, rows, group_ids->data());
}

void GroupTable::update(const Batch& input, const std::vector<uint32_t>& group_ids, Evaluator* ev,
                        bool retract) {
  size_t rows = input.num_rows;
  state_ptrs_.resize(rows);
  std::vector<uint32_t> sel;
  for (size_t a = 0; a < aggregates_->size(); ++a) {
    const AggregateSpec& spec = (*aggregates_)[a];
    if (retract && !spec.function.retract)
      throw_not_supported("{} over a changelog input (it cannot take back a retracted row)",
                          spec.name);
    const Batch* src = &input;
    Batch filtered;
    size_t n = rows;
    if (spec.filter) {
      ev->select(*spec.filter, input, &sel);
      filtered = gather(input, sel.data(), sel.size());
      src = &filtered;
      n = sel.size();
      for (size_t i = 0; i < n; ++i) state_ptrs_[i] = state(group_ids[sel[i]]) + offsets_[a];
    } else {
      for (size_t i = 0; i < n; ++i) state_ptrs_[i] = state(group_ids[i]) + offsets_[a];
    }
    if (n == 0) continue;
    std::vector<ColumnPtr> arg_cols;
    std::vector<ArgVector> args;
    for (const auto& e : spec.args) arg_cols.push_back(ev->evaluate(*e, *src));
    for (const auto& c : arg_cols) args.push_back(ArgVector{c.get(), false});
    (retract ? spec.function.retract : spec.function.update)(state_ptrs_.data(), args, n,
                                                             spec.function.bind_state.get());
  }
}

void GroupTable::merge(GroupTable& other) {
  std::vector<const Column*> keys;
  for (const auto& k : other.keys_) keys.push_back(k.get());
  std::vector<uint32_t> ids(other.num_groups_);
  find_groups(keys, other.num_groups_, ids.data());
  for (size_t a = 0; a < aggregates_->size(); ++a) {
    const auto& f = (*aggregates_)[a].function;
    for (uint32_t g = 0; g < other.num_groups_; ++g)
      f.combine(state(ids[g]) + offsets_[a], other.state(g) + other.offsets_[a],
                f.bind_state.get());
  }
}

Batch GroupTable::emit(SchemaPtr schema, size_t begin, size_t n) {
  std::vector<uint32_t> sel(n);
  for (size_t i = 0; i < n; ++i) sel[i] = static_cast<uint32_t>(begin + i);
  return emit_groups(std::move(schema), sel.data(), n);
}

Batch GroupTable::emit_groups(SchemaPtr schema, const uint32_t* ids, size_t n) {
  Batch out;
  out.schema = std::move(schema);
  out.num_rows = n;
  for (const auto& k : keys_) out.columns.push_back(gather(*k, ids, n));
  std::vector<uint8_t*> ptrs(n);
  for (size_t a = 0; a < aggregates_->size(); ++a) {
    const auto& f = (*aggregates_)[a].function;
    for (size_t i = 0; i < n; ++i) ptrs[i] = state(ids[i]) + offsets_[a];
    auto col = Column::make(f.return_type);
    col->reserve(n);
    f.finalize(ptrs.data(), n, col.get(), f.bind_state.get());
    out.columns.push_back(std::move(col));
  }
  return out;
}

HashAggregateOperator::HashAggregateOperator(std::vector<OperatorPtr> inputs,
                                             std::vector<BoundExprPtr> group_exprs,
                                             std::vector<AggregateSpec> aggregates,
                                             SchemaPtr schema)
    : Operator(std::move(schema)),
      inputs_(std::move(inputs)),
      group_exprs_(std::move(group_exprs)),
      aggregates_(std::move(aggregates)) {}

void HashAggregateOperator::build() {
  built_ = true;
  std::vector<DataType> key_types;
  for (const auto& g : group_exprs_) key_types.push_back(g->type);
  size_t n = inputs_.size();
  std::vector<std::unique_ptr<GroupTable>> tables;
  for (size_t i = 0; i < n; ++i)
    tables.push_back(std::make_unique<GroupTable>(key_types, &aggregates_));
  auto run = [&](size_t i) {
    Evaluator ev;
    Batch b;
    while (inputs_[i]->next(&b)) tables[i]->consume(b, group_exprs_, &ev);
  };
  if (n == 1) {
    run(0);
  } else {
    std::vector<std::exception_ptr> errors(n);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < n; ++i)
      threads.emplace_back([&, i] {
        try {
          run(i);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
    for (auto& t : threads) t.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
    for (size_t i = 1; i < n; ++i) {
      tables[0]->merge(*tables[i]);
      tables[i].reset();
    }
  }
  inputs_.clear();
  table_ = std::move(tables[0]);
}

bool HashAggregateOperator::next(Batch* out) {
  if (!built_) build();
  if (emitted_ >= table_->num_groups()) return false;
  size_t n = std::min(kDefaultBatchRows, table_->num_groups() - emitted_);
  *out = table_->emit(schema_, emitted_, n);
  emitted_ += n;
  return true;
}

}  // namespace velo
