#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "velo/connectors/file/dead_letter_queue.h"
#include "velo/connectors/file/file_connector.h"
#include "velo/connectors/file/file_scan_state.h"
#include "velo/connectors/file/hive_partitioning.h"
#include "velo/connectors/file/schema_union.h"
#include "velo/connectors/file/source_position.h"
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
constexpr int64_t kDefaultPollIntervalUs = 5 * 1000000;

using OnError = FormatReadRequest::OnError;
using SteadyClock = std::chrono::steady_clock;

std::string known_formats() {
  std::string known;
  for (const auto& n : format_names()) known += (known.empty() ? "" : ", ") + n;
  return known;
}

/// Where an output column comes from.
struct OutputColumn {
  enum class Kind { kFormat, kPartition, kFilename, kRowNumber, kModified } kind = Kind::kFormat;
  int index = -1;  // kFormat: into the format spec's projection; kPartition: partition column
};

class FileSource;

class FileSourceReader final : public SourceReader {
 public:
  FileSourceReader(const FileSource* source, std::shared_ptr<ScanState> state, int index);
  PollStatus next(Batch* out, Deadline deadline) override;
  std::string position() const override;

 private:
  bool open_next_unit();
  void finish_unit();
  PollStatus wait_for_files(Deadline deadline);

  const FileSource* source_;
  std::shared_ptr<ScanState> state_;
  int index_;
  std::unique_ptr<FormatReader> reader_;
  const WorkUnit* unit_ = nullptr;
  size_t unit_index_ = 0;
  const SourceFile* file_ = nullptr;
  int64_t unit_bytes_reported_ = 0;
  int64_t unit_rejected_reported_ = 0;
  int64_t row_number_ = 0;  // rows of the unit returned (or skipped on resume) so far
  int64_t skip_rows_ = 0;   // rows of the unit still to drop (resume)
  // Per unit: format_spec_.projection[j] is column unit_pos_[j] of the reader's batches, or -1
  // when this file lacks the column (NULLs).
  std::vector<int> unit_pos_;
  // Checkpoint positions: units this reader finished, and those not yet seen by position().
  std::vector<FileUnitKey> done_;
  mutable std::vector<size_t> unreported_done_;
};

class FileSource final : public Source {
 public:
  FileSource(const std::string& uri, const Options& options) : uri_(uri), options_(options) {
    if (options_.has("changelog")) throw_not_supported("file source option 'changelog'");
    watch_ = options_.get_bool("watch", false);
    delete_after_read_ = options_.get_bool("delete_after_read", false);
    poll_interval_us_ = options_.get_duration_us("poll_interval", kDefaultPollIntervalUs);
    if (poll_interval_us_ < 1000) throw_user_error("option 'poll_interval' must be at least 1ms");
    fs_ = file_system_for(uri, options_);
    files_ = fs_->list(uri);
    if (files_.empty() && !watch_) throw_user_error("no files match '{}'", uri);
    if (auto f = options_.get("format")) {
      format_ = &format_by_name(*f);
    } else {
      const std::string& named = files_.empty() ? uri : files_[0].path;
      format_ = format_for_path(named);
      if (format_ == nullptr)
        throw_user_error(
            "cannot tell the format of '{}' from its extension; set format = '...' (known: {})",
            named, known_formats());
    }
    if (auto s = options_.get("schema")) {
      data_schema_ = parse_column_list(*s);
      declared_ = true;
    }
    if (files_.empty() && !declared_)
      throw_user_error(
          "no files match '{}' yet: watch = true over an empty prefix needs "
          "schema = '...'",
          uri);
    std::vector<std::string> paths;
    for (const FileInfo& f : files_) paths.push_back(f.path);
    hive_ = HivePartitioning::detect(paths, options_);
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
    selected_.assign(files_.size(), true);
  }

