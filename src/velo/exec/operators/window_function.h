#pragma once

#include <memory>
#include <string>
#include <vector>

#include "velo/exec/evaluator.h"
#include "velo/exec/function/function.h"
#include "velo/exec/operators/basic_operators.h"
#include "velo/exec/operators/operator.h"

namespace velo {

/// SQL window functions `f(...) OVER (PARTITION BY ... ORDER BY ... frame)` over bounded input.

enum class WindowFunctionKind {
  kRowNumber,
  kRank,
  kDenseRank,
  kPercentRank,
  kCumeDist,
  kNtile,       // args: {n}
  kLag,         // args: {x, offset, default}
  kLead,        // args: {x, offset, default}
  kFirstValue,  // args: {x}
  kLastValue,   // args: {x}
  kNthValue,    // args: {x, n}
  kAggregate,   // any aggregate of the FunctionRegistry: `aggregate` over `args`
};

enum class WindowFrameBound {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing
};

/// The frame of a window aggregate or FIRST_VALUE / LAST_VALUE / NTH_VALUE. ROWS counts rows;
/// RANGE counts peers (rows equal on the ORDER BY keys) or, with an offset, ORDER BY key values.
struct WindowFrame {
  bool rows = false;
  WindowFrameBound start = WindowFrameBound::kUnboundedPreceding;
  WindowFrameBound end = WindowFrameBound::kCurrentRow;
  int64_t start_rows = 0;  // ROWS n PRECEDING / FOLLOWING
  int64_t end_rows = 0;
  /// RANGE with an offset (one ORDER BY key): the key and the bound values `key - offset` /
  /// `key + offset` (already in the direction of the ORDER BY), all of one type. Null unless the
  /// bound is n PRECEDING / n FOLLOWING.
  BoundExprPtr range_key;
  BoundExprPtr range_start;
  BoundExprPtr range_end;
};

/// One window expression: the function, its arguments and its window, all over the input rows.
struct WindowExpr {
  std::string name;  // SQL text, for EXPLAIN
  WindowFunctionKind kind = WindowFunctionKind::kRowNumber;
  DataType type;  // result type
  std::vector<BoundExprPtr> args;
  BoundAggregate aggregate;  // kAggregate
  BoundExprPtr filter;       // kAggregate: FILTER (WHERE ...), may be null
  /// kAggregate: the result depends on the order rows are fed (STRING_AGG, FIRST, ...).
  bool order_sensitive = false;
  std::vector<BoundExprPtr> partition_by;
  std::vector<SortKey> order_by;
  WindowFrame frame;
};

/// Evaluates window expressions over a bounded child. Materializes the whole input, sorts a row
/// permutation once per distinct (PARTITION BY, ORDER BY), computes every window expression
/// column-wise per partition, and outputs the input columns followed by one column per window
/// expression, in the ORIGINAL INPUT ORDER (the input columns pass through untouched; only the
/// window columns are permuted back). SQL promises no order without an outer ORDER BY.
///
/// Frames: ranking functions and LAG/LEAD ignore the frame. Aggregates are O(n) for frames whose
/// start does not move (UNBOUNDED PRECEDING .. CURRENT ROW / n FOLLOWING / UNBOUNDED FOLLOWING:
/// the state is updated incrementally and finalized once per distinct frame, i.e. per peer group
/// for RANGE) and for frames ending at UNBOUNDED FOLLOWING of order-insensitive aggregates (swept
/// backwards). Sliding frames use the aggregate's `retract` when it has one (COUNT, SUM, AVG,
/// COUNT_IF); others (MIN, MAX, DISTINCT, lists, ...) recompute each frame: O(n * frame size).
/// Single-threaded.
class WindowFunctionOperator : public Operator {
 public:
  WindowFunctionOperator(OperatorPtr child, std::vector<WindowExpr> exprs, SchemaPtr schema);
  bool next(Batch* out) override;

 private:
  void compute();

  OperatorPtr child_;
  std::vector<WindowExpr> exprs_;
  bool computed_ = false;
  Batch result_;
  size_t pos_ = 0;
};

}  // namespace velo
