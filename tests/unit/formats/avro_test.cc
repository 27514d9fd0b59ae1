#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "parquet_test_util.h"
#include "velo/formats/avro/avro_container.h"
#include "velo/formats/avro/avro_datum.h"
#include "velo/formats/avro/avro_format.h"
#include "velo/formats/avro/avro_schema.h"
#include "velo/types/temporal.h"

namespace velo {
namespace {

using avro::AvroSchema;
using parquet_test::MemoryFile;
using parquet_test::MemoryOutput;
using parquet_test::PosixFile;

const std::string kData = std::string(VELO_TESTDATA_DIR) + "/avro/";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct ReadResult {
  SchemaPtr schema;
  std::vector<std::vector<std::string>> rows;  // value_at(i).to_string() per cell
  int64_t rejected = 0;
  std::vector<RejectedRecord> dlq;
};

ReadResult read_file(std::shared_ptr<RandomAccessFile> file, SchemaPtr schema = nullptr,
                     std::vector<int> projection = {}, const Options* options = nullptr,
                     FormatReadRequest::OnError on_error = FormatReadRequest::OnError::kFail) {
  AvroFormat format;
  FormatReadRequest req;
  req.file = file;
  req.schema = schema;
  req.spec.projection = std::move(projection);
  req.options = options;
  req.on_error = on_error;
  ReadResult out;
  req.on_reject = [&](const RejectedRecord& r) {
    RejectedRecord copy = r;
    copy.raw = {};
    out.dlq.push_back(copy);
  };
  auto reader = format.open_reader(req);
  Batch b;
  while (reader->next(&b)) {
    out.schema = b.schema;
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::vector<std::string> row;
      for (const auto& c : b.columns) row.push_back(c->value_at(r).to_string());
      out.rows.push_back(std::move(row));
    }
  }
  out.rejected = reader->rows_rejected();
  return out;
}

ReadResult read_path(const std::string& rel, SchemaPtr schema = nullptr) {
  return read_file(std::make_shared<PosixFile>(kData + rel), schema);
}

// "a INT32, b STRING".
std::string fields_str(const SchemaPtr& s) {
  std::string out;
  for (size_t i = 0; i < s->size(); ++i)
    out += (i ? ", " : "") + s->field(i).name + " " + s->field(i).type.to_string();
  return out;
}

std::string join(const std::vector<std::string>& row) {
  std::string s;
  for (size_t i = 0; i < row.size(); ++i) s += (i ? "|" : "") + row[i];
  return s;
}

// Error message of reading `rel` (kFormat expected), "" when it reads.
std::string read_error(const std::string& rel, ErrorKind want = ErrorKind::kFormat) {
  try {
    read_path(rel);
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(want)) << rel << ": " << e.message();
    return e.message();
  }
  return "";
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') out.push_back(e->d_name);
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// ---- schemas ------------------------------------------------------------------------------

TEST(AvroSchema, UpstreamPassAndFailSchemas) {
  std::string base = kData + "apache-avro/lang-c-tests/schema_tests/";
  auto pass = list_dir(base + "pass");
  auto fail = list_dir(base + "fail");
  ASSERT_EQ(pass.size(), 26u);
  ASSERT_EQ(fail.size(), 10u);
  for (const auto& f : pass) EXPECT_NO_THROW(AvroSchema::parse(slurp(base + "pass/" + f))) << f;
  for (const auto& f : fail) {
    try {
      AvroSchema::parse(slurp(base + "fail/" + f));
      ADD_FAILURE() << f << " parsed";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kFormat) << f;
      EXPECT_NE(e.message().find("invalid Avro schema"), std::string::npos) << e.message();
    }
  }
}

TEST(AvroSchema, NamespacesAndReferences) {
  auto s =
      AvroSchema::parse(slurp(kData + "apache-avro/lang-c-tests/schema_tests/pass/namespace_enum"));
  const auto& r = s->root();
  EXPECT_EQ(r.name, "org.apache.avro.tests.Hello");
  EXPECT_EQ(r.fields[0].type->name, "org.apache.avro.tests.MyEnum");
  EXPECT_EQ(r.fields[1].type, r.fields[0].type);  // full-name reference
  EXPECT_EQ(r.fields[2].type, r.fields[0].type);  // relative reference
  EXPECT_EQ(r.fields[3].type->name, "other.namespace.OtherEnum");
  EXPECT_EQ(r.fields[5].type->name, "some.other.ThirdEnum");
  auto n = AvroSchema::parse(
      slurp(kData + "apache-avro/lang-c-tests/schema_tests/pass/namespace_null_fixed"));
  EXPECT_EQ(n->root().fields[1].type->name, "Z");
  EXPECT_EQ(n->root().fields[1].type->size, 8);
}

TEST(AvroSchema, RecursiveTypesParseButDoNotMap) {
  auto s = AvroSchema::parse(
      slurp(kData + "apache-avro/lang-c-tests/schema_tests/pass/recursive_record"));
  try {
    s->velo_schema();
    FAIL() << "recursive type mapped";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotSupported);
    EXPECT_NE(e.message().find("recursive Avro type 'recursive'"), std::string::npos);
  }
}