  SchemaPtr schema() const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (full_schema_) return full_schema_;
    if (!data_schema_) data_schema_ = union_of_file_schemas();
    std::vector<Field> fields = data_schema_->fields();
    for (const auto& f : fields)
      if (f.name.rfind("_metadata.", 0) == 0)
        throw_user_error("column '{}' of '{}' clashes with a file system column", f.name, uri_);
    // Partition columns follow the file's columns (as in DuckDB); a file column of the same
    // name wins (datasets written with write_partition_columns = true).
    partition_columns_.clear();
    for (size_t i = 0; i < hive_.columns().size(); ++i) {
      const Field& p = hive_.columns()[i];
      if (data_schema_->find(p.name) >= 0) continue;
      partition_columns_.push_back(static_cast<int>(i));
      fields.push_back(p);
    }
    fields.push_back({kFilenameColumn, DataType::string(), false});
    fields.push_back({kRowNumberColumn, DataType::int64(), false});
    fields.push_back({kModifiedColumn, DataType::timestamp(), false});
    full_schema_ = std::make_shared<const Schema>(std::move(fields));
    return full_schema_;
  }

  SourceCapabilities capabilities() const override {
    SourceCapabilities c;
    c.bounded = !watch_;
    c.projection_pushdown = true;
    c.predicate_pushdown = true;
    return c;
  }

  void apply(const ScanSpec& spec) override {
    spec_ = spec;
    schema();
    // Partition pruning: files whose folders contradict a predicate are never opened.
    selected_.assign(files_.size(), true);
    if (partition_columns_.empty()) return;
    for (size_t i = 0; i < files_.size(); ++i)
      selected_[i] = may_hold_rows(hive_.values_of(files_[i].path));
  }

  bool can_checkpoint() const override { return true; }

  void restore(const std::vector<std::string>& positions) override {
    for (const std::string& text : positions) {
      if (text.empty()) continue;
      FileReaderPosition p = FileReaderPosition::decode(text);
      for (FileUnitKey& k : p.done) {
        restored_offsets_.erase(k.id());
        restored_done_ids_.insert(k.id());
        restored_done_.push_back(std::move(k));
      }
      if (p.in_unit && !restored_done_ids_.count(p.current.id()))
        restored_offsets_[p.current.id()] = p.rows;
    }
  }

  std::vector<std::unique_ptr<SourceReader>> open(int parallelism) override {
    SchemaPtr full = schema();
    size_t ndata = data_schema_->size();
    size_t npart = partition_columns_.size();
    out_schema_ = output_schema();
    // Map the projection to the format's columns, partition columns and system columns.
    std::vector<int> proj = spec_.projection;
    if (proj.empty())
      for (size_t i = 0; i < full->size(); ++i) proj.push_back(static_cast<int>(i));
    format_spec_ = ScanSpec{};
    outputs_.clear();
    row_numbers_ = false;
    for (int idx : proj) {
      OutputColumn oc;
      if (idx < 0 || static_cast<size_t>(idx) >= full->size())
        throw_internal_error("projection index {} out of range", idx);
      size_t i = static_cast<size_t>(idx);
      if (i < ndata) {
        oc.kind = OutputColumn::Kind::kFormat;
        oc.index = static_cast<int>(format_spec_.projection.size());
        format_spec_.projection.push_back(idx);
      } else if (i < ndata + npart) {
        oc.kind = OutputColumn::Kind::kPartition;
        oc.index = partition_columns_[i - ndata];
      } else if (i == ndata + npart) {
        oc.kind = OutputColumn::Kind::kFilename;
      } else if (i == ndata + npart + 1) {
        oc.kind = OutputColumn::Kind::kRowNumber;
        row_numbers_ = true;
      } else {
        oc.kind = OutputColumn::Kind::kModified;
      }
      outputs_.push_back(oc);
    }
    // Only system or partition columns: the reader still has to count rows; read one column.
    if (format_spec_.projection.empty()) format_spec_.projection.push_back(0);
    for (const ScanPredicate& p : spec_.predicates)
      if (p.column >= 0 && static_cast<size_t>(p.column) < ndata)
        format_spec_.predicates.push_back(p);
    format_spec_.limit = spec_.limit;

    auto state = std::make_shared<ScanState>();
    state->restored_done = restored_done_;
    for (size_t i = 0; i < files_.size(); ++i) {
      state->seen_paths.insert(files_[i].path);
      if (!selected_[i]) continue;
      SourceFile f;
      f.info = files_[i];
      if (!declared_) f.schema = file_schemas_[i];
      if (hive_.enabled()) f.partition = hive_.values_of(f.info.path);
      add_file(state.get(), std::move(f));
    }
    state->next_poll = SteadyClock::now() + std::chrono::microseconds(poll_interval_us_);
    state_ = state;
    int n = std::max(1, std::min<int>(parallelism, static_cast<int>(state->units.size())));
    if (watch_) n = std::max(1, parallelism);
    std::vector<std::unique_ptr<SourceReader>> readers;
    for (int i = 0; i < n; ++i)
      readers.push_back(std::make_unique<FileSourceReader>(this, state, i));
    return readers;
  }

  std::string describe() const override {
    size_t selected = std::count(selected_.begin(), selected_.end(), true);
    std::string s =
        fmt::format("FileSource '{}' format={} files={}", uri_, format_->name(), selected);
    if (selected != files_.size()) s += fmt::format(" (of {}, pruned by partition)", files_.size());
    if (watch_) s += " watch";
    SchemaPtr full = full_schema_;
    if (!full) {
      try {
        full = schema();
      } catch (const Error&) {
      }
    }
    if (full && !partition_columns_.empty()) {
      s += " partitions=[";
      for (size_t i = 0; i < partition_columns_.size(); ++i)
        s += (i ? "," : "") + hive_.columns()[partition_columns_[i]].name;
      s += "]";
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
    p.total_bytes = watch_ ? -1 : total_bytes_;
    if (auto s = state_) {
      p.bytes_read = watch_ ? s->bytes.load() : std::min(s->bytes.load(), total_bytes_);
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
    if (!delete_after_read_ || !state_) return;
    std::vector<std::string> doomed;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      // Only what a checkpoint captured is committed downstream; without checkpoints (a bounded
      // job acknowledges once at the end) everything read so far is.
      std::vector<size_t>& units =
          state_->positions_taken ? state_->checkpointed_units : state_->finished_units;
      for (size_t u : units) {
        SourceFile& f = state_->files[state_->units[u].file];
        if (++f.units_acknowledged == f.units && !f.deleted) {
          f.deleted = true;
          doomed.push_back(f.info.path);
        }
      }
      units.clear();
      state_->finished_units.clear();
      for (std::string& p : state_->restored_finished_files) doomed.push_back(std::move(p));
      state_->restored_finished_files.clear();
    }
    for (const std::string& p : doomed) fs_->remove(p);
  }

  /// Files opened for reading so far (tests: partition pruning never opens a pruned file).
  int64_t files_opened() const { return state_ ? state_->files_opened.load() : 0; }

 private:
  friend class FileSourceReader;

  bool may_hold_rows(const std::vector<Value>& all_partition_values) const {
    // Predicates index the source schema: partition column j sits at ndata + j.
    std::vector<Value> shown;
    for (int c : partition_columns_) shown.push_back(all_partition_values[c]);
    return HivePartitioning::may_match(shown, spec_.predicates,
                                       static_cast<int>(data_schema_->size()));
  }

  // Splits a file into work units (skipping what an earlier run finished). Caller holds no lock
  // on `state` or owns it exclusively.
  void add_file(ScanState* state, SourceFile f) {
    size_t index = state->files.size();
    bool split = format_->splittable() && !row_numbers_ && f.info.size > split_bytes_ &&
                 codec_for(f.info.path) == Compression::kNone;
    std::vector<WorkUnit> units;
    if (!split) {
      units.push_back(WorkUnit{index, 0, -1, f.info.size, 0});
    } else {
      for (int64_t b = 0; b < f.info.size; b += split_bytes_) {
        int64_t e = std::min(f.info.size, b + split_bytes_);
        units.push_back(WorkUnit{index, b, e == f.info.size ? -1 : e, e - b, 0});
      }
    }
    size_t kept = 0;
    for (WorkUnit& u : units) {
      std::string id = FileUnitKey{f.info.path, u.begin}.id();
      if (restored_done_ids_.count(id)) continue;
      auto off = restored_offsets_.find(id);
      if (off != restored_offsets_.end()) u.skip_rows = off->second;
      state->units.push_back(u);
      ++kept;
    }
    if (kept == 0 && delete_after_read_) state->restored_finished_files.push_back(f.info.path);
    f.units = kept;
    state->files.push_back(std::move(f));
  }

  // watch: lists the prefix again and queues files not seen before.
  void poll(ScanState* state) const {
    std::vector<FileInfo> listed = fs_->list(uri_);
    std::vector<FileInfo> fresh;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      for (FileInfo& f : listed)
        if (state->seen_paths.insert(f.path).second) fresh.push_back(std::move(f));
    }
    for (FileInfo& info : fresh) {
      SourceFile f;
      f.info = std::move(info);
      if (hive_.enabled()) {
        f.partition = hive_.values_of(f.info.path);
        if (!partition_columns_.empty() && !may_hold_rows(f.partition)) continue;
      }
      if (!declared_) f.schema = format_->infer_schema(fs_->open_read(f.info.path), options_);
      std::lock_guard<std::mutex> lock(state->mu);
      const_cast<FileSource*>(this)->add_file(state, std::move(f));
    }
  }

  /// The schema `file` is read with: the source's for a declared schema; else the file's own
  /// inferred schema (the CSV header may order or name columns differently).
  SchemaPtr file_schema(const SourceFile& file) const {
    if (declared_ || !file.schema) return data_schema_;
    return file.schema;
  }

  SchemaPtr union_of_file_schemas() const {
    return union_of_file_schemas_by_name(*format_, *fs_, files_, options_, uri_, &file_schemas_);
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
  std::vector<FileInfo> files_;  // the listing at creation
  std::vector<bool> selected_;   // files_ that survive partition pruning
  Format* format_ = nullptr;
  HivePartitioning hive_;
  OnError on_error_ = OnError::kFail;
  std::unique_ptr<DeadLetterQueue> dlq_;
  int64_t split_bytes_ = kDefaultSplitBytes;
  int64_t total_bytes_ = 0;
  bool watch_ = false;
  bool delete_after_read_ = false;
  int64_t poll_interval_us_ = kDefaultPollIntervalUs;

  mutable std::mutex mu_;
  mutable SchemaPtr data_schema_;
  mutable SchemaPtr full_schema_;
  mutable std::vector<int> partition_columns_;  // hive_ columns in the schema (no name clash)
  bool declared_ = false;
  // Inferred schemas: every file's own, matched to the source's columns by name.
  mutable std::vector<SchemaPtr> file_schemas_;

  // Set by restore().
  std::vector<FileUnitKey> restored_done_;
  std::unordered_set<std::string> restored_done_ids_;
  std::unordered_map<std::string, int64_t> restored_offsets_;

  // Set by open().
  SchemaPtr out_schema_;
  ScanSpec format_spec_;
  std::vector<OutputColumn> outputs_;
  bool row_numbers_ = false;
  std::shared_ptr<ScanState> state_;
};

