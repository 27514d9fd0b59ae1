#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "velo/sql/binder/catalog.h"
#include "velo/sql/parser/ast.h"
#include "velo/sql/plan/logical_plan.h"

namespace velo::sql {

/// A column visible to expressions: its table alias, its name and its type. The index in the
/// scope is the input column index.
struct ScopeColumn {
  std::string table;
  std::string name;
  DataType type;
};

struct Scope {
  std::vector<ScopeColumn> columns;
};

/// Turns a parsed query into a logical plan: resolves names (with "did you mean" hints and
/// positions), types expressions, inserts implicit casts and folds constants.
class Binder {
 public:
  Binder(Catalog& catalog, std::string_view sql) : catalog_(catalog), sql_(sql) {}

  PlanNodePtr bind_query(const Query& query);

 private:
  struct CteEntry {
    const CommonTableExpr* cte;
  };
  struct Bound {
    PlanNodePtr plan;
    Scope scope;
  };
  struct AggregateContext;
  /// True in the first pass over an aggregate query's select list (aggregates are collected).
  static bool is_collecting(const AggregateContext* agg);

  // Window functions f(...) OVER (...) (bind_window_function.cc).
  struct OverContext;
  /// Collects the window function calls of one SELECT's select list and ORDER BY while open;
  /// finish() puts them in a kWindowFunction node over the rows they see (`*input`: the plan
  /// after FROM / WHERE / GROUP BY / HAVING).
  class OverScope {
   public:
    OverScope(Binder* binder, const PlanNodePtr* input);
    ~OverScope();
    OverScope(const OverScope&) = delete;
    OverScope& operator=(const OverScope&) = delete;
    PlanNodePtr finish(PlanNodePtr plan);

   private:
    Binder* binder_;
    OverContext* previous_;
    std::unique_ptr<OverContext> context_;
  };
  BoundExprPtr bind_over_call(const Expr& e, const Scope& scope, AggregateContext* agg, const char* clause);

  Bound bind_query_scoped(const Query& query);
  Bound bind_select(const Select& select, const Query& query);
  Bound bind_table_ref(const TableRef& ref);
  Bound bind_join(const TableRef& ref);
  Bound bind_set_op(const Query& query);

  BoundExprPtr bind_expr(const Expr& e, const Scope& scope, AggregateContext* agg, const char* clause);
  BoundExprPtr bind_column_ref(const Expr& e, const Scope& scope);
  BoundExprPtr bind_function(const Expr& e, const Scope& scope, AggregateContext* agg, const char* clause);
  int resolve_column(const Expr& e, const Scope& scope, bool must_exist);

  // Time windows (bind_window.cc).
  Bound bind_window_table_function(const TableRef& ref);
  /// Appends a kWindow node for `kind(args)` over `input` (adds window_start, window_end).
  Bound add_window(Bound input, const std::string& kind, const std::vector<const Expr*>& args,
                   const SourcePos& pos, bool table_function);
  /// TUMBLE_START(...), HOP_END(...), WINDOW_START(): the window column; nullptr otherwise.
  BoundExprPtr bind_window_property(const Expr& e, const Scope& scope, AggregateContext* agg,
                                    const char* clause);
  int64_t duration_arg(const Expr& e, const Scope& scope, const char* what);
  int time_column_arg(const Expr& e, const Scope& scope);

  // Uncorrelated subqueries in WHERE / HAVING (bind_subquery.cc).
  /// Joins the value of every subquery of `condition` to `plan` (whose rows `scope` / `agg`
  /// describe) and records it in subquery_values_ for bind_expr.
  PlanNodePtr join_subqueries(const Expr& condition, PlanNodePtr plan, const Scope& scope,
                              AggregateContext* agg, const char* clause);
  Bound bind_subquery_plan(const Expr& e);
  /// The first `width` columns of `plan` (drops the joined subquery columns).
  static PlanNodePtr keep_columns(PlanNodePtr plan, size_t width);

  [[noreturn]] void fail(const SourcePos& pos, const std::string& message) const;

  Catalog& catalog_;
  const Options* inherited_options_ = nullptr;  // WITH (...) written after a table function
  std::string_view sql_;
  std::vector<std::map<std::string, const CommonTableExpr*>> cte_scopes_;
  OverContext* over_ = nullptr;  // the open OverScope, if any
  std::map<const Expr*, BoundExprPtr> subquery_values_;  // see join_subqueries
};

/// TUMBLE, HOP, SESSION and Velostream's TUMBLING, HOPPING, SLIDING (any case).
bool is_window_function_name(const std::string& name);

/// True when `name` is an aggregate function of the registry.
bool is_aggregate_function(const std::string& name);

}  // namespace velo::sql
