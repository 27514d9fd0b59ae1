// Consumer-group rebalances lose nothing: offsets are committed only by acknowledge() (after the
// engine's sinks committed), a revoked partition's rows that were handed out but not acknowledged
// are read again by its next owner, and rows buffered for it are dropped, not handed out.
#include <map>
#include <set>

#include "../kafka_test_util.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;
using Row = std::pair<int32_t, int64_t>;  // partition, offset

/// "p:offset,..." (one topic) -> partition -> offset.
std::map<int32_t, int64_t> parse_positions(const std::string& text) {
  std::map<int32_t, int64_t> out;
  for (const auto& e : parse_start_position(text.empty() ? "earliest" : text).offsets)
    out[e.partition] = e.offset;
  return out;
}

/// The group's committed next offsets, read by a separate consumer (not a member) as the next
/// owner of a partition sees them.
std::map<int32_t, int64_t> group_commits(const std::string& bootstrap, const std::string& group,
                                         int partitions) {
  HandlePtr rk = make_handle(RD_KAFKA_CONSUMER, make_conf(bootstrap, {{"group.id", group}}, {}));
  auto list = make_partition_list(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list.get(), "rb", p);
  EXPECT_EQ(rd_kafka_committed(rk.get(), list.get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::map<int32_t, int64_t> out;
  for (int p = 0; p < partitions; ++p) out[p] = std::max<int64_t>(list->elems[p].offset, 0);
  rd_kafka_consumer_close(rk.get());
  return out;
}

/// One member of the group as an engine would drive it: every batch goes to a "sink" (the rows
/// seen), and acknowledge() follows every `ack_every` batches (the sink committed them).
struct Member {
  Member(const std::string& uri, const Options& o, int ack_every)
      : source(uri, o), ack_every(ack_every) {
    ScanSpec spec;
    spec.projection = {source.schema()->find("id"), source.schema()->find("_partition"),
                       source.schema()->find("_offset")};
    source.apply(spec);
    readers = source.open(1);
  }

  /// One next() call; true when it revoked partitions (before the batch it returned was made).
  bool poll() {
    Batch b;
    PollStatus s = readers[0]->next(&b, Clock::now() + std::chrono::milliseconds(100));
    bool revoked = source.revocations() != revocations;
    revocations = source.revocations();
    if (s != PollStatus::kBatch) return revoked;
    auto owned = readers[0]->partitions();
    std::set<int32_t> mine(owned.begin(), owned.end());
    if (!mine.count(b.partition)) ++foreign_batches;  // a revoked partition's buffered rows
    for (size_t i = 0; i < b.num_rows; ++i) {
      ids.insert(b.columns[0]->value<int64_t>(i));
      rows.emplace_back(b.columns[1]->value<int32_t>(i), b.columns[2]->value<int64_t>(i));
    }
    if (++batches % ack_every == 0) {
      source.acknowledge();
      acked = parse_positions(source.position());
    }
    return revoked;
  }

  /// Rows handed out at or after `commits`: what the partitions' next owners may read again.
  size_t uncommitted(const std::map<int32_t, int64_t>& commits) const {
    size_t n = 0;
    for (const auto& [p, off] : rows)
      if (off >= commits.at(p)) ++n;
    return n;
  }

  KafkaSource source;
  int ack_every;
  std::vector<std::unique_ptr<SourceReader>> readers;
  std::set<int64_t> ids;
  std::vector<Row> rows;
  std::map<int32_t, int64_t> acked;  // next offsets acknowledged by the last acknowledge()
  int batches = 0;
  int foreign_batches = 0;
  int revocations = 0;
};

/// The assignment strategy: eager (every partition is revoked, then some given back) or
/// cooperative (only the partitions that move are revoked).
class KafkaRebalanceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(KafkaRebalanceTest, RevokedPartitionsAreReadAgainFromTheLastCommitAndNothingIsLost) {
  DevKafkaCluster cluster(1);
  cluster.create_topic("rb", 4);
  constexpr int kPerPartition = 10000, kPartitions = 4, kTotal = kPerPartition * kPartitions;
  for (int p = 0; p < kPartitions; ++p) {
    std::vector<std::string> lines;
    for (int i = 0; i < kPerPartition; ++i)
      lines.push_back(fmt::format(R"({{"id": {}}})", p * kPerPartition + i));
    kcat_produce(cluster.bootstrap(), "rb", lines, false, p);
  }
  std::string uri = "kafka://" + cluster.bootstrap() + "/rb";
  std::string strategy = GetParam();
  std::string group = "velo-rebalance-" + strategy;
  Options o = options({{"group_id", group},
                       {"schema", "id BIGINT"},
                       {"kafka.partition.assignment.strategy", strategy},
                       {"kafka.session.timeout.ms", "6000"},
                       {"kafka.heartbeat.interval.ms", "500"}});
  // a is slow (its sink takes a while per batch) and acknowledges every second batch, so the
  // rebalance finds it with acknowledged and unacknowledged rows.
  Member a(uri, o, 2);
  auto stop = Clock::now() + std::chrono::seconds(60);
  while (a.batches < 2 && Clock::now() < stop) a.poll();
  ASSERT_EQ(a.readers[0]->partitions().size(), 4u) << "a alone owns every partition";
  ASSERT_LT(a.ids.size(), static_cast<size_t>(kTotal) / 2) << "not mid-stream";

  Member b(uri, o, 1);  // joins: the group rebalances
  // At every revocation: the group's commits then, and how many handed-out rows were above them.
  std::map<int32_t, int64_t> first_commits, acked_at_first;
  size_t may_repeat = 0;
  int revocations = 0;
  auto on_revocation = [&] {
    auto commits = group_commits(cluster.bootstrap(), group, kPartitions);
    may_repeat += a.uncommitted(commits) + b.uncommitted(commits);
    if (revocations++ == 0) {
      first_commits = commits;
      acked_at_first = a.acked;
    }
  };
  while (Clock::now() < stop) {
    size_t a_before = a.rows.size();
    if (a.poll()) on_revocation();
    if (a.rows.size() != a_before) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    while (true) {
      size_t before = b.rows.size();
      if (b.poll()) on_revocation();
      if (b.rows.size() == before) break;
    }
    std::set<int64_t> all = a.ids;
    all.insert(b.ids.begin(), b.ids.end());
    if (revocations > 0 && all.size() == static_cast<size_t>(kTotal)) break;
  }
  a.source.acknowledge();
  b.source.acknowledge();
  ASSERT_GT(revocations, 0) << "no rebalance took partitions from a";
  EXPECT_GT(b.rows.size(), 0u);

  // Nothing lost: every message reached one of the sinks.
  std::set<int64_t> all = a.ids;
  all.insert(b.ids.begin(), b.ids.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kTotal));
  // Nothing of a revoked partition was handed out after the revocation.
  EXPECT_EQ(a.foreign_batches, 0);
  EXPECT_EQ(b.foreign_batches, 0);
  // Never was an offset committed that the sink had not acknowledged.
  for (const auto& [p, committed] : first_commits) {
    int64_t acked = acked_at_first.count(p) ? acked_at_first[p] : 0;
    EXPECT_LE(committed, acked) << "partition " << p << " committed past what was acknowledged";
  }
  // What is read twice was not committed at a revocation: nothing below the first revocation's
  // commits came twice, and the rows above the commits of each revocation bound the duplicates.
  std::map<Row, int> seen;
  for (const auto& r : a.rows) ++seen[r];
  for (const auto& r : b.rows) ++seen[r];
  size_t duplicates = 0, below_commit = 0;
  std::string first_below;
  for (const auto& [row, n] : seen) {
    if (n < 2) continue;
    duplicates += n - 1;
    if (row.second < first_commits[row.first] && !below_commit++)
      first_below = fmt::format("partition {} offset {}", row.first, row.second);
  }
  EXPECT_EQ(below_commit, 0u) << first_below << " was committed yet read again";
  EXPECT_LE(duplicates, may_repeat);
  std::string acked_text, commit_text;
  for (const auto& [p, off] : acked_at_first) acked_text += fmt::format(" {}:{}", p, off);
  for (const auto& [p, off] : first_commits) commit_text += fmt::format(" {}:{}", p, off);
  std::printf(
      "rebalance (%s): %d revocations; a %zu rows, b %zu rows, %zu duplicates (bound %zu); at the "
      "first revocation a had acknowledged%s and the group had committed%s\n",
      strategy.c_str(), revocations, a.rows.size(), b.rows.size(), duplicates, may_repeat,
      acked_text.c_str(), commit_text.c_str());
}

INSTANTIATE_TEST_SUITE_P(Strategies, KafkaRebalanceTest,
                         ::testing::Values("range,roundrobin", "cooperative-sticky"),
                         [](const auto& info) {
                           return std::string(info.index == 0 ? "Eager" : "Cooperative");
                         });

}  // namespace
}  // namespace velo::kafka
