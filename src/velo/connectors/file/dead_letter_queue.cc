#include "velo/connectors/file/dead_letter_queue.h"

#include <random>

#include "velo/connectors/registry.h"
#include "velo/formats/compression/compression.h"
#include "velo/fs/file_system.h"

namespace velo {

namespace {

bool is_file_uri_scheme(const std::string& uri) {
  std::string s = uri_scheme(uri);
  return s == "file" || s == "s3" || s == "gs" || s == "gcs" || s == "azure" || s == "abfs" ||
         s == "az";
}

}  // namespace

void DeadLetterQueue::add(const RejectedRecord& r, const std::string& fallback_file) {
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

void DeadLetterQueue::commit() {
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

void DeadLetterQueue::abort() noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_ && !committed_) stream_->abort();
  stream_.reset();
  pending_.clear();
  raw_.clear();
}

}  // namespace velo
