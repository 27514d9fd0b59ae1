#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <string>
#include <vector>

#include "velo/batch/batch.h"
#include "velo/fs/file_system.h"
#include "velo/io/options.h"
#include "velo/io/scan_spec.h"

namespace velo {

/// A record a reader could not decode under `on_error = 'skip' | 'dlq'`: where it was, why, and
/// its original bytes (what a dead-letter queue keeps).
struct RejectedRecord {
  std::string file;
  int64_t line = 0;    // 1-based line (text formats) or record number; 0 = unknown
  int64_t column = 0;  // 1-based column of the offending field/byte; 0 = unknown
  std::string error;
  std::string_view raw;
};

/// Everything a reader of one file needs to know.
struct FormatReadRequest {
  std::shared_ptr<RandomAccessFile> file;
  SchemaPtr schema;       // the schema to produce before projection (declared or inferred)
  ScanSpec spec;          // projection / predicates (readers may use them to skip work)
  const Options* options = nullptr;
  /// Byte range for splittable formats (CSV/JSONL): read records that START in
  /// [range_begin, range_end). range_end = -1 means to the end of the file.
  int64_t range_begin = 0;
  int64_t range_end = -1;
  /// Row number of the first row in the range when known (for _metadata.row_number); -1 unknown.
  int64_t first_row_number = 0;
  /// on_error policy for malformed records: kFail throws a located kFormat error; kSkip counts
  /// and drops the record; kDlq drops it and calls `on_reject` (set by the file connector).
  enum class OnError { kFail, kSkip, kDlq } on_error = OnError::kFail;
  std::function<void(const RejectedRecord&)> on_reject;
};

/// Streams batches out of one file (or one range of it). Single-threaded.
class FormatReader {
 public:
  virtual ~FormatReader() = default;
  /// Fills `out` with up to ~kDefaultBatchRows rows; false at end.
  virtual bool next(Batch* out) = 0;
  /// Bytes of the file consumed so far (for progress).
  virtual int64_t bytes_consumed() const = 0;
  /// Rows skipped under on_error = 'skip'.
  virtual int64_t rows_rejected() const { return 0; }
};

/// Writes batches of one schema to one output stream.
class FormatWriter {
 public:
  virtual ~FormatWriter() = default;
  virtual void write(const Batch& batch) = 0;
  /// Writes footers; the stream is then ready for prepare/commit.
  virtual void finish() = 0;
};

/// One file format: csv, json, parquet, avro. Registered by name and file extension.
class Format {
 public:
  virtual ~Format() = default;
  virtual std::string name() const = 0;
  /// Discovers the schema from a sample of the file (uncompressed view).
  virtual SchemaPtr infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                                 const Options& options) = 0;
  virtual std::unique_ptr<FormatReader> open_reader(const FormatReadRequest& request) = 0;
  virtual std::unique_ptr<FormatWriter> open_writer(OutputStream* out, SchemaPtr schema,
                                                    const Options& options) = 0;
  /// True when a file can be split into byte ranges read in parallel (uncompressed CSV/JSONL).
  virtual bool splittable() const { return false; }
  /// Marks the options this format understands as used (for unknown-option errors).
  virtual void declare_options(const Options& options) const {}
};

/// Format by name ("csv", "json", "jsonl", "parquet", "avro"); throws a user error listing names.
Format& format_by_name(const std::string& name);
/// Format from a path's extension, ignoring a compression suffix ("x.csv.gz" -> csv); nullptr if
/// unknown.
Format* format_for_path(const std::string& path);
void register_format(std::unique_ptr<Format> format, std::vector<std::string> extensions);
/// Names of every registered format, sorted (for error messages and `velo --help`).
std::vector<std::string> format_names();

/// Registers every format compiled into this binary (csv, json, parquet, ...). Explicit, called
/// once at start-up by initialize_velostream().
void register_builtin_formats();

}  // namespace velo
