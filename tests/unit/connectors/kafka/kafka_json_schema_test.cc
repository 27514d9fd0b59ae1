// format = 'json' with schema_registry: JSON Schema subjects in the Confluent wire format.
// Messages come from velo's sink and, independently, from Confluent's Python JSONSerializer
// (python3-confluent-kafka under /usr/bin/python3); what velo writes is read back with the
// Python JSONDeserializer, which validates every message against the schema velo registered.
// The registry is FakeSchemaRegistry (no Schema Registry can be installed here).

#include "registry_format_test_util.h"
#include "velo/connectors/kafka/json_schema_message.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;

const char* kTradeSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#", "title": "com.acme.Trade",
  "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "sym": {"type": "string"},
    "px": {"type": "number"},
    "ok": {"type": "boolean"},
    "note": {"type": ["null", "string"]},
    "ts": {"type": "string", "format": "date-time"},
    "day": {"type": "string", "format": "date"},
    "tags": {"type": "array", "items": {"type": "integer"}},
    "venue": {"$ref": "#/definitions/Venue"},
    "extra": {"oneOf": [{"type": "null"},
                        {"type": "object", "additionalProperties": {"type": "integer"}}]}
  },
  "required": ["id", "sym"],
  "definitions": {"Venue": {"type": "object",
                            "properties": {"code": {"type": "string"}, "lane": {"type": "integer"}}}}
})";

// Produces rows 0..n-1 of kTradeSchema with Confluent's JSONSerializer (which registers the schema
// and validates each row); argv: bootstrap registry topic schema_file n strategy.
const char* kPythonJsonProducer = R"PY(
import sys
from confluent_kafka import SerializingProducer
from confluent_kafka.schema_registry import (SchemaRegistryClient, record_subject_name_strategy,
                                             topic_subject_name_strategy)
from confluent_kafka.schema_registry.json_schema import JSONSerializer
bs, reg, topic, schema_file, n, strategy = sys.argv[1:7]
strategy = record_subject_name_strategy if strategy == 'record' else topic_subject_name_strategy
ser = JSONSerializer(open(schema_file).read(), SchemaRegistryClient({'url': reg}),
                     conf={'subject.name.strategy': strategy})
p = SerializingProducer({'bootstrap.servers': bs, 'value.serializer': ser})
for i in range(int(n)):
    row = {'id': i, 'sym': f'S{i % 7}', 'px': i * 0.5, 'ok': i % 2 == 0,
           'note': None if i % 3 == 0 else f'n{i}', 'ts': f'2024-01-01T00:00:{i % 60:02d}Z',
           'day': f'2024-02-{i % 28 + 1:02d}', 'tags': list(range(i % 3)),
           'venue': {'code': f'V{i % 2}', 'lane': i}, 'extra': None if i % 4 else {'a': i}}
    p.produce(topic, value=row, partition=0)
p.flush(30)
)PY";

std::string trade_text(int i) {
  std::string tags = "[";
  for (int t = 0; t < i % 3; ++t) tags += fmt::format("{}{}", t ? "," : "", t);
  tags += "]";
  return fmt::format(
      "{}|S{}|{}|{}|{}|2024-01-01 "
      "00:00:{:02d}|2024-02-{:02d}|{}|{{\"code\":\"V{}\",\"lane\":{}}}|{}",
      i, i % 7, Value::float64(i * 0.5).to_string(), i % 2 == 0 ? "true" : "false",
      i % 3 == 0 ? "NULL" : fmt::format("n{}", i), i % 60, i % 28 + 1, tags, i % 2, i,
      i % 4 ? "NULL" : fmt::format("{{\"a\":{}}}", i));
}

class KafkaJsonSchemaTest : public KafkaTest {
 protected:
  void python_produce(const std::string& topic, int n, const std::string& strategy = "topic") {
    std::string schema = temp_file(kTradeSchema);
    run_python(kPythonJsonProducer, fmt::format("{} {} {} {} {} {}", bootstrap(), registry_.url(),
                                                topic, schema, n, strategy));
    unlink(schema.c_str());
  }
  FakeSchemaRegistry registry_;
};

