#include "velo/sql/plan/stream_join_bounds.h"

#include <algorithm>

#include "velo/types/temporal.h"

namespace velo::sql {

std::optional<TimeColumnInfo> time_column_info(const PlanNode& node, int column) {
  switch (node.kind) {
    case PlanKind::kScan: {
      const EventTimeSpec& time = node.source->event_time();
      if (!time.enabled() || column < 0 || static_cast<size_t>(column) >= node.schema->size())
        return std::nullopt;
      if (node.schema->field(column).name != time.column) return std::nullopt;
      return TimeColumnInfo{0, 0};
    }
    case PlanKind::kFilter:
      return time_column_info(*node.children[0], column);
    case PlanKind::kProject: {
      const auto& e = node.exprs[column];
      if (e->kind != BoundExpr::Kind::kColumn) return std::nullopt;
      return time_column_info(*node.children[0], e->column);
    }
    case PlanKind::kWindow: {
      int width = static_cast<int>(node.children[0]->schema->size());
      bool event_time = node.window.time_column >= 0 &&
                        time_column_info(*node.children[0], node.window.time_column).has_value();
      if (column == width)  // window_start: rows to come may start up to a window earlier
        return event_time ? std::optional<TimeColumnInfo>(TimeColumnInfo{node.window.size, 0})
                          : std::nullopt;
      if (column == width + 1)  // window_end: after the row's time, at most a window after
        return event_time ? std::optional<TimeColumnInfo>(TimeColumnInfo{0, node.window.size})
                          : std::nullopt;
      return time_column_info(*node.children[0], column);
    }
    case PlanKind::kAggregate: {
      // A windowed GROUP BY emits a window's groups once the watermark passes its end: its
      // time keys relate to the watermark as the input's did.
      if (column < 0 || static_cast<size_t>(column) >= node.groups.size()) return std::nullopt;
      const auto& g = node.groups[column];
      if (g->kind != BoundExpr::Kind::kColumn) return std::nullopt;
      return time_column_info(*node.children[0], g->column);
    }
    default:
      return std::nullopt;
  }
}

namespace {

/// `column + offset` (µs) over the join's input columns (left ++ right).
struct TimeTerm {
  int column = -1;
  int64_t offset = 0;
};

std::optional<int64_t> interval_micros(const BoundExpr& e) {
  if (e.kind != BoundExpr::Kind::kConstant || e.constant.is_null() ||
      e.type.id() != TypeId::kInterval)
    return std::nullopt;
  const Interval& iv = e.constant.as_interval();
  if (iv.months != 0) return std::nullopt;  // months have no fixed length
  return iv.days * temporal::kMicrosPerDay + iv.micros;
}

std::optional<TimeTerm> time_term(const BoundExpr& e) {
  if (e.kind == BoundExpr::Kind::kColumn)
    return e.type.id() == TypeId::kTimestamp ? std::optional<TimeTerm>(TimeTerm{e.column, 0})
                                             : std::nullopt;
  if (e.kind != BoundExpr::Kind::kCall || e.args.size() != 2) return std::nullopt;
  bool add = e.name == "+", sub = e.name == "-";
  if (!add && !sub) return std::nullopt;
  if (auto iv = interval_micros(*e.args[1])) {
    auto t = time_term(*e.args[0]);
    if (t) t->offset += sub ? -*iv : *iv;
    return t;
  }
  if (add) {
    if (auto iv = interval_micros(*e.args[0])) {
      auto t = time_term(*e.args[1]);
      if (t) t->offset += *iv;
      return t;
    }
  }
  return std::nullopt;
}

void conjuncts(const BoundExprPtr& e, std::vector<const BoundExpr*>* out) {
  if (!e) return;
  if (e->kind == BoundExpr::Kind::kAnd) {
    for (const auto& a : e->args) conjuncts(a, out);
    return;
  }
  out->push_back(e.get());
}

struct Bound {
  int left = -1, right = -1;                     // columns of each input
  int64_t lower = INT64_MIN, upper = INT64_MAX;  // on right - left
  bool any() const { return lower != INT64_MIN || upper != INT64_MAX; }
};

}  // namespace

std::optional<IntervalJoinBounds> stream_join_bounds(const PlanNode& join) {
  const PlanNode& left = *join.children[0];
  const PlanNode& right = *join.children[1];
  int nleft = static_cast<int>(left.schema->size());
  Bound bound;
  auto constrain = [&](int l, int r, int64_t lower, int64_t upper) {
    if (!time_column_info(left, l) || !time_column_info(right, r)) return;
    if (bound.left < 0) {
      bound.left = l;
      bound.right = r;
    }
    if (bound.left != l || bound.right != r) return;  // one time pair bounds the join
    bound.lower = std::max(bound.lower, lower);
    bound.upper = std::min(bound.upper, upper);
  };
  // Equal time keys: a window join (window_end = window_end) or equal event times.
  for (size_t k = 0; k < join.left_keys.size() && k < join.right_keys.size(); ++k) {
    const auto& lk = join.left_keys[k];
    const auto& rk = join.right_keys[k];
    if (lk->kind == BoundExpr::Kind::kColumn && rk->kind == BoundExpr::Kind::kColumn &&
        lk->type.id() == TypeId::kTimestamp && rk->type.id() == TypeId::kTimestamp)
      constrain(lk->column, rk->column, 0, 0);
  }
  std::vector<const BoundExpr*> parts;
  conjuncts(join.residual, &parts);
  for (const BoundExpr* c : parts) {
    if (c->kind != BoundExpr::Kind::kCall || c->args.size() != 2) continue;
    std::string op = c->name;
    if (op != "<=" && op != "<" && op != ">=" && op != ">" && op != "=") continue;
    auto a = time_term(*c->args[0]);
    auto b = time_term(*c->args[1]);
    if (!a || !b) continue;
    bool a_left = a->column < nleft, b_left = b->column < nleft;
    if (a_left == b_left) continue;
    if (!a_left) {  // make it left OP right
      std::swap(a, b);
      if (op[0] == '<')
        op[0] = '>';
      else if (op[0] == '>')
        op[0] = '<';
    }
    // l + a OP r + b  <=>  r - l (OP flipped) a - b; < and > bound as <= and >=.
    int64_t d = a->offset - b->offset;
    int l = a->column, r = b->column - nleft;
    if (op[0] == '<')
      constrain(l, r, d, INT64_MAX);
    else if (op[0] == '>')
      constrain(l, r, INT64_MIN, d);
    else
      constrain(l, r, d, d);
  }
  if (bound.left < 0 || bound.lower == INT64_MIN || bound.upper == INT64_MAX) return std::nullopt;
  IntervalJoinBounds out;
  out.left_time = bound.left;
  out.right_time = bound.right;
  out.lower = bound.lower;
  out.upper = bound.upper;
  TimeColumnInfo li = *time_column_info(left, bound.left);
  TimeColumnInfo ri = *time_column_info(right, bound.right);
  out.left_slack = li.slack;
  out.left_spread = li.spread;
  out.right_slack = ri.slack;
  out.right_spread = ri.spread;
  return out;
}

}  // namespace velo::sql
