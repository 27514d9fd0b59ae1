#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <set>
#include <thread>

#include "kafka_test_util.h"
#include "velo/connectors/registry.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;
using Clock = std::chrono::steady_clock;

class KafkaSourceTest : public KafkaTest {
 protected:
  /// 3-partition topic with `n` JSON messages keyed k<i>, produced by kcat.
  void fill_json(const std::string& topic, int n, int partitions = 3) {
    cluster_->create_topic(topic, partitions);
    std::vector<std::string> lines;
    for (int i = 0; i < n; ++i)
      lines.push_back(
          fmt::format(R"(k{}:{{"id": {}, "name": "n{}", "amount": {}.5}})", i, i, i, i));
    kcat_produce(bootstrap(), topic, lines, /*keyed=*/true);
  }
};

TEST_F(KafkaSourceTest, ReadsKcatJsonUntilLatestWithInferredSchema) {
  fill_json("orders", 100);
  KafkaSource source(uri("orders"), options({{"until", "latest"}}));
  SchemaPtr s = source.schema();
  ASSERT_EQ(s->field(0).name, "id");
  EXPECT_EQ(s->field(0).type, DataType::int64());
  EXPECT_EQ(s->field(1).type, DataType::string());
  EXPECT_EQ(s->field(2).type, DataType::float64());
  EXPECT_TRUE(source.capabilities().bounded);
  ScanSpec spec;
  spec.projection = {s->find("id"),         s->find("name"),    s->find("amount"), s->find("_key"),
                     s->find("_partition"), s->find("_offset"), s->find("_topic")};
  source.apply(spec);
  auto rows = rows_of(read_all(source));
  ASSERT_EQ(rows.size(), 100u);
  std::set<std::string> got(rows.begin(), rows.end());
  // Every produced message came back, with its key, once.
  std::set<std::string> ids;
  for (const auto& r : rows) ids.insert(r.substr(0, r.find('|')));
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_NE(std::find_if(rows.begin(), rows.end(),
                         [](const std::string& r) { return r.rfind("42|n42|42.5|k42|", 0) == 0; }),
            rows.end());
  EXPECT_EQ(source.progress().rows, 100);
}

TEST_F(KafkaSourceTest, DeclaredSchemaCsvAndRawFormats) {
  cluster_->create_topic("csv", 1);
  kcat_produce(bootstrap(), "csv", {"1,alice,10.25", "2,bob,3"});
  KafkaSource csv(uri("csv"), options({{"until", "latest"},
                                       {"format", "csv"},
                                       {"schema", "id INT, name STRING, amount DECIMAL(8,2)"}}));
  ScanSpec spec;
  spec.projection = {0, 1, 2};
  csv.apply(spec);
  EXPECT_EQ(rows_of(read_all(csv)), (std::vector<std::string>{"1|alice|10.25", "2|bob|3.00"}));

  KafkaSource raw(uri("csv"), options({{"until", "latest"}, {"format", "raw"}}));
  ASSERT_EQ(raw.schema()->field(0).name, "value");
  spec.projection = {0, raw.schema()->find("_offset")};
  raw.apply(spec);
  EXPECT_EQ(rows_of(read_all(raw)), (std::vector<std::string>{"1,alice,10.25|0", "2,bob,3|1"}));
}

TEST_F(KafkaSourceTest, StartOffsetsLatestAndTimestamp) {
  fill_json("t", 30, 1);
  {
    KafkaSource s(uri("t"), options({{"until", "latest"}, {"start", "0:25"}}));
    ScanSpec spec;
    spec.projection = {s.schema()->find("_offset")};
    s.apply(spec);
    EXPECT_EQ(rows_of(read_all(s)), (std::vector<std::string>{"25", "26", "27", "28", "29"}));
    EXPECT_EQ(s.position(), "0:30");
  }
  {
    KafkaSource s(uri("t"), options({{"until", "latest"}, {"start", "latest"}}));
    s.schema();
    EXPECT_TRUE(read_all(s).empty());
  }
  {
    // Every message is older than a timestamp in the future: nothing to read.
    KafkaSource s(uri("t"), options({{"until", "latest"}, {"start", "2999-01-01 00:00:00"}}));
    s.schema();
    EXPECT_TRUE(read_all(s).empty());
    // librdkafka 2.0.2's mock answers every by-timestamp ListOffsets with -1 (end), so a past
    // timestamp cannot be checked here; a real broker returns the first offset at/after it.
  }
}

