#pragma once

#include <optional>

#include "velo/exec/operators/interval_join.h"
#include "velo/sql/plan/logical_plan.h"

namespace velo::sql {

/// How output column `column` of `node` relates to event time, when it does: the source's
/// event-time column, or a window_start/window_end of an event-time window (followed through
/// filters and projections). See IntervalJoinBounds for slack and spread.
struct TimeColumnInfo {
  int64_t slack = 0;
  int64_t spread = 0;
};
std::optional<TimeColumnInfo> time_column_info(const PlanNode& node, int column);

/// The time bound of a join of two streams (`join`: both inputs unbounded), from its ON clause:
/// `b.ts BETWEEN a.ts - X AND a.ts + Y`, `a.ts <= b.ts`, ... over event-time columns, or equal
/// window_start/window_end keys (a window join). Nullopt when the ON clause bounds no time.
std::optional<IntervalJoinBounds> stream_join_bounds(const PlanNode& join);

}  // namespace velo::sql
