#include "velo/sql/plan/physical_planner.h"

#include "velo/exec/operators/basic_operators.h"
#include "velo/exec/operators/hash_aggregate.h"
#include "velo/exec/operators/hash_join.h"
#include "velo/exec/operators/interval_join.h"
#include "velo/exec/operators/session_aggregate.h"
#include "velo/exec/operators/stream_aggregate.h"
#include "velo/exec/operators/stream_top_n.h"
#include "velo/exec/operators/window_assign.h"
#include "velo/exec/operators/window_function.h"
#include "velo/sql/plan/stream_join_bounds.h"
#include "velo/types/error.h"

namespace velo::sql {

PhysicalPlanner::PhysicalPlanner(int parallelism, StreamContext* context)
    : parallelism_(std::max(1, parallelism)), context_(context) {
  if (!context_) {
    own_context_ = std::make_unique<StreamContext>();
    context_ = own_context_.get();
  }
}

OperatorPtr PhysicalPlanner::build_table_side(const PlanNodePtr& node) {
  bool was = in_build_side_;
  in_build_side_ = true;
  OperatorPtr table = build(node);
  in_build_side_ = was;
  return table;
}

namespace {
/// The shortest `refresh_interval` of the sources below `node` (0 = none).
int64_t refresh_interval_of(const PlanNode& node) {
  int64_t every = 0;
  if (node.kind == PlanKind::kScan) every = node.source->refresh_interval();
  for (const auto& c : node.children) {
    int64_t e = refresh_interval_of(*c);
    if (e > 0 && (every == 0 || e < every)) every = e;
  }
  return every;
}
}  // namespace

void PhysicalPlanner::cannot_checkpoint(const std::string& why) {
  if (checkpoints() && !in_build_side_) checkpoints()->cannot_checkpoint(why);
}

bool is_unbounded(const PlanNode& node) {
  if (node.kind == PlanKind::kScan) return !node.source->capabilities().bounded;
  for (const auto& c : node.children)
    if (is_unbounded(*c)) return true;
  return false;
}

bool is_streaming(const PlanNode& node) {
  if (node.kind == PlanKind::kScan)
    return !node.source->capabilities().bounded || node.source->event_time().enabled();
  for (const auto& c : node.children)
    if (is_streaming(*c)) return true;
  return false;
}

WindowBound window_bound(const PlanNode& node, int column) {
  auto through_ref = [&](const BoundExprPtr& e, const PlanNode& child) {
    if (e && e->kind == BoundExpr::Kind::kColumn) return window_bound(child, e->column);
    return WindowBound{};
  };
  switch (node.kind) {
    case PlanKind::kWindow: {
      int width = static_cast<int>(node.children[0]->schema->size());
      bool proc = node.window.time_column < 0;
      if (column == width) return WindowBound{WindowBound::Role::kStart, node.window.size, proc};
      if (column == width + 1) return WindowBound{WindowBound::Role::kEnd, node.window.size, proc};
      return window_bound(*node.children[0], column);
    }
    case PlanKind::kFilter:
    case PlanKind::kSort:
    case PlanKind::kLimit:
      return window_bound(*node.children[0], column);
    case PlanKind::kProject:
      return through_ref(node.exprs[column], *node.children[0]);
    case PlanKind::kAggregate:
      if (static_cast<size_t>(column) < node.groups.size())
        return through_ref(node.groups[column], *node.children[0]);
      return {};
    case PlanKind::kJoin: {
      int nleft = static_cast<int>(node.children[0]->schema->size());
      return column < nleft ? window_bound(*node.children[0], column)
                            : window_bound(*node.children[1], column - nleft);
    }
    default:
      return {};
  }
}

bool PhysicalPlanner::is_pipeline_chain(const PlanNode& node) {
  if (node.kind == PlanKind::kScan) return true;
  if (node.kind == PlanKind::kFilter || node.kind == PlanKind::kProject)
    return is_pipeline_chain(*node.children[0]);
  return false;
}

std::vector<OperatorPtr> PhysicalPlanner::build_pipelines(const PlanNodePtr& node) {
  std::vector<OperatorPtr> out;
  switch (node->kind) {
    case PlanKind::kScan: {
      node->source->apply(node->spec);
      int source_index = -1;
      if (checkpoints() && !in_build_side_) {
        source_index = next_source_++;
        if (!node->source->can_checkpoint())
          cannot_checkpoint(fmt::format("resuming {} from a checkpoint", node->source->describe()));
        const auto& restored = checkpoints()->restored();
        if (restored && source_index < static_cast<int>(restored->source_positions.size()) &&
            node->source->can_checkpoint())
          node->source->restore(restored->source_positions[source_index]);
      }
      auto readers = node->source->open(parallelism_);
      const EventTimeSpec& time = node->source->event_time();
      int time_column = time.enabled() ? node->schema->find(time.column) : -1;
      if (time.enabled() && time_column < 0)
        throw_internal_error("event-time column '{}' was pruned", time.column);
      for (auto& r : readers) {
        auto scan = std::make_unique<ScanOperator>(node->schema, std::move(r));
        if (time_column >= 0) scan->track_event_time(time_column, time, context_->clock.get());
        if (source_index >= 0)
          scan->enable_checkpoints(checkpoints(), checkpoints()->add_reader(source_index));
        out.push_back(std::move(scan));
      }
      return out;
    }
    case PlanKind::kFilter:
      for (auto& child : build_pipelines(node->children[0]))
        out.push_back(std::make_unique<FilterOperator>(std::move(child), node->predicate));
      return out;
    case PlanKind::kProject:
      for (auto& child : build_pipelines(node->children[0]))
        out.push_back(
            std::make_unique<ProjectOperator>(std::move(child), node->exprs, node->schema));
      return out;
    default:
      throw_internal_error("not a pipeline chain");
  }
}

OperatorPtr PhysicalPlanner::build(const PlanNodePtr& node) {
  switch (node->kind) {
    case PlanKind::kScan:
    case PlanKind::kFilter:
    case PlanKind::kProject: {
      if (node->kind == PlanKind::kFilter && node->children[0]->kind == PlanKind::kWindowFunction)
        if (OperatorPtr top_n = build_stream_top_n(node)) return top_n;
      if (is_pipeline_chain(*node)) {
        auto pipelines = build_pipelines(node);
        if (pipelines.size() == 1) return std::move(pipelines[0]);
        return std::make_unique<GatherOperator>(node->schema, std::move(pipelines));
      }
      OperatorPtr child = build(node->children[0]);
      if (node->kind == PlanKind::kFilter)
        return std::make_unique<FilterOperator>(std::move(child), node->predicate);
      return std::make_unique<ProjectOperator>(std::move(child), node->exprs, node->schema);
    }
    case PlanKind::kValues: {
      Batch one;
      one.schema = node->schema;
      one.num_rows = 1;
      return std::make_unique<ValuesOperator>(node->schema, std::vector<Batch>{one});
    }
    case PlanKind::kAggregate:
      return build_aggregate(node);
    case PlanKind::kWindow: {
      if (node->window.kind == WindowDef::Kind::kSession)
        throw_not_supported("a SESSION window outside GROUP BY");
      return std::make_unique<WindowAssignOperator>(build(node->children[0]), node->window,
                                                    node->schema, context_->clock);
    }
    case PlanKind::kJoin: {
      // Two streams: an interval/window join that keeps only what can still match. Over
      // bounded inputs with event time it gives the same rows in bounded memory.
      bool both_unbounded = is_unbounded(*node->children[0]) && is_unbounded(*node->children[1]);
      bool both_timed = is_streaming(*node->children[0]) && is_streaming(*node->children[1]);
      if (both_unbounded || (both_timed && node->join_kind != JoinKind::kCross &&
                             stream_join_bounds(*node).has_value()))
        return build_stream_join(node);
      OperatorPtr probe = build(node->children[0]);
      OperatorPtr table = build_table_side(node->children[1]);
      if ((node->join_kind == JoinKind::kRight || node->join_kind == JoinKind::kFull) &&
          is_unbounded(*node->children[0]))
        cannot_checkpoint("RIGHT/FULL JOIN of a stream (its unmatched table rows are state)");
      auto join = std::make_unique<HashJoinOperator>(
          std::move(probe), std::move(table), node->join_kind, node->left_keys, node->right_keys,
          node->residual, node->schema);
      if (int64_t every = refresh_interval_of(*node->children[1]); every > 0) {
        if (node->join_kind == JoinKind::kRight || node->join_kind == JoinKind::kFull)
          throw_not_supported("refresh_interval on the table of a RIGHT or FULL JOIN");
        int parallelism = parallelism_;
        StreamContext* context = context_;
        PlanNodePtr table_plan = node->children[1];
        join->refresh_every(every, context_->clock.get(), [=] {
          PhysicalPlanner planner(parallelism, context);
          return planner.build_table_side(table_plan);
        });
      }
      return join;
    }
    case PlanKind::kSort:
      if (is_unbounded(*node->children[0]))
        throw_not_supported(
            "ORDER BY over an unbounded stream (it never ends: bound the source, e.g. events = N or "
            "until = 'latest')");
      cannot_checkpoint("ORDER BY (a sort keeps its whole input)");
      return std::make_unique<SortOperator>(build(node->children[0]), node->sort_keys, node->limit);
    case PlanKind::kLimit: {
      auto limit =
          std::make_unique<LimitOperator>(build(node->children[0]), node->limit, node->offset);
      if (checkpoints() && !in_build_side_)
        limit->enable_checkpoints(checkpoints(), checkpoints()->state_key("limit"));
      return limit;
    }
    case PlanKind::kWindowFunction:
      if (is_unbounded(*node->children[0]))
        throw_not_supported(
            "OVER (...) on an unbounded stream, except a Top-N or dedup: ROW_NUMBER() OVER "
            "(PARTITION BY ... ORDER BY ...) AS rn with WHERE rn <= N");
      cannot_checkpoint("OVER window functions (they keep their whole input)");
      return std::make_unique<WindowFunctionOperator>(build(node->children[0]), node->window_exprs,
                                                      node->schema);
    case PlanKind::kUnion: {
      std::vector<OperatorPtr> children;
      for (const auto& c : node->children) children.push_back(build(c));
      return std::make_unique<UnionOperator>(std::move(children), node->schema);
    }
  }
  throw_internal_error("unknown plan node");
}

namespace {

void split_conjuncts(const BoundExprPtr& e, std::vector<BoundExprPtr>* out) {
  if (e->kind == BoundExpr::Kind::kAnd) {
    for (const auto& a : e->args) split_conjuncts(a, out);
    return;
  }
  out->push_back(e);
}

/// N when `e` is `rn <= N`, `rn < N + 1`, `rn = 1` (or mirrored) on column `rn`; 0 otherwise.
int64_t top_n_limit(const BoundExpr& e, int rn) {
  if (e.kind != BoundExpr::Kind::kCall || e.args.size() != 2) return 0;
  std::string op = e.name;
  const BoundExpr* col = e.args[0].get();
  const BoundExpr* lit = e.args[1].get();
  if (lit->kind == BoundExpr::Kind::kColumn) {
    std::swap(col, lit);
    if (op == ">=")
      op = "<=";
    else if (op == ">")
      op = "<";
    else if (op != "=")
      return 0;
  }
  if (col->kind != BoundExpr::Kind::kColumn || col->column != rn || !lit->is_constant() ||
      lit->constant.is_null())
    return 0;
  Value v = lit->constant;
  if (v.type().id() != TypeId::kInt64 && v.type().id() != TypeId::kInt32) return 0;
  int64_t n = v.as_int();
  if (op == "<=") return n > 0 ? n : 0;
  if (op == "<") return n > 1 ? n - 1 : 0;
  if (op == "=") return n == 1 ? 1 : 0;
  return 0;
}

}  // namespace

OperatorPtr PhysicalPlanner::build_stream_top_n(const PlanNodePtr& filter) {
  const PlanNodePtr& wf = filter->children[0];
  if (wf->window_exprs.size() != 1 || wf->window_exprs[0].kind != WindowFunctionKind::kRowNumber)
    return nullptr;
  const WindowExpr& rn_expr = wf->window_exprs[0];
  const PlanNodePtr& input = wf->children[0];
  int rn = static_cast<int>(input->schema->size());
  std::vector<BoundExprPtr> parts, rest;
  split_conjuncts(filter->predicate, &parts);
  int64_t limit = 0;
  for (const auto& p : parts) {
    int64_t n = limit == 0 ? top_n_limit(*p, rn) : 0;
    if (n > 0)
      limit = n;
    else
      rest.push_back(p);
  }
  if (limit == 0) return nullptr;
  StreamTopNOptions options;
  options.limit = static_cast<size_t>(limit);
  for (size_t k = 0; k < rn_expr.partition_by.size() && options.window_end_key < 0; ++k) {
    const auto& p = rn_expr.partition_by[k];
    if (p->kind != BoundExpr::Kind::kColumn) continue;
    WindowBound b = window_bound(*input, p->column);
    if (b.role == WindowBound::Role::kNone || b.processing_time) continue;
    options.window_end_key = static_cast<int>(k);
    options.window_end_offset = b.role == WindowBound::Role::kStart ? b.size : 0;
  }
  // Bounded input: the final rows, per window as windows close (with event time) or all at the
  // end; either way only N rows per partition are kept instead of the whole input.
  if (!is_unbounded(*input) && !(options.window_end_key >= 0 && is_streaming(*input))) {
    options.window_end_key = -1;
    options.final_at_end = true;
  }
  auto top_n = std::make_unique<StreamTopNOperator>(
      build(input), rn_expr.partition_by, rn_expr.order_by, options, wf->schema, context_);
  if (checkpoints() && !in_build_side_) top_n->enable_checkpoints(checkpoints()->state_key("topn"));
  if (rest.empty()) return top_n;
  BoundExprPtr residual = rest[0];
  for (size_t i = 1; i < rest.size(); ++i)
    residual = BoundExpr::make(BoundExpr::Kind::kAnd, DataType::boolean(), {residual, rest[i]});
  return std::make_unique<FilterOperator>(std::move(top_n), residual);
}

OperatorPtr PhysicalPlanner::build_stream_join(const PlanNodePtr& node) {
  if (node->join_kind == JoinKind::kCross)
    throw_not_supported("a CROSS JOIN of two unbounded streams (its state would grow forever)");
  std::optional<IntervalJoinBounds> bounds = stream_join_bounds(*node);
  if (!bounds)
    throw_not_supported(
        "a join of two unbounded streams without a time bound in ON: bound the event times, e.g. "
        "b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' HOUR, or join equal windows (a.window_end = "
        "b.window_end); without one its state would grow forever");
  auto join = std::make_unique<IntervalJoinOperator>(
      build(node->children[0]), build(node->children[1]), node->join_kind, node->left_keys,
      node->right_keys, node->residual, *bounds, node->schema, context_);
  if (checkpoints() && !in_build_side_) join->enable_checkpoints(checkpoints()->state_key("join"));
  return join;
}

OperatorPtr PhysicalPlanner::build_aggregate(const PlanNodePtr& node) {
  const PlanNodePtr& child = node->children[0];
  if (child->kind == PlanKind::kWindow && child->window.kind == WindowDef::Kind::kSession) {
    auto session = std::make_unique<SessionAggregateOperator>(
        build(child->children[0]), child->window, node->groups, node->aggregates, node->schema,
        child->schema, context_);
    session->set_emit_changes(node->emit_changes);
    if (checkpoints() && !in_build_side_)
      session->enable_checkpoints(checkpoints()->state_key("session"));
    return session;
  }
  bool streaming = is_streaming(*child) || node->emit_changes || node->emit_final;
  if (!streaming) {
    std::vector<OperatorPtr> inputs;
    if (is_pipeline_chain(*child))
      inputs = build_pipelines(child);
    else
      inputs.push_back(build(child));
    cannot_checkpoint("GROUP BY over bounded input (it keeps all groups until the end)");
    return std::make_unique<HashAggregateOperator>(std::move(inputs), node->groups,
                                                   node->aggregates, node->schema);
  }
  StreamAggregateOptions options;
  for (size_t g = 0; g < node->groups.size() && options.window_end_key < 0; ++g) {
    if (node->groups[g]->kind != BoundExpr::Kind::kColumn) continue;
    WindowBound b = window_bound(*child, node->groups[g]->column);
    if (b.role == WindowBound::Role::kEnd) {
      options.window_end_key = static_cast<int>(g);
      options.processing_time = b.processing_time;
    }
  }
  for (size_t g = 0; g < node->groups.size() && options.window_end_key < 0; ++g) {
    if (node->groups[g]->kind != BoundExpr::Kind::kColumn) continue;
    WindowBound b = window_bound(*child, node->groups[g]->column);
    if (b.role == WindowBound::Role::kStart) {
      options.window_end_key = static_cast<int>(g);
      options.window_end_offset = b.size;
      options.processing_time = b.processing_time;
    }
  }
  bool windowed = options.window_end_key >= 0;
  // An unwindowed GROUP BY over an endless stream never ends: it emits its changelog.
  options.emit_changes =
      node->emit_changes || (!windowed && !node->emit_final && is_unbounded(*child));
  // Late-data policy of the stream's source (the first with event time).
  std::function<const Source*(const PlanNode&)> timed_source =
      [&](const PlanNode& n) -> const Source* {
    if (n.kind == PlanKind::kScan)
      return n.source->event_time().enabled() ? n.source.get() : nullptr;
    for (const auto& c : n.children)
      if (const Source* s = timed_source(*c)) return s;
    return nullptr;
  };
  if (const Source* s = timed_source(*child)) {
    options.late = s->event_time().late;
    options.retention = s->event_time().allowed_lateness;
  }
  if (options.retention < 0) {
    // Default: a fired window stays updatable for one more window length.
    WindowBound b = windowed ? window_bound(*child, node->groups[options.window_end_key]->column)
                             : WindowBound{};
    options.retention = b.size;
  }
  if (options.late != LatePolicy::kUpdate) options.retention = 0;
  OperatorPtr input;
  if (is_pipeline_chain(*child)) {
    auto pipelines = build_pipelines(child);
    input = pipelines.size() == 1
                ? std::move(pipelines[0])
                : std::make_unique<GatherOperator>(child->schema, std::move(pipelines));
  } else {
    input = build(child);
  }
  auto aggregate = std::make_unique<StreamAggregateOperator>(
      std::move(input), node->groups, node->aggregates, node->schema, options, context_);
  if (checkpoints() && !in_build_side_) {
    std::string blocker = GroupTable::checkpoint_blocker(node->aggregates);
    if (blocker.empty())
      aggregate->enable_checkpoints(checkpoints()->state_key("aggregate"));
    else
      cannot_checkpoint(blocker);
  }
  return aggregate;
}

}  // namespace velo::sql
