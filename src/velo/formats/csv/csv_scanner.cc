#include "velo/formats/csv/csv_scanner.h"

#include <algorithm>
#include <cstring>

namespace velo::csv {

namespace {
constexpr size_t kBlockSize = size_t{1} << 20;

inline const char* find_byte(const char* p, const char* e, char c) {
  return static_cast<const char*>(std::memchr(p, c, e - p));
}
}  // namespace

CsvScanner::CsvScanner(std::unique_ptr<InputStream> in, const CsvDialect& dialect,
                       int64_t base_offset, int64_t stop_offset)
    : in_(std::move(in)), d_(dialect), stop_offset_(stop_offset), buf_offset_(base_offset) {
  fields_.reserve(64);
}

bool CsvScanner::refill() {
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    buf_offset_ += static_cast<int64_t>(pos_);
    pos_ = 0;
  }
  if (end_ == cap_) {  // a record longer than the buffer: grow it
    size_t cap = cap_ ? cap_ * 2 : kBlockSize;
    auto fresh = std::make_unique_for_overwrite<char[]>(cap);
    if (end_) std::memcpy(fresh.get(), buf_.get(), end_);
    buf_ = std::move(fresh);
    cap_ = cap;
  }
  size_t n = in_->read(buf_.get() + end_, cap_ - end_);
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  return true;
}

void CsvScanner::skip_partial_line() {
  for (;;) {
    if (pos_ == end_ && !refill()) return;
    const char* p = buf_.get() + pos_;
    const char* nl = find_byte(p, buf_.get() + end_, '\n');
    if (nl) {
      pos_ = nl + 1 - buf_.get();
      return;
    }
    pos_ = end_;
  }
}

void CsvScanner::split(const char* p, const char* end) {
  const char delim = d_.delimiter;
  for (;;) {
    const char* d = find_byte(p, end, delim);
    if (!d) {
      push(p, end - p, false, false);
      return;
    }
    push(p, d - p, false, false);
    p = d + 1;
  }
}

CsvScanner::Status CsvScanner::next() {
  fields_.clear();
  for (;;) {
    if (pos_ == end_ && !refill()) return Status::kEnd;
    int64_t offset = buf_offset_ + static_cast<int64_t>(pos_);
    if (stop_offset_ >= 0 && offset >= stop_offset_) return Status::kEnd;
    const char* p = buf_.get() + pos_;
    const char* e = buf_.get() + end_;
    const char* nl = find_byte(p, e, '\n');
    if (!nl && !eof_) {
      refill();
      continue;
    }
    const char* line_end = nl ? nl : e;
    const char* content_end = (line_end > p && line_end[-1] == '\r') ? line_end - 1 : line_end;
    size_t next_pos = (nl ? nl + 1 : e) - buf_.get();
    if (content_end == p || (d_.comment && *p == d_.comment)) {  // blank or comment line
      pos_ = next_pos;
      if (nl) ++lines_;
      continue;
    }
    rec_begin_ = p;
    rec_offset_ = offset;
    rec_line_ = lines_ + 1;
    if (!d_.quote || !find_byte(p, content_end, d_.quote)) {
      split(p, content_end);
      rec_end_ = content_end;
      pos_ = next_pos;
      if (nl) ++lines_;
      return Status::kRecord;
    }
    Status status;
    const char* next_record;
    if (!scan_quoted(p, &status, &next_record)) {
      fields_.clear();
      refill();  // at end of stream eof_ is now set and the scan decides with what it has
      continue;
    }
    lines_ += std::count(p, next_record, '\n');
    pos_ = next_record - buf_.get();
    return status;
  }
}