TEST_F(KafkaJsonSchemaTest, JsonSchemaTypesTheColumns) {
  SchemaPtr s = velo_schema_from_json_schema(kTradeSchema);
  EXPECT_EQ(s->to_string(),
            "id INT64\nsym STRING\npx DOUBLE\nok BOOLEAN\nnote STRING\nts TIMESTAMP\nday DATE\n"
            "tags LIST<INT64>\nvenue STRUCT<code STRING, lane INT64>\nextra MAP<STRING, INT64>\n");
  // What the sink derives reads back as the same columns (INT widens to BIGINT).
  auto cols = std::make_shared<const Schema>(std::vector<Field>{
      {"a", DataType::int32(), false},
      {"b", DataType::decimal(10, 2), true},
      {"c", DataType::list_of(DataType::struct_of({{"x", DataType::string(), true}})), true},
      {"d", DataType::map_of(DataType::string(), DataType::float64()), true},
      {"e", DataType::timestamp(), true}});
  std::string derived = json_schema_from_velo(*cols, "R");
  EXPECT_EQ(json_schema_title(derived), "R");
  EXPECT_EQ(velo_schema_from_json_schema(derived)->to_string(),
            "a INT64\nb DOUBLE\nc LIST<STRUCT<x STRING>>\nd MAP<STRING, DOUBLE>\ne TIMESTAMP\n");
  EXPECT_NE(derived.find(R"("required":["a"])"), std::string::npos) << derived;
  ErrorKind kind;
  std::string msg =
      error_message_of([] { velo_schema_from_json_schema(R"({"type":"string"})"); }, &kind);
  EXPECT_EQ(kind, ErrorKind::kFormat);
  EXPECT_NE(msg.find("schema = '...'"), std::string::npos) << msg;
  msg = error_message_of(
      [] { velo_schema_from_json_schema(R"({"properties":{"a":{"$ref":"other.json"}}})"); }, &kind);
  EXPECT_EQ(kind, ErrorKind::kNotSupported) << msg;
}

TEST_F(KafkaJsonSchemaTest, ReadsPythonJsonSerializerMessagesTypedByTheRegistrySchema) {
  cluster_->create_topic("trades", 1);
  python_produce("trades", 40);
  KafkaSource source(
      uri("trades"),
      options({{"until", "latest"}, {"format", "json"}, {"schema_registry", registry_.url()}}));
  SchemaPtr s = source.schema();  // nothing declared: the subject's latest schema
  EXPECT_EQ(s->field(5).type, DataType::timestamp());
  project_values(source, 10);
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) expected.push_back(trade_text(i));
  EXPECT_EQ(rows_of(read_all(source)), expected);
  EXPECT_EQ(source.rows_rejected(), 0);
  // The schema id is fetched once, however many messages carry it.
  auto reqs = registry_.requests();
  EXPECT_EQ(
      std::count_if(reqs.begin(), reqs.end(),
                    [](const std::string& r) { return r.rfind("GET /schemas/ids/", 0) == 0; }),
      0);  // latest() already cached the id
}

TEST_F(KafkaJsonSchemaTest, RecordNameStrategyFindsTheSubjectByTitle) {
  cluster_->create_topic("rec", 1);
  python_produce("rec", 5, "record");  // subject "com.acme.Trade"
  std::string msg = error_message_of([&] {
    KafkaSource(uri("rec"), options({{"format", "json"},
                                     {"schema_registry", registry_.url()},
                                     {"subject_name_strategy", "record"}}))
        .schema();
  });
  EXPECT_NE(msg.find("record_name"), std::string::npos) << msg;
  KafkaSource source(uri("rec"), options({{"until", "latest"},
                                          {"format", "json"},
                                          {"schema_registry", registry_.url()},
                                          {"subject_name_strategy", "record"},
                                          {"record_name", "com.acme.Trade"}}));
  project_values(source, 10);
  EXPECT_EQ(rows_of(read_all(source)).size(), 5u);
  auto reqs = registry_.requests();
  EXPECT_NE(std::find(reqs.begin(), reqs.end(), "GET /subjects/com.acme.Trade/versions/latest"),
            reqs.end());
}

TEST_F(KafkaJsonSchemaTest, UnframedOrUnknownIdsAreUndecodableMessages) {
  cluster_->create_topic("mixed", 1);
  python_produce("mixed", 3);
  kcat_produce(bootstrap(), "mixed", {R"({"id": 99, "sym": "plain"})"});  // no header
  int avro_id = registry_.add("other-value", R"("long")");
  // A header naming an Avro schema, then one naming no schema at all.
  std::string framed = temp_file("");
  run_python(R"PY(
import struct, sys
open(sys.argv[1], 'wb').write(struct.pack('>bI', 0, int(sys.argv[2])) + b'{}\n' +
                              struct.pack('>bI', 0, 777) + b'{}')
)PY",
             fmt::format("{} {}", framed, avro_id));
  run(fmt::format("kcat -P -b {} -t mixed -p 0 -l {} 2>&1", bootstrap(), framed));
  unlink(framed.c_str());
  KafkaSource source(uri("mixed"), options({{"until", "latest"},
                                            {"format", "json"},
                                            {"schema_registry", registry_.url()},
                                            {"on_error", "skip"}}));
  project_values(source, 2);
  EXPECT_EQ(rows_of(read_all(source)), (std::vector<std::string>{"0|S0", "1|S1", "2|S2"}));
  EXPECT_EQ(source.rows_rejected(), 3);
  KafkaSource strict(
      uri("mixed"),
      options({{"until", "latest"}, {"format", "json"}, {"schema_registry", registry_.url()}}));
  project_values(strict, 2);
  ErrorKind kind;
  std::string msg = error_message_of([&] { read_all(strict); }, &kind);
  EXPECT_EQ(kind, ErrorKind::kFormat);
  EXPECT_NE(msg.find("topic 'mixed' partition 0 offset 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("magic"), std::string::npos) << msg;
}

// Reads `topic` with kcat, decodes each message with Confluent's JSONDeserializer (validating it
// against the schema the registry holds for its id) and prints the objects, one per line.
const char* kPythonJsonReader = R"PY(
import json, struct, sys, urllib.request
from confluent_kafka.schema_registry.json_schema import JSONDeserializer
raw, reg = open(sys.argv[1], 'rb').read(), sys.argv[2]
pos, readers = 0, {}
while pos < len(raw):
    nl = raw.index(b'\n', pos)
    n = int(raw[pos:nl]); msg = raw[nl + 1:nl + 1 + n]; pos = nl + 1 + n
    magic, sid = struct.unpack('>bI', msg[:5])
    if sid not in readers:
        answer = json.load(urllib.request.urlopen(f'{reg}/schemas/ids/{sid}'))
        assert answer.get('schemaType') == 'JSON', answer
        readers[sid] = JSONDeserializer(answer['schema'])
    print(json.dumps(readers[sid](msg, None), sort_keys=True))
)PY";

