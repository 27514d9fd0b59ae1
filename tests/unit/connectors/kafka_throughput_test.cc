// Throughput of the connector alone (no SQL engine), against the in-process mock cluster.
// Disabled by default; run with --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'.
#include "kafka_test_util.h"
#include "velo/connectors/kafka/column_list.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

TEST(KafkaThroughputTest, DISABLED_SinkThenSource100ByteJson) {
  constexpr int kPartitions = 16;
  constexpr int kMessages = 320000;  // ~2 MB per partition: well under the mock's ~5 MiB retention
  DevKafkaCluster cluster(1);
  cluster.create_topic("bench", kPartitions);
  std::string uri = "kafka://" + cluster.bootstrap() + "/bench";

  // ~100-byte JSON rows: {"id":123456,"user":"user_00042","amount":1234.56,"note":"xxxxxxxx..."}
  SchemaPtr s = parse_column_list("id BIGINT, user STRING, amount DOUBLE, note STRING");
  std::vector<Batch> batches;
  for (int start = 0; start < kMessages; start += 4096) {
    int n = std::min(4096, kMessages - start);
    auto id = Column::make(DataType::int64()), user = Column::make(DataType::string()),
         amount = Column::make(DataType::float64()), note = Column::make(DataType::string());
    for (int i = start; i < start + n; ++i) {
      id->append<int64_t>(i);
      user->append_string(fmt::format("user_{:05}", i % 100000));
      amount->append<double>((i % 100000) / 100.0);
      note->append_string("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }
    batches.emplace_back(s, std::vector<ColumnPtr>{id, user, amount, note}, n);
  }
  KafkaSink sink(uri, options({{"key", "id"}}));  // keyed: spread evenly over partitions
  sink.open(s);
  auto t0 = Clock::now();
  for (const auto& b : batches) sink.write(b);
  sink.prepare();
  double sink_s = std::chrono::duration<double>(Clock::now() - t0).count();

  size_t rows = 0;
  double source_s = 0;
  for (int round = 0; round < 2; ++round) {  // the best of two: the first can pay for warm-up
    KafkaSource source(uri,
                       options({{"until", "latest"},
                                {"schema", "id BIGINT, user STRING, amount DOUBLE, note STRING"}}));
    source.schema();
    t0 = Clock::now();
    rows = 0;
    for (const auto& b : read_all(source, 120)) rows += b.num_rows;
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    fmt::print("source round {}: {:.2f}s\n", round, secs);
    source_s = round == 0 ? secs : std::min(source_s, secs);
  }
  EXPECT_EQ(rows, static_cast<size_t>(kMessages));

  KafkaSource offsets_only(uri, options({{"until", "latest"}, {"format", "raw"}}));
  ScanSpec spec;
  spec.projection = {offsets_only.schema()->find("_offset")};
  offsets_only.apply(spec);
  t0 = Clock::now();
  size_t raw_rows = 0;
  for (const auto& b : read_all(offsets_only, 120)) raw_rows += b.num_rows;
  double raw_s = std::chrono::duration<double>(Clock::now() - t0).count();

  t0 = Clock::now();
  std::string out =
      run(fmt::format("kcat -C -b {} -t bench -e -q -o beginning | wc -l", cluster.bootstrap()));
  double kcat_s = std::chrono::duration<double>(Clock::now() - t0).count();

  fmt::print("sink:   {} msgs in {:.2f}s = {:.0f} msg/s\n", kMessages, sink_s, kMessages / sink_s);
  fmt::print("source: {} msgs in {:.2f}s = {:.0f} msg/s (JSON decoded into columns)\n", rows,
             source_s, rows / source_s);
  fmt::print("source: {} msgs in {:.2f}s = {:.0f} msg/s (only _offset: no decoding)\n", raw_rows,
             raw_s, raw_rows / raw_s);
  fmt::print("kcat -C | wc -l: {} msgs in {:.2f}s = {:.0f} msg/s\n", std::stol(out), kcat_s,
             std::stol(out) / kcat_s);
}

}  // namespace
}  // namespace velo::kafka
