#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>

#include "velo/connectors/file/file_connector.h"
#include "velo/connectors/registry.h"
#include "velo/formats/compression/compression.h"
#include "velo/formats/format.h"
#include "velo/fs/file_system.h"
#include "velo/io/column_list.h"
#include "velo/types/error.h"

namespace velo {

namespace {

constexpr const char* kFilenameColumn = "_metadata.filename";
constexpr const char* kRowNumberColumn = "_metadata.row_number";
constexpr const char* kModifiedColumn = "_metadata.file_modified";
constexpr int64_t kDefaultSplitBytes = 32 << 20;

using OnError = FormatReadRequest::OnError;

std::string known_formats() {
  std::string known;
  for (const auto& n : format_names()) known += (known.empty() ? "" : ", ") + n;
  return known;
}

bool is_file_uri_scheme(const std::string& uri) {
  std::string s = uri_scheme(uri);
  return s == "file" || s == "s3" || s == "gs" || s == "gcs" || s == "azure" || s == "abfs" ||
         s == "az";
}

/// Dead-letter records of one job: JSON Lines written through the FileSystem (file-like URIs)
/// or a sink (other schemes, e.g. Kafka), made visible by commit(). Thread-safe.
class DeadLetterQueue {
 public:
  DeadLetterQueue(std::string uri, const Options& source_options)
      : uri_(std::move(uri)), fs_options_(source_options) {}
  ~DeadLetterQueue() { abort(); }

  void add(const RejectedRecord& r, const std::string& fallback_file) {
    std::string line = "{\"file\":";
    append_json_string(r.file.empty() ? fallback_file : r.file, &line);
    line += fmt::format(",\"line\":{},\"column\":{},\"error\":", r.line, r.column);
    append_json_string(r.error, &line);
    line += ",\"raw\":";
    append_json_string(r.raw, &line);
    line += "}\n";
    std::lock_guard<std::mutex> lock(mu_);
    if (committed_) {  // a new job round after acknowledge(): start another file
      committed_ = false;
      stream_.reset();
    }
    if (is_file_uri_scheme(uri_)) {
      if (!stream_) {
        std::string path = uri_;
        if (!path.empty() && path.back() == '/')
          path += fmt::format("rejected-{:08x}{:08x}.jsonl", std::random_device{}(),
                              std::random_device{}());
        auto fs = file_system_for(path, fs_options_);
        stream_ = compressing_stream(fs->open_write(path), compression_for_path(path));
      }
      stream_->write(line.data(), line.size());
    } else {
      pending_.push_back(r);
      pending_.back().file = r.file.empty() ? fallback_file : r.file;
      raw_.emplace_back(r.raw);
    }
  }

  /// Publishes what was added so far.
  void commit() {
    std::lock_guard<std::mutex> lock(mu_);
    if (stream_ && !committed_) {
      stream_->prepare();
      stream_->commit();
      committed_ = true;
    }
    if (!pending_.empty()) {
      Options o;
      o.set("format", "json");
      auto sink = make_sink(uri_, o);
      auto schema =
          std::make_shared<const Schema>(std::vector<Field>{{"file", DataType::string(), false},
                                                            {"line", DataType::int64(), false},
                                                            {"column", DataType::int64(), false},
                                                            {"error", DataType::string(), false},
                                                            {"raw", DataType::string(), false}});
      Batch b = Batch::empty(schema);
      for (size_t i = 0; i < pending_.size(); ++i) {
        b.columns[0]->append_string(pending_[i].file);
        b.columns[1]->append<int64_t>(pending_[i].line);
        b.columns[2]->append<int64_t>(pending_[i].column);
        b.columns[3]->append_string(pending_[i].error);
        b.columns[4]->append_string(raw_[i]);
      }
      b.num_rows = pending_.size();
      sink->open(schema);
      try {
        sink->write(b);
        std::string h = sink->prepare();
        sink->commit(h);
      } catch (...) {
        sink->abort();
        throw;
      }
      pending_.clear();
      raw_.clear();
    }
  }

  void abort() noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    if (stream_ && !committed_) stream_->abort();
    stream_.reset();
    pending_.clear();
    raw_.clear();
  }

