// format = 'avro' on Kafka sources and sinks: Confluent wire format with a schema registry and
// plain datums. Messages come from velo's encoder (the sink) and, independently, from
// /usr/bin/python3 (the avro module + struct.pack('>bI', 0, id), produced with confluent_kafka);
// what velo writes is read back with kcat and decoded by python3-avro. The registry is
// FakeSchemaRegistry (fake_schema_registry.h), a stand-in served from a thread on 127.0.0.1,
// because no Schema Registry can be installed here.

#include <algorithm>
#include <set>

#include "fake_schema_registry.h"
#include "kafka_test_util.h"
#include "velo/connectors/kafka/schema_registry.h"

namespace velo::kafka {
namespace {

using namespace velo::kafka::testing;

// ---- python3 producer -----------------------------------------------------------------------

const char* kPythonProducer = R"PY(
import datetime, decimal, io, json, struct, sys
import avro.io, avro.schema
from confluent_kafka import Producer
cfg = json.load(open(sys.argv[1]))
UTC = datetime.timezone.utc
D = decimal.Decimal
def writer(path):
    return avro.io.DatumWriter(avro.schema.parse(open(path).read())) if path else None
def encode(w, sid, datum):
    buf = io.BytesIO()
    if sid >= 0:
        buf.write(struct.pack('>bI', 0, sid))
    w.write(datum, avro.io.BinaryEncoder(buf))
    return buf.getvalue()
vw, kw = writer(cfg["value_schema"]), writer(cfg.get("key_schema"))
value = eval("lambda i: " + cfg["value_expr"])
key = eval("lambda i: " + cfg["key_expr"])
p = Producer({"bootstrap.servers": cfg["bootstrap"]})
for i in range(cfg["start"], cfg["end"]):
    k = encode(kw, cfg["key_id"], key(i)) if kw else key(i).encode()
    p.produce(cfg["topic"], value=encode(vw, cfg["value_id"], value(i)), key=k, partition=0)
p.flush(30)
)PY";

struct PyProduce {
  std::string topic;
  std::string value_schema;  // JSON
  int value_id = -1;         // -1: plain datum
  std::string value_expr;    // python expression of i
  std::string key_expr = "f'k{i}'";
  std::string key_schema;  // JSON; empty: key_expr is the key text
  int key_id = -1;
  int start = 0, end = 0;
};

std::string json_str(const std::string& s) {
  std::string out;
  append_json_string(s, &out);
  return out;
}

void python_produce(const std::string& bootstrap, const PyProduce& p) {
  std::string script = temp_file(kPythonProducer);
  std::string vs = temp_file(p.value_schema);
  std::string ks = p.key_schema.empty() ? "" : temp_file(p.key_schema);
  std::string cfg = fmt::format(
      R"({{"bootstrap":{},"topic":{},"value_schema":{},"value_id":{},"value_expr":{},)"
      R"("key_expr":{},"key_schema":{},"key_id":{},"start":{},"end":{}}})",
      json_str(bootstrap), json_str(p.topic), json_str(vs), p.value_id, json_str(p.value_expr),
      json_str(p.key_expr), ks.empty() ? "null" : json_str(ks), p.key_id, p.start, p.end);
  std::string cfg_file = temp_file(cfg);
  run(fmt::format("/usr/bin/python3 {} {} 2>&1", script, cfg_file));
  for (const auto& f : {script, vs, ks, cfg_file})
    if (!f.empty()) unlink(f.c_str());
}

// ---- the Order schema and its rows ------------------------------------------------------------

const char* kOrderSchema = R"({"type":"record","name":"Order","namespace":"shop","fields":[
  {"name":"id","type":"long"},
  {"name":"name","type":"string"},
  {"name":"amount","type":"double"},
  {"name":"ok","type":"boolean"},
  {"name":"note","type":["null","string"],"default":null},
  {"name":"tags","type":{"type":"array","items":"int"}},
  {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}}]})";

// The same rows as order_row() below, in python. (python3-avro writes a Decimal's digits without
// rescaling them to the schema's scale, so prices are quantized to 2 places first.)
const char* kOrderExpr =
    "{'id': i, 'name': f'n{i}', 'amount': i * 0.25, 'ok': i % 2 == 0, "
    "'note': None if i % 3 == 0 else f'note{i}', 'tags': list(range(i % 4)), "
    "'price': (D(i * 101) / 100).quantize(D('0.01')), "
    "'ts': datetime.datetime(2024, 1, 1, tzinfo=UTC) + datetime.timedelta(seconds=i, "
    "microseconds=i), 'kind': 'A' if i % 2 else 'B'}";

