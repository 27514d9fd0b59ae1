#pragma once

// Shared pieces of the libFuzzer targets: an in-memory RandomAccessFile, a guard that accepts a
// clean velo::Error as the expected outcome for garbage (and nothing else), and a checker that
// walks every produced batch so out-of-bounds offsets or sizes show up under ASan.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "velo/batch/batch.h"
#include "velo/batch/column.h"
#include "velo/formats/format.h"
#include "velo/fs/file_system.h"
#include "velo/types/error.h"

namespace velo::fuzz {

/// A read-only file over a copy of the fuzzer's bytes (the copy lets ASan see reads past the end).
class MemoryFile final : public RandomAccessFile {
 public:
  MemoryFile(std::string path, const uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data, data + size) {}
  MemoryFile(std::string path, std::string_view data) : path_(std::move(path)), data_(data) {}

  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(data_.size()); }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    if (offset < 0) abort_with("read_at with negative offset", std::to_string(offset));
    if (static_cast<uint64_t>(offset) >= data_.size()) return 0;
    size_t k = std::min(n, data_.size() - static_cast<size_t>(offset));
    std::memcpy(out, data_.data() + offset, k);
    return k;
  }

  [[noreturn]] static void abort_with(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz: %s: %s\n", what, detail.c_str());
    std::abort();
  }

 private:
  std::string path_;
  std::string data_;
};

inline std::shared_ptr<RandomAccessFile> memory_file(std::string path, const uint8_t* data,
                                                     size_t size) {
  return std::make_shared<MemoryFile>(std::move(path), data, size);
}

/// Runs `fn`; a velo::Error of any kind but kInternal is the expected answer to malformed input.
/// kInternal means "a bug in velostream" (error.h), so it aborts like a crash. Anything else that
/// escapes (std::bad_alloc, std::out_of_range, ...) is not caught and aborts in libFuzzer.
template <typename Fn>
void expect_clean(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kInternal) MemoryFile::abort_with("internal error", e.describe());
  }
}

inline void check(bool ok, const char* what, const std::string& detail = "") {
  if (!ok) MemoryFile::abort_with(what, detail);
}

/// Checks the layout invariants of column.h for `rows` rows and reads every value through the
/// slow path (value_at + to_string), so a bad offset is read and reported by ASan.
inline void check_column(const Column& c, size_t rows) {
  const DataType& t = c.type();
  check(c.size() == rows, "column size differs from the batch's row count",
        std::to_string(c.size()) + " != " + std::to_string(rows) + " " + t.to_string());
  switch (t.id()) {
    case TypeId::kString:
    case TypeId::kBytes: {
      const int32_t* o = c.offsets();
      if (rows == 0) break;
      check(o != nullptr, "string column without offsets");
      check(o[0] >= 0, "negative first offset");
      for (size_t i = 0; i < rows; ++i) check(o[i] <= o[i + 1], "offsets not monotonic");
      check(static_cast<size_t>(o[rows]) <= c.heap().size(), "offset past the heap");
      break;
    }
    case TypeId::kList:
    case TypeId::kMap: {
      check(c.num_children() == 1, "list/map without one child");
      if (rows == 0) break;
      const int32_t* o = c.offsets();
      check(o != nullptr, "list column without offsets");
      check(o[0] >= 0, "negative first offset");
      for (size_t i = 0; i < rows; ++i) check(o[i] <= o[i + 1], "list offsets not monotonic");
      check(static_cast<size_t>(o[rows]) <= c.child(0).size(), "list offset past the child");
      check_column(c.child(0), c.child(0).size());
      break;
    }
    case TypeId::kStruct:
      check(c.num_children() == t.children().size(), "struct child count");
      for (size_t i = 0; i < c.num_children(); ++i) check_column(c.child(i), rows);
      break;
    default:
      break;
  }
  for (size_t i = 0; i < rows; ++i) (void)c.value_at(i).to_string();
}

inline void check_batch(const Batch& b) {
  check(b.schema != nullptr, "batch without schema");
  check(b.columns.size() == b.schema->size(), "column count differs from the schema");
  for (size_t i = 0; i < b.columns.size(); ++i) {
    check(b.columns[i] != nullptr, "null column");
    check(b.columns[i]->type() == b.schema->field(i).type, "column type differs from the schema",
          b.columns[i]->type().to_string() + " vs " + b.schema->field(i).type.to_string());
    check_column(*b.columns[i], b.num_rows);
  }
  check(b.row_kinds.empty() || b.row_kinds.size() == b.num_rows, "row kinds size");
}

/// Cuts `columns` back to `rows` rows, children included even where their parent has no row to
/// drop (a row that failed inside a nested value leaves values in children of a parent that
/// never counted it). Column::truncate does the work; kafka::truncate_columns is not linked here.
inline void truncate_columns(const std::vector<ColumnPtr>& columns, size_t rows) {
  for (const auto& c : columns) c->truncate(rows);
}

/// Reads every batch of `reader`, checking each. Stops quietly after `max_rows`: a few bytes may
/// legitimately stand for millions of rows (RLE runs, zero-width Avro datums), which only costs
/// time.
inline size_t drain(FormatReader& reader, size_t max_rows = size_t{1} << 16) {
  size_t rows = 0;
  Batch b;
  while (rows < max_rows && reader.next(&b)) {
    check_batch(b);
    rows += b.num_rows;
    b = Batch();
  }
  return rows;
}

}  // namespace velo::fuzz
