#include "velo/formats/csv/csv_writer.h"

#include "velo/formats/csv/text_cell.h"
#include "velo/formats/json/json_text.h"

namespace velo::csv {

namespace {

constexpr size_t kFlushBytes = size_t{1} << 20;

/// The formatted cells of one column of a batch: cell i is [ends[i-1], ends[i]) of text.
struct ColumnText {
  std::string text;
  std::vector<uint32_t> ends;
};

class CsvWriter final : public FormatWriter {
 public:
  CsvWriter(OutputStream* out, SchemaPtr schema, const CsvOptions& options)
      : out_(out), schema_(std::move(schema)), options_(options), d_(options.dialect) {
    texts_.resize(schema_->size());
  }

  void write(const Batch& batch) override {
    if (!header_done_) write_header();
    size_t n = batch.num_rows;
    size_t ncols = batch.columns.size();
    if (texts_.size() < ncols) texts_.resize(ncols);
    for (size_t c = 0; c < ncols; ++c) format_column(*batch.columns[c], n, &texts_[c]);
    for (size_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < ncols; ++c) {
        if (c) buf_.push_back(d_.delimiter);
        const ColumnText& t = texts_[c];
        uint32_t begin = r ? t.ends[r - 1] : 0;
        buf_.append(t.text.data() + begin, t.ends[r] - begin);
      }
      buf_.push_back('\n');
      if (buf_.size() >= kFlushBytes) flush();
    }
  }

  void finish() override {
    if (!header_done_) write_header();
    flush();
  }

 private:
  void flush() {
    if (buf_.empty()) return;
    out_->write(buf_.data(), buf_.size());
    buf_.clear();
  }

  void write_header() {
    header_done_ = true;
    if (!options_.header) return;
    for (size_t c = 0; c < schema_->size(); ++c) {
      if (c) buf_.push_back(d_.delimiter);
      append_text(schema_->field(c).name, &buf_);
    }
    buf_.push_back('\n');
  }

  bool needs_quotes(std::string_view s) const {
    if (s.empty()) return options_.null_string.empty();  // "" would read back as NULL
    if (s == options_.null_string) return true;
    for (char c : s)
      if (c == d_.delimiter || c == d_.quote || c == '\n' || c == '\r' ||
          (d_.escape && c == d_.escape))
        return true;
    return false;
  }

  // A text field, quoted when needed: quotes doubled (or escaped with a distinct escape byte).
  void append_text(std::string_view s, std::string* out) const {
    if (!d_.quote || !needs_quotes(s)) {
      out->append(s);
      return;
    }
    out->push_back(d_.quote);
    char esc = d_.escape ? d_.escape : d_.quote;
    for (char c : s) {
      if (c == d_.quote || c == esc) out->push_back(esc);
      out->push_back(c);
    }
    out->push_back(d_.quote);
  }

  void format_column(const Column& col, size_t n, ColumnText* t) {
    t->text.clear();
    t->ends.resize(n);
    std::string& s = t->text;
    const std::string& null_string = options_.null_string;
    // One switch per column; the loops below run without type dispatch.
    auto each = [&](auto&& cell) {
      for (size_t i = 0; i < n; ++i) {
        if (col.is_null(i))
          s.append(null_string);
        else
          cell(i);
        t->ends[i] = static_cast<uint32_t>(s.size());
      }
    };
    switch (col.type().id()) {
      case TypeId::kNull:
        each([&](size_t) {});
        return;
      case TypeId::kBoolean:
        each([&](size_t i) { s.append(col.value<uint8_t>(i) ? "true" : "false"); });
        return;
      case TypeId::kInt32:
        each([&](size_t i) { text::append_int(col.value<int32_t>(i), &s); });
        return;
      case TypeId::kInt64:
        each([&](size_t i) { text::append_int(col.value<int64_t>(i), &s); });
        return;
      case TypeId::kDouble:
        each([&](size_t i) { text::append_double(col.value<double>(i), &s); });
        return;
      case TypeId::kDecimal: {
        int scale = col.type().scale();
        each([&](size_t i) { text::append_decimal(col.value<int128_t>(i), scale, &s); });
        return;
      }
      case TypeId::kDate:
        each([&](size_t i) { text::append_date(col.value<int32_t>(i), &s); });
        return;
      case TypeId::kTimestamp:
        each([&](size_t i) { text::append_timestamp(col.value<int64_t>(i), &s); });
        return;
      case TypeId::kString:
        each([&](size_t i) { append_text(col.string_at(i), &s); });
        return;
      case TypeId::kStruct:
      case TypeId::kList:
      case TypeId::kMap:
        each([&](size_t i) {
          scratch_.clear();
          json::append_json_cell(col, i, &scratch_);
          append_text(scratch_, &s);
        });
        return;
      case TypeId::kBytes:
      case TypeId::kInterval:
        each([&](size_t i) { append_text(col.value_at(i).to_string(), &s); });
        return;
    }
  }

  OutputStream* out_;
  SchemaPtr schema_;
  CsvOptions options_;
  CsvDialect d_;
  bool header_done_ = false;
  std::vector<ColumnText> texts_;
  std::string buf_;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<FormatWriter> open_csv_writer(OutputStream* out, SchemaPtr schema,
                                              const CsvOptions& options) {
  return std::make_unique<CsvWriter>(out, std::move(schema), options);
}

}  // namespace velo::csv