TEST_F(KafkaJsonSchemaTest, SinkRegistersAJsonSchemaAndPythonValidatesEveryMessage) {
  cluster_->create_topic("jout", 1);
  auto cols = std::make_shared<const Schema>(
      std::vector<Field>{{"id", DataType::int64(), false},
                         {"name", DataType::string(), true},
                         {"amount", DataType::float64(), false},
                         {"ts", DataType::timestamp(), false},
                         {"tags", DataType::list_of(DataType::int32()), true}});
  auto row = [](int i) -> std::vector<Value> {
    std::vector<Value> tags;
    for (int t = 0; t < i % 3; ++t) tags.push_back(Value::int32(t * i));
    return {Value::int64(i),
            i % 4 ? Value::string(fmt::format("s{}", i)) : Value::null(DataType::string()),
            Value::float64(i / 4.0), Value::timestamp(1704067200LL * 1000000 + i * 1000000LL),
            Value::nested(DataType::list_of(DataType::int32()), tags)};
  };
  KafkaSink sink(uri("jout"), options({{"format", "json"},
                                       {"schema_registry", registry_.url()},
                                       {"subject_name_strategy", "topic_record"},
                                       {"record_name", "shop.Payment"}}));
  sink_all(sink, cols, make_rows(cols, 0, 20, row));
  EXPECT_NE(sink.describe().find("json schema_id=1 subject=jout-shop.Payment"), std::string::npos)
      << sink.describe();
  ASSERT_EQ(registry_.requests(),
            std::vector<std::string>{"POST /subjects/jout-shop.Payment/versions"});
  EXPECT_EQ(registry_.type_of(1), "JSON");
  std::string raw = temp_file("");
  run(fmt::format("kcat -C -b {} -t jout -e -q -f '%S\\n%s' > {} 2>/dev/null", bootstrap(), raw));
  auto lines = lines_of(run_python(kPythonJsonReader, raw + " " + registry_.url()));
  unlink(raw.c_str());
  ASSERT_EQ(lines.size(), 20u);
  EXPECT_EQ(lines[0],
            R"({"amount": 0.0, "id": 0, "name": null, "tags": [], "ts": "2024-01-01 00:00:00"})");
  EXPECT_EQ(
      lines[5],
      R"({"amount": 1.25, "id": 5, "name": "s5", "tags": [0, 5], "ts": "2024-01-01 00:00:05"})");
  // And velo reads its own output back, typed by the schema it registered.
  KafkaSource source(uri("jout"), options({{"until", "latest"},
                                           {"format", "json"},
                                           {"schema_registry", registry_.url()},
                                           {"value_subject", "jout-shop.Payment"}}));
  project_values(source, 5);
  auto rows = rows_of(read_all(source));
  ASSERT_EQ(rows.size(), 20u);
  EXPECT_EQ(rows[5], "5|s5|1.25|2024-01-01 00:00:05|[0,5]");
}

TEST_F(KafkaJsonSchemaTest, OptionErrors) {
  cluster_->create_topic("o", 1);
  EXPECT_THROW(KafkaSource(uri("o"), options({{"format", "csv"}, {"schema_registry", "http://x"}})),
               Error);
  EXPECT_THROW(KafkaSink(uri("o"), options({{"format", "csv"}, {"schema_registry", "http://x"}})),
               Error);
  EXPECT_THROW(KafkaSource(uri("o"), options({{"format", "json"},
                                              {"schema_registry", "http://x"},
                                              {"subject_name_strategy", "nope"}})),
               Error);
  EXPECT_EQ(parse_subject_name_strategy("io.confluent.kafka.serializers.subject."
                                        "TopicRecordNameStrategy"),
            SubjectNameStrategy::kTopicRecord);
  EXPECT_EQ(subject_name(SubjectNameStrategy::kRecord, "t", "a.B", false), "a.B");
  EXPECT_EQ(subject_name(SubjectNameStrategy::kTopic, "t", "a.B", true), "t-key");
}

}  // namespace
}  // namespace velo::kafka
