// Page index (ColumnIndex + OffsetIndex) and split-block bloom filters: the reader skips pages
// and row groups they rule out (counted in ParquetScanStats), the writer produces both, and
// DuckDB agrees on the rows and reads what we write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "parquet_test_util.h"
#include "velo/formats/parquet/parquet_bloom_filter.h"
#include "velo/formats/parquet/parquet_metadata.h"
#include "velo/formats/parquet/parquet_reader.h"

namespace velo::parquet_test {
namespace {

using parquet::ParquetScanStats;

const std::string kDataDir = std::string(VELO_TESTDATA_DIR) + "/parquet/parquet-testing/data";

ScanPredicate pred(int column, ScanPredicate::Op op, std::vector<Value> values) {
  ScanPredicate p;
  p.column = column;
  p.op = op;
  p.values = std::move(values);
  return p;
}

struct Scan {
  std::vector<Batch> batches;
  ParquetScanStats stats;
  size_t rows = 0;
};

Scan scan(std::shared_ptr<RandomAccessFile> file, std::vector<ScanPredicate> predicates) {
  ParquetFormat format;
  FormatReadRequest req;
  req.file = std::move(file);
  req.spec.predicates = std::move(predicates);
  auto reader = format.open_reader(req);
  Scan s;
  Batch b;
  while (reader->next(&b)) {
    s.rows += b.num_rows;
    s.batches.push_back(std::move(b));
  }
  const ParquetScanStats* st = parquet::parquet_scan_stats(*reader);
  EXPECT_NE(st, nullptr);
  if (st) s.stats = *st;
  return s;
}

/// Rows of `batches` whose column `c` equals `v` (the exact filter the engine applies later).
std::vector<Batch> rows_where(const std::vector<Batch>& batches, int c, const Value& v) {
  std::vector<Batch> out;
  for (const Batch& b : batches) {
    Batch o = Batch::empty(b.schema);
    for (size_t r = 0; r < b.num_rows; ++r) {
      if (b.column(c).value_at(r).compare(v) != 0) continue;
      for (size_t k = 0; k < b.columns.size(); ++k) o.columns[k]->append_from(b.column(k), r);
      ++o.num_rows;
    }
    if (o.num_rows) out.push_back(std::move(o));
  }
  return out;
}

std::string sql_path(const std::string& p) { return "'" + p + "'"; }

// ---- hashing and the filter itself ----------------------------------------------------------

TEST(ParquetBloomFilter, XxHash64KnownValues) {
  // Reference values of XXH64 with seed 0.
  EXPECT_EQ(parquet::xxhash64("", 0), 0xEF46DB3751D8E999ull);
  EXPECT_EQ(parquet::xxhash64("a", 1), 0xD24EC4F1A98C6E5Bull);
  EXPECT_EQ(parquet::xxhash64("abc", 3), 0x44BC2CF5AD770999ull);
  // Long enough for the 32-byte stripe loop.
  std::string s = "Nobody inspects the spammish repetition";
  EXPECT_EQ(parquet::xxhash64(s.data(), s.size()), 0xFBCEA83C8A378BF1ull);
}

TEST(ParquetBloomFilter, ReadsUpstreamXxHashFilter) {
  // parquet-testing/data/bloom_filter.xxhash.bin: a bare header + bitset holding four words.
  PosixFile f(kDataDir + "/bloom_filter.xxhash.bin");
  std::string data(f.size(), '\0');
  f.read_at(0, data.size(), data.data());
  size_t header = 0;
  auto h = parquet::decode_bloom_filter_header(reinterpret_cast<const uint8_t*>(data.data()),
                                               data.size(), f.path(), 0, &header);
  ASSERT_TRUE(h.split_block && h.xxhash && h.uncompressed);
  ASSERT_EQ(header + h.num_bytes, data.size());
  parquet::SplitBlockBloomFilter filter(reinterpret_cast<const uint8_t*>(data.data()) + header,
                                        h.num_bytes);
  for (std::string w : {"hello", "parquet", "bloom", "filter"})
    EXPECT_TRUE(filter.might_contain(parquet::xxhash64(w.data(), w.size()))) << w;
  int absent = 0;
  for (std::string w : {"velostream", "duckdb", "arrow", "x", "bloom2", "Hello"})
    absent += !filter.might_contain(parquet::xxhash64(w.data(), w.size()));
  EXPECT_GE(absent, 5);
}

TEST(ParquetBloomFilter, InsertedValuesAreFoundOthersMostlyNot) {
  auto f = parquet::SplitBlockBloomFilter::for_values(1000, 0.01);
  for (int i = 0; i < 1000; ++i) {
    int64_t v = i * 7;
    f.insert(parquet::xxhash64(&v, 8));
  }
  int fp = 0;
  for (int i = 0; i < 1000; ++i) {
    int64_t v = i * 7;
    EXPECT_TRUE(f.might_contain(parquet::xxhash64(&v, 8)));
    int64_t w = i * 7 + 3;
    fp += f.might_contain(parquet::xxhash64(&w, 8));
  }
  EXPECT_LT(fp, 50);  // 1% expected; deterministic for these inputs
}

// ---- upstream files -------------------------------------------------------------------------

TEST(ParquetPageIndex, UpstreamTinyPagesSkipPages) {
  // alltypes_tiny_pages.parquet (parquet-mr): one row group of 7300 rows in many small pages
  // with a column index and offset index on every column.
  const std::string path = kDataDir + "/alltypes_tiny_pages.parquet";
  auto file = std::make_shared<PosixFile>(path);
  Scan all = scan(file, {});
  ASSERT_EQ(all.rows, 7300u);
  Scan one = scan(file, {pred(0, ScanPredicate::Op::kEq, {Value::int32(3000)})});
  EXPECT_EQ(one.stats.row_groups_read, 1);
  EXPECT_GT(one.stats.pages_skipped, 0);
  EXPECT_LT(one.stats.pages_read, all.stats.pages_read);
  EXPECT_LT(one.rows, 7300u);
  auto hits = rows_where(one.batches, 0, Value::int32(3000));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].num_rows, 1u);
  if (!duckdb_available()) GTEST_SKIP() << "node + @duckdb/node-api not installed";
  EXPECT_EQ(compare_with_duckdb(hits, duckdb_dump(path, "SELECT * FROM read_parquet(" +
                                                            sql_path(path) + ") WHERE id = 3000")),
            "");
  // A range predicate keeps a contiguous run of pages: still the same rows as DuckDB.
  Scan range = scan(file, {pred(0, ScanPredicate::Op::kLt, {Value::int32(100)})});
  EXPECT_GT(range.stats.pages_skipped, 0);
  std::vector<Batch> low;
  for (const Batch& b : range.batches) {
    Batch o = Batch::empty(b.schema);
    for (size_t r = 0; r < b.num_rows; ++r) {
      if (b.column(0).value<int32_t>(r) >= 100) continue;
      for (size_t k = 0; k < b.columns.size(); ++k) o.columns[k]->append_from(b.column(k), r);
      ++o.num_rows;
    }
    if (o.num_rows) low.push_back(std::move(o));
  }
  EXPECT_EQ(compare_with_duckdb(low, duckdb_dump(path, "SELECT * FROM read_parquet(" +
                                                           sql_path(path) + ") WHERE id < 100")),
            "");
}

