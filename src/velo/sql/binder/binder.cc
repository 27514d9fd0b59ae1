#include "velo/sql/binder/binder.h"

#include <fmt/format.h>

#include <set>

#include "velo/exec/evaluator.h"
#include "velo/exec/function/function.h"
#include "velo/exec/struct_access.h"
#include "velo/types/error.h"

namespace velo::sql {

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Replaces a deterministic expression over constants by its value (constant folding).
BoundExprPtr fold(BoundExprPtr e) {
  if (e->kind == BoundExpr::Kind::kConstant || !e->foldable()) return e;
  Value v = Evaluator::evaluate_constant(*e);
  if (v.is_null()) return BoundExpr::literal(Value::null(e->type));
  return BoundExpr::literal(std::move(v));
}

BoundExprPtr make_and(std::vector<BoundExprPtr> args) {
  if (args.size() == 1) return args[0];
  return BoundExpr::make(BoundExpr::Kind::kAnd, DataType::boolean(), std::move(args));
}

DataType common_type_or_fail(const DataType& a, const DataType& b, const std::string& what) {
  DataType out;
  if (!common_super_type(a, b, &out)) {
    // Strings mix with anything by casting to the other side's type (e.g. ts = '2024-01-01').
    if (a.id() == TypeId::kString) return b;
    if (b.id() == TypeId::kString) return a;
    throw_user_error("{}: types {} and {} are not compatible", what, a.to_string(), b.to_string());
  }
  return out;
}

std::string output_name(const SelectItem& item) {
  if (!item.alias.empty()) return item.alias;
  if (item.expr->kind == ExprKind::kColumnRef) {
    const auto& names = item.expr->names;
    if (names.size() >= 2 && iequals(names[names.size() - 2], "_metadata"))
      return "_metadata." + names.back();
    return names.back();
  }
  return item.expr->to_string();
}

}  // namespace

bool is_aggregate_function(const std::string& name) {
  return FunctionRegistry::instance().find_aggregate(name) != nullptr;
}

/// State for binding the parts of a SELECT that see grouped rows (select list, HAVING,
/// ORDER BY of an aggregate query).
struct Binder::AggregateContext {
  const Scope* input = nullptr;         // scope below the aggregate
  std::vector<std::string> group_texts; // AST text of each group expression
  std::vector<int> group_columns;       // input column of a group that is a plain column, else -1
  std::vector<DataType> group_types;
  std::map<std::string, int> aggregate_index;  // AST text -> aggregate position
  std::vector<AggregateSpec>* aggregates = nullptr;
  bool collecting = false;  // first pass: only collect aggregates
};

bool Binder::is_collecting(const AggregateContext* agg) { return agg && agg->collecting; }

void Binder::fail(const SourcePos& pos, const std::string& message) const {
  throw Error(ErrorKind::kUser, message, ErrorLocation{"", pos.line, pos.column, pos.offset});
}

PlanNodePtr Binder::bind_query(const Query& query) { return bind_query_scoped(query).plan; }

Binder::Bound Binder::bind_query_scoped(const Query& query) {
  std::map<std::string, const CommonTableExpr*> ctes;
  for (const auto& c : query.ctes) ctes[Options::lower(c.name)] = &c;
  cte_scopes_.push_back(std::move(ctes));
  struct Pop {
    Binder* b;
    ~Pop() { b->cte_scopes_.pop_back(); }
  } pop{this};

  if (query.set_op != SetOp::kNone) {
    Bound b = bind_set_op(query);
    // ORDER BY / LIMIT over a set operation see only its output columns.
    if (!query.order_by.empty()) {
      auto sort = std::make_shared<PlanNode>();
      sort->kind = PlanKind::kSort;
      sort->schema = b.plan->schema;
      for (const auto& item : query.order_by) {
        SortKey key;
        key.expr = bind_expr(*item.expr, b.scope, nullptr, "ORDER BY");
        key.descending = item.descending;
        key.nulls_first = item.nulls_first.value_or(false);
        sort->sort_keys.push_back(key);
      }
      sort->children.push_back(b.plan);
      b.plan = sort;
    }
    if (query.limit || query.offset) {
      Scope empty;
      auto lim = std::make_shared<PlanNode>();
      lim->kind = PlanKind::kLimit;
      lim->schema = b.plan->schema;
      lim->limit = query.limit ? Evaluator::evaluate_constant(*bind_expr(*query.limit, empty, nullptr, "LIMIT")).as_int() : -1;
      lim->offset = query.offset ? Evaluator::evaluate_constant(*bind_expr(*query.offset, empty, nullptr, "OFFSET")).as_int() : 0;
      lim->children.push_back(b.plan);
      b.plan = lim;
    }
    return b;
  }
  return bind_select(*query.select, query);
}

Binder::Bound Binder::bind_set_op(const Query& query) {
  if (query.set_op == SetOp::kIntersect || query.set_op == SetOp::kExcept)
    fail(query.pos, "not supported yet: INTERSECT / EXCEPT");
  Bound left = bind_query_scoped(*query.left);
  Bound right = bind_query_scoped(*query.right);
  size_t n = left.plan->schema->size();
  if (right.plan->schema->size() != n)
    fail(query.right->pos, fmt::format("UNION inputs have {} and {} columns", n, right.plan->schema->size()));
  std::vector<DataType> types;
  for (size_t i = 0; i < n; ++i)
    types.push_back(common_type_or_fail(left.plan->schema->field(i).type, right.plan->schema->field(i).type,
                                        "UNION column " + left.plan->schema->field(i).name));
  std::vector<Field> fields;
  for (size_t i = 0; i < n; ++i) fields.push_back(Field{left.plan->schema->field(i).name, types[i], true});
  SchemaPtr schema = make_schema(fields);
  auto cast_side = [&](const PlanNodePtr& p) {
    bool same = true;
    for (size_t i = 0; i < n; ++i) same &= p->schema->field(i).type == types[i];
    if (same) return p;
    auto proj = std::make_shared<PlanNode>();
    proj->kind = PlanKind::kProject;
    proj->schema = schema;
    for (size_t i = 0; i < n; ++i)
      proj->exprs.push_back(bind_cast_expr(BoundExpr::column_ref(static_cast<int>(i), p->schema->field(i).type, p->schema->field(i).name), types[i]));
    proj->children.push_back(p);
    return PlanNodePtr(proj);
  };
  auto u = std::make_shared<PlanNode>();
  u->kind = PlanKind::kUnion;
  u->schema = schema;
  u->children = {cast_side(left.plan), cast_side(right.plan)};
  Bound out;
  out.plan = u;
  for (const auto& f : fields) out.scope.columns.push_back(ScopeColumn{"", f.name, f.type});
  if (query.set_op == SetOp::kUnion) {
    auto agg = std::make_shared<PlanNode>();
    agg->kind = PlanKind::kAggregate;
    agg->schema = schema;
    for (size_t i = 0; i < n; ++i) agg->groups.push_back(BoundExpr::column_ref(static_cast<int>(i), types[i], fields[i].name));
    agg->children.push_back(u);
    out.plan = agg;
  }
  return out;
}

