// Uncorrelated subqueries in WHERE and HAVING. Each one becomes joins that add its value as a
// column to the rows the clause filters; the clause then reads that column, and the columns are
// dropped after the filter:
//   (q)          CROSS JOIN q; q must be one row by construction (an aggregate without
//                GROUP BY, or a SELECT without FROM), as the join cannot check it at run time.
//   x IN (q)     LEFT JOIN (SELECT DISTINCT c FROM q) ON x = c, CROSS JOIN (SELECT COUNT(*),
//                COUNT(c) FROM q): TRUE when matched, else FALSE, except NULL when x is NULL
//                or q has a NULL (SQL's rules); x NOT IN (q) is its negation.
// Subqueries anywhere else (select list, ON, inside aggregates) stay "not supported yet".

#include <fmt/format.h>

#include "velo/exec/function/function.h"
#include "velo/sql/binder/binder.h"
#include "velo/types/error.h"

namespace velo::sql {

namespace {

// Subqueries of `e` outside aggregate and window function calls (their arguments are bound
// below the aggregate, where the joined columns do not exist).
// Inner ones first: `(q1) IN (q2)` binds q1's column before the IN reads it.
void collect_subqueries(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == ExprKind::kFunction && (e.over || is_aggregate_function(e.name))) return;
  for (const auto& a : e.args)
    if (a) collect_subqueries(*a, out);
  if (e.kind == ExprKind::kSubquery || e.kind == ExprKind::kInSubquery) out->push_back(&e);
}

// True when `plan` yields exactly one row whatever its input.
bool is_single_row(const PlanNode& plan) {
  const PlanNode* p = &plan;
  while (p->kind == PlanKind::kProject && !p->children.empty()) p = p->children[0].get();
  if (p->kind == PlanKind::kValues) return true;
  return p->kind == PlanKind::kAggregate && p->groups.empty() && !p->session;
}

// The subquery is the table side of a join: it has to end.
bool reads_unbounded_source(const PlanNode& plan) {
  if (plan.kind == PlanKind::kScan && plan.source && !plan.source->capabilities().bounded)
    return true;
  for (const auto& c : plan.children)
    if (reads_unbounded_source(*c)) return true;
  return false;
}

PlanNodePtr join_node(JoinKind kind, PlanNodePtr left, PlanNodePtr right) {
  auto join = std::make_shared<PlanNode>();
  join->kind = PlanKind::kJoin;
  join->join_kind = kind;
  std::vector<Field> fields = left->schema->fields();
  for (Field f : right->schema->fields()) {
    f.nullable = true;
    fields.push_back(std::move(f));
  }
  join->schema = make_schema(fields);
  join->children = {std::move(left), std::move(right)};
  return join;
}

AggregateSpec count_spec(const BoundExprPtr& arg) {
  AggregateCall call;
  AggregateSpec spec;
  if (arg) {
    call.args.push_back(BindArg{arg->type, nullptr});
    spec.args.push_back(arg);
    spec.name = "COUNT(" + arg->name + ")";
  } else {
    call.star = true;
    spec.name = "COUNT(*)";
  }
  spec.function = FunctionRegistry::instance().find_aggregate("COUNT")->bind(call);
  return spec;
}

}  // namespace

Binder::Bound Binder::bind_subquery_plan(const Expr& e) {
  Bound sub;
  try {
    sub = bind_query_scoped(*e.subquery);
  } catch (const Error& err) {
    if (err.kind() != ErrorKind::kUser || err.message().rfind("column '", 0) != 0) throw;
    throw Error(err.kind(),
                err.message() +
                    " (subqueries that use columns of the outer query are not "
                    "supported yet)",
                err.location());
  }
  if (reads_unbounded_source(*sub.plan))
    fail(e.pos,
         "not supported yet: a subquery over an unbounded stream (bound it, e.g. with "
         "until = 'latest')");
  if (sub.plan->schema->fields().size() != 1)
    fail(e.pos, fmt::format("a subquery in an expression returns one column, this one has {}",
                            sub.plan->schema->fields().size()));
  return sub;
}

