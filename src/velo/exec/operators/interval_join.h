#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "velo/exec/evaluator.h"
#include "velo/exec/operators/hash_join.h"
#include "velo/exec/operators/operator.h"
#include "velo/exec/stream_context.h"

namespace velo {

/// The time bound of a join of two streams, from its ON clause: with `left_time` and
/// `right_time` (columns of each input), every match has
/// `lower <= right_time - left_time <= upper` (µs). A window join (equal window_end) has
/// lower = upper = 0. `*_slack`: rows that are not late have time > watermark - slack (0 for the
/// event-time column and window_end, the window size for window_start). `*_spread`: the event
/// time of a row is at least its time column - spread (window_end: the window size).
struct IntervalJoinBounds {
  int left_time = -1;
  int right_time = -1;
  int64_t lower = 0;
  int64_t upper = 0;
  int64_t left_slack = 0;
  int64_t right_slack = 0;
  int64_t left_spread = 0;
  int64_t right_spread = 0;
};

/// A join of two unbounded streams bounded in time (interval join, window join). Both sides keep
/// their rows in buckets (one per input batch, with a hash index on the keys); a batch from one
/// side is matched against the other side's buckets whose time range can overlap, then kept.
/// A bucket goes once the other side's watermark shows no future row can match it; under an
/// outer join its unmatched rows are then emitted with NULLs (append-only, never retracted).
/// `residual` (over left ++ right, it includes the time condition) decides each match exactly.
/// Inputs are read in turns; checkpoint barriers are aligned like a UNION.
class IntervalJoinOperator : public Operator {
 public:
  IntervalJoinOperator(OperatorPtr left, OperatorPtr right, JoinKind kind,
                       std::vector<BoundExprPtr> left_keys, std::vector<BoundExprPtr> right_keys,
                       BoundExprPtr residual, IntervalJoinBounds bounds, SchemaPtr schema,
                       StreamContext* context);
  ~IntervalJoinOperator() override;
  /// Saves both sides' buckets at barriers; restores them now when the job resumes.
  void enable_checkpoints(std::string key);
  bool next(Batch* out) override;

  /// Rows held in state (both sides), for tests and metrics.
  size_t rows_in_state() const;

 private:
  struct Bucket;
  struct Side;
  void consume(int side, const Batch& in);
  void probe(int side, const Batch& in, const std::vector<ColumnPtr>& keys,
             const std::vector<uint64_t>& hashes, const int64_t* times,
             std::vector<uint8_t>* matched);
  void store(int side, Batch in, std::vector<ColumnPtr> keys, std::vector<uint64_t> hashes,
             std::vector<uint8_t> matched);
  void expire();
  void emit_unmatched(int side, const Batch& rows, const std::vector<uint8_t>& matched);
  Batch output(int side, const Batch& rows, const std::vector<uint32_t>& rows_of_side,
               const Batch* other, const std::vector<uint32_t>& rows_of_other);
  bool keeps_unmatched(int side) const;
  int64_t output_watermark() const;
  std::string save_state() const;
  void load_state(const std::string& bytes);

  OperatorPtr inputs_[2];
  JoinKind kind_;
  std::vector<BoundExprPtr> keys_[2];
  BoundExprPtr residual_;
  IntervalJoinBounds bounds_;
  StreamContext* context_;
  Evaluator evaluator_;
  std::unique_ptr<Side> sides_[2];
  int64_t emitted_watermark_ = kNoWatermark;
  bool done_[2] = {false, false};
  bool at_barrier_[2] = {false, false};
  int64_t barrier_ = 0;
  int current_ = 0;
  int drained_in_a_row_ = 0;
  std::deque<Batch> ready_;
  std::string checkpoint_key_;
};

}  // namespace velo
