// Parquet reader behaviour beyond the DuckDB comparison: files DuckDB cannot read (checked against
// SOURCES.md), projection, statistics pruning, corrupted input.
#include "velo/formats/parquet/parquet_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "parquet_test_util.h"

namespace velo::parquet_test {
namespace {

const std::string kDataDir = std::string(VELO_TESTDATA_DIR) + "/parquet/parquet-testing/data";

std::vector<std::vector<Value>> rows_of(const std::vector<Batch>& batches) {
  std::vector<std::vector<Value>> rows;
  for (const auto& b : batches)
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::vector<Value> row;
      for (const auto& c : b.columns) row.push_back(c->value_at(r));
      rows.push_back(std::move(row));
    }
  return rows;
}

// SOURCES.md: "4 rows: (1593604800,abc,42), (1593604800,def,7.7), (1593604801,abc,42.125),
// (1593604801,def,7.7)"; DuckDB 1.5 refuses the legacy LZ4 codec.
void expect_lz4_rows(const std::string& name) {
  auto rows = rows_of(read_all(std::make_shared<PosixFile>(kDataDir + "/" + name)));
  ASSERT_EQ(rows.size(), 4u);
  std::vector<std::string> got;
  for (auto& r : rows) {
    ASSERT_EQ(r.size(), 3u);
    got.push_back(fmt::format("{}|{}|{}", r[0].as_int(), r[1].as_string(), r[2].as_double()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"1593604800|abc|42", "1593604800|def|7.7",
                                           "1593604801|abc|42.125", "1593604801|def|7.7"}))
      << name;
}

TEST(ParquetReader, HadoopFramedLz4) { expect_lz4_rows("hadoop_lz4_compressed.parquet"); }
TEST(ParquetReader, RawBlockLegacyLz4) { expect_lz4_rows("non_hadoop_lz4_compressed.parquet"); }

TEST(ParquetReader, Lz4RawMatchesSourcesMd) { expect_lz4_rows("lz4_raw_compressed.parquet"); }

// map_no_value.md: my_map = 3 maps {1->null,2->null,3->null} ...; my_map_no_v and my_list are
// lists [1,2,3] [4,5,6] [7,8,9]. DuckDB 1.5 rejects the file.
TEST(ParquetReader, MapWithoutValueField) {
  auto batches = read_all(std::make_shared<PosixFile>(kDataDir + "/map_no_value.parquet"));
  auto rows = rows_of(batches);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(batches[0].schema->field(0).type.id(), TypeId::kMap);
  EXPECT_EQ(batches[0].schema->field(1).type.to_string(), "LIST<INT32>");
  EXPECT_EQ(batches[0].schema->field(2).type.to_string(), "LIST<INT32>");
  for (int r = 0; r < 3; ++r) {
    const auto& m = rows[r][0].children();
    ASSERT_EQ(m.size(), 3u);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(m[k].children()[0].as_int(), r * 3 + k + 1);
      EXPECT_TRUE(m[k].children()[1].is_null());
    }
    for (int c = 1; c <= 2; ++c) {
      const auto& l = rows[r][c].children();
      ASSERT_EQ(l.size(), 3u);
      for (int k = 0; k < 3; ++k) EXPECT_EQ(l[k].as_int(), r * 3 + k + 1);
    }
  }
}

TEST(ParquetReader, InferSchemaReadsOnlyTheFooter) {
  auto f = std::make_shared<PosixFile>(kDataDir + "/alltypes_plain.parquet");
  ParquetFormat format;
  Options opts;
  SchemaPtr s = format.infer_schema(f, opts);
  EXPECT_EQ(s->to_string().find("id INT32") != std::string::npos, true) << s->to_string();
  EXPECT_EQ(s->field(10).type.id(), TypeId::kTimestamp);  // INT96
  EXPECT_LE(f->reads_, 2);
}

