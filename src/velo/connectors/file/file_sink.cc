#include <random>

#include "velo/connectors/file/file_connector.h"
#include "velo/formats/compression/compression.h"
#include "velo/formats/format.h"
#include "velo/fs/file_system.h"
#include "velo/types/error.h"

namespace velo {

namespace {

// Formats that compress inside the file (the `compression` option is theirs).
bool compresses_internally(const Format& f) {
  std::string n = f.name();
  return n == "parquet" || n == "avro" || n == "orc";
}

std::string job_id() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

class FileSink final : public Sink {
 public:
  FileSink(const std::string& uri, const Options& options) : uri_(uri), options_(options) {
    if (options_.has("changelog")) throw_not_supported("file sink option 'changelog'");
    fs_ = file_system_for(uri, options_);
    bool directory = !uri.empty() && uri.back() == '/';
    std::string format_name;
    if (auto f = options_.get("format")) {
      format_ = &format_by_name(*f);
      format_name = Options::lower(*f);
    } else if (!directory) {
      format_ = format_for_path(uri);
      if (format_ == nullptr) {
        std::string known;
        for (const auto& n : format_names()) known += (known.empty() ? "" : ", ") + n;
        throw_user_error(
            "cannot tell the format of '{}' from its extension; set format = '...' (known: {})",
            uri, known);
      }
    } else {
      throw_user_error("INTO '{}' writes a directory: set format = '...'", uri);
    }
    if (!compresses_internally(*format_)) {
      if (auto c = options_.get("compression"))
        codec_ = compression_by_name(*c, uri);
      else
        codec_ = compression_for_path(uri);
      level_ = static_cast<int>(options_.get_int("compression_level", -1));
    }
    format_->declare_options(options_);
    options_.check_all_used(format_->name() + " file sink");
    if (directory) {
      if (format_name.empty()) format_name = format_->name();
      path_ = fmt::format("{}part-00000-{}.{}{}", uri, job_id(), format_name,
                          compression_suffix(codec_));
    } else {
      path_ = uri;
    }
  }

  ~FileSink() override {
    if (!committed_) abort();
  }

  void open(SchemaPtr schema) override {
    schema_ = std::move(schema);
    stream_ = compressing_stream(fs_->open_write(path_), codec_, level_);
    writer_ = format_->open_writer(stream_.get(), schema_, options_);
  }

  void write(const Batch& batch) override {
    if (!writer_) throw_internal_error("file sink '{}' written before open()", path_);
    if (!batch.append_only())
      throw_user_error(
          "INTO '{}': a file sink takes only inserted rows, but the query produces updates or "
          "deletes (a changelog); write it to a changelog sink such as Kafka, or aggregate over "
          "a bounded input",
          uri_);
    writer_->write(batch);
    rows_ += static_cast<int64_t>(batch.num_rows);
  }

  std::string prepare() override {
    if (!writer_) throw_internal_error("file sink '{}' prepared before open()", path_);
    if (!finished_) {
      writer_->finish();
      finished_ = true;
    }
    stream_->prepare();
    return path_;
  }

  void commit(const std::string&) override {
    if (committed_) return;
    if (!finished_) prepare();
    stream_->commit();
    committed_ = true;
  }

  void abort() noexcept override {
    if (committed_) return;
    writer_.reset();
    if (stream_) stream_->abort();
    stream_.reset();
  }

  std::string describe() const override {
    std::string s = fmt::format("FileSink '{}' format={}", path_, format_->name());
    if (codec_ != Compression::kNone)
      s += fmt::format(" compression={}", compression_suffix(codec_) + 1);
    return s;
  }

  int64_t rows_written() const override { return rows_; }

 private:
  std::string uri_;
  std::string path_;
  Options options_;
  std::shared_ptr<FileSystem> fs_;
  Format* format_ = nullptr;
  Compression codec_ = Compression::kNone;
  int level_ = -1;
  SchemaPtr schema_;
  std::unique_ptr<OutputStream> stream_;
  std::unique_ptr<FormatWriter> writer_;
  int64_t rows_ = 0;
  bool finished_ = false;
  bool committed_ = false;
};

}  // namespace

std::unique_ptr<Sink> make_file_sink(const std::string& uri, const Options& options) {
  return std::make_unique<FileSink>(uri, options);
}

}  // namespace velo
