#pragma once

#include "velo/sql/plan/logical_plan.h"

namespace velo::sql {

/// Rewrites a bound plan: pushes filters toward sources (through projections and joins), hands
/// simple `column op constant` conjuncts to sources as ScanPredicates, prunes unused columns
/// down to the scans' projections, and pushes LIMIT into scans where nothing filters.
PlanNodePtr optimize(PlanNodePtr plan);

}  // namespace velo::sql
