// Checkpoints of the Kafka source: SourceReader::position() and Source::restore().
#include <set>

#include "../kafka_test_util.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

class KafkaCheckpointTest : public KafkaTest {
 protected:
  /// 1000 messages {"id": i} over 3 partitions, in small record batches (so that a reader's
  /// batches are small too and a checkpoint falls in the middle of every partition).
  void fill(const std::string& topic) {
    cluster_->create_topic(topic, 3);
    std::string text;
    for (int i = 0; i < 1000; ++i) text += fmt::format("k{}:{{\"id\": {}}}\n", i, i);
    std::string file = temp_file(text);
    run(fmt::format("kcat -P -b {} -t {} -K: -X linger.ms=0 -X batch.num.messages=10 -l {} 2>&1",
                    bootstrap(), topic, file));
    unlink(file.c_str());
  }

  Options source_options(const std::string& group, bool until_latest) {
    Options o = options({{"schema", "id BIGINT"},
                         // One record batch per partition per fetch: small reader batches.
                         {"kafka.max.partition.fetch.bytes", "512"},
                         {"group_settle", "1s"}});
    if (!group.empty()) o.set("group_id", group);
    if (until_latest) o.set("until", "latest");
    return o;
  }

  /// Reads batches until at least `rows` ids came; appends them to `ids`.
  static void read_at_least(SourceReader& r, size_t rows, std::vector<int64_t>* ids) {
    auto stop = Clock::now() + std::chrono::seconds(30);
    size_t start = ids->size();
    while (ids->size() - start < rows && Clock::now() < stop) {
      Batch b;
      if (r.next(&b, Clock::now() + std::chrono::milliseconds(200)) != PollStatus::kBatch) continue;
      for (size_t i = 0; i < b.num_rows; ++i) ids->push_back(b.columns[0]->value_at(i).as_int());
    }
    ASSERT_GE(ids->size() - start, rows) << "timed out";
  }

  /// Produce 1000, read >= 400, take the position, read on to >= 700 (and, with a group,
  /// commit that), then a new source restored from the position reads exactly the rest: the
  /// group's commits past the checkpoint do not count, for partitions the position names or not.
  void resumes_exactly_after_the_checkpoint(const std::string& group) {
    fill("cp");
    std::vector<int64_t> before;
    std::string position;
    {
      KafkaSource first(uri("cp"), source_options(group, false));
      EXPECT_TRUE(first.can_checkpoint());
      first.apply(ScanSpec{{0}});
      auto readers = first.open(1);
      read_at_least(*readers[0], 400, &before);
      position = readers[0]->position();
      std::vector<int64_t> after_checkpoint;
      read_at_least(*readers[0], 300, &after_checkpoint);
      // Committed offsets past the checkpoint must not win over it.
      first.acknowledge();
    }
    ASSERT_LT(before.size(), 1000u) << "the checkpoint should fall mid-stream";
    // "cp:0:123,cp:1:334,...": the partitions handed out of or held by the reader.
    EXPECT_EQ(position.rfind("cp:", 0), 0u) << position;
    KafkaSource second(uri("cp"), source_options(group, true));
    second.restore({position});
    second.apply(ScanSpec{{0}});
    auto batches = read_all(second);
    std::vector<int64_t> rest;
    for (const auto& b : batches)
      for (size_t i = 0; i < b.num_rows; ++i) rest.push_back(b.columns[0]->value_at(i).as_int());
    EXPECT_EQ(before.size() + rest.size(), 1000u)
        << before.size() << " before the checkpoint, " << rest.size() << " after it";
    std::set<int64_t> all(before.begin(), before.end());
    all.insert(rest.begin(), rest.end());
    EXPECT_EQ(all.size(), 1000u) << "no id lost, none read twice";
  }
};

TEST_F(KafkaCheckpointTest, RestoreResumesExactlyAfterThePositions) {
  resumes_exactly_after_the_checkpoint("");
}

TEST_F(KafkaCheckpointTest, RestoreWinsOverTheGroupsCommittedOffsets) {
  resumes_exactly_after_the_checkpoint("velo-cp");
}

TEST_F(KafkaCheckpointTest, PositionsOfTheOneTopicFormAndUnknownPartitions) {
  cluster_->create_topic("one", 2);
  kcat_produce(bootstrap(), "one", {R"({"id": 1})", R"({"id": 2})", R"({"id": 3})"}, false, 0);
  kcat_produce(bootstrap(), "one", {R"({"id": 4})"}, false, 1);
  // "p:offset" (as in `start`) is understood for a one-topic source; partition 1 is not named,
  // so it starts per `start` (earliest); another reader's kNoPosition adds nothing.
  KafkaSource s(uri("one"), source_options("", true));
  s.restore({"0:2", std::string(kNoPosition)});
  s.apply(ScanSpec{{0}});
  std::vector<std::string> rows = rows_of(read_all(s));
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{"3", "4"}));

  KafkaSource two("kafka://" + bootstrap() + "/one,other", options({{"schema", "id BIGINT"}}));
  EXPECT_THROW(two.restore({"0:2"}), Error) << "several topics need 'topic:p:offset'";
  KafkaSource bad(uri("one"), options({{"schema", "id BIGINT"}}));
  EXPECT_THROW(bad.restore({"latest"}), Error);
}

}  // namespace
}  // namespace velo::kafka
