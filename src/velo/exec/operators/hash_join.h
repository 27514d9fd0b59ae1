#pragma once

#include <vector>

#include "velo/exec/evaluator.h"
#include "velo/exec/operators/operator.h"
#include "velo/time/clock.h"

namespace velo {

enum class JoinKind { kInner, kLeft, kRight, kFull, kCross };

/// Joins a probe input (left) with a bounded build input (right) loaded into a hash table on
/// the equi-join keys; `residual` (over left ++ right columns) filters matched pairs. With no
/// keys it is a nested-loop join. Output columns: left then right.
class HashJoinOperator : public Operator {
 public:
  HashJoinOperator(OperatorPtr probe, OperatorPtr build, JoinKind kind,
                   std::vector<BoundExprPtr> probe_keys, std::vector<BoundExprPtr> build_keys,
                   BoundExprPtr residual, SchemaPtr schema);
  /// Reloads the table from a fresh `rebuild()` every `interval_us` of `clock` (checked as
  /// probe batches and heartbeats pass): later stream rows join the new version; rows already
  /// joined stay as they were (a lookup join, as in Flink).
  void refresh_every(int64_t interval_us, const Clock* clock, std::function<OperatorPtr()> rebuild);
  bool next(Batch* out) override;

 private:
  void build_table();
  void maybe_refresh();
  Batch make_output(const Batch& probe, const std::vector<uint32_t>& probe_rows,
                    const std::vector<uint32_t>& build_rows);
  bool emit_unmatched_build(Batch* out);

  OperatorPtr probe_;
  OperatorPtr build_;
  JoinKind kind_;
  std::vector<BoundExprPtr> probe_keys_;
  std::vector<BoundExprPtr> build_keys_;
  BoundExprPtr residual_;
  Evaluator evaluator_;

  bool built_ = false;
  bool probe_done_ = false;
  Batch build_rows_;
  std::vector<ColumnPtr> build_key_cols_;
  std::vector<uint32_t> heads_;  // bucket -> build row + 1
  std::vector<uint32_t> chain_;  // build row -> next build row + 1
  std::vector<uint64_t> build_hashes_;
  uint64_t mask_ = 0;
  std::vector<uint8_t> build_matched_;
  size_t unmatched_pos_ = 0;
  size_t probe_columns_ = 0;
  int64_t refresh_interval_ = 0;
  const Clock* clock_ = nullptr;
  std::function<OperatorPtr()> rebuild_;
  int64_t loaded_at_ = 0;
};

}  // namespace velo
