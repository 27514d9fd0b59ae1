#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "velo/connectors/file/source_position.h"
#include "velo/fs/file_system.h"
#include "velo/types/data_type.h"
#include "velo/types/value.h"

namespace velo {

/// A file a file source reads (one entry per listed file that survived pruning).
struct SourceFile {
  FileInfo info;
  SchemaPtr schema;               // the file's own inferred schema; null = the source's
  std::vector<Value> partition;   // Hive partition values, in column order
  size_t units = 0;               // work units of this file in this run
  size_t units_acknowledged = 0;  // of those, finished before an acknowledge()
  bool deleted = false;
};

/// One piece of work for a reader: a whole file or a byte range of it.
struct WorkUnit {
  size_t file = 0;  // index into ScanState::files
  int64_t begin = 0;
  int64_t end = -1;  // -1 = to the end
  int64_t bytes = 0;
  int64_t skip_rows = 0;  // rows an earlier run already returned (restore)
};

/// What the readers of one open() share. Deques keep references stable while watch appends.
struct ScanState {
  std::mutex mu;  // guards everything below that is not atomic
  std::deque<SourceFile> files;
  std::deque<WorkUnit> units;
  size_t next_unit = 0;
  std::unordered_set<std::string> seen_paths;  // listed once (read, pruned or restored done)
  std::chrono::steady_clock::time_point next_poll;
  std::mutex poll_mu;  // one poller at a time (listing runs without `mu`)
  // Units finished by readers (indexes into units): every one, and those a reader reported
  // in position() since (a checkpoint captured them), for delete_after_read.
  std::vector<size_t> finished_units;
  std::vector<size_t> checkpointed_units;
  bool positions_taken = false;
  // Files an earlier run finished completely (restore) that still exist: deleted at the first
  // acknowledge() under delete_after_read.
  std::vector<std::string> restored_finished_files;
  // Units an earlier run finished; reported again by reader 0 so a second restart skips them.
  std::vector<FileUnitKey> restored_done;

  std::atomic<int64_t> rows{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> rejected{0};
  std::atomic<int64_t> files_opened{0};
};

}  // namespace velo
