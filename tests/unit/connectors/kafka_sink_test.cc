#include <librdkafka/rdkafka.h>

#include <thread>

#include "kafka_test_util.h"
#include "velo/io/column_list.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

/// A batch of (id INT64, name STRING, amount DECIMAL(8,2)) rows 0..n-1.
Batch orders(int n, int first = 0) {
  SchemaPtr s = parse_column_list("id BIGINT, name STRING, amount DECIMAL(8,2)");
  auto id = Column::make(s->field(0).type);
  auto name = Column::make(s->field(1).type);
  auto amount = Column::make(s->field(2).type);
  for (int i = first; i < first + n; ++i) {
    id->append<int64_t>(i);
    if (i % 10 == 3)
      name->append_null();
    else
      name->append_string(fmt::format("n\"{}", i));
    amount->append<int128_t>(i * 100 + 5);
  }
  return Batch(s, {id, name, amount}, n);
}

class KafkaSinkTest : public KafkaTest {};

TEST_F(KafkaSinkTest, JsonWrittenIsExactlyWhatKcatReads) {
  cluster_->create_topic("out", 1);
  KafkaSink sink(uri("out"), options({{"key", "id"}}));
  Batch b = orders(50);
  sink.open(b.schema);
  sink.write(b);
  sink.write(orders(50, 50));
  sink.prepare();
  sink.commit("");
  EXPECT_EQ(sink.rows_written(), 100);
  EXPECT_EQ(sink.messages_delivered(), 100);
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    std::string name = i % 10 == 3 ? "null" : fmt::format("\"n\\\"{}\"", i);
    expected +=
        fmt::format("{}\t{{\"id\":{},\"name\":{},\"amount\":{}.{:02}}}\n", i, i, name, i, 5);
  }
  EXPECT_EQ(kcat_consume(bootstrap(), "out", "%k\\t%s\\n"), expected);
}

TEST_F(KafkaSinkTest, CompositeKeyIsAJsonObject) {
  cluster_->create_topic("ck", 1);
  KafkaSink sink(uri("ck"), options({{"key", "id, name"}, {"format", "csv"}}));
  Batch b = orders(2);
  sink.open(b.schema);
  sink.write(b);
  sink.prepare();
  EXPECT_EQ(kcat_consume(bootstrap(), "ck", "%k|%s\\n"),
            "{\"id\":0,\"name\":\"n\\\"0\"}|0,\"n\"\"0\",0.05\n"
            "{\"id\":1,\"name\":\"n\\\"1\"}|1,\"n\"\"1\",1.05\n");
}

TEST_F(KafkaSinkTest, CsvAndRawFormats) {
  cluster_->create_topic("csv", 1);
  cluster_->create_topic("raw", 1);
  KafkaSink csv(uri("csv"), options({{"format", "csv"}, {"delimiter", ";"}}));
  Batch b = orders(4);
  csv.open(b.schema);
  csv.write(b);
  csv.prepare();
  // RFC 4180: fields with quotes are quoted, quotes doubled; NULL is an empty field.
  EXPECT_EQ(kcat_consume(bootstrap(), "csv"),
            "0;\"n\"\"0\";0.05\n1;\"n\"\"1\";1.05\n2;\"n\"\"2\";2.05\n3;;3.05\n");

  KafkaSink raw(uri("raw"), options({{"format", "raw"}}));
  SchemaPtr s = parse_column_list("line STRING");
  auto c = Column::make(DataType::string());
  c->append_string("hello world");
  c->append_string("{\"x\": 1}");
  raw.open(s);
  raw.write(Batch(s, {c}, 2));
  raw.prepare();
  EXPECT_EQ(kcat_consume(bootstrap(), "raw"), "hello world\n{\"x\": 1}\n");

  KafkaSink bad(uri("raw"), options({{"format", "raw"}}));
  EXPECT_THROW(bad.open(b.schema), Error);
}