constexpr int64_t kJan2024Micros = 1704067200LL * 1000000;

SchemaPtr order_columns() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"id", DataType::int64(), false},
      {"name", DataType::string(), false},
      {"amount", DataType::float64(), false},
      {"ok", DataType::boolean(), false},
      {"note", DataType::string(), true},
      {"tags", DataType::list_of(DataType::int32()), false},
      {"price", DataType::decimal(10, 2), false},
      {"ts", DataType::timestamp(), false},
      {"kind", DataType::string(), false},
  });
}

std::vector<Value> order_row(int i) {
  std::vector<Value> tags;
  for (int t = 0; t < i % 4; ++t) tags.push_back(Value::int32(t));
  return {Value::int64(i),
          Value::string(fmt::format("n{}", i)),
          Value::float64(i * 0.25),
          Value::boolean(i % 2 == 0),
          i % 3 == 0 ? Value::null(DataType::string()) : Value::string(fmt::format("note{}", i)),
          Value::nested(DataType::list_of(DataType::int32()), tags),
          Value::decimal(i * 101, 10, 2),
          Value::timestamp(kJan2024Micros + i * 1000001LL),
          Value::string(i % 2 ? "A" : "B")};
}

/// Rows [start, end) of `schema` made by `row`.
Batch make_batch(const SchemaPtr& schema, int start, int end,
                 const std::function<std::vector<Value>(int)>& row) {
  std::vector<ColumnPtr> cols;
  for (const auto& f : schema->fields()) cols.push_back(Column::make(f.type));
  for (int i = start; i < end; ++i) {
    auto values = row(i);
    for (size_t c = 0; c < cols.size(); ++c) cols[c]->append_value(values[c]);
  }
  return Batch(schema, std::move(cols), end - start);
}

std::string text_of(const std::vector<Value>& row) {
  std::string s;
  for (size_t c = 0; c < row.size(); ++c) s += (c ? "|" : "") + row[c].to_string();
  return s;
}

