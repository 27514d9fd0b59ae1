#include "velo/runtime/job.h"

#include <fmt/format.h>

namespace velo {

Job::Job(SchemaPtr schema, OperatorPtr root, std::vector<std::unique_ptr<Sink>> sinks,
         std::vector<std::shared_ptr<Source>> sources, std::unique_ptr<StreamContext> context)
    : schema_(std::move(schema)),
      context_(std::move(context)),
      root_(std::move(root)),
      sinks_(std::move(sinks)),
      sources_(std::move(sources)) {}

Job::~Job() {
  root_.reset();  // stop worker threads before the sinks go
  if (!finished_) {
    for (auto& s : sinks_) s->abort();
    for (auto& s : side_sinks_) s->sink->abort();
  }
}

std::function<void(const Batch&)> Job::add_side_sink(std::unique_ptr<Sink> sink) {
  side_sinks_.push_back(std::make_unique<SideSink>(SideSink{std::move(sink), false}));
  SideSink* side = side_sinks_.back().get();
  return [side](const Batch& b) {
    if (!side->opened) {
      side->sink->open(b.schema);
      side->opened = true;
    }
    side->sink->write(b);
  };
}

bool Job::step() {
  if (finished_) return false;
  try {
    Batch b;
    while (root_->next(&b)) {
      if (b.num_rows > 0) {
        rows_out_ += static_cast<int64_t>(b.num_rows);
        rows_counter_ = rows_out_;
        if (sinks_.empty()) {
          results_.push_back(std::move(b));
        } else {
          for (auto& sink : sinks_) sink->write(b);
        }
      }
      bool drained = b.drained;
      b = Batch();
      if (drained) return true;
    }
    finish();
    return false;
  } catch (...) {
    failed_ = true;
    for (auto& sink : sinks_) sink->abort();
    for (auto& s : side_sinks_) s->sink->abort();
    finished_ = true;
    throw;
  }
}

void Job::finish() {
  // Two-phase publish: everything durable first, then everything visible.
  std::vector<Sink*> all;
  for (auto& sink : sinks_) all.push_back(sink.get());
  for (auto& s : side_sinks_)
    if (s->opened) all.push_back(s->sink.get());
  std::vector<std::string> handles;
  for (Sink* sink : all) handles.push_back(sink->prepare());
  for (size_t i = 0; i < all.size(); ++i) all[i]->commit(handles[i]);
  for (auto& src : sources_) src->acknowledge();
  finished_ = true;
}

void Job::run_to_end() {
  while (step()) {
  }
}

std::string Job::late_summary() const {
  std::string out;
  auto add = [&](int64_t n, const char* what) {
    if (n > 0) out += fmt::format("{}{} {}", out.empty() ? "late rows: " : ", ", n, what);
  };
  add(context_->late_rows_dropped.load(), "dropped");
  add(context_->late_rows_updated.load(), "updated closed windows");
  add(context_->late_rows_dead_lettered.load(), "dead-lettered");
  return out;
}

}  // namespace velo
