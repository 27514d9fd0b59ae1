#pragma once

// In-memory files for format unit tests: a RandomAccessFile over a string and an OutputStream
// appending to one.
#include <algorithm>
#include <cstring>
#include <string>

#include "velo/fs/file_system.h"

namespace velo::test {

/// A RandomAccessFile over `data`.
class StringFile : public RandomAccessFile {
 public:
  StringFile(std::string path, std::string data) : path_(std::move(path)), data_(std::move(data)) {}
  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(data_.size()); }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    if (offset >= size()) return 0;
    n = std::min<size_t>(n, data_.size() - offset);
    std::memcpy(out, data_.data() + offset, n);
    return n;
  }

 private:
  std::string path_;
  std::string data_;
};

/// An OutputStream appending to `*data` (owned by the caller).
class StringOutput : public OutputStream {
 public:
  StringOutput(std::string path, std::string* data) : path_(std::move(path)), data_(data) {}
  void write(const void* p, size_t n) override { data_->append(static_cast<const char*>(p), n); }
  int64_t bytes_written() const override { return static_cast<int64_t>(data_->size()); }
  void prepare() override {}
  void commit() override {}
  void abort() noexcept override {}
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::string* data_;
};

}  // namespace velo::test
