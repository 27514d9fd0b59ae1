#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "string_file.h"
#include "velo/batch/batch.h"
#include "velo/formats/compression/compression.h"
#include "velo/formats/csv/csv_format.h"
#include "velo/formats/format.h"
#include "velo/types/error.h"

namespace velo {
namespace {

using test::StringFile;
using test::StringOutput;

std::shared_ptr<RandomAccessFile> file(const std::string& data, const std::string& path = "t.csv") {
  return std::make_shared<StringFile>(path, data);
}

SchemaPtr schema_of(std::vector<Field> fields) {
  return std::make_shared<const Schema>(std::move(fields));
}

Options opts(std::initializer_list<std::pair<const char*, const char*>> kv) {
  Options o;
  for (auto& [k, v] : kv) o.set(k, v);
  return o;
}

/// Reads every batch; each row as "v1|v2|..." in Value::to_string spelling.
struct ReadResult {
  std::vector<std::string> rows;
  SchemaPtr schema;
  int64_t rejected = 0;
};

ReadResult read(const std::shared_ptr<RandomAccessFile>& f, SchemaPtr schema, const Options& o,
                FormatReadRequest::OnError on_error = FormatReadRequest::OnError::kFail,
                int64_t begin = 0, int64_t end = -1, std::vector<int> projection = {},
                std::function<void(const RejectedRecord&)> on_reject = nullptr) {
  CsvFormat csv;
  FormatReadRequest req;
  req.file = f;
  req.schema = schema ? schema : csv.infer_schema(f, o);
  req.options = &o;
  req.range_begin = begin;
  req.range_end = end;
  req.on_error = on_error;
  req.on_reject = std::move(on_reject);
  req.spec.projection = std::move(projection);
  auto reader = csv.open_reader(req);
  ReadResult r;
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

Error read_error(const std::string& data, SchemaPtr schema, const Options& o = {}) {
  try {
    read(file(data), schema, o);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << data;
  return Error(ErrorKind::kInternal, "none");
}

TEST(CsvReaderTest, InfersTypesAndReads) {
  auto f = file(
      "id,name,amount,day,ts,flag,score\n"
      "1,alice,10.50,2024-01-01,2024-01-01 12:00:00,true,1e3\n"
      "2,bob,3.2,2024-02-29,2024-02-01 00:00:01.5,FALSE,2.5\n");
  Options o;
  CsvFormat csv;
  SchemaPtr s = csv.infer_schema(f, o);
  ASSERT_EQ(s->size(), 7u);
  EXPECT_EQ(s->to_string(), Schema({{"id", DataType::int64()},
                                    {"name", DataType::string()},
                                    {"amount", DataType::decimal(18, 2)},
                                    {"day", DataType::date()},
                                    {"ts", DataType::timestamp()},
                                    {"flag", DataType::boolean()},
                                    {"score", DataType::float64()}})
                                .to_string());
  ReadResult r = read(f, s, o);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], "1|alice|10.50|2024-01-01|2024-01-01 12:00:00|true|1000.0");
  EXPECT_EQ(r.rows[1], "2|bob|3.20|2024-02-29|2024-02-01 00:00:01.5|false|2.5");
}

TEST(CsvReaderTest, InferenceRules) {
  CsvFormat csv;
  Options o;
  // Empty fields do not vote; ints + decimals -> DECIMAL(18, max fraction); 19+ digits -> DOUBLE;
  // dates + timestamps -> TIMESTAMP; int + bool -> STRING; only empties -> STRING.
  SchemaPtr s = csv.infer_schema(file("a,b,c,d,e,f\n"
                                      "1,1.5,123456789012345678.5,2024-01-01,1,\n"
                                      ",2.125,1,2024-01-01 10:00:00,true,\n"
                                      "3,7,2,,,\n"),
                                 o);
  EXPECT_EQ(s->field(0).type, DataType::int64());
  EXPECT_EQ(s->field(1).type, DataType::decimal(18, 3));
  EXPECT_EQ(s->field(2).type, DataType::float64());
  EXPECT_EQ(s->field(3).type, DataType::timestamp());
  EXPECT_EQ(s->field(4).type, DataType::string());
  EXPECT_EQ(s->field(5).type, DataType::string());

  // No header: DuckDB's column0, column1, ...; duplicate / empty header names made unique.
  Options nh = opts({{"header", "false"}});
  SchemaPtr n = csv.infer_schema(file("x,1\ny,2\n"), nh);
  EXPECT_EQ(n->field(0).name, "column0");
  EXPECT_EQ(n->field(1).name, "column1");
  EXPECT_EQ(n->field(1).type, DataType::int64());
  SchemaPtr d = csv.infer_schema(file("a,a,\n1,2,3\n"), o);
  EXPECT_EQ(d->field(1).name, "a_1");
  EXPECT_EQ(d->field(2).name, "column2");

  // sample_rows bounds what is looked at.
  Options few = opts({{"sample_rows", "2"}});
  EXPECT_EQ(csv.infer_schema(file("v\n1\n2\nx\n"), few)->field(0).type, DataType::int64());
  EXPECT_EQ(csv.infer_schema(file("v\n1\n2\nx\n"), o)->field(0).type, DataType::string());

  EXPECT_THROW(csv.infer_schema(file(""), o), Error);
}

TEST(CsvReaderTest, QuotingCrlfAndMissingTrailingNewline) {
  std::string data =
      "id,text\r\n"
      "1,\"a,b\"\r\n"
      "2,\"say \"\"hi\"\"\"\r\n"
      "3,\"two\nlines\"\r\n"
      "4,plain \"inner\" quote\r\n"
      "5,\"\"\r\n"
      "\r\n"
      "6,last";
  SchemaPtr s = schema_of({{"id", DataType::int64()}, {"text", DataType::string()}});
  ReadResult r = read(file(data), s, {});
  ASSERT_EQ(r.rows.size(), 6u);
  EXPECT_EQ(r.rows[0], "1|a,b");
  EXPECT_EQ(r.rows[1], "2|say \"hi\"");
  EXPECT_EQ(r.rows[2], "3|two\nlines");
  EXPECT_EQ(r.rows[3], "4|plain \"inner\" quote");
  EXPECT_EQ(r.rows[4], "5|NULL");  // quoted empty is NULL too (DuckDB allow_quoted_nulls)
  EXPECT_EQ(r.rows[5], "6|last");

  // A distinct escape byte.
  Options esc = opts({{"escape", "\\"}});
  ReadResult e = read(file("id,text\n1,\"a\\\"b\\\\c\"\n"), s, esc);
  ASSERT_EQ(e.rows.size(), 1u);
  EXPECT_EQ(e.rows[0], "1|a\"b\\c");
}

TEST(CsvReaderTest, NullsDelimitersSkipAndComments) {
  SchemaPtr s = schema_of(
      {{"id", DataType::int64()}, {"name", DataType::string()}, {"v", DataType::float64()}});
  ReadResult r = read(file("id,name,v\n1,,\n2,x,2.5\n"), s, {});
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], "1|NULL|NULL");

