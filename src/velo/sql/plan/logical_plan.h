#pragma once

#include <memory>
#include <string>
#include <vector>

#include "velo/exec/expression.h"
#include "velo/exec/operators/basic_operators.h"
#include "velo/exec/operators/hash_aggregate.h"
#include "velo/exec/operators/hash_join.h"
#include "velo/exec/operators/window_assign.h"
#include "velo/exec/operators/window_function.h"
#include "velo/io/source.h"

namespace velo::sql {

enum class PlanKind { kScan, kValues, kFilter, kProject, kAggregate, kJoin, kSort, kLimit, kUnion, kWindow, kWindowFunction };

struct PlanNode;
using PlanNodePtr = std::shared_ptr<PlanNode>;

/// A node of the logical plan. Column references in expressions are indexes into the output
/// schema of the node's child (for joins: left columns then right columns).
struct PlanNode {
  PlanKind kind = PlanKind::kValues;
  SchemaPtr schema;  // output schema
  std::vector<PlanNodePtr> children;

  // kScan. `scan_schema` is the source's full schema; the optimizer fills `spec`.
  std::shared_ptr<Source> source;
  std::string label;  // alias or URI, for EXPLAIN
  SchemaPtr scan_schema;
  ScanSpec spec;

  // kFilter
  BoundExprPtr predicate;
  // kProject
  std::vector<BoundExprPtr> exprs;
  // kAggregate: output = groups then aggregates
  std::vector<BoundExprPtr> groups;
  std::vector<AggregateSpec> aggregates;
  // kAggregate over a stream: EMIT CHANGES / EMIT FINAL as written (neither = the default:
  // final for windows and bounded input, changes for an unwindowed GROUP BY over a stream).
  bool emit_changes = false;
  bool emit_final = false;
  // kWindow: TUMBLE/HOP appending window_start, window_end to the child's columns.
  // kAggregate with `session` set: a SESSION window; the aggregate appends window_start,
  // window_end after its group keys.
  WindowDef window;
  bool session = false;
  // kJoin
  JoinKind join_kind = JoinKind::kInner;
  std::vector<BoundExprPtr> left_keys;
  std::vector<BoundExprPtr> right_keys;
  BoundExprPtr residual;
  // kWindowFunction: output = the child's columns then one column per window expression
  std::vector<WindowExpr> window_exprs;
  // kSort (limit >= 0 makes it a top-N), kLimit
  std::vector<SortKey> sort_keys;
  int64_t limit = -1;
  int64_t offset = 0;

  /// Indented tree for EXPLAIN.
  std::string to_string(int indent = 0) const;
};

SchemaPtr make_schema(std::vector<Field> fields);

}  // namespace velo::sql
