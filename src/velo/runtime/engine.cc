#include "velo/runtime/engine.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "velo/connectors/registry.h"
#include "velo/exec/function/function.h"
#include "velo/formats/format.h"
#include "velo/runtime/config.h"
#include "velo/runtime/connector_catalog.h"
#include "velo/runtime/job.h"
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
  std::string config_path = options_.config_path;
  if (config_path.empty())
    if (const char* env = std::getenv("VELO_CONFIG")) config_path = env;
  Config config = config_path.empty() ? Config{} : Config::load_file(config_path);
  // The command line wins over the config file.
  if (!options_.default_kafka.empty()) config.default_kafka = options_.default_kafka;
  options_.default_kafka = config.default_kafka;
  catalog_ = std::make_unique<ConnectorCatalog>(std::move(config));
}

Engine::~Engine() = default;

bool Engine::step_jobs() {
  bool running = false;
  for (auto& j : jobs_)
    if (!j->finished()) running |= j->step();
  return running;
}

void Engine::kill_jobs() { jobs_.clear(); }

sql::Catalog& Engine::catalog() { return *catalog_; }

void Engine::run_script(std::string_view sql,
                        const std::function<void(const sql::Statement&, const StatementResult&)>& on_result) {
  auto statements = sql::parse_script(sql);
  for (const auto& s : statements) on_result(*s, execute(*s));
}

namespace {
/// What a checkpoint belongs to: a hash (FNV-1a, stable across builds) of the statement's text
/// with runs of whitespace collapsed. Not the text itself: it may hold credentials.
std::string query_fingerprint(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  bool space = false, any = false;
  auto mix = [&](char c) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  };
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = any;
      continue;
    }
    if (space) mix(' ');
    space = false;
    any = true;
    mix(c);
  }
  return fmt::format("query-{:016x}", h);
}

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
  // Hand each source what it was asked to do, so its line shows what that buys (files pruned
  // by partition, row groups skipped, ...). Nothing is opened.
  std::set<const Source*> applied;
  std::function<void(const sql::PlanNode&)> apply = [&](const sql::PlanNode& n) {
    if (n.kind == sql::PlanKind::kScan && applied.insert(n.source.get()).second)
      n.source->apply(n.spec);
    for (const auto& c : n.children) apply(*c);
  };
  apply(*plan);
  std::string text = plan->to_string();
  for (const auto& t : inner.into) text = "Sink " + t.target + "\n" + text;
  if (!text.empty() && text.back() != '\n') text += '\n';
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
    case sql::StatementKind::kCreateSink:
      return s.query ? run_create_as(s) : declare(s);
    case sql::StatementKind::kCreateSource: return declare(s);
    case sql::StatementKind::kCreateView: throw_not_supported("CREATE VIEW (use a CTE: WITH name AS (SELECT ...))");
    case sql::StatementKind::kShow: return show(s);
    case sql::StatementKind::kDescribe: return describe(s);
  }
  throw_internal_error("unknown statement kind");
}

StatementResult Engine::run_query(const sql::Statement& s) {
  if (s.into.empty() && !s.options.empty())
    throw Error(ErrorKind::kUser,
                "WITH (...) after a query without INTO: put source options right after the FROM table",
                ErrorLocation{"", s.options_pos.line, s.options_pos.column, s.options_pos.offset});
  return run_plan(s, [&] {
    // One WITH list serves every INTO target: an option is unknown only if no sink reads it.
    Options shared = s.options.deferred_copy();
    std::vector<std::unique_ptr<Sink>> sinks;
    for (const auto& t : s.into) {
      try {
        sinks.push_back(catalog_->open_sink(t, shared));
      } catch (const Error& e) {
        if (e.location().line > 0) throw;
        throw Error(e.kind(), e.message(), ErrorLocation{"", t.pos.line, t.pos.column, t.pos.offset},
                    e.retryable());
      }
    }
    if (!s.into.empty()) {
      try {
        s.options.check_all_used(s.into.size() > 1 ? "the sinks of INTO" : "the sink");
      } catch (const Error& e) {
        throw Error(e.kind(), e.message(), ErrorLocation{"", s.options_pos.line, s.options_pos.column, s.options_pos.offset});
      }
    }
    return sinks;
  });
}

