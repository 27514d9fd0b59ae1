#pragma once

// Shared by the scalar-function unit tests: build columns, bind calls over a batch, render the
// results as text (what `velo query` prints), and capture error messages.
#include <string>
#include <vector>

#include "velo/exec/evaluator.h"
#include "velo/types/error.h"

namespace velo::test {

using V = std::vector<Value>;
using S = std::vector<std::string>;

inline ColumnPtr column_of(const DataType& t, const std::vector<Value>& values) {
  auto c = Column::make(t);
  for (const auto& v : values) c->append_value(v);
  return c;
}

/// A batch of columns and helpers to bind calls over it.
struct Table {
  Batch batch;
  std::vector<BoundExprPtr> refs;
  explicit Table(std::vector<ColumnPtr> cols) {
    batch.num_rows = cols.empty() ? 0 : cols[0]->size();
    for (size_t i = 0; i < cols.size(); ++i)
      refs.push_back(
          BoundExpr::column_ref(static_cast<int>(i), cols[i]->type(), "c" + std::to_string(i)));
    batch.columns = std::move(cols);
  }
  BoundExprPtr col(size_t i) const { return refs[i]; }
  S eval(const BoundExprPtr& e) const {
    Evaluator ev;
    ColumnPtr out = ev.evaluate(*e, batch);
    S rows;
    for (size_t i = 0; i < out->size(); ++i) rows.push_back(out->value_at(i).to_string());
    return rows;
  }
};

inline BoundExprPtr lit(Value v) { return BoundExpr::literal(std::move(v)); }
inline BoundExprPtr call(const std::string& f, std::vector<BoundExprPtr> args) {
  return bind_function_call(f, std::move(args));
}

inline std::string error_of(const Table& t, const BoundExprPtr& e) {
  try {
    t.eval(e);
  } catch (const Error& err) {
    return err.message();
  }
  return "";
}

}  // namespace velo::test
