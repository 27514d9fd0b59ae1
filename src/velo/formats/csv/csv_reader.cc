#include "velo/formats/csv/csv_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "velo/formats/csv/csv_scanner.h"
#include "velo/formats/csv/text_cell.h"
#include "velo/types/error.h"

namespace velo::csv {

namespace {

using Status = CsvScanner::Status;

class CsvReader final : public FormatReader {
 public:
  CsvReader(const FormatReadRequest& request, const CsvOptions& options)
      : path_(request.file->path()),
        options_(options),
        on_error_(request.on_error),
        on_reject_(request.on_reject),
        limit_(request.spec.limit) {
    SchemaPtr schema = request.schema ? request.schema : infer_csv_schema(request.file, options);
    columns_in_file_ = schema->size();
    std::vector<int> projection = request.spec.projection;
    if (projection.empty())
      for (size_t i = 0; i < schema->size(); ++i) projection.push_back(static_cast<int>(i));
    std::vector<Field> fields;
    for (int idx : projection) {
      if (idx < 0 || static_cast<size_t>(idx) >= schema->size())
        throw_internal_error("projection index {} out of range", idx);
      const Field& f = schema->field(idx);
      outputs_.push_back(Output{static_cast<size_t>(idx), text::cell_kind(f.type)});
      fields.push_back(f);
    }
    out_schema_ = std::make_shared<const Schema>(std::move(fields));

    bool compressed = options.compression != Compression::kNone;
    if (request.range_begin > 0) {
      if (compressed) {  // not splittable: the range at 0 reads everything
        done_ = true;
        return;
      }
      // Start one byte early: if range_begin is itself a line start, the skipped partial line is
      // just the '\n' before it.
      int64_t base = request.range_begin - 1;
      scanner_ = std::make_unique<CsvScanner>(
          open_input_stream(request.file, Compression::kNone, base, -1), options.dialect, base,
          request.range_end);
      scanner_->skip_partial_line();
      line_base_ = request.first_row_number >= 0
                       ? request.first_row_number + (options.header ? 1 : 0) + options.skip
                       : -1;
    } else {
      scanner_ =
          std::make_unique<CsvScanner>(open_input_stream(request.file, options.compression, 0, -1),
                                       options.dialect, 0, compressed ? -1 : request.range_end);
      need_header_ = true;
    }
  }

  bool next(Batch* out) override;
  int64_t bytes_consumed() const override { return scanner_ ? scanner_->bytes_consumed() : 0; }
  int64_t rows_rejected() const override { return rejected_; }

 private:
  struct Output {
    size_t source;  // CSV column
    text::CellKind kind;
  };

  void skip_preamble();
  // Fails (kFail) or counts and drops the current record; `at` is the offending byte.
  void reject(const std::string& message, const char* at);

  std::string path_;
  CsvOptions options_;
  FormatReadRequest::OnError on_error_;
  std::function<void(const RejectedRecord&)> on_reject_;
  int64_t limit_;
  size_t columns_in_file_ = 0;
  std::vector<Output> outputs_;
  SchemaPtr out_schema_;
  std::unique_ptr<CsvScanner> scanner_;
  bool need_header_ = false;
  bool done_ = false;
  int64_t line_base_ = 0;  // added to the scanner's line; -1 = lines unknown
  int64_t emitted_ = 0;
  int64_t rejected_ = 0;
};

void CsvReader::skip_preamble() {
  need_header_ = false;
  int64_t n = options_.skip + (options_.header ? 1 : 0);
  for (int64_t i = 0; i < n; ++i)
    if (scanner_->next() == Status::kEnd) {
      done_ = true;
      return;
    }
}

void CsvReader::reject(const std::string& message, const char* at) {
  int64_t line = 0, column = 0;
  scanner_->locate(at, &line, &column);
  line = line_base_ >= 0 ? line_base_ + line : 0;
  std::string_view raw = scanner_->raw();
  int64_t offset = scanner_->offset();
  if (at >= raw.data() && at <= raw.data() + raw.size()) offset += at - raw.data();
  if (on_error_ == FormatReadRequest::OnError::kFail)
    throw Error(ErrorKind::kFormat, message, ErrorLocation{path_, line, column, offset});
  ++rejected_;
  if (on_error_ == FormatReadRequest::OnError::kDlq && on_reject_)
    on_reject_(RejectedRecord{path_, line, column, message, raw});
}

bool CsvReader::next(Batch* out) {
  if (need_header_) skip_preamble();
  if (done_) return false;
  size_t cap = kDefaultBatchRows;
  if (limit_ >= 0) {
    if (emitted_ >= limit_) return false;
    cap = std::min<size_t>(cap, static_cast<size_t>(limit_ - emitted_));
  }
  std::vector<ColumnPtr> cols(outputs_.size());
  for (size_t j = 0; j < outputs_.size(); ++j) {
    cols[j] = Column::make(out_schema_->field(j).type);
    cols[j]->reserve(cap);
  }
  const std::string& null_string = options_.null_string;
  CsvScanner& sc = *scanner_;
  size_t rows = 0;
  while (rows < cap) {
    Status status = sc.next();
    if (status == Status::kEnd) {
      done_ = true;
      break;
    }
    if (status == Status::kUnterminatedQuote) {
      reject(
          fmt::format("unterminated quoted field: expected a closing {}", options_.dialect.quote),
          sc.error_at());
      continue;
    }
    if (status == Status::kBadQuote) {
      reject(fmt::format("expected a delimiter or a line end after a closing quote, found '{}'",
                         *sc.error_at()),
             sc.error_at());
      continue;
    }
    if (sc.num_fields() != columns_in_file_) {
      reject(fmt::format("expected {} columns, found {}", columns_in_file_, sc.num_fields()),
             sc.raw().data());
      continue;
    }
    size_t j = 0;
    for (; j < outputs_.size(); ++j) {
      const Output& o = outputs_[j];
      std::string_view t = sc.text(o.source);
      Column& c = *cols[j];
      if (t.size() == null_string.size() &&
          (t.empty() || std::memcmp(t.data(), null_string.data(), t.size()) == 0)) {
        c.append_null();
        continue;
      }
      if (!text::append_cell(c, o.kind, t)) break;
    }
    if (j < outputs_.size()) {
      for (size_t k = 0; k < j; ++k) text::truncate_column(*cols[k], rows);
      const CsvField& f = sc.field(outputs_[j].source);
      std::string_view t = sc.text(outputs_[j].source);
      reject(fmt::format("expected {} in column '{}', found '{}'",
                         out_schema_->field(j).type.to_string(), out_schema_->field(j).name,
                         t.substr(0, 100)),
             f.data - (f.quoted ? 1 : 0));
      continue;
    }
    ++rows;
  }
  if (rows == 0) return false;
  emitted_ += static_cast<int64_t>(rows);
  *out = Batch(out_schema_, std::move(cols), rows);
  return true;
}

// ---- inference ------------------------------------------------------------------------------

struct TypeGuess {
  bool any = false;
  bool boolean = true, integer = true, decimal = true, floating = true, date = true,
       timestamp = true;
  int int_digits = 0, frac_digits = 0;