TEST(ParquetPageIndex, UpstreamBloomFilterPrunesRowGroup) {
  // data_index_bloom_encoding_stats.parquet: 14 strings, min "Hello", max "today", a bloom
  // filter without bloom_filter_length (parquet-mr 1.13).
  const std::string path = kDataDir + "/data_index_bloom_encoding_stats.parquet";
  auto file = std::make_shared<PosixFile>(path);
  // "Orange" lies between min and max: only the bloom filter can rule it out.
  Scan absent = scan(file, {pred(0, ScanPredicate::Op::kEq, {Value::string("Orange")})});
  EXPECT_EQ(absent.rows, 0u);
  EXPECT_EQ(absent.stats.row_groups_pruned_by_bloom_filter, 1);
  Scan present = scan(file, {pred(0, ScanPredicate::Op::kEq, {Value::string("brown fox")})});
  EXPECT_EQ(present.stats.row_groups_pruned_by_bloom_filter, 0);
  EXPECT_EQ(rows_where(present.batches, 0, Value::string("brown fox")).size(), 1u);
  Scan in = scan(
      file, {pred(0, ScanPredicate::Op::kIn, {Value::string("Orange"), Value::string("jumps")})});
  EXPECT_EQ(in.stats.row_groups_pruned_by_bloom_filter, 0);
  if (!duckdb_available()) GTEST_SKIP() << "node + @duckdb/node-api not installed";
  std::string probe = duckdb_dump(path, "SELECT bloom_filter_excludes FROM parquet_bloom_probe(" +
                                            sql_path(path) + ", 'String', 'Orange')");
  EXPECT_NE(probe.find("[true]"), std::string::npos) << probe;
}

// ---- files velo writes ----------------------------------------------------------------------

