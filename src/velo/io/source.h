#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "velo/batch/batch.h"
#include "velo/io/options.h"
#include "velo/io/scan_spec.h"

namespace velo {

using Deadline = std::chrono::steady_clock::time_point;

/// What a source can do; the planner reads it to decide pushdown and parallelism.
struct SourceCapabilities {
  bool bounded = true;              // ends by itself (files, snapshots, `until = 'latest'`)
  bool projection_pushdown = false;
  bool predicate_pushdown = false;  // uses ScanSpec::predicates to skip data
  bool changelog = false;           // emits UPDATE/DELETE row kinds
};

/// Progress of a bounded read, for the CLI's progress line.
struct SourceProgress {
  int64_t bytes_read = 0;
  int64_t total_bytes = -1;  // -1 = unknown
  int64_t rows = 0;
};

enum class PollStatus { kBatch, kNothingYet, kEnd };

/// What to do with a row whose window was already emitted (ARCHITECTURE.md §4).
enum class LatePolicy { kDrop, kDeadLetter, kUpdate };

/// How rows of a source get event time and watermarks: the source options `event_time`,
/// `max_out_of_orderness`, `idle_timeout`, `late_data` and `allowed_lateness`.
struct EventTimeSpec {
  std::string column;                 // empty = no event time, no watermarks
  int64_t max_out_of_orderness = 0;   // µs
  int64_t idle_timeout = -1;          // µs of processing time; -1 = never idle by timeout
  LatePolicy late = LatePolicy::kDrop;
  int64_t allowed_lateness = -1;      // µs a fired window stays updatable; -1 = one window size
  std::string dead_letter;            // sink URI for late_data = 'dlq'
  bool enabled() const { return !column.empty(); }
  /// Reads (and marks used) the event-time options; keys absent keep the values of `defaults`.
  static EventTimeSpec from_options(const Options& options, EventTimeSpec defaults);
};

/// One single-threaded stream of batches of a source (a share of its files, partitions, ...).
class SourceReader {
 public:
  virtual ~SourceReader() = default;
  /// Produces the next batch into `out` (schema = the source's output schema), or says that
  /// nothing is available before `deadline`, or that this reader is done.
  virtual PollStatus next(Batch* out, Deadline deadline) = 0;
  /// The partitions this reader reads; watermarks are tracked per partition and combined by
  /// min. Empty = one partition. Batches say which one they came from (Batch::partition).
  virtual std::vector<int32_t> partitions() const { return {}; }
  /// True while the source itself knows `partition` has nothing to say for now (it then does
  /// not hold the watermark back), independent of `idle_timeout`.
  virtual bool partition_idle(int32_t partition) const { return false; }
  /// Checkpoints (ARCHITECTURE.md §5): where this reader stands between two next() calls, as an
  /// opaque string that Source::restore() understands (file + offset, partition offsets, ...).
  /// Everything returned by next() so far is before the position. Empty = cannot resume.
  virtual std::string position() const { return {}; }
};

/// A data source (ARCHITECTURE.md §3). Created by a connector factory from a URI and options;
/// the planner calls schema(), capabilities(), apply(), then open() once.
class Source {
 public:
  virtual ~Source() = default;
  /// Full schema before projection (declared or discovered).
  virtual SchemaPtr schema() const = 0;
  virtual SourceCapabilities capabilities() const = 0;
  /// Receives projection, predicates and limit; called at most once, before open().
  virtual void apply(const ScanSpec& spec) { spec_ = spec; }
  /// Schema of the batches readers produce: the projected columns of schema().
  SchemaPtr output_schema() const;
  /// Starts reading with up to `parallelism` readers that may run on different threads.
  virtual std::vector<std::unique_ptr<SourceReader>> open(int parallelism) = 0;
  /// One line for EXPLAIN: what the source is and what it was asked to do.
  virtual std::string describe() const = 0;
  /// Thread-safe; may be called while readers run.
  virtual SourceProgress progress() const { return {}; }
  /// Rows the source rejected under `on_error = 'skip'|'dlq'` (for the summary line).
  virtual int64_t rows_rejected() const { return 0; }
  /// Called after every sink committed what was read so far: commit consumer offsets, delete
  /// processed files (`delete_after_read`). At-least-once hinges on calling it only then.
  virtual void acknowledge() {}
  /// True when readers report position() and restore() resumes from them.
  virtual bool can_checkpoint() const { return false; }
  /// Resumes after a restart: called before open() with the positions every reader of the
  /// previous run reported at the checkpoint (their number may differ from this run's
  /// parallelism). Readers then start right after those positions.
  virtual void restore(const std::vector<std::string>& positions);

  /// Event time of the rows (set by the catalog from the options, or a connector default).
  const EventTimeSpec& event_time() const { return event_time_; }
  void set_event_time(EventTimeSpec spec) { event_time_ = std::move(spec); }
  /// The table side of a stream-table join is read again this often (µs of the job's clock;
  /// 0 = loaded once). The `refresh_interval` option.
  int64_t refresh_interval() const { return refresh_interval_; }
  void set_refresh_interval(int64_t us) { refresh_interval_ = us; }

 protected:
  ScanSpec spec_;
  EventTimeSpec event_time_;
  int64_t refresh_interval_ = 0;
};

/// A data sink (ARCHITECTURE.md §3): two-phase commit makes publishing atomic.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void open(SchemaPtr schema) = 0;
  /// Not thread-safe: the engine serializes writes to one sink.
  virtual void write(const Batch& batch) = 0;
  /// Makes everything written so far durable but invisible; returns a handle for commit().
  /// Called at every checkpoint and at the end: writes after it go to new files/transactions.
  virtual std::string prepare() = 0;
  /// Publishes what the prepare() that returned `handle` made ready. Idempotent, and works on a
  /// fresh sink of the same URI and options in a new process: recovery after a crash commits
  /// the handles recorded in the last complete checkpoint.
  virtual void commit(const std::string& handle) = 0;
  /// Discards everything not committed. Must not throw.
  virtual void abort() noexcept = 0;
  virtual std::string describe() const = 0;
  virtual int64_t rows_written() const = 0;
};

}  // namespace velo

namespace velo {
/// System columns (`_metadata.filename`, Kafka `_key`, ...) are produced only when selected and
/// never expanded by `*`.
bool is_system_column(std::string_view name);
}  // namespace velo
