// Binding of SQL window functions `f(...) OVER (PARTITION BY ... ORDER BY ... frame)`: ranking
// and value functions plus every registry aggregate. The calls of one SELECT (select list and
// ORDER BY) become one kWindowFunction node placed after WHERE / GROUP BY / HAVING and before
// the final projection, so they see the aggregated rows.

#include <fmt/format.h>

#include <cstring>

#include "velo/exec/evaluator.h"
#include "velo/exec/function/function.h"
#include "velo/sql/binder/binder.h"
#include "velo/types/error.h"

namespace velo::sql {

struct Binder::OverContext {
  const PlanNodePtr* input = nullptr;  // the rows the window node will sit on (bind_select's plan)
  std::vector<WindowExpr> exprs;
  std::map<std::string, int> index;  // SQL text -> position in exprs (same call, same column)
  bool inside = false;               // binding the arguments or window of a call
  SourcePos first_pos;
};

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

BoundExprPtr fold(BoundExprPtr e) {
  if (e->kind == BoundExpr::Kind::kConstant || !e->foldable()) return e;
  Value v = Evaluator::evaluate_constant(*e);
  if (v.is_null()) return BoundExpr::literal(Value::null(e->type));
  return BoundExpr::literal(std::move(v));
}

struct NamedKind {
  const char* name;
  WindowFunctionKind kind;
};
constexpr NamedKind kWindowFunctions[] = {
    {"ROW_NUMBER", WindowFunctionKind::kRowNumber},
    {"RANK", WindowFunctionKind::kRank},
    {"DENSE_RANK", WindowFunctionKind::kDenseRank},
    {"PERCENT_RANK", WindowFunctionKind::kPercentRank},
    {"CUME_DIST", WindowFunctionKind::kCumeDist},
    {"NTILE", WindowFunctionKind::kNtile},
    {"LAG", WindowFunctionKind::kLag},
    {"LEAD", WindowFunctionKind::kLead},
    {"FIRST_VALUE", WindowFunctionKind::kFirstValue},
    {"LAST_VALUE", WindowFunctionKind::kLastValue},
    {"NTH_VALUE", WindowFunctionKind::kNthValue},
};

WindowFrameBound frame_bound(WindowSpec::BoundKind k) {
  switch (k) {
    case WindowSpec::BoundKind::kUnboundedPreceding:
      return WindowFrameBound::kUnboundedPreceding;
    case WindowSpec::BoundKind::kPreceding:
      return WindowFrameBound::kPreceding;
    case WindowSpec::BoundKind::kCurrentRow:
      return WindowFrameBound::kCurrentRow;
    case WindowSpec::BoundKind::kFollowing:
      return WindowFrameBound::kFollowing;
    case WindowSpec::BoundKind::kUnboundedFollowing:
      return WindowFrameBound::kUnboundedFollowing;
  }
  return WindowFrameBound::kCurrentRow;
}

bool is_negative(const Value& v) {
  switch (v.type().id()) {
    case TypeId::kInterval: {
      Interval i = v.as_interval();
      return i.months < 0 || i.days < 0 || i.micros < 0;
    }
    case TypeId::kDecimal:
      return v.as_decimal() < 0;
    case TypeId::kDouble:
      return v.as_double() < 0;
    default:
      return v.type().is_integer() && v.as_int() < 0;
  }
}

// Marks every scan below `node` that is not bounded.
const PlanNode* unbounded_scan(const PlanNode& node) {
  if (node.kind == PlanKind::kScan && node.source && !node.source->capabilities().bounded)
    return &node;
  for (const auto& c : node.children)
    if (const PlanNode* s = unbounded_scan(*c)) return s;
  return nullptr;
}

}  // namespace

Binder::OverScope::OverScope(Binder* binder, const PlanNodePtr* input)
    : binder_(binder), previous_(binder->over_), context_(std::make_unique<OverContext>()) {
  context_->input = input;
  binder_->over_ = context_.get();
}

Binder::OverScope::~OverScope() { binder_->over_ = previous_; }

