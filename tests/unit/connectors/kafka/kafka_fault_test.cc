// Faults injected into the mock cluster (rd_kafka_mock_push_request_errors) around what
// at-least-once depends on: committing offsets and writing dead letters before them.
#include "../kafka_test_util.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

constexpr int16_t kProduceApi = 0;
constexpr int16_t kOffsetCommitApi = 8;

class KafkaFaultTest : public KafkaTest {
 protected:
  void produce(const std::string& topic, const std::vector<std::string>& lines) {
    cluster_->create_topic(topic, 1);
    kcat_produce(bootstrap(), topic, lines);
  }

  /// The group's committed next offset of partition 0 (-1001 when none), read by a separate
  /// consumer as the next owner of the partition would.
  int64_t committed(const std::string& group, const std::string& topic) {
    HandlePtr rk =
        make_handle(RD_KAFKA_CONSUMER, make_conf(bootstrap(), {{"group.id", group}}, {}));
    auto list = make_partition_list(1);
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), 0);
    EXPECT_EQ(rd_kafka_committed(rk.get(), list.get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    int64_t off = list->elems[0].offset;
    rd_kafka_consumer_close(rk.get());
    return off;
  }

  /// Reads `rows` rows of a group member (unbounded) and returns how many came.
  static size_t read_rows(SourceReader& r, size_t rows) {
    size_t got = 0;
    auto stop = Clock::now() + std::chrono::seconds(30);
    while (got < rows && Clock::now() < stop) {
      Batch b;
      if (r.next(&b, Clock::now() + std::chrono::milliseconds(100)) == PollStatus::kBatch)
        got += b.num_rows;
    }
    return got;
  }

  Options group_options(const std::string& group) {
    return options({{"group_id", group},
                    {"schema", "id BIGINT"},
                    {"kafka.session.timeout.ms", "6000"},
                    {"kafka.heartbeat.interval.ms", "500"}});
  }
};

std::vector<std::string> ids(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(fmt::format(R"({{"id": {}}})", i));
  return out;
}

TEST_F(KafkaFaultTest, CommitErrorsAreRetriedAndPersistentOnesFailWithoutCommitting) {
  produce("c", ids(20));
  KafkaSource s(uri("c"), group_options("velo-commit-faults"));
  auto readers = s.open(1);
  ASSERT_EQ(read_rows(*readers[0], 10), 20u);
  // A coordinator loading for a moment: the commit goes through after retries.
  rd_kafka_mock_push_request_errors(cluster_->mock(), kOffsetCommitApi, 2,
                                    RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                                    RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
  s.acknowledge();
  EXPECT_EQ(committed("velo-commit-faults", "c"), 20);

  kcat_produce(bootstrap(), "c", ids(5));
  ASSERT_EQ(read_rows(*readers[0], 5), 5u);
  // Not authorized: no retry, a user error naming the group, and nothing committed.
  rd_kafka_mock_push_request_errors(cluster_->mock(), kOffsetCommitApi, 1,
                                    RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED);
  try {
    s.acknowledge();
    FAIL() << "the commit was refused, acknowledge() must say so";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser) << e.message();
    EXPECT_NE(e.message().find("velo-commit-faults"), std::string::npos) << e.message();
  }
  EXPECT_EQ(committed("velo-commit-faults", "c"), 20);  // the next owner re-reads 20..24
  s.acknowledge();  // the fault is gone: the same offsets commit now
  EXPECT_EQ(committed("velo-commit-faults", "c"), 25);
}

TEST_F(KafkaFaultTest, DeadLettersThatCannotBeWrittenBlockTheCommit) {
  produce("dl", {R"({"id": 1})", R"({"id": oops})", R"({"id": 3})"});
  cluster_->create_topic("dl-dead", 1);
  Options o = group_options("velo-dlq-faults");
  o.set("on_error", "dlq");
  o.set("dlq", uri("dl-dead"));
  o.set("kafka.message.timeout.ms", "3000");
  KafkaSource s(uri("dl"), o);
  // Every produce request of the dead-letter producer is refused.
  std::vector<rd_kafka_resp_err_t> refusals(50, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  rd_kafka_mock_push_request_errors_array(cluster_->mock(), kProduceApi, refusals.size(),
                                          refusals.data());
  auto readers = s.open(1);
  ASSERT_EQ(read_rows(*readers[0], 2), 2u);
  EXPECT_EQ(s.rows_rejected(), 1);
  try {
    s.acknowledge();
    FAIL() << "a dead letter was lost, acknowledge() must not commit past it";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("dl-dead"), std::string::npos) << e.message();
  }
  EXPECT_LT(committed("velo-dlq-faults", "dl"), 0) << "nothing may be committed";
}

}  // namespace
}  // namespace velo::kafka
