// Reads every Parquet file of ../shared/testdata/parquet and compares each value with DuckDB's
// reading (tests/parquet/duckdb_dump.mjs); files DuckDB cannot read are checked against the
// expectations of SOURCES.md; every bad_data file must give a clear velo::Error.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "parquet_test_util.h"

namespace velo::parquet_test {
namespace {

namespace fs = std::filesystem;

const std::string kDataDir = std::string(VELO_TESTDATA_DIR) + "/parquet/parquet-testing/data";
const std::string kBadDir = std::string(VELO_TESTDATA_DIR) + "/parquet/parquet-testing/bad_data";

/// Files of data/ that velo must reject (with the reason SOURCES.md gives), and files DuckDB
/// cannot read that are checked by their own tests below.
const std::map<std::string, std::string>& expected_errors() {
  static const std::map<std::string, std::string> m = {
      {"datapage_v1-corrupt-checksum.parquet", "CRC"},
      {"rle-dict-uncompressed-corrupt-checksum.parquet", "CRC"},
      {"nation.dict-malformed.parquet", ""},
      // Pages of 1 GiB + 4 bytes from 4 KB of brotli: over the page limit (DuckDB takes ~90 s to
      // fail on it, so it is not asked).
      {"large_string_map.brotli.parquet", "exceeds the limit"},
  };
  return m;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".parquet")
      out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

class ParquetTestData : public ::testing::TestWithParam<std::string> {};

TEST_P(ParquetTestData, MatchesDuckDB) {
  const std::string name = GetParam();
  const std::string path = kDataDir + "/" + name;
  auto it = expected_errors().find(name);
  if (it != expected_errors().end()) {
    try {
      read_all(std::make_shared<PosixFile>(path));
      FAIL() << name << " should have been rejected";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kFormat) << e.describe();
      EXPECT_NE(e.describe().find(it->second), std::string::npos) << e.describe();
      EXPECT_NE(e.describe().find(name), std::string::npos) << e.describe();
    }
    return;
  }
  if (!duckdb_available())
    GTEST_SKIP() << "node + @duckdb/node-api not installed (cd tests && npm install)";
  std::string dump = duckdb_dump(path);
  if (dump.rfind("{\"error\"", 0) == 0)
    GTEST_SKIP() << "DuckDB cannot read " << name << ": " << dump;
  std::vector<Batch> batches;
  try {
    batches = read_all(std::make_shared<PosixFile>(path));
  } catch (const Error& e) {
    FAIL() << name << ": " << e.describe();
  }
  std::string diff = compare_with_duckdb(batches, dump);
  EXPECT_EQ(diff, "") << name;
}

INSTANTIATE_TEST_SUITE_P(Data, ParquetTestData, ::testing::ValuesIn(files_in(kDataDir)),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

/// What each bad_data file's error must say is wrong (besides naming the file).
const std::map<std::string, std::string>& bad_data_reasons() {
  static const std::map<std::string, std::string> m = {
      {"ARROW-GH-41317.parquet", "has fewer values than the row group"},
      {"ARROW-GH-45185.parquet", "a row starts with repetition level 1 (must be 0)"},
      {"ARROW-GH-47662.parquet", "PLAIN data holds fewer than 100 values"},
      {"ARROW-RS-GH-6229-DICTHEADER.parquet", "lies outside the data"},
      {"PARQUET-1481.parquet", "unknown physical type -7"},
  };
  return m;
}

class ParquetBadData : public ::testing::TestWithParam<std::string> {};

TEST_P(ParquetBadData, GivesClearError) {
  const std::string name = GetParam();
  const std::string path = kBadDir + "/" + name;
  if (name == "ARROW-GH-43605.parquet") {
    // Not corrupt: a one-entry dictionary legitimately uses index bit width 0 (all indexes 0);
    // arrow#43605 was Arrow failing on it. DuckDB reads 21186 zeros; so must we.
    if (!duckdb_available()) GTEST_SKIP() << "node + @duckdb/node-api not installed";
    auto batches = read_all(std::make_shared<PosixFile>(path));
    EXPECT_EQ(compare_with_duckdb(batches, duckdb_dump(path)), "");
    return;
  }
  try {
    auto batches = read_all(std::make_shared<PosixFile>(path));
    size_t rows = 0;
    for (auto& b : batches) rows += b.num_rows;
    FAIL() << name << " was read without error (" << rows << " rows)";
  } catch (const Error& e) {
    EXPECT_TRUE(e.kind() == ErrorKind::kFormat || e.kind() == ErrorKind::kNotSupported)
        << e.describe();
    EXPECT_NE(e.describe().find(name), std::string::npos) << e.describe();
    auto reason = bad_data_reasons().find(name);
    if (reason == bad_data_reasons().end())
      ADD_FAILURE() << "new bad_data file " << name << ": add its reason: " << e.describe();
    else
      EXPECT_NE(e.describe().find(reason->second), std::string::npos) << e.describe();
  }
}

INSTANTIATE_TEST_SUITE_P(Bad, ParquetBadData, ::testing::ValuesIn(files_in(kBadDir)),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace velo::parquet_test