namespace {
// Velostream's property form: `'<name>.<key>' = value` describes the connector `name` when a
// `'<name>.type'` is among them; keys without such a prefix are options of the statement's sink.
struct PropertyGroups {
  std::map<std::string, Options> named;  // lower-case name -> its properties (prefix removed)
  Options rest;
};

PropertyGroups group_properties(const Options& props) {
  PropertyGroups g;
  std::set<std::string> names;
  for (const auto& [k, v] : props.all()) {
    size_t dot = k.find('.');
    if (dot != std::string::npos && (k.substr(dot + 1) == "type" || k.substr(dot + 1) == "config_file"))
      names.insert(k.substr(0, dot));
  }
  for (const auto& [k, v] : props.all()) {
    size_t dot = k.find('.');
    if (dot != std::string::npos && names.count(k.substr(0, dot))) g.named[k.substr(0, dot)].set(k.substr(dot + 1), v);
    else g.rest.set(k, v);
  }
  return g;
}

std::string declared_schema(const sql::Statement& s) {
  std::string schema;
  for (const auto& c : s.columns) {
    if (c.computed) throw_not_supported("computed column '{}' in CREATE {} (write the expression in the query)", c.name, s.name);
    schema += (schema.empty() ? "" : ", ") + c.name + " " + c.type.to_string();
  }
  return schema;
}

StatementResult table_result(std::vector<std::string> names, const std::vector<std::vector<std::string>>& rows) {
  std::vector<Field> fields;
  for (auto& n : names) fields.push_back(Field{std::move(n), DataType::string(), false});
  StatementResult r;
  r.schema = std::make_shared<const Schema>(std::move(fields));
  Batch b = Batch::empty(r.schema);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) b.columns[c]->append_string(row[c]);
  b.num_rows = rows.size();
  r.batches.push_back(std::move(b));
  return r;
}
}  // namespace

StatementResult Engine::run_create_as(const sql::Statement& s) {
  PropertyGroups groups = group_properties(s.options);
  std::string stream = Options::lower(s.name);
  for (auto& [name, props] : groups.named)
    if (name != stream) catalog_->add_source(make_connector_entry(name, props, options_.default_kafka, "CREATE " + s.name + " properties"));
  return run_plan(s, [&] {
    ConnectorEntry sink;
    if (auto it = groups.named.find(stream); it != groups.named.end()) {
      Options props = it->second;
      for (const auto& [k, v] : groups.rest.all()) props.set(k, v);
      sink = make_connector_entry(s.name, props, options_.default_kafka, "CREATE " + s.name + " properties");
    } else if (groups.rest.has("type") || groups.rest.has("connector") || groups.rest.has("uri")) {
      sink = make_connector_entry(s.name, groups.rest, options_.default_kafka, "CREATE " + s.name + " properties");
    } else if (const ConnectorEntry* e = catalog_->config().find_sink(s.name)) {
      sink = *e;
      for (const auto& [k, v] : groups.rest.all()) sink.options.set(k, v);
    } else if (!options_.default_sink_template.empty()) {
      sink.uri = options_.default_sink_template;
      size_t at = sink.uri.find("{name}");
      if (at != std::string::npos) sink.uri.replace(at, 6, Options::lower(s.name));
      sink.options = groups.rest;
    } else if (!options_.default_kafka.empty()) {
      // ksqlDB's rule: CREATE STREAM s AS SELECT writes the topic s.
      sink.uri = "kafka://" + options_.default_kafka + "/" + s.name;
      sink.options = groups.rest;
    } else {
      throw Error(ErrorKind::kUser,
                  fmt::format("CREATE {} needs a sink: give '{}.type' = ... properties, a data_sinks entry, or a "
                              "default Kafka cluster",
                              s.name, s.name),
                  ErrorLocation{"", s.pos.line, s.pos.column, s.pos.offset});
    }
    std::vector<std::unique_ptr<Sink>> sinks;
    sinks.push_back(make_sink(sink.uri, sink.options));
    return sinks;
  });
}

StatementResult Engine::declare(const sql::Statement& s) {
  PropertyGroups groups = group_properties(s.options);
  Options props = groups.rest;
  if (auto it = groups.named.find(Options::lower(s.name)); it != groups.named.end())
    for (const auto& [k, v] : it->second.all()) props.set(k, v);
  std::string schema = declared_schema(s);
  if (!schema.empty() && !props.has("schema")) props.set("schema", schema);
  if (!s.watermark_column.empty()) throw_not_supported("WATERMARK FOR in CREATE {} (event time)", s.name);
  ConnectorEntry entry = make_connector_entry(s.name, props, options_.default_kafka, "CREATE " + s.name);
  StatementResult r;
  if (s.kind == sql::StatementKind::kCreateSink) {
    r.message = fmt::format("sink {} -> {}", s.name, entry.uri);
    catalog_->add_sink(std::move(entry));
  } else {
    // Open it once now so a bad URI or option fails at the CREATE, not at first use.
    catalog_->open_source_uri(entry.uri, entry.options);
    r.message = fmt::format("source {} -> {}", s.name, entry.uri);
    catalog_->add_source(std::move(entry));
  }
  return r;
}

