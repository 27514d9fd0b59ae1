#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "velo/exec/evaluator.h"
#include "velo/exec/operators/basic_operators.h"
#include "velo/exec/operators/hash_aggregate.h"
#include "velo/exec/stream_context.h"

namespace velo {

/// How a streaming Top-N emits: per window when it closes, or as a changelog.
struct StreamTopNOptions {
  size_t limit = 1;  // N of `rn <= N`
  /// Index into the PARTITION BY keys of a window_end (or window_start, with `window_end_offset`
  /// added) key: each window's ranking is final when the watermark passes its end, so it is
  /// emitted once and its state dropped. -1 = no window: an updating changelog.
  int window_end_key = -1;
  int64_t window_end_offset = 0;
  /// Without a window over bounded input: the final top N per partition, once, at the end
  /// (the same rows as the blocking window function, in memory for N rows per partition).
  bool final_at_end = false;
};

/// `ROW_NUMBER() OVER (PARTITION BY k ORDER BY o) AS rn ... WHERE rn <= N` over a stream (Top-N,
/// and dedup with N = 1). Keeps only the N best rows per partition (copied into a columnar row
/// store), so a row that does not enter its partition's top N costs a comparison. Without a
/// window the output is a changelog: a row entering the top N is +I, rows whose rank it moves
/// are -U/+U, the row it pushes out is -D. Output: the input columns, then rn.
class StreamTopNOperator : public Operator {
 public:
  StreamTopNOperator(OperatorPtr child, std::vector<BoundExprPtr> partition_by,
                     std::vector<SortKey> order_by, StreamTopNOptions options, SchemaPtr schema,
                     StreamContext* context);
  ~StreamTopNOperator() override;
  /// Saves the ranking at barriers; restores it now when the job resumes.
  void enable_checkpoints(std::string key);
  bool next(Batch* out) override;

 private:
  struct Window;
  Window& window(int64_t end);
  void consume(const Batch& in);
  void consume_rows(Window& w, const Batch& in, const std::vector<ColumnPtr>& order_keys,
                    const std::vector<uint32_t>& rows);
  void emit_window(Window& w);
  void advance(int64_t watermark);
  std::string save_state() const;
  void load_state(const std::string& bytes);

  OperatorPtr child_;
  std::vector<BoundExprPtr> partition_by_;
  std::vector<SortKey> order_by_;
  StreamTopNOptions options_;
  StreamContext* context_;
  std::vector<DataType> key_types_;
  std::vector<AggregateSpec> no_aggregates_;
  Evaluator evaluator_;
  std::map<int64_t, std::unique_ptr<Window>> windows_;  // by window end; 0 = no window
  int64_t watermark_ = kNoWatermark;
  std::deque<Batch> ready_;
  bool done_ = false;
  std::string checkpoint_key_;
};

}  // namespace velo
