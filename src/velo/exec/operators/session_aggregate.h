#pragma once

#include <deque>
#include <memory>
#include <queue>
#include <vector>

#include "velo/exec/operators/hash_aggregate.h"
#include "velo/exec/operators/window_assign.h"
#include "velo/exec/stream_context.h"
#include "velo/io/source.h"

namespace velo {

/// GROUP BY k WINDOW SESSION(ts, gap [, max_length]): per key, rows closer than `gap` in event
/// time form one session; a session is final once the watermark passes its last row + gap.
/// The rows of open sessions are kept (columnar, a batch slice per input batch and session) and
/// aggregated when the session closes, so any aggregate works and merging sessions is cheap.
/// Group keys: the user's keys, then window_start and window_end (input columns `width` and
/// `width + 1` of the window node this operator replaces). EMIT FINAL emits a session once it
/// closes; EMIT CHANGES emits every session a batch touched (re-aggregated from its rows): +I for
/// a new session, -U/+U as it grows, -D for a session merged into another.
class SessionAggregateOperator : public Operator {
 public:
  SessionAggregateOperator(OperatorPtr child, WindowDef window,
                           std::vector<BoundExprPtr> group_exprs,
                           std::vector<AggregateSpec> aggregates, SchemaPtr schema,
                           SchemaPtr window_schema, StreamContext* context);
  /// Saves open sessions (their keys and rows) at every barrier under `key`; restores them now
  /// when the job resumes from a checkpoint.
  void enable_checkpoints(std::string key);
  void set_emit_changes(bool on) { emit_changes_ = on; }
  bool next(Batch* out) override;

 private:
  struct Session {
    int64_t start = 0;
    int64_t end = 0;  // last row + gap
    uint32_t key = 0;
    bool live = false;
    std::vector<Batch> parts;
    Batch last;  // EMIT CHANGES: the row last emitted for it (0 rows = none yet)
  };
  void consume(const Batch& in);
  void close_until(int64_t watermark);
  uint32_t new_session(uint32_t key, int64_t t);
  void merge_into(uint32_t into, uint32_t from);
  /// The result rows of sessions `ids` (one each, in order); `take` moves their rows out.
  Batch aggregate_sessions(const std::vector<uint32_t>& ids, bool take);
  void emit_session_changes();
  std::string save_state() const;
  void load_state(const std::string& bytes);

  OperatorPtr child_;
  WindowDef window_;
  std::vector<BoundExprPtr> group_exprs_;
  std::vector<BoundExprPtr> key_exprs_;  // the user's keys only
  std::vector<AggregateSpec> aggregates_;
  SchemaPtr window_schema_;  // child columns + window_start + window_end
  StreamContext* context_;
  Evaluator evaluator_;
  std::vector<AggregateSpec> no_aggregates_;
  std::unique_ptr<GroupTable> keys_;           // key -> id
  std::vector<std::vector<uint32_t>> by_key_;  // key id -> open session ids
  std::vector<Session> sessions_;
  std::vector<uint32_t> free_;
  using EndEntry = std::pair<int64_t, uint32_t>;  // (end, session): lazily invalidated
  std::priority_queue<EndEntry, std::vector<EndEntry>, std::greater<EndEntry>> ends_;
  int64_t watermark_ = kNoWatermark;
  std::deque<Batch> ready_;
  bool done_ = false;
  std::string checkpoint_key_;
  bool emit_changes_ = false;
  std::vector<uint32_t> touched_;  // EMIT CHANGES: sessions the current batch changed
  std::vector<Batch> retired_;     // EMIT CHANGES: last rows of sessions merged away
};

}  // namespace velo
