#pragma once

#include <cstdint>
#include <vector>

#include "velo/batch/column.h"
#include "velo/time/clock.h"

namespace velo {

/// Per-partition event-time watermarks of one source reader (ARCHITECTURE.md §4): each
/// partition's watermark is its largest event time minus `max_out_of_orderness`; the reader's
/// watermark is the minimum over partitions that are not idle. A partition that has produced
/// nothing yet holds the watermark back until it produces or turns idle. A partition is idle
/// when the source says so or when it produced nothing for `idle_timeout` of processing time.
/// The combined watermark never moves backwards. Single-threaded.
class WatermarkTracker {
 public:
  WatermarkTracker(int64_t max_out_of_orderness, int64_t idle_timeout, const Clock* clock);

  /// Declares the partitions (empty = one implicit partition 0).
  void set_partitions(const std::vector<int32_t>& partitions);
  /// Follows a changed set of partitions (a Kafka rebalance): partitions not listed leave the
  /// minimum, new ones join it (holding it back until they produce or turn idle), the others
  /// keep their state. Empty = no change.
  void update_partitions(const std::vector<int32_t>& partitions);
  /// Accounts the event times of one batch of `partition` (-1 = the only/first one). NULL event
  /// times are ignored (they never move a watermark).
  void observe(int32_t partition, const Column& event_time, size_t rows);
  /// The source's own idleness signal for a partition.
  void set_idle(int32_t partition, bool idle);
  /// Recomputes the combined watermark (idle timeouts are checked against the clock).
  int64_t watermark();
  /// Largest event time seen on any partition (kNoWatermark before any).
  int64_t max_event_time() const { return max_seen_; }

 private:
  struct PartitionState {
    int32_t id = 0;
    int64_t max_event_time = INT64_MIN;
    int64_t last_active = 0;  // processing time of the last row
    bool source_idle = false;
  };
  PartitionState& find(int32_t partition);

  int64_t max_out_of_orderness_;
  int64_t idle_timeout_;
  const Clock* clock_;
  std::vector<PartitionState> partitions_;
  int64_t combined_ = INT64_MIN;
  int64_t max_seen_ = INT64_MIN;
};

}  // namespace velo
