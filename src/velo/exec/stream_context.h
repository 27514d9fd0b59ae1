#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "velo/batch/batch.h"
#include "velo/state/checkpoint.h"
#include "velo/time/clock.h"

namespace velo {

/// What the operators of one streaming job share: the clock and the counters of the job
/// summary (and, later, metrics). Owned by the job; operators keep a pointer.
struct StreamContext {
  std::shared_ptr<const Clock> clock = system_clock();
  std::atomic<int64_t> late_rows_dropped{0};
  std::atomic<int64_t> late_rows_updated{0};  // late rows that re-emitted a closed window
  std::atomic<int64_t> late_rows_dead_lettered{0};
  /// Receives late rows under late_data = 'dlq' (the job writes them to the dead-letter sink).
  std::function<void(const Batch&)> dead_letter;
  /// Set when the job takes checkpoints (`--state-dir`): barriers, positions, operator state.
  std::unique_ptr<CheckpointCoordinator> checkpoints;
};

}  // namespace velo