TEST(AvroSchema, TypeMapping) {
  auto s = AvroSchema::parse(R"({"type":"record","name":"R","fields":[
    {"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
    {"name":"b","type":"boolean"},{"name":"s","type":"string"},{"name":"y","type":"bytes"},
    {"name":"x","type":{"type":"fixed","name":"F","size":4}},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
    {"name":"a","type":{"type":"array","items":"long"}},
    {"name":"m","type":{"type":"map","values":["null","double"]}},
    {"name":"n","type":["null","string"]},
    {"name":"u","type":["null","int","string","F"]},
    {"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":4}},
    {"name":"df","type":{"type":"fixed","name":"D","size":9,"logicalType":"decimal","precision":20,"scale":2}},
    {"name":"dt","type":{"type":"int","logicalType":"date"}},
    {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
    {"name":"tu","type":{"type":"long","logicalType":"time-micros"}},
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"tl","type":{"type":"long","logicalType":"local-timestamp-micros"}},
    {"name":"id","type":{"type":"string","logicalType":"uuid"}},
    {"name":"bad","type":{"type":"string","logicalType":"date"}},
    {"name":"dur","type":{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}},
    {"name":"r","type":{"type":"record","name":"Inner","fields":[{"name":"z","type":"int"}]}}]})");
  EXPECT_EQ(s->velo_schema()->to_string(),
            Schema({{"i", DataType::int32()},
                    {"l", DataType::int64()},
                    {"f", DataType::float64()},
                    {"b", DataType::boolean()},
                    {"s", DataType::string()},
                    {"y", DataType::bytes()},
                    {"x", DataType::bytes()},
                    {"e", DataType::string()},
                    {"a", DataType::list_of(DataType::int64())},
                    {"m", DataType::map_of(DataType::string(), DataType::float64())},
                    {"n", DataType::string()},
                    {"u", DataType::struct_of({{"int", DataType::int32()},
                                               {"string", DataType::string()},
                                               {"F", DataType::bytes()}})},
                    {"d", DataType::decimal(20, 4)},
                    {"df", DataType::decimal(20, 2)},
                    {"dt", DataType::date()},
                    {"tm", DataType::int64()},
                    {"tu", DataType::int64()},
                    {"ts", DataType::timestamp()},
                    {"tl", DataType::timestamp()},
                    {"id", DataType::string()},
                    {"bad", DataType::string()},
                    {"dur", DataType::interval()},
                    {"r", DataType::struct_of({{"z", DataType::int32()}})}})
                .to_string());
  auto big = AvroSchema::parse(R"({"type":"bytes","logicalType":"decimal","precision":40})");
  EXPECT_THROW(big->velo_schema(), Error);
}

// Parsing Canonical Form and fingerprints: apache/avro share/test/data/schema-tests.txt.
TEST(AvroSchema, CanonicalFormVectors) {
  std::istringstream in(slurp(kData + "apache-avro/share-test-data/schema-tests.txt"));
  std::string line;
  auto take = [&](const std::string& tag) {
    std::string rest = line.substr(tag.size());
    if (!rest.empty() && rest[0] == ' ') return rest.substr(1);
    std::string text, l;
    std::string end = tag.substr(2);
    while (std::getline(in, l) && l != end) text += l + "\n";
    return text;
  };
  int cases = 0, fps = 0;
  std::string input, canonical;
  while (std::getline(in, line)) {
    if (line.rfind("<<INPUT", 0) == 0) {
      input = take("<<INPUT");
    } else if (line.rfind("<<canonical", 0) == 0) {
      canonical = take("<<canonical");
      auto s = AvroSchema::parse(input);
      EXPECT_EQ(s->canonical_form(), canonical) << input;
      ++cases;
    } else if (line.rfind("<<fingerprint ", 0) == 0) {
      int64_t fp = std::stoll(line.substr(14));
      EXPECT_EQ(static_cast<int64_t>(AvroSchema::parse(input)->fingerprint64()), fp) << input;
      ++fps;
    }
  }
  EXPECT_EQ(cases, 34);
  EXPECT_EQ(fps, 26);
}

TEST(AvroSchema, FromVeloRoundTripsThroughJson) {
  Schema s({{"a b", DataType::int64(), false},
            {"1x", DataType::decimal(12, 3)},
            {"ts", DataType::timestamp()},
            {"l", DataType::list_of(DataType::string())},
            {"m", DataType::map_of(DataType::int32(), DataType::float64())},
            {"st", DataType::struct_of({{"x", DataType::date()}, {"y", DataType::interval()}})}});
  auto a = AvroSchema::from_velo(s);
  auto again = AvroSchema::parse(a->to_json());
  EXPECT_EQ(again->to_json(), a->to_json());
  EXPECT_EQ(a->root().fields[0].name, "a_b");
  EXPECT_EQ(a->root().fields[0].type->type, avro::AvroType::kLong);  // not nullable
  EXPECT_EQ(a->root().fields[1].name, "_1x");
  EXPECT_EQ(a->root().fields[1].type->type, avro::AvroType::kUnion);
  // MAP<INT32, ...> becomes an array of {key, value} records marked logicalType "map".
  EXPECT_EQ(a->root().fields[4].type->nullable_branch()->type, avro::AvroType::kArray);
  EXPECT_EQ(a->root().fields[4].type->nullable_branch()->logical, avro::LogicalType::kMap);
  EXPECT_EQ(again->velo_schema()->field(4).type, s.field(4).type);
}

// ---- upstream files ----------------------------------------------------------------------

TEST(AvroFiles, WeatherAllCodecsMatchJson) {
  std::vector<std::string> expected = {
      "011990-99999|-619524000000|0", "011990-99999|-619506000000|22",
      "011990-99999|-619484400000|-11", "012650-99999|-655531200000|111",
      "012650-99999|-655509600000|78"};
  for (const char* f : {"weather.avro", "weather-deflate.avro", "weather-snappy.avro"}) {
    auto r = read_path(std::string("apache-avro/share-test-data/") + f);
    ASSERT_EQ(r.rows.size(), 5u) << f;
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(join(r.rows[i]), expected[i]) << f;
    EXPECT_EQ(fields_str(r.schema), "station STRING, time INT64, temp INT32");
  }
  // weather.json is the upstream truth for the same records.
  std::istringstream json(slurp(kData + "apache-avro/share-test-data/weather.json"));
  std::string line;
  size_t i = 0;
  while (std::getline(json, line)) {
    auto parts = expected[i++];
    std::string station = parts.substr(0, parts.find('|'));
    EXPECT_NE(line.find("\"" + station + "\""), std::string::npos);
  }
  EXPECT_EQ(i, 5u);
}