// ---- FROM ------------------------------------------------------------------------------------

Binder::Bound Binder::bind_table_ref(const TableRef& ref) {
  Bound out;
  std::string alias = ref.alias;
  switch (ref.kind) {
    case TableRef::Kind::kUri:
    case TableRef::Kind::kName: {
      if (ref.kind == TableRef::Kind::kName) {
        std::string key = Options::lower(ref.target);
        for (auto it = cte_scopes_.rbegin(); it != cte_scopes_.rend(); ++it) {
          auto found = it->find(key);
          if (found == it->end()) continue;
          const CommonTableExpr* cte = found->second;
          Bound sub = bind_query_scoped(*cte->query);
          if (alias.empty()) alias = cte->name;
          for (size_t i = 0; i < sub.plan->schema->size(); ++i) {
            std::string name = i < cte->column_aliases.size() ? cte->column_aliases[i] : sub.plan->schema->field(i).name;
            out.scope.columns.push_back(ScopeColumn{alias, name, sub.plan->schema->field(i).type});
          }
          out.plan = sub.plan;
          return out;
        }
      }
      std::shared_ptr<Source> source;
      try {
        // TUMBLE(TABLE 'uri', ...) WITH (...): the options after the table function are the source's.
        const Options& options = inherited_options_ && ref.options.empty() ? *inherited_options_ : ref.options;
        inherited_options_ = nullptr;
        source = ref.kind == TableRef::Kind::kUri ? catalog_.open_source_uri(ref.target, options)
                                                  : catalog_.open_source_name(ref.target, options);
      } catch (const Error& e) {
        if (e.location().line > 0 || e.location().offset >= 0 || !e.location().file.empty()) throw;
        throw Error(e.kind(), e.message(), ErrorLocation{"", ref.pos.line, ref.pos.column, ref.pos.offset}, e.retryable());
      }
      if (!source) fail(ref.pos, fmt::format("table '{}' not found (not a CTE, a configured data source or a known topic)", ref.target));
      auto scan = std::make_shared<PlanNode>();
      scan->kind = PlanKind::kScan;
      scan->source = source;
      scan->scan_schema = source->schema();
      scan->schema = scan->scan_schema;
      scan->label = alias.empty() ? ref.target : alias;
      if (alias.empty() && ref.kind == TableRef::Kind::kName) alias = ref.target;
      if (ref.column_aliases.size() > scan->schema->size())
        fail(ref.pos, fmt::format("{} column aliases given but the source has {} columns", ref.column_aliases.size(),
                                  scan->schema->size()));
      for (size_t i = 0; i < scan->schema->size(); ++i) {
        const Field& f = scan->schema->field(i);
        out.scope.columns.push_back(ScopeColumn{alias, i < ref.column_aliases.size() ? ref.column_aliases[i] : f.name, f.type});
      }
      out.plan = scan;
      return out;
    }
    case TableRef::Kind::kSubquery: {
      Bound sub = bind_query_scoped(*ref.subquery);
      for (size_t i = 0; i < sub.plan->schema->size(); ++i) {
        std::string name = i < ref.column_aliases.size() ? ref.column_aliases[i] : sub.plan->schema->field(i).name;
        out.scope.columns.push_back(ScopeColumn{alias, name, sub.plan->schema->field(i).type});
      }
      out.plan = sub.plan;
      return out;
    }
    case TableRef::Kind::kJoin: return bind_join(ref);
    case TableRef::Kind::kFunction: return bind_window_table_function(ref);
  }
  fail(ref.pos, "unknown table reference");
}

namespace {
// Which side(s) of a join an expression reads: bit 1 left, bit 2 right.
int sides_of(const BoundExpr& e, size_t left_columns) {
  std::vector<int> cols;
  e.collect_columns(&cols);
  int sides = 0;
  for (int c : cols) sides |= static_cast<size_t>(c) < left_columns ? 1 : 2;
  return sides;
}

void split_conjuncts(const BoundExprPtr& e, std::vector<BoundExprPtr>* out) {
  if (e->kind == BoundExpr::Kind::kAnd) {
    for (const auto& a : e->args) split_conjuncts(a, out);
  } else {
    out->push_back(e);
  }
}
}  // namespace