TEST_F(KafkaSinkTest, ChangelogGetsOpField) {
  cluster_->create_topic("cl", 1);
  KafkaSink sink(uri("cl"), Options());
  Batch b = orders(2);
  sink.open(b.schema);
  Batch plain = orders(1, 7);
  sink.write(plain);
  b.row_kinds = {RowKind::kUpdateBefore, RowKind::kUpdateAfter};
  sink.write(b);
  sink.prepare();
  EXPECT_EQ(kcat_consume(bootstrap(), "cl"),
            "{\"id\":7,\"name\":\"n\\\"7\",\"amount\":7.05}\n"
            "{\"id\":0,\"name\":\"n\\\"0\",\"amount\":0.05,\"_op\":\"-U\"}\n"
            "{\"id\":1,\"name\":\"n\\\"1\",\"amount\":1.05,\"_op\":\"+U\"}\n");
  KafkaSink csv(uri("cl"), options({{"format", "csv"}}));
  csv.open(b.schema);
  EXPECT_THROW(csv.write(b), Error);
}

TEST_F(KafkaSinkTest, KeyHeadersAndTimestampFromSystemColumns) {
  cluster_->create_topic("meta", 1);
  std::vector<Field> fields = {
      {"v", DataType::string(), true},
      {"_key", DataType::string(), true},
      {"_timestamp", DataType::timestamp(), true},
      {"_headers", DataType::map_of(DataType::string(), DataType::bytes()), true}};
  SchemaPtr s = std::make_shared<const Schema>(fields);
  auto v = Column::make(DataType::string());
  auto key = Column::make(DataType::string());
  auto ts = Column::make(DataType::timestamp());
  auto hdr = Column::make(fields[3].type);
  v->append_string("a");
  key->append_string("k1");
  ts->append<int64_t>(int64_t{1700000000123} * 1000);
  hdr->child(0).child(0).append_string("trace");
  hdr->child(0).child(1).append_string("xyz");
  hdr->child(0).append_struct_row();
  hdr->append_list_end();
  KafkaSink sink(uri("meta"), Options());
  sink.open(s);
  sink.write(Batch(s, {v, key, ts, hdr}, 1));
  sink.prepare();
  EXPECT_EQ(kcat_consume(bootstrap(), "meta", "%k|%T|%h|%s\\n"),
            "k1|1700000000123|trace=xyz|{\"v\":\"a\"}\n");

  // preserve_timestamps = false: the producer's clock instead.
  KafkaSink now(uri("meta"), options({{"preserve_timestamps", "false"}}));
  now.open(s);
  now.write(Batch(s, {v, key, ts, hdr}, 1));
  now.prepare();
  auto lines = lines_of(kcat_consume(bootstrap(), "meta", "%T\\n"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_GT(std::stoll(lines[1]), int64_t{1700000000123} + 1000LL * 3600 * 24 * 300);
}

TEST_F(KafkaSinkTest, RateLimit) {
  cluster_->create_topic("slow", 1);
  KafkaSink sink(uri("slow"), options({{"rate_limit", "200"}}));
  Batch b = orders(300);
  sink.open(b.schema);
  auto t0 = Clock::now();
  sink.write(b);
  sink.prepare();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  // 300 messages at 200/s with a bucket of at most one message to start: ~1.5 s.
  EXPECT_GE(secs, 1.3);
  EXPECT_LT(secs, 4);
  EXPECT_EQ(lines_of(kcat_consume(bootstrap(), "slow")).size(), 300u);
}

TEST_F(KafkaSinkTest, ProduceErrorsAreRetried) {
  cluster_->create_topic("retry", 1);
  // Produce (ApiKey 0) fails with retryable errors first; librdkafka retries, nothing is lost.
  rd_kafka_mock_push_request_errors(
      cluster_->mock(), 0, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  KafkaSink sink(uri("retry"), Options());
  Batch b = orders(20);
  sink.open(b.schema);
  sink.write(b);
  sink.prepare();
  EXPECT_EQ(lines_of(kcat_consume(bootstrap(), "retry")).size(), 20u);
}

TEST_F(KafkaSinkTest, FailedDeliveryFailsPrepare) {
  cluster_->create_topic("fail", 1);
  rd_kafka_mock_push_request_errors(cluster_->mock(), 0, 1, RD_KAFKA_RESP_ERR_INVALID_RECORD);
  KafkaSink sink(uri("fail"), Options());
  Batch b = orders(1);
  sink.open(b.schema);
  sink.write(b);
  try {
    sink.prepare();
    FAIL() << "expected a delivery error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(e.message().find("could not be delivered"), std::string::npos) << e.message();
  }
}

TEST_F(KafkaSinkTest, BrokerDownAtOpenFailsAfterConnectTimeout) {
  cluster_->create_topic("gone", 1);
  rd_kafka_mock_broker_set_down(cluster_->mock(), 1);
  KafkaSink sink(uri("gone"), options({{"connect_timeout", "1500ms"}}));
  auto t0 = Clock::now();
  try {
    sink.open(orders(1).schema);
    FAIL() << "expected an io error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(e.message().find("connect_timeout"), std::string::npos) << e.message();
  }
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(1000));
}

TEST_F(KafkaSinkTest, BrokerDownAfterOpenFailsPrepare) {
  cluster_->create_topic("gone", 1);
  KafkaSink sink(uri("gone"), options({{"kafka.message.timeout.ms", "1500"}}));
  Batch b = orders(3);
  sink.open(b.schema);
  rd_kafka_mock_broker_set_down(cluster_->mock(), 1);
  sink.write(b);
  EXPECT_THROW(sink.prepare(), Error);
}

TEST_F(KafkaSinkTest, SourceToSinkRoundTrip) {
  cluster_->create_topic("in", 2);
  cluster_->create_topic("copy", 1);
  std::vector<std::string> lines;
  for (int i = 0; i < 500; ++i) lines.push_back(fmt::format(R"({{"id":{},"v":"x{}"}})", i, i));
  kcat_produce(bootstrap(), "in", lines);
  KafkaSource source(uri("in"), options({{"until", "latest"}, {"schema", "id BIGINT, v STRING"}}));
  ScanSpec spec;
  spec.projection = {0, 1};
  source.apply(spec);
  KafkaSink sink(uri("copy"), Options());
  sink.open(source.output_schema());
  for (const auto& b : read_all(source)) sink.write(b);
  sink.prepare();
  auto got = lines_of(kcat_consume(bootstrap(), "copy"));
  std::sort(got.begin(), got.end());
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(got, lines);
}

TEST_F(KafkaSinkTest, ExactlyOnceTransactions) {
  cluster_->create_topic("in", 2);
  cluster_->create_topic("txn", 1);
  kcat_produce(bootstrap(), "in", {R"({"id": 1})", R"({"id": 2})", R"({"id": 3})"});
  KafkaSource source(uri("in"), options({{"until", "latest"},
                                         {"group_id", "velo-eos"},
                                         {"schema", "id BIGINT"},
                                         {"group_settle", "500ms"},
                                         {"kafka.session.timeout.ms", "6000"}}));
  ScanSpec spec;
  spec.projection = {0};
  source.apply(spec);
  KafkaSink sink(uri("txn"),
                 options({{"exactly_once", "true"}, {"transactional_id", "velo-test-txn"}}));
  sink.open(source.output_schema());
  sink.read_offsets_from(&source);
  for (const auto& b : read_all(source)) sink.write(b);
  std::string handle = sink.prepare();
  EXPECT_EQ(handle, "velo-test-txn");
  // (librdkafka 2.0.2's mock has no last-stable-offset: read_committed readers see an open
  // transaction's messages too, so "invisible before commit" cannot be checked here.)
  sink.commit(handle);
  source.acknowledge();
  auto lines = lines_of(run(fmt::format(
      "kcat -C -b {} -t txn -e -q -X isolation.level=read_committed 2>/dev/null", bootstrap())));
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"id\":1}", "{\"id\":2}", "{\"id\":3}"}));
  // The next transaction starts by itself; abort() ends it without an error.
  sink.write(orders(2));
  sink.abort();
}

TEST(DevKafkaClusterTest, SeveralBrokersServeKcat) {
  DevKafkaCluster cluster(3);
  std::string bs = cluster.bootstrap();
  EXPECT_EQ(std::count(bs.begin(), bs.end(), ','), 2);
  cluster.create_topic("multi", 6);
  std::string md = run(fmt::format("kcat -L -b {} -t multi 2>&1", cluster.bootstrap()));
  EXPECT_NE(md.find("3 brokers"), std::string::npos) << md;
  EXPECT_NE(md.find("6 partitions"), std::string::npos) << md;
}

}  // namespace
}  // namespace velo::kafka