TEST(AvroFiles, RecordCounts) {
  struct Case {
    const char* file;
    size_t rows;
  } cases[] = {
      {"apache-avro/lang-c-tests/avro-1237-good.avro", 2},
      {"apache-avro/lang-c-tests/avro-1238-good.avro", 2},
      {"apache-avro/lang-c-tests/avro-1279-codec.avro", 3},
      {"apache-avro/lang-c-tests/avro-1279-no-codec.avro", 3},
      {"apache-avro/lang-java-mapred/part-r-00000.avro", 3},
      {"apache-avro/share-test-data/schemas/simple/data.avro", 3},
      {"apache-avro/share-test-data/syncInMeta.avro", 6001},
      {"fastavro/bool.avro", 1},
      {"fastavro/class_org.apache.avro.tool.TestDataFileTools.seperators.avro", 5},
      {"fastavro/class_org.apache.avro.tool.TestDataFileTools.testWrite.plain.avro", 10},
      {"fastavro/class_org.apache.avro.tool.TestDataFileTools.zerojsonvalues.avro", 0},
      {"fastavro/deflate.avro", 10},
      {"fastavro/error-type.avro", 1},
      {"fastavro/no-fields.avro", 1},
      {"fastavro/null.avro", 10},
      {"fastavro/org.apache.avro.tool.TestDataFileTools.avro", 10},
      {"fastavro/request.avro", 1},
      {"fastavro/response.avro", 1},
      {"fastavro/snappy.avro", 10},
      {"fastavro/test-deflate-0.avro", 400},
      {"fastavro/test-deflate-1-A.avro", 400},
      {"fastavro/test-deflate-1.avro", 400},
      {"fastavro/test-deflate-3-A.avro", 400},
      {"fastavro/test-deflate-6-B.avro", 200},
      {"fastavro/test-null.avro", 400},
      {"fastavro/test-snappy.avro", 400},
      {"fastavro/testDataFileMeta.avro", 0},
      {"fastavro/weather-legacy-generated.avro", 4},
      {"fastavro/weather-legacy-with-names.avro", 3},
      {"goavro/quickstop-null.avro", 6001},
      {"goavro/quickstop-snappy.avro", 6001},
      {"hamba-avro/ocf/full.avro", 1},
      {"hamba-avro/ocf/full-deflate.avro", 1},
      {"hamba-avro/ocf/full-snappy.avro", 1},
      {"hamba-avro/ocf/full-zstd.avro", 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    ReadResult r;
    ASSERT_NO_THROW(r = read_path(c.file));
    EXPECT_EQ(r.rows.size(), c.rows);
  }
}

TEST(AvroFiles, ContentsAcrossCodecsAgree) {
  auto base = read_path("fastavro/test-null.avro");
  for (const char* f : {"fastavro/test-deflate-1.avro", "fastavro/test-snappy.avro"}) {
    auto r = read_path(f);
    EXPECT_EQ(r.rows, base.rows) << f;
  }
  auto q = read_path("goavro/quickstop-null.avro");
  EXPECT_EQ(read_path("goavro/quickstop-snappy.avro").rows, q.rows);
  EXPECT_EQ(read_path("apache-avro/share-test-data/syncInMeta.avro").rows, q.rows);
  auto full = read_path("hamba-avro/ocf/full.avro");
  // The map column's entry order differs between these files (written by Go, whose map
  // iteration order is random): compare it by size, the rest exactly.
  for (const char* f : {"hamba-avro/ocf/full-deflate.avro", "hamba-avro/ocf/full-snappy.avro",
                        "hamba-avro/ocf/full-zstd.avro"}) {
    auto rows = read_path(f).rows;
    ASSERT_EQ(rows.size(), 1u);
    for (size_t c = 0; c < rows[0].size(); ++c)
      if (c == 3)
        EXPECT_EQ(rows[0][c].size(), full.rows[0][c].size()) << f;
      else
        EXPECT_EQ(rows[0][c], full.rows[0][c]) << f;
  }
  EXPECT_EQ(read_path("fastavro/deflate.avro").rows, read_path("fastavro/null.avro").rows);
  EXPECT_EQ(read_path("fastavro/snappy.avro").rows, read_path("fastavro/null.avro").rows);
}

TEST(AvroFiles, FullRecordValues) {
  auto r = read_path("hamba-avro/ocf/full-zstd.avro");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.schema->field(2).type, DataType::string());  // enum
  const auto& row = r.rows[0];
  EXPECT_EQ(row[2], "C");
  EXPECT_EQ(row[4], "union value");
  EXPECT_EQ(row[5], Value::bytes(std::string("\x01\x02\x03\x04\x01\x02\x03\x04\x01\x02\x03\x04"
                                             "\x01\x02\x03\x04",
                                             16))
                        .to_string());
  EXPECT_NE(row[0].find("string5"), std::string::npos);
  EXPECT_NE(row[6].find("1925639126735"), std::string::npos);
  EXPECT_NE(row[6].find("I am a test record"), std::string::npos);
  EXPECT_NE(row[3].find("key3"), std::string::npos);
}