 private:
  std::mutex mu_;
  std::string uri_;
  Options fs_options_;
  std::unique_ptr<OutputStream> stream_;
  bool committed_ = false;
  std::vector<RejectedRecord> pending_;  // `raw` of these is not kept; see raw_
  std::vector<std::string> raw_;
};

/// One piece of work for a reader: a whole file or a byte range of it.
struct WorkUnit {
  size_t file = 0;
  int64_t begin = 0;
  int64_t end = -1;  // -1 = to the end
  int64_t bytes = 0;
};

/// What the readers of one open() share.
struct ScanState {
  std::vector<WorkUnit> units;
  std::atomic<size_t> next_unit{0};
  std::atomic<int64_t> rows{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> rejected{0};
};

/// Where an output column comes from.
struct OutputColumn {
  enum class Kind { kFormat, kFilename, kRowNumber, kModified } kind = Kind::kFormat;
  int format_index = -1;  // index into the format spec's projection
};

class FileSource;

class FileSourceReader final : public SourceReader {
 public:
  FileSourceReader(const FileSource* source, std::shared_ptr<ScanState> state);
  PollStatus next(Batch* out, Deadline deadline) override;

 private:
  bool open_next_unit();
  void finish_unit();

  const FileSource* source_;
  std::shared_ptr<ScanState> state_;
  std::unique_ptr<FormatReader> reader_;
  const WorkUnit* unit_ = nullptr;
  int64_t unit_bytes_reported_ = 0;
  int64_t unit_rejected_reported_ = 0;
  int64_t row_number_ = 0;
  // Per unit: format_spec_.projection[j] is column unit_pos_[j] of the reader's batches, or -1
  // when this file lacks the column (NULLs).
  std::vector<int> unit_pos_;
  std::string filename_;
  int64_t modified_us_ = 0;
};

class FileSource final : public Source {
 public:
  FileSource(const std::string& uri, const Options& options) : uri_(uri), options_(options) {
    for (const char* k : {"watch", "delete_after_read"})
      if (options_.has(k)) throw_not_supported("file source option '{}'", k);
    if (options_.has("changelog")) throw_not_supported("file source option 'changelog'");
    fs_ = file_system_for(uri, options_);
    files_ = fs_->list(uri);
    if (files_.empty()) throw_user_error("no files match '{}'", uri);
    if (auto f = options_.get("format")) {
      format_ = &format_by_name(*f);
    } else {
      format_ = format_for_path(files_[0].path);
      if (format_ == nullptr)
        throw_user_error(
            "cannot tell the format of '{}' from its extension; set format = '...' (known: {})",
            files_[0].path, known_formats());
    }
    if (auto s = options_.get("schema")) {
      data_schema_ = parse_column_list(*s);
      declared_ = true;
    }
    std::string on_error = Options::lower(options_.get_string("on_error", "fail"));
    if (on_error == "fail") {
      on_error_ = OnError::kFail;
    } else if (on_error == "skip") {
      on_error_ = OnError::kSkip;
    } else if (on_error == "dlq") {
      on_error_ = OnError::kDlq;
    } else {
      throw_user_error("option 'on_error' must be 'fail', 'skip' or 'dlq', got '{}'", on_error);
    }
    std::string dlq = options_.get_string("dlq", "");
    if (on_error_ == OnError::kDlq && dlq.empty())
      throw_user_error("on_error = 'dlq' needs dlq = '<uri of the dead-letter file>'");
    if (!dlq.empty() && on_error_ != OnError::kDlq)
      throw_user_error("option 'dlq' needs on_error = 'dlq'");
    if (!dlq.empty()) dlq_ = std::make_unique<DeadLetterQueue>(dlq, options_);
    split_bytes_ = options_.get_bytes("split_size", kDefaultSplitBytes);
    if (split_bytes_ < 1024) throw_user_error("option 'split_size' must be at least 1KB");
    format_->declare_options(options_);
    options_.check_all_used(format_->name() + " file source");
    for (const auto& f : files_) total_bytes_ += f.size;
  }

  SchemaPtr schema() const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (full_schema_) return full_schema_;
    if (!data_schema_) data_schema_ = union_of_file_schemas();
    std::vector<Field> fields = data_schema_->fields();
    for (const auto& f : fields)
      if (f.name.rfind("_metadata.", 0) == 0)
        throw_user_error("column '{}' of '{}' clashes with a file system column", f.name, uri_);
    fields.push_back({kFilenameColumn, DataType::string(), false});
    fields.push_back({kRowNumberColumn, DataType::int64(), false});
    fields.push_back({kModifiedColumn, DataType::timestamp(), false});
    full_schema_ = std::make_shared<const Schema>(std::move(fields));
    return full_schema_;
  }

  SourceCapabilities capabilities() const override {
    SourceCapabilities c;
    c.bounded = true;
    c.projection_pushdown = true;
    c.predicate_pushdown = true;
    return c;
  }

