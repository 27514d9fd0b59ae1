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

  Bound bind_query_scoped(const Query& query);
  Bound bind_select(const Select& select, const Query& query);
  Bound bind_table_ref(const TableRef& ref);
  Bound bind_join(const TableRef& ref);
  Bound bind_set_op(const Query& query);

  BoundExprPtr bind_expr(const Expr& e, const Scope& scope, AggregateContext* agg, const char* clause);
  BoundExprPtr bind_column_ref(const Expr& e, const Scope& scope);
  BoundExprPtr bind_function(const Expr& e, const Scope& scope, AggregateContext* agg, const char* clause);
  int resolve_column(const Expr& e, const Scope& scope, bool must_exist);

  [[noreturn]] void fail(const SourcePos& pos, const std::string& message) const;

  Catalog& catalog_;
  std::string_view sql_;
  std::vector<std::map<std::string, const CommonTableExpr*>> cte_scopes_;
};

/// True when `name` is an aggregate function of the registry.
bool is_aggregate_function(const std::string& name);

}  // namespace velo::sql
