#include "velo/formats/json/json_reader.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "velo/formats/csv/text_cell.h"
#include "velo/formats/json/json_convert.h"
#include "velo/formats/json/json_inference.h"
#include "velo/formats/json/json_text.h"
#include "velo/types/error.h"

namespace velo::json {

namespace {

constexpr size_t kBlockSize = size_t{1} << 20;
constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

constexpr const char* kOptionNames[] = {"format", "sample_rows", "sample_size", "compression",
                                        nullptr};

/// Lines of a stream in one growing buffer that always keeps SIMDJSON_PADDING readable bytes
/// after its data, so simdjson parses lines in place.
class LineReader {
 public:
  LineReader(std::unique_ptr<InputStream> in, int64_t base_offset, int64_t stop_offset)
      : in_(std::move(in)), stop_offset_(stop_offset), buf_offset_(base_offset) {}

  void skip_partial_line() {
    for (;;) {
      if (pos_ == end_ && !refill()) return;
      const char* nl = find_newline(buf_.get() + pos_);
      if (nl) {
        pos_ = nl + 1 - buf_.get();
        return;
      }
      pos_ = end_;
    }
  }

  /// First non-blank byte ahead, without consuming anything; -1 at end of stream.
  int peek_non_blank() {
    size_t i = pos_;
    for (;;) {
      while (i < end_) {
        char c = buf_[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return static_cast<unsigned char>(c);
        ++i;
      }
      size_t consumed = pos_;
      if (!refill()) return -1;
      i -= consumed;  // refill moved the unconsumed bytes to the front
    }
  }

  /// The next line without its terminator; false at the end (or at the stop offset).
  bool next(std::string_view* line) {
    for (;;) {
      if (pos_ == end_ && !refill()) return false;
      offset_ = buf_offset_ + static_cast<int64_t>(pos_);
      if (stop_offset_ >= 0 && offset_ >= stop_offset_) return false;
      const char* p = buf_.get() + pos_;
      const char* nl = find_newline(p);
      if (!nl && !eof_) {
        refill();
        continue;
      }
      const char* e = nl ? nl : buf_.get() + end_;
      line_ = ++lines_;
      pos_ = (nl ? nl + 1 : e) - buf_.get();
      if (e > p && e[-1] == '\r') --e;
      *line = std::string_view(p, e - p);
      return true;
    }
  }

  /// Everything left in the stream, in the (padded) buffer.
  std::string_view read_all() {
    while (refill()) {
    }
    offset_ = buf_offset_ + static_cast<int64_t>(pos_);
    std::string_view all(buf_.get() + pos_, end_ - pos_);
    pos_ = end_;
    return all;
  }

  /// Readable bytes from `p` (inside the buffer) to the end of the allocation.
  size_t capacity_after(const char* p) const { return buf_.get() + cap_ + kPadding - p; }
  int64_t line() const { return line_; }
  int64_t offset() const { return offset_; }
  int64_t bytes_consumed() const { return in_->bytes_consumed(); }

 private:
  const char* find_newline(const char* p) const {
    return static_cast<const char*>(std::memchr(p, '\n', buf_.get() + end_ - p));
  }

  bool refill() {
    if (eof_) return false;
    if (pos_ > 0) {
      std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
      end_ -= pos_;
      buf_offset_ += static_cast<int64_t>(pos_);
      pos_ = 0;
    }
    if (end_ == cap_) {
      size_t cap = cap_ ? cap_ * 2 : kBlockSize;
      auto fresh = std::make_unique_for_overwrite<char[]>(cap + kPadding);
      if (end_) std::memcpy(fresh.get(), buf_.get(), end_);
      std::memset(fresh.get() + cap, ' ', kPadding);
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

  std::unique_ptr<InputStream> in_;
  int64_t stop_offset_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t pos_ = 0;
  size_t end_ = 0;
  int64_t buf_offset_ = 0;
  bool eof_ = false;
  int64_t lines_ = 0;  // lines returned so far
  int64_t line_ = 0;   // 1-based line of the last line returned
  int64_t offset_ = 0;
};

/// The top-level values of a JSON array file, as raw spans of the padded buffer.
struct ArrayElement {
  std::string_view raw;
  int64_t line;
};

std::vector<ArrayElement> split_array(simdjson::ondemand::parser& parser, std::string_view all,
                                      size_t capacity, const std::string& path) {
  std::vector<ArrayElement> out;
  auto fail = [&](simdjson::error_code e) {
    throw Error(ErrorKind::kFormat,
                fmt::format("malformed JSON array: {}", simdjson::error_message(e)),
                ErrorLocation{path, 0, 0, -1});
  };
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(all.data(), all.size(), capacity).get(doc)) fail(e);
  simdjson::ondemand::array arr;
  if (auto e = doc.get_array().get(arr)) fail(e);
  const char* counted = all.data();
  int64_t line = 1;
  for (auto er : arr) {
    simdjson::ondemand::value v;
    if (auto e = std::move(er).get(v)) fail(e);
    simdjson::ondemand::json_type t;
    if (auto e = v.type().get(t)) fail(e);
    std::string_view raw;
    simdjson::error_code e = simdjson::SUCCESS;
    if (t == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object o;
      e = v.get_object().get(o);
      if (!e) e = o.raw_json().get(raw);
    } else if (t == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array a;
      e = v.get_array().get(a);
      if (!e) e = a.raw_json().get(raw);
    } else {
      raw = v.raw_json_token();
    }
    if (e) fail(e);
    line += std::count(counted, raw.data(), '\n');
    counted = raw.data();
    out.push_back(ArrayElement{raw, line});
  }
  const char* rest;
  if (!doc.current_location().get(rest))
    throw Error(ErrorKind::kFormat, "unexpected content after the JSON array",
                ErrorLocation{path, line + std::count(counted, rest, '\n'), 0, rest - all.data()});
  return out;
}

bool is_blank(std::string_view s) { return skip_json_blanks(s) == s.size(); }

class JsonReader final : public FormatReader {
 public:
  JsonReader(const FormatReadRequest& request, const JsonOptions& options)
      : path_(request.file->path()),
        options_(options),
        on_error_(request.on_error),
        on_reject_(request.on_reject),
        limit_(request.spec.limit),
        schema_(request.schema ? request.schema : infer_json_file_schema(request.file, options)),
        mapper_(*schema_, targets_for(request.spec.projection)) {
    bool compressed = options.compression != Compression::kNone;
    if (request.range_begin > 0) {
      if (compressed || file_is_array(*request.file)) {
        done_ = true;  // not splittable: the range at 0 reads everything
        return;
      }
      int64_t base = request.range_begin - 1;
      lines_ = std::make_unique<LineReader>(
          open_input_stream(request.file, Compression::kNone, base, -1), base, request.range_end);
      lines_->skip_partial_line();
      line_base_ = request.first_row_number >= 0 ? request.first_row_number : -1;
      return;
    }
    // Peeking and reading an array ignore the stop offset: an array file is read whole.
    lines_ =
        std::make_unique<LineReader>(open_input_stream(request.file, options.compression, 0, -1), 0,
                                     compressed ? -1 : request.range_end);
    JsonLayout layout = options.layout;
    if (layout == JsonLayout::kAuto)
      layout = lines_->peek_non_blank() == '[' ? JsonLayout::kArray : JsonLayout::kLines;
    if (layout == JsonLayout::kArray) {
      std::string_view all = lines_->read_all();
      array_base_ = all.data();
      elements_ = split_array(array_parser_, all, lines_->capacity_after(all.data()), path_);
      array_ = true;
    }
  }

  bool next(Batch* out) override;
  int64_t bytes_consumed() const override { return lines_ ? lines_->bytes_consumed() : 0; }
  int64_t rows_rejected() const override { return rejected_; }

 private:
  std::vector<int> targets_for(const std::vector<int>& projection) {
    std::vector<int> proj = projection;
    if (proj.empty())
      for (size_t i = 0; i < schema_->size(); ++i) proj.push_back(static_cast<int>(i));
    std::vector<int> targets(schema_->size(), -1);
    std::vector<Field> fields;
    for (size_t j = 0; j < proj.size(); ++j) {
      int idx = proj[j];
      if (idx < 0 || static_cast<size_t>(idx) >= schema_->size())
        throw_internal_error("projection index {} out of range", idx);
      fields.push_back(schema_->field(idx));
      // A field projected twice is decoded once and shared.
      copy_of_.push_back(targets[idx]);
      if (targets[idx] < 0) targets[idx] = static_cast<int>(j);
    }
    out_schema_ = std::make_shared<const Schema>(std::move(fields));
    return targets;
  }

  static bool file_is_array(const RandomAccessFile& file) {
    char buf[4096];
    for (int64_t off = 0;; off += sizeof(buf)) {
      size_t n = file.read_at(off, sizeof(buf), buf);
      size_t i = skip_json_blanks(std::string_view(buf, n));
      if (i < n) return buf[i] == '[';
      if (n < sizeof(buf)) return false;
    }
  }

  // Appends one document; on a bad record rolls the columns back to `rows` and rejects it.
  bool add_document(std::string_view doc, size_t capacity, int64_t line, int64_t offset,
                    std::vector<ColumnPtr>& cols, size_t rows);

  std::string path_;
  JsonOptions options_;
  FormatReadRequest::OnError on_error_;
  std::function<void(const RejectedRecord&)> on_reject_;
  int64_t limit_;
  SchemaPtr schema_;
  SchemaPtr out_schema_;
  std::vector<int> copy_of_;  // per output column: the earlier output it repeats, or -1
  ObjectMapper mapper_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::parser array_parser_;
  std::unique_ptr<LineReader> lines_;
  bool array_ = false;
  std::vector<ArrayElement> elements_;
  const char* array_base_ = nullptr;  // first byte of the array file in the line buffer
  size_t next_element_ = 0;
  std::vector<Column*> column_ptrs_;
  bool done_ = false;
  int64_t line_base_ = 0;
  int64_t emitted_ = 0;
  int64_t rejected_ = 0;
};

bool JsonReader::add_document(std::string_view doc, size_t capacity, int64_t line, int64_t offset,
                              std::vector<ColumnPtr>& cols, size_t rows) {
  try {
    append_object_document(parser_, doc.data(), doc.size(), capacity, mapper_, column_ptrs_.data());
    return true;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kFormat) throw;
    for (auto& c : cols)
      if (c) text::truncate_column(*c, rows);
    int64_t file_line = line_base_ >= 0 ? line_base_ + line : 0;
    if (on_error_ == FormatReadRequest::OnError::kFail)
      throw Error(ErrorKind::kFormat, e.message(), ErrorLocation{path_, file_line, 0, offset});
    ++rejected_;
    if (on_error_ == FormatReadRequest::OnError::kDlq && on_reject_)
      on_reject_(RejectedRecord{path_, file_line, 0, e.message(), doc});
    return false;
  }
}

bool JsonReader::next(Batch* out) {
  if (done_) return false;
  size_t cap = kDefaultBatchRows;
  if (limit_ >= 0) {
    if (emitted_ >= limit_) return false;
    cap = std::min<size_t>(cap, static_cast<size_t>(limit_ - emitted_));
  }
  size_t nout = out_schema_->size();
  std::vector<ColumnPtr> cols(nout);
  column_ptrs_.assign(nout, nullptr);
  for (size_t j = 0; j < nout; ++j) {
    if (copy_of_[j] >= 0) continue;
    cols[j] = Column::make(out_schema_->field(j).type);
    cols[j]->reserve(cap);
    column_ptrs_[j] = cols[j].get();
  }
  size_t rows = 0;
  while (rows < cap) {
    if (array_) {
      if (next_element_ == elements_.size()) {
        done_ = true;
        break;
      }
      const ArrayElement& el = elements_[next_element_++];
      if (add_document(el.raw, lines_->capacity_after(el.raw.data()), el.line,
                       lines_->offset() + (el.raw.data() - array_base_), cols, rows))
        ++rows;
      continue;
    }
    std::string_view line;
    if (!lines_->next(&line)) {
      done_ = true;
      break;
    }
    if (is_blank(line)) continue;
    if (add_document(line, lines_->capacity_after(line.data()), lines_->line(), lines_->offset(),
                     cols, rows))
      ++rows;
  }
  if (rows == 0) return false;
  for (size_t j = 0; j < nout; ++j)
    if (copy_of_[j] >= 0) cols[j] = cols[copy_of_[j]];
  emitted_ += static_cast<int64_t>(rows);
  *out = Batch(out_schema_, std::move(cols), rows);
  return true;
}

// ---- writer ---------------------------------------------------------------------------------

constexpr size_t kFlushBytes = size_t{1} << 20;

class JsonWriter final : public FormatWriter {
 public:
  JsonWriter(OutputStream* out, SchemaPtr schema, bool array)
      : out_(out), schema_(std::move(schema)), array_(array) {
    for (size_t c = 0; c < schema_->size(); ++c) {
      std::string key = c ? "," : "{";
      append_json_string(schema_->field(c).name, &key);
      key.push_back(':');
      keys_.push_back(std::move(key));
    }
  }