TEST(ParquetReader, ProjectionReadsOnlyProjectedChunks) {
  const std::string path = kDataDir + "/alltypes_tiny_pages.parquet";
  auto all = std::make_shared<PosixFile>(path);
  auto full = read_all(all);
  auto one = std::make_shared<PosixFile>(path);
  ScanSpec spec;
  spec.projection = {5, 0};  // bigint_col, id
  auto proj = read_all(one, spec);
  size_t rows = 0;
  int64_t sum_id = 0, sum_bigint = 0;
  for (const auto& b : proj) {
    ASSERT_EQ(b.columns.size(), 2u);
    EXPECT_EQ(b.schema->field(0).name, "bigint_col");
    for (size_t r = 0; r < b.num_rows; ++r) {
      sum_bigint += b.columns[0]->value<int64_t>(r);
      sum_id += b.columns[1]->value<int32_t>(r);
    }
    rows += b.num_rows;
  }
  EXPECT_EQ(rows, 7300u);
  EXPECT_EQ(sum_id, 26641350);  // SOURCES.md
  EXPECT_EQ(sum_bigint, 328500);
  EXPECT_LT(one->bytes_read_, all->bytes_read_ / 2);
}

TEST(ParquetReader, CrcVerified) {
  auto rows = rows_of(read_all(
      std::make_shared<PosixFile>(kDataDir + "/datapage_v1-uncompressed-checksum.parquet")));
  ASSERT_EQ(rows.size(), 5120u);
  int64_t a = 0, b = 0;
  for (auto& r : rows) {
    a += r[0].as_int();
    b += r[1].as_int();
  }
  EXPECT_EQ(a, 43118090240);  // SOURCES.md
  EXPECT_EQ(b, 129016125440);
}

TEST(ParquetReader, EncryptedFilesGiveClearError) {
  for (const char* name : {"uniform_encryption.parquet.encrypted",
                           "encrypt_columns_plaintext_footer.parquet.encrypted"}) {
    try {
      read_all(std::make_shared<PosixFile>(kDataDir + "/" + name));
      ADD_FAILURE() << name << " read without keys";
    } catch (const Error& e) {
      EXPECT_NE(e.describe().find("encrypted"), std::string::npos) << e.describe();
    }
  }
}

// A 2-row MAP<STRING,INT32> whose two keys are 1 GiB strings each: either read exactly or refused
// with a clear error (our STRING offsets are int32, so one batch cannot hold 2 GiB).
TEST(ParquetReader, HugeStringsGiveClearErrorOrRead) {
  if (std::getenv("VELO_SKIP_HUGE")) GTEST_SKIP();
  try {
    auto batches =
        read_all(std::make_shared<PosixFile>(kDataDir + "/large_string_map.brotli.parquet"));
    size_t rows = 0;
    for (auto& b : batches) rows += b.num_rows;
    EXPECT_EQ(rows, 2u);
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("large_string_map.brotli.parquet"), std::string::npos);
    EXPECT_NE(e.describe().find("2 GiB"), std::string::npos) << e.describe();
  }
}

// Random byte flips and truncations of valid files: every outcome is rows or a velo::Error.
TEST(ParquetReader, CorruptedBytesNeverCrash) {
  std::mt19937 rng(42);
  for (const char* name :
       {"alltypes_plain.parquet", "nested_lists.snappy.parquet", "datapage_v2.snappy.parquet",
        "delta_byte_array.parquet", "nonnullable.impala.parquet", "byte_stream_split.zstd.parquet",
        "delta_encoding_optional_column.parquet", "list_columns.parquet"}) {
    std::string data;
    {
      PosixFile f(kDataDir + "/" + name);
      data.resize(f.size());
      f.read_at(0, data.size(), data.data());
    }
    int errors = 0;
    for (int iter = 0; iter < 300; ++iter) {
      std::string d = data;
      int kind = iter % 3;
      if (kind == 0) {
        for (int k = 0; k < 4; ++k) d[rng() % d.size()] ^= static_cast<char>(1 + rng() % 255);
      } else if (kind == 1) {
        // Corrupt the footer region, where the metadata lives.
        size_t tail = std::min<size_t>(d.size(), 400);
        for (int k = 0; k < 3; ++k)
          d[d.size() - 1 - 8 - rng() % (tail - 8)] = static_cast<char>(rng());
      } else {
        d.resize(rng() % d.size());
      }
      try {
        read_all(std::make_shared<MemoryFile>(name, d));
      } catch (const Error&) {
        ++errors;
      }
    }
    EXPECT_GT(errors, 0) << name;
  }
}

}  // namespace
}  // namespace velo::parquet_test