void write_all(Sink& sink, const SchemaPtr& schema, const Batch& batch) {
  sink.open(schema);
  sink.write(batch);
  sink.prepare();
  sink.commit("");
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string error_of(const std::function<void()>& f, ErrorKind* kind = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (kind) *kind = e.kind();
    return e.message();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

class KafkaAvroTest : public KafkaTest {
 protected:
  FakeSchemaRegistry registry_;
};

// ---- source -----------------------------------------------------------------------------------

TEST_F(KafkaAvroTest, ReadsConfluentFramedMessagesFromPythonAndVeloWithTheRegistrySchema) {
  cluster_->create_topic("orders", 1);
  int id = registry_.add("orders-value", kOrderSchema);
  python_produce(bootstrap(), {"orders", kOrderSchema, id, kOrderExpr, "f'k{i}'", "", -1, 0, 50});
  {
    KafkaSink sink(uri("orders"), options({{"format", "avro"},
                                           {"schema_registry", registry_.url()},
                                           {"avro_schema", kOrderSchema},
                                           {"key", "name"}}));
    SchemaPtr cols = order_columns();
    write_all(sink, cols, make_batch(cols, 50, 100, order_row));
    EXPECT_NE(sink.describe().find("avro schema_id="), std::string::npos) << sink.describe();
  }
  KafkaSource source(
      uri("orders"),
      options({{"until", "latest"}, {"format", "avro"}, {"schema_registry", registry_.url()}}));
  // Discovered from the subject's latest schema, nothing declared.
  SchemaPtr s = source.schema();
  ASSERT_GE(s->size(), 9u);
  for (size_t c = 0; c < 9; ++c) {
    EXPECT_EQ(s->field(c).name, order_columns()->field(c).name);
    EXPECT_EQ(s->field(c).type, order_columns()->field(c).type) << s->field(c).name;
  }
  ScanSpec spec;
  for (int c = 0; c < 9; ++c) spec.projection.push_back(c);
  spec.projection.push_back(s->find("_key"));
  source.apply(spec);
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i)
    expected.push_back(text_of(order_row(i)) +
                       (i < 50 ? fmt::format("|k{}", i) : fmt::format("|n{}", i)));
  EXPECT_EQ(sorted(rows_of(read_all(source))), sorted(expected));
  EXPECT_EQ(source.rows_rejected(), 0);
  // One lookup of the subject, then each writer id at most once (the sink registered its own
  // spelling of the schema, a second id to the stand-in; latest() already gave that one).
  auto reqs = registry_.requests();
  EXPECT_EQ(std::count(reqs.begin(), reqs.end(), "GET /subjects/orders-value/versions/latest"), 1);
  std::set<std::string> gets;
  for (const auto& r : reqs)
    if (r.rfind("GET /schemas/ids/", 0) == 0) {
      EXPECT_TRUE(gets.insert(r).second) << r;
    }
  EXPECT_LE(gets.size(), 1u);
}

TEST_F(KafkaAvroTest, ResolvesOldWriterSchemasAgainstTheLatestReaderSchema) {
  cluster_->create_topic("evo", 1);
  const char* v1 = R"({"type":"record","name":"E","fields":[{"name":"id","type":"int"},)"
                   R"({"name":"name","type":"string"},{"name":"gone","type":"string"}]})";
  // v2: int -> long, name renamed label (alias), gone dropped, score added with a default.
  const char* v2 = R"({"type":"record","name":"E","fields":[{"name":"id","type":"long"},)"
                   R"({"name":"label","type":"string","aliases":["name"]},)"
                   R"({"name":"score","type":"int","default":7},)"
                   R"({"name":"note","type":["null","string"],"default":null}]})";
  int id1 = registry_.add("evo-value", v1);
  python_produce(bootstrap(), {"evo", v1, id1, "{'id': i, 'name': f'x{i}', 'gone': 'g'}", "f'k{i}'",
                               "", -1, 0, 3});
  int id2 = registry_.add("evo-value", v2);
  python_produce(bootstrap(),
                 {"evo", v2, id2, "{'id': i * 10**10, 'label': f'y{i}', 'score': i, 'note': 'n'}",
                  "f'k{i}'", "", -1, 3, 6});
  KafkaSource source(
      uri("evo"),
      options({{"until", "latest"}, {"format", "avro"}, {"schema_registry", registry_.url()}}));
  SchemaPtr s = source.schema();
  EXPECT_EQ(s->field(0).name, "id");
  EXPECT_EQ(s->field(0).type, DataType::int64());
  EXPECT_EQ(s->field(1).name, "label");
  ScanSpec spec;
  spec.projection = {0, 1, 2, 3};
  source.apply(spec);
  EXPECT_EQ(
      rows_of(read_all(source)),
      (std::vector<std::string>{"0|x0|7|NULL", "1|x1|7|NULL", "2|x2|7|NULL", "30000000000|y3|3|n",
                                "40000000000|y4|4|n", "50000000000|y5|5|n"}));
  auto reqs = registry_.requests();
  EXPECT_EQ(std::count(reqs.begin(), reqs.end(), fmt::format("GET /schemas/ids/{}", id1)), 1);
}

TEST_F(KafkaAvroTest, DeclaredColumnsReadOnlyWhatTheyName) {
  cluster_->create_topic("decl", 1);
  int id = registry_.add("decl-value", kOrderSchema);
  python_produce(bootstrap(), {"decl", kOrderSchema, id, kOrderExpr, "f'k{i}'", "", -1, 0, 5});
  KafkaSource source(uri("decl"), options({{"until", "latest"},
                                           {"format", "avro"},
                                           {"schema", "price DECIMAL(12,3), id BIGINT, extra INT"},
                                           {"schema_registry", registry_.url()}}));
  ScanSpec spec;
  spec.projection = {0, 1, 2};
  source.apply(spec);
  EXPECT_EQ(rows_of(read_all(source)),
            (std::vector<std::string>{"0.000|0|NULL", "1.010|1|NULL", "2.020|2|NULL",
                                      "3.030|3|NULL", "4.040|4|NULL"}));
  // The declared columns needed no reader schema: only the writer id was fetched.
  EXPECT_EQ(registry_.requests(), std::vector<std::string>{fmt::format("GET /schemas/ids/{}", id)});
}

TEST_F(KafkaAvroTest, PlainDatumsWithAvroSchemaOption) {
  cluster_->create_topic("plain", 1);
  python_produce(bootstrap(), {"plain", kOrderSchema, -1, kOrderExpr, "f'k{i}'", "", -1, 0, 20});
  KafkaSource source(
      uri("plain"),
      options({{"until", "latest"}, {"format", "avro"}, {"avro_schema", kOrderSchema}}));
  ScanSpec spec;
  for (int c = 0; c < 9; ++c) spec.projection.push_back(c);
  source.apply(spec);
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) expected.push_back(text_of(order_row(i)));
  EXPECT_EQ(rows_of(read_all(source)), expected);
}

