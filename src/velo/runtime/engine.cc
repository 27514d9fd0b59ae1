#include "velo/runtime/engine.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "velo/connectors/registry.h"
#include "velo/formats/format.h"
#include "velo/runtime/connector_catalog.h"
#include "velo/runtime/progress.h"
#include "velo/sql/binder/binder.h"
#include "velo/sql/parser/parser.h"
#include "velo/sql/plan/optimizer.h"
#include "velo/sql/plan/physical_planner.h"
#include "velo/types/error.h"

namespace velo {

void initialize_velostream() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_builtin_formats();
    register_builtin_connectors();
  });
}

Engine::Engine(EngineOptions options) : options_(std::move(options)) {
  initialize_velostream();
  if (options_.parallelism <= 0) options_.parallelism = std::max(1u, std::thread::hardware_concurrency());
  catalog_ = std::make_unique<ConnectorCatalog>(options_.default_kafka);
}

Engine::~Engine() = default;

void Engine::run_script(std::string_view sql,
                        const std::function<void(const sql::Statement&, const StatementResult&)>& on_result) {
  auto statements = sql::parse_script(sql);
  for (const auto& s : statements) on_result(*s, execute(*s));
}

namespace {
void collect_sources(const sql::PlanNodePtr& node, std::vector<std::shared_ptr<Source>>* out) {
  if (node->kind == sql::PlanKind::kScan) out->push_back(node->source);
  for (const auto& c : node->children) collect_sources(c, out);
}

sql::PlanNodePtr plan_query(sql::Catalog& catalog, const sql::Statement& s) {
  if (!s.query) throw_user_error("statement has no query");
  sql::Binder binder(catalog, s.text);
  return sql::optimize(binder.bind_query(*s.query));
}
}  // namespace

std::string Engine::explain(const sql::Statement& s) {
  const sql::Statement& inner = s.kind == sql::StatementKind::kExplain ? *s.explained : s;
  sql::PlanNodePtr plan = plan_query(*catalog_, inner);
  std::string text = plan->to_string();
  for (const auto& t : inner.into) text = "Sink " + t.target + "\n" + text;
  return text;
}

StatementResult Engine::execute(const sql::Statement& s) {
  switch (s.kind) {
    case sql::StatementKind::kQuery: return run_query(s);
    case sql::StatementKind::kExplain: {
      StatementResult r;
      r.explain = explain(s);
      return r;
    }
    case sql::StatementKind::kSet: {
      if (iequals(s.name, "parallelism") || iequals(s.name, "threads")) {
        options_.parallelism = std::max(1, std::atoi(s.set_value.c_str()));
        return {};
      }
      throw_user_error("unknown setting '{}' (known: parallelism)", s.name);
    }
    case sql::StatementKind::kCreateStream:
    case sql::StatementKind::kCreateTable:
    case sql::StatementKind::kCreateSource:
    case sql::StatementKind::kCreateSink:
      throw_not_supported("CREATE STREAM/TABLE/SOURCE/SINK statements (use SELECT ... INTO 'uri')");
    case sql::StatementKind::kShow:
    case sql::StatementKind::kDescribe:
      throw_not_supported("SHOW / DESCRIBE (use `velo schema URI`)");
  }
  throw_internal_error("unknown statement kind");
}

StatementResult Engine::run_query(const sql::Statement& s) {
  auto start = std::chrono::steady_clock::now();
  sql::PlanNodePtr plan = plan_query(*catalog_, s);
  if (s.into.empty() && !s.options.empty())
    throw Error(ErrorKind::kUser,
                "WITH (...) after a query without INTO: put source options right after the FROM table",
                ErrorLocation{"", s.options_pos.line, s.options_pos.column, s.options_pos.offset});
  std::vector<std::unique_ptr<Sink>> sinks;
  for (const auto& t : s.into) {
    try {
      sinks.push_back(catalog_->open_sink(t, s.options));
    } catch (const Error& e) {
      if (e.location().line > 0) throw;
      throw Error(e.kind(), e.message(), ErrorLocation{"", t.pos.line, t.pos.column, t.pos.offset}, e.retryable());
    }
  }
  std::vector<std::shared_ptr<Source>> sources;
  collect_sources(plan, &sources);

  StatementResult result;
  result.schema = plan->schema;
  std::atomic<int64_t> rows_out{0};
  try {
    for (auto& sink : sinks) sink->open(plan->schema);
    sql::PhysicalPlanner planner(options_.parallelism);
    OperatorPtr root = planner.build(plan);
    std::unique_ptr<ProgressReporter> progress;
    if (options_.progress && isatty(STDERR_FILENO)) progress = std::make_unique<ProgressReporter>(sources, &rows_out);
    Batch b;
    while (root->next(&b)) {
      rows_out += static_cast<int64_t>(b.num_rows);
      if (sinks.empty()) {
        result.batches.push_back(std::move(b));
      } else {
        for (auto& sink : sinks) sink->write(b);
      }
      b = Batch();
    }
    progress.reset();
    // Two-phase publish: everything durable first, then everything visible.
    std::vector<std::string> handles;
    for (auto& sink : sinks) handles.push_back(sink->prepare());
    for (size_t i = 0; i < sinks.size(); ++i) sinks[i]->commit(handles[i]);
    for (auto& src : sources) src->acknowledge();
  } catch (...) {
    for (auto& sink : sinks) sink->abort();
    throw;
  }
  for (auto& sink : sinks) {
    result.rows_written = std::max(result.rows_written, sink->rows_written());
    result.sinks.push_back(sink->describe());
  }
  for (const auto& src : sources) result.rows_rejected += src->rows_rejected();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace velo
