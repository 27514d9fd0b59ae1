#pragma once

#include <vector>

#include "velo/batch/batch.h"
#include "velo/exec/expression.h"

namespace velo {

/// Evaluates bound expressions over whole batches. Stateless apart from scratch buffers, so
/// one evaluator per worker thread.
class Evaluator {
 public:
  /// A column with `input.num_rows` rows (constants are expanded).
  ColumnPtr evaluate(const BoundExpr& expr, const Batch& input);
  /// Evaluates a BOOLEAN predicate and returns the indexes of rows where it is TRUE.
  void select(const BoundExpr& predicate, const Batch& input, std::vector<uint32_t>* selection);

  /// Evaluates a constant expression (no column references) to a value.
  static Value evaluate_constant(const BoundExpr& expr);

 private:
  struct Result {
    ColumnPtr column;
    bool constant = false;  // a size-1 column broadcast to every row
  };
  Result eval(const BoundExpr& expr, const Batch& input);
  Result eval_call(const BoundExpr& expr, const Batch& input);
  Result eval_logic(const BoundExpr& expr, const Batch& input);
  Result eval_case(const BoundExpr& expr, const Batch& input);
  Result eval_coalesce(const BoundExpr& expr, const Batch& input);
  ColumnPtr expand(const Result& r, size_t rows);
};

}  // namespace velo
