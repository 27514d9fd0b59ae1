#include "velo/time/watermark_tracker.h"

#include <algorithm>

#include "velo/batch/batch.h"

namespace velo {

WatermarkTracker::WatermarkTracker(int64_t max_out_of_orderness, int64_t idle_timeout,
                                   const Clock* clock)
    : max_out_of_orderness_(max_out_of_orderness), idle_timeout_(idle_timeout), clock_(clock) {
  set_partitions({});
}

void WatermarkTracker::set_partitions(const std::vector<int32_t>& partitions) {
  partitions_.clear();
  int64_t now = clock_->now_micros();
  if (partitions.empty()) partitions_.push_back(PartitionState{0, INT64_MIN, now, false});
  for (int32_t p : partitions) partitions_.push_back(PartitionState{p, INT64_MIN, now, false});
}

void WatermarkTracker::update_partitions(const std::vector<int32_t>& partitions) {
  if (partitions.empty()) return;
  auto listed = [&](int32_t id) {
    return std::find(partitions.begin(), partitions.end(), id) != partitions.end();
  };
  std::erase_if(partitions_, [&](const PartitionState& p) { return !listed(p.id); });
  int64_t now = clock_->now_micros();
  for (int32_t id : partitions)
    if (std::none_of(partitions_.begin(), partitions_.end(),
                     [&](const PartitionState& p) { return p.id == id; }))
      partitions_.push_back(PartitionState{id, INT64_MIN, now, false});
}

WatermarkTracker::PartitionState& WatermarkTracker::find(int32_t partition) {
  if (partition < 0) return partitions_.front();
  for (auto& p : partitions_)
    if (p.id == partition) return p;
  // A partition the reader did not announce (e.g. added to a topic later) joins the minimum.
  partitions_.push_back(PartitionState{partition, INT64_MIN, clock_->now_micros(), false});
  return partitions_.back();
}

void WatermarkTracker::observe(int32_t partition, const Column& event_time, size_t rows) {
  if (rows == 0) return;
  PartitionState& p = find(partition);
  const int64_t* ts = event_time.values<int64_t>();
  int64_t mx = p.max_event_time;
  if (!event_time.has_validity()) {
    for (size_t i = 0; i < rows; ++i) mx = std::max(mx, ts[i]);
  } else {
    for (size_t i = 0; i < rows; ++i)
      if (event_time.is_valid(i)) mx = std::max(mx, ts[i]);
  }
  p.max_event_time = mx;
  p.last_active = clock_->now_micros();
  p.source_idle = false;
  max_seen_ = std::max(max_seen_, mx);
}

void WatermarkTracker::set_idle(int32_t partition, bool idle) {
  find(partition).source_idle = idle;
}

int64_t WatermarkTracker::watermark() {
  int64_t now = clock_->now_micros();
  int64_t low = INT64_MAX;
  bool any_active = false;
  for (const auto& p : partitions_) {
    bool timed_out = idle_timeout_ >= 0 && now - p.last_active >= idle_timeout_;
    if (p.source_idle || timed_out) continue;
    any_active = true;
    int64_t w =
        p.max_event_time == INT64_MIN ? INT64_MIN : p.max_event_time - max_out_of_orderness_;
    low = std::min(low, w);
  }
  // All partitions idle: nothing holds time back, so the data seen so far decides (Flink keeps
  // the watermark; we let it reach what was seen, which is what a user of an idle topic expects).
  if (!any_active) low = max_seen_ == INT64_MIN ? INT64_MIN : max_seen_ - max_out_of_orderness_;
  combined_ = std::max(combined_, low);
  return combined_ == INT64_MIN ? kNoWatermark : combined_;
}

}  // namespace velo
