#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "string_file.h"
#include "velo/batch/batch.h"
#include "velo/formats/compression/compression.h"
#include "velo/formats/format.h"
#include "velo/formats/json/json_format.h"
#include "velo/formats/json/json_row_decoder.h"
#include "velo/types/error.h"

namespace velo {
namespace {

using MemFile = test::StringFile;
using MemOutput = test::StringOutput;

std::shared_ptr<RandomAccessFile> jfile(const std::string& data,
                                        const std::string& path = "t.jsonl") {
  return std::make_shared<MemFile>(path, data);
}

SchemaPtr make_schema(std::vector<Field> fields) {
  return std::make_shared<const Schema>(std::move(fields));
}

struct Rows {
  std::vector<std::string> rows;
  SchemaPtr schema;
  int64_t rejected = 0;
};

Rows read_json(const std::shared_ptr<RandomAccessFile>& f, SchemaPtr schema, const Options& o = {},
               FormatReadRequest::OnError on_error = FormatReadRequest::OnError::kFail,
               int64_t begin = 0, int64_t end = -1, std::vector<int> projection = {},
               std::function<void(const RejectedRecord&)> on_reject = nullptr) {
  JsonFormat json;
  FormatReadRequest req;
  req.file = f;
  req.schema = schema ? schema : json.infer_schema(f, o);
  req.options = &o;
  req.range_begin = begin;
  req.range_end = end;
  req.on_error = on_error;
  req.on_reject = std::move(on_reject);
  req.spec.projection = std::move(projection);
  auto reader = json.open_reader(req);
  Rows r;
  r.schema = req.schema;
  Batch b;
  while (reader->next(&b)) {
    r.schema = b.schema;
    for (size_t i = 0; i < b.num_rows; ++i) {
      std::string row;
      for (size_t c = 0; c < b.columns.size(); ++c) {
        if (c) row += "|";
        row += b.columns[c]->value_at(i).to_string();
      }
      r.rows.push_back(row);
    }
  }
  r.rejected = reader->rows_rejected();
  return r;
}

Error json_error(const std::string& data, SchemaPtr schema) {
  try {
    read_json(jfile(data), schema);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << data;
  return Error(ErrorKind::kInternal, "none");
}

const char* kEvents =
    R"({"id": 1, "user": {"id": 5, "name": "u5"}, "kind": "signup", "value": 40.89, "tags": ["d"], "ok": false}
{"id": 2, "user": {"id": 2, "name": "u8"}, "kind": "purchase", "value": 32.2, "tags": [], "ok": true}
{"id": 3, "user": {"id": 7}, "kind": "click", "value": null, "tags": ["c", "b"], "ok": true, "extra": [1]}
)";

TEST(JsonReaderTest, InfersAndReadsJsonLines) {
  auto f = jfile(kEvents);
  JsonFormat json;
  SchemaPtr s = json.infer_schema(f, {});
  EXPECT_EQ(s->to_string(), Schema({{"id", DataType::int64()},
                                    {"user", DataType::struct_of({{"id", DataType::int64()},
                                                                  {"name", DataType::string()}})},
                                    {"kind", DataType::string()},
                                    {"value", DataType::decimal(18, 2)},
                                    {"tags", DataType::list_of(DataType::string())},
                                    {"ok", DataType::boolean()},
                                    {"extra", DataType::list_of(DataType::int64())}})
                                .to_string());
  Rows r = read_json(f, s);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0], R"(1|{"id":5,"name":"u5"}|signup|40.89|["d"]|false|NULL)");
  EXPECT_EQ(r.rows[1], R"(2|{"id":2,"name":"u8"}|purchase|32.20|[]|true|NULL)");
  EXPECT_EQ(r.rows[2], R"(3|{"id":7,"name":null}|click|NULL|["c","b"]|true|[1])");
}