  Options na = opts({{"null_string", "NA"}});
  ReadResult n = read(file("id,name,v\n1,,NA\nNA,NA,1\n"), s, na);
  ASSERT_EQ(n.rows.size(), 2u);
  EXPECT_EQ(n.rows[0], "1||NULL");  // empty string is a value when NULL is spelled NA
  EXPECT_EQ(n.rows[1], "NULL|NULL|1.0");

  // Tab by extension, and spelled as a backslash-t; skip lines before the header; comments.
  ReadResult t = read(file("id\tname\tv\n7\ta b\t1\n", "x.tsv"), s, {});
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], "7|a b|1.0");
  Options tab = opts({{"delim", "\\t"}, {"skip", "2"}, {"comment", "#"}});
  ReadResult t2 = read(file("junk\nmore junk\nid\tname\tv\n# note\n8\tc\t2\n"), s, tab);
  ASSERT_EQ(t2.rows.size(), 1u);
  EXPECT_EQ(t2.rows[0], "8|c|2.0");

  Options semi = opts({{"delimiter", ";"}, {"header", "false"}});
  SchemaPtr w = schema_of({{"station", DataType::string()}, {"t", DataType::decimal(4, 1)}});
  ReadResult ws = read(file("Zürich;40.5\nConakry;-25.1\n"), w, semi);
  ASSERT_EQ(ws.rows.size(), 2u);
  EXPECT_EQ(ws.rows[1], "Conakry|-25.1");

  EXPECT_THROW(read(file("a\n"), s, opts({{"delimiter", "ab"}})), Error);
}