Binder::Bound Binder::bind_join(const TableRef& ref) {
  Bound left = bind_table_ref(*ref.left);
  Bound right = bind_table_ref(*ref.right);
  Bound out;
  out.scope = left.scope;
  for (const auto& c : right.scope.columns) out.scope.columns.push_back(c);
  auto join = std::make_shared<PlanNode>();
  join->kind = PlanKind::kJoin;
  switch (ref.join_type) {
    case JoinType::kInner: join->join_kind = JoinKind::kInner; break;
    case JoinType::kLeft: join->join_kind = JoinKind::kLeft; break;
    case JoinType::kRight: join->join_kind = JoinKind::kRight; break;
    case JoinType::kFull: join->join_kind = JoinKind::kFull; break;
    case JoinType::kCross: join->join_kind = JoinKind::kCross; break;
  }
  std::vector<Field> fields = left.plan->schema->fields();
  for (const auto& f : right.plan->schema->fields()) fields.push_back(f);
  join->schema = make_schema(fields);
  join->children = {left.plan, right.plan};
  size_t nleft = left.scope.columns.size();

  std::vector<BoundExprPtr> conjuncts;
  if (ref.on) {
    BoundExprPtr cond = bind_expr(*ref.on, out.scope, nullptr, "JOIN ON");
    if (cond->type.id() != TypeId::kBoolean) fail(ref.on->pos, "JOIN condition must be BOOLEAN, got " + cond->type.to_string());
    split_conjuncts(cond, &conjuncts);
  }
  for (const auto& name : ref.using_columns) {
    auto find = [&](const Scope& s) {
      for (size_t i = 0; i < s.columns.size(); ++i)
        if (iequals(s.columns[i].name, name)) return static_cast<int>(i);
      fail(ref.pos, fmt::format("USING column '{}' is missing on one side of the join", name));
    };
    int l = find(left.scope), r = find(right.scope);
    auto lt = left.scope.columns[l].type, rt = right.scope.columns[r].type;
    conjuncts.push_back(bind_function_call("=", {BoundExpr::column_ref(l, lt, name),
                                                 BoundExpr::column_ref(static_cast<int>(nleft) + r, rt, name)}));
  }
  std::vector<BoundExprPtr> residual;
  for (auto& c : conjuncts) {
    // `left_expr = right_expr` becomes a hash key; anything else a residual filter.
    if (c->kind == BoundExpr::Kind::kCall && c->name == "=" && c->args.size() == 2) {
      int a = sides_of(*c->args[0], nleft), b = sides_of(*c->args[1], nleft);
      if ((a == 1 && b == 2) || (a == 2 && b == 1)) {
        BoundExprPtr l = a == 1 ? c->args[0] : c->args[1];
        BoundExprPtr r = a == 1 ? c->args[1] : c->args[0];
        std::vector<int> rmap(out.scope.columns.size(), -1);
        for (size_t i = nleft; i < rmap.size(); ++i) rmap[i] = static_cast<int>(i - nleft);
        join->left_keys.push_back(l);
        join->right_keys.push_back(remap_columns(r, rmap));
        continue;
      }
    }
    residual.push_back(c);
  }
  if (!residual.empty()) join->residual = make_and(residual);
  if (join->join_kind == JoinKind::kCross && (ref.on || !ref.using_columns.empty()))
    fail(ref.pos, "CROSS JOIN takes no ON condition");
  out.plan = join;
  return out;
}

// ---- expressions -----------------------------------------------------------------------------