TEST(JsonReaderTest, InferenceMergesTypes) {
  JsonFormat json;
  SchemaPtr s = json.infer_schema(
      jfile(R"({"a": 1, "b": 1, "c": 1, "d": null, "e": "2024-01-01", "f": {"x": 1}}
{"a": 2.5, "b": 1e3, "c": "x", "e": "2024-01-02 10:00:00", "f": {"y": [true]}, "g": [1, 2.25]}
{"a": 3, "b": 2, "c": 3, "d": null, "f": null, "g": [], "h": {"k": 1}}
{"h": 5}
)"),
      {});
  auto type_of = [&](const char* n) { return s->field(s->find(n)).type; };
  EXPECT_EQ(type_of("a"), DataType::decimal(18, 1));  // int + decimal-looking
  EXPECT_EQ(type_of("b"), DataType::float64());       // int + exponent
  EXPECT_EQ(type_of("c"), DataType::string());        // anything + string
  EXPECT_EQ(type_of("d"), DataType::string());        // null only
  EXPECT_EQ(type_of("e"), DataType::timestamp());     // date + timestamp
  EXPECT_EQ(type_of("f"), DataType::struct_of({{"x", DataType::int64()},
                                               {"y", DataType::list_of(DataType::boolean())}}));
  EXPECT_EQ(type_of("g"), DataType::list_of(DataType::decimal(18, 2)));
  EXPECT_EQ(type_of("h"), DataType::string());  // object + number: the JSON text
  Rows r = read_json(jfile(R"({"h": {"k": 1, "z": [1, 2]}}
{"h": 5}
)"),
                     make_schema({{"h", DataType::string()}}));
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"k":1,"z":[1,2]})", "5"}));
  EXPECT_THROW(json.infer_schema(jfile("[1, 2]\n"), {}), Error);
  EXPECT_THROW(json.infer_schema(jfile(""), {}), Error);
}

TEST(JsonReaderTest, ReadsArrays) {
  auto f =
      jfile("  \n[\n  {\"a\": 1, \"b\": \"x\"},\n  {\"b\": \"y\", \"a\": 2},\n  {}\n]\n", "t.json");
  JsonFormat json;
  SchemaPtr s = json.infer_schema(f, {});
  ASSERT_EQ(s->size(), 2u);
  Rows r = read_json(f, s);
  EXPECT_EQ(r.rows, (std::vector<std::string>{"1|x", "2|y", "NULL|NULL"}));
  // An array file is never split: only the range at 0 reads it.
  EXPECT_EQ(read_json(f, s, {}, FormatReadRequest::OnError::kFail, 0, 10).rows.size(), 3u);
  EXPECT_TRUE(read_json(f, s, {}, FormatReadRequest::OnError::kFail, 10, -1).rows.empty());
  // Errors in an array name the element's line.
  Error e = json_error("[{\"a\": 1},\n {\"a\": \"q\"}]", make_schema({{"a", DataType::int64()}}));
  EXPECT_EQ(e.location().line, 2);
  EXPECT_EQ(e.message(), "expected INT64 in field 'a', found 'q'");
}

TEST(JsonReaderTest, Conversions) {
  DataType map = DataType::map_of(DataType::string(), DataType::int64());
  SchemaPtr s = make_schema({{"dec", DataType::decimal(38, 2)},
                             {"day", DataType::date()},
                             {"ts", DataType::timestamp()},
                             {"i", DataType::int32()},
                             {"d", DataType::float64()},
                             {"raw", DataType::string()},
                             {"m", map},
                             {"b", DataType::boolean()}});
  Rows r = read_json(
      jfile(
          R"({"dec": 12345678901234567890123.45, "day": "2024-02-29", "ts": "2024-01-01T12:00:00Z", "i": 7.0, "d": 3, "raw": [1, {"a" : 2}], "m": {"x": 1, "y": 2}, "b": "true"}
{"dec": "1.005", "ts": 1704110400000, "i": "8", "d": "2.5", "raw": true, "m": {}, "b": false, "dec": 99}
)"),
      s);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(
      r.rows[0],
      R"(12345678901234567890123.45|2024-02-29|2024-01-01 12:00:00|7|3.0|[1,{"a":2}]|{"x":1,"y":2}|true)");
  // Strings parse as the column type; an integer timestamp is epoch milliseconds; a repeated
  // key keeps its first value.
  EXPECT_EQ(r.rows[1], "1.01|NULL|2024-01-01 12:00:00|8|2.5|true|{}|false");
}