TEST(CsvReaderTest, ErrorsCarryTheirLocation) {
  SchemaPtr s = schema_of(
      {{"id", DataType::int64()}, {"amount", DataType::decimal(10, 2)}, {"s", DataType::string()}});
  Error e = read_error("id,amount,s\n1,2.5,x\n2,abc,y\n", s);
  EXPECT_EQ(e.kind(), ErrorKind::kFormat);
  EXPECT_EQ(e.location().file, "t.csv");
  EXPECT_EQ(e.location().line, 3);
  EXPECT_EQ(e.location().column, 3);
  EXPECT_EQ(e.message(), "expected DECIMAL(10,2) in column 'amount', found 'abc'");
  EXPECT_EQ(e.describe(), "t.csv:3:3: expected DECIMAL(10,2) in column 'amount', found 'abc'");

  Error cols = read_error("id,amount,s\n1,2.5,x\n\n2,3\n", s);
  EXPECT_EQ(cols.location().line, 4);  // blank lines still count
  EXPECT_EQ(cols.message(), "expected 3 columns, found 2");

  Error quote = read_error("id,amount,s\n1,2.5,\"open\n2,3,y\n", s);
  EXPECT_EQ(quote.location().line, 2);
  EXPECT_EQ(quote.location().column, 7);
  EXPECT_NE(quote.message().find("unterminated quoted field"), std::string::npos);

  Error after = read_error("id,amount,s\n1,2.5,\"x\"y\n", s);
  EXPECT_EQ(after.location().line, 2);
  EXPECT_EQ(after.location().column, 10);
  EXPECT_NE(after.message().find("after a closing quote"), std::string::npos);

  // A multi-line quoted field moves the line of a later error.
  Error later = read_error("id,amount,s\n1,2.5,\"a\nb\"\nx,1,z\n", s);
  EXPECT_EQ(later.location().line, 4);
  EXPECT_EQ(later.message(), "expected INT64 in column 'id', found 'x'");

  SchemaPtr i32 = schema_of({{"n", DataType::int32()}});
  EXPECT_EQ(read_error("n\n99999999999\n", i32).message(),
            "expected INT32 in column 'n', found '99999999999'");
}

TEST(CsvReaderTest, SkipAndDlqCountAndDropRows) {
  SchemaPtr s = schema_of({{"id", DataType::int64()}, {"name", DataType::string()}});
  std::string data = "id,name\n1,a\nx,b\n3\n4,d\n5,\"e\n";
  ReadResult skip = read(file(data), s, {}, FormatReadRequest::OnError::kSkip);
  EXPECT_EQ(skip.rows, (std::vector<std::string>{"1|a", "4|d"}));
  EXPECT_EQ(skip.rejected, 3);

  std::vector<RejectedRecord> rejected;
  ReadResult dlq = read(file(data), s, {}, FormatReadRequest::OnError::kDlq, 0, -1, {},
                        [&](const RejectedRecord& r) {
                          rejected.push_back(r);
                          rejected.back().raw = {};  // the view dies with the reader's buffer
                          rejected.back().error += " [" + std::string(r.raw) + "]";
                        });
  EXPECT_EQ(dlq.rows.size(), 2u);
  EXPECT_EQ(dlq.rejected, 3);
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].line, 3);
  EXPECT_EQ(rejected[0].file, "t.csv");
  EXPECT_EQ(rejected[0].error, "expected INT64 in column 'id', found 'x' [x,b]");
  EXPECT_EQ(rejected[1].line, 4);
  EXPECT_EQ(rejected[1].error, "expected 2 columns, found 1 [3]");
  EXPECT_EQ(rejected[2].line, 6);
}