TEST(AvroFiles, PrimitiveExtremes) {
  auto r = read_path("apache-avro/lang-c-tests/avro-1279-no-codec.avro");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[1][1], "-2147483648");
  EXPECT_EQ(r.rows[1][2], "-9223372036854775808");
  EXPECT_EQ(r.rows[2][1], "2147483647");
  EXPECT_EQ(r.rows[2][2], "9223372036854775807");
  EXPECT_EQ(r.rows[0][0], "true");
  EXPECT_EQ(r.rows[2][6], "MAX VALUES");
  auto u = read_path("apache-avro/lang-c-tests/avro-1237-good.avro");
  EXPECT_EQ(u.schema->field(0).name, "value");
  EXPECT_EQ(u.schema->field(0).type, DataType::int32());
}

TEST(AvroFiles, LegacyNestedRecords) {
  auto r = read_path("fastavro/weather-legacy-with-names.avro");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_NE(r.rows[0][3].find("012650-99999"), std::string::npos);
  EXPECT_NE(r.rows[0][4].find("012651-99999"), std::string::npos);
  auto g = read_path("fastavro/weather-legacy-generated.avro");
  EXPECT_NE(g.rows[0][3].find("012651-99999"), std::string::npos);
}

// Decision: '$' in names (Java reflect) is accepted; '-' is rejected.
TEST(AvroFiles, DollarNamesAcceptedInvalidNamesRejected) {
  for (const char* f : {"fastavro/lines.avro", "fastavro/part-00000.avro", "fastavro/test.avro"}) {
    ReadResult r;
    EXPECT_NO_THROW(r = read_path(f)) << f;
    EXPECT_GT(r.rows.size(), 0u) << f;
  }
  std::string e = read_error("hamba-avro/ocf/invalid-name.avro");
  EXPECT_NE(e.find("invalid name 'org.company.avro.n-me'"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid-name.avro"), std::string::npos) << e;
}

TEST(AvroFiles, CorruptFilesFailCleanly) {
  struct Case {
    const char* file;
    const char* needle;
  } cases[] = {
      {"goavro/bad-header.avro", "bad magic"},
      {"goavro/blockCountExceedsMaxBlockCount.avro", "block size"},
      {"goavro/blockSizeNotGreaterThanZero.avro", "sync marker"},
      {"goavro/cannotDiscardBlockBytes.avro", "runs past the end"},
      {"goavro/cannotReadBlockSize.avro", "cannot read the block size"},
      {"goavro/firstBlockCountNotGreaterThanZero.avro", "cannot read the block size"},
      {"hamba-avro/ocf/deflate-invalid-data.avro", "corrupt deflate data"},
      {"hamba-avro/ocf/snappy-invalid-data.avro", "corrupt snappy data"},
      {"hamba-avro/ocf/snappy-short-crc.avro", "corrupt snappy data"},
      {"apache-avro/lang-c-tests/avro-1237-bad-union-discriminant.avro",
       "union branch index 2 out of range"},
      {"apache-avro/share-test-data/test.avro12", "unsupported Avro object container version 0"},
  };
  for (const auto& c : cases) {
    std::string e = read_error(c.file);
    EXPECT_NE(e.find(c.needle), std::string::npos) << c.file << ": " << e;
    std::string base = std::string(c.file).substr(std::string(c.file).rfind('/') + 1);
    EXPECT_NE(e.find(base), std::string::npos) << c.file << ": " << e;
  }
}

TEST(AvroFiles, InferSchemaReadsOnlyTheHeader) {
  auto f = std::make_shared<PosixFile>(kData + "goavro/quickstop-null.avro");
  AvroFormat format;
  Options o;
  auto s = format.infer_schema(f, o);
  EXPECT_EQ(fields_str(s), "ID INT64, First STRING, Last STRING, Phone STRING, Age INT32");
  EXPECT_EQ(f->reads_, 1);
  EXPECT_LE(f->bytes_read_, 64 << 10);
}

TEST(AvroFiles, ProjectionAndFewReads) {
  auto f = std::make_shared<PosixFile>(kData + "goavro/quickstop-snappy.avro");
  auto all = read_file(f);
  int64_t reads_before = f->reads_;
  auto r = read_file(f, nullptr, {4, 1});
  EXPECT_LE(f->reads_ - reads_before, 3);  // header + one window
  ASSERT_EQ(r.rows.size(), 6001u);
  EXPECT_EQ(fields_str(r.schema), "Age INT32, First STRING");
  for (size_t i = 0; i < r.rows.size(); i += 500) {
    EXPECT_EQ(r.rows[i][0], all.rows[i][4]);
    EXPECT_EQ(r.rows[i][1], all.rows[i][1]);
  }
  auto none = read_file(f, nullptr, std::vector<int>{});
  EXPECT_EQ(none.rows.size(), 6001u);
}

TEST(AvroMessages, SingleObjectEncoding) {
  auto schema =
      AvroSchema::parse(slurp(kData + "apache-avro/share-test-data/messageV1/test_schema.avsc"));
  std::string msg = slurp(kData + "apache-avro/share-test-data/messageV1/test_message.bin");
  ASSERT_TRUE(avro::is_single_object(msg));
  auto so = avro::parse_single_object(msg);
  EXPECT_EQ(so.fingerprint, schema->fingerprint64());
  std::vector<ColumnPtr> cols;
  avro::decode_datum(*schema, nullptr, so.datum, cols);
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(cols[0]->value_at(0).to_string(), "42");
  EXPECT_EQ(cols[1]->value_at(0).to_string(), "Bill");
  EXPECT_EQ(cols[2]->value_at(0),
            Value::nested(DataType::list_of(DataType::string()),
                          {Value::string("dog_lover"), Value::string("cat_hater")}));
}

// ---- writer round trips --------------------------------------------------------------------

SchemaPtr rich_schema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType::int64(), false},
      {"i", DataType::int32()},
      {"d", DataType::float64()},
      {"b", DataType::boolean()},
      {"s", DataType::string()},
      {"y", DataType::bytes()},
      {"dec", DataType::decimal(38, 6)},
      {"dt", DataType::date()},
      {"ts", DataType::timestamp()},
      {"iv", DataType::interval()},
      {"l", DataType::list_of(DataType::int32())},
      {"m", DataType::map_of(DataType::string(), DataType::string())},
      {"mi", DataType::map_of(DataType::int64(), DataType::boolean())},
      {"st", DataType::struct_of(
                 {{"x", DataType::int32()}, {"y", DataType::list_of(DataType::string())}})},
  });
}

