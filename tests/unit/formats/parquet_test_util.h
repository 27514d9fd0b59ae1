#pragma once

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "velo/batch/batch.h"
#include "velo/formats/format.h"
#include "velo/formats/parquet/parquet_format.h"
#include "velo/types/decimal.h"
#include "velo/types/error.h"

namespace velo::parquet_test {

/// A read-only file over pread, so these tests do not depend on fs/local_file_system.
class PosixFile : public RandomAccessFile {
 public:
  explicit PosixFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY);
    if (fd_ < 0) throw_io_error("cannot open {}", path_);
    size_ = ::lseek(fd_, 0, SEEK_END);
  }
  ~PosixFile() override { ::close(fd_); }
  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, static_cast<char*>(out) + done, n - done, offset + done);
      if (r < 0) throw_io_error("read failed on {}", path_);
      if (r == 0) break;
      done += r;
    }
    reads_++;
    bytes_read_ += done;
    return done;
  }
  mutable int64_t reads_ = 0;
  mutable int64_t bytes_read_ = 0;

 private:
  std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
};

/// An in-memory file.
class MemoryFile : public RandomAccessFile {
 public:
  MemoryFile(std::string path, std::string data) : path_(std::move(path)), data_(std::move(data)) {}
  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(data_.size()); }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    if (offset >= size()) return 0;
    size_t k = std::min<size_t>(n, data_.size() - offset);
    std::memcpy(out, data_.data() + offset, k);
    return k;
  }

 private:
  std::string path_;
  std::string data_;
};

/// An output stream collecting bytes in memory (or writing them to a path on commit).
class MemoryOutput : public OutputStream {
 public:
  explicit MemoryOutput(std::string path = "memory.parquet") : path_(std::move(path)) {}
  void write(const void* data, size_t n) override {
    data_.append(static_cast<const char*>(data), n);
  }
  int64_t bytes_written() const override { return static_cast<int64_t>(data_.size()); }
  void prepare() override {}
  void commit() override {
    FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) throw_io_error("cannot write {}", path_);
    std::fwrite(data_.data(), 1, data_.size(), f);
    std::fclose(f);
  }
  void abort() noexcept override {}
  const std::string& path() const override { return path_; }
  const std::string& data() const { return data_; }

 private:
  std::string path_;
  std::string data_;
};

inline std::vector<Batch> read_all(std::shared_ptr<RandomAccessFile> file, ScanSpec spec = {},
                                   SchemaPtr schema = nullptr) {
  ParquetFormat format;
  FormatReadRequest req;
  req.file = std::move(file);
  req.schema = schema;
  req.spec = std::move(spec);
  auto reader = format.open_reader(req);
  std::vector<Batch> out;
  Batch b;
  while (reader->next(&b)) out.push_back(std::move(b));
  return out;
}

/// Runs a shell command and returns its stdout.
inline std::string run_command(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    *status = -1;
    return out;
  }
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  *status = ::pclose(p);
  return out;
}

inline bool duckdb_available() {
  int st;
  run_command(std::string("test -d ") + VELO_SOURCE_DIR +
                  "/tests/node_modules/@duckdb/node-api && command -v node >/dev/null",
              &st);
  return st == 0;
}

/// DuckDB's reading of `path` (tests/parquet/duckdb_dump.mjs): header line + one line per row.
inline std::string duckdb_dump(const std::string& path, const std::string& sql = "") {
  int st;
  std::string cmd = std::string("cd ") + VELO_SOURCE_DIR +
                    "/tests && node parquet/duckdb_dump.mjs '" + path + "'";
  if (!sql.empty()) cmd += " \"" + sql + "\"";
  return run_command(cmd + " 2>&1", &st);
}

inline std::string hex_of(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h += kHex[c >> 4];
    h += kHex[c & 15];
  }
  return h;
}

