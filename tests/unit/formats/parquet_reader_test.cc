// Parquet reader behaviour beyond the DuckDB comparison: files DuckDB cannot read (checked against
// SOURCES.md), projection, statistics pruning, corrupted input.
#include "velo/formats/parquet/parquet_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

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
  // A 4 KB brotli file whose pages decompress to 1 GiB + 4 bytes each: refused by the page limit
  // before anything is allocated, naming the file, column and row group.
  try {
    read_all(std::make_shared<PosixFile>(kDataDir + "/large_string_map.brotli.parquet"));
    FAIL() << "a page over the 1 GiB limit was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    for (const char* part : {"large_string_map.brotli.parquet", "page of 1073741828 bytes exceeds",
                             "column 'arr.key_value.key' of row group 0"})
      EXPECT_NE(e.describe().find(part), std::string::npos) << e.describe();
  }
}

// A page header asking for far more than its compressed bytes can hold is refused before the
// buffer is allocated (snappy expands at most ~21x).
TEST(ParquetReader, PageSizeCheckedAgainstCodecExpansion) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"a", DataType::int64()}});
  Batch b = Batch::empty(schema);
  // One page of 1.6 MB, so its size takes a 4-byte varint like the 100 MB written over it.
  for (int64_t i = 0; i < 200000; ++i) b.columns[0]->append<int64_t>(i * 2654435761);
  b.num_rows = 200000;
  Options opts;
  opts.set("compression", "snappy");
  opts.set("dictionary", "false");
  opts.set("page_size", "8MB");
  opts.set("row_group_size", "300000");
  MemoryOutput out;
  ParquetFormat format;
  auto w = format.open_writer(&out, schema, opts);
  w->write(b);
  w->finish();
  std::string data = out.data();
  // Rewrite the data page's uncompressed_page_size (field 2, the varint after byte 4) to 100 MB.
  size_t at = 4;
  ASSERT_EQ(static_cast<uint8_t>(data[at]), 0x15);  // field 1 (type), i32
  at += 2;
  ASSERT_EQ(static_cast<uint8_t>(data[at]), 0x15);  // field 2 (uncompressed_page_size)
  size_t end = at + 1;
  while (static_cast<uint8_t>(data[end]) & 0x80) ++end;
  ++end;
  std::string big;
  for (uint64_t z = uint64_t{100000000} << 1; z; z >>= 7)
    big.push_back(static_cast<char>((z & 0x7f) | (z >= 0x80 ? 0x80 : 0)));
  // Same varint length keeps every offset valid; pad the original with continuation bytes.
  std::string orig = data.substr(at + 1, end - at - 1);
  ASSERT_LE(big.size(), orig.size()) << "the page size varint is shorter than expected";
  while (big.size() < orig.size()) {
    big.back() |= 0x80;
    big.push_back(0);
  }
  data.replace(at + 1, orig.size(), big);
  try {
    read_all(std::make_shared<MemoryFile>("expanded.parquet", data));
    FAIL() << "page size not checked";
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("exceeds what"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("expanded.parquet"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("column 'a' of row group 0"), std::string::npos) << e.describe();
  }
}

/// "" when nested column `c` of `rows` rows is consistent: struct children as long as the struct,
/// list children as long as the last offset.
std::string layout_error(const Column& c, size_t rows) {
  if (c.size() != rows) return fmt::format("{} rows, expected {}", c.size(), rows);
  switch (c.type().id()) {
    case TypeId::kStruct:
      for (size_t i = 0; i < c.num_children(); ++i) {
        std::string e = layout_error(c.child(i), rows);
        if (!e.empty()) return "struct child " + std::to_string(i) + ": " + e;
      }
      return "";
    case TypeId::kList:
    case TypeId::kMap:
      return layout_error(c.child(0), rows ? static_cast<size_t>(c.offsets()[rows]) : 0);
    default:
      return "";
  }
}

// Every input the fuzzer ever crashed on (tests/fuzz/crashes/parquet-*) now gives rows or a
// velo::Error, with and without predicates (which drive statistics, bloom filters and the page
// index).
TEST(ParquetReader, FuzzCrashInputsReadCleanly) {
  int seen = 0;
  for (int i = 1; i <= 64; ++i) {
    std::string path =
        std::string(VELO_SOURCE_DIR) + "/tests/fuzz/crashes/parquet-" + std::to_string(i);
    if (::access(path.c_str(), R_OK) != 0) continue;
    ++seen;
    auto file = std::make_shared<PosixFile>(path);
    for (bool with_predicates : {false, true}) {
      try {
        ScanSpec spec;
        if (with_predicates) {
          auto schema = ParquetFormat().infer_schema(file, Options());
          for (int c = 0; c < static_cast<int>(schema->size()); ++c) {
            ScanPredicate p;
            p.column = c;
            p.op = ScanPredicate::Op::kIsNotNull;
            spec.predicates.push_back(p);
          }
        }
        for (const Batch& b : read_all(file, spec))
          for (size_t c = 0; c < b.columns.size(); ++c)
            EXPECT_EQ(layout_error(b.column(c), b.num_rows), "")
                << "parquet-" << i << " column " << c;
      } catch (const Error& e) {
        EXPECT_NE(e.describe().find("parquet-" + std::to_string(i)), std::string::npos)
            << e.describe();
      }
    }
  }
  EXPECT_GE(seen, 4);
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