Batch rich_batch(size_t n, uint64_t seed) {
  SchemaPtr s = rich_schema();
  Batch b = Batch::empty(s);
  std::mt19937_64 rng(seed);
  for (size_t r = 0; r < n; ++r) {
    auto null = [&]() { return rng() % 7 == 0; };
    b.columns[0]->append<int64_t>(static_cast<int64_t>(rng()));
    std::vector<Value> row;
    row.push_back(null() ? Value::null(DataType::int32())
                         : Value::int32(static_cast<int32_t>(rng())));
    row.push_back(null() ? Value::null(DataType::float64())
                         : Value::float64(static_cast<double>(static_cast<int64_t>(rng())) / 7.0));
    row.push_back(null() ? Value::null(DataType::boolean()) : Value::boolean(rng() & 1));
    row.push_back(null() ? Value::null(DataType::string())
                         : Value::string(std::string(rng() % 20, 'a' + rng() % 26) + "é"));
    row.push_back(null() ? Value::null(DataType::bytes())
                         : Value::bytes(std::string("\0\xff\x80", 3) + std::to_string(r)));
    int128_t dec =
        (static_cast<int128_t>(static_cast<int64_t>(rng())) * 1000003) * (rng() % 2 ? -1 : 1);
    if (r == 1) dec = decimal::max_for_precision(38);
    if (r == 2) dec = -decimal::max_for_precision(38);
    row.push_back(null() ? Value::null(DataType::decimal(38, 6)) : Value::decimal(dec, 38, 6));
    row.push_back(null() ? Value::null(DataType::date())
                         : Value::date(static_cast<int32_t>(rng() % 200000) - 100000));
    row.push_back(null() ? Value::null(DataType::timestamp())
                         : Value::timestamp(static_cast<int64_t>(rng() % (int64_t{1} << 52)) -
                                            (int64_t{1} << 51)));
    row.push_back(null() ? Value::null(DataType::interval())
                         : Value::interval(Interval{static_cast<int32_t>(rng() % 100),
                                                    static_cast<int32_t>(rng() % 40),
                                                    static_cast<int64_t>(rng() % 1000000) * 1000}));
    std::vector<Value> list;
    for (size_t k = rng() % 4; k > 0; --k)
      list.push_back(k == 2 ? Value::null(DataType::int32())
                            : Value::int32(static_cast<int32_t>(k)));
    row.push_back(null() ? Value::null(DataType::list_of(DataType::int32()))
                         : Value::nested(DataType::list_of(DataType::int32()), list));
    DataType mt = DataType::map_of(DataType::string(), DataType::string());
    DataType et = mt.children()[0].type;
    std::vector<Value> entries;
    for (size_t k = rng() % 3; k > 0; --k)
      entries.push_back(Value::nested(
          et, {Value::string("k" + std::to_string(k)),
               k == 1 ? Value::null(DataType::string()) : Value::string("v" + std::to_string(r))}));
    row.push_back(Value::nested(mt, entries));
    DataType mi = DataType::map_of(DataType::int64(), DataType::boolean());
    row.push_back(Value::nested(
        mi, {Value::nested(mi.children()[0].type,
                           {Value::int64(static_cast<int64_t>(r)), Value::boolean(r % 2)})}));
    DataType st = s->field(13).type;
    row.push_back(
        null() ? Value::null(st)
               : Value::nested(st, {Value::int32(static_cast<int32_t>(r)),
                                    Value::nested(st.children()[1].type, {Value::string("z")})}));
    for (size_t c = 0; c < row.size(); ++c) b.columns[c + 1]->append_value(row[c]);
  }
  b.num_rows = n;
  return b;
}

std::string write_avro(const std::vector<Batch>& batches, SchemaPtr schema, const Options& o) {
  AvroFormat format;
  MemoryOutput out("memory.avro");
  auto w = format.open_writer(&out, schema, o);
  for (const auto& b : batches) w->write(b);
  w->finish();
  return out.data();
}

TEST(AvroWriter, RoundTripEveryCodec) {
  Batch b = rich_batch(3000, 7);
  std::vector<std::string> expected;
  for (size_t r = 0; r < b.num_rows; ++r) {
    std::vector<std::string> row;
    for (const auto& c : b.columns) row.push_back(c->value_at(r).to_string());
    expected.push_back(join(row));
  }
  for (const char* codec : {"null", "deflate", "snappy", "zstandard"}) {
    SCOPED_TRACE(codec);
    Options o;
    o.set("compression", codec);
    o.set("block_rows", "1000");
    std::string data = write_avro({b, rich_batch(0, 1)}, b.schema, o);
    auto file = std::make_shared<MemoryFile>("mem.avro", data);
    auto h = avro::read_container_header(*file);
    EXPECT_EQ(avro::codec_name(h.codec), std::string(codec));
    auto r = read_file(file);
    ASSERT_EQ(r.rows.size(), b.num_rows);
    for (size_t i = 0; i < r.rows.size(); ++i) ASSERT_EQ(join(r.rows[i]), expected[i]) << i;
    // Types survive (MAP<INT64,...> through an array of records with logicalType "map").
    for (size_t c = 0; c < b.schema->size(); ++c)
      EXPECT_EQ(r.schema->field(c).type, b.schema->field(c).type);
  }
}