/// "" when the JSON value `j` (duckdb_dump.mjs canonical form) equals row `i` of `col`.
inline std::string compare_value(simdjson::dom::element j, const Column& col, size_t i) {
  using simdjson::dom::element_type;
  auto mismatch = [&](const std::string& why) {
    return fmt::format("{} (duckdb {}, velo {})", why, simdjson::minify(j),
                       col.value_at(i).to_string());
  };
  if (j.is_null() || col.is_null(i)) {
    if (j.is_null() && col.is_null(i)) return "";
    return mismatch("null differs");
  }
  const DataType& t = col.type();
  switch (t.id()) {
    case TypeId::kBoolean:
      if (!j.is_bool() || bool(j.get_bool()) != (col.value<uint8_t>(i) != 0))
        return mismatch("bool");
      return "";
    case TypeId::kInt32:
    case TypeId::kInt64: {
      int64_t v = t.id() == TypeId::kInt32 ? col.value<int32_t>(i) : col.value<int64_t>(i);
      if (j.type() == element_type::INT64 && int64_t(j.get_int64()) == v) return "";
      if (j.type() == element_type::UINT64 && uint64_t(j.get_uint64()) == static_cast<uint64_t>(v))
        return "";
      if (j.is_object() && j["$time"].error() == simdjson::SUCCESS &&
          int64_t(j["$time"].get_int64()) == v)
        return "";
      return mismatch("integer");
    }
    case TypeId::kDouble: {
      double v = col.value<double>(i);
      if (j.is_string()) {
        std::string_view s = j.get_string();
        if ((s == "NaN" && std::isnan(v)) || (s == "Infinity" && v == INFINITY) ||
            (s == "-Infinity" && v == -INFINITY))
          return "";
        return mismatch("double");
      }
      if (!j.is_number()) return mismatch("double type");
      double d = j.type() == element_type::DOUBLE  ? double(j.get_double())
                 : j.type() == element_type::INT64 ? double(int64_t(j.get_int64()))
                                                   : double(uint64_t(j.get_uint64()));
      if (d == v) return "";
      return mismatch("double");
    }
    case TypeId::kDecimal: {
      if (!j.is_object()) return mismatch("decimal type");
      std::string_view u = j["$dec"].get_string();
      int64_t s = j["s"].get_int64();
      int128_t duck = 0;
      if (!decimal::parse(u, 38, 0, &duck)) return mismatch("decimal parse");
      int128_t ours = col.value<int128_t>(i), a, b;
      int target = std::max<int>(static_cast<int>(s), t.scale());
      if (!decimal::rescale(duck, static_cast<int>(s), target, &a) ||
          !decimal::rescale(ours, t.scale(), target, &b) || a != b)
        return mismatch("decimal");
      return "";
    }
    case TypeId::kString:
      if (!j.is_string() || std::string_view(j.get_string()) != col.string_at(i))
        return mismatch("string");
      return "";
    case TypeId::kBytes:
      if (j.is_string() && std::string_view(j.get_string()) == col.string_at(i)) return "";
      if (!j.is_object() || std::string_view(j["$hex"].get_string()) != hex_of(col.string_at(i)))
        return mismatch("bytes");
      return "";
    case TypeId::kDate:
      if (!j.is_object() || int64_t(j["$date"].get_int64()) != col.value<int32_t>(i))
        return mismatch("date");
      return "";
    case TypeId::kTimestamp:
      if (!j.is_object() || int64_t(j["$ts"].get_int64()) != col.value<int64_t>(i))
        return mismatch("timestamp");
      return "";
    case TypeId::kInterval: {
      if (!j.is_object()) return mismatch("interval");
      auto a = j["$iv"].get_array();
      Interval iv = col.value<Interval>(i);
      if (int64_t(a.at(0).get_int64()) != iv.months || int64_t(a.at(1).get_int64()) != iv.days ||
          int64_t(a.at(2).get_int64()) != iv.micros)
        return mismatch("interval");
      return "";
    }
    case TypeId::kList: {
      if (!j.is_array()) return mismatch("list type");
      auto arr = j.get_array();
      int32_t b = col.offsets()[i], e = col.offsets()[i + 1];
      if (arr.size() != static_cast<size_t>(e - b)) return mismatch("list length");
      size_t k = 0;
      for (auto x : arr) {
        std::string r = compare_value(x, col.child(0), b + k++);
        if (!r.empty()) return "[" + std::to_string(k - 1) + "] " + r;
      }
      return "";
    }
    case TypeId::kMap: {
      if (!j.is_object() || j["$map"].error()) return mismatch("map type");
      auto arr = j["$map"].get_array();
      int32_t b = col.offsets()[i], e = col.offsets()[i + 1];
      if (arr.size() != static_cast<size_t>(e - b)) return mismatch("map length");
      const Column& entries = col.child(0);
      size_t k = 0;
      for (auto kv : arr) {
        std::string r = compare_value(kv.at(0), entries.child(0), b + k);
        if (r.empty()) r = compare_value(kv.at(1), entries.child(1), b + k);
        if (!r.empty()) return "{" + std::to_string(k) + "} " + r;
        ++k;
      }
      return "";
    }
    case TypeId::kStruct: {
      if (!j.is_object()) return mismatch("struct type");
      auto obj = j.get_object();
      size_t k = 0;
      for (auto field : obj) {
        if (k >= col.num_children()) return mismatch("struct field count");
        std::string r = compare_value(field.value, col.child(k), i);
        if (!r.empty()) return "." + std::string(field.key) + " " + r;
        ++k;
      }
      if (k != col.num_children()) return mismatch("struct field count");
      return "";
    }
    default:
      return mismatch("unsupported type in comparison");
  }
}

/// Compares our rows with DuckDB's dump. Returns "" when equal, else a description of the first
/// difference (row, column, both values).
inline std::string compare_with_duckdb(const std::vector<Batch>& batches, const std::string& dump) {
  simdjson::dom::parser parser;
  size_t line_start = dump.find('\n');
  if (line_start == std::string::npos) return "duckdb output has no header: " + dump;
  size_t row = 0;
  size_t pos = line_start + 1;
  for (const Batch& b : batches) {
    for (size_t r = 0; r < b.num_rows; ++r, ++row) {
      size_t end = dump.find('\n', pos);
      if (end == std::string::npos)
        return fmt::format("velo has more rows than duckdb ({}+)", row + 1);
      std::string line = dump.substr(pos, end - pos);
      pos = end + 1;
      simdjson::dom::element doc;
      if (parser.parse(line).get(doc)) return "cannot parse duckdb line: " + line;
      auto arr = doc.get_array();
      if (arr.size() != b.columns.size())
        return fmt::format("row {}: duckdb has {} columns, velo {}", row, arr.size(),
                           b.columns.size());
      size_t c = 0;
      for (auto v : arr) {
        std::string m = compare_value(v, *b.columns[c], r);
        if (!m.empty())
          return fmt::format("row {} column {} ({}): {}", row, c, b.schema->field(c).name, m);
        ++c;
      }
    }
  }
  if (pos < dump.size()) return fmt::format("duckdb has more rows than velo ({})", row);
  return "";
}

}  // namespace velo::parquet_test