class VeloPageIndexFile : public ::testing::Test {
 protected:
  static constexpr int64_t kRows = 50000;
  void SetUp() override {
    schema_ = std::make_shared<Schema>(std::vector<Field>{
        {"id", DataType::int64()}, {"name", DataType::string()}, {"score", DataType::float64()}});
    Batch b = Batch::empty(schema_);
    for (int64_t i = 0; i < kRows; ++i) {
      b.columns[0]->append<int64_t>(i);
      // Names are spread over every row group (so min/max cannot prune them), odd ones only.
      b.columns[1]->append_string("n" + std::to_string((i * 7919) % kRows | 1));
      if (i % 10 == 0)
        b.columns[2]->append_null();
      else
        b.columns[2]->append<double>(static_cast<double>(i) / 4);
    }
    b.num_rows = kRows;
    Options opts;
    opts.set("row_group_size", "20000");
    opts.set("page_size", "4096");
    opts.set("bloom_filter_columns", "name, id");
    MemoryOutput out(::testing::TempDir() + "velo_page_index_" + std::to_string(getpid()) +
                     ".parquet");
    ParquetFormat format;
    auto w = format.open_writer(&out, schema_, opts);
    w->write(b);
    w->finish();
    out.commit();
    path_ = out.path();
    file_ = std::make_shared<MemoryFile>(path_, out.data());
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string sql(const std::string& where) {
    return "SELECT * FROM read_parquet(" + sql_path(path_) + ") WHERE " + where + " ORDER BY id";
  }

  SchemaPtr schema_;
  std::string path_;
  std::shared_ptr<RandomAccessFile> file_;
};

TEST_F(VeloPageIndexFile, FooterHasPageIndexBloomFiltersAndColumnOrders) {
  auto pf = parquet::ParquetFile::open(file_);
  const auto& md = pf->metadata();
  ASSERT_EQ(md.row_groups.size(), 3u);
  ASSERT_EQ(md.column_orders.size(), 3u);
  for (int16_t c : md.column_orders) EXPECT_EQ(c, 1);  // TYPE_DEFINED_ORDER
  for (const auto& rg : md.row_groups) {
    for (size_t c = 0; c < 3; ++c) {
      EXPECT_TRUE(rg.columns[c].column_index_offset && rg.columns[c].offset_index_offset);
      EXPECT_EQ(rg.columns[c].meta_data->bloom_filter_offset.has_value(), c < 2) << c;
    }
  }
}

TEST_F(VeloPageIndexFile, PagesSkippedAndRowsMatchDuckDB) {
  Scan all = scan(file_, {});
  ASSERT_EQ(all.rows, static_cast<size_t>(kRows));
  Scan one = scan(file_, {pred(0, ScanPredicate::Op::kEq, {Value::int64(31234)})});
  // Statistics keep one row group; its page index keeps one page of each column.
  EXPECT_EQ(one.stats.row_groups_pruned_by_statistics, 2);
  EXPECT_EQ(one.stats.row_groups_read, 1);
  EXPECT_GT(one.stats.pages_skipped, 0);
  EXPECT_LT(one.rows, 20000u);
  auto hits = rows_where(one.batches, 0, Value::int64(31234));
  ASSERT_EQ(hits.size(), 1u);
  // A predicate on the nullable double column, pages of both columns aligned.
  Scan hi = scan(file_, {pred(2, ScanPredicate::Op::kGe, {Value::float64(12400.0)})});
  EXPECT_GT(hi.stats.pages_skipped, 0);
  EXPECT_EQ(hi.stats.row_groups_read, 1);
  int64_t kept = 0;
  for (const Batch& b : hi.batches)
    for (size_t r = 0; r < b.num_rows; ++r)
      kept += !b.column(2).is_null(r) && b.column(2).value<double>(r) >= 12400.0;
  EXPECT_EQ(kept, 360);  // i in [49600, 50000) minus every tenth (NULL)
  if (!duckdb_available()) GTEST_SKIP() << "node + @duckdb/node-api not installed";
  EXPECT_EQ(compare_with_duckdb(hits, duckdb_dump(path_, sql("id = 31234"))), "");
  // DuckDB reads the whole file the same way.
  EXPECT_EQ(compare_with_duckdb(all.batches, duckdb_dump(path_, sql("true"))), "");
}

TEST_F(VeloPageIndexFile, BloomFiltersPruneAndDuckDBProbesThem) {
  // Even names never occur; min/max of every row group span them.
  Scan absent = scan(file_, {pred(1, ScanPredicate::Op::kEq, {Value::string("n2000")})});
  EXPECT_EQ(absent.rows, 0u);
  EXPECT_EQ(absent.stats.row_groups_pruned_by_bloom_filter, 3);
  Scan present = scan(file_, {pred(1, ScanPredicate::Op::kEq, {Value::string("n2001")})});
  size_t found = 0;
  for (const Batch& b : rows_where(present.batches, 1, Value::string("n2001"))) found += b.num_rows;
  EXPECT_EQ(found, 2u);  // rows 2000 * 7919^-1 and its neighbour: (x | 1) maps two x to one name
  EXPECT_LT(present.stats.row_groups_pruned_by_bloom_filter, 3);
  Scan in = scan(file_, {pred(1, ScanPredicate::Op::kIn,
                              {Value::string("n2"), Value::string("n4"), Value::string("n6")})});
  EXPECT_EQ(in.stats.row_groups_pruned_by_bloom_filter, 3);
  if (!duckdb_available()) GTEST_SKIP() << "node + @duckdb/node-api not installed";
  std::string probe = duckdb_dump(path_,
                                  "SELECT row_group_id, bloom_filter_excludes FROM "
                                  "parquet_bloom_probe(" +
                                      sql_path(path_) + ", 'name', 'n2000') ORDER BY 1");
  EXPECT_NE(probe.find("[0,true]\n[1,true]\n[2,true]"), std::string::npos) << probe;
  probe = duckdb_dump(path_,
                      "SELECT count(*) FILTER (WHERE bloom_filter_excludes) FROM "
                      "parquet_bloom_probe(" +
                          sql_path(path_) + ", 'id', 31234)");
  EXPECT_NE(probe.find("[2]"), std::string::npos) << probe;  // only the group holding it
  EXPECT_EQ(compare_with_duckdb(rows_where(present.batches, 1, Value::string("n2001")),
                                duckdb_dump(path_, sql("name = 'n2001'"))),
            "");
}

TEST(ParquetWriter, PageIndexCanBeTurnedOff) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"a", DataType::int64()}});
  Batch b = Batch::empty(schema);
  for (int64_t i = 0; i < 1000; ++i) b.columns[0]->append<int64_t>(i);
  b.num_rows = 1000;
  for (bool on : {true, false}) {
    Options opts;
    opts.set("page_index", on ? "true" : "false");
    MemoryOutput out;
    ParquetFormat format;
    auto w = format.open_writer(&out, schema, opts);
    w->write(b);
    w->finish();
    auto pf = parquet::ParquetFile::open(std::make_shared<MemoryFile>("x.parquet", out.data()));
    const auto& cc = pf->metadata().row_groups.at(0).columns.at(0);
    EXPECT_EQ(cc.column_index_offset.has_value(), on);
    EXPECT_EQ(cc.offset_index_offset.has_value(), on);
    EXPECT_EQ(read_all(std::make_shared<MemoryFile>("x.parquet", out.data()))[0].num_rows, 1000u);
  }
}

