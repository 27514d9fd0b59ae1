#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "velo/formats/csv/csv_options.h"
#include "velo/fs/file_system.h"

namespace velo::csv {

/// One field of the current record: the bytes between delimiters, or between the quotes of a
/// quoted field. Points into the scanner's buffer; valid until the next call to next().
struct CsvField {
  const char* data;
  uint32_t size;
  bool quoted;
  bool escaped;  // holds doubled quotes / escape bytes: CsvScanner::text() removes them
};

/// Splits a byte stream into CSV records and fields without copying: big blocks are read into
/// one buffer, memchr finds newlines and delimiters, and only lines that hold a quote take the
/// byte-by-byte path. Records end at '\n' (a '\r' before it is dropped); a final record without
/// a newline counts; blank lines and comment lines are skipped. Single-threaded.
class CsvScanner {
 public:
  enum class Status : uint8_t {
    kRecord,             // fields() hold a record
    kEnd,                // no more records (end of stream, or the next record starts at stop)
    kUnterminatedQuote,  // a quoted field never closes; raw() is the rest of its line
    kBadQuote,           // a byte other than delimiter/newline follows a closing quote
  };

  /// `base_offset`: file offset of the stream's first byte (for offsets in errors).
  /// `stop_offset`: records starting at or after this file offset are not returned (-1: none).
  CsvScanner(std::unique_ptr<InputStream> in, const CsvDialect& dialect, int64_t base_offset = 0,
             int64_t stop_offset = -1);

  /// Drops bytes up to and including the first '\n': a range reader starting mid-file begins at
  /// the first line start after its first byte.
  void skip_partial_line();

  Status next();

  size_t num_fields() const { return fields_.size(); }
  const CsvField& field(size_t i) const { return fields_[i]; }
  /// Field i with its escapes removed (through one reused scratch buffer): valid until the next
  /// text() or next() call.
  std::string_view text(size_t i) {
    const CsvField& f = fields_[i];
    if (!f.escaped) return std::string_view(f.data, f.size);
    return unescape(f);
  }
  /// The record's bytes without its line terminator (what a dead-letter queue keeps).
  std::string_view raw() const { return std::string_view(rec_begin_, rec_end_ - rec_begin_); }
  /// File offset of the record's first byte.
  int64_t offset() const { return rec_offset_; }
  /// 1-based physical line of the record's first byte, counted from the stream start.
  int64_t line() const { return rec_line_; }
  /// For kBadQuote / kUnterminatedQuote: the offending byte.
  const char* error_at() const { return error_at_; }
  /// 1-based line and column of byte `at` of the current record.
  void locate(const char* at, int64_t* line, int64_t* column) const;

  int64_t bytes_consumed() const { return in_->bytes_consumed(); }

 private:
  bool refill();
  void split(const char* p, const char* end);
  // Scans a record holding a quote from p; false when more input is needed first.
  bool scan_quoted(const char* p, Status* status, const char** next);
  std::string_view unescape(const CsvField& f);
  void push(const char* data, size_t size, bool quoted, bool escaped) {
    fields_.push_back(CsvField{data, static_cast<uint32_t>(size), quoted, escaped});
  }

  std::unique_ptr<InputStream> in_;
  CsvDialect d_;
  int64_t stop_offset_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t pos_ = 0;          // start of unconsumed bytes
  size_t end_ = 0;          // end of valid bytes
  int64_t buf_offset_ = 0;  // file offset of buf_[0]
  bool eof_ = false;
  int64_t lines_ = 0;  // newlines consumed

  std::vector<CsvField> fields_;
  std::string scratch_;
  const char* rec_begin_ = nullptr;
  const char* rec_end_ = nullptr;
  const char* error_at_ = nullptr;
  int64_t rec_offset_ = 0;
  int64_t rec_line_ = 0;
};

}  // namespace velo::csv
