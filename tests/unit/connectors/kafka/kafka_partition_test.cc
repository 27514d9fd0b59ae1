// Per-partition batches of the Kafka reader: what event-time watermarks are tracked by.
#include <set>

#include "../kafka_test_util.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

class KafkaPartitionTest : public KafkaTest {
 protected:
  /// `n` messages {"id": first + i} on `partition`.
  void produce(const std::string& topic, int partition, int first, int n) {
    std::vector<std::string> lines;
    for (int i = first; i < first + n; ++i) lines.push_back(fmt::format(R"({{"id": {}}})", i));
    kcat_produce(bootstrap(), topic, lines, false, partition);
  }

  static bool all_idle(const SourceReader& r) {
    for (int32_t p : r.partitions())
      if (!r.partition_idle(p)) return false;
    return true;
  }

  /// Reads until `rows` rows came and every partition is idle (at its end); checks that every
  /// batch holds one partition's messages and says which. Returns the rows per partition.
  std::map<int32_t, int> read_until_idle(SourceReader& r, size_t rows) {
    std::map<int32_t, int> per_partition;
    size_t got = 0;
    auto stop = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < stop && !(got >= rows && all_idle(r))) {
      Batch b;
      if (r.next(&b, Clock::now() + std::chrono::milliseconds(200)) != PollStatus::kBatch) continue;
      got += b.num_rows;
      for (size_t i = 0; i < b.num_rows; ++i)
        EXPECT_EQ(b.columns[1]->value_at(i).to_string(), std::to_string(b.partition % (1 << 20)))
            << "a batch of partition " << b.partition << " holds a message of another one";
      per_partition[b.partition] += static_cast<int>(b.num_rows);
    }
    EXPECT_EQ(got, rows);
    EXPECT_TRUE(all_idle(r)) << "every partition was read to its end";
    return per_partition;
  }

  static void project_id_and_partition(Source& s) {
    ScanSpec spec;
    spec.projection = {s.schema()->find("id"), s.schema()->find("_partition")};
    s.apply(spec);
  }
};

TEST_F(KafkaPartitionTest, BatchesHoldOnePartitionAndEndedPartitionsAreIdle) {
  cluster_->create_topic("p3", 3);
  for (int p = 0; p < 3; ++p) produce("p3", p, p * 1000, 100 + 50 * p);
  KafkaSource source(uri("p3"), options({{"schema", "id BIGINT"}}));
  project_id_and_partition(source);
  auto readers = source.open(1);
  SourceReader& r = *readers[0];
  EXPECT_EQ(r.partitions(), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_FALSE(r.partition_idle(2)) << "nothing read yet";
  EXPECT_EQ(read_until_idle(r, 450), (std::map<int32_t, int>{{0, 100}, {1, 150}, {2, 200}}));

  // New messages on partition 1 end its idleness until they are read; the others stay idle.
  produce("p3", 1, 5000, 7);
  EXPECT_EQ(read_until_idle(r, 7), (std::map<int32_t, int>{{1, 7}}));
  EXPECT_TRUE(r.partition_idle(0));
}

TEST_F(KafkaPartitionTest, PartitionsOfSeveralTopicsStayApart) {
  cluster_->create_topic("ta", 2);
  cluster_->create_topic("tb", 1);
  produce("ta", 0, 0, 10);
  produce("ta", 1, 100, 20);
  produce("tb", 0, 200, 30);
  KafkaSource source("kafka://" + bootstrap() + "/ta,tb", options({{"schema", "id BIGINT"}}));
  project_id_and_partition(source);
  auto readers = source.open(1);
  EXPECT_EQ(readers[0]->partitions(), (std::vector<int32_t>{0, 1, 1 << 20}));
  EXPECT_EQ(read_until_idle(*readers[0], 60),
            (std::map<int32_t, int>{{0, 10}, {1, 20}, {1 << 20, 30}}));
}

TEST_F(KafkaPartitionTest, UntilLatestEndsEveryPartitionAsIdle) {
  cluster_->create_topic("b", 2);
  produce("b", 0, 0, 5);
  KafkaSource source(uri("b"), options({{"schema", "id BIGINT"}, {"until", "latest"}}));
  project_id_and_partition(source);
  auto readers = source.open(1);
  SourceReader& r = *readers[0];
  EXPECT_TRUE(r.partition_idle(1)) << "an empty partition is done at once";
  EXPECT_FALSE(r.partition_idle(0));
  size_t rows = 0;
  Batch b;
  auto stop = Clock::now() + std::chrono::seconds(30);
  PollStatus s;
  while ((s = r.next(&b, Clock::now() + std::chrono::milliseconds(200))) != PollStatus::kEnd &&
         Clock::now() < stop)
    if (s == PollStatus::kBatch) rows += b.num_rows;
  EXPECT_EQ(rows, 5u);
  EXPECT_TRUE(all_idle(r));
  // Partition 1 is named too when its end event came before the reader ended.
  EXPECT_EQ(r.position().rfind("b:0:5", 0), 0u) << r.position();
}

TEST_F(KafkaPartitionTest, PartitionsFollowARebalance) {
  cluster_->create_topic("g", 4);
  for (int p = 0; p < 4; ++p) produce("g", p, p * 100, 10);
  Options o = options({{"schema", "id BIGINT"}, {"group_id", "velo-rebalance"}});
  KafkaSource a(uri("g"), o), b(uri("g"), o);
  auto ra = a.open(1);
  auto poll_until = [](const std::vector<SourceReader*>& readers, auto done) {
    auto stop = Clock::now() + std::chrono::seconds(40);
    while (!done() && Clock::now() < stop)
      for (SourceReader* r : readers) {
        Batch batch;
        r->next(&batch, Clock::now() + std::chrono::milliseconds(100));
      }
    return done();
  };
  EXPECT_TRUE(poll_until({ra[0].get()}, [&] { return ra[0]->partitions().size() == 4; }))
      << "a alone gets every partition";
  auto rb = b.open(1);
  // b joins: the partitions are split between both members, each has some, none has one twice.
  EXPECT_TRUE(poll_until({ra[0].get(), rb[0].get()},
                         [&] {
                           auto pa = ra[0]->partitions(), pb = rb[0]->partitions();
                           std::set<int32_t> all(pa.begin(), pa.end());
                           all.insert(pb.begin(), pb.end());
                           return !pa.empty() && !pb.empty() && pa.size() + pb.size() == 4 &&
                                  all.size() == 4;
                         }))
      << "a: " << ra[0]->partitions().size() << ", b: " << rb[0]->partitions().size();
}

}  // namespace
}  // namespace velo::kafka
