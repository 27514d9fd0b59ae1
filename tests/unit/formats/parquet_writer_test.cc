// Writer round trips: a type x codec x dictionary matrix read back by our reader and by DuckDB;
// row groups, pages and statistics pruning.
#include <gtest/gtest.h>

#include <filesystem>

#include "parquet_test_util.h"
#include "velo/formats/parquet/parquet_reader.h"

namespace velo::parquet_test {
namespace {

SchemaPtr all_types_schema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"b", DataType::boolean()},
      {"i32", DataType::int32()},
      {"i64", DataType::int64()},
      {"f64", DataType::float64()},
      {"d9", DataType::decimal(9, 2)},
      {"d18", DataType::decimal(18, 4)},
      {"d38", DataType::decimal(38, 10)},
      {"s", DataType::string()},
      {"bin", DataType::bytes()},
      {"dt", DataType::date()},
      {"ts", DataType::timestamp()},
      {"li", DataType::list_of(DataType::int64())},
      {"ls", DataType::list_of(DataType::string())},
      {"st", DataType::struct_of({{"a", DataType::int32()}, {"b", DataType::string()}})},
      {"m", DataType::map_of(DataType::string(), DataType::int64())},
      {"lst", DataType::list_of(DataType::struct_of({{"x", DataType::float64()}}))},
      {"ll", DataType::list_of(DataType::list_of(DataType::int32()))},
  });
}

/// Deterministic rows with NULLs, empty lists and repeated values (so dictionaries kick in).
Batch make_batch(SchemaPtr schema, size_t n, size_t start) {
  Batch b = Batch::empty(schema);
  for (size_t k = 0; k < n; ++k) {
    size_t i = start + k;
    bool null = i % 7 == 3;
    auto put = [&](size_t c, Value v) {
      b.columns[c]->append_value(null ? Value::null(schema->field(c).type) : v);
    };
    put(0, Value::boolean(i % 3 == 0));
    put(1, Value::int32(static_cast<int32_t>(i * 7919 % 1000) - 500));
    put(2, Value::int64(static_cast<int64_t>(i) * 1000003 - (int64_t{1} << 40)));
    put(3, Value::float64(i % 11 == 0 ? -0.5 : i * 0.25 - 17.125));
    put(4, Value::decimal(static_cast<int128_t>(i % 100) * 101 - 5000, 9, 2));
    put(5, Value::decimal(static_cast<int128_t>(i) * 123456789 - 99999, 18, 4));
    put(6, Value::decimal((static_cast<int128_t>(i) * 1000000007) * 1000000007 * (i % 2 ? -1 : 1),
                          38, 10));
    put(7, Value::string(i % 5 == 0 ? "" : "str_" + std::to_string(i % 37) + "_é"));
    put(8, Value::bytes(std::string("\0\x01\xff", 3) + std::to_string(i)));
    put(9, Value::date(static_cast<int32_t>(i) - 10000));
    put(10, Value::timestamp(static_cast<int64_t>(i) * 3600000001 - 86400000000));
    std::vector<Value> li;
    for (size_t j = 0; j < i % 4; ++j)
      li.push_back(j == 1 ? Value::null(DataType::int64()) : Value::int64(i + j));
    put(11, Value::nested(schema->field(11).type, li));
    std::vector<Value> ls;
    for (size_t j = 0; j < i % 3; ++j) ls.push_back(Value::string("e" + std::to_string(j)));
    put(12, Value::nested(schema->field(12).type, ls));
    put(13,
        Value::nested(schema->field(13).type, {i % 4 == 1 ? Value::null(DataType::int32())
                                                          : Value::int32(static_cast<int32_t>(i)),
                                               Value::string("n" + std::to_string(i % 3))}));
    std::vector<Value> m;
    const DataType& et = schema->field(14).type.children()[0].type;
    for (size_t j = 0; j < i % 3; ++j)
      m.push_back(
          Value::nested(et, {Value::string("k" + std::to_string(j)),
                             j == 1 ? Value::null(DataType::int64()) : Value::int64(i * j)}));
    put(14, Value::nested(schema->field(14).type, m));
    const DataType& st = schema->field(15).type.children()[0].type;
    std::vector<Value> lst;
    for (size_t j = 0; j < i % 3; ++j)
      lst.push_back(j == 0 && i % 2 ? Value::null(st)
                                    : Value::nested(st, {Value::float64(j + 0.5)}));
    put(15, Value::nested(schema->field(15).type, lst));
    const DataType& inner = schema->field(16).type.children()[0].type;
    std::vector<Value> ll;
    for (size_t j = 0; j < i % 3; ++j) {
      std::vector<Value> in;
      for (size_t q = 0; q < j; ++q) in.push_back(Value::int32(static_cast<int32_t>(q + i)));
      ll.push_back(j == 2 && i % 4 == 0 ? Value::null(inner) : Value::nested(inner, in));
    }
    put(16, Value::nested(schema->field(16).type, ll));
    ++b.num_rows;
  }
  return b;
}

std::string write_file(SchemaPtr schema, const std::vector<Batch>& batches, const Options& opts) {
  MemoryOutput out;
  ParquetFormat format;
  auto w = format.open_writer(&out, schema, opts);
  for (const auto& b : batches) w->write(b);
  w->finish();
  return out.data();
}

