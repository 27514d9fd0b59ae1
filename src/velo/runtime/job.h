#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "velo/exec/operators/operator.h"
#include "velo/exec/stream_context.h"
#include "velo/io/source.h"

namespace velo {

/// One running query: its operator tree, the sinks it writes and the sources it reads
/// (ARCHITECTURE.md §5). A bounded job runs to its end; a streaming job is driven step by step
/// (the CLI loops forever, the stest runner steps between scripted inputs).
class Job {
 public:
  /// `sinks` are open. Without sinks, result batches are kept for the caller (`velo query`).
  Job(SchemaPtr schema, OperatorPtr root, std::vector<std::unique_ptr<Sink>> sinks,
      std::vector<std::shared_ptr<Source>> sources, std::unique_ptr<StreamContext> context);
  ~Job();

  /// Pulls results until every source has nothing more for now or the input ends; writes them.
  /// Returns false once the job has finished (sinks prepared and committed, sources
  /// acknowledged). On an error the sinks are aborted and the error is rethrown.
  bool step();
  /// A sink for rows set aside (late rows under late_data = 'dlq'): opened on its first batch,
  /// published and aborted with the job's own sinks. Returns the writer to install.
  std::function<void(const Batch&)> add_side_sink(std::unique_ptr<Sink> sink);
  /// step() until the end.
  void run_to_end();

  // ---- checkpoints (context().checkpoints set) ---------------------------------------------
  /// Checkpoints go to `store`; with `interval_us` > 0 one is taken that often (wall time).
  /// Call before the first step. If the plan cannot take checkpoints, says why (not silently).
  void enable_checkpoints(std::unique_ptr<CheckpointStore> store, int64_t interval_us);
  /// After a restart: publishes what the restored checkpoint's sinks had prepared (their
  /// commit may not have happened before the crash) and continues its numbering.
  void recover(const CheckpointData& restored);
  /// Starts a checkpoint now (its barrier flows with the data); false when checkpoints are
  /// off for this job. It completes during later steps.
  bool trigger_checkpoint();
  bool checkpoint_pending() const { return pending_checkpoint_ != 0; }
  /// Why this job takes no checkpoints although a state directory was given (empty = it does).
  const std::string& checkpoints_off_reason() const { return checkpoints_off_reason_; }
  int64_t checkpoints_completed() const { return checkpoints_completed_; }
  int64_t last_checkpoint_id() const { return last_checkpoint_id_; }
  bool finished() const { return finished_; }

  const SchemaPtr& schema() const { return schema_; }
  std::vector<Batch>& results() { return results_; }
  const std::vector<std::unique_ptr<Sink>>& sinks() const { return sinks_; }
  const std::vector<std::shared_ptr<Source>>& sources() const { return sources_; }
  StreamContext& context() { return *context_; }
  int64_t rows_out() const { return rows_out_; }
  /// The counter progress lines read (updated as results flow).
  const std::atomic<int64_t>* rows_out_counter() const { return &rows_counter_; }
  /// "late rows: 3 dropped" style summary, empty when nothing noteworthy happened.
  std::string late_summary() const;

 private:
  void finish();
  /// The barrier of the pending checkpoint reached the job: everything before it is in the
  /// sinks. Prepare them, write the checkpoint, then commit (two-phase, ARCHITECTURE.md §3).
  void complete_checkpoint(int64_t id, bool job_ended = false);
  std::vector<Sink*> all_sinks() const;
  SchemaPtr schema_;
  std::unique_ptr<StreamContext> context_;  // outlives the operators (declared before root_)
  OperatorPtr root_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  struct SideSink {
    std::unique_ptr<Sink> sink;
    bool opened = false;
  };
  std::vector<std::unique_ptr<SideSink>> side_sinks_;
  std::vector<std::shared_ptr<Source>> sources_;
  std::vector<Batch> results_;
  int64_t rows_out_ = 0;
  std::atomic<int64_t> rows_counter_{0};
  bool finished_ = false;
  bool failed_ = false;
  std::unique_ptr<CheckpointStore> store_;
  int64_t checkpoint_interval_us_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_time_;
  int64_t pending_checkpoint_ = 0;
  int64_t last_checkpoint_id_ = 0;
  int64_t checkpoints_completed_ = 0;
  std::string checkpoints_off_reason_;
  bool committing_ = false;  // between writing a checkpoint and committing its sinks
};

}  // namespace velo
