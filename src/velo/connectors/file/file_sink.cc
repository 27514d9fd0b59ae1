#include <chrono>
#include <functional>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "velo/connectors/file/file_connector.h"
#include "velo/connectors/file/partition_splitter.h"
#include "velo/connectors/file/partition_writer.h"
#include "velo/connectors/file/pending_file.h"
#include "velo/connectors/file/rolling_policy.h"
#include "velo/connectors/file/sink_layout.h"
#include "velo/formats/compression/compression.h"
#include "velo/formats/format.h"
#include "velo/fs/file_system.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo {

namespace {

constexpr int64_t kDefaultMaxOpenFiles = 64;
// Files one commit publishes at once (object stores: a request each).
constexpr size_t kCommitConcurrency = 8;
constexpr const char* kCannotRoll =
    "a single-file sink cannot roll; INTO a directory ending in '/'";

// Formats that compress inside the file (the `compression` option is theirs).
bool compresses_internally(const Format& f) {
  std::string n = f.name();
  return n == "parquet" || n == "avro" || n == "orc";
}

std::string instance_id() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class FileSink final : public Sink {
 public:
  FileSink(const std::string& uri, const Options& options, std::function<int64_t()> now_us)
      : uri_(uri), options_(options), now_us_(std::move(now_us)) {
    if (options_.has("changelog")) throw_not_supported("file sink option 'changelog'");
    if (!now_us_) now_us_ = &wall_clock_us;
    fs_ = file_system_for(uri, options_);
    layout_ = SinkLayout::parse(uri, options_.get_string("partition_by", ""));
    choose_format();
    rolling_ = RollingPolicy::from_options(options_);
    max_open_files_ = options_.get_int("max_open_files", kDefaultMaxOpenFiles);
    if (max_open_files_ < 1) throw_user_error("option 'max_open_files' must be at least 1");
    write_partition_columns_ = options_.get_bool("write_partition_columns", false);
    time_column_name_ = options_.get_string("time_column", "");
    std::string time_source = Options::lower(options_.get_string("time_source", "event"));
    if (time_source == "processing") {
      processing_time_ = true;
      if (!time_column_name_.empty())
        throw_user_error("time_source = 'processing' takes no time_column");
    } else if (time_source != "event") {
      throw_user_error("option 'time_source' must be 'event' or 'processing', got '{}'",
                       time_source);
    }
    if (layout_.uses_time() && !processing_time_ && time_column_name_.empty())
      throw_user_error(
          "INTO '{}': time placeholders need time_column = '<TIMESTAMP or DATE column>' or "
          "time_source = 'processing'",
          uri);
    if (layout_.kind != SinkLayout::Kind::kGenerated && rolling_.rolls())
      throw_user_error(
          "INTO '{}': batch_size / target_file_size / batch_timeout roll files, but {}", uri,
          kCannotRoll);
    format_->declare_options(options_);
    options_.check_all_used(format_->name() + " file sink");
    settings_.format = format_;
    settings_.options = &options_;
    settings_.codec = codec_;
    settings_.level = level_;
  }

  ~FileSink() override { abort(); }

  void open(SchemaPtr schema) override {
    schema_ = std::move(schema);
    key_columns_ = layout_.directory.bind(*schema_);
    for (int c : layout_.name.bind(*schema_)) key_columns_.push_back(c);
    std::vector<bool> in_files(schema_->size(), true);
    for (const std::string& name : layout_.partition_by) {
      int c = schema_->find(name);
      if (c < 0) throw_user_error("partition_by: no column '{}' in the query's output", name);
      const DataType& t = schema_->field(c).type;
      if (t.id() == TypeId::kStruct || t.id() == TypeId::kList || t.id() == TypeId::kMap)
        throw_user_error("partition_by: a {} column cannot name a folder", t.to_string());
      hive_columns_.push_back(c);
      key_columns_.push_back(c);
      if (!write_partition_columns_) in_files[c] = false;
    }
    if (!time_column_name_.empty()) {
      time_column_ = schema_->find(time_column_name_);
      if (time_column_ < 0)
        throw_user_error("time_column: no column '{}' in the query's output", time_column_name_);
      TypeId t = schema_->field(time_column_).type.id();
      if (t != TypeId::kTimestamp && t != TypeId::kDate)
        throw_user_error("time_column '{}' must be a TIMESTAMP or DATE, not {}", time_column_name_,
                         schema_->field(time_column_).type.to_string());
    }
    std::vector<Field> fields;
    for (size_t c = 0; c < schema_->size(); ++c) {
      if (!in_files[c]) continue;
      file_columns_.push_back(static_cast<int>(c));
      fields.push_back(schema_->field(c));
    }
    if (fields.empty())
      throw_user_error("INTO '{}': partition_by takes every column, nothing is left for the files",
                       uri_);
    file_schema_ = std::make_shared<const Schema>(std::move(fields));
    // A single file exists even when no row arrives (as a bounded query always wrote it).
    if (layout_.kind == SinkLayout::Kind::kSingleFile) open_writer(uri_, uri_);
  }

  void write(const Batch& batch) override {
    if (!schema_) throw_internal_error("file sink '{}' written before open()", uri_);
    if (!batch.append_only())
      throw_user_error(
          "INTO '{}': a file sink takes only inserted rows, but the query produces updates or "
          "deletes (a changelog); write it to a changelog sink such as Kafka, or aggregate over "
          "a bounded input",
          uri_);
    if (batch.num_rows == 0) return;
    int64_t now = now_us_();
    close_expired(now);
    rows_ += static_cast<int64_t>(batch.num_rows);
    Batch file_rows(file_schema_, {}, batch.num_rows);
    for (int c : file_columns_) file_rows.columns.push_back(batch.columns[c]);
    if (!layout_.partitioned()) {
      route(partition_key_for(batch, 0, 0, false), file_rows, now);
      return;
    }
    const int64_t* buckets = nullptr;
    if (layout_.uses_time()) buckets = time_buckets(batch, now);
    splitter_.split(batch, key_columns_, buckets);
    for (size_t g = 0; g < splitter_.num_groups(); ++g) {
      const PartitionSplitter::Group& group = splitter_.group(g);
      uint32_t r = group.first_row;
      std::string key = partition_key_for(batch, r, row_time(batch, r, now), time_null(batch, r));
      if (group.rows.size() == batch.num_rows) {
        route(key, file_rows, now);
      } else {
        route(key, gather(file_rows, group.rows.data(), group.rows.size()), now);
      }
    }
  }

  std::string prepare() override {
    if (!schema_) throw_internal_error("file sink '{}' prepared before open()", uri_);
    if (layout_.kind == SinkLayout::Kind::kGenerated && !layout_.partitioned() && !ever_opened_) {
      // An empty result still leaves a (header-only) file, so the directory reads back.
      std::string folder = partition_key_for(Batch{}, 0, 0, false);
      open_writer(folder, next_file_name(folder));
    }
    while (!open_.empty()) close_writer(open_.begin());
    for (PendingFile& f : pending_) f.token = f.stream->pending_token();
    std::string handle = encode_sink_handle(pending_);
    for (PendingFile& f : pending_) prepared_[f.path] = std::move(f);
    pending_.clear();
    ++checkpoint_;
    return handle;
  }

  void commit(const std::string& handle) override {
    std::vector<PendingFile> files = decode_sink_handle(handle);
    std::vector<std::function<void()>> steps;
    for (const PendingFile& f : files) {
      if (committed_.count(f.path)) continue;
      auto it = prepared_.find(f.path);
      if (it != prepared_.end()) {
        steps.push_back([stream = it->second.stream.get()] { stream->commit(); });
      } else {
        // Recovery: prepared by an earlier process.
        steps.push_back([this, &f] { commit_prepared_file(*fs_, f); });
      }
    }
    // On a failure nothing is marked: committing again repeats only idempotent steps.
    publish_concurrently(steps, kCommitConcurrency);
    for (const PendingFile& f : files) {
      prepared_.erase(f.path);
      committed_.insert(f.path);
    }
  }

  void abort() noexcept override {
    for (auto& [key, w] : open_) w->abort();
    open_.clear();
    for (PendingFile& f : pending_) f.stream->abort();
    pending_.clear();
    for (auto& [path, f] : prepared_) f.stream->abort();
    prepared_.clear();
  }

  std::string describe() const override {
    std::string s = fmt::format("FileSink '{}' format={}", uri_, format_->name());
    if (codec_ != Compression::kNone)
      s += fmt::format(" compression={}", compression_suffix(codec_) + 1);
    if (!layout_.partition_by.empty()) {
      s += " partition_by=[";
      for (size_t i = 0; i < layout_.partition_by.size(); ++i)
        s += (i ? "," : "") + layout_.partition_by[i];
      s += "]";
    }
    if (rolling_.max_rows > 0) s += fmt::format(" batch_size={}", rolling_.max_rows);
    if (rolling_.max_bytes > 0) s += fmt::format(" target_file_size={}", rolling_.max_bytes);
    if (rolling_.max_age_us > 0) s += fmt::format(" batch_timeout={}us", rolling_.max_age_us);
    return s;
  }

  int64_t rows_written() const override { return rows_; }

 private:
  using WriterMap = std::unordered_map<std::string, std::unique_ptr<PartitionWriter>>;

  void choose_format() {
    std::string format_name;
    bool generated = layout_.kind == SinkLayout::Kind::kGenerated;
    std::string named = generated ? layout_.name_suffix : uri_;
    if (auto f = options_.get("format")) {
      format_ = &format_by_name(*f);
      format_name = Options::lower(*f);
    } else if (!named.empty()) {
      format_ = format_for_path("x" + named.substr(named.find_last_of('/') + 1));
      if (format_ == nullptr) {
        std::string known;
        for (const auto& n : format_names()) known += (known.empty() ? "" : ", ") + n;
        throw_user_error(
            "cannot tell the format of '{}' from its extension; set format = '...' (known: {})",
            uri_, known);
      }
    } else {
      throw_user_error("INTO '{}' writes a directory: set format = '...'", uri_);
    }
    if (!compresses_internally(*format_)) {
      if (auto c = options_.get("compression"))
        codec_ = compression_by_name(*c, uri_);
      else
        codec_ = compression_for_path(named.empty() ? uri_ : "x" + named);
      level_ = static_cast<int>(options_.get_int("compression_level", -1));
    }
    if (generated && layout_.name_suffix.empty()) {
      if (format_name.empty()) format_name = format_->name();
      extension_ = "." + format_name + compression_suffix(codec_);
    }
  }

  // The time of row `r` in µs: the time column (DATE at midnight) or the write's processing time.
  int64_t row_time(const Batch& batch, uint32_t r, int64_t now) const {
    if (time_column_ < 0) return now;
    const Column& c = *batch.columns[time_column_];
    if (c.type().id() == TypeId::kDate)
      return static_cast<int64_t>(c.value<int32_t>(r)) * temporal::kMicrosPerDay;
    return c.value<int64_t>(r);
  }
  bool time_null(const Batch& batch, uint32_t r) const {
    return time_column_ >= 0 && batch.columns[time_column_]->is_null(r);
  }

  // Per-row time buckets at the finest granularity the templates print.
  const int64_t* time_buckets(const Batch& batch, int64_t now) {
    int64_t unit = temporal::kMicrosPerDay;
    if (layout_.granularity() == TimeGranularity::kHour) unit = 3600 * temporal::kMicrosPerSecond;
    if (layout_.granularity() == TimeGranularity::kMinute) unit = 60 * temporal::kMicrosPerSecond;
    auto floor_div = [unit](int64_t t) { return t / unit - (t % unit < 0 ? 1 : 0); };
    buckets_.resize(batch.num_rows);
    if (time_column_ < 0) {
      std::fill(buckets_.begin(), buckets_.end(), floor_div(now));
      return buckets_.data();
    }
    const Column& c = *batch.columns[time_column_];
    if (c.type().id() == TypeId::kDate) {
      const int32_t* v = c.values<int32_t>();
      for (size_t r = 0; r < batch.num_rows; ++r)
        buckets_[r] = floor_div(static_cast<int64_t>(v[r]) * temporal::kMicrosPerDay);
    } else {
      const int64_t* v = c.values<int64_t>();
      for (size_t r = 0; r < batch.num_rows; ++r) buckets_[r] = floor_div(v[r]);
    }
    if (c.has_validity())
      for (size_t r = 0; r < batch.num_rows; ++r)
        if (c.is_null(r)) buckets_[r] = INT64_MIN;
    return buckets_.data();
  }

  // The folder (and, for fixed names, the file) rows like row `r` go to.
  std::string partition_key_for(const Batch& batch, uint32_t r, int64_t time, bool null_time) {
    if (layout_.kind == SinkLayout::Kind::kSingleFile) return uri_;
    std::string key;
    layout_.directory.render(batch, r, time, null_time, &key);
    std::string value;
    for (size_t i = 0; i < hive_columns_.size(); ++i) {
      value.clear();
      append_path_value(*batch.columns[hive_columns_[i]], r, &value);
      key += escape_partition_value(layout_.partition_by[i]);
      key += '=';
      key += escape_partition_value(value);
      key += '/';
    }
    if (layout_.kind == SinkLayout::Kind::kFixedNames)
      layout_.name.render(batch, r, time, null_time, &key);
    return key;
  }

  std::string next_file_name(const std::string& folder) {
    return fmt::format("{}{}part-{:05}-{}-{:05}{}{}", folder, layout_.name_prefix, seq_++,
                       instance_, checkpoint_, layout_.name_suffix, extension_);
  }

  // Writes rows of one partition, rolling files as the policy says.
  void route(const std::string& key, const Batch& rows, int64_t now) {
    size_t offset = 0;
    while (offset < rows.num_rows) {
      PartitionWriter& w = writer_for(key);
      w.last_use = ++use_clock_;
      size_t take =
          std::min<size_t>(rows.num_rows - offset,
                           static_cast<size_t>(std::max<int64_t>(1, rolling_.room(w.rows()))));
      if (offset == 0 && take == rows.num_rows)
        w.write(rows);
      else
        w.write(slice(rows, offset, take));
      offset += take;
      if (rolling_.full(w.rows(), w.bytes(), now - w.opened_us())) close_writer(open_.find(key));
    }
  }

  PartitionWriter& writer_for(const std::string& key) {
    auto it = open_.find(key);
    if (it != open_.end()) return *it->second;
    if (layout_.kind == SinkLayout::Kind::kSingleFile)
      throw_user_error("INTO '{}': rows arrived after a checkpoint: {}", uri_, kCannotRoll);
    std::string path = layout_.kind == SinkLayout::Kind::kFixedNames ? key : next_file_name(key);
    if (layout_.kind == SinkLayout::Kind::kFixedNames && !fixed_names_used_.insert(key).second)
      throw_user_error(
          "INTO '{}': '{}' would need a second file (after a checkpoint or max_open_files): {}",
          uri_, key, kCannotRoll);
    if (static_cast<int64_t>(open_.size()) >= max_open_files_) close_least_recently_used();
    return open_writer(key, path);
  }

  PartitionWriter& open_writer(const std::string& key, const std::string& path) {
    ever_opened_ = true;
    auto w = std::make_unique<PartitionWriter>(*fs_, path, settings_, file_schema_, now_us_());
    PartitionWriter& ref = *w;
    open_[key] = std::move(w);
    return ref;
  }

  void close_writer(WriterMap::iterator it) {
    pending_.push_back(it->second->finish());
    open_.erase(it);
  }

  void close_least_recently_used() {
    auto oldest = open_.begin();
    for (auto it = open_.begin(); it != open_.end(); ++it)
      if (it->second->last_use < oldest->second->last_use) oldest = it;
    close_writer(oldest);
  }

  void close_expired(int64_t now) {
    if (!rolling_.expired(INT64_MAX)) return;
    for (auto it = open_.begin(); it != open_.end();) {
      auto next = std::next(it);
      if (rolling_.expired(now - it->second->opened_us())) close_writer(it);
      it = next;
    }
  }

  std::string uri_;
  Options options_;
  std::function<int64_t()> now_us_;
  std::shared_ptr<FileSystem> fs_;
  SinkLayout layout_;
  Format* format_ = nullptr;
  Compression codec_ = Compression::kNone;
  int level_ = -1;
  std::string extension_;  // directory URIs: "." + format (+ compression suffix)
  FileWriteSettings settings_;
  RollingPolicy rolling_;
  int64_t max_open_files_ = kDefaultMaxOpenFiles;
  bool write_partition_columns_ = false;
  std::string time_column_name_;
  bool processing_time_ = false;
  std::string instance_ = instance_id();

  // Set by open().
  SchemaPtr schema_;
  SchemaPtr file_schema_;
  std::vector<int> file_columns_;  // input columns the files hold
  std::vector<int> key_columns_;   // template and partition_by columns
  std::vector<int> hive_columns_;  // partition_by columns, in option order
  int time_column_ = -1;

  PartitionSplitter splitter_;
  std::vector<int64_t> buckets_;
  WriterMap open_;                    // by partition folder (fixed names: by path)
  std::vector<PendingFile> pending_;  // finished since the last prepare()
  std::unordered_map<std::string, PendingFile> prepared_;  // handed out, not yet committed
  std::unordered_set<std::string> committed_;
  std::unordered_set<std::string> fixed_names_used_;
  uint64_t use_clock_ = 0;
  int64_t seq_ = 0;
  int64_t checkpoint_ = 0;
  int64_t rows_ = 0;
  bool ever_opened_ = false;
};

}  // namespace

std::unique_ptr<Sink> make_file_sink(const std::string& uri, const Options& options) {
  return std::make_unique<FileSink>(uri, options, nullptr);
}

std::unique_ptr<Sink> make_file_sink(const std::string& uri, const Options& options,
                                     std::function<int64_t()> now_us) {
  return std::make_unique<FileSink>(uri, options, std::move(now_us));
}

}  // namespace velo
