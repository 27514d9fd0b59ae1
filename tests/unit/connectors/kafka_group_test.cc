#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "kafka_test_util.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

TEST(DevKafkaCommandTest, RunsUntilSigtermAndWritesBootstrapFile) {
  std::string file = fmt::format("/tmp/velo_dev_kafka_{}.txt", getpid());
  std::filesystem::remove(file);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 1;
    try {
      code = run_dev_kafka({"--brokers", "2", "--topic", "events:3", "--bootstrap-file", file});
    } catch (...) {
    }
    _exit(code);
  }
  auto stop = Clock::now() + std::chrono::seconds(15);
  while (!std::filesystem::exists(file) && Clock::now() < stop)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(std::filesystem::exists(file));
  std::string bootstrap;
  std::ifstream(file) >> bootstrap;
  EXPECT_EQ(bootstrap.rfind("127.0.0.1:", 0), 0u) << bootstrap;
  std::string md = run(fmt::format("kcat -L -b {} -t events 2>&1", bootstrap));
  EXPECT_NE(md.find("2 brokers"), std::string::npos) << md;
  EXPECT_NE(md.find("3 partitions"), std::string::npos) << md;
  kill(child, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(std::filesystem::exists(file));  // removed on the way out
}

TEST(KafkaGroupTest, TwoMembersOfAGroupSplitSixPartitions) {
  DevKafkaCluster cluster(1);
  cluster.create_topic("split", 6);
  std::string uri = "kafka://" + cluster.bootstrap() + "/split";
  Options o = options({{"group_id", "velo-split"},
                       {"schema", "id BIGINT"},
                       {"kafka.session.timeout.ms", "6000"},
                       {"kafka.heartbeat.interval.ms", "500"}});
  KafkaSource a(uri, o), b(uri, o);
  ScanSpec spec;
  spec.projection = {0};
  a.apply(spec);
  b.apply(spec);
  auto ra = a.open(1);
  auto rb = b.open(1);
  std::multiset<int64_t> got_a, got_b;
  auto poll = [](SourceReader& r, std::multiset<int64_t>* got) {
    Batch batch;
    if (r.next(&batch, Clock::now() + std::chrono::milliseconds(100)) == PollStatus::kBatch)
      for (size_t i = 0; i < batch.num_rows; ++i) got->insert(batch.columns[0]->value<int64_t>(i));
  };
  // Let both members join and the group settle before data arrives.
  auto settle = Clock::now() + std::chrono::seconds(8);
  while (Clock::now() < settle) {
    poll(*ra[0], &got_a);
    poll(*rb[0], &got_b);
  }
  std::vector<std::string> lines;
  for (int i = 0; i < 600; ++i) lines.push_back(fmt::format(R"({{"id": {}}})", i));
  kcat_produce(cluster.bootstrap(), "split", lines);
  auto stop = Clock::now() + std::chrono::seconds(30);
  while (got_a.size() + got_b.size() < 600 && Clock::now() < stop) {
    poll(*ra[0], &got_a);
    poll(*rb[0], &got_b);
  }
  EXPECT_GT(got_a.size(), 0u);
  EXPECT_GT(got_b.size(), 0u);
  std::set<int64_t> all(got_a.begin(), got_a.end());
  all.insert(got_b.begin(), got_b.end());
  EXPECT_EQ(all.size(), 600u);
  EXPECT_EQ(got_a.size() + got_b.size(), 600u);  // a stable group reads each message once
  a.acknowledge();
  b.acknowledge();
}

}  // namespace
}  // namespace velo::kafka