TEST_F(KafkaAvroTest, AvroKeysDecodeIntoTheKeyColumn) {
  cluster_->create_topic("keyed", 1);
  const char* key_schema =
      R"({"type":"record","name":"K","fields":[{"name":"user","type":"string"},)"
      R"({"name":"region","type":"int"}]})";
  const char* value_schema =
      R"({"type":"record","name":"V","fields":[{"name":"n","type":"long"}]})";
  int kid = registry_.add("keyed-key", key_schema);
  int vid = registry_.add("keyed-value", value_schema);
  python_produce(bootstrap(), {"keyed", value_schema, vid, "{'n': i}",
                               "{'user': f'u{i}', 'region': i % 2}", key_schema, kid, 0, 4});
  KafkaSource source(uri("keyed"), options({{"until", "latest"},
                                            {"format", "avro"},
                                            {"key_format", "avro"},
                                            {"schema_registry", registry_.url()}}));
  SchemaPtr s = source.schema();
  EXPECT_EQ(s->field(s->find("_key")).type,
            DataType::struct_of(
                {{"user", DataType::string(), true}, {"region", DataType::int32(), true}}));
  ScanSpec spec;
  spec.projection = {s->find("_key"), s->find("n")};
  source.apply(spec);
  auto rows = rows_of(read_all(source));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0],
            Value::nested(s->field(s->find("_key")).type, {Value::string("u0"), Value::int32(0)})
                    .to_string() +
                "|0");
  EXPECT_EQ(rows[3],
            Value::nested(s->field(s->find("_key")).type, {Value::string("u3"), Value::int32(1)})
                    .to_string() +
                "|3");
}

