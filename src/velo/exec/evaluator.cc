#include "velo/exec/evaluator.h"

#include <numeric>

#include "velo/types/error.h"

namespace velo {

namespace {
ColumnPtr constant_column(const Value& v, const DataType& type) {
  auto c = Column::make(type);
  c->append_value(v);
  return c;
}

// Row i of a boolean argument: 1 true, 0 false, -1 NULL.
inline int truth(const Column& c, bool constant, size_t i) {
  size_t k = constant ? 0 : i;
  if (c.is_null(k)) return -1;
  return c.value<uint8_t>(k) ? 1 : 0;
}
}  // namespace

ColumnPtr Evaluator::expand(const Result& r, size_t rows) {
  if (!r.constant) return r.column;
  if (rows == 1) return r.column;
  std::vector<uint32_t> zeros(rows, 0);
  return gather(*r.column, zeros.data(), rows);
}

ColumnPtr Evaluator::evaluate(const BoundExpr& expr, const Batch& input) {
  return expand(eval(expr, input), input.num_rows);
}

void Evaluator::select(const BoundExpr& predicate, const Batch& input, std::vector<uint32_t>* sel) {
  sel->clear();
  Result r = eval(predicate, input);
  const Column& c = *r.column;
  if (r.constant) {
    if (!c.is_null(0) && c.value<uint8_t>(0)) {
      sel->resize(input.num_rows);
      std::iota(sel->begin(), sel->end(), 0u);
    }
    return;
  }
  sel->resize(input.num_rows);
  const uint8_t* v = c.values<uint8_t>();
  uint32_t n = 0;
  if (!c.has_validity()) {
    for (uint32_t i = 0; i < input.num_rows; ++i) {
      (*sel)[n] = i;
      n += v[i] != 0;
    }
  } else {
    for (uint32_t i = 0; i < input.num_rows; ++i) {
      (*sel)[n] = i;
      n += (v[i] != 0) & c.is_valid(i);
    }
  }
  sel->resize(n);
}

Value Evaluator::evaluate_constant(const BoundExpr& expr) {
  Evaluator ev;
  Batch one;
  one.num_rows = 1;
  ColumnPtr c = ev.evaluate(expr, one);
  return c->value_at(0);
}

Evaluator::Result Evaluator::eval(const BoundExpr& e, const Batch& input) {
  switch (e.kind) {
    case BoundExpr::Kind::kColumn:
      return {input.columns[e.column], false};
    case BoundExpr::Kind::kConstant:
      return {constant_column(e.constant, e.type), true};
    case BoundExpr::Kind::kCall:
      return eval_call(e, input);
    case BoundExpr::Kind::kAnd:
    case BoundExpr::Kind::kOr:
    case BoundExpr::Kind::kNot:
      return eval_logic(e, input);
    case BoundExpr::Kind::kIsNull:
    case BoundExpr::Kind::kIsNotNull: {
      Result a = eval(*e.args[0], input);
      bool want_null = e.kind == BoundExpr::Kind::kIsNull;
      size_t n = a.constant ? 1 : input.num_rows;
      auto out = Column::make(DataType::boolean());
      out->resize(n);
      uint8_t* v = out->values<uint8_t>();
      for (size_t i = 0; i < n; ++i) v[i] = a.column->is_null(i) == want_null;
      return {out, a.constant};
    }
    case BoundExpr::Kind::kCase:
      return eval_case(e, input);
    case BoundExpr::Kind::kCoalesce:
      return eval_coalesce(e, input);
  }
  throw_internal_error("unknown expression kind");
}

Evaluator::Result Evaluator::eval_call(const BoundExpr& e, const Batch& input) {
  std::vector<Result> results;
  results.reserve(e.args.size());
  bool all_constant = true;
  for (const auto& a : e.args) {
    results.push_back(eval(*a, input));
    all_constant &= results.back().constant;
  }
  // RANDOM() gives a value per row even without arguments.
  if (e.call.per_row) all_constant = false;
  size_t rows = all_constant ? 1 : input.num_rows;
  std::vector<ArgVector> args;
  args.reserve(results.size());
  for (const auto& r : results)
    args.push_back(ArgVector{r.column.get(), r.constant && !all_constant});
  KernelContext ctx;
  ctx.rows = rows;
  ctx.out_type = &e.type;
  ctx.state = e.call.state.get();
  auto out = Column::make(e.type);
  out->reserve(rows);
  e.call.kernel(ctx, args, out.get());
  if (out->size() != rows)
    throw_internal_error("function {} produced {} rows for {}", e.name, out->size(), rows);
  if (e.call.propagates_nulls) {
    for (const auto& a : args) {
      const Column& c = *a.column;
      if (!c.has_validity()) continue;
      if (a.constant) {
        if (c.is_null(0))
          for (size_t i = 0; i < rows; ++i) out->set_null(i);
        continue;
      }
      uint64_t* w = out->mutable_validity();
      const uint64_t* in = c.validity_words();
      for (size_t k = 0; k < (rows + 63) / 64; ++k) w[k] &= in[k];
    }
  }
  return {out, all_constant};
}

Evaluator::Result Evaluator::eval_logic(const BoundExpr& e, const Batch& input) {
  std::vector<Result> rs;
  bool all_constant = true;
  for (const auto& a : e.args) {
    rs.push_back(eval(*a, input));
    all_constant &= rs.back().constant;
  }
  size_t n = all_constant ? 1 : input.num_rows;
  auto out = Column::make(DataType::boolean());
  out->resize(n);
  uint8_t* v = out->values<uint8_t>();
  if (e.kind == BoundExpr::Kind::kNot) {
    for (size_t i = 0; i < n; ++i) {
      int t = truth(*rs[0].column, rs[0].constant, i);
      v[i] = t == 0;
      if (t < 0) out->set_null(i);
    }
    return {out, all_constant};
  }
  bool is_and = e.kind == BoundExpr::Kind::kAnd;
  bool any_nulls = false;
  for (const auto& r : rs) any_nulls |= r.column->has_validity();
  if (!any_nulls) {
    // Fast path: plain boolean arithmetic on bytes.
    std::fill(v, v + n, is_and ? 1 : 0);
    for (const auto& r : rs) {
      const uint8_t* a = r.column->values<uint8_t>();
      if (r.constant) {
        uint8_t c = a[0] != 0;
        for (size_t i = 0; i < n; ++i) v[i] = is_and ? (v[i] & c) : (v[i] | c);
      } else {
        for (size_t i = 0; i < n; ++i) v[i] = is_and ? (v[i] & (a[i] != 0)) : (v[i] | (a[i] != 0));
      }
    }
    return {out, all_constant};
  }
  for (size_t i = 0; i < n; ++i) {
    // AND: false dominates, then NULL; OR: true dominates, then NULL.
    int acc = is_and ? 1 : 0;
    for (const auto& r : rs) {
      int t = truth(*r.column, r.constant, i);
      if (is_and) {
        if (t == 0) {
          acc = 0;
          break;
        }
        if (t < 0) acc = -1;
      } else {
        if (t == 1) {
          acc = 1;
          break;
        }
        if (t < 0) acc = -1;
      }
    }
    v[i] = acc == 1;
    if (acc < 0) out->set_null(i);
  }
  return {out, all_constant};
}

Evaluator::Result Evaluator::eval_case(const BoundExpr& e, const Batch& input) {
  // Each branch is evaluated only on the rows that reach it, so `CASE WHEN x = 0 THEN 0 ELSE
  // 1 / x END` never divides by zero.
  size_t n = input.num_rows;
  std::vector<uint32_t> remaining(n);
  std::iota(remaining.begin(), remaining.end(), 0u);
  std::vector<int32_t> source_branch(n, -1);
  std::vector<uint32_t> source_row(n, 0);
  std::vector<ColumnPtr> branch_values;
  std::vector<uint32_t> hit, miss, sel;
  size_t branches = e.args.size() / 2;
  for (size_t b = 0; b <= branches && !remaining.empty(); ++b) {
    Batch sub = remaining.size() == n ? input : gather(input, remaining.data(), remaining.size());
    if (remaining.size() != n) sub.num_rows = remaining.size();
    if (b == branches) {
      hit = remaining;
      remaining.clear();
    } else {
      select(*e.args[2 * b], sub, &sel);
      hit.clear();
      miss.clear();
      size_t k = 0;
      for (size_t i = 0; i < remaining.size(); ++i) {
        if (k < sel.size() && sel[k] == i) {
          hit.push_back(remaining[i]);
          ++k;
        } else {
          miss.push_back(remaining[i]);
        }
      }
      if (hit.empty()) continue;
      if (hit.size() != remaining.size()) {
        sub = gather(sub, sel.data(), sel.size());
        sub.num_rows = sel.size();
      }
      remaining.swap(miss);
    }
    const BoundExpr& value_expr = *e.args[b == branches ? e.args.size() - 1 : 2 * b + 1];
    ColumnPtr vals = evaluate(value_expr, sub);
    int idx = static_cast<int>(branch_values.size());
    branch_values.push_back(vals);
    for (size_t i = 0; i < hit.size(); ++i) {
      source_branch[hit[i]] = idx;
      source_row[hit[i]] = static_cast<uint32_t>(i);
    }
  }
  auto out = Column::make(e.type);
  out->reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (source_branch[i] < 0)
      out->append_null();
    else
      out->append_from(*branch_values[source_branch[i]], source_row[i]);
  }
  return {out, false};
}

Evaluator::Result Evaluator::eval_coalesce(const BoundExpr& e, const Batch& input) {
  size_t n = input.num_rows;
  std::vector<ColumnPtr> cols;
  for (const auto& a : e.args) {
    cols.push_back(evaluate(*a, input));
    if (!cols.back()->has_validity()) break;  // later arguments can never be reached
  }
  auto out = Column::make(e.type);
  out->reserve(n);
  for (size_t i = 0; i < n; ++i) {
    bool done = false;
    for (const auto& c : cols) {
      if (!c->is_null(i)) {
        out->append_from(*c, i);
        done = true;
        break;
      }
    }
    if (!done) out->append_null();
  }
  return {out, false};
}

}  // namespace velo