TEST(AvroWriter, BlocksAndDefaults) {
  Batch b = rich_batch(100, 3);
  Options o;
  o.set("block_rows", "10");
  std::string data = write_avro({b}, b.schema, o);
  auto file = std::make_shared<MemoryFile>("mem.avro", data);
  auto h = avro::read_container_header(*file);
  EXPECT_EQ(h.codec, avro::Codec::kSnappy);  // the default
  avro::BlockReader br(file, h, h.schema->root().min_size);
  avro::Block blk;
  int blocks = 0;
  while (br.next(&blk)) {
    EXPECT_EQ(blk.count, 10);
    ++blocks;
  }
  EXPECT_EQ(blocks, 10);
  Options bad;
  bad.set("compression", "bzip2");
  try {
    write_avro({b}, b.schema, bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotSupported);
  }
  Options unknown;
  unknown.set("compression", "lzo");
  EXPECT_THROW(write_avro({b}, b.schema, unknown), Error);
}

TEST(AvroWriter, NullIntoNonNullableFieldFails) {
  auto s = std::make_shared<Schema>(std::vector<Field>{{"x", DataType::int32(), false}});
  Batch b = Batch::empty(s);
  b.columns[0]->append_null();
  b.num_rows = 1;
  EXPECT_THROW(write_avro({b}, s, Options()), Error);
}

// ---- schema evolution ----------------------------------------------------------------------

std::string write_with_schema(const std::string& avro_json, const Batch& b,
                              const char* codec = "null") {
  Options o;
  o.set("avro_schema", avro_json);
  o.set("compression", codec);
  return write_avro({b}, b.schema, o);
}

Batch two_rows() {
  auto s = std::make_shared<Schema>(std::vector<Field>{{"a", DataType::int32()},
                                                       {"f", DataType::float64()},
                                                       {"s", DataType::string()},
                                                       {"gone", DataType::string()}});
  Batch b = Batch::empty(s);
  b.columns[0]->append<int32_t>(1);
  b.columns[0]->append<int32_t>(-2);
  b.columns[1]->append<double>(1.5);
  b.columns[1]->append<double>(-0.25);
  b.columns[2]->append_string("x");
  b.columns[2]->append_null();
  b.columns[3]->append_string("old");
  b.columns[3]->append_string("old2");
  b.num_rows = 2;
  return b;
}

const char* kWriterV1 = R"({"type":"record","name":"R","namespace":"t","fields":[
  {"name":"a","type":"int"},{"name":"f","type":"float"},{"name":"s","type":["null","string"]},
  {"name":"gone","type":"string"}]})";

TEST(AvroEvolution, ReaderSchemaDefaultsPromotionsAliases) {
  std::string data = write_with_schema(kWriterV1, two_rows());
  const char* reader = R"({"type":"record","name":"R","namespace":"t","fields":[
    {"name":"a","type":"long"},
    {"name":"f","type":"double"},
    {"name":"text","aliases":["s"],"type":["null","bytes"]},
    {"name":"added","type":"int","default":42},
    {"name":"added_s","type":["string","null"],"default":"dflt"},
    {"name":"added_r","type":{"type":"record","name":"Sub","fields":[{"name":"q","type":"long"}]},
     "default":{"q":7}},
    {"name":"added_a","type":{"type":"array","items":"int"},"default":[1,2]},
    {"name":"added_n","type":["null","int"],"default":null},
    {"name":"no_default","type":"string"}]})";
  Options o;
  o.set("avro_schema", reader);
  auto r = read_file(std::make_shared<MemoryFile>("e.avro", data), nullptr, {}, &o);
  EXPECT_EQ(fields_str(r.schema),
            "a INT64, f DOUBLE, text BYTES, added INT32, added_s STRING, added_r STRUCT<q INT64>, "
            "added_a LIST<INT32>, added_n INT32, no_default STRING");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0][0], "1");
  EXPECT_EQ(r.rows[1][0], "-2");
  EXPECT_EQ(r.rows[0][1], "1.5");
  EXPECT_EQ(r.rows[1][1], "-0.25");
  EXPECT_EQ(r.rows[0][2], Value::bytes("x").to_string());
  EXPECT_EQ(r.rows[1][2], "NULL");
  EXPECT_EQ(r.rows[0][3], "42");
  EXPECT_EQ(r.rows[1][4], "dflt");
  EXPECT_NE(r.rows[1][5].find('7'), std::string::npos);
  EXPECT_EQ(r.rows[0][6],
            Value::nested(DataType::list_of(DataType::int32()), {Value::int32(1), Value::int32(2)})
                .to_string());
  EXPECT_EQ(r.rows[0][7], "NULL");
  EXPECT_EQ(r.rows[0][8], "NULL");
}

