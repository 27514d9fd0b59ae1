#include <gtest/gtest.h>

#include "velo/io/column_list.h"
#include "velo/connectors/kafka/dev_broker.h"
#include "velo/connectors/kafka/kafka_source.h"
#include "velo/connectors/kafka/kafka_uri.h"
#include "velo/connectors/kafka/message_codec.h"
#include "velo/types/error.h"

namespace velo::kafka {
namespace {

TEST(KafkaUriTest, ParsesBrokersAndTopics) {
  KafkaUri u = parse_kafka_uri("kafka://localhost:9092/orders");
  EXPECT_EQ(u.brokers, "localhost:9092");
  ASSERT_EQ(u.topics.size(), 1u);
  EXPECT_EQ(u.topics[0], "orders");

  u = parse_kafka_uri("KAFKA://a:1, b ,c:3/t1,t2");
  EXPECT_EQ(u.brokers, "a:1,b:9092,c:3");
  EXPECT_EQ(u.topics, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(u.to_string(), "kafka://a:1,b:9092,c:3/t1,t2");
}

TEST(KafkaUriTest, RejectsBadUris) {
  EXPECT_THROW(parse_kafka_uri("kafka://localhost:9092"), Error);
  EXPECT_THROW(parse_kafka_uri("kafka://localhost:9092/"), Error);
  EXPECT_THROW(parse_kafka_uri("kafka:///topic"), Error);
  EXPECT_THROW(parse_kafka_uri("kafka://h/bad topic"), Error);
  EXPECT_THROW(parse_kafka_uri("file:///x"), Error);
}

TEST(ColumnListTest, ParsesTypes) {
  SchemaPtr s = parse_column_list(
      "id BIGINT, name VARCHAR(20), amount DECIMAL(10,2), ok BOOLEAN, \"ts\" TIMESTAMP, "
      "tags LIST<STRING>, attrs MAP<STRING, INT>, pos STRUCT<x DOUBLE, y DOUBLE> NOT NULL");
  ASSERT_EQ(s->size(), 8u);
  EXPECT_EQ(s->field(0).type, DataType::int64());
  EXPECT_EQ(s->field(1).type, DataType::string());
  EXPECT_EQ(s->field(2).type, DataType::decimal(10, 2));
  EXPECT_EQ(s->field(4).name, "ts");
  EXPECT_EQ(s->field(5).type, DataType::list_of(DataType::string()));
  EXPECT_EQ(s->field(6).type, DataType::map_of(DataType::string(), DataType::int32()));
  EXPECT_FALSE(s->field(7).nullable);
  EXPECT_THROW(parse_column_list("id WHATEVER"), Error);
  EXPECT_THROW(parse_column_list("id INT,"), Error);
  EXPECT_THROW(parse_column_list(""), Error);
}

TEST(StartPositionTest, Parses) {
  EXPECT_EQ(parse_start_position("earliest").kind, StartPosition::Kind::kEarliest);
  EXPECT_EQ(parse_start_position("LATEST").kind, StartPosition::Kind::kLatest);
  StartPosition t = parse_start_position("2024-01-02 03:04:05");
  EXPECT_EQ(t.kind, StartPosition::Kind::kTimestamp);
  EXPECT_EQ(t.timestamp_ms, 1704164645000);
  StartPosition o = parse_start_position("0:5, 2:10");
  ASSERT_EQ(o.offsets.size(), 2u);
  EXPECT_EQ(o.offsets[1].partition, 2);
  EXPECT_EQ(o.offsets[1].offset, 10);
  StartPosition q = parse_start_position("orders:1:7");
  EXPECT_EQ(q.offsets[0].topic, "orders");
  EXPECT_THROW(parse_start_position("yesterday"), Error);
  EXPECT_THROW(parse_start_position("0:-1"), Error);
}

TEST(MessageCodecTest, FormatsByName) {
  EXPECT_EQ(parse_message_format("JSON", "format"), MessageFormat::kJson);
  EXPECT_EQ(parse_message_format("raw", "format"), MessageFormat::kString);
  EXPECT_EQ(parse_message_format("bytes", "format"), MessageFormat::kBytes);
  EXPECT_EQ(parse_message_format("Avro", "format"), MessageFormat::kAvro);
  EXPECT_THROW(parse_message_format("xml", "format"), Error);
}

TEST(MessageCodecTest, CsvDecodeAndRollback) {
  SchemaPtr s = parse_column_list("id INT, name STRING, amount DECIMAL(6,2)");
  auto dec = make_decoder(MessageFormat::kCsv, s, ',');
  std::vector<ColumnPtr> cols;
  for (const auto& f : s->fields()) cols.push_back(Column::make(f.type));
  dec->append("1,alice,10.50", cols);
  dec->append("2,\"bob, jr\",", cols);
  // A bad row fails after appending to some columns; truncate restores the two good rows.
  EXPECT_THROW(dec->append("3,carol,notanumber", cols), Error);
  truncate_columns(cols, 2);
  EXPECT_THROW(dec->append("4,too,many,fields", cols), Error);
  truncate_columns(cols, 2);
  dec->append("5,dave,1", cols);
  ASSERT_EQ(cols[0]->size(), 3u);
  EXPECT_EQ(cols[1]->value_at(1).to_string(), "bob, jr");
  EXPECT_TRUE(cols[2]->is_null(1));
  EXPECT_EQ(cols[1]->value_at(2).to_string(), "dave");
  EXPECT_EQ(cols[2]->value_at(2).to_string(), "1.00");
}

TEST(MessageCodecTest, JsonDecodeInferAndRollback) {
  std::vector<std::string_view> samples = {R"({"id": 1, "name": "a", "tags": ["x"]})",
                                           R"({"id": 2, "amount": 1.5, "pos": {"x": 1}})"};
  SchemaPtr s = infer_message_schema(MessageFormat::kJson, samples, ',');
  ASSERT_GE(s->size(), 5u);
  EXPECT_EQ(s->field(s->find("id")).type, DataType::int64());
  EXPECT_EQ(s->field(s->find("amount")).type, DataType::float64());
  auto dec = make_decoder(MessageFormat::kJson, s, ',');
  std::vector<ColumnPtr> cols;
  for (const auto& f : s->fields()) cols.push_back(Column::make(f.type));
  dec->append(samples[0], cols);
  EXPECT_THROW(dec->append("{not json", cols), Error);
  truncate_columns(cols, 1);
  EXPECT_THROW(dec->append(R"({"id": "x", "name": "b"})", cols), Error);
  truncate_columns(cols, 1);
  dec->append(samples[1], cols);
  ASSERT_EQ(cols[0]->size(), 2u);
  EXPECT_EQ(cols[s->find("id")]->value_at(1).to_string(), "2");
  EXPECT_TRUE(cols[s->find("name")]->is_null(1));
}

TEST(MessageCodecTest, EncodeCsvAndJson) {
  SchemaPtr s = parse_column_list("id INT, name STRING");
  auto id = Column::make(DataType::int32());
  auto name = Column::make(DataType::string());
  id->append<int32_t>(7);
  name->append_string("a,\"b\"");
  Batch b(s, {id, name}, 1);
  std::string out;
  make_encoder(MessageFormat::kCsv, s, ',')->encode(b, 0, &out);
  EXPECT_EQ(out, "7,\"a,\"\"b\"\"\"");
  out.clear();
  make_encoder(MessageFormat::kJson, s, ',')->encode(b, 0, &out);
  EXPECT_EQ(out, R"({"id":7,"name":"a,\"b\""})");
  EXPECT_THROW(make_encoder(MessageFormat::kString, s, ','), Error);
}

TEST(DevKafkaArgsTest, Parses) {
  DevKafkaArgs a = parse_dev_kafka_args(
      {"--brokers", "3", "--topic", "orders:6", "--topic=t", "--bootstrap-file", "/tmp/bs"});
  EXPECT_EQ(a.brokers, 3);
  ASSERT_EQ(a.topics.size(), 2u);
  EXPECT_EQ(a.topics[0], (std::pair<std::string, int>{"orders", 6}));
  EXPECT_EQ(a.topics[1], (std::pair<std::string, int>{"t", 1}));
  EXPECT_EQ(a.bootstrap_file, "/tmp/bs");
  EXPECT_THROW(parse_dev_kafka_args({"--brokers", "x"}), Error);
  EXPECT_THROW(parse_dev_kafka_args({"--nope"}), Error);
}

}  // namespace
}  // namespace velo::kafka
