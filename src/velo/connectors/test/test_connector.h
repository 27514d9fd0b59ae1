#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "velo/batch/batch.h"

namespace velo {

/// In-process streams for the streaming test runner (tests/stream/*.stest, STYLE.md): sources
/// `test://name` whose rows the test pushes per partition, with explicit idleness and end, and
/// sinks `test://name` that record what was written and what was committed. Real connectors are
/// tested against real services; this one exists so streaming semantics can be scripted exactly.
class TestStreams {
 public:
  static TestStreams& instance();

  /// Declares (or re-declares) source `name` with `partitions` partitions.
  void declare_source(const std::string& name, SchemaPtr schema, int partitions);
  /// Appends JSON Lines rows to a partition (decoded with the source's schema).
  void ingest(const std::string& name, int partition, const std::vector<std::string>& json_rows);
  void set_idle(const std::string& name, int partition, bool idle);
  /// No more rows will come: readers end once they have read everything.
  void end(const std::string& name);

  /// Rows a sink received since the last call (a changelog: row kinds included).
  std::vector<Batch> take_written(const std::string& sink);
  /// Every row a sink committed, in order (what a consumer of the sink would see).
  std::vector<Batch> committed(const std::string& sink);
  void reset();

  // ---- used by the connector ---------------------------------------------------------------
  struct Partition {
    std::vector<Batch> log;
    bool idle = false;
  };
  struct SourceState {
    SchemaPtr schema;
    std::vector<Partition> partitions;
    bool ended = false;
  };
  struct SinkState {
    std::vector<Batch> written;  // since the last take_written
    std::vector<Batch> pending;  // since the last prepare
    std::map<int64_t, std::vector<Batch>> prepared;  // by prepare number, until committed
    int64_t prepares = 0;
    std::vector<Batch> committed;
  };
  /// Runs `f` with the source's state under the hub's lock; throws when undeclared.
  template <typename F>
  auto with_source(const std::string& name, F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(source_state(name));
  }
  template <typename F>
  auto with_sink(const std::string& name, F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(sinks_[name]);
  }
  bool has_source(const std::string& name);

 private:
  SourceState& source_state(const std::string& name);
  std::mutex mu_;
  std::map<std::string, SourceState> sources_;
  std::map<std::string, SinkState> sinks_;
};

/// Registers the `test` scheme (called by the stest runner, not by the velo binary).
void register_test_connector();

}  // namespace velo