TEST_F(KafkaSourceTest, HeadersAndTimestampFromPythonProducer) {
  cluster_->create_topic("py", 1);
  run(
      fmt::format("/usr/bin/python3 -c \"from confluent_kafka import Producer\n"
                  "p = Producer({{'bootstrap.servers': '{}'}})\n"
                  "p.produce('py', key=b'k1', value=b'{{\\\"a\\\": 1}}', headers=[('h1', b'v1'), "
                  "('h2', b'v2')], "
                  "timestamp=1700000000123)\n"
                  "p.flush(10)\"",
                  bootstrap()));
  KafkaSource s(uri("py"), options({{"until", "latest"}}));
  SchemaPtr sch = s.schema();
  ScanSpec spec;
  spec.projection = {0, sch->find("_key"), sch->find("_timestamp"), sch->find("_headers")};
  s.apply(spec);
  auto rows = rows_of(read_all(s));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].find("1|k1|2023-11-14 22:13:20.123"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("h1"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find(R"("h2":"\\x7632")"), std::string::npos) << rows[0];  // BYTES print as hex
}

TEST_F(KafkaSourceTest, OnErrorFailSkipDlq) {
  cluster_->create_topic("bad", 1);
  cluster_->create_topic("dead", 1);
  kcat_produce(bootstrap(), "bad",
               {R"({"id": 1})", R"({"id": oops})", R"({"id": "x"})", R"({"id": 4})"});
  {
    KafkaSource s(uri("bad"), options({{"until", "latest"}, {"schema", "id BIGINT"}}));
    s.schema();
    try {
      read_all(s);
      FAIL() << "expected a format error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kFormat);
      EXPECT_NE(e.message().find("topic 'bad' partition 0 offset 1"), std::string::npos)
          << e.message();
    }
  }
  {
    KafkaSource s(uri("bad"),
                  options({{"until", "latest"}, {"schema", "id BIGINT"}, {"on_error", "skip"}}));
    ScanSpec spec;
    spec.projection = {0, s.schema()->find("_offset")};
    s.apply(spec);
    EXPECT_EQ(rows_of(read_all(s)), (std::vector<std::string>{"1|0", "4|3"}));
    EXPECT_EQ(s.rows_rejected(), 2);
  }
  {
    KafkaSource s(uri("bad"), options({{"until", "latest"},
                                       {"schema", "id BIGINT"},
                                       {"on_error", "dlq"},
                                       {"dlq", uri("dead")}}));
    s.schema();
    EXPECT_EQ(rows_of(read_all(s)).size(), 2u);
    EXPECT_EQ(s.rows_rejected(), 2);
    std::string dead = kcat_consume(bootstrap(), "dead", "%s|%h\\n");
    auto lines = lines_of(dead);
    ASSERT_EQ(lines.size(), 2u) << dead;
    EXPECT_EQ(lines[0].substr(0, lines[0].find('|')), R"({"id": oops})");
    EXPECT_NE(lines[0].find("velo.error="), std::string::npos) << dead;
    EXPECT_NE(lines[0].find("velo.offset=1"), std::string::npos) << dead;
    EXPECT_NE(lines[1].find("velo.offset=2"), std::string::npos) << dead;
  }
}