TEST(AvroEvolution, DeclaredVeloSchemaAndIncompatibleTypes) {
  std::string data = write_with_schema(kWriterV1, two_rows(), "deflate");
  auto file = std::make_shared<MemoryFile>("e.avro", data);
  auto declared = std::make_shared<Schema>(std::vector<Field>{
      {"S", DataType::string()}, {"missing", DataType::int64()}, {"a", DataType::decimal(10, 2)}});
  auto r = read_file(file, declared, {2, 0});
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(join(r.rows[0]), "1.00|x");
  EXPECT_EQ(join(r.rows[1]), "-2.00|NULL");
  auto all = read_file(file, declared);
  EXPECT_EQ(all.rows[0][1], "NULL");
  auto bad = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::int32()}});
  try {
    read_file(file, bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    EXPECT_NE(e.message().find("e.avro"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("cannot be read as INT32"), std::string::npos) << e.message();
  }
}

TEST(AvroEvolution, LogicalTypeConversions) {
  auto s = std::make_shared<Schema>(std::vector<Field>{
      {"ts", DataType::timestamp()}, {"d", DataType::date()}, {"dec", DataType::decimal(9, 2)}});
  Batch b = Batch::empty(s);
  b.columns[0]->append<int64_t>(-1500);  // micros
  b.columns[1]->append<int32_t>(19000);
  b.columns[2]->append<int128_t>(-12345);
  b.num_rows = 1;
  const char* w = R"({"type":"record","name":"L","fields":[
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"d","type":{"type":"int","logicalType":"date"}},
    {"name":"dec","type":{"type":"fixed","name":"F5","size":5,"logicalType":"decimal","precision":9,"scale":3}}]})";
  std::string data = write_with_schema(w, b);
  auto file = std::make_shared<MemoryFile>("l.avro", data);
  auto r = read_file(file);
  EXPECT_EQ(fields_str(r.schema), "ts TIMESTAMP, d DATE, dec DECIMAL(9,3)");
  // -1500 us floors to -2 ms.
  EXPECT_EQ(r.rows[0][0], Value::timestamp(-2000).to_string());
  EXPECT_EQ(r.rows[0][1], Value::date(19000).to_string());
  EXPECT_EQ(r.rows[0][2], "-123.450");
  auto as = std::make_shared<Schema>(
      std::vector<Field>{{"d", DataType::timestamp()}, {"ts", DataType::int64()}});
  auto r2 = read_file(file, as);
  EXPECT_EQ(r2.rows[0][0], Value::timestamp(int64_t{19000} * temporal::kMicrosPerDay).to_string());
  EXPECT_EQ(r2.rows[0][1], "-2");
}

TEST(AvroEvolution, GeneralUnionsAsStructs) {
  const char* w = R"({"type":"record","name":"U","fields":[
    {"name":"u","type":["null","int","string",{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]}]}]})";
  auto schema = AvroSchema::parse(w);
  std::string bytes;
  avro::write_long(1, &bytes);  // int
  avro::write_long(-5, &bytes);
  std::vector<ColumnPtr> cols;
  avro::decode_datum(*schema, nullptr, bytes, cols);
  bytes.clear();
  avro::write_long(3, &bytes);  // record P
  avro::write_long(9, &bytes);
  avro::decode_datum(*schema, nullptr, bytes, cols);
  bytes.clear();
  avro::write_long(0, &bytes);  // null
  avro::decode_datum(*schema, nullptr, bytes, cols);
  ASSERT_EQ(cols[0]->size(), 3u);
  EXPECT_EQ(cols[0]->type().to_string(), "STRUCT<int INT32, string STRING, P STRUCT<x INT32>>");
  EXPECT_EQ(cols[0]->child(0).value_at(0).to_string(), "-5");
  EXPECT_TRUE(cols[0]->child(1).is_null(0));
  EXPECT_EQ(cols[0]->child(2).child(0).value_at(1).to_string(), "9");
  EXPECT_TRUE(cols[0]->is_null(2));
  // Encoding the struct back picks the branch of the set member.
  Batch b(schema->velo_schema(), cols, 3);
  avro::DatumEncoder enc(b.schema, schema);
  Buffer out;
  enc.encode(b.columns, 1, &out);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data()), out.size()), "\x06\x12");
  // A union read as one type converts each branch; a branch that does not fit fails on use.
  auto target = std::make_shared<Schema>(std::vector<Field>{{"u", DataType::int64()}});
  avro::DatumDecoder d(schema, target, nullptr);
  auto c2 = d.make_columns();
  std::string one;
  avro::write_long(1, &one);
  avro::write_long(21, &one);
  d.decode(reinterpret_cast<const uint8_t*>(one.data()),
           reinterpret_cast<const uint8_t*>(one.data()) + one.size(), c2);
  EXPECT_EQ(c2[0]->value_at(0).to_string(), "21");
  std::string str;
  avro::write_long(2, &str);
  avro::write_long(1, &str);
  str += "z";
  EXPECT_THROW(d.decode(reinterpret_cast<const uint8_t*>(str.data()),
                        reinterpret_cast<const uint8_t*>(str.data()) + str.size(), c2),
               Error);
}

// ---- datum API / Kafka framing ---------------------------------------------------------------

TEST(AvroDatum, ConfluentFramingRoundTrip) {
  Batch b = rich_batch(20, 11);
  auto writer = AvroSchema::from_velo(*b.schema, "Msg", "com.example");
  avro::DatumDecoder dec(writer);
  auto cols = dec.make_columns();
  for (size_t r = 0; r < b.num_rows; ++r) {
    std::string msg;
    avro::append_confluent_header(0x01020304, &msg);
    avro::encode_datum(writer, b, r, &msg);
    EXPECT_EQ(msg.substr(0, 5), std::string("\x00\x01\x02\x03\x04", 5));
    auto m = avro::parse_confluent(msg);
    EXPECT_EQ(m.schema_id, 0x01020304);
    auto p = reinterpret_cast<const uint8_t*>(m.datum.data());
    EXPECT_EQ(dec.decode(p, p + m.datum.size(), cols), p + m.datum.size());
  }
  for (size_t c = 0; c < 12; ++c)
    for (size_t r = 0; r < b.num_rows; ++r)
      EXPECT_EQ(cols[c]->value_at(r).to_string(), b.columns[c]->value_at(r).to_string()) << c;
  EXPECT_THROW(avro::parse_confluent(std::string("\x01\x00\x00\x00\x01", 5)), Error);
  EXPECT_THROW(avro::parse_confluent("abc"), Error);
}

