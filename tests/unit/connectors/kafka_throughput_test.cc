// Throughput of the connector alone (no SQL engine), against the in-process mock cluster.
// Disabled by default; run with --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'.
#include "kafka_test_util.h"
#include "velo/io/column_list.h"

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

// The connector half of bench/kafka_bench.sh without the SQL engine: KafkaSource -> a filter
// (amount >= 0, keeps every row) -> KafkaSink, vs `kcat -C | kcat -P` on the same broker.
TEST(KafkaThroughputTest, DISABLED_PipelineVsKcatPipe) {
  constexpr int kPartitions = 32;
  constexpr int kMessages = 1000000;
  DevKafkaCluster cluster(1);
  for (const char* t : {"in", "pipe_out", "velo_out"}) cluster.create_topic(t, kPartitions);
  std::string bs = cluster.bootstrap();
  std::string file = temp_file("");
  run(fmt::format(
      "awk 'BEGIN {{ for (i = 0; i < {}; i++) printf "
      "\"%d:{{\\\"id\\\":%d,\\\"user\\\":\\\"user_%05d\\\",\\\"amount\\\":%d.%02d,"
      "\\\"note\\\":\\\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\\"}}\\n\", i, i, i % 100000, "
      "i % 1000, i % 100 }}' > {} && kcat -P -b {} -t in -K: -l {}",
      kMessages, file, bs, file));
  unlink(file.c_str());

  auto t0 = Clock::now();
  run(fmt::format("kcat -C -b {} -t in -e -q -f '%k:%s\\n' | kcat -P -b {} -t pipe_out -K:", bs, bs));
  double pipe_s = std::chrono::duration<double>(Clock::now() - t0).count();

  t0 = Clock::now();
  KafkaSource source("kafka://" + bs + "/in",
                     options({{"until", "latest"},
                              {"schema", "id BIGINT, user STRING, amount DECIMAL(10,2), note STRING"}}));
  ScanSpec spec;
  spec.projection = {0, 1, 2, 3};
  source.apply(spec);
  KafkaSink sink("kafka://" + bs + "/velo_out", options({{"key", "id"}}));
  sink.open(source.output_schema());
  auto readers = source.open(1);
  std::vector<uint32_t> sel;
  size_t rows = 0;
  while (true) {
    Batch b;
    PollStatus st = readers[0]->next(&b, Clock::now() + std::chrono::milliseconds(100));
    if (st == PollStatus::kEnd) break;
    if (st != PollStatus::kBatch) continue;
    sel.clear();
    const Column& amount = b.column(2);
    for (size_t i = 0; i < b.num_rows; ++i)
      if (!amount.is_null(i) && amount.value<int128_t>(i) >= 0) sel.push_back(static_cast<uint32_t>(i));
    Batch kept = gather(b, sel.data(), sel.size());
    sink.write(kept);
    rows += kept.num_rows;
  }
  sink.prepare();
  double velo_s = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_EQ(rows, static_cast<size_t>(kMessages));
  fmt::print("kcat | kcat:          {} msgs in {:.2f}s = {:.0f} msg/s\n", kMessages, pipe_s, kMessages / pipe_s);
  fmt::print("source->filter->sink: {} msgs in {:.2f}s = {:.0f} msg/s ({:.0f}% of the pipe)\n", rows,
             velo_s, rows / velo_s, 100 * pipe_s / velo_s);
}

}  // namespace
}  // namespace velo::kafka
