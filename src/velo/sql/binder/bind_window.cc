// Time windows in SQL (ARCHITECTURE.md §4, §6): the table-valued TUMBLE/HOP (Flink and
// RisingWave forms), Velostream's `GROUP BY k WINDOW TUMBLING(...)` and the Flink group-window
// form `GROUP BY k, TUMBLE(ts, INTERVAL ...)`. All of them bind to one kWindow node that appends
// `window_start` and `window_end`; the GROUP BY above groups by them.

#include <fmt/format.h>

#include "velo/exec/evaluator.h"
#include "velo/sql/binder/binder.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo::sql {

namespace {
std::string upper_name(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Event-time columns of the scans below `node` (a window without a time column uses them).
void event_time_columns(const PlanNode& node, std::vector<std::string>* out) {
  if (node.kind == PlanKind::kScan && node.source && node.source->event_time().enabled())
    out->push_back(node.source->event_time().column);
  for (const auto& c : node.children) event_time_columns(*c, out);
}
}  // namespace

bool is_window_function_name(const std::string& name) {
  std::string n = upper_name(name);
  return n == "TUMBLE" || n == "HOP" || n == "SESSION" || n == "TUMBLING" || n == "HOPPING" ||
         n == "SLIDING";
}

int64_t Binder::duration_arg(const Expr& e, const Scope& scope, const char* what) {
  BoundExprPtr b = bind_expr(e, scope, nullptr, what);
  if (b->kind != BoundExpr::Kind::kConstant)
    fail(e.pos, fmt::format("{} must be a constant INTERVAL", what));
  const Value& v = b->constant;
  if (v.is_null() || v.type().id() != TypeId::kInterval)
    fail(e.pos, fmt::format("{} must be an INTERVAL such as INTERVAL '10' SECOND or 10s, got {}",
                            what, v.type().to_string()));
  Interval iv = v.as_interval();
  if (iv.months != 0)
    fail(e.pos, fmt::format("{} must not use months or years (they have no fixed length)", what));
  int64_t us = iv.days * temporal::kMicrosPerDay + iv.micros;
  if (us <= 0) fail(e.pos, fmt::format("{} must be positive", what));
  return us;
}

int Binder::time_column_arg(const Expr& e, const Scope& scope) {
  if (e.kind == ExprKind::kFunction && upper_name(e.name) == "PROCTIME" && e.args.empty())
    return -1;
  if (e.kind != ExprKind::kColumnRef)
    fail(e.pos, "the window's time must be a column (or DESCRIPTOR(column), or PROCTIME())");
  Expr ref;
  ref.kind = ExprKind::kColumnRef;
  ref.names = e.names;
  ref.pos = e.pos;
  int c = resolve_column(ref, scope, true);
  TypeId t = scope.columns[c].type.id();
  if (t != TypeId::kTimestamp)
    fail(e.pos, fmt::format("the window's time column '{}' must be a TIMESTAMP, not {}",
                            scope.columns[c].name, scope.columns[c].type.to_string()));
  return c;
}

Binder::Bound Binder::add_window(Bound input, const std::string& written_kind,
                                 const std::vector<const Expr*>& args, const SourcePos& pos,
                                 bool table_function) {
  std::string kind = upper_name(written_kind);
  WindowDef w;
  size_t a = 0;
  // The time attribute: an explicit column, else the source's event time, else processing time.
  bool explicit_time =
      !args.empty() &&
      (args[0]->kind == ExprKind::kColumnRef ||
       (args[0]->kind == ExprKind::kFunction && upper_name(args[0]->name) == "PROCTIME"));
  if (explicit_time) {
    w.time_column = time_column_arg(*args[0], input.scope);
    a = 1;
  } else {
    if (table_function)
      fail(pos,
           fmt::format("{}() needs the time column: {}(TABLE t, DESCRIPTOR(ts), ...)", kind, kind));
    std::vector<std::string> names;
    event_time_columns(*input.plan, &names);
    if (names.empty())
      fail(pos, fmt::format("WINDOW {} needs a time column: write {}(ts, ...) or give the source "
                            "event_time = 'ts' "
                            "(PROCTIME() for processing time)",
                            kind, kind));
    Expr ref;
    ref.kind = ExprKind::kColumnRef;
    ref.names = {names[0]};
    ref.pos = pos;
    w.time_column = time_column_arg(ref, input.scope);
  }
  auto need = [&](size_t n, const char* form) {
    if (args.size() - a < n) fail(pos, fmt::format("{} expects {}", kind, form));
  };
  if (kind == "TUMBLE" || kind == "TUMBLING") {
    need(1, "(time, size [, offset])");
    w.kind = WindowDef::Kind::kTumble;
    w.size = duration_arg(*args[a], input.scope, "the window size");
    w.slide = w.size;
    if (args.size() > a + 1)
      w.offset = duration_arg(*args[a + 1], input.scope, "the window offset");
    if (args.size() > a + 2) fail(args[a + 2]->pos, "TUMBLE takes (time, size [, offset])");
    if (w.offset >= w.size)
      fail(args[a + 1]->pos, "a window's offset must be smaller than its size");
  } else if (kind == "HOP" || kind == "HOPPING" || kind == "SLIDING") {
    w.kind = WindowDef::Kind::kHop;
    // Flink/RisingWave HOP(t, ts, slide, size); Velostream HOPPING(ts, size, advance).
    need(2, table_function || kind == "HOP" ? "(time, slide, size)" : "(time, size, advance)");
    bool slide_first = kind == "HOP";
    int64_t first =
        duration_arg(*args[a], input.scope, slide_first ? "the window slide" : "the window size");
    int64_t second = duration_arg(*args[a + 1], input.scope,
                                  slide_first ? "the window size" : "the window advance");
    w.slide = slide_first ? first : second;
    w.size = slide_first ? second : first;
    if (args.size() > a + 2)
      w.offset = duration_arg(*args[a + 2], input.scope, "the window offset");
    if (w.slide > w.size) fail(pos, "a hopping window's slide must not exceed its size");
  } else if (kind == "SESSION") {
    if (table_function)
      fail(pos,
           "not supported yet: SESSION as a table function; write GROUP BY k WINDOW SESSION(ts, "
           "gap)");
    need(1, "(time, gap [, max_length])");
    w.kind = WindowDef::Kind::kSession;
    w.gap = duration_arg(*args[a], input.scope, "the session gap");
    if (args.size() > a + 1)
      w.max_length = duration_arg(*args[a + 1], input.scope, "the session max length");
    if (w.max_length > 0 && w.max_length < w.gap)
      fail(args[a + 1]->pos, "a session's max length must not be shorter than its gap");
  } else {
    fail(pos,
         fmt::format("unknown window kind {} (known: TUMBLING, HOPPING, SLIDING, SESSION)", kind));
  }
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kWindow;
  node->window = w;
  std::vector<Field> fields = input.plan->schema->fields();
  fields.push_back(Field{"window_start", DataType::timestamp(), true});
  fields.push_back(Field{"window_end", DataType::timestamp(), true});
  node->schema = make_schema(fields);
  node->children.push_back(input.plan);
  Bound out;
  out.plan = node;
  out.scope = input.scope;
  out.scope.columns.push_back(ScopeColumn{"", "window_start", DataType::timestamp()});
  out.scope.columns.push_back(ScopeColumn{"", "window_end", DataType::timestamp()});
  return out;
}

Binder::Bound Binder::bind_window_table_function(const TableRef& ref) {
  std::string kind = upper_name(ref.target);
  if (!is_window_function_name(kind))
    fail(ref.pos, fmt::format("unknown table function {}() (known: TUMBLE, HOP)", ref.target));
  if (ref.table_args.size() != 1)
    fail(ref.pos,
         fmt::format("{}() needs the input table first: {}(TABLE bids, DESCRIPTOR(ts), ...)", kind,
                     kind));
  if (!ref.options.empty()) inherited_options_ = &ref.options;
  Bound input = bind_table_ref(*ref.table_args[0]);
  inherited_options_ = nullptr;
  std::vector<const Expr*> args;
  for (const auto& e : ref.args) args.push_back(e.get());
  Bound out = add_window(std::move(input), kind, args, ref.pos, true);
  if (!ref.alias.empty())
    for (auto& c : out.scope.columns) c.table = ref.alias;
  return out;
}

BoundExprPtr Binder::bind_window_property(const Expr& e, const Scope& scope, AggregateContext* agg,
                                          const char* clause) {
  std::string name = upper_name(e.name);
  static const char* kStart[] = {"TUMBLE_START", "HOP_START", "SESSION_START", "WINDOW_START"};
  static const char* kEnd[] = {"TUMBLE_END", "HOP_END", "SESSION_END", "WINDOW_END"};
  const char* column = nullptr;
  for (const char* s : kStart)
    if (name == s) column = "window_start";
  for (const char* s : kEnd)
    if (name == s) column = "window_end";
  if (!column) return nullptr;
  Expr ref;
  ref.kind = ExprKind::kColumnRef;
  ref.names = {column};
  ref.pos = e.pos;
  if (resolve_column(ref, scope, false) < 0)
    fail(e.pos, fmt::format(
                    "{}() needs a windowed GROUP BY (WINDOW TUMBLING(...) or GROUP BY TUMBLE(...))",
                    name));
  return bind_expr(ref, scope, agg, clause);
}

}  // namespace velo::sql
