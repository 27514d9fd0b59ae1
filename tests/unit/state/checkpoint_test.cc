#include "velo/state/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "velo/types/error.h"

namespace velo {
namespace {

namespace fs = std::filesystem;

CheckpointData sample(int64_t id) {
  CheckpointData d;
  d.id = id;
  d.query = "SELECT a FROM t";
  d.source_positions = {{"0,3", "1,1"}, {}};
  d.operator_state = {{"aggregate-0", std::string("\0\1\2state", 8)}, {"limit-0", "x"}};
  d.sink_handles = {"7", ""};
  return d;
}

TEST(CheckpointEncoding, RoundTrips) {
  CheckpointData d = sample(42);
  CheckpointData back = decode_checkpoint(encode_checkpoint(d), "test");
  EXPECT_EQ(back.id, 42);
  EXPECT_EQ(back.query, d.query);
  EXPECT_EQ(back.source_positions, d.source_positions);
  EXPECT_EQ(back.operator_state, d.operator_state);
  EXPECT_EQ(back.sink_handles, d.sink_handles);
}

TEST(CheckpointEncoding, DamageIsDetected) {
  std::string bytes = encode_checkpoint(sample(1));
  for (size_t at : {size_t{9}, bytes.size() / 2, bytes.size() - 5}) {
    std::string bad = bytes;
    bad[at] ^= 0x40;
    EXPECT_THROW(decode_checkpoint(bad, "damaged"), Error) << "flipped byte " << at;
  }
  EXPECT_THROW(decode_checkpoint(bytes.substr(0, bytes.size() - 3), "truncated"), Error);
  EXPECT_THROW(decode_checkpoint("not a checkpoint", "garbage"), Error);
}

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/velo-checkpoint-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(CheckpointStoreTest, LatestIsTheNewestAndOldOnesAreDropped) {
  CheckpointStore store(dir_ + "/job-1");
  EXPECT_FALSE(store.latest().has_value());
  for (int64_t id = 1; id <= 4; ++id) store.save(sample(id));
  auto latest = store.latest();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->id, 4);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_ + "/job-1")) {
    ++files;
    EXPECT_EQ(e.path().extension(), ".bin") << "no temp file may stay behind";
  }
  EXPECT_EQ(files, 2u);  // the newest and one spare
}

TEST_F(CheckpointStoreTest, ADamagedNewestCheckpointIsAnErrorNotSilentlyOlder) {
  CheckpointStore store(dir_);
  store.save(sample(1));
  store.save(sample(2));
  std::string path = dir_ + "/checkpoint-0000000002.bin";
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.put('!');
  }
  try {
    store.latest();
    FAIL() << "a damaged checkpoint must not load";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint-0000000002.bin"), std::string::npos);
  }
}

TEST(CheckpointCoordinator, CollectsPositionsAndStatesOfOneBarrier) {
  CheckpointCoordinator c("q");
  int a = c.add_reader(0);
  int b = c.add_reader(0);
  int d = c.add_reader(1);
  EXPECT_EQ(c.num_sources(), 2);
  EXPECT_EQ(c.state_key("aggregate"), "aggregate-0");
  EXPECT_EQ(c.state_key("aggregate"), "aggregate-1");
  c.request(1);
  EXPECT_EQ(c.requested(), 1);
  c.record_position(a, 1, "a1");
  c.record_position(b, -1, "b-end");  // ended before the barrier: stands for later ones
  c.record_position(d, 1, "d1");
  c.record_state("aggregate-0", 1, "s1");
  c.record_position(a, 2, "a2");  // the next checkpoint may already be on its way
  CheckpointData one = c.collect(1);
  EXPECT_EQ(one.query, "q");
  ASSERT_EQ(one.source_positions.size(), 2u);
  EXPECT_EQ(one.source_positions[0], (std::vector<std::string>{"a1", "b-end"}));
  EXPECT_EQ(one.source_positions[1], (std::vector<std::string>{"d1"}));
  EXPECT_EQ(one.operator_state.at("aggregate-0"), "s1");
  // Reader d has not reached barrier 2 yet: collecting it is a bug, not a silent gap.
  EXPECT_THROW(c.collect(2), Error);
}

TEST(CheckpointCoordinator, RestoredStateByKey) {
  CheckpointCoordinator c("q");
  EXPECT_EQ(c.restored_state("aggregate-0"), nullptr);
  c.set_restored(sample(3));
  ASSERT_NE(c.restored_state("limit-0"), nullptr);
  EXPECT_EQ(*c.restored_state("limit-0"), "x");
  EXPECT_EQ(c.restored_state("session-0"), nullptr);
  c.cannot_checkpoint("first");
  c.cannot_checkpoint("second");
  EXPECT_EQ(c.blocker(), "first");
}

}  // namespace
}  // namespace velo