TEST_F(KafkaSourceTest, BrokerDownAtStartFailsAfterConnectTimeout) {
  cluster_->create_topic("down", 1);
  rd_kafka_mock_broker_set_down(cluster_->mock(), 1);
  KafkaSource s(uri("down"),
                options({{"until", "latest"}, {"schema", "id BIGINT"}, {"connect_timeout", "2s"}}));
  auto t0 = Clock::now();
  try {
    s.open(1);
    FAIL() << "expected an io error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(e.message().find("connect_timeout"), std::string::npos) << e.message();
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_GE(secs, 1.5);
  EXPECT_LT(secs, 10);
}

TEST_F(KafkaSourceTest, BrokerComingUpDuringRetriesIsFine) {
  fill_json("late", 10, 1);
  rd_kafka_mock_broker_set_down(cluster_->mock(), 1);
  std::thread up([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    rd_kafka_mock_broker_set_up(cluster_->mock(), 1);
  });
  KafkaSource s(
      uri("late"),
      options({{"until", "latest"}, {"schema", "id BIGINT"}, {"connect_timeout", "20s"}}));
  auto rows = rows_of(read_all(s));
  up.join();
  EXPECT_EQ(rows.size(), 10u);
}

TEST_F(KafkaSourceTest, TopicErrorsAreUserErrors) {
  // The mock creates unknown topics on a metadata request, so inject the errors a real broker
  // gives instead.
  cluster_->create_topic("nope", 1);
  rd_kafka_mock_topic_set_error(cluster_->mock(), "nope", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  KafkaSource s(uri("nope"),
                options({{"until", "latest"}, {"schema", "id BIGINT"}, {"connect_timeout", "1s"}}));
  try {
    s.open(1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser) << e.message();
    EXPECT_NE(e.message().find("'nope' does not exist"), std::string::npos) << e.message();
  }
  cluster_->create_topic("secret", 1);
  rd_kafka_mock_topic_set_error(cluster_->mock(), "secret",
                                RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  KafkaSource denied(uri("secret"), options({{"until", "latest"}, {"schema", "id BIGINT"}}));
  auto t0 = Clock::now();
  try {
    denied.open(1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser) << e.message();
    EXPECT_NE(e.message().find("secret"), std::string::npos) << e.message();
  }
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));  // no waiting for connect_timeout
}

TEST_F(KafkaSourceTest, BrokerLostMidStreamFailsAfterConnectTimeout) {
  fill_json("mid", 10, 1);
  KafkaSource s(uri("mid"), options({{"schema", "id BIGINT"}, {"connect_timeout", "2s"}}));
  EXPECT_FALSE(s.capabilities().bounded);
  auto readers = s.open(1);
  size_t rows = 0;
  auto stop = Clock::now() + std::chrono::seconds(10);
  while (rows < 10 && Clock::now() < stop) {
    Batch b;
    if (readers[0]->next(&b, Clock::now() + std::chrono::milliseconds(100)) == PollStatus::kBatch)
      rows += b.num_rows;
  }
  ASSERT_EQ(rows, 10u);
  rd_kafka_mock_broker_set_down(cluster_->mock(), 1);
  auto t0 = Clock::now();
  try {
    while (Clock::now() - t0 < std::chrono::seconds(20)) {
      Batch b;
      readers[0]->next(&b, Clock::now() + std::chrono::milliseconds(100));
    }
    FAIL() << "no error after the broker went away";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo) << e.message();
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(e.message().find("connect_timeout"), std::string::npos) << e.message();
  }
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(1500));
}