TEST(JsonReaderTest, ErrorsCarryTheirLine) {
  SchemaPtr s = make_schema({{"id", DataType::int64()}, {"name", DataType::string()}});
  Error bad = json_error("{\"id\": 1}\n\n{\"id\": 2, \"name\": \n", s);
  EXPECT_EQ(bad.kind(), ErrorKind::kFormat);
  EXPECT_EQ(bad.location().file, "t.jsonl");
  EXPECT_EQ(bad.location().line, 3);
  EXPECT_NE(bad.message().find("JSON"), std::string::npos);
  Error type = json_error("{\"id\": 1}\n{\"id\": \"abc\"}\n", s);
  EXPECT_EQ(type.location().line, 2);
  EXPECT_EQ(type.describe(), "t.jsonl:2: expected INT64 in field 'id', found 'abc'");
  Error arr = json_error("{\"id\": 1}\n[1]\n", s);
  EXPECT_EQ(arr.message(), "expected a JSON object, found a JSON array");
  Error trailing = json_error("{\"id\": 1} x\n", s);
  EXPECT_EQ(trailing.location().line, 1);
  Error nested = json_error("{\"id\": {\"a\": 1}}\n", s);
  EXPECT_EQ(nested.message(), "expected INT64 in field 'id', found a JSON object");
}

TEST(JsonReaderTest, SkipAndDlq) {
  SchemaPtr s = make_schema({{"id", DataType::int64()}, {"name", DataType::string()}});
  std::string data =
      "{\"id\": 1, \"name\": \"a\"}\n{\"id\": \"x\", \"name\": \"b\"}\n{broken\n{\"id\": 4}\n";
  Rows skip = read_json(jfile(data), s, {}, FormatReadRequest::OnError::kSkip);
  EXPECT_EQ(skip.rows, (std::vector<std::string>{"1|a", "4|NULL"}));
  EXPECT_EQ(skip.rejected, 2);
  std::vector<std::pair<int64_t, std::string>> seen;
  Rows dlq = read_json(jfile(data), s, {}, FormatReadRequest::OnError::kDlq, 0, -1, {},
                       [&](const RejectedRecord& r) { seen.emplace_back(r.line, r.raw); });
  EXPECT_EQ(dlq.rejected, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], (std::pair<int64_t, std::string>{2, "{\"id\": \"x\", \"name\": \"b\"}"}));
  EXPECT_EQ(seen[1], (std::pair<int64_t, std::string>{3, "{broken"}));
}

TEST(JsonReaderTest, ProjectionAndRanges) {
  std::string data;
  for (int i = 0; i < 500; ++i)
    data += "{\"id\": " + std::to_string(i) + ", \"s\": \"v" + std::to_string(i) + "\"}" +
            (i % 4 ? "\n" : "\r\n");
  data.pop_back();
  auto f = jfile(data);
  SchemaPtr s = make_schema({{"id", DataType::int64()}, {"s", DataType::string()}});
  Rows whole = read_json(f, s, {}, FormatReadRequest::OnError::kFail, 0, -1, {1, 0, 1});
  ASSERT_EQ(whole.rows.size(), 500u);
  EXPECT_EQ(whole.rows[3], "v3|3|v3");
  EXPECT_EQ(whole.schema->field(0).name, "s");
  int64_t size = static_cast<int64_t>(data.size());
  for (int64_t cut = 1; cut < size; cut += 37) {
    Rows a = read_json(f, s, {}, FormatReadRequest::OnError::kFail, 0, cut, {1, 0, 1});
    Rows b = read_json(f, s, {}, FormatReadRequest::OnError::kFail, cut, -1, {1, 0, 1});
    a.rows.insert(a.rows.end(), b.rows.begin(), b.rows.end());
    ASSERT_EQ(a.rows, whole.rows) << "cut " << cut;
  }
}

TEST(JsonReaderTest, ReadsGzip) {
  std::string gz;
  {
    auto out =
        compressing_stream(std::make_unique<MemOutput>("e.jsonl.gz", &gz), Compression::kGzip);
    out->write(kEvents, std::strlen(kEvents));
    out->prepare();
    out->commit();
  }
  auto f = jfile(gz, "e.jsonl.gz");
  JsonFormat json;
  SchemaPtr s = json.infer_schema(f, {});
  EXPECT_EQ(s->size(), 7u);
  EXPECT_EQ(read_json(f, s).rows.size(), 3u);
}