FileSourceReader::FileSourceReader(const FileSource* source, std::shared_ptr<ScanState> state,
                                   int index)
    : source_(source), state_(std::move(state)), index_(index) {}

std::string FileSourceReader::position() const {
  FileReaderPosition p;
  if (index_ == 0) p.done = state_->restored_done;
  p.done.insert(p.done.end(), done_.begin(), done_.end());
  if (unit_ != nullptr) {
    p.in_unit = true;
    p.current = FileUnitKey{file_->info.path, unit_->begin};
    p.rows = row_number_;
  }
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->positions_taken = true;
  state_->checkpointed_units.insert(state_->checkpointed_units.end(), unreported_done_.begin(),
                                    unreported_done_.end());
  unreported_done_.clear();
  return p.encode();
}

PollStatus FileSourceReader::wait_for_files(Deadline deadline) {
  if (!source_->watch_) return PollStatus::kEnd;
  SteadyClock::time_point due;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    due = state_->next_poll;
  }
  if (SteadyClock::now() < due) {
    if (deadline < due) {
      std::this_thread::sleep_until(deadline);
      return PollStatus::kNothingYet;
    }
    std::this_thread::sleep_until(due);
  }
  std::unique_lock<std::mutex> poller(state_->poll_mu, std::try_to_lock);
  if (poller.owns_lock()) {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      if (SteadyClock::now() < state_->next_poll) return PollStatus::kNothingYet;
    }
    source_->poll(state_.get());
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->next_poll = SteadyClock::now() + std::chrono::microseconds(source_->poll_interval_us_);
  }
  return PollStatus::kNothingYet;
}