  std::vector<std::unique_ptr<SourceReader>> open(int parallelism) override {
    SchemaPtr full = schema();
    size_t ndata = data_schema_->size();
    out_schema_ = output_schema();
    // Map the projection to the format's columns and the system columns.
    std::vector<int> proj = spec_.projection;
    if (proj.empty())
      for (size_t i = 0; i < full->size(); ++i) proj.push_back(static_cast<int>(i));
    format_spec_ = ScanSpec{};
    outputs_.clear();
    bool row_numbers = false;
    for (int idx : proj) {
      OutputColumn oc;
      if (idx < 0 || static_cast<size_t>(idx) >= full->size())
        throw_internal_error("projection index {} out of range", idx);
      if (static_cast<size_t>(idx) < ndata) {
        oc.kind = OutputColumn::Kind::kFormat;
        oc.format_index = static_cast<int>(format_spec_.projection.size());
        format_spec_.projection.push_back(idx);
      } else if (static_cast<size_t>(idx) == ndata) {
        oc.kind = OutputColumn::Kind::kFilename;
      } else if (static_cast<size_t>(idx) == ndata + 1) {
        oc.kind = OutputColumn::Kind::kRowNumber;
        row_numbers = true;
      } else {
        oc.kind = OutputColumn::Kind::kModified;
      }
      outputs_.push_back(oc);
    }
    // Only system columns: the reader still has to count rows; read the cheapest column.
    if (format_spec_.projection.empty()) format_spec_.projection.push_back(0);
    for (const ScanPredicate& p : spec_.predicates)
      if (p.column >= 0 && static_cast<size_t>(p.column) < ndata)
        format_spec_.predicates.push_back(p);
    format_spec_.limit = spec_.limit;

    auto state = std::make_shared<ScanState>();
    for (size_t i = 0; i < files_.size(); ++i) {
      const FileInfo& f = files_[i];
      bool split = format_->splittable() && !row_numbers && f.size > split_bytes_ &&
                   codec_for(f.path) == Compression::kNone;
      if (!split) {
        state->units.push_back(WorkUnit{i, 0, -1, f.size});
        continue;
      }
      for (int64_t b = 0; b < f.size; b += split_bytes_) {
        int64_t e = std::min(f.size, b + split_bytes_);
        state->units.push_back(WorkUnit{i, b, e == f.size ? -1 : e, e - b});
      }
    }
    state_ = state;
    int n = std::max(1, std::min<int>(parallelism, static_cast<int>(state->units.size())));
    std::vector<std::unique_ptr<SourceReader>> readers;
    for (int i = 0; i < n; ++i) readers.push_back(std::make_unique<FileSourceReader>(this, state));
    return readers;
  }

  std::string describe() const override {
    std::string s =
        fmt::format("FileSource '{}' format={} files={}", uri_, format_->name(), files_.size());
    SchemaPtr full = full_schema_;
    if (!full) {
      try {
        full = schema();
      } catch (const Error&) {
      }
    }
    if (full && !spec_.projection.empty()) {
      s += " columns=[";
      for (size_t i = 0; i < spec_.projection.size(); ++i)
        s += (i ? "," : "") + full->field(spec_.projection[i]).name;
      s += "]";
    }
    if (full && !spec_.predicates.empty()) {
      s += " predicates=[";
      for (size_t i = 0; i < spec_.predicates.size(); ++i) {
        const ScanPredicate& p = spec_.predicates[i];
        std::string name = p.column >= 0 && static_cast<size_t>(p.column) < full->size()
                               ? full->field(p.column).name
                               : "?";
        s += (i ? " AND " : "") + p.to_string(name);
      }
      s += "]";
    }
    if (spec_.limit >= 0) s += fmt::format(" limit={}", spec_.limit);
    return s;
  }

  SourceProgress progress() const override {
    SourceProgress p;
    p.total_bytes = total_bytes_;
    if (auto s = state_) {
      p.bytes_read = std::min(s->bytes.load(), total_bytes_);
      p.rows = s->rows.load();
    }
    return p;
  }

  int64_t rows_rejected() const override {
    auto s = state_;
    return s ? s->rejected.load() : 0;
  }

  void acknowledge() override {
    if (dlq_) dlq_->commit();
  }

 private:
  friend class FileSourceReader;

  /// The schema file `i` is read with: the source's for a declared schema and the first file;
  /// else the file's own inferred schema (the CSV header may order or name columns differently).
  SchemaPtr file_schema(size_t i) const {
    if (declared_) return data_schema_;
    std::lock_guard<std::mutex> lock(mu_);
    return file_schemas_[i];
  }

