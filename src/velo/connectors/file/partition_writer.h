#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "velo/connectors/file/pending_file.h"
#include "velo/formats/compression/compression.h"
#include "velo/formats/format.h"

namespace velo {

/// How a file sink writes one file: the format, its options and the text compression.
struct FileWriteSettings {
  Format* format = nullptr;
  const Options* options = nullptr;
  Compression codec = Compression::kNone;
  int level = -1;
};

/// One open output file of a file sink (one partition path): a format writer over a temp
/// stream of the FileSystem. Single-threaded.
class PartitionWriter {
 public:
  PartitionWriter(FileSystem& fs, std::string path, const FileWriteSettings& settings,
                  SchemaPtr schema, int64_t opened_us);
  ~PartitionWriter() { abort(); }

  /// Appends rows (the batch has the file's schema).
  void write(const Batch& batch);
  /// Writes the footer and makes the file durable but invisible; the writer is spent.
  PendingFile finish();
  void abort() noexcept;

  const std::string& path() const { return path_; }
  int64_t rows() const { return rows_; }
  int64_t bytes() const { return stream_ ? stream_->bytes_written() : 0; }
  int64_t opened_us() const { return opened_us_; }
  /// Recency stamp for closing the least recently used writer (max_open_files).
  uint64_t last_use = 0;

 private:
  std::string path_;
  std::unique_ptr<OutputStream> stream_;
  std::unique_ptr<FormatWriter> writer_;
  int64_t rows_ = 0;
  int64_t opened_us_ = 0;
};

}  // namespace velo