TEST(AvroDatum, CorruptDatumsThrowAndLeaveColumnsIntact) {
  auto schema = AvroSchema::parse(R"({"type":"record","name":"R","fields":[
    {"name":"a","type":"long"},{"name":"s","type":"string"},
    {"name":"l","type":{"type":"array","items":"string"}}]})");
  std::vector<ColumnPtr> cols;
  std::string good;
  avro::write_long(5, &good);
  avro::write_long(2, &good);
  good += "hi";
  avro::write_long(1, &good);
  avro::write_long(1, &good);
  good += "x";
  avro::write_long(0, &good);
  avro::decode_datum(*schema, nullptr, good, cols);
  for (size_t cut = 0; cut < good.size(); ++cut)
    EXPECT_THROW(avro::decode_datum(*schema, nullptr, good.substr(0, cut), cols), Error) << cut;
  EXPECT_THROW(avro::decode_datum(*schema, nullptr, good + "x", cols), Error);  // trailing
  std::string huge;
  avro::write_long(1, &huge);
  avro::write_long(int64_t{1} << 40, &huge);  // string length far past the end
  EXPECT_THROW(avro::decode_datum(*schema, nullptr, huge, cols), Error);
  std::string bad_varint(11, '\xff');
  EXPECT_THROW(avro::decode_datum(*schema, nullptr, bad_varint, cols), Error);
  std::string many;
  avro::write_long(1, &many);
  avro::write_long(0, &many);
  avro::write_long(int64_t{1} << 50, &many);  // array count
  EXPECT_THROW(avro::decode_datum(*schema, nullptr, many, cols), Error);
  ASSERT_EQ(cols[0]->size(), 1u);
  EXPECT_EQ(cols[1]->value_at(0).to_string(), "hi");
  avro::decode_datum(*schema, nullptr, good, cols);
  EXPECT_EQ(cols[2]->value_at(1).to_string(), cols[2]->value_at(0).to_string());
}

// ---- corruption and on_error -------------------------------------------------------------------

TEST(AvroFiles, SkipDropsTheRestOfABadBlock) {
  Batch b = rich_batch(50, 5);
  Options o;
  o.set("compression", "null");
  o.set("block_rows", "10");
  std::string data = write_avro({b}, b.schema, o);
  auto h = avro::read_container_header(MemoryFile("x", data));
  // Corrupt block 2's framing: overwrite its sync marker.
  avro::BlockReader br(std::make_shared<MemoryFile>("x", data), h, 0);
  avro::Block blk;
  br.next(&blk);
  br.next(&blk);
  br.next(&blk);
  std::string bad = data;
  bad[blk.end - 3] ^= 0x55;
  auto file = std::make_shared<MemoryFile>("bad.avro", bad);
  try {
    read_file(file);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("bad.avro: block 2 at offset"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("wrong sync marker"), std::string::npos) << e.message();
  }
  // Reading resumes after the next intact sync marker, the end of block 3: blocks 2 and 3 are lost.
  auto r = read_file(file, nullptr, {}, nullptr, FormatReadRequest::OnError::kDlq);
  EXPECT_EQ(r.rows.size(), 30u);
  EXPECT_EQ(r.dlq.size(), 1u);
  // A bad datum inside block 1: a union index out of range in the first record.
  std::string bad2 = data;
  avro::BlockReader br2(std::make_shared<MemoryFile>("x", data), h, 0);
  br2.next(&blk);
  br2.next(&blk);
  size_t first = static_cast<size_t>(blk.end) - avro::kSyncSize - blk.size;
  // Skip the non-null id (long) then break column i's union index.
  const uint8_t* p = blk.data;
  avro::read_long(&p, blk.data + blk.size);
  bad2[first + (p - blk.data)] = 0x7e;
  auto file2 = std::make_shared<MemoryFile>("bad2.avro", bad2);
  auto r2 = read_file(file2, nullptr, {}, nullptr, FormatReadRequest::OnError::kSkip);
  EXPECT_EQ(r2.rows.size(), 40u);
  EXPECT_EQ(r2.rejected, 10);
  try {
    read_file(file2);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("bad2.avro: block 1 at offset"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("record 11"), std::string::npos) << e.message();
    EXPECT_EQ(e.location().line, 11);
  }
}

// Random corruption never crashes, hangs or throws anything but velo::Error.
TEST(AvroFiles, RandomCorruptionFailsCleanly) {
  Batch b = rich_batch(200, 9);
  for (const char* codec : {"null", "deflate", "snappy", "zstandard"}) {
    Options o;
    o.set("compression", codec);
    o.set("block_rows", "50");
    std::string data = write_avro({b}, b.schema, o);
    std::mt19937 rng(42);
    int errors = 0;
    for (int t = 0; t < 150; ++t) {
      std::string bad = data;
      int flips = 1 + rng() % 4;
      for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      if (t % 10 == 0) bad.resize(rng() % bad.size());
      try {
        read_file(std::make_shared<MemoryFile>("fuzz.avro", bad));
      } catch (const Error&) {
        ++errors;
      }
    }
    EXPECT_GT(errors, 0) << codec;
  }
}

}  // namespace
}  // namespace velo
