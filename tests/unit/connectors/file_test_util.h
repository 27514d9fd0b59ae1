#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "velo/connectors/file/file_connector.h"
#include "velo/connectors/registry.h"
#include "velo/formats/format.h"
#include "velo/io/source.h"

namespace velo {

/// A fresh temp directory per test, with helpers to make input files, list output files and
/// read sources back. For the file connector's sink and checkpoint tests.
class FileTestDir : public ::testing::Test {
 protected:
  void SetUp() override {
    static bool registered = [] {
      register_builtin_formats();
      register_file_connector();
      return true;
    }();
    (void)registered;
    root_ = std::filesystem::temp_directory_path() /
            ("velo_ft_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string path(const std::string& rel) const { return (root_ / rel).string(); }
  void put(const std::string& rel, const std::string& content) {
    std::filesystem::create_directories((root_ / rel).parent_path());
    std::ofstream(path(rel), std::ios::binary) << content;
  }
  /// Publishes a file atomically (write a hidden temp, rename), as a watched folder expects.
  void put_atomically(const std::string& rel, const std::string& content) {
    std::filesystem::path final_path = root_ / rel;
    std::filesystem::create_directories(final_path.parent_path());
    std::filesystem::path temp = final_path.parent_path() / ("." + final_path.filename().string());
    std::ofstream(temp, std::ios::binary) << content;
    std::filesystem::rename(temp, final_path);
  }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  /// Every regular file below root (hidden ones too), relative, sorted.
  std::vector<std::string> all_files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root_))
      if (e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), root_).string());
    std::sort(out.begin(), out.end());
    return out;
  }
  /// Visible files only (no path segment starts with '.').
  std::vector<std::string> visible_files() const {
    std::vector<std::string> out;
    for (const std::string& f : all_files())
      if (f[0] != '.' && f.find("/.") == std::string::npos) out.push_back(f);
    return out;
  }

  /// The rows of one batch as "v|v|..." strings (system columns `_metadata.*` left out).
  static void append_rows(const Batch& b, std::vector<std::string>* rows) {
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::string row;
      for (size_t c = 0; c < b.columns.size(); ++c) {
        if (b.schema->field(c).name.rfind("_metadata.", 0) == 0) continue;
        row += (row.empty() ? "" : "|") + b.columns[c]->value_at(r).to_string();
      }
      rows->push_back(row);
    }
  }
  /// Every row of a bounded source (one reader), sorted.
  static std::vector<std::string> read_all(Source& src) {
    std::vector<std::string> rows;
    for (auto& reader : src.open(1)) {
      Batch b;
      while (reader->next(&b, Deadline::max()) == PollStatus::kBatch) append_rows(b, &rows);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::filesystem::path root_;
};

/// A batch of `n` rows (id BIGINT, region STRING, ts TIMESTAMP) with region = regions[i % k] and
/// ts = base + i minutes.
inline Batch make_rows(int64_t first_id, size_t n, const std::vector<std::string>& regions,
                       int64_t base_us = 1704067200000000LL /* 2024-01-01 00:00:00 */) {
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{{"id", DataType::int64(), true},
                                                        {"region", DataType::string(), true},
                                                        {"ts", DataType::timestamp(), true}});
  Batch b = Batch::empty(schema);
  for (size_t i = 0; i < n; ++i) {
    b.columns[0]->append<int64_t>(first_id + static_cast<int64_t>(i));
    b.columns[1]->append_string(regions[i % regions.size()]);
    b.columns[2]->append<int64_t>(base_us + static_cast<int64_t>(i) * 60000000LL);
  }
  b.num_rows = n;
  return b;
}

}  // namespace velo
