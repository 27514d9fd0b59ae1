#include <gtest/gtest.h>

#include "velo/batch/batch.h"
#include "velo/time/clock.h"
#include "velo/time/watermark_merger.h"
#include "velo/time/watermark_tracker.h"

namespace velo {
namespace {

ColumnPtr times(std::initializer_list<int64_t> values) {
  auto c = Column::make(DataType::timestamp());
  for (int64_t v : values) c->append(v);
  return c;
}

TEST(WatermarkTracker, MaxMinusOutOfOrdernessNeverBackwards) {
  ManualClock clock;
  WatermarkTracker t(5, -1, &clock);
  EXPECT_EQ(t.watermark(), kNoWatermark);
  t.observe(-1, *times({100, 90}), 2);
  EXPECT_EQ(t.watermark(), 95);
  t.observe(-1, *times({50}), 1);  // out of order: the watermark stays
  EXPECT_EQ(t.watermark(), 95);
  t.observe(-1, *times({120}), 1);
  EXPECT_EQ(t.watermark(), 115);
}

TEST(WatermarkTracker, SilentPartitionHoldsBackUntilIdle) {
  ManualClock clock;
  WatermarkTracker t(0, -1, &clock);
  t.set_partitions({0, 1});
  t.observe(0, *times({100}), 1);
  EXPECT_EQ(t.watermark(), kNoWatermark);
  t.set_idle(1, true);
  EXPECT_EQ(t.watermark(), 100);
  t.observe(1, *times({40}), 1);  // back from idle: the minimum may not move back
  EXPECT_EQ(t.watermark(), 100);
  t.observe(1, *times({150}), 1);
  t.observe(0, *times({130}), 1);
  EXPECT_EQ(t.watermark(), 130);
}

TEST(WatermarkTracker, PartitionsFollowARebalance) {
  ManualClock clock;
  WatermarkTracker t(0, -1, &clock);
  t.set_partitions({});  // before the first assignment: one implicit partition
  t.update_partitions({3, 4});
  t.observe(3, *times({100}), 1);
  EXPECT_EQ(t.watermark(), kNoWatermark) << "new partition 4 holds back, the implicit one left";
  t.observe(4, *times({200}), 1);
  EXPECT_EQ(t.watermark(), 100);
  t.update_partitions({4, 5});  // 3 revoked, 5 assigned: 4 keeps its state, 5 holds back
  t.observe(4, *times({300}), 1);
  EXPECT_EQ(t.watermark(), 100);
  t.observe(5, *times({250}), 1);
  EXPECT_EQ(t.watermark(), 250);
  t.update_partitions({});  // nothing known: no change
  EXPECT_EQ(t.watermark(), 250);
}

TEST(WatermarkTracker, IdleTimeoutUsesTheInjectedClock) {
  ManualClock clock(0);
  WatermarkTracker t(0, 1000, &clock);
  t.set_partitions({0, 1});
  t.observe(0, *times({500}), 1);
  EXPECT_EQ(t.watermark(), kNoWatermark);
  clock.advance(999);
  t.observe(0, *times({600}), 1);
  EXPECT_EQ(t.watermark(), kNoWatermark);
  clock.advance(1);  // partition 1 silent for 1000 µs
  EXPECT_EQ(t.watermark(), 600);
}

TEST(WatermarkTracker, NullEventTimesAreIgnored) {
  ManualClock clock;
  WatermarkTracker t(0, -1, &clock);
  auto c = times({10, 99});
  c->set_null(1);
  t.observe(-1, *c, 2);
  EXPECT_EQ(t.watermark(), 10);
}

TEST(WatermarkMerger, MinimumOfInputsAndFinishedInputsRelease) {
  WatermarkMerger m(2);
  EXPECT_EQ(m.update(0, 100), kNoWatermark);  // input 1 has said nothing
  EXPECT_EQ(m.update(1, 50), 50);
  EXPECT_EQ(m.update(1, 70), 70);
  EXPECT_EQ(m.update(1, 60), kNoWatermark);  // never backwards
  EXPECT_EQ(m.finish(1), 100);
  EXPECT_EQ(m.finish(0), kEndOfTime);
}

}  // namespace
}  // namespace velo
