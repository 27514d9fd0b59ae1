#pragma once

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
};

}  // namespace velo
