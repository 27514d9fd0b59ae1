// Throughput of the schema-registry formats through the connector alone (no SQL engine), against
// the in-process mock cluster. Disabled by default; run with
// --gtest_also_run_disabled_tests --gtest_filter='*RegistryThroughput*'.
#include "registry_format_test_util.h"
#include "velo/io/column_list.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

class KafkaRegistryThroughputTest : public KafkaTest,
                                    public ::testing::WithParamInterface<const char*> {
 protected:
  FakeSchemaRegistry registry_;
};

TEST_P(KafkaRegistryThroughputTest, DISABLED_SinkThenSource) {
  const std::string format = GetParam();
  constexpr int kPartitions = 8;
  constexpr int kMessages = 200000;
  cluster_->create_topic("bench", kPartitions);
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
  Options sink_options =
      options({{"key", "id"}, {"format", format}, {"schema_registry", registry_.url()}});
  KafkaSink sink(uri("bench"), sink_options);
  sink.open(s);
  auto t0 = Clock::now();
  for (const auto& b : batches) sink.write(b);
  sink.prepare();
  double sink_s = std::chrono::duration<double>(Clock::now() - t0).count();
  double source_s = 1e9;
  size_t rows = 0;
  for (int round = 0; round < 2; ++round) {  // the best of two: the first pays for warm-up
    KafkaSource source(
        uri("bench"),
        options({{"until", "latest"}, {"format", format}, {"schema_registry", registry_.url()}}));
    project_values(source, 4);
    t0 = Clock::now();
    rows = 0;
    for (const auto& b : read_all(source, 120)) rows += b.num_rows;
    source_s = std::min(source_s, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  EXPECT_EQ(rows, static_cast<size_t>(kMessages));
  fmt::print("{}: sink {:.0f} msg/s, source {:.0f} msg/s ({} messages)\n", format,
             kMessages / sink_s, kMessages / source_s, kMessages);
}

INSTANTIATE_TEST_SUITE_P(Formats, KafkaRegistryThroughputTest,
                         ::testing::Values("avro", "json", "protobuf"));

}  // namespace
}  // namespace velo::kafka
