#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "velo/fs/file_system.h"

namespace velo {

/// Everything one checkpoint holds (ARCHITECTURE.md §5): where every source reader stood when
/// it emitted the barrier, the state of every stateful operator when the barrier passed it,
/// and the handles of what the sinks prepared. A job resumes from it after a crash.
struct CheckpointData {
  int64_t id = 0;
  /// Fingerprint of the statement: a checkpoint only resumes the same query.
  std::string query;
  /// Per source (in plan order): the positions of its readers (SourceReader::position()).
  std::vector<std::vector<std::string>> source_positions;
  /// Operator state by key (assigned at plan time, stable for the same query).
  std::map<std::string, std::string> operator_state;
  /// Per sink (in statement order): the handle its prepare() returned.
  std::vector<std::string> sink_handles;
  /// The job's last checkpoint, taken when it ended. A job that ended before reading all its
  /// input (a LIMIT over a stream) has readers without a position: it is not run again.
  bool job_ended = false;
  bool ended_early() const;
};

/// Collects one job's checkpoints as barriers flow: the job requests checkpoint N, every
/// source reader records its position and emits barrier N, operators record their state when
/// it passes them. Thread-safe (readers and operators run on worker threads).
class CheckpointCoordinator {
 public:
  explicit CheckpointCoordinator(std::string query) : query_(std::move(query)) {}

  // ---- plan time ----------------------------------------------------------------------------
  /// A reader slot of source `source` (plan order); returns the slot for record_position().
  int add_reader(int source);
  /// A unique, plan-stable key for a stateful operator ("aggregate-2").
  std::string state_key(const std::string& kind);
  /// Why this plan cannot be checkpointed (empty = it can). The first reason wins.
  void cannot_checkpoint(std::string why);
  const std::string& blocker() const { return blocker_; }
  int num_sources() const { return num_sources_; }

  // ---- restore (set before the plan is built) -----------------------------------------------
  void set_restored(CheckpointData data) { restored_ = std::move(data); }
  const std::optional<CheckpointData>& restored() const { return restored_; }
  /// The state an operator saved under `key` in the restored checkpoint, or null.
  const std::string* restored_state(const std::string& key) const;

  // ---- barriers -----------------------------------------------------------------------------
  /// Asks every reader for barrier `id` (ids increase).
  void request(int64_t id) { requested_.store(id); }
  int64_t requested() const { return requested_.load(std::memory_order_relaxed); }
  /// A reader's position at barrier `id`. A reader that ended records its last position with
  /// id = -1: it stands for every later checkpoint.
  void record_position(int slot, int64_t id, std::string position);
  void record_state(const std::string& key, int64_t id, std::string state);
  /// The checkpoint `id` once its barrier reached the job: positions and states collected.
  /// `job_ended`: the job is over; readers that sent no barrier get an empty position.
  CheckpointData collect(int64_t id, bool job_ended = false);

 private:
  struct Slot {
    int source = 0;
    std::map<int64_t, std::string> positions;  // by checkpoint id
    std::optional<std::string> final_position;
  };
  std::string query_;
  std::atomic<int64_t> requested_{0};
  mutable std::mutex mu_;
  std::vector<Slot> slots_;
  int num_sources_ = 0;
  std::map<std::string, int> key_counts_;
  std::string blocker_;
  std::map<int64_t, std::map<std::string, std::string>> states_;
  std::optional<CheckpointData> restored_;
};

/// Checkpoints of one job under `--state-dir`/job-N: `checkpoint-<id>.bin` in any FileSystem
/// (a local path or an object-store URI such as s3://bucket/state). Each is published
/// atomically (local: temp file, fsync, rename; object stores: visible only once complete), so a
/// crash leaves either the whole checkpoint or none. Keeps the newest two.
class CheckpointStore {
 public:
  explicit CheckpointStore(std::string dir);
  const std::string& dir() const { return dir_; }
  void save(const CheckpointData& data);
  /// The newest complete checkpoint, if any; a damaged file is an error (never silently older).
  std::optional<CheckpointData> latest() const;

 private:
  std::string dir_;
  std::shared_ptr<FileSystem> fs_;
};

/// The binary encoding of a checkpoint (exposed for tests).
std::string encode_checkpoint(const CheckpointData& data);
CheckpointData decode_checkpoint(std::string_view bytes, const std::string& what);

}  // namespace velo