  /// The schema of a glob without a declared one: the union of every file's schema by column
  /// name, in order of first appearance. Compatible types widen (INT32 -> INT64 -> DECIMAL ->
  /// DOUBLE, DATE -> TIMESTAMP); text formats fall back to STRING when inference disagrees;
  /// other conflicts are an error naming both files and the column. Called with mu_ held.
  SchemaPtr union_of_file_schemas() const {
    file_schemas_.assign(files_.size(), nullptr);
    std::vector<Field> fields;
    std::vector<size_t> first_file;  // where each union column was first seen
    bool text = format_->name() == "csv" || format_->name() == "json";
    for (size_t i = 0; i < files_.size(); ++i) {
      SchemaPtr own = format_->infer_schema(fs_->open_read(files_[i].path), options_);
      file_schemas_[i] = own;
      for (const Field& f : own->fields()) {
        auto it = std::find_if(fields.begin(), fields.end(),
                               [&](const Field& u) { return iequals(u.name, f.name); });
        if (it == fields.end()) {
          fields.push_back(Field{f.name, f.type, true});
          first_file.push_back(i);
          continue;
        }
        DataType merged;
        if (common_super_type(it->type, f.type, &merged)) {
          it->type = merged;
        } else if (text && (it->type.id() == TypeId::kString || f.type.id() == TypeId::kString)) {
          it->type = DataType::string();
        } else {
          throw_user_error(
              "column '{}' is {} in '{}' but {} in '{}': the files of '{}' cannot be read as one "
              "table "
              "(declare schema = '...' or select files with compatible columns)",
              f.name, it->type.to_string(), files_[first_file[it - fields.begin()]].path,
              f.type.to_string(), files_[i].path, uri_);
        }
      }
    }
    // Files whose own schema equals the union read without any remapping.
    auto result = std::make_shared<const Schema>(std::move(fields));
    for (auto& own : file_schemas_)
      if (*own == *result) own = result;
    return result;
  }

  Compression codec_for(const std::string& path) const {
    // Peek without marking: the format owns the `compression` option.
    auto it = options_.all().find("compression");
    if (it == options_.all().end()) return compression_for_path(path);
    return compression_by_name(it->second, path);
  }

  std::string uri_;
  Options options_;
  std::shared_ptr<FileSystem> fs_;
  std::vector<FileInfo> files_;
  Format* format_ = nullptr;
  OnError on_error_ = OnError::kFail;
  std::unique_ptr<DeadLetterQueue> dlq_;
  int64_t split_bytes_ = kDefaultSplitBytes;
  int64_t total_bytes_ = 0;

  mutable std::mutex mu_;
  mutable SchemaPtr data_schema_;
  mutable SchemaPtr full_schema_;
  bool declared_ = false;
  // Inferred schemas: every file's own, matched to the source's columns by name.
  mutable std::vector<SchemaPtr> file_schemas_;