TEST(ParquetWriter, BloomFilterColumnsMustExist) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"a", DataType::int64()}});
  Options opts;
  opts.set("bloom_filter_columns", "a,zz");
  MemoryOutput out;
  ParquetFormat format;
  try {
    format.open_writer(&out, schema, opts);
    FAIL() << "unknown column accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("'zz'"), std::string::npos) << e.describe();
  }
}

TEST(ParquetWriter, IntervalsParquetCannotHoldAreRefused) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"iv", DataType::interval()}});
  for (Interval iv :
       {Interval{-1, 0, 0}, Interval{0, -2, 0}, Interval{0, 0, -1000}, Interval{0, 0, 1500}}) {
    Batch b = Batch::empty(schema);
    b.columns[0]->append<Interval>(iv);
    b.num_rows = 1;
    MemoryOutput out;
    ParquetFormat format;
    auto w = format.open_writer(&out, schema, Options());
    try {
      w->write(b);
      w->finish();
      FAIL() << iv.months << " " << iv.days << " " << iv.micros << " was written";
    } catch (const Error& e) {
      EXPECT_NE(e.describe().find("parquet INTERVAL cannot hold"), std::string::npos)
          << e.describe();
    }
  }
  // Whole milliseconds round-trip exactly.
  Batch b = Batch::empty(schema);
  b.columns[0]->append<Interval>(Interval{14, 3, 86399999000});
  b.num_rows = 1;
  MemoryOutput out;
  ParquetFormat format;
  auto w = format.open_writer(&out, schema, Options());
  w->write(b);
  w->finish();
  auto batches = read_all(std::make_shared<MemoryFile>("iv.parquet", out.data()));
  ASSERT_EQ(batches.size(), 1u);
  Interval got = batches[0].column(0).value<Interval>(0);
  EXPECT_EQ(got.months, 14);
  EXPECT_EQ(got.days, 3);
  EXPECT_EQ(got.micros, 86399999000);
}

}  // namespace
}  // namespace velo::parquet_test