void expect_same_rows(const std::vector<Batch>& expected, const std::vector<Batch>& got,
                      const std::string& what) {
  size_t er = 0, eb = 0;
  size_t total = 0;
  for (const auto& g : got) {
    for (size_t r = 0; r < g.num_rows; ++r, ++total) {
      while (eb < expected.size() && er >= expected[eb].num_rows) {
        ++eb;
        er = 0;
      }
      ASSERT_LT(eb, expected.size()) << what << ": too many rows";
      for (size_t c = 0; c < g.columns.size(); ++c) {
        Value a = expected[eb].columns[c]->value_at(er), b = g.columns[c]->value_at(r);
        ASSERT_TRUE(a == b) << what << " row " << total << " column " << g.schema->field(c).name
                            << ": wrote " << a.to_string() << ", read " << b.to_string();
      }
      ++er;
    }
  }
  size_t want = 0;
  for (const auto& b : expected) want += b.num_rows;
  EXPECT_EQ(total, want) << what;
}

struct Case {
  std::string codec;
  bool dictionary;
};

class ParquetWriterMatrix : public ::testing::TestWithParam<Case> {};

TEST_P(ParquetWriterMatrix, RoundTripsThroughVeloAndDuckDB) {
  const Case& c = GetParam();
  SchemaPtr schema = all_types_schema();
  std::vector<Batch> batches = {make_batch(schema, 700, 0), make_batch(schema, 1300, 700)};
  Options opts;
  opts.set("compression", c.codec);
  opts.set("dictionary", c.dictionary ? "true" : "false");
  opts.set("row_group_size", "900");
  opts.set("page_size", "4096");
  std::string data = write_file(schema, batches, opts);
  std::string what = c.codec + (c.dictionary ? "/dict" : "/plain");

  auto file = std::make_shared<MemoryFile>("matrix.parquet", data);
  auto pf = parquet::ParquetFile::open(file);
  EXPECT_EQ(pf->metadata().row_groups.size(), 3u);  // 900 + 900 + 200 rows
  EXPECT_EQ(*pf->schema().schema, *schema) << pf->schema().schema->to_string();
  expect_same_rows(batches, read_all(file), what);

  if (!duckdb_available()) GTEST_SKIP() << "node + @duckdb/node-api not installed";
  std::string path =
      ::testing::TempDir() + "/velo_matrix_" + c.codec + (c.dictionary ? "_d" : "_p") + ".parquet";
  MemoryOutput disk(path);
  disk.write(data.data(), data.size());
  disk.commit();
  // DuckDB reads our file; compare its values with what we wrote.
  std::string dump = duckdb_dump(path);
  EXPECT_EQ(compare_with_duckdb(batches, dump), "") << what;
  if (!std::getenv("VELO_KEEP_PARQUET")) std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ParquetWriterMatrix,
                         ::testing::Values(Case{"none", true}, Case{"none", false},
                                           Case{"snappy", true}, Case{"snappy", false},
                                           Case{"gzip", true}, Case{"zstd", true},
                                           Case{"zstd", false}, Case{"lz4_raw", true},
                                           Case{"brotli", false}),
                         [](const auto& info) {
                           return info.param.codec + (info.param.dictionary ? "_dict" : "_plain");
                         });

TEST(ParquetWriter, StatisticsPruneRowGroups) {
  auto schema = std::make_shared<Schema>(
      std::vector<Field>{{"k", DataType::int64()}, {"name", DataType::string()}});
  Batch b = Batch::empty(schema);
  for (int64_t i = 0; i < 10000; ++i) {
    b.columns[0]->append<int64_t>(i);
    b.columns[1]->append_string("name" + std::to_string(i / 1000));
  }
  b.num_rows = 10000;
  Options opts;
  opts.set("row_group_size", "1000");
  std::string data = write_file(schema, {b}, opts);
  auto file = std::make_shared<MemoryFile>("pruned.parquet", data);
  ScanSpec spec;
  ScanPredicate p;
  p.column = 0;
  p.op = ScanPredicate::Op::kEq;
  p.values = {Value::int64(4321)};
  spec.predicates = {p};
  size_t rows = 0;
  for (auto& batch : read_all(file, spec)) rows += batch.num_rows;
  EXPECT_EQ(rows, 1000u);  // only the row group holding 4000..4999
  ScanPredicate q;
  q.column = 1;
  q.op = ScanPredicate::Op::kGe;
  q.values = {Value::string("name8")};
  spec.predicates = {q};
  rows = 0;
  for (auto& batch : read_all(file, spec)) rows += batch.num_rows;
  EXPECT_EQ(rows, 2000u);
  q.op = ScanPredicate::Op::kIsNull;
  q.values.clear();
  spec.predicates = {q};
  EXPECT_TRUE(read_all(file, spec).empty());
}

TEST(ParquetWriter, UnknownCompressionIsAUserError) {
  Options opts;
  opts.set("compression", "lzo2");
  MemoryOutput out;
  ParquetFormat format;
  try {
    format.open_writer(&out, all_types_schema(), opts);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser);
    EXPECT_NE(e.message().find("zstd"), std::string::npos);
  }
}

TEST(ParquetWriter, EmptyFile) {
  std::string data = write_file(all_types_schema(), {}, Options());
  auto file = std::make_shared<MemoryFile>("empty.parquet", data);
  EXPECT_TRUE(read_all(file).empty());
  EXPECT_EQ(*ParquetFormat().infer_schema(file, Options()), *all_types_schema());
}

}  // namespace
}  // namespace velo::parquet_test
