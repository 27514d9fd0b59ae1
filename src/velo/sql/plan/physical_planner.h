#pragma once

#include <memory>
#include <vector>

#include "velo/exec/operators/operator.h"
#include "velo/sql/plan/logical_plan.h"

namespace velo::sql {

/// Turns an optimized logical plan into operators. Scan → filter/project chains run as
/// `parallelism` copies, each with its own source reader, feeding a parallel hash aggregate or a
/// gather; everything above runs on the caller's thread.
class PhysicalPlanner {
 public:
  explicit PhysicalPlanner(int parallelism) : parallelism_(std::max(1, parallelism)) {}
  OperatorPtr build(const PlanNodePtr& node);

 private:
  static bool is_pipeline_chain(const PlanNode& node);
  std::vector<OperatorPtr> build_pipelines(const PlanNodePtr& node);
  int parallelism_;
};

}  // namespace velo::sql