StatementResult Engine::show(const sql::Statement& s) {
  std::string what = Options::lower(s.name);
  if (what == "functions") {
    std::vector<std::vector<std::string>> rows;
    for (const auto& n : FunctionRegistry::instance().names())
      rows.push_back({n, FunctionRegistry::instance().find_aggregate(n) ? "aggregate" : "scalar"});
    return table_result({"name", "kind"}, rows);
  }
  if (what == "sources" || what == "streams" || what == "tables" || what == "sinks") {
    std::vector<std::vector<std::string>> rows;
    const Config& c = catalog_->config();
    if (what != "sinks")
      for (const auto& [k, e] : c.sources) rows.push_back({e.name, "source", e.uri, e.options.to_display_string()});
    if (what == "sinks" || what == "streams")
      for (const auto& [k, e] : c.sinks) rows.push_back({e.name, "sink", e.uri, e.options.to_display_string()});
    return table_result({"name", "kind", "uri", "options"}, rows);
  }
  throw_user_error("SHOW {}: known are SHOW FUNCTIONS, SHOW SOURCES, SHOW SINKS, SHOW STREAMS, SHOW TABLES", s.name);
}

StatementResult Engine::describe(const sql::Statement& s) {
  std::shared_ptr<Source> source = s.name_is_uri ? catalog_->open_source_uri(s.name, Options{})
                                                 : catalog_->open_source_name(s.name, Options{});
  if (!source) throw_user_error("DESCRIBE {}: no such source (not a configured or declared name)", s.name);
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : source->schema()->fields())
    if (!is_system_column(f.name)) rows.push_back({f.name, f.type.to_string()});
  return table_result({"column", "type"}, rows);
}

StatementResult Engine::run_plan(const sql::Statement& s,
                                 const std::function<std::vector<std::unique_ptr<Sink>>()>& open_sinks) {
  auto start = std::chrono::steady_clock::now();
  sql::PlanNodePtr plan = plan_query(*catalog_, s);
  std::vector<std::unique_ptr<Sink>> sinks = open_sinks();
  std::vector<std::shared_ptr<Source>> sources;
  collect_sources(plan, &sources);

  StatementResult result;
  result.schema = plan->schema;
  std::unique_ptr<Job> job;
  try {
    for (auto& sink : sinks) sink->open(plan->schema);
    auto context = std::make_unique<StreamContext>();
    if (options_.clock) context->clock = options_.clock;
    std::unique_ptr<CheckpointStore> store;
    std::optional<CheckpointData> restored;
    if (!options_.state_dir.empty() && !sinks.empty()) {
      std::string query = query_fingerprint(s.text);
      context->checkpoints = std::make_unique<CheckpointCoordinator>(query);
      store = std::make_unique<CheckpointStore>(
          fmt::format("{}/job-{}", options_.state_dir, ++checkpointed_jobs_));
      restored = store->latest();
      if (restored && restored->query != query)
        throw_user_error(
            "state directory '{}' holds a checkpoint of another query (or of this one before "
            "it was edited); use another --state-dir, or delete it to start over",
            store->dir());
      if (restored && restored->ended_early()) {
        // Its sources were not read to the end, so there is no position to resume from;
        // running it again would repeat output that was committed.
        // Publish what its last checkpoint prepared (the crash may have come before that).
        for (size_t i = 0; i < sinks.size() && i < restored->sink_handles.size(); ++i)
          if (!restored->sink_handles[i].empty()) sinks[i]->commit(restored->sink_handles[i]);
        for (auto& sink : sinks) sink->abort();
        result.message = fmt::format(
            "job already finished (checkpoint {} in {}); delete that directory to run it again",
            restored->id, store->dir());
        return result;
      }
      if (restored) context->checkpoints->set_restored(*restored);
    }
    sql::PhysicalPlanner planner(options_.parallelism, context.get());
    OperatorPtr root = planner.build(plan);
    StreamContext* ctx = context.get();
    job = std::make_unique<Job>(plan->schema, std::move(root), std::move(sinks), sources, std::move(context));
    for (const auto& src : sources)
      if (src->event_time().late == LatePolicy::kDeadLetter && !ctx->dead_letter)
        ctx->dead_letter = job->add_side_sink(make_sink(src->event_time().dead_letter, Options{}));
    if (store) {
      job->enable_checkpoints(std::move(store), options_.checkpoint_interval_us);
      if (restored) job->recover(*restored);
    }
  } catch (...) {
    for (auto& sink : sinks) sink->abort();
    throw;
  }
  if (options_.detach_streaming_jobs && sql::is_unbounded(*plan)) {
    result.message = fmt::format("started streaming job {}", jobs_.size() + 1);
    result.schema = nullptr;
    jobs_.push_back(std::move(job));
    return result;
  }
  {
    std::unique_ptr<ProgressReporter> progress;
    if (options_.progress && isatty(STDERR_FILENO))
      progress = std::make_unique<ProgressReporter>(sources, job->rows_out_counter());
    job->run_to_end();
  }
  result.batches = std::move(job->results());
  for (auto& sink : job->sinks()) {
    result.rows_written = std::max(result.rows_written, sink->rows_written());
    result.sinks.push_back(sink->describe());
  }
  for (const auto& src : sources) result.rows_rejected += src->rows_rejected();
  result.late_summary = job->late_summary();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace velo