TEST_F(KafkaAvroTest, UndecodableMessagesFollowOnError) {
  cluster_->create_topic("bad", 1);
  cluster_->create_topic("bad-dlq", 1);
  const char* schema = R"({"type":"record","name":"V","fields":[{"name":"n","type":"long"}]})";
  int id = registry_.add("bad-value", schema);
  python_produce(bootstrap(), {"bad", schema, id, "{'n': i}", "f'k{i}'", "", -1, 0, 2});
  // Offset 2: no magic byte. 3 and 4: an unknown schema id. 5: a datum with bytes left over.
  kcat_produce(bootstrap(), "bad", {"hello"});
  python_produce(bootstrap(), {"bad", schema, 999, "{'n': i}", "f'k{i}'", "", -1, 3, 5});
  python_produce(bootstrap(), {"bad", R"({"type":"record","name":"W","fields":[
      {"name":"n","type":"long"},{"name":"m","type":"long"}]})",
                               id, "{'n': i, 'm': 1}", "f'k{i}'", "", -1, 5, 6});
  python_produce(bootstrap(), {"bad", schema, id, "{'n': i}", "f'k{i}'", "", -1, 6, 7});
  auto opts = [&](std::string on_error) {
    Options o = options({{"until", "latest"},
                         {"format", "avro"},
                         {"schema_registry", registry_.url()},
                         {"on_error", on_error}});
    if (on_error == "dlq") o.set("dlq", uri("bad-dlq"));
    return o;
  };
  {
    KafkaSource s(uri("bad"), opts("fail"));
    ErrorKind kind;
    std::string msg = error_of([&] { read_all(s); }, &kind);
    EXPECT_EQ(kind, ErrorKind::kFormat);
    EXPECT_NE(msg.find("Kafka topic 'bad' partition 0 offset 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("magic byte"), std::string::npos) << msg;
  }
  {
    KafkaSource s(uri("bad"), opts("skip"));
    ScanSpec spec;
    spec.projection = {0, s.schema()->find("_offset")};
    s.apply(spec);
    EXPECT_EQ(rows_of(read_all(s)), (std::vector<std::string>{"0|0", "1|1", "6|6"}));
    EXPECT_EQ(s.rows_rejected(), 4);
    // The unknown id was asked for once, not once per message ('fail' stopped before it).
    auto reqs = registry_.requests();
    EXPECT_EQ(std::count(reqs.begin(), reqs.end(), "GET /schemas/ids/999"), 1);
  }
  {
    KafkaSource s(uri("bad"), opts("dlq"));
    read_all(s);
    s.acknowledge();
    EXPECT_EQ(s.rows_rejected(), 4);
    std::string errors = kcat_consume(bootstrap(), "bad-dlq", "%o %h\\n");
    auto lines = lines_of(errors);
    ASSERT_EQ(lines.size(), 4u) << errors;
    EXPECT_NE(lines[1].find("schema id 999 cannot be read"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("Schema 999 not found"), std::string::npos) << lines[1];
    EXPECT_NE(lines[3].find("byte(s) left after the Avro datum of schema id"), std::string::npos)
        << lines[3];
    EXPECT_NE(lines[3].find("velo.offset=5"), std::string::npos) << lines[3];
  }
}

TEST_F(KafkaAvroTest, RegistryTroubleIsAClearErrorNotASkippedMessage) {
  cluster_->create_topic("down", 1);
  const char* schema = R"({"type":"record","name":"V","fields":[{"name":"n","type":"long"}]})";
  python_produce(bootstrap(), {"down", schema, 1, "{'n': i}", "f'k{i}'", "", -1, 0, 2});
  int port;
  {
    FakeSchemaRegistry gone;
    port = gone.port();
  }
  std::string url = fmt::format("http://bob:hunter2@127.0.0.1:{}", port);
  ErrorKind kind;
  {
    // Discovery needs the registry.
    KafkaSource s(uri("down"),
                  options({{"until", "latest"}, {"format", "avro"}, {"schema_registry", url}}));
    std::string msg = error_of([&] { s.schema(); }, &kind);
    EXPECT_EQ(kind, ErrorKind::kIo);
    EXPECT_NE(msg.find(fmt::format("schema registry http://***@127.0.0.1:{}", port)),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("GET /subjects/down-value/versions/latest"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
  }
  {
    // Declared columns: the first message needs its writer schema; on_error does not hide that.
    KafkaSource s(uri("down"), options({{"until", "latest"},
                                        {"format", "avro"},
                                        {"schema", "n BIGINT"},
                                        {"on_error", "skip"},
                                        {"schema_registry", url}}));
    std::string msg = error_of([&] { read_all(s); }, &kind);
    EXPECT_EQ(kind, ErrorKind::kIo);
    EXPECT_NE(msg.find("Kafka topic 'down' partition 0 offset 0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("GET /schemas/ids/1 failed after 4 attempt(s)"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
    EXPECT_EQ(s.rows_rejected(), 0);
  }
  {
    // A registry answering 503 a few times is retried through.
    registry_.add("down-value", schema);
    registry_.fail_next(2, 503);
    KafkaSource s(
        uri("down"),
        options({{"until", "latest"}, {"format", "avro"}, {"schema_registry", registry_.url()}}));
    ScanSpec spec;
    spec.projection = {0};
    s.apply(spec);
    EXPECT_EQ(rows_of(read_all(s)), (std::vector<std::string>{"0", "1"}));
  }
  {
    // An empty subject: 404 named with the subject.
    KafkaSource s(uri("down"), options({{"format", "avro"},
                                        {"value_subject", "other-value"},
                                        {"schema_registry", registry_.url()}}));
    std::string msg = error_of([&] { s.schema(); }, &kind);
    EXPECT_EQ(kind, ErrorKind::kUser);
    EXPECT_NE(msg.find("HTTP 404"), std::string::npos) << msg;
    EXPECT_NE(msg.find("subject 'other-value'"), std::string::npos) << msg;
  }
}

TEST_F(KafkaAvroTest, OptionErrors) {
  cluster_->create_topic("o", 1);
  std::string msg = error_of([&] { KafkaSource(uri("o"), options({{"format", "avro"}})); });
  EXPECT_NE(msg.find("schema_registry"), std::string::npos) << msg;
  EXPECT_THROW(KafkaSource(uri("o"), options({{"format", "avro"}, {"avro_schema", "{"}})), Error);
  EXPECT_THROW(KafkaSource(uri("o"), options({{"avro_schema", R"("long")"}})), Error);
  EXPECT_THROW(KafkaSource(uri("o"), options({{"key_format", "avro"}})), Error);
  EXPECT_THROW(KafkaSink(uri("o"), options({{"format", "csv"}, {"schema_registry", "http://x"}})),
               Error);
}

// ---- sink -------------------------------------------------------------------------------------

/// Reads every message of `topic` with kcat and decodes it with python3-avro: Confluent-framed
/// messages must carry `id` and decode with `schema`; prints one line per message.
std::vector<std::string> python_decode(const std::string& bootstrap, const std::string& topic,
                                       const std::string& schema, int id) {
  std::string raw = temp_file("");
  run(fmt::format("kcat -C -b {} -t {} -e -q -f '%S\\n%s' > {} 2>/dev/null", bootstrap, topic,
                  raw));
  std::string schema_file = temp_file(schema);
  std::string script = temp_file(R"PY(
import io, json, struct, sys
import avro.io, avro.schema
raw, schema, sid = open(sys.argv[1], 'rb').read(), open(sys.argv[2]).read(), int(sys.argv[3])
r = avro.io.DatumReader(avro.schema.parse(schema))
pos = 0
def cell(v):
    if v is None: return 'NULL'
    if isinstance(v, float): return repr(v)
    if hasattr(v, 'isoformat'): return v.strftime('%Y-%m-%d %H:%M:%S.%f')
    if isinstance(v, list): return json.dumps(v)
    return str(v)
while pos < len(raw):
    nl = raw.index(b'\n', pos)
    n = int(raw[pos:nl]); msg = raw[nl + 1:nl + 1 + n]; pos = nl + 1 + n
    if sid >= 0:
        magic, got = struct.unpack('>bI', msg[:5])
        assert magic == 0 and got == sid, (magic, got)
        msg = msg[5:]
    buf = io.BytesIO(msg)
    d = r.read(avro.io.BinaryDecoder(buf))
    assert buf.tell() == len(msg), 'trailing bytes'
    print('|'.join(cell(v) for v in d.values()))
)PY");
  std::string out =
      run(fmt::format("/usr/bin/python3 {} {} {} {} 2>&1", script, raw, schema_file, id));
  for (const auto& f : {raw, schema_file, script}) unlink(f.c_str());
  auto lines = lines_of(out);
  return lines;
}

SchemaPtr sink_columns() {
  return std::make_shared<const Schema>(std::vector<Field>{
      {"id", DataType::int64(), false},
      {"name", DataType::string(), true},
      {"amount", DataType::float64(), false},
      {"price", DataType::decimal(10, 2), true},
      {"ts", DataType::timestamp(), false},
      {"tags", DataType::list_of(DataType::int32()), false},
  });
}

std::vector<Value> sink_row(int i) {
  std::vector<Value> tags;
  for (int t = 0; t < i % 3; ++t) tags.push_back(Value::int32(t * i));
  return {Value::int64(i * 1000003LL),
          i % 4 == 0 ? Value::null(DataType::string()) : Value::string(fmt::format("s{}", i)),
          Value::float64(i / 8.0),
          i % 5 == 0 ? Value::null(DataType::decimal(10, 2)) : Value::decimal(i * 7 - 50, 10, 2),
          Value::timestamp(kJan2024Micros + i * 1500000LL),
          Value::nested(DataType::list_of(DataType::int32()), tags)};
}

std::string python_text(int i) {
  std::string tags = "[";
  for (int t = 0; t < i % 3; ++t) tags += fmt::format("{}{}", t ? ", " : "", t * i);
  tags += "]";
  int64_t cents = i * 7 - 50;
  std::string price = i % 5 == 0 ? "NULL"
                                 : fmt::format("{}{}.{:02d}", cents < 0 ? "-" : "",
                                               std::abs(cents) / 100, std::abs(cents) % 100);
  int64_t ms = i * 1500;
  return fmt::format("{}|{}|{}|{}|2024-01-01 00:{:02d}:{:02d}.{:06d}|{}", i * 1000003LL,
                     i % 4 == 0 ? "NULL" : fmt::format("s{}", i),
                     Value::float64(i / 8.0).to_string(), price, ms / 60000, ms / 1000 % 60,
                     ms % 1000 * 1000, tags);
}

TEST_F(KafkaAvroTest, SinkRegistersItsSchemaAndFramesMessagesReadBackByPython) {
  cluster_->create_topic("out", 1);
  SchemaPtr cols = sink_columns();
  KafkaSink sink(uri("out"), options({{"format", "avro"}, {"schema_registry", registry_.url()}}));
  write_all(sink, cols, make_batch(cols, 0, 40, sink_row));
  auto reqs = registry_.requests();
  ASSERT_EQ(reqs, std::vector<std::string>{"POST /subjects/out-value/versions"});
  int id = 1;
  std::string schema = registry_.schema_of(id);
  EXPECT_EQ(avro::AvroSchema::parse(schema)->canonical_form(),
            avro::AvroSchema::from_velo(*cols)->canonical_form());
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) expected.push_back(python_text(i));
  EXPECT_EQ(python_decode(bootstrap(), "out", schema, id), expected);
}

TEST_F(KafkaAvroTest, SinkWritesPlainDatumsWithoutARegistry) {
  cluster_->create_topic("plainout", 1);
  SchemaPtr cols = sink_columns();
  KafkaSink sink(uri("plainout"), options({{"format", "avro"}}));
  write_all(sink, cols, make_batch(cols, 0, 10, sink_row));
  std::vector<std::string> expected;
  for (int i = 0; i < 10; ++i) expected.push_back(python_text(i));
  EXPECT_EQ(
      python_decode(bootstrap(), "plainout", avro::AvroSchema::from_velo(*cols)->to_json(), -1),
      expected);
}

TEST_F(KafkaAvroTest, SinkColumnNamesThatAreNotAvroNamesStillCarryTheirValues) {
  cluster_->create_topic("names", 1);
  auto cols = std::make_shared<const Schema>(std::vector<Field>{
      {"total amount", DataType::int64(), false}, {"1st", DataType::string(), true}});
  KafkaSink sink(uri("names"), options({{"format", "avro"}}));
  write_all(sink, cols, make_batch(cols, 0, 3, [](int i) {
              return std::vector<Value>{Value::int64(i * 11), Value::string(fmt::format("x{}", i))};
            }));
  std::string schema = avro::AvroSchema::from_velo(*cols)->to_json();
  KafkaSource source(uri("names"),
                     options({{"until", "latest"}, {"format", "avro"}, {"avro_schema", schema}}));
  SchemaPtr s = source.schema();
  EXPECT_EQ(s->field(0).name, "total_amount");
  EXPECT_EQ(s->field(1).name, "_1st");
  ScanSpec spec;
  spec.projection = {0, 1};
  source.apply(spec);
  EXPECT_EQ(rows_of(read_all(source)), (std::vector<std::string>{"0|x0", "11|x1", "22|x2"}));
}

TEST_F(KafkaAvroTest, VeloSinkToVeloSourceWithAvroKeysAndValues) {
  cluster_->create_topic("rt", 1);
  SchemaPtr cols = sink_columns();
  {
    KafkaSink sink(uri("rt"), options({{"format", "avro"},
                                       {"key_format", "avro"},
                                       {"key", "id"},
                                       {"schema_registry", registry_.url()}}));
    write_all(sink, cols, make_batch(cols, 0, 30, sink_row));
  }
  EXPECT_EQ(registry_.requests(), (std::vector<std::string>{"POST /subjects/rt-value/versions",
                                                            "POST /subjects/rt-key/versions"}));
  EXPECT_EQ(avro::AvroSchema::parse(registry_.schema_of(2))->root().type, avro::AvroType::kLong);
  KafkaSource source(uri("rt"), options({{"until", "latest"},
                                         {"format", "avro"},
                                         {"key_format", "avro"},
                                         {"schema_registry", registry_.url()}}));
  SchemaPtr s = source.schema();
  EXPECT_EQ(s->field(s->find("_key")).type, DataType::int64());
  ScanSpec spec;
  for (int c = 0; c < 6; ++c) spec.projection.push_back(c);
  spec.projection.push_back(s->find("_key"));
  source.apply(spec);
  std::vector<std::string> expected;
  for (int i = 0; i < 30; ++i)
    expected.push_back(text_of(sink_row(i)) + fmt::format("|{}", i * 1000003LL));
  EXPECT_EQ(rows_of(read_all(source)), expected);
}

}  // namespace
}  // namespace velo::kafka