  void write(const Batch& batch) override {
    size_t ncols = std::min(batch.columns.size(), keys_.size());
    for (size_t r = 0; r < batch.num_rows; ++r) {
      if (array_) buf_.append(rows_ ? ",\n" : "[\n");
      if (ncols == 0) buf_.push_back('{');
      for (size_t c = 0; c < ncols; ++c) {
        buf_.append(keys_[c]);
        append_json_cell(*batch.columns[c], r, &buf_);
      }
      buf_.push_back('}');
      if (!array_) buf_.push_back('\n');
      ++rows_;
      if (buf_.size() >= kFlushBytes) flush();
    }
  }

  void finish() override {
    if (array_) buf_.append(rows_ ? "\n]\n" : "[]\n");
    flush();
  }

 private:
  void flush() {
    if (buf_.empty()) return;
    out_->write(buf_.data(), buf_.size());
    buf_.clear();
  }

  OutputStream* out_;
  SchemaPtr schema_;
  bool array_;
  std::vector<std::string> keys_;  // `{"name":` / `,"name":`
  std::string buf_;
  int64_t rows_ = 0;
};

}  // namespace

const char* const* json_option_names() { return kOptionNames; }

JsonOptions parse_json_options(const Options& o, const std::string& path) {
  JsonOptions j;
  j.compression = compression_by_name(o.get_string("compression", "auto"), path);
  std::string layout = Options::lower(o.get_string("format", "auto"));
  if (layout == "auto" || layout == "json")
    j.layout = JsonLayout::kAuto;
  else if (layout == "newline_delimited" || layout == "jsonl" || layout == "ndjson" ||
           layout == "lines")
    j.layout = JsonLayout::kLines;
  else if (layout == "array")
    j.layout = JsonLayout::kArray;
  else
    throw_user_error("unknown json format '{}' (known: auto, newline_delimited, array)", layout);
  for (const char* key : {"sample_rows", "sample_size"})
    if (o.has(key)) j.sample_rows = o.get_int(key, j.sample_rows);
  return j;
}

std::unique_ptr<FormatReader> open_json_reader(const FormatReadRequest& request,
                                               const JsonOptions& options) {
  return std::make_unique<JsonReader>(request, options);
}

SchemaPtr infer_json_file_schema(const std::shared_ptr<RandomAccessFile>& file,
                                 const JsonOptions& options) {
  LineReader lines(open_input_stream(file, options.compression, 0, -1), 0, -1);
  JsonSchemaInferrer inferrer;
  int64_t limit = options.sample_rows;
  JsonLayout layout = options.layout;
  if (layout == JsonLayout::kAuto)
    layout = lines.peek_non_blank() == '[' ? JsonLayout::kArray : JsonLayout::kLines;
  if (layout == JsonLayout::kArray) {
    simdjson::ondemand::parser parser;
    std::string_view all = lines.read_all();
    for (const ArrayElement& el :
         split_array(parser, all, lines.capacity_after(all.data()), file->path())) {
      if (limit > 0 && static_cast<int64_t>(inferrer.objects()) >= limit) break;
      inferrer.add(el.raw.data(), el.raw.size(), lines.capacity_after(el.raw.data()));
    }
  } else {
    std::string_view line;
    while ((limit <= 0 || static_cast<int64_t>(inferrer.objects()) < limit) && lines.next(&line)) {
      if (is_blank(line)) continue;
      inferrer.add(line.data(), line.size(), lines.capacity_after(line.data()));
    }
  }
  return inferrer.finish("'" + file->path() + "'");
}

std::unique_ptr<FormatWriter> open_json_writer(OutputStream* out, SchemaPtr schema, bool array) {
  return std::make_unique<JsonWriter>(out, std::move(schema), array);
}

}  // namespace velo::json
