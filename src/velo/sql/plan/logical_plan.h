#pragma once

#include <memory>
#include <string>
#include <vector>

#include "velo/exec/expression.h"
#include "velo/exec/operators/basic_operators.h"
#include "velo/exec/operators/hash_aggregate.h"
#include "velo/exec/operators/hash_join.h"
#include "velo/io/source.h"

namespace velo::sql {

enum class PlanKind { kScan, kValues, kFilter, kProject, kAggregate, kJoin, kSort, kLimit, kUnion };

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
  // kJoin
  JoinKind join_kind = JoinKind::kInner;
  std::vector<BoundExprPtr> left_keys;
  std::vector<BoundExprPtr> right_keys;
  BoundExprPtr residual;
  // kSort (limit >= 0 makes it a top-N), kLimit
  std::vector<SortKey> sort_keys;
  int64_t limit = -1;
  int64_t offset = 0;

  /// Indented tree for EXPLAIN.
  std::string to_string(int indent = 0) const;
};

SchemaPtr make_schema(std::vector<Field> fields);

}  // namespace velo::sql
