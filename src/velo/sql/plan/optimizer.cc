#include "velo/sql/plan/optimizer.h"

#include <algorithm>

#include "velo/types/error.h"

namespace velo::sql {

namespace {

void split_conjuncts(const BoundExprPtr& e, std::vector<BoundExprPtr>* out) {
  if (e->kind == BoundExpr::Kind::kAnd) {
    for (const auto& a : e->args) split_conjuncts(a, out);
  } else {
    out->push_back(e);
  }
}

BoundExprPtr conjunction(const std::vector<BoundExprPtr>& parts) {
  if (parts.empty()) return nullptr;
  if (parts.size() == 1) return parts[0];
  return BoundExpr::make(BoundExpr::Kind::kAnd, DataType::boolean(), parts);
}

std::vector<int> columns_of(const BoundExpr& e) {
  std::vector<int> cols;
  e.collect_columns(&cols);
  return cols;
}

// Replaces column i by exprs[i].
BoundExprPtr substitute(const BoundExprPtr& e, const std::vector<BoundExprPtr>& exprs) {
  if (e->kind == BoundExpr::Kind::kColumn) return exprs[e->column];
  if (e->args.empty()) return e;
  auto copy = std::make_shared<BoundExpr>(*e);
  for (auto& a : copy->args) a = substitute(a, exprs);
  return copy;
}

bool cheap(const BoundExpr& e) {
  return e.kind == BoundExpr::Kind::kColumn || e.kind == BoundExpr::Kind::kConstant;
}

PlanNodePtr make_filter(PlanNodePtr child, BoundExprPtr pred) {
  auto f = std::make_shared<PlanNode>();
  f->kind = PlanKind::kFilter;
  f->schema = child->schema;
  f->predicate = std::move(pred);
  f->children.push_back(std::move(child));
  return f;
}

// `col op constant` (either order) as a ScanPredicate on the scan's full schema.
bool to_scan_predicate(const BoundExpr& e, ScanPredicate* out) {
  using Op = ScanPredicate::Op;
  if (e.kind == BoundExpr::Kind::kIsNull || e.kind == BoundExpr::Kind::kIsNotNull) {
    if (e.args[0]->kind != BoundExpr::Kind::kColumn) return false;
    out->column = e.args[0]->column;
    out->op = e.kind == BoundExpr::Kind::kIsNull ? Op::kIsNull : Op::kIsNotNull;
    return true;
  }
  if (e.kind != BoundExpr::Kind::kCall) return false;
  if (e.name == "IN") {
    if (e.args[0]->kind != BoundExpr::Kind::kColumn) return false;
    for (size_t i = 1; i < e.args.size(); ++i) {
      if (!e.args[i]->is_constant() || e.args[i]->constant.is_null()) return false;
      out->values.push_back(e.args[i]->constant);
    }
    out->column = e.args[0]->column;
    out->op = Op::kIn;
    return true;
  }
  static const std::pair<const char*, Op> kOps[] = {{"=", Op::kEq}, {"<>", Op::kNe}, {"<", Op::kLt},
                                                    {"<=", Op::kLe}, {">", Op::kGt}, {">=", Op::kGe}};
  if (e.args.size() != 2) return false;
  for (const auto& [name, op] : kOps) {
    if (e.name != name) continue;
    const BoundExpr* col = e.args[0].get();
    const BoundExpr* lit = e.args[1].get();
    bool flipped = false;
    if (col->kind != BoundExpr::Kind::kColumn) {
      std::swap(col, lit);
      flipped = true;
    }
    if (col->kind != BoundExpr::Kind::kColumn || !lit->is_constant() || lit->constant.is_null()) return false;
    Op o = op;
    if (flipped) {
      if (o == Op::kLt) o = Op::kGt;
      else if (o == Op::kGt) o = Op::kLt;
      else if (o == Op::kLe) o = Op::kGe;
      else if (o == Op::kGe) o = Op::kLe;
    }
    out->column = col->column;
    out->op = o;
    out->values = {lit->constant};
    return true;
  }
  return false;
}

// Pushes `pred` (over node's output columns) as deep as it can go; returns the new subtree.
PlanNodePtr push_filter(PlanNodePtr node, BoundExprPtr pred);

PlanNodePtr push_filters(PlanNodePtr node) {
  for (auto& c : node->children) c = push_filters(c);
  if (node->kind == PlanKind::kFilter) return push_filter(node->children[0], node->predicate);
  return node;
}

PlanNodePtr push_filter(PlanNodePtr node, BoundExprPtr pred) {
  std::vector<BoundExprPtr> parts;
  split_conjuncts(pred, &parts);
  switch (node->kind) {
    case PlanKind::kFilter: {
      split_conjuncts(node->predicate, &parts);
      return push_filter(node->children[0], conjunction(parts));
    }
    case PlanKind::kProject: {
      std::vector<BoundExprPtr> down, stay;
      for (auto& p : parts) {
        bool ok = true;
        for (int c : columns_of(*p)) ok &= cheap(*node->exprs[c]);
        (ok ? down : stay).push_back(ok ? substitute(p, node->exprs) : p);
      }
      if (!down.empty()) node->children[0] = push_filter(node->children[0], conjunction(down));
      return stay.empty() ? node : make_filter(node, conjunction(stay));
    }
    case PlanKind::kJoin: {
      size_t nleft = node->children[0]->schema->size();
      bool can_left = node->join_kind == JoinKind::kInner || node->join_kind == JoinKind::kLeft ||
                      node->join_kind == JoinKind::kCross;
      bool can_right = node->join_kind == JoinKind::kInner || node->join_kind == JoinKind::kRight ||
                       node->join_kind == JoinKind::kCross;
      std::vector<BoundExprPtr> left, right, stay;
      std::vector<int> rmap(node->schema->size(), -1);
      for (size_t i = nleft; i < rmap.size(); ++i) rmap[i] = static_cast<int>(i - nleft);
      for (auto& p : parts) {
        auto cols = columns_of(*p);
        bool all_left = std::all_of(cols.begin(), cols.end(), [&](int c) { return static_cast<size_t>(c) < nleft; });
        bool all_right = std::all_of(cols.begin(), cols.end(), [&](int c) { return static_cast<size_t>(c) >= nleft; });
        if (!cols.empty() && all_left && can_left) left.push_back(p);
        else if (!cols.empty() && all_right && can_right) right.push_back(remap_columns(p, rmap));
        else stay.push_back(p);
      }
      if (!left.empty()) node->children[0] = push_filter(node->children[0], conjunction(left));
      if (!right.empty()) node->children[1] = push_filter(node->children[1], conjunction(right));
      if (node->join_kind == JoinKind::kInner || node->join_kind == JoinKind::kCross) {
        // `FROM a, b WHERE a.k = b.k AND ...`: equalities between the two sides become hash
        // keys and the other conditions over both sides the join's residual, so a comma join
        // is a hash join instead of a cross product.
        std::vector<BoundExprPtr> residual;
        for (auto& p : stay) {
          auto side_of = [&](const BoundExprPtr& e) {
            auto cols = columns_of(*e);
            if (cols.empty()) return 0;
            bool l = std::all_of(cols.begin(), cols.end(), [&](int c) { return static_cast<size_t>(c) < nleft; });
            bool r = std::all_of(cols.begin(), cols.end(), [&](int c) { return static_cast<size_t>(c) >= nleft; });
            return l ? 1 : (r ? 2 : 0);
          };
          bool equi = p->kind == BoundExpr::Kind::kCall && p->name == "=" && p->args.size() == 2 &&
                      p->args[0]->type == p->args[1]->type;
          int a = equi ? side_of(p->args[0]) : 0, b = equi ? side_of(p->args[1]) : 0;
          if (equi && a != 0 && b != 0 && a != b) {
            const BoundExprPtr& l = a == 1 ? p->args[0] : p->args[1];
            const BoundExprPtr& r = a == 1 ? p->args[1] : p->args[0];
            node->left_keys.push_back(l);
            node->right_keys.push_back(remap_columns(r, rmap));
            node->join_kind = JoinKind::kInner;
          } else {
            residual.push_back(p);
          }
        }
        stay.clear();
        if (!residual.empty()) {
          if (node->residual) residual.insert(residual.begin(), node->residual);
          node->residual = conjunction(residual);
          node->join_kind = JoinKind::kInner;
        }
      }
      return stay.empty() ? node : make_filter(node, conjunction(stay));
    }
    case PlanKind::kWindow: {
      // Window assignment is per row: conditions on the input columns go below it.
      size_t width = node->children[0]->schema->size();
      std::vector<BoundExprPtr> down, stay;
      for (auto& p : parts) {
        auto cols = columns_of(*p);
        bool input_only = std::all_of(cols.begin(), cols.end(), [&](int c) { return static_cast<size_t>(c) < width; });
        (input_only && !cols.empty() ? down : stay).push_back(p);
      }
      if (!down.empty()) node->children[0] = push_filter(node->children[0], conjunction(down));
      return stay.empty() ? node : make_filter(node, conjunction(stay));
    }
    case PlanKind::kWindowFunction: {
      // Only conditions on columns that partition every window expression may go below it
      // (they keep or drop whole partitions); anything on window results stays above.
      auto partitions_by = [&](int c) {
        for (const auto& w : node->window_exprs) {
          bool found = false;
          for (const auto& p : w.partition_by) found |= p->kind == BoundExpr::Kind::kColumn && p->column == c;
          if (!found) return false;
        }
        return true;
      };
      std::vector<BoundExprPtr> down, stay;
      for (auto& p : parts) {
        auto cols = columns_of(*p);
        bool ok = !cols.empty() && std::all_of(cols.begin(), cols.end(), partitions_by);
        (ok ? down : stay).push_back(p);
      }
      if (!down.empty()) node->children[0] = push_filter(node->children[0], conjunction(down));
      return stay.empty() ? node : make_filter(node, conjunction(stay));
    }
    case PlanKind::kScan: {
      for (const auto& p : parts) {
        ScanPredicate sp;
        if (to_scan_predicate(*p, &sp)) node->spec.predicates.push_back(std::move(sp));
      }
      return make_filter(node, conjunction(parts));
    }
    default:
      return make_filter(node, conjunction(parts));
  }
}

// Keeps only the columns the parent needs; returns old output index -> new index (-1 dropped).
std::vector<int> prune(const PlanNodePtr& node, const std::vector<bool>& required) {
  size_t n = node->schema->size();
  std::vector<int> identity(n);
  for (size_t i = 0; i < n; ++i) identity[i] = static_cast<int>(i);
  auto need = [](size_t size) { return std::vector<bool>(size, false); };
  auto mark = [](std::vector<bool>& req, const BoundExprPtr& e) {
    if (!e) return;
    for (int c : columns_of(*e)) req[c] = true;
  };
  switch (node->kind) {
    case PlanKind::kScan: {
      std::vector<int> mapping(n, -1);
      std::vector<int> projection;
      // Watermarks are computed from the event-time column even when no one selects it.
      int event_time = node->source ? node->scan_schema->find(node->source->event_time().column) : -1;
      for (size_t i = 0; i < n; ++i)
        if (required[i] || static_cast<int>(i) == event_time) {
          mapping[i] = static_cast<int>(projection.size());
          projection.push_back(static_cast<int>(i));
        }
      if (projection.empty() && n > 0) {
        // COUNT(*) needs rows but no values: read the first non-system column.
        size_t pick = 0;
        while (pick + 1 < n && is_system_column(node->scan_schema->field(pick).name)) ++pick;
        projection.push_back(static_cast<int>(pick));
        mapping[pick] = 0;
      }
      node->spec.projection = projection;
      std::vector<Field> fields;
      for (int i : projection) fields.push_back(node->scan_schema->field(i));
      node->schema = make_schema(fields);
      return mapping;
    }
    case PlanKind::kValues: return identity;
    case PlanKind::kFilter: {
      std::vector<bool> req = required;
      mark(req, node->predicate);
      auto m = prune(node->children[0], req);
      node->predicate = remap_columns(node->predicate, m);
      node->schema = node->children[0]->schema;
      return m;
    }
    case PlanKind::kProject: {
      std::vector<BoundExprPtr> kept;
      std::vector<Field> fields;
      std::vector<int> mapping(n, -1);
      for (size_t i = 0; i < n; ++i) {
        if (!required[i]) continue;
        mapping[i] = static_cast<int>(kept.size());
        kept.push_back(node->exprs[i]);
        fields.push_back(node->schema->field(i));
      }
      auto req = need(node->children[0]->schema->size());
      for (const auto& e : kept) mark(req, e);
      auto m = prune(node->children[0], req);
      for (auto& e : kept) e = remap_columns(e, m);
      node->exprs = kept;
      node->schema = make_schema(fields);
      return mapping;
    }
    case PlanKind::kWindow: {
      size_t width = node->children[0]->schema->size();
      std::vector<bool> req(required.begin(), required.begin() + width);
      if (node->window.time_column >= 0) req[node->window.time_column] = true;
      auto m = prune(node->children[0], req);
      if (node->window.time_column >= 0) node->window.time_column = m[node->window.time_column];
      size_t new_width = node->children[0]->schema->size();
      std::vector<Field> fields = node->children[0]->schema->fields();
      fields.push_back(node->schema->field(width));
      fields.push_back(node->schema->field(width + 1));
      node->schema = make_schema(fields);
      std::vector<int> mapping(n, -1);
      for (size_t i = 0; i < width; ++i) mapping[i] = m[i];
      mapping[width] = static_cast<int>(new_width);
      mapping[width + 1] = static_cast<int>(new_width + 1);
      return mapping;
    }
    case PlanKind::kWindowFunction: {
      // Window expressions nobody reads are dropped; the rest keep the columns they read.
      size_t width = node->children[0]->schema->size();
      std::vector<WindowExpr> kept;
      std::vector<bool> req(required.begin(), required.begin() + width);
      for (size_t k = 0; k < node->window_exprs.size(); ++k) {
        if (!required[width + k]) continue;
        const WindowExpr& w = node->window_exprs[k];
        for (const auto& e : w.args) mark(req, e);
        mark(req, w.filter);
        for (const auto& e : w.partition_by) mark(req, e);
        for (const auto& o : w.order_by) mark(req, o.expr);
        mark(req, w.frame.range_key);
        mark(req, w.frame.range_start);
        mark(req, w.frame.range_end);
        kept.push_back(w);
      }
      auto m = prune(node->children[0], req);
      auto remap = [&](BoundExprPtr& e) {
        if (e) e = remap_columns(e, m);
      };
      for (auto& w : kept) {
        for (auto& e : w.args) remap(e);
        remap(w.filter);
        for (auto& e : w.partition_by) remap(e);
        for (auto& o : w.order_by) remap(o.expr);
        remap(w.frame.range_key);
        remap(w.frame.range_start);
        remap(w.frame.range_end);
      }
      size_t new_width = node->children[0]->schema->size();
      std::vector<Field> fields = node->children[0]->schema->fields();
      std::vector<int> mapping(n, -1);
      for (size_t i = 0; i < width; ++i) mapping[i] = m[i];
      for (size_t k = 0, out = 0; k < node->window_exprs.size(); ++k) {
        if (!required[width + k]) continue;
        mapping[width + k] = static_cast<int>(new_width + out++);
        fields.push_back(node->schema->field(width + k));
      }
      node->window_exprs = std::move(kept);
      node->schema = make_schema(fields);
      return mapping;
    }
    case PlanKind::kAggregate: {
      auto req = need(node->children[0]->schema->size());
      if (node->session && node->window.time_column >= 0) req[node->window.time_column] = true;
      for (const auto& g : node->groups) mark(req, g);
      for (const auto& a : node->aggregates) {
        for (const auto& e : a.args) mark(req, e);
        mark(req, a.filter);
      }
      auto m = prune(node->children[0], req);
      if (node->session && node->window.time_column >= 0) node->window.time_column = m[node->window.time_column];
      for (auto& g : node->groups) g = remap_columns(g, m);
      for (auto& a : node->aggregates) {
        for (auto& e : a.args) e = remap_columns(e, m);
        if (a.filter) a.filter = remap_columns(a.filter, m);
      }
      return identity;
    }
    case PlanKind::kJoin: {
      size_t nleft = node->children[0]->schema->size();
      size_t nright = node->children[1]->schema->size();
      auto req_left = need(nleft), req_right = need(nright);
      for (size_t i = 0; i < n; ++i)
        if (required[i]) (i < nleft ? req_left[i] : req_right[i - nleft]) = true;
      for (const auto& k : node->left_keys) mark(req_left, k);
      for (const auto& k : node->right_keys) mark(req_right, k);
      if (node->residual)
        for (int c : columns_of(*node->residual)) (static_cast<size_t>(c) < nleft ? req_left[c] : req_right[c - nleft]) = true;
      auto ml = prune(node->children[0], req_left);
      auto mr = prune(node->children[1], req_right);
      size_t new_left = node->children[0]->schema->size();
      std::vector<int> mapping(n, -1);
      for (size_t i = 0; i < nleft; ++i) mapping[i] = ml[i];
      for (size_t i = 0; i < nright; ++i) mapping[nleft + i] = mr[i] < 0 ? -1 : static_cast<int>(new_left) + mr[i];
      for (auto& k : node->left_keys) k = remap_columns(k, ml);
      for (auto& k : node->right_keys) k = remap_columns(k, mr);
      if (node->residual) node->residual = remap_columns(node->residual, mapping);
      std::vector<Field> fields = node->children[0]->schema->fields();
      for (const auto& f : node->children[1]->schema->fields()) fields.push_back(f);
      node->schema = make_schema(fields);
      return mapping;
    }
    case PlanKind::kSort: {
      std::vector<bool> req = required;
      for (const auto& k : node->sort_keys) mark(req, k.expr);
      auto m = prune(node->children[0], req);
      for (auto& k : node->sort_keys) k.expr = remap_columns(k.expr, m);
      node->schema = node->children[0]->schema;
      return m;
    }
    case PlanKind::kLimit: {
      auto m = prune(node->children[0], required);
      node->schema = node->children[0]->schema;
      return m;
    }
    case PlanKind::kUnion: {
      for (auto& c : node->children) prune(c, std::vector<bool>(c->schema->size(), true));
      return identity;
    }
  }
  return identity;
}

void push_limits(const PlanNodePtr& node) {
  if (node->kind == PlanKind::kLimit && node->limit >= 0) {
    PlanNode* below = node->children[0].get();
    while (below->kind == PlanKind::kProject) below = below->children[0].get();
    if (below->kind == PlanKind::kScan) below->spec.limit = node->limit + node->offset;
  }
  for (const auto& c : node->children) push_limits(c);
}

}  // namespace

PlanNodePtr optimize(PlanNodePtr plan) {
  plan = push_filters(plan);
  prune(plan, std::vector<bool>(plan->schema->size(), true));
  push_limits(plan);
  return plan;
}

}  // namespace velo::sql