TEST(CsvReaderTest, ProjectionParsesOnlyProjectedColumns) {
  SchemaPtr s =
      schema_of({{"a", DataType::int64()}, {"b", DataType::int64()}, {"c", DataType::string()}});
  // Column b holds garbage, but it is not projected, so it is never parsed.
  ReadResult r = read(file("a,b,c\n1,zz,x\n2,yy,y\n"), s, {}, FormatReadRequest::OnError::kFail, 0,
                      -1, {2, 0});
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0], "x|1");
  EXPECT_EQ(r.schema->field(0).name, "c");
  EXPECT_EQ(r.schema->field(1).name, "a");
}

TEST(CsvReaderTest, LimitStopsEarly) {
  std::string data = "n\n";
  for (int i = 0; i < 10000; ++i) data += std::to_string(i) + "\n";
  CsvFormat csv;
  Options o;
  FormatReadRequest req;
  req.file = file(data);
  req.schema = schema_of({{"n", DataType::int64()}});
  req.options = &o;
  req.spec.limit = 5;
  auto reader = csv.open_reader(req);
  Batch b;
  size_t rows = 0;
  while (reader->next(&b)) rows += b.num_rows;
  EXPECT_EQ(rows, 5u);
}

TEST(CsvReaderTest, ByteRangesReadEveryRecordOnce) {
  std::string data = "id,name,amount\n";
  for (int i = 1; i <= 300; ++i)
    data += std::to_string(i) + (i % 3 ? ",\"n, " : ",n") + std::to_string(i) +
            (i % 3 ? "\"," : ",") + std::to_string(i) + ".25" + (i % 5 ? "\n" : "\r\n");
  data.pop_back();  // no trailing newline
  SchemaPtr s = schema_of(
      {{"id", DataType::int64()}, {"name", DataType::string()}, {"amount", DataType::float64()}});
  auto f = file(data);
  int64_t size = static_cast<int64_t>(data.size());
  ReadResult whole = read(f, s, {});
  ASSERT_EQ(whole.rows.size(), 300u);
  for (int64_t cut = 1; cut < size; cut += 13) {
    ReadResult a = read(f, s, {}, FormatReadRequest::OnError::kFail, 0, cut);
    ReadResult b = read(f, s, {}, FormatReadRequest::OnError::kFail, cut, size);
    std::vector<std::string> both = a.rows;
    both.insert(both.end(), b.rows.begin(), b.rows.end());
    ASSERT_EQ(both, whole.rows) << "cut at " << cut;
  }
  // Three ranges, one of them inside a single line (it reads nothing).
  int64_t c1 = static_cast<int64_t>(data.find("\n100,")) + 3, c2 = c1 + 2;
  std::vector<std::string> all;
  for (auto [b, e] : {std::pair<int64_t, int64_t>{0, c1}, {c1, c2}, {c2, -1}}) {
    ReadResult r = read(f, s, {}, FormatReadRequest::OnError::kFail, b, e);
    all.insert(all.end(), r.rows.begin(), r.rows.end());
  }
  EXPECT_EQ(all, whole.rows);

  // An error in a later range: line from first_row_number when known, the byte offset always.
  std::string bad = "id,name,amount\n1,a,1\n2,b,x\n";
  CsvFormat csv;
  Options o;
  FormatReadRequest req;
  req.file = file(bad);
  req.schema = s;
  req.options = &o;
  req.range_begin = 16;
  req.first_row_number = 1;
  try {
    Batch batch;
    csv.open_reader(req)->next(&batch);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location().line, 3);
    EXPECT_EQ(e.location().offset, static_cast<int64_t>(bad.find("x\n")));
  }
  req.first_row_number = -1;
  try {
    Batch batch;
    csv.open_reader(req)->next(&batch);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.location().line, 0);
    EXPECT_EQ(e.describe(), "t.csv: byte 25: expected DOUBLE in column 'amount', found 'x'");
  }
}

