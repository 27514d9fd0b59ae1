#pragma once

#include <memory>
#include <vector>

#include "velo/exec/operators/operator.h"
#include "velo/exec/stream_context.h"
#include "velo/sql/plan/logical_plan.h"

namespace velo::sql {

/// Turns an optimized logical plan into operators. Scan → filter/project chains run as
/// `parallelism` copies, each with its own source reader, feeding a parallel hash aggregate or a
/// gather; everything above runs on the caller's thread. Aggregates over streams (unbounded
/// input, event time, or an EMIT clause) become streaming aggregates that emit by watermark.
class PhysicalPlanner {
 public:
  /// `context` (clock, counters) must outlive the operators; null = a planner-owned default.
  explicit PhysicalPlanner(int parallelism, StreamContext* context = nullptr);
  OperatorPtr build(const PlanNodePtr& node);
  /// The table side of a stream-table join: read whole, not part of checkpoints.
  OperatorPtr build_table_side(const PlanNodePtr& node);

 private:
  static bool is_pipeline_chain(const PlanNode& node);
  std::vector<OperatorPtr> build_pipelines(const PlanNodePtr& node);
  OperatorPtr build_aggregate(const PlanNodePtr& node);
  /// A join of two unbounded streams: needs a time bound in ON (interval or window join).
  OperatorPtr build_stream_join(const PlanNodePtr& node);
  /// `filter` over ROW_NUMBER with `rn <= N` over a stream: a StreamTopN; null = not that form.
  OperatorPtr build_stream_top_n(const PlanNodePtr& filter);
  /// With checkpoints on: the coordinator; otherwise null.
  CheckpointCoordinator* checkpoints() const { return context_->checkpoints.get(); }
  /// Records why this plan cannot take checkpoints (operators that swallow barriers).
  void cannot_checkpoint(const std::string& why);
  int parallelism_;
  int next_source_ = 0;
  /// Building the build side of a join: a bounded table read whole before the stream flows;
  /// after a restart it is read again from the start, so it takes no part in checkpoints.
  bool in_build_side_ = false;
  std::unique_ptr<StreamContext> own_context_;
  StreamContext* context_;
};

/// True when the rows of `node` come from a stream: an unbounded source or one with event time.
bool is_streaming(const PlanNode& node);
/// True when some source below `node` is unbounded.
bool is_unbounded(const PlanNode& node);

/// Whether output column `column` of `node` is the start or end of a time window (followed
/// through projections, filters, joins and group keys), and that window's size.
struct WindowBound {
  enum class Role { kNone, kStart, kEnd } role = Role::kNone;
  int64_t size = 0;
  bool processing_time = false;
};
WindowBound window_bound(const PlanNode& node, int column);

}  // namespace velo::sql