TEST_F(KafkaSourceTest, FetchErrorsAreRetried) {
  fill_json("flaky", 50, 1);
  // Fetch (ApiKey 1) answers with retryable errors a few times first.
  rd_kafka_mock_push_request_errors(
      cluster_->mock(), 1, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
  KafkaSource s(uri("flaky"), options({{"until", "latest"}, {"schema", "id BIGINT"}}));
  EXPECT_EQ(rows_of(read_all(s)).size(), 50u);
}

TEST_F(KafkaSourceTest, GroupCommitsOnlyOnAcknowledge) {
  fill_json("g", 20, 2);
  std::string group = "velo-test-group";
  {
    KafkaSource s(uri("g"), options({{"until", "latest"},
                                     {"group_id", group},
                                     {"schema", "id BIGINT"},
                                     {"group_settle", "500ms"},
                                     {"kafka.session.timeout.ms", "6000"}}));
    EXPECT_EQ(rows_of(read_all(s)).size(), 20u);
    // Not acknowledged: nothing committed.
  }
  {
    KafkaSource s(uri("g"), options({{"until", "latest"},
                                     {"group_id", group},
                                     {"schema", "id BIGINT"},
                                     {"group_settle", "500ms"},
                                     {"kafka.session.timeout.ms", "6000"}}));
    EXPECT_EQ(rows_of(read_all(s)).size(), 20u);
    s.acknowledge();
  }
  fill_json("g2", 0, 1);  // (just a second topic; unused)
  kcat_produce(bootstrap(), "g", {R"({"id": 100})"});
  {
    KafkaSource s(uri("g"), options({{"until", "latest"},
                                     {"group_id", group},
                                     {"schema", "id BIGINT"},
                                     {"group_settle", "500ms"},
                                     {"kafka.session.timeout.ms", "6000"}}));
    ScanSpec spec;
    spec.projection = {0};
    s.apply(spec);
    EXPECT_EQ(rows_of(read_all(s)), (std::vector<std::string>{"100"}));
  }
  // An independent client sees the committed offsets.
  std::string committed =
      run(fmt::format("/usr/bin/python3 -c \"from confluent_kafka import Consumer, TopicPartition\n"
                      "c = Consumer({{'bootstrap.servers': '{}', 'group.id': '{}'}})\n"
                      "print(sum(tp.offset for tp in c.committed([TopicPartition('g', 0), "
                      "TopicPartition('g', 1)], timeout=10)))\"",
                      bootstrap(), group));
  EXPECT_EQ(committed, "20\n");
}

TEST_F(KafkaSourceTest, SubscribeWithGroupReadsNewMessages) {
  fill_json("sub", 10, 2);
  KafkaSource s(uri("sub"), options({{"group_id", "velo-sub"},
                                     {"schema", "id BIGINT"},
                                     {"kafka.session.timeout.ms", "6000"}}));
  EXPECT_FALSE(s.capabilities().bounded);
  auto readers = s.open(1);
  size_t rows = 0;
  auto stop = Clock::now() + std::chrono::seconds(20);
  bool produced_more = false;
  while (rows < 15 && Clock::now() < stop) {
    Batch b;
    if (readers[0]->next(&b, Clock::now() + std::chrono::milliseconds(200)) == PollStatus::kBatch)
      rows += b.num_rows;
    if (rows >= 10 && !produced_more) {
      kcat_produce(
          bootstrap(), "sub",
          {R"({"id": 1})", R"({"id": 2})", R"({"id": 3})", R"({"id": 4})", R"({"id": 5})"});
      produced_more = true;
    }
  }
  EXPECT_EQ(rows, 15u);
  s.acknowledge();
}

TEST_F(KafkaSourceTest, RegistryAndOptions) {
  register_kafka_connector();
  cluster_->create_topic("r", 1);
  Options o = options(
      {{"until", "latest"}, {"format", "raw"}, {"kafka.fetch.min.bytes", "1"}, {"typo", "x"}});
  try {
    make_source(uri("r"), o);
    FAIL() << "an unknown option must be an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("unknown option 'typo' for kafka source"), std::string::npos) << e.message();
  }
  EXPECT_THROW(KafkaSource(uri("r"), options({{"format", "avro"}})), Error);
  EXPECT_THROW(KafkaSource(uri("r"), options({{"on_error", "dlq"}})), Error);
  EXPECT_THROW(KafkaSource(uri("r"), options({{"until", "tomorrow"}})), Error);
  KafkaSource bad_prop(uri("r"), options({{"format", "raw"}, {"kafka.no.such.property", "1"}}));
  EXPECT_THROW(bad_prop.open(1), Error);
  auto sink = make_sink(uri("r"), Options());
  EXPECT_NE(sink->describe().find("KafkaSink"), std::string::npos);
}

}  // namespace
}  // namespace velo::kafka