int Binder::resolve_column(const Expr& e, const Scope& scope, bool must_exist) {
  const auto& names = e.names;
  std::vector<int> matches;
  auto consider = [&](const std::string& table, const std::string& column) {
    for (size_t i = 0; i < scope.columns.size(); ++i) {
      const auto& c = scope.columns[i];
      if (!iequals(c.name, column)) continue;
      if (!table.empty() && !iequals(c.table, table)) continue;
      matches.push_back(static_cast<int>(i));
    }
  };
  if (names.size() == 1) {
    consider("", names[0]);
  } else if (names.size() == 2) {
    consider(names[0], names[1]);
    if (matches.empty()) consider("", names[0] + "." + names[1]);  // _metadata.filename
  } else if (names.size() == 3) {
    consider(names[0], names[1] + "." + names[2]);
  }
  if (matches.empty() && names.size() == 1 && names[0].size() > 8 && iequals(names[0].substr(0, 8), "_window_"))
    consider("", names[0].substr(1));  // Velostream's _window_start / _window_end
  if (matches.size() > 1) {
    fail(e.pos, fmt::format("column reference '{}' is ambiguous (qualify it with a table alias)", e.to_string()));
  }
  if (matches.empty()) {
    if (!must_exist) return -1;
    std::vector<std::string> candidates;
    for (const auto& c : scope.columns) candidates.push_back(c.name);
    std::string hint = nearest_name(names.back(), candidates);
    if (names.size() >= 2 && iequals(names[names.size() - 2], "_metadata"))
      fail(e.pos, fmt::format("column '{}' not found: this source has no such metadata column", e.to_string()));
    fail(e.pos, fmt::format("column '{}' not found{}", e.to_string(),
                            hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  return matches[0];
}

BoundExprPtr Binder::bind_column_ref(const Expr& e, const Scope& scope) {
  int i = resolve_column(e, scope, false);
  if (i >= 0) return BoundExpr::column_ref(i, scope.columns[i].type, scope.columns[i].name);
  // `col.field[.field…]` or `t.col.field…`: struct field access.
  for (size_t head = 1; head <= 2 && head < e.names.size(); ++head) {
    Expr prefix;
    prefix.kind = ExprKind::kColumnRef;
    prefix.pos = e.pos;
    prefix.names.assign(e.names.begin(), e.names.begin() + head);
    int c = resolve_column(prefix, scope, false);
    if (c < 0 || scope.columns[c].type.id() != TypeId::kStruct) continue;
    BoundExprPtr cur = BoundExpr::column_ref(c, scope.columns[c].type, scope.columns[c].name);
    for (size_t k = head; k < e.names.size(); ++k) {
      if (cur->type.id() != TypeId::kStruct)
        fail(e.pos, fmt::format("'{}' is not a STRUCT, so it has no field '{}'", cur->to_string(), e.names[k]));
      const auto& fields = cur->type.children();
      size_t f = 0;
      while (f < fields.size() && !iequals(fields[f].name, e.names[k])) ++f;
      if (f == fields.size()) {
        std::vector<std::string> names;
        for (const auto& fd : fields) names.push_back(fd.name);
        std::string hint = nearest_name(e.names[k], names);
        fail(e.pos, fmt::format("field '{}' not found in {}{}", e.names[k], cur->to_string(),
                                hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
      std::string label = cur->to_string() + "." + fields[f].name;
      cur = BoundExpr::function(label, bind_struct_field(cur->type, f), {cur});
    }
    return cur;
  }
  i = resolve_column(e, scope, true);
  return BoundExpr::column_ref(i, scope.columns[i].type, scope.columns[i].name);
}

BoundExprPtr Binder::bind_function(const Expr& e, const Scope& scope, AggregateContext* agg, const char* clause) {
  std::string name = upper(e.name);
  if (BoundExprPtr w = bind_window_property(e, scope, agg, clause)) return w;
  if (e.over) return bind_over_call(e, scope, agg, clause);
  if (is_aggregate_function(name) && !FunctionRegistry::instance().find_scalar(name)) {
    if (!agg) fail(e.pos, fmt::format("aggregate function {}() is not allowed in {}", name, clause));
    std::string key = e.to_string();
    auto it = agg->aggregate_index.find(key);
    if (it == agg->aggregate_index.end()) {
      if (!agg->collecting) throw_internal_error("aggregate {} was not collected", key);
      // Bind the arguments against the rows below the aggregate.
      AggregateCall call;
      call.distinct = e.distinct;
      call.star = e.star;
      AggregateSpec spec;
      spec.name = key;
      std::vector<BoundExprPtr> args;
      // WITHIN GROUP (ORDER BY x): the ordered expression is the aggregated argument and the
      // written arguments are direct arguments (PERCENTILE_CONT(0.5)).
      bool within_group = !e.order_by.empty() && (name == "PERCENTILE_CONT" || name == "PERCENTILE_DISC");
      std::vector<BoundExprPtr> direct;
      if (within_group) {
        for (const auto& a : e.args) direct.push_back(fold(bind_expr(*a, *agg->input, nullptr, "an aggregate argument")));
        args.push_back(bind_expr(*e.order_by[0].expr, *agg->input, nullptr, "an aggregate argument"));
      } else {
        for (const auto& a : e.args) args.push_back(bind_expr(*a, *agg->input, nullptr, "an aggregate argument"));
      }
      for (const auto& a : args) call.args.push_back(BindArg{a->type, a->is_constant() ? &a->constant : nullptr});
      for (const auto& d : direct) call.direct_args.push_back(BindArg{d->type, d->is_constant() ? &d->constant : nullptr});
      spec.function = FunctionRegistry::instance().find_aggregate(name)->bind(call);
      if (within_group && e.order_by[0].descending)
        fail(e.pos, fmt::format("not supported yet: {}() WITHIN GROUP (ORDER BY ... DESC); use 1 - fraction", name));
      if (!within_group && !e.order_by.empty() && aggregate_is_order_sensitive(name)) {
        // ORDER BY inside the call: the wrapper buffers rows with their keys and replays them sorted.
        if (e.distinct) fail(e.pos, fmt::format("not supported yet: {}(DISTINCT ... ORDER BY ...)", name));
        std::vector<AggregateOrderKey> keys;
        for (const auto& o : e.order_by) {
          BoundExprPtr k = bind_expr(*o.expr, *agg->input, nullptr, "an aggregate ORDER BY");
          keys.push_back(AggregateOrderKey{k->type, o.descending, o.nulls_first.value_or(false)});
          args.push_back(std::move(k));
        }
        spec.function = order_aggregate_input(std::move(spec.function), std::move(keys));
      }
      for (size_t i = 0; i < args.size() && i < spec.function.arg_types.size(); ++i)
        if (spec.function.arg_types[i].id() != TypeId::kNull) args[i] = bind_cast_expr(args[i], spec.function.arg_types[i]);
      spec.args = std::move(args);
      if (e.filter) spec.filter = bind_expr(*e.filter, *agg->input, nullptr, "FILTER");
      int index = static_cast<int>(agg->aggregates->size());
      agg->aggregates->push_back(std::move(spec));
      agg->aggregate_index[key] = index;
      it = agg->aggregate_index.find(key);
    }
    const AggregateSpec& spec = (*agg->aggregates)[it->second];
    return BoundExpr::column_ref(static_cast<int>(agg->group_texts.size()) + it->second, spec.function.return_type, key);
  }
  std::vector<BoundExprPtr> args;
  for (const auto& a : e.args) args.push_back(bind_expr(*a, scope, agg, clause));
  if (name == "COALESCE" || name == "IFNULL" || name == "NVL") {
    if (args.empty()) fail(e.pos, "COALESCE needs at least one argument");
    DataType t = args[0]->type;
    for (size_t i = 1; i < args.size(); ++i) t = common_type_or_fail(t, args[i]->type, "COALESCE");
    for (auto& a : args) a = bind_cast_expr(a, t);
    return fold(BoundExpr::make(BoundExpr::Kind::kCoalesce, t, std::move(args)));
  }
  if (e.distinct || e.star) fail(e.pos, fmt::format("{}() is not an aggregate function", name));
  try {
    return fold(bind_function_call(name, std::move(args)));
  } catch (const Error& err) {
    if (err.location().line > 0) throw;
    throw Error(err.kind(), err.message(), ErrorLocation{"", e.pos.line, e.pos.column, e.pos.offset});
  }
}

BoundExprPtr Binder::bind_expr(const Expr& e, const Scope& scope, AggregateContext* agg, const char* clause) {
  // Inside an aggregate query, a group expression seen above the aggregate is its output column.
  if (agg && !agg->collecting) {
    std::string text = e.to_string();
    for (size_t g = 0; g < agg->group_texts.size(); ++g)
      if (agg->group_texts[g] == text)
        return BoundExpr::column_ref(static_cast<int>(g), agg->group_types[g], text);
  }
  switch (e.kind) {
    case ExprKind::kLiteral: return BoundExpr::literal(e.value);
    case ExprKind::kColumnRef: {
      if (!agg) return bind_column_ref(e, scope);
      int i = resolve_column(e, *agg->input, true);
      for (size_t g = 0; g < agg->group_columns.size(); ++g)
        if (agg->group_columns[g] == i)
          return BoundExpr::column_ref(static_cast<int>(g), agg->group_types[g], agg->input->columns[i].name);
      if (agg->collecting) return BoundExpr::literal(Value::null(agg->input->columns[i].type));
      fail(e.pos, fmt::format("column '{}' must appear in GROUP BY or be used in an aggregate function", e.to_string()));
    }
    case ExprKind::kStar: fail(e.pos, "'*' is only allowed in a select list or COUNT(*)");
    case ExprKind::kUnary: {
      BoundExprPtr a = bind_expr(*e.args[0], scope, agg, clause);
      std::string op = upper(e.op);
      if (op == "NOT") {
        if (a->type.id() != TypeId::kBoolean && a->type.id() != TypeId::kNull)
          fail(e.pos, "NOT needs a BOOLEAN, got " + a->type.to_string());
        return fold(BoundExpr::make(BoundExpr::Kind::kNot, DataType::boolean(), {bind_cast_expr(a, DataType::boolean())}));
      }
      if (op == "+") return a;
      if (a->is_constant() && !a->constant.is_null()) {
        // Fold negative literals directly so -9223372036854775808 and -0.5 stay exact.
        const Value& v = a->constant;
        switch (v.type().id()) {
          case TypeId::kInt32: return BoundExpr::literal(Value::int32(-static_cast<int32_t>(v.as_int())));
          case TypeId::kInt64: return BoundExpr::literal(Value::int64(-v.as_int()));
          case TypeId::kDouble: return BoundExpr::literal(Value::float64(-v.as_double()));
          case TypeId::kDecimal: return BoundExpr::literal(Value::decimal(-v.as_decimal(), v.type().precision(), v.type().scale()));
          default: break;
        }
      }
      return fold(bind_function_call("NEGATE", {a}));
    }
    case ExprKind::kBinary: {
      std::string op = upper(e.op);
      BoundExprPtr l = bind_expr(*e.args[0], scope, agg, clause);
      BoundExprPtr r = bind_expr(*e.args[1], scope, agg, clause);
      if (op == "AND" || op == "OR") {
        for (auto* side : {&l, &r})
          if ((*side)->type.id() != TypeId::kBoolean && (*side)->type.id() != TypeId::kNull)
            fail(e.pos, op + " needs BOOLEAN operands, got " + (*side)->type.to_string());
        return fold(BoundExpr::make(op == "AND" ? BoundExpr::Kind::kAnd : BoundExpr::Kind::kOr, DataType::boolean(),
                                    {bind_cast_expr(l, DataType::boolean()), bind_cast_expr(r, DataType::boolean())}));
      }
      if (op == "==") op = "=";
      if (op == "!=") op = "<>";
      try {
        return fold(bind_function_call(op, {l, r}));
      } catch (const Error& err) {
        if (err.location().line > 0) throw;
        throw Error(err.kind(), err.message(), ErrorLocation{"", e.pos.line, e.pos.column, e.pos.offset});
      }
    }
    case ExprKind::kFunction: return bind_function(e, scope, agg, clause);
    case ExprKind::kCase: {
      std::vector<BoundExprPtr> parts;
      size_t i = 0;
      BoundExprPtr operand;
      if (e.has_operand) operand = bind_expr(*e.args[i++], scope, agg, clause);
      size_t end = e.args.size() - (e.has_else ? 1 : 0);
      std::vector<BoundExprPtr> values;
      for (; i + 1 < end; i += 2) {
        BoundExprPtr when = bind_expr(*e.args[i], scope, agg, clause);
        if (operand) when = bind_function_call("=", {operand, when});
        if (when->type.id() != TypeId::kBoolean && when->type.id() != TypeId::kNull)
          fail(e.args[i]->pos, "CASE WHEN needs a BOOLEAN condition, got " + when->type.to_string());
        parts.push_back(bind_cast_expr(when, DataType::boolean()));
        values.push_back(bind_expr(*e.args[i + 1], scope, agg, clause));
      }
      values.push_back(e.has_else ? bind_expr(*e.args.back(), scope, agg, clause) : BoundExpr::literal(Value()));
      DataType t = values[0]->type;
      for (size_t k = 1; k < values.size(); ++k) t = common_type_or_fail(t, values[k]->type, "CASE branches");
      std::vector<BoundExprPtr> args;
      for (size_t k = 0; k < parts.size(); ++k) {
        args.push_back(parts[k]);
        args.push_back(bind_cast_expr(values[k], t));
      }
      args.push_back(bind_cast_expr(values.back(), t));
      return fold(BoundExpr::make(BoundExpr::Kind::kCase, t, std::move(args)));
    }
    case ExprKind::kCast: {
      BoundExprPtr a = bind_expr(*e.args[0], scope, agg, clause);
      try {
        return fold(bind_cast_expr(a, e.cast_type, e.try_cast));
      } catch (const Error& err) {
        if (err.location().line > 0) throw;
        throw Error(err.kind(), err.message(), ErrorLocation{"", e.pos.line, e.pos.column, e.pos.offset});
      }
    }
    case ExprKind::kIn: {
      std::vector<BoundExprPtr> args;
      for (const auto& a : e.args) args.push_back(bind_expr(*a, scope, agg, clause));
      BoundExprPtr in = fold(bind_function_call("IN", std::move(args)));
      if (!e.negated) return in;
      return fold(BoundExpr::make(BoundExpr::Kind::kNot, DataType::boolean(), {in}));
    }
    case ExprKind::kBetween: {
      BoundExprPtr x = bind_expr(*e.args[0], scope, agg, clause);
      BoundExprPtr lo = bind_expr(*e.args[1], scope, agg, clause);
      BoundExprPtr hi = bind_expr(*e.args[2], scope, agg, clause);
      BoundExprPtr both = BoundExpr::make(BoundExpr::Kind::kAnd, DataType::boolean(),
                                          {bind_function_call(">=", {x, lo}), bind_function_call("<=", {x, hi})});
      if (e.negated) both = BoundExpr::make(BoundExpr::Kind::kNot, DataType::boolean(), {both});
      return fold(both);
    }
    case ExprKind::kLike: {
      std::vector<BoundExprPtr> args;
      for (const auto& a : e.args) args.push_back(bind_expr(*a, scope, agg, clause));
      BoundExprPtr like = fold(bind_function_call(upper(e.op), std::move(args)));
      if (!e.negated) return like;
      return fold(BoundExpr::make(BoundExpr::Kind::kNot, DataType::boolean(), {like}));
    }
    case ExprKind::kIsNull: {
      BoundExprPtr a = bind_expr(*e.args[0], scope, agg, clause);
      return fold(BoundExpr::make(e.negated ? BoundExpr::Kind::kIsNotNull : BoundExpr::Kind::kIsNull,
                                  DataType::boolean(), {a}));
    }
    case ExprKind::kIsBool: {
      // x IS TRUE -> COALESCE(x = TRUE, FALSE); negated flips.
      BoundExprPtr a = bind_cast_expr(bind_expr(*e.args[0], scope, agg, clause), DataType::boolean());
      BoundExprPtr eq = bind_function_call("=", {a, BoundExpr::literal(e.value)});
      BoundExprPtr r = BoundExpr::make(BoundExpr::Kind::kCoalesce, DataType::boolean(),
                                       {eq, BoundExpr::literal(Value::boolean(false))});
      if (e.negated) r = BoundExpr::make(BoundExpr::Kind::kNot, DataType::boolean(), {r});
      return fold(r);
    }
    case ExprKind::kInterval: fail(e.pos, "not supported yet: INTERVAL with a non-constant value");
    case ExprKind::kSubquery:
    case ExprKind::kInSubquery: {
      auto it = subquery_values_.find(&e);
      if (it != subquery_values_.end()) return it->second;
      if (is_collecting(agg)) {  // HAVING's first pass: collect the aggregates of `x IN (...)`
        if (e.kind == ExprKind::kInSubquery) bind_expr(*e.args[0], scope, agg, clause);
        return BoundExpr::literal(Value::null(e.kind == ExprKind::kInSubquery ? DataType::boolean() : DataType::null()));
      }
      fail(e.pos, "not supported yet: a subquery here (subqueries work in WHERE and HAVING, outside aggregate calls)");
    }
    case ExprKind::kExists: fail(e.pos, "not supported yet: EXISTS (subquery)");
  }
  fail(e.pos, "unknown expression");
}

// ---- SELECT ----------------------------------------------------------------------------------

namespace {
bool contains_aggregate(const Expr& e) {
  if (e.kind == ExprKind::kFunction && !e.over) {
    std::string name = upper(e.name);
    if (is_aggregate_function(name) && !FunctionRegistry::instance().find_scalar(name)) return true;
  }
  for (const auto& a : e.args)
    if (a && contains_aggregate(*a)) return true;
  if (e.kind == ExprKind::kFunction && e.filter && contains_aggregate(*e.filter)) return true;
  if (e.over) {
    for (const auto& p : e.over->partition_by)
      if (contains_aggregate(*p)) return true;
    for (const auto& o : e.over->order_by)
      if (contains_aggregate(*o.expr)) return true;
  }
  return false;
}
}  // namespace

Binder::Bound Binder::bind_select(const Select& select, const Query& query) {
  Bound input;
  if (select.from) {
    input = bind_table_ref(*select.from);
  } else {
    auto values = std::make_shared<PlanNode>();
    values->kind = PlanKind::kValues;
    values->schema = make_schema({});
    input.plan = values;
  }
  PlanNodePtr plan = input.plan;
  const Scope& in_scope = input.scope;

  if (select.where) {
    if (contains_aggregate(*select.where)) fail(select.where->pos, "aggregate functions are not allowed in WHERE");
    size_t width = plan->schema->fields().size();
    plan = join_subqueries(*select.where, plan, in_scope, nullptr, "WHERE");
    BoundExprPtr pred = bind_expr(*select.where, in_scope, nullptr, "WHERE");
    if (pred->type.id() != TypeId::kBoolean && pred->type.id() != TypeId::kNull)
      fail(select.where->pos, "WHERE needs a BOOLEAN condition, got " + pred->type.to_string());
    auto filter = std::make_shared<PlanNode>();
    filter->kind = PlanKind::kFilter;
    filter->schema = plan->schema;
    filter->predicate = bind_cast_expr(pred, DataType::boolean());
    filter->children.push_back(plan);
    plan = keep_columns(filter, width);
  }

  // A time window (WINDOW TUMBLING(...) or GROUP BY ..., TUMBLE(...)): window_start and
  // window_end join the input columns and the group keys.
  const Expr* group_window = nullptr;
  for (const auto& g : select.group_by)
    if (g->kind == ExprKind::kFunction && is_window_function_name(g->name)) {
      if (group_window || select.window) fail(g->pos, "a GROUP BY has at most one time window");
      group_window = g.get();
    }
  bool windowed = select.window || group_window;
  if (windowed) {
    std::vector<const Expr*> wargs;
    const auto& src_args = select.window ? select.window->args : group_window->args;
    for (const auto& a : src_args) wargs.push_back(a.get());
    input.plan = plan;
    input = add_window(std::move(input), select.window ? select.window->kind : group_window->name, wargs,
                       select.window ? select.window->pos : group_window->pos, false);
    plan = input.plan;
  }

  // Expand stars into plain select items (by column index).
  struct Item {
    const Expr* expr = nullptr;  // null for star-expanded columns
    int column = -1;
    std::string name;
  };
  std::vector<Item> items;
  for (const auto& si : select.items) {
    if (si.expr->kind == ExprKind::kStar) {
      const auto& qual = si.expr->names;
      bool any = false;
      for (size_t i = 0; i < in_scope.columns.size(); ++i) {
        const auto& c = in_scope.columns[i];
        if (is_system_column(c.name)) continue;
        if (!qual.empty() && !iequals(c.table, qual.back())) continue;
        items.push_back(Item{nullptr, static_cast<int>(i), c.name});
        any = true;
      }
      if (!any && !qual.empty()) fail(si.expr->pos, fmt::format("table '{}' not found for '{}.*'", qual.back(), qual.back()));
      continue;
    }
    items.push_back(Item{si.expr.get(), -1, output_name(si)});
  }

  bool aggregate_query = !select.group_by.empty() || select.distinct || windowed;
  for (const auto& it : items) aggregate_query |= it.expr && contains_aggregate(*it.expr);
  if (select.having) aggregate_query |= true;
  for (const auto& o : query.order_by) aggregate_query |= contains_aggregate(*o.expr) && !select.group_by.empty();
  if (!aggregate_query)
    for (const auto& o : query.order_by) aggregate_query |= contains_aggregate(*o.expr);
  if (select.emit != EmitMode::kDefault && !aggregate_query)
    fail(query.pos, "EMIT CHANGES / EMIT FINAL apply to aggregations (a plain SELECT emits every row as it comes)");

  OverScope over_scope(this, &plan);  // window functions of the select list and ORDER BY
  std::vector<BoundExprPtr> out_exprs;
  std::vector<std::string> out_names;
  std::vector<AggregateSpec> aggregates;
  AggregateContext actx;
  AggregateContext* agg = nullptr;
  Scope post_scope;  // scope of the rows the select list sees (for hidden ORDER BY columns)

  if (aggregate_query && !(select.distinct && select.group_by.empty() && [&] {
        for (const auto& it : items) if (it.expr && contains_aggregate(*it.expr)) return false;
        return !select.having;
      }())) {
    actx.input = &in_scope;
    actx.aggregates = &aggregates;
    std::vector<BoundExprPtr> group_exprs;
    for (const auto& g : select.group_by) {
      const Expr* ge = g.get();
      if (ge == group_window) continue;
      // GROUP BY 1 and GROUP BY alias refer to select items.
      if (ge->kind == ExprKind::kLiteral && ge->value.type().is_integer()) {
        int64_t k = ge->value.as_int();
        if (k < 1 || k > static_cast<int64_t>(items.size())) fail(ge->pos, fmt::format("GROUP BY position {} is not in the select list", k));
        const Item& item = items[k - 1];
        if (!item.expr) {
          group_exprs.push_back(BoundExpr::column_ref(item.column, in_scope.columns[item.column].type, item.name));
          actx.group_texts.push_back(item.name);
          actx.group_columns.push_back(item.column);
          continue;
        }
        ge = item.expr;
      } else if (ge->kind == ExprKind::kColumnRef && ge->names.size() == 1 && resolve_column(*ge, in_scope, false) < 0) {
        const std::string alias = ge->names[0];
        for (const auto& item : items)
          if (item.expr && iequals(item.name, alias)) {
            ge = item.expr;
            break;
          }
      }
      if (contains_aggregate(*ge)) fail(ge->pos, "aggregate functions are not allowed in GROUP BY");
      BoundExprPtr b = bind_expr(*ge, in_scope, nullptr, "GROUP BY");
      group_exprs.push_back(b);
      actx.group_texts.push_back(ge->to_string());
      actx.group_columns.push_back(b->kind == BoundExpr::Kind::kColumn ? b->column : -1);
    }
    if (windowed) {
      // The window's start and end are group keys (unless GROUP BY already names them).
      size_t first = in_scope.columns.size() - 2;
      for (size_t c = first; c < first + 2; ++c) {
        bool present = false;
        for (int gc : actx.group_columns) present |= gc == static_cast<int>(c);
        if (present) continue;
        group_exprs.push_back(BoundExpr::column_ref(static_cast<int>(c), in_scope.columns[c].type, in_scope.columns[c].name));
        actx.group_texts.push_back(in_scope.columns[c].name);
        actx.group_columns.push_back(static_cast<int>(c));
      }
    }
    for (const auto& g : group_exprs) actx.group_types.push_back(g->type);
    // Pass 1: collect aggregates (bind their arguments below the aggregate).
    actx.collecting = true;
    for (const auto& it : items)
      if (it.expr) bind_expr(*it.expr, in_scope, &actx, "the select list");
    if (select.having) bind_expr(*select.having, in_scope, &actx, "HAVING");
    for (const auto& o : query.order_by) {
      bool is_alias = o.expr->kind == ExprKind::kColumnRef && o.expr->names.size() == 1 &&
                      resolve_column(*o.expr, in_scope, false) < 0;
      if (!is_alias && !(o.expr->kind == ExprKind::kLiteral)) bind_expr(*o.expr, in_scope, &actx, "ORDER BY");
    }
    actx.collecting = false;

    auto aggregate = std::make_shared<PlanNode>();
    aggregate->kind = PlanKind::kAggregate;
    std::vector<Field> fields;
    for (size_t g = 0; g < group_exprs.size(); ++g) {
      fields.push_back(Field{actx.group_texts[g], group_exprs[g]->type, true});
      post_scope.columns.push_back(ScopeColumn{"", actx.group_texts[g], group_exprs[g]->type});
    }
    for (const auto& a : aggregates) {
      fields.push_back(Field{a.name, a.function.return_type, true});
      post_scope.columns.push_back(ScopeColumn{"", a.name, a.function.return_type});
    }
    aggregate->schema = make_schema(fields);
    aggregate->groups = group_exprs;
    aggregate->aggregates = aggregates;
    aggregate->emit_changes = select.emit == EmitMode::kChanges;
    aggregate->emit_final = select.emit == EmitMode::kFinal;
    aggregate->children.push_back(plan);
    plan = aggregate;
    agg = &actx;
    // Pass 2: bind the select list above the aggregate.
    for (const auto& it : items) {
      if (!it.expr) {
        Expr ref;
        ref.kind = ExprKind::kColumnRef;
        ref.names = {in_scope.columns[it.column].table, in_scope.columns[it.column].name};
        if (ref.names[0].empty()) ref.names.erase(ref.names.begin());
        out_exprs.push_back(bind_expr(ref, in_scope, agg, "the select list"));
      } else {
        out_exprs.push_back(bind_expr(*it.expr, in_scope, agg, "the select list"));
      }
      out_names.push_back(it.name);
    }
    if (select.having) {
      size_t width = plan->schema->fields().size();
      plan = join_subqueries(*select.having, plan, in_scope, agg, "HAVING");
      BoundExprPtr pred = bind_expr(*select.having, in_scope, agg, "HAVING");
      auto filter = std::make_shared<PlanNode>();
      filter->kind = PlanKind::kFilter;
      filter->schema = plan->schema;
      filter->predicate = bind_cast_expr(pred, DataType::boolean());
      filter->children.push_back(plan);
      plan = keep_columns(filter, width);
    }
  } else {
    for (const auto& it : items) {
      if (!it.expr) out_exprs.push_back(BoundExpr::column_ref(it.column, in_scope.columns[it.column].type, it.name));
      else out_exprs.push_back(bind_expr(*it.expr, in_scope, nullptr, "the select list"));
      out_names.push_back(it.name);
    }
    post_scope = in_scope;
  }

  // ORDER BY: output ordinals, output aliases, select-item expressions, else hidden columns.
  std::vector<SortKey> sort_keys;
  size_t visible = out_exprs.size();
  std::vector<BoundExprPtr> project_exprs = out_exprs;
  std::vector<std::string> project_names = out_names;
  for (const auto& o : query.order_by) {
    int index = -1;
    const Expr& oe = *o.expr;
    if (oe.kind == ExprKind::kLiteral && oe.value.type().is_integer()) {
      int64_t k = oe.value.as_int();
      if (k < 1 || k > static_cast<int64_t>(visible)) fail(oe.pos, fmt::format("ORDER BY position {} is not in the select list", k));
      index = static_cast<int>(k - 1);
    } else if (oe.kind == ExprKind::kColumnRef && oe.names.size() == 1) {
      for (size_t i = 0; i < visible && index < 0; ++i)
        if (iequals(out_names[i], oe.names[0])) index = static_cast<int>(i);
    }
    if (index < 0) {
      std::string text = oe.to_string();
      for (size_t i = 0; i < items.size() && index < 0; ++i)
        if (items[i].expr && items[i].expr->to_string() == text) index = static_cast<int>(i);
    }
    if (index < 0) {
      if (select.distinct) fail(oe.pos, "ORDER BY of a SELECT DISTINCT must use selected columns");
      project_exprs.push_back(bind_expr(oe, agg ? in_scope : post_scope, agg, "ORDER BY"));
      project_names.push_back(oe.to_string());
      index = static_cast<int>(project_exprs.size() - 1);
    }
    SortKey key;
    key.expr = BoundExpr::column_ref(index, project_exprs[index]->type, project_names[index]);
    key.descending = o.descending;
    key.nulls_first = o.nulls_first.value_or(false);
    sort_keys.push_back(key);
  }

  auto project = std::make_shared<PlanNode>();
  project->kind = PlanKind::kProject;
  std::vector<Field> fields;
  for (size_t i = 0; i < project_exprs.size(); ++i) fields.push_back(Field{project_names[i], project_exprs[i]->type, true});
  project->schema = make_schema(fields);
  project->exprs = project_exprs;
  plan = over_scope.finish(plan);
  project->children.push_back(plan);
  plan = project;

  if (select.distinct) {
    auto distinct = std::make_shared<PlanNode>();
    distinct->kind = PlanKind::kAggregate;
    distinct->schema = plan->schema;
    for (size_t i = 0; i < project_exprs.size(); ++i)
      distinct->groups.push_back(BoundExpr::column_ref(static_cast<int>(i), project_exprs[i]->type, project_names[i]));
    distinct->children.push_back(plan);
    plan = distinct;
  }

  Scope empty;
  int64_t limit = query.limit ? Evaluator::evaluate_constant(*bind_expr(*query.limit, empty, nullptr, "LIMIT")).as_int() : -1;
  int64_t offset = query.offset ? Evaluator::evaluate_constant(*bind_expr(*query.offset, empty, nullptr, "OFFSET")).as_int() : 0;
  if (limit < -1 || offset < 0) fail(query.pos, "LIMIT and OFFSET must not be negative");
  if (!sort_keys.empty()) {
    auto sort = std::make_shared<PlanNode>();
    sort->kind = PlanKind::kSort;
    sort->schema = plan->schema;
    sort->sort_keys = sort_keys;
    sort->limit = limit >= 0 ? limit + offset : -1;
    sort->children.push_back(plan);
    plan = sort;
  }
  if (limit >= 0 || offset > 0) {
    auto lim = std::make_shared<PlanNode>();
    lim->kind = PlanKind::kLimit;
    lim->schema = plan->schema;
    lim->limit = limit;
    lim->offset = offset;
    lim->children.push_back(plan);
    plan = lim;
  }
  if (project_exprs.size() != visible) {
    // Drop the hidden ORDER BY columns.
    auto final_project = std::make_shared<PlanNode>();
    final_project->kind = PlanKind::kProject;
    std::vector<Field> vis(fields.begin(), fields.begin() + visible);
    final_project->schema = make_schema(vis);
    for (size_t i = 0; i < visible; ++i)
      final_project->exprs.push_back(BoundExpr::column_ref(static_cast<int>(i), fields[i].type, fields[i].name));
    final_project->children.push_back(plan);
    plan = final_project;
  }

  Bound out;
  out.plan = plan;
  for (const auto& f : plan->schema->fields()) out.scope.columns.push_back(ScopeColumn{"", f.name, f.type});
  return out;
}

}  // namespace velo::sql