  void vote(std::string_view t) {
    any = true;
    std::string_view s = text::trim_blanks(t);
    if (boolean) boolean = iequals(s, "true") || iequals(s, "false");
    if (integer || decimal || floating) {
      text::NumberInfo n = text::classify_number(s);
      integer = integer && n.shape == text::NumberShape::kInteger;
      if (decimal) {
        decimal = n.shape == text::NumberShape::kInteger || n.shape == text::NumberShape::kDecimal;
        int_digits = std::max(int_digits, n.int_digits);
        frac_digits = std::max(frac_digits, n.frac_digits);
      }
      floating = floating && n.shape != text::NumberShape::kNone;
    }
    if (date || timestamp) {
      bool looks = s.size() >= 10 && static_cast<unsigned char>(s[0] - '0') <= 9 && s[4] == '-';
      int32_t d;
      int64_t ts;
      if (date) date = looks && text::parse_date(s, &d);
      if (timestamp) timestamp = looks && text::parse_timestamp(s, &ts);
    }
  }

  DataType type() const {
    if (!any) return DataType::string();
    if (boolean) return DataType::boolean();
    if (integer) return DataType::int64();
    if (decimal && int_digits + frac_digits <= 18) return DataType::decimal(18, frac_digits);
    if (floating) return DataType::float64();
    if (date) return DataType::date();
    if (timestamp) return DataType::timestamp();
    return DataType::string();
  }
};

}  // namespace

std::unique_ptr<FormatReader> open_csv_reader(const FormatReadRequest& request,
                                              const CsvOptions& options) {
  return std::make_unique<CsvReader>(request, options);
}

SchemaPtr infer_csv_schema(const std::shared_ptr<RandomAccessFile>& file,
                           const CsvOptions& options) {
  CsvScanner sc(open_input_stream(file, options.compression, 0, -1), options.dialect);
  for (int64_t i = 0; i < options.skip; ++i)
    if (sc.next() == Status::kEnd) break;
  std::vector<std::string> names;
  size_t ncols = 0;
  if (options.header && sc.next() == Status::kRecord) {
    for (size_t i = 0; i < sc.num_fields(); ++i) names.emplace_back(sc.text(i));
    ncols = names.size();
  }
  std::vector<TypeGuess> guesses(ncols);
  int64_t rows = 0;
  const std::string& null_string = options.null_string;
  while (options.sample_rows <= 0 || rows < options.sample_rows) {
    Status s = sc.next();
    if (s == Status::kEnd) break;
    if (s != Status::kRecord) continue;
    if (ncols == 0) {
      ncols = sc.num_fields();
      guesses.resize(ncols);
    }
    if (sc.num_fields() != ncols) continue;  // reading reports it; sampling looks past it
    for (size_t i = 0; i < ncols; ++i) {
      std::string_view t = sc.text(i);
      if (t == null_string) continue;
      guesses[i].vote(t);
    }
    ++rows;
  }
  if (ncols == 0)
    throw_user_error("cannot infer a schema: '{}' holds no CSV record; give schema = '...'",
                     file->path());
  std::vector<Field> fields;
  std::set<std::string> used;
  for (size_t i = 0; i < ncols; ++i) {
    std::string name = i < names.size() ? names[i] : "";
    if (name.empty()) name = fmt::format("column{}", i);
    std::string unique = name;
    for (int k = 1; used.count(Options::lower(unique)); ++k) unique = fmt::format("{}_{}", name, k);
    used.insert(Options::lower(unique));
    fields.push_back(Field{unique, guesses[i].type(), true});
  }
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace velo::csv