PlanNodePtr Binder::join_subqueries(const Expr& condition, PlanNodePtr plan, const Scope& scope,
                                    AggregateContext* agg, const char* clause) {
  std::vector<const Expr*> subqueries;
  collect_subqueries(condition, &subqueries);
  for (const Expr* e : subqueries) {
    int width = static_cast<int>(plan->schema->fields().size());
    Bound sub = bind_subquery_plan(*e);
    const Field& value = sub.plan->schema->fields()[0];
    if (e->kind == ExprKind::kSubquery) {
      if (!is_single_row(*sub.plan))
        fail(e->pos,
             "not supported yet: scalar subqueries other than one aggregate row "
             "(e.g. SELECT MAX(x) FROM t)");
      plan = join_node(JoinKind::kCross, plan, sub.plan);
      subquery_values_[e] = BoundExpr::column_ref(width, value.type, value.name);
      continue;
    }
    BoundExprPtr x = bind_expr(*e->args[0], scope, agg, clause);
    BoundExprPtr c = BoundExpr::column_ref(0, value.type, value.name);
    DataType key_type;
    if (!common_super_type(x->type, c->type, &key_type)) {
      if (x->type.id() == TypeId::kString)
        key_type = c->type;
      else if (c->type.id() == TypeId::kString)
        key_type = x->type;
      else
        fail(e->pos, fmt::format("IN (subquery): types {} and {} are not compatible",
                                 x->type.to_string(), c->type.to_string()));
    }
    // The distinct values of the subquery, joined to every row (at most one match each).
    auto distinct = std::make_shared<PlanNode>();
    distinct->kind = PlanKind::kAggregate;
    distinct->schema = make_schema({Field{value.name, key_type, true}});
    distinct->groups = {bind_cast_expr(c, key_type)};
    distinct->children = {sub.plan};
    plan = join_node(JoinKind::kLeft, plan, distinct);
    plan->left_keys = {bind_cast_expr(x, key_type)};
    plan->right_keys = {BoundExpr::column_ref(0, key_type, value.name)};
    // Its row count and non-NULL count decide the NULL cases.
    auto counts = std::make_shared<PlanNode>();
    counts->kind = PlanKind::kAggregate;
    counts->schema = make_schema(
        {Field{"COUNT(*)", DataType::int64(), true}, Field{"COUNT(c)", DataType::int64(), true}});
    counts->aggregates = {count_spec(nullptr), count_spec(c)};
    counts->children = {bind_subquery_plan(*e).plan};
    plan = join_node(JoinKind::kCross, plan, counts);

    BoundExprPtr match = BoundExpr::column_ref(width, key_type, value.name);
    BoundExprPtr rows = BoundExpr::column_ref(width + 1, DataType::int64(), "COUNT(*)");
    BoundExprPtr values = BoundExpr::column_ref(width + 2, DataType::int64(), "COUNT(c)");
    BoundExprPtr null_bool = BoundExpr::literal(Value::null(DataType::boolean()));
    BoundExprPtr in =
        BoundExpr::make(BoundExpr::Kind::kCase, DataType::boolean(),
                        {BoundExpr::make(BoundExpr::Kind::kIsNotNull, DataType::boolean(), {match}),
                         BoundExpr::literal(Value::boolean(true)),
                         bind_function_call("=", {rows, BoundExpr::literal(Value::int64(0))}),
                         BoundExpr::literal(Value::boolean(false)),
                         BoundExpr::make(BoundExpr::Kind::kIsNull, DataType::boolean(), {x}),
                         null_bool, bind_function_call("<", {values, rows}), null_bool,
                         BoundExpr::literal(Value::boolean(false))});
    if (e->negated) in = BoundExpr::make(BoundExpr::Kind::kNot, DataType::boolean(), {in});
    subquery_values_[e] = in;
  }
  return plan;
}

PlanNodePtr Binder::keep_columns(PlanNodePtr plan, size_t width) {
  const auto& fields = plan->schema->fields();
  if (fields.size() == width) return plan;
  auto project = std::make_shared<PlanNode>();
  project->kind = PlanKind::kProject;
  std::vector<Field> kept(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(width));
  for (size_t i = 0; i < width; ++i)
    project->exprs.push_back(
        BoundExpr::column_ref(static_cast<int>(i), kept[i].type, kept[i].name));
  project->schema = make_schema(kept);
  project->children = {std::move(plan)};
  return project;
}

}  // namespace velo::sql
