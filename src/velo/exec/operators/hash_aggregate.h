#pragma once

#include <memory>
#include <string>
#include <vector>

#include "velo/exec/evaluator.h"
#include "velo/exec/function/function.h"
#include "velo/exec/operators/operator.h"

namespace velo {

/// One aggregate of a GROUP BY: the bound function and its argument expressions over the input.
struct AggregateSpec {
  std::string name;  // for EXPLAIN
  BoundAggregate function;
  std::vector<BoundExprPtr> args;
  BoundExprPtr filter;  // FILTER (WHERE ...), may be null
};

/// Groups of one hash table: keys stored column-wise, aggregate states in a chunked arena whose
/// addresses never move (states may own heap memory). Single-threaded.
class GroupTable {
 public:
  GroupTable(std::vector<DataType> key_types, const std::vector<AggregateSpec>* aggregates);
  ~GroupTable();
  GroupTable(const GroupTable&) = delete;
  GroupTable& operator=(const GroupTable&) = delete;

  /// Consumes one input batch: evaluates keys and arguments, finds or creates groups, updates.
  void consume(const Batch& input, const std::vector<BoundExprPtr>& group_exprs, Evaluator* ev);
  /// The group of every row of `input` (created when new): consume() in two steps, so a
  /// changelog operator can read the groups' results between them.
  void assign(const Batch& input, const std::vector<BoundExprPtr>& group_exprs, Evaluator* ev,
              std::vector<uint32_t>* group_ids);
  /// Adds the rows of `input` to the groups `group_ids` (from assign); with `retract`, removes
  /// them (changelog input: -U/-D rows), or says which aggregate cannot.
  void update(const Batch& input, const std::vector<uint32_t>& group_ids, Evaluator* ev,
              bool retract = false);
  /// Output rows of the groups `ids[0..n)`: key columns then one column per aggregate.
  Batch emit_groups(SchemaPtr schema, const uint32_t* ids, size_t n);
  /// Folds every group of `other` into this table (parallel partial aggregation).
  void merge(GroupTable& other);
  size_t num_groups() const { return num_groups_; }
  /// Output rows [begin, begin+n): key columns then one column per aggregate.
  Batch emit(SchemaPtr schema, size_t begin, size_t n);

  /// Checkpoints: keys and aggregate states. Only states without heap memory are saved
  /// byte for byte (COUNT, SUM, AVG, MIN/MAX of numbers, ...); see checkpoint_blocker().
  void save(ByteWriter& out) const;
  /// Replaces every group with what save() wrote.
  void load(ByteReader& in);
  /// Why groups of `aggregates` cannot be checkpointed yet (empty = they can).
  static std::string checkpoint_blocker(const std::vector<AggregateSpec>& aggregates);

 private:
  void find_groups(const std::vector<const Column*>& keys, size_t rows, uint32_t* group_ids);
  uint32_t new_group(const std::vector<const Column*>& keys, uint32_t row, uint64_t hash);
  void grow();
  uint8_t* state(uint32_t group) {
    return chunks_[group >> kChunkBits].get() + (group & (kChunkRows - 1)) * stride_;
  }
  const uint8_t* state(uint32_t group) const {
    return chunks_[group >> kChunkBits].get() + (group & (kChunkRows - 1)) * stride_;
  }
  void destroy_states();

  static constexpr uint32_t kChunkBits = 12;
  static constexpr uint32_t kChunkRows = 1u << kChunkBits;

  const std::vector<AggregateSpec>* aggregates_;
  std::vector<ColumnPtr> keys_;
  std::vector<uint64_t> group_hashes_;
  std::vector<uint32_t> slots_;  // group id + 1; 0 = empty
  uint64_t mask_ = 0;
  size_t num_groups_ = 0;
  std::vector<size_t> offsets_;  // state offset of each aggregate within a group's block
  size_t stride_ = 0;
  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  // Scratch, reused per batch.
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> group_ids_;
  std::vector<uint8_t*> state_ptrs_;
};

/// GROUP BY over bounded input: each input pipeline is consumed on its own thread into its own
/// table, the tables are merged, then groups are emitted in batches.
class HashAggregateOperator : public Operator {
 public:
  HashAggregateOperator(std::vector<OperatorPtr> inputs, std::vector<BoundExprPtr> group_exprs,
                        std::vector<AggregateSpec> aggregates, SchemaPtr schema);
  bool next(Batch* out) override;

 private:
  void build();
  std::vector<OperatorPtr> inputs_;
  std::vector<BoundExprPtr> group_exprs_;
  std::vector<AggregateSpec> aggregates_;
  std::unique_ptr<GroupTable> table_;
  bool built_ = false;
  size_t emitted_ = 0;
};

}  // namespace velo