TEST(CsvReaderTest, LongRecordsAndManyBlocks) {
  // Records larger than the read block, and a file of several blocks.
  std::string big(3 << 20, 'x');
  std::string data = "a,b\n1,\"" + big + "\"\n2," + big + "\n";
  for (int i = 3; i < 200000; ++i) data += std::to_string(i) + ",y\n";
  SchemaPtr s = schema_of({{"a", DataType::int64()}, {"b", DataType::string()}});
  ReadResult r = read(file(data), s, {}, FormatReadRequest::OnError::kFail, 0, -1, {0});
  ASSERT_EQ(r.rows.size(), 199999u);
  EXPECT_EQ(r.rows[1], "2");
  EXPECT_EQ(r.rows.back(), "199999");
}

TEST(CsvReaderTest, ReadsGzip) {
  std::string gz;
  {
    auto out =
        compressing_stream(std::make_unique<StringOutput>("x.csv.gz", &gz), Compression::kGzip);
    std::string text = "id,v\n1,2.5\n2,3.75\n";
    out->write(text.data(), text.size());
    out->prepare();
    out->commit();
  }
  auto f = file(gz, "x.csv.gz");
  CsvFormat csv;
  Options o;
  SchemaPtr s = csv.infer_schema(f, o);
  EXPECT_EQ(s->field(1).type, DataType::decimal(18, 2));
  ReadResult r = read(f, s, o);
  EXPECT_EQ(r.rows, (std::vector<std::string>{"1|2.50", "2|3.75"}));
  // Not splittable: a later range reads nothing, the first reads everything.
  EXPECT_TRUE(read(f, s, o, FormatReadRequest::OnError::kFail, 5, -1).rows.empty());
  EXPECT_EQ(read(f, s, o, FormatReadRequest::OnError::kFail, 0, 5).rows.size(), 2u);
}

Batch sample_batch(SchemaPtr s) {
  std::vector<ColumnPtr> cols;
  for (const auto& f : s->fields()) cols.push_back(Column::make(f.type));
  cols[0]->append<int64_t>(1);
  cols[1]->append_string("plain");
  cols[2]->append<int128_t>(105);
  cols[3]->append<double>(2.0);
  cols[4]->append<int32_t>(19723);                 // 2024-01-01
  cols[5]->append<int64_t>(1704110400000000 + 5);  // 2024-01-01 12:00:00.000005
  cols[6]->append<uint8_t>(1);
  cols[0]->append<int64_t>(-2);
  cols[1]->append_string("a,\"b\"\nc");
  cols[2]->append<int128_t>(-5);
  cols[3]->append<double>(0.1);
  cols[4]->append_null();
  cols[5]->append<int64_t>(0);
  cols[6]->append_null();
  cols[0]->append_null();
  cols[1]->append_string("");
  cols[2]->append_null();
  cols[3]->append<double>(1e20);
  cols[4]->append<int32_t>(-1);
  cols[5]->append_null();
  cols[6]->append<uint8_t>(0);
  return Batch(s, cols, 3);
}

