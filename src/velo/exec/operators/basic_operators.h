#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "velo/exec/evaluator.h"
#include "velo/exec/operators/operator.h"
#include "velo/io/source.h"
#include "velo/state/checkpoint.h"
#include "velo/time/clock.h"
#include "velo/time/watermark_merger.h"
#include "velo/time/watermark_tracker.h"

namespace velo {

/// Reads one SourceReader. With an event-time column it tracks per-partition watermarks and
/// stamps them on the batches; when the reader has nothing for now it returns a heartbeat.
class ScanOperator : public Operator {
 public:
  ScanOperator(SchemaPtr schema, std::unique_ptr<SourceReader> reader)
      : Operator(std::move(schema)), reader_(std::move(reader)) {}
  /// Tracks watermarks over output column `column` (a TIMESTAMP).
  void track_event_time(int column, const EventTimeSpec& spec, const Clock* clock);
  /// Takes part in checkpoints: on each requested checkpoint, records the reader's position in
  /// `slot` and emits the barrier before any later row.
  void enable_checkpoints(CheckpointCoordinator* checkpoints, int slot);
  bool next(Batch* out) override;

 private:
  void refresh_idle_partitions();
  std::unique_ptr<SourceReader> reader_;
  CheckpointCoordinator* checkpoints_ = nullptr;
  int slot_ = -1;
  int64_t last_barrier_ = 0;
  int event_time_column_ = -1;
  std::unique_ptr<WatermarkTracker> watermarks_;
  int64_t emitted_watermark_ = kNoWatermark;
};

/// Keeps the rows where the predicate is TRUE.
class FilterOperator : public Operator {
 public:
  FilterOperator(OperatorPtr child, BoundExprPtr predicate)
      : Operator(child->schema()), child_(std::move(child)), predicate_(std::move(predicate)) {}
  bool next(Batch* out) override;

 private:
  OperatorPtr child_;
  BoundExprPtr predicate_;
  Evaluator evaluator_;
  std::vector<uint32_t> selection_;
};

/// Computes one output column per expression.
class ProjectOperator : public Operator {
 public:
  ProjectOperator(OperatorPtr child, std::vector<BoundExprPtr> exprs, SchemaPtr schema)
      : Operator(std::move(schema)), child_(std::move(child)), exprs_(std::move(exprs)) {}
  bool next(Batch* out) override;

 private:
  OperatorPtr child_;
  std::vector<BoundExprPtr> exprs_;
  Evaluator evaluator_;
};

/// Skips `offset` rows then passes `limit` rows (limit < 0 = all).
class LimitOperator : public Operator {
 public:
  LimitOperator(OperatorPtr child, int64_t limit, int64_t offset)
      : Operator(child->schema()), child_(std::move(child)), limit_(limit), offset_(offset) {}
  /// Over a stream the rows still to skip and to pass are state: saved at barriers.
  void enable_checkpoints(CheckpointCoordinator* checkpoints, std::string key);
  bool next(Batch* out) override;

 private:
  OperatorPtr child_;
  CheckpointCoordinator* checkpoints_ = nullptr;
  std::string key_;
  int64_t limit_;
  int64_t offset_;
};

/// All rows of its children (UNION ALL); children already produce the same schema. A child
/// is read until it ends or has nothing for now, then the next one (bounded children thus come
/// one after the other); the watermark is the minimum over the children. A checkpoint barrier
/// is passed on once every live child delivered it; a child that did is not read until then.
class UnionOperator : public Operator {
 public:
  UnionOperator(std::vector<OperatorPtr> children, SchemaPtr schema)
      : Operator(std::move(schema)),
        children_(std::move(children)),
        done_(children_.size(), false),
        at_barrier_(children_.size(), false),
        watermarks_(children_.size()) {}
  bool next(Batch* out) override;

 private:
  bool barrier_aligned() const;
  std::vector<OperatorPtr> children_;
  std::vector<bool> done_;
  std::vector<bool> at_barrier_;
  int64_t barrier_ = 0;
  WatermarkMerger watermarks_;
  size_t current_ = 0;
  size_t drained_in_a_row_ = 0;
};

/// A fixed list of batches (SELECT without FROM: one row, no columns).
class ValuesOperator : public Operator {
 public:
  ValuesOperator(SchemaPtr schema, std::vector<Batch> batches)
      : Operator(std::move(schema)), batches_(std::move(batches)) {}
  bool next(Batch* out) override;

 private:
  std::vector<Batch> batches_;
  size_t pos_ = 0;
};

/// Runs N copies of a pipeline segment on N threads and hands their batches to one consumer
/// through a bounded queue (backpressure). Errors in a worker are rethrown by next(). A worker
/// that delivered a checkpoint barrier waits until every pipeline did (barrier alignment).
class GatherOperator : public Operator {
 public:
  GatherOperator(SchemaPtr schema, std::vector<OperatorPtr> pipelines);
  ~GatherOperator() override;
  bool next(Batch* out) override;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  WatermarkMerger watermarks_;
  std::vector<bool> ended_;
  std::vector<bool> at_barrier_;
  int64_t barrier_ = 0;
};

/// Orders all input rows by keys (bounded inputs). With a limit, keeps only the top rows.
struct SortKey {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = false;
};

class SortOperator : public Operator {
 public:
  SortOperator(OperatorPtr child, std::vector<SortKey> keys, int64_t limit = -1)
      : Operator(child->schema()), child_(std::move(child)), keys_(std::move(keys)), limit_(limit) {}
  bool next(Batch* out) override;

 private:
  void sort_all();
  OperatorPtr child_;
  std::vector<SortKey> keys_;
  int64_t limit_;
  bool sorted_ = false;
  Batch result_;
  size_t pos_ = 0;
};

/// Compares row i of column a with row j of column b: <0, 0, >0. NULLs compare equal to each
/// other and before everything (callers flip for NULLS LAST).
int compare_values(const Column& a, size_t i, const Column& b, size_t j);

}  // namespace velo
