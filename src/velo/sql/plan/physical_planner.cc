#include "velo/sql/plan/physical_planner.h"

#include "velo/exec/operators/basic_operators.h"
#include "velo/exec/operators/hash_aggregate.h"
#include "velo/exec/operators/hash_join.h"
#include "velo/types/error.h"

namespace velo::sql {

bool PhysicalPlanner::is_pipeline_chain(const PlanNode& node) {
  if (node.kind == PlanKind::kScan) return true;
  if (node.kind == PlanKind::kFilter || node.kind == PlanKind::kProject) return is_pipeline_chain(*node.children[0]);
  return false;
}

std::vector<OperatorPtr> PhysicalPlanner::build_pipelines(const PlanNodePtr& node) {
  std::vector<OperatorPtr> out;
  switch (node->kind) {
    case PlanKind::kScan: {
      node->source->apply(node->spec);
      auto readers = node->source->open(parallelism_);
      for (auto& r : readers) out.push_back(std::make_unique<ScanOperator>(node->schema, std::move(r)));
      return out;
    }
    case PlanKind::kFilter:
      for (auto& child : build_pipelines(node->children[0]))
        out.push_back(std::make_unique<FilterOperator>(std::move(child), node->predicate));
      return out;
    case PlanKind::kProject:
      for (auto& child : build_pipelines(node->children[0]))
        out.push_back(std::make_unique<ProjectOperator>(std::move(child), node->exprs, node->schema));
      return out;
    default: throw_internal_error("not a pipeline chain");
  }
}

OperatorPtr PhysicalPlanner::build(const PlanNodePtr& node) {
  switch (node->kind) {
    case PlanKind::kScan:
    case PlanKind::kFilter:
    case PlanKind::kProject: {
      if (is_pipeline_chain(*node)) {
        auto pipelines = build_pipelines(node);
        if (pipelines.size() == 1) return std::move(pipelines[0]);
        return std::make_unique<GatherOperator>(node->schema, std::move(pipelines));
      }
      OperatorPtr child = build(node->children[0]);
      if (node->kind == PlanKind::kFilter) return std::make_unique<FilterOperator>(std::move(child), node->predicate);
      return std::make_unique<ProjectOperator>(std::move(child), node->exprs, node->schema);
    }
    case PlanKind::kValues: {
      Batch one;
      one.schema = node->schema;
      one.num_rows = 1;
      return std::make_unique<ValuesOperator>(node->schema, std::vector<Batch>{one});
    }
    case PlanKind::kAggregate: {
      std::vector<OperatorPtr> inputs;
      if (is_pipeline_chain(*node->children[0])) inputs = build_pipelines(node->children[0]);
      else inputs.push_back(build(node->children[0]));
      return std::make_unique<HashAggregateOperator>(std::move(inputs), node->groups, node->aggregates, node->schema);
    }
    case PlanKind::kJoin:
      return std::make_unique<HashJoinOperator>(build(node->children[0]), build(node->children[1]), node->join_kind,
                                                node->left_keys, node->right_keys, node->residual, node->schema);
    case PlanKind::kSort: return std::make_unique<SortOperator>(build(node->children[0]), node->sort_keys, node->limit);
    case PlanKind::kLimit:
      return std::make_unique<LimitOperator>(build(node->children[0]), node->limit, node->offset);
    case PlanKind::kUnion: {
      std::vector<OperatorPtr> children;
      for (const auto& c : node->children) children.push_back(build(c));
      return std::make_unique<UnionOperator>(std::move(children), node->schema);
    }
  }
  throw_internal_error("unknown plan node");
}

}  // namespace velo::sql
