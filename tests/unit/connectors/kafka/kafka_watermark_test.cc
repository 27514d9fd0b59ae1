// Event-time windows over a 3-partition Kafka topic, through the engine: the watermark is the
// minimum over the partitions that are not at their end.
#include <map>

#include "../kafka_test_util.h"
#include "velo/exec/stream_context.h"
#include "velo/runtime/engine.h"
#include "velo/runtime/job.h"
#include "velo/sql/parser/parser.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

/// Two brokers: partitions 0 and 1 on broker 1, partition 2 on broker 2, which can be slowed
/// down (its fetch responses then come late: partition 2 lags behind the others).
class KafkaWatermarkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<DevKafkaCluster>(2);
    cluster_->create_topic("bids", 3);
    for (int p = 0; p < 3; ++p)
      rd_kafka_mock_partition_set_leader(cluster_->mock(), "bids", p, p < 2 ? 1 : 2);
    EngineOptions options;
    options.parallelism = 1;
    options.detach_streaming_jobs = true;
    engine_ = std::make_unique<Engine>(options);
  }

  /// One message per second of event time from `from_s` to `to_s` (exclusive) on `partition`.
  void produce(int partition, int from_s, int to_s) {
    std::vector<std::string> lines;
    for (int s = from_s; s < to_s; ++s)
      lines.push_back(fmt::format(R"({{"p": {}, "ts": "2024-01-01 00:{:02}:{:02}"}})", partition,
                                  s / 60, s % 60));
    kcat_produce(cluster_->bootstrap(), "bids", lines, false, partition);
  }

  void run(const std::string& sql) {
    for (const auto& s : sql::parse_script(sql)) engine_->execute(*s);
  }

  /// Emitted windows: "HH:MM:SS" of the window start -> count.
  std::map<std::string, int64_t> windows() {
    std::map<std::string, int64_t> out;
    for (const auto& b : engine_->jobs().at(0)->results())
      for (size_t r = 0; r < b.num_rows; ++r) {
        std::string start = b.columns[0]->value_at(r).to_string();
        out[start.substr(start.size() - 8)] += b.columns[1]->value_at(r).as_int();
      }
    return out;
  }

  /// Steps the job until `count` windows were emitted (or 30 s passed).
  std::map<std::string, int64_t> step_until(size_t count) {
    auto stop = Clock::now() + std::chrono::seconds(30);
    while (windows().size() < count && Clock::now() < stop) engine_->step_jobs();
    return windows();
  }

  std::unique_ptr<DevKafkaCluster> cluster_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(KafkaWatermarkTest, LaggingPartitionHoldsWindowsBackAndEndedPartitionsDoNot) {
  for (int p = 0; p < 3; ++p) produce(p, 0, 60);
  // Partition 2's data is on the broker but reaches the consumer ~1 s after the others: a
  // watermark over all partitions at once would close the first windows without it.
  rd_kafka_mock_broker_set_rtt(cluster_->mock(), 2, 1000);
  run(fmt::format(
      "CREATE SOURCE bids (p INT, ts TIMESTAMP) WITH (uri = 'kafka://{}/bids', event_time = 'ts');"
      "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), "
      "INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
      cluster_->bootstrap()));
  // Watermark 00:00:59 (every partition at its end) closes the windows up to 00:00:50.
  std::map<std::string, int64_t> want = {
      {"00:00:00", 30}, {"00:00:10", 30}, {"00:00:20", 30}, {"00:00:30", 30}, {"00:00:40", 30}};
  EXPECT_EQ(step_until(5), want) << "each window holds the rows of all three partitions";
  EXPECT_EQ(engine_->jobs()[0]->context().late_rows_dropped, 0);

  // Only partition 0 goes on; 1 and 2 stay at their end, idle, and do not hold time back.
  rd_kafka_mock_broker_set_rtt(cluster_->mock(), 2, 0);
  produce(0, 60, 120);
  want["00:00:50"] = 30;
  for (const char* w : {"00:01:00", "00:01:10", "00:01:20", "00:01:30", "00:01:40"}) want[w] = 10;
  EXPECT_EQ(step_until(11), want);
  EXPECT_EQ(engine_->jobs()[0]->context().late_rows_dropped, 0);
  engine_->kill_jobs();
}

}  // namespace
}  // namespace velo::kafka