bool FileSourceReader::open_next_unit() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->next_unit >= state_->units.size()) return false;
    unit_index_ = state_->next_unit++;
    unit_ = &state_->units[unit_index_];
    file_ = &state_->files[unit_->file];
  }
  const FileInfo& info = file_->info;
  row_number_ = 0;
  skip_rows_ = unit_->skip_rows;
  unit_bytes_reported_ = 0;
  unit_rejected_reported_ = 0;
  FormatReadRequest req;
  req.file = source_->fs_->open_read(info.path);
  state_->files_opened.fetch_add(1);
  SchemaPtr own = source_->file_schema(*file_);
  const ScanSpec& base = source_->format_spec_;
  unit_pos_.clear();
  if (own == source_->data_schema_ || *own == *source_->data_schema_) {
    req.schema = source_->data_schema_;
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
  done_.push_back(FileUnitKey{file_->info.path, unit_->begin});
  unreported_done_.push_back(unit_index_);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->finished_units.push_back(unit_index_);
  }
  unit_ = nullptr;
  file_ = nullptr;
}

PollStatus FileSourceReader::next(Batch* out, Deadline deadline) {
  const int64_t limit = source_->spec_.limit;
  for (;;) {
    if (limit >= 0 && state_->rows.load() >= limit) {
      if (reader_) finish_unit();
      return PollStatus::kEnd;
    }
    if (!reader_ && !open_next_unit()) {
      PollStatus s = wait_for_files(deadline);
      if (s == PollStatus::kNothingYet) {
        std::lock_guard<std::mutex> lock(state_->mu);
        if (state_->next_unit < state_->units.size()) continue;  // the poll found files
      }
      return s;
    }
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
    if (skip_rows_ > 0) {  // resuming: an earlier run returned these rows already
      int64_t drop = std::min<int64_t>(skip_rows_, static_cast<int64_t>(in.num_rows));
      skip_rows_ -= drop;
      row_number_ += drop;
      if (drop == static_cast<int64_t>(in.num_rows)) continue;
      in = slice(in, static_cast<size_t>(drop), in.num_rows - static_cast<size_t>(drop));
    }
    size_t n = in.num_rows;
    std::vector<ColumnPtr> cols;
    cols.reserve(source_->outputs_.size());
    for (const OutputColumn& oc : source_->outputs_) {
      switch (oc.kind) {
        case OutputColumn::Kind::kFormat: {
          int pos = unit_pos_[oc.index];
          if (pos >= 0) {
            cols.push_back(in.columns[pos]);
          } else {
            DataType t = source_->out_schema_->field(cols.size()).type;
            cols.push_back(Column::constant(Value::null(t), n));
          }
          break;
        }
        case OutputColumn::Kind::kPartition:
          cols.push_back(Column::constant(file_->partition[oc.index], n));
          break;
        case OutputColumn::Kind::kFilename: {
          auto c = Column::make(DataType::string());
          c->reserve(n);
          for (size_t r = 0; r < n; ++r) c->append_string(file_->info.path);
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
          for (size_t r = 0; r < n; ++r) v[r] = file_->info.modified_us;
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

int64_t file_source_files_opened(const Source& source) {
  const auto* f = dynamic_cast<const FileSource*>(&source);
  return f ? f->files_opened() : -1;
}

}  // namespace velo