  // Set by open().
  SchemaPtr out_schema_;
  ScanSpec format_spec_;
  std::vector<OutputColumn> outputs_;
  std::shared_ptr<ScanState> state_;
};

FileSourceReader::FileSourceReader(const FileSource* source, std::shared_ptr<ScanState> state)
    : source_(source), state_(std::move(state)) {}

bool FileSourceReader::open_next_unit() {
  size_t i = state_->next_unit.fetch_add(1);
  if (i >= state_->units.size()) return false;
  unit_ = &state_->units[i];
  const FileInfo& info = source_->files_[unit_->file];
  filename_ = info.path;
  modified_us_ = info.modified_us;
  row_number_ = 0;
  unit_bytes_reported_ = 0;
  unit_rejected_reported_ = 0;
  FormatReadRequest req;
  req.file = source_->fs_->open_read(info.path);
  SchemaPtr own = source_->file_schema(unit_->file);
  const ScanSpec& base = source_->format_spec_;
  unit_pos_.clear();
  if (own == source_->data_schema_) {
    req.schema = own;
    req.spec = base;
    for (size_t j = 0; j < base.projection.size(); ++j) unit_pos_.push_back(static_cast<int>(j));
  } else {
    // Match by name; matched columns are read as the source's type.
    const Schema& src = *source_->data_schema_;
    std::vector<Field> fields = own->fields();
    std::vector<int> src_to_own(src.size(), -1);
    for (size_t c = 0; c < src.size(); ++c) {
      int k = own->find(src.field(c).name);
      if (k < 0) continue;
      src_to_own[c] = k;
      fields[k].type = src.field(c).type;
    }
    req.schema = std::make_shared<const Schema>(std::move(fields));
    req.spec.limit = base.limit;
    for (int c : base.projection) {
      int k = src_to_own[c];
      if (k < 0) {
        unit_pos_.push_back(-1);
      } else {
        unit_pos_.push_back(static_cast<int>(req.spec.projection.size()));
        req.spec.projection.push_back(k);
      }
    }
    if (req.spec.projection.empty()) req.spec.projection.push_back(0);  // rows still count
    for (const ScanPredicate& p : base.predicates) {
      if (src_to_own[p.column] < 0) continue;
      ScanPredicate q = p;
      q.column = src_to_own[p.column];
      req.spec.predicates.push_back(std::move(q));
    }
  }
  req.options = &source_->options_;
  req.range_begin = unit_->begin;
  req.range_end = unit_->end;
  req.first_row_number = unit_->begin == 0 ? 0 : -1;
  req.on_error = source_->on_error_;
  if (source_->on_error_ == OnError::kDlq) {
    DeadLetterQueue* dlq = source_->dlq_.get();
    ScanState* state = state_.get();
    std::string file = info.path;
    req.on_reject = [dlq, state, file](const RejectedRecord& r) {
      dlq->add(r, file);
      state->rejected.fetch_add(1);
    };
  }
  reader_ = source_->format_->open_reader(req);
  return true;
}

void FileSourceReader::finish_unit() {
  // Count the whole unit as read, whatever the reader reported (compressed sizes, footers).
  state_->bytes.fetch_add(unit_->bytes - unit_bytes_reported_);
  if (source_->on_error_ == OnError::kSkip)
    state_->rejected.fetch_add(reader_->rows_rejected() - unit_rejected_reported_);
  reader_.reset();
  unit_ = nullptr;
}

PollStatus FileSourceReader::next(Batch* out, Deadline) {
  const int64_t limit = source_->spec_.limit;
  for (;;) {
    if (limit >= 0 && state_->rows.load() >= limit) {
      if (reader_) finish_unit();
      return PollStatus::kEnd;
    }
    if (!reader_ && !open_next_unit()) return PollStatus::kEnd;
    Batch in;
    bool got = reader_->next(&in);
    int64_t consumed = std::min(reader_->bytes_consumed(), unit_->bytes);
    if (consumed > unit_bytes_reported_) {
      state_->bytes.fetch_add(consumed - unit_bytes_reported_);
      unit_bytes_reported_ = consumed;
    }
    if (source_->on_error_ == OnError::kSkip) {
      int64_t rej = reader_->rows_rejected();
      state_->rejected.fetch_add(rej - unit_rejected_reported_);
      unit_rejected_reported_ = rej;
    }
    if (!got) {
      finish_unit();
      continue;
    }
    if (in.num_rows == 0) continue;
    size_t n = in.num_rows;
    std::vector<ColumnPtr> cols;
    cols.reserve(source_->outputs_.size());
    for (const OutputColumn& oc : source_->outputs_) {
      switch (oc.kind) {
        case OutputColumn::Kind::kFormat: {
          int pos = unit_pos_[oc.format_index];
          if (pos >= 0) {
            cols.push_back(in.columns[pos]);
          } else {
            DataType t = source_->out_schema_->field(cols.size()).type;
            cols.push_back(Column::constant(Value::null(t), n));
          }
          break;
        }
        case OutputColumn::Kind::kFilename: {
          auto c = Column::make(DataType::string());
          c->reserve(n);
          for (size_t r = 0; r < n; ++r) c->append_string(filename_);
          cols.push_back(std::move(c));
          break;
        }
        case OutputColumn::Kind::kRowNumber: {
          auto c = Column::make(DataType::int64());
          c->resize(n);
          int64_t* v = c->values<int64_t>();
          for (size_t r = 0; r < n; ++r) v[r] = row_number_ + 1 + static_cast<int64_t>(r);
          cols.push_back(std::move(c));
          break;
        }
        case OutputColumn::Kind::kModified: {
          auto c = Column::make(DataType::timestamp());
          c->resize(n);
          int64_t* v = c->values<int64_t>();
          for (size_t r = 0; r < n; ++r) v[r] = modified_us_;
          cols.push_back(std::move(c));
          break;
        }
      }
    }
    row_number_ += static_cast<int64_t>(n);
    state_->rows.fetch_add(static_cast<int64_t>(n));
    *out = Batch(source_->out_schema_, std::move(cols), n);
    out->row_kinds = std::move(in.row_kinds);
    return PollStatus::kBatch;
  }
}

}  // namespace

std::unique_ptr<Source> make_file_source(const std::string& uri, const Options& options) {
  return std::make_unique<FileSource>(uri, options);
}

}  // namespace velo
