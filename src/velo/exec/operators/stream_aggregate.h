#pragma once

#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "velo/exec/operators/hash_aggregate.h"
#include "velo/exec/stream_context.h"
#include "velo/io/source.h"

namespace velo {

/// How a streaming GROUP BY emits (ARCHITECTURE.md §4).
struct StreamAggregateOptions {
  /// Index into the group keys of the `window_end` key (windowed aggregation: each window is
  /// final once the watermark reaches its end); -1 = no window (final at end of input only).
  int window_end_key = -1;
  /// Added to that key's value to get the window end (the window size when the key is the
  /// window's start, 0 when it is its end).
  int64_t window_end_offset = 0;
  /// Processing-time windows: the job's clock is the watermark.
  bool processing_time = false;
  /// true: every update is emitted as it happens (+I, then -U/+U pairs); false: once per group
  /// when its window closes (or at end of input).
  bool emit_changes = false;
  LatePolicy late = LatePolicy::kDrop;
  /// How long past its end a fired window keeps its state for late_data = 'update'.
  int64_t retention = 0;
};

/// GROUP BY over a stream. Groups live in one hash table per window (keyed by window end), so
/// closing a window drops its state at once and memory follows the watermark, not the input.
/// A changelog input (-U/-D rows) is taken back with the aggregates' retract functions.
/// Single-threaded.
class StreamAggregateOperator : public Operator {
 public:
  StreamAggregateOperator(OperatorPtr child, std::vector<BoundExprPtr> group_exprs,
                          std::vector<AggregateSpec> aggregates, SchemaPtr schema,
                          StreamAggregateOptions options, StreamContext* context);
  /// Saves the open windows at every checkpoint barrier under `key`; restores them now when
  /// the job resumes from a checkpoint.
  void enable_checkpoints(std::string key);
  bool next(Batch* out) override;

 private:
  struct Window {
    std::unique_ptr<GroupTable> table;
    /// Rows per group (inserts minus retractions): a group at 0 has no row to emit.
    std::vector<int64_t> rows;
    bool fired = false;
    bool any_rows = false;
  };
  Window& window(int64_t end);
  void consume(const Batch& in);
  void consume_into(Window& w, const Batch& rows, bool changes);
  void advance(int64_t watermark);
  void emit_all(Window& w);
  std::string save_state() const;
  void load_state(const std::string& bytes);

  OperatorPtr child_;
  std::vector<BoundExprPtr> group_exprs_;
  std::vector<AggregateSpec> aggregates_;
  std::vector<DataType> key_types_;
  StreamAggregateOptions options_;
  StreamContext* context_;
  Evaluator evaluator_;
  std::map<int64_t, Window> windows_;
  int64_t watermark_ = kNoWatermark;
  std::deque<Batch> ready_;
  bool done_ = false;
  std::vector<uint32_t> ids_;
  std::string checkpoint_key_;
};

}  // namespace velo