PlanNodePtr Binder::OverScope::finish(PlanNodePtr plan) {
  OverContext& ctx = *context_;
  binder_->over_ = previous_;  // no window functions after this point
  if (ctx.exprs.empty()) return plan;
  if (plan.get() != ctx.input->get() && plan->schema->size() != (*ctx.input)->schema->size())
    throw_internal_error("window functions bound over {} columns, placed over {}",
                         (*ctx.input)->schema->size(), plan->schema->size());
  // Over an unbounded stream only the Top-N form plans (ROW_NUMBER ... WHERE rn <= N); the
  // physical planner says so for anything else.
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kWindowFunction;
  std::vector<Field> fields = plan->schema->fields();
  for (const auto& w : ctx.exprs) fields.push_back(Field{w.name, w.type, true});
  node->schema = make_schema(std::move(fields));
  node->window_exprs = std::move(ctx.exprs);
  node->children.push_back(std::move(plan));
  return node;
}

BoundExprPtr Binder::bind_over_call(const Expr& e, const Scope& scope, AggregateContext* agg,
                                    const char* clause) {
  std::string name = upper(e.name);
  bool allowed =
      std::strcmp(clause, "the select list") == 0 || std::strcmp(clause, "ORDER BY") == 0;
  if (!over_ || !allowed)
    fail(e.pos, fmt::format("window functions are not allowed in {}", clause));
  OverContext& ctx = *over_;
  if (ctx.inside) fail(e.pos, "window function calls cannot be nested");
  bool collecting = is_collecting(agg);
  std::string key = e.to_string();
  size_t width = (*ctx.input)->schema->size();
  if (!collecting) {
    auto it = ctx.index.find(key);
    if (it != ctx.index.end()) {
      const WindowExpr& w = ctx.exprs[it->second];
      return BoundExpr::column_ref(static_cast<int>(width) + it->second, w.type, key);
    }
  }
  struct Inside {
    OverContext& c;
    ~Inside() { c.inside = false; }
  } inside{ctx};
  ctx.inside = true;

  WindowExpr w;
  w.name = key;
  const WindowSpec& spec = *e.over;
  for (const auto& p : spec.partition_by)
    w.partition_by.push_back(bind_expr(*p, scope, agg, clause));
  for (const auto& o : spec.order_by) {
    SortKey k;
    k.expr = bind_expr(*o.expr, scope, agg, clause);
    k.descending = o.descending;
    k.nulls_first = o.nulls_first.value_or(false);
    w.order_by.push_back(std::move(k));
  }

  // ---- the function ----
  auto rethrow_at = [&](const Error& err) {
    if (err.location().line > 0) throw err;
    throw Error(err.kind(), err.message(),
                ErrorLocation{"", e.pos.line, e.pos.column, e.pos.offset});
  };
  const NamedKind* named = nullptr;
  for (const auto& k : kWindowFunctions)
    if (name == k.name) named = &k;
  const AggregateFunction* aggregate =
      named ? nullptr : FunctionRegistry::instance().find_aggregate(name);
  if (!named && !aggregate) {
    if (FunctionRegistry::instance().find_scalar(name))
      fail(e.pos,
           fmt::format("{}() is not a window function or an aggregate, so it takes no OVER (...)",
                       name));
    std::vector<std::string> candidates;
    for (const auto& k : kWindowFunctions) candidates.push_back(k.name);
    for (const auto& n : FunctionRegistry::instance().names())
      if (FunctionRegistry::instance().find_aggregate(n)) candidates.push_back(n);
    std::string hint = nearest_name(name, candidates);
    fail(e.pos, fmt::format("window function {}() does not exist{}", name,
                            hint.empty() ? "" : " (did you mean " + hint + "()?)"));
  }
  std::vector<BoundExprPtr> args;
  if (named) {
    if (e.distinct || e.star || e.filter || !e.order_by.empty())
      fail(e.pos, fmt::format("{}() takes no DISTINCT, *, ORDER BY or FILTER", name));
    for (const auto& a : e.args) args.push_back(bind_expr(*a, scope, agg, clause));
    w.kind = named->kind;
    auto arity = [&](size_t lo, size_t hi) {
      if (args.size() < lo || args.size() > hi) {
        std::string want = lo == hi ? std::to_string(lo) : fmt::format("{} to {}", lo, hi);
        fail(e.pos, fmt::format("{}() takes {} argument{}, got {}", name, want, hi == 1 ? "" : "s",
                                args.size()));
      }
    };
    auto integer_arg = [&](size_t i, const char* what) {
      const DataType& t = args[i]->type;
      if (!t.is_integer() && t.id() != TypeId::kNull)
        fail(e.args[i]->pos,
             fmt::format("{}() needs an integer {}, got {}", name, what, t.to_string()));
      args[i] = bind_cast_expr(args[i], DataType::int64());
    };
    switch (w.kind) {
      case WindowFunctionKind::kRowNumber:
      case WindowFunctionKind::kRank:
      case WindowFunctionKind::kDenseRank:
        arity(0, 0);
        w.type = DataType::int64();
        break;
      case WindowFunctionKind::kPercentRank:
      case WindowFunctionKind::kCumeDist:
        arity(0, 0);
        w.type = DataType::float64();
        break;
      case WindowFunctionKind::kNtile:
        arity(1, 1);
        integer_arg(0, "number of buckets");
        w.type = DataType::int64();
        break;
      case WindowFunctionKind::kLag:
      case WindowFunctionKind::kLead: {
        arity(1, 3);
        if (args.size() < 2)
          args.push_back(BoundExpr::literal(Value::int64(1)));
        else
          integer_arg(1, "offset");
        if (args.size() < 3) args.push_back(BoundExpr::literal(Value::null(args[0]->type)));
        DataType t = args[0]->type;
        DataType common;
        if (!common_super_type(t, args[2]->type, &common)) {
          if (args[2]->type.id() != TypeId::kString)
            fail(e.args[2]->pos,
                 fmt::format("{}() default of type {} does not match the value type {}", name,
                             args[2]->type.to_string(), t.to_string()));
          common = t;
        }
        try {
          args[0] = bind_cast_expr(args[0], common);
          args[2] = fold(bind_cast_expr(args[2], common));
        } catch (const Error& err) {
          rethrow_at(err);
        }
        w.type = common;
        break;
      }
      case WindowFunctionKind::kFirstValue:
      case WindowFunctionKind::kLastValue:
        arity(1, 1);
        w.type = args[0]->type;
        break;
      case WindowFunctionKind::kNthValue:
        arity(2, 2);
        integer_arg(1, "row number");
        w.type = args[0]->type;
        break;
      case WindowFunctionKind::kAggregate:
        break;
    }
  } else {
    // An aggregate over the frame, bound as in GROUP BY (DISTINCT, FILTER, ORDER BY inside).
    w.kind = WindowFunctionKind::kAggregate;
    AggregateCall call;
    call.distinct = e.distinct;
    call.star = e.star;
    bool within_group =
        !e.order_by.empty() && (name == "PERCENTILE_CONT" || name == "PERCENTILE_DISC");
    std::vector<BoundExprPtr> direct;
    if (within_group) {
      for (const auto& a : e.args) direct.push_back(fold(bind_expr(*a, scope, agg, clause)));
      args.push_back(bind_expr(*e.order_by[0].expr, scope, agg, clause));
    } else {
      for (const auto& a : e.args) args.push_back(bind_expr(*a, scope, agg, clause));
    }
    for (const auto& a : args)
      call.args.push_back(BindArg{a->type, a->is_constant() ? &a->constant : nullptr});
    for (const auto& d : direct)
      call.direct_args.push_back(BindArg{d->type, d->is_constant() ? &d->constant : nullptr});
    try {
      w.aggregate = aggregate->bind(call);
    } catch (const Error& err) {
      rethrow_at(err);
    }
    if (within_group && e.order_by[0].descending)
      fail(e.pos,
           fmt::format("not supported yet: {}() WITHIN GROUP (ORDER BY ... DESC); use 1 - fraction",
                       name));
    if (!within_group && !e.order_by.empty() && aggregate_is_order_sensitive(name)) {
      if (e.distinct)
        fail(e.pos, fmt::format("not supported yet: {}(DISTINCT ... ORDER BY ...)", name));
      std::vector<AggregateOrderKey> keys;
      for (const auto& o : e.order_by) {
        BoundExprPtr k = bind_expr(*o.expr, scope, agg, clause);
        keys.push_back(AggregateOrderKey{k->type, o.descending, o.nulls_first.value_or(false)});
        args.push_back(std::move(k));
      }
      w.aggregate = order_aggregate_input(std::move(w.aggregate), std::move(keys));
    }
    for (size_t i = 0; i < args.size() && i < w.aggregate.arg_types.size(); ++i)
      if (w.aggregate.arg_types[i].id() != TypeId::kNull)
        args[i] = bind_cast_expr(args[i], w.aggregate.arg_types[i]);
    if (e.filter) {
      BoundExprPtr f = bind_expr(*e.filter, scope, agg, clause);
      if (f->type.id() != TypeId::kBoolean && f->type.id() != TypeId::kNull)
        fail(e.filter->pos, "FILTER needs a BOOLEAN condition, got " + f->type.to_string());
      w.filter = bind_cast_expr(f, DataType::boolean());
    }
    w.order_sensitive = aggregate_is_order_sensitive(name);
    w.type = w.aggregate.return_type;
  }
  w.args = std::move(args);

  // ---- the frame ----
  WindowFrame& fr = w.frame;
  if (spec.buffer_rows > 0) {
    // Velostream's ROWS WINDOW BUFFER n ROWS: the last n rows up to the current one.
    if (spec.frame_unit != WindowSpec::FrameUnit::kNone)
      fail(e.pos, "ROWS WINDOW BUFFER and a ROWS / RANGE frame cannot both be given");
    fr.rows = true;
    fr.start = WindowFrameBound::kPreceding;
    fr.start_rows = spec.buffer_rows - 1;
    fr.end = WindowFrameBound::kCurrentRow;
  } else if (spec.frame_unit == WindowSpec::FrameUnit::kNone) {
    fr.rows = spec.order_by.empty();
    fr.start = WindowFrameBound::kUnboundedPreceding;
    fr.end = spec.order_by.empty() ? WindowFrameBound::kUnboundedFollowing
                                   : WindowFrameBound::kCurrentRow;
  } else {
    fr.rows = spec.frame_unit == WindowSpec::FrameUnit::kRows;
    fr.start = frame_bound(spec.start);
    fr.end = frame_bound(spec.end);
    if (fr.start == WindowFrameBound::kUnboundedFollowing)
      fail(e.pos, "a window frame cannot start at UNBOUNDED FOLLOWING");
    if (fr.end == WindowFrameBound::kUnboundedPreceding)
      fail(e.pos, "a window frame cannot end at UNBOUNDED PRECEDING");
    if ((fr.start == WindowFrameBound::kCurrentRow && fr.end == WindowFrameBound::kPreceding) ||
        (fr.start == WindowFrameBound::kFollowing &&
         (fr.end == WindowFrameBound::kPreceding || fr.end == WindowFrameBound::kCurrentRow)))
      fail(e.pos, "a window frame cannot start after it ends");
    Scope empty;
    auto offset = [&](const ExprPtr& x, bool is_start) {
      BoundExprPtr b = fold(bind_expr(*x, empty, nullptr, "a window frame offset"));
      if (!b->is_constant() || b->constant.is_null())
        fail(x->pos, "a window frame offset must be a constant that is not NULL");
      if (is_negative(b->constant)) fail(x->pos, "a window frame offset must not be negative");
      if (fr.rows) {
        if (!b->type.is_integer())
          fail(x->pos, "a ROWS frame offset must be an integer, got " + b->type.to_string());
        (is_start ? fr.start_rows : fr.end_rows) = b->constant.as_int();
        return;
      }
      if (spec.order_by.size() != 1)
        fail(x->pos, "a RANGE frame with an offset needs exactly one ORDER BY key");
      const SortKey& k = w.order_by[0];
      WindowFrameBound kind = is_start ? fr.start : fr.end;
      bool add = (kind == WindowFrameBound::kFollowing) != k.descending;
      BoundExprPtr bound;
      try {
        bound = bind_function_call(add ? "+" : "-", {k.expr, b});
      } catch (const Error&) {
        fail(x->pos,
             fmt::format("a RANGE offset of type {} does not apply to an ORDER BY key of type {}",
                         b->type.to_string(), k.expr->type.to_string()));
      }
      DataType t;
      if (!common_super_type(k.expr->type, bound->type, &t))
        fail(x->pos,
             fmt::format("a RANGE offset of type {} does not apply to an ORDER BY key of type {}",
                         b->type.to_string(), k.expr->type.to_string()));
      fr.range_key = bind_cast_expr(k.expr, t);
      (is_start ? fr.range_start : fr.range_end) = bind_cast_expr(bound, t);
    };
    if (spec.start_offset) offset(spec.start_offset, true);
    if (spec.end_offset) offset(spec.end_offset, false);
  }

  if (collecting) return BoundExpr::literal(Value::null(w.type));
  if (ctx.exprs.empty()) ctx.first_pos = e.pos;
  int index = static_cast<int>(ctx.exprs.size());
  DataType type = w.type;
  ctx.exprs.push_back(std::move(w));
  ctx.index[key] = index;
  return BoundExpr::column_ref(static_cast<int>(width) + index, type, key);
}

}  // namespace velo::sql