TEST(JsonWriterTest, WritesLinesAndReadsBack) {
  DataType st = DataType::struct_of({{"x", DataType::int64()}, {"y", DataType::string()}});
  DataType lt = DataType::list_of(DataType::float64());
  SchemaPtr s = make_schema({{"id", DataType::int64()},
                             {"name\"q", DataType::string()},
                             {"amount", DataType::decimal(10, 2)},
                             {"ts", DataType::timestamp()},
                             {"day", DataType::date()},
                             {"s", st},
                             {"l", lt},
                             {"d", DataType::float64()}});
  std::vector<ColumnPtr> cols;
  for (const auto& f : s->fields()) cols.push_back(Column::make(f.type));
  cols[0]->append<int64_t>(1);
  cols[1]->append_string("a\n\"b\"");
  cols[2]->append<int128_t>(-1050);
  cols[3]->append<int64_t>(1704110400000000);
  cols[4]->append<int32_t>(19723);
  cols[5]->child(0).append<int64_t>(3);
  cols[5]->child(1).append_null();
  cols[5]->append_struct_row();
  cols[6]->child(0).append<double>(1.5);
  cols[6]->child(0).append<double>(2);
  cols[6]->append_list_end();
  cols[7]->append<double>(std::numeric_limits<double>::infinity());
  for (size_t c = 0; c < cols.size(); ++c) cols[c]->append_null();
  Batch b(s, cols, 2);
  std::string out;
  MemOutput stream("o.jsonl", &out);
  JsonFormat json;
  auto w = json.open_writer(&stream, s, {});
  w->write(b);
  w->finish();
  EXPECT_EQ(
      out,
      R"({"id":1,"name\"q":"a\n\"b\"","amount":-10.50,"ts":"2024-01-01 12:00:00","day":"2024-01-01","s":{"x":3,"y":null},"l":[1.5,2.0],"d":null})"
      "\n"
      R"({"id":null,"name\"q":null,"amount":null,"ts":null,"day":null,"s":null,"l":null,"d":null})"
      "\n");
  Rows r = read_json(jfile(out), s);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0],
            "1|a\n\"b\"|-10.50|2024-01-01 12:00:00|2024-01-01|{\"x\":3,\"y\":null}|[1.5,2]|NULL");
  EXPECT_EQ(r.rows[1], "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL");

  std::string arr;
  MemOutput astream("o.json", &arr);
  Options o;
  o.set("format", "array");
  auto aw = json.open_writer(&astream, make_schema({{"id", DataType::int64()}}), o);
  aw->write(Batch(make_schema({{"id", DataType::int64()}}), {cols[0]}, 2));
  aw->finish();
  EXPECT_EQ(arr, "[\n{\"id\":1},\n{\"id\":null}\n]\n");
  EXPECT_EQ(read_json(jfile(arr, "o.json"), nullptr).rows, (std::vector<std::string>{"1", "NULL"}));
}

TEST(JsonRowDecoderTest, DecodesInfersAndEncodesMessages) {
  std::vector<std::string_view> samples = {R"({"id": 1, "name": "a", "tags": ["x"]})",
                                           R"({"id": 2, "amount": 1.5, "pos": {"x": 1}})",
                                           "not json", "[1]"};
  SchemaPtr s = infer_json_schema(samples);
  ASSERT_EQ(s->size(), 5u);
  EXPECT_EQ(s->field(s->find("amount")).type, DataType::float64());  // messages: DOUBLE
  JsonRowDecoder dec(s);
  std::vector<ColumnPtr> cols;
  for (const auto& f : s->fields()) cols.push_back(Column::make(f.type));
  dec.append_row(samples[0], cols);
  dec.append_row(samples[1], cols);
  EXPECT_THROW(dec.append_row("{not json", cols), Error);
  ASSERT_EQ(cols[0]->size(), 2u);
  EXPECT_EQ(cols[s->find("amount")]->value_at(1).to_string(), "1.5");
  EXPECT_TRUE(cols[s->find("name")]->is_null(1));
  std::string out;
  append_json_row(Batch(s, cols, 2), 1, &out);
  EXPECT_EQ(out, R"({"id":2,"name":null,"tags":null,"amount":1.5,"pos":{"x":1}})");
  EXPECT_THROW(infer_json_schema({"1", "nope"}), Error);
}

}  // namespace
}  // namespace velo