TEST(CsvWriterTest, WritesAndReadsBack) {
  SchemaPtr s = schema_of({{"id", DataType::int64()},
                           {"text", DataType::string()},
                           {"amount", DataType::decimal(10, 2)},
                           {"d", DataType::float64()},
                           {"day", DataType::date()},
                           {"ts", DataType::timestamp()},
                           {"ok", DataType::boolean()}});
  Batch b = sample_batch(s);
  std::string out;
  CsvFormat csv;
  StringOutput stream("o.csv", &out);
  auto w = csv.open_writer(&stream, s, {});
  w->write(b);
  w->write(slice(b, 0, 1));
  w->finish();
  EXPECT_EQ(out,
            "id,text,amount,d,day,ts,ok\n"
            "1,plain,1.05,2.0,2024-01-01,2024-01-01 12:00:00.000005,true\n"
            "-2,\"a,\"\"b\"\"\nc\",-0.05,0.1,,1970-01-01 00:00:00,\n"
            ",\"\",,1e+20,1969-12-31,,false\n"
            "1,plain,1.05,2.0,2024-01-01,2024-01-01 12:00:00.000005,true\n");
  ReadResult r = read(file(out), s, {});
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0], "1|plain|1.05|2.0|2024-01-01|2024-01-01 12:00:00.000005|true");
  EXPECT_EQ(r.rows[1], "-2|a,\"b\"\nc|-0.05|0.1|NULL|1970-01-01 00:00:00|NULL");
  EXPECT_EQ(r.rows[2], "NULL|NULL|NULL|1e+20|1969-12-31|NULL|false");

  // Options: no header, tab, a NULL spelling; an empty file still gets its header.
  std::string tsv;
  StringOutput tstream("o.tsv", &tsv);
  Options o = opts({{"header", "false"}, {"null_string", "\\N"}});
  auto tw = csv.open_writer(&tstream, s, o);
  tw->write(slice(b, 2, 1));
  tw->finish();
  EXPECT_EQ(tsv, "\\N\t\t\\N\t1e+20\t1969-12-31\t\\N\tfalse\n");
  std::string empty;
  StringOutput estream("e.csv", &empty);
  auto ew = csv.open_writer(&estream, s, {});
  ew->finish();
  EXPECT_EQ(empty, "id,text,amount,d,day,ts,ok\n");
}

TEST(CsvWriterTest, NestedColumnsAsJson) {
  DataType st = DataType::struct_of({{"x", DataType::int64()}, {"y", DataType::string()}});
  DataType lt = DataType::list_of(DataType::int64());
  SchemaPtr s = schema_of({{"s", st}, {"l", lt}});
  auto sc = Column::make(st);
  sc->child(0).append<int64_t>(1);
  sc->child(1).append_string("a");
  sc->append_struct_row();
  auto lc = Column::make(lt);
  lc->child(0).append<int64_t>(1);
  lc->child(0).append<int64_t>(2);
  lc->append_list_end();
  std::string out;
  StringOutput stream("n.csv", &out);
  CsvFormat csv;
  auto w = csv.open_writer(&stream, s, {});
  w->write(Batch(s, {sc, lc}, 1));
  w->finish();
  EXPECT_EQ(out, "s,l\n\"{\"\"x\"\":1,\"\"y\"\":\"\"a\"\"}\",\"[1,2]\"\n");
  ReadResult r = read(file(out), s, {});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0], "{\"x\":1,\"y\":\"a\"}|[1,2]");
}

TEST(CsvFormatTest, RegisteredByNameAndExtension) {
  register_builtin_formats();
  EXPECT_EQ(format_by_name("csv").name(), "csv");
  EXPECT_EQ(format_by_name("tsv").name(), "csv");
  ASSERT_NE(format_for_path("a/b.csv.gz"), nullptr);
  EXPECT_EQ(format_for_path("a/b.csv.gz")->name(), "csv");
  EXPECT_TRUE(format_by_name("csv").splittable());
  Options o = opts({{"delimiter", ";"}, {"bogus", "1"}});
  format_by_name("csv").declare_options(o);
  EXPECT_THROW(o.check_all_used("csv source"), Error);
}

}  // namespace
}  // namespace velo
