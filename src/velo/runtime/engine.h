#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "velo/batch/batch.h"
#include "velo/sql/binder/catalog.h"
#include "velo/sql/parser/ast.h"
#include "velo/time/clock.h"

namespace velo {

/// Settings of one engine instance (CLI flags, YAML config).
struct EngineOptions {
  int parallelism = 0;          // 0 = number of cores
  bool progress = false;        // print a progress line on stderr for bounded jobs
  std::string default_kafka;    // bootstrap of the cluster unqualified names resolve to
  /// YAML config (`--config`); empty = $VELO_CONFIG if set, else none.
  std::string config_path;
  /// Processing-time clock of streaming jobs (idle timeouts, PROCTIME windows); null = wall.
  std::shared_ptr<const Clock> clock;
  /// Streaming statements (unbounded input) start a job and return at once; the caller drives
  /// it with step_jobs() (the stest runner). Off: they run until stopped (the CLI).
  bool detach_streaming_jobs = false;
  /// Sink of CREATE STREAM/TABLE name AS SELECT without sink properties, as a template where
  /// {name} is the statement's name (e.g. "test://{name}"); empty = the default Kafka topic.
  std::string default_sink_template;
  /// Checkpoints (`--state-dir`): jobs that write to sinks checkpoint into <state_dir>/job-N
  /// (N counts such jobs in statement order) and resume from there after a restart.
  std::string state_dir;
  /// How often a checkpoint is taken (wall time, µs); 0 = only when asked (tests).
  int64_t checkpoint_interval_us = 10'000'000;
};

class ConnectorCatalog;
class Job;

/// What one statement produced.
struct StatementResult {
  SchemaPtr schema;             // result columns (queries without INTO)
  std::vector<Batch> batches;   // result rows (queries without INTO)
  std::string explain;          // EXPLAIN text
  int64_t rows_written = 0;     // rows written to sinks
  std::vector<std::string> sinks;  // descriptions of the sinks written
  int64_t rows_rejected = 0;    // rows skipped by on_error = 'skip'
  std::string late_summary;     // "late rows: 3 dropped" (streaming jobs)
  double seconds = 0;
  std::string message;          // one line for statements that only declare (CREATE SOURCE ...)
};

/// Runs SQL statements: parse → bind → optimize → execute → publish to sinks.
class Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();

  /// Parses and runs every statement of `sql`; `on_result` sees each statement's result.
  void run_script(std::string_view sql,
                  const std::function<void(const sql::Statement&, const StatementResult&)>& on_result);
  /// Runs one parsed statement whose text is `sql`.
  StatementResult execute(const sql::Statement& statement);
  /// The plan EXPLAIN shows for a query statement.
  std::string explain(const sql::Statement& statement);

  sql::Catalog& catalog();
  const EngineOptions& options() const { return options_; }

  /// Detached streaming jobs (EngineOptions::detach_streaming_jobs), in start order.
  const std::vector<std::unique_ptr<Job>>& jobs() const { return jobs_; }
  /// Steps every detached job until its sources have nothing more for now; finished jobs stay
  /// listed. Returns true while any is still running.
  bool step_jobs();
  /// Stops every detached job without committing (a crash, for restart tests).
  void kill_jobs();

 private:
  StatementResult run_query(const sql::Statement& statement);
  /// Runs the statement's query into `sinks`: prepare + commit on success, abort on failure.
  StatementResult run_plan(const sql::Statement& statement,
                           const std::function<std::vector<std::unique_ptr<Sink>>()>& open_sinks);
  /// CREATE STREAM/TABLE/SINK name AS SELECT ... WITH (properties).
  StatementResult run_create_as(const sql::Statement& statement);
  /// CREATE SOURCE / CREATE TABLE name (cols) WITH (...) / CREATE SINK name WITH (...).
  StatementResult declare(const sql::Statement& statement);
  StatementResult show(const sql::Statement& statement);
  StatementResult describe(const sql::Statement& statement);

  EngineOptions options_;
  std::unique_ptr<ConnectorCatalog> catalog_;
  std::vector<std::unique_ptr<Job>> jobs_;
  int checkpointed_jobs_ = 0;
};

/// Registers connectors, formats and file systems compiled into this binary. Idempotent.
void initialize_velostream();

}  // namespace velo