bool CsvScanner::scan_quoted(const char* p, Status* status, const char** next) {
  const char* e = buf_.get() + end_;
  // A distinct escape byte, or the quote itself when quotes are escaped by doubling.
  const char quote = d_.quote, delim = d_.delimiter;
  const char escape = d_.escape ? d_.escape : quote;
  const char* q = p;
  for (;;) {  // one field per turn
    if (q < e && *q == quote) {
      const char* content = ++q;
      bool escaped = false;
      const char* close = nullptr;
      while (!close) {
        const char* x = q;
        while (x < e && *x != quote && *x != escape) ++x;
        if (x == e) {
          if (!eof_) return false;
          *status = Status::kUnterminatedQuote;
          error_at_ = content - 1;
          goto bad_line;
        }
        if (*x == escape && escape != quote) {
          if (x + 1 == e) {
            if (!eof_) return false;
            *status = Status::kUnterminatedQuote;
            error_at_ = content - 1;
            goto bad_line;
          }
          escaped = true;
          q = x + 2;
          continue;
        }
        if (x + 1 == e && !eof_) return false;  // "" or a closing quote? the next byte decides
        if (escape == quote && x + 1 < e && x[1] == quote) {
          escaped = true;
          q = x + 2;
          continue;
        }
        close = x;
      }
      push(content, close - content, true, escaped);
      q = close + 1;
      if (q == e) {
        if (!eof_) return false;
        rec_end_ = q;
        *next = q;
        *status = Status::kRecord;
        return true;
      }
      if (*q == delim) {
        ++q;
        continue;
      }
      if (*q == '\n') {
        rec_end_ = q;
        *next = q + 1;
        *status = Status::kRecord;
        return true;
      }
      if (*q == '\r') {
        if (q + 1 == e && !eof_) return false;
        if (q + 1 == e || q[1] == '\n') {
          rec_end_ = q;
          *next = q + 1 == e ? e : q + 2;
          *status = Status::kRecord;
          return true;
        }
      }
      *status = Status::kBadQuote;
      error_at_ = q;
      goto bad_line;
    }
    // Unquoted field (a quote inside it is an ordinary byte).
    const char* x = q;
    while (x < e && *x != delim && *x != '\n') ++x;
    if (x == e && !eof_) return false;
    if (x < e && *x == delim) {
      push(q, x - q, false, false);
      q = x + 1;
      continue;
    }
    const char* field_end = (x > q && x[-1] == '\r') ? x - 1 : x;
    push(q, field_end - q, false, false);
    rec_end_ = field_end;
    *next = x < e ? x + 1 : x;
    *status = Status::kRecord;
    return true;
  }

bad_line:
  // The malformed record is the physical line it starts on; scanning resumes after it.
  {
    const char* nl = find_byte(p, e, '\n');
    if (!nl && !eof_) return false;
    const char* line_end = nl ? nl : e;
    rec_end_ = (line_end > p && line_end[-1] == '\r') ? line_end - 1 : line_end;
    if (error_at_ > rec_end_) error_at_ = rec_end_;
    *next = nl ? nl + 1 : e;
    fields_.clear();
    return true;
  }
}

std::string_view CsvScanner::unescape(const CsvField& f) {
  scratch_.clear();
  const char* p = f.data;
  const char* e = p + f.size;
  const char esc = d_.escape;
  while (p < e) {
    const char* x = find_byte(p, e, esc);
    if (!x) {
      scratch_.append(p, e - p);
      break;
    }
    scratch_.append(p, x - p);
    if (x + 1 < e) scratch_.push_back(x[1]);  // "" -> ", \x -> x
    p = x + 2;
  }
  return scratch_;
}

void CsvScanner::locate(const char* at, int64_t* line, int64_t* column) const {
  if (!at || at < rec_begin_ || at > rec_end_) at = rec_begin_;
  int64_t l = rec_line_;
  const char* line_start = rec_begin_;
  for (const char* c = rec_begin_; c < at; ++c)
    if (*c == '\n') {
      ++l;
      line_start = c + 1;
    }
  *line = l;
  *column = (at - line_start) + 1;
}

}  // namespace velo::csv
