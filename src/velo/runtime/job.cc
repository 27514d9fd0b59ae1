#include "velo/runtime/job.h"

#include <fmt/format.h>

#include <cstdio>

#include "velo/types/error.h"

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

std::vector<Sink*> Job::all_sinks() const {
  // Side sinks count only once opened; their order is stable (by creation).
  std::vector<Sink*> all;
  for (const auto& sink : sinks_) all.push_back(sink.get());
  for (const auto& s : side_sinks_) all.push_back(s->opened ? s->sink.get() : nullptr);
  return all;
}

void Job::enable_checkpoints(std::unique_ptr<CheckpointStore> store, int64_t interval_us) {
  CheckpointCoordinator* c = context_->checkpoints.get();
  if (!c) throw_internal_error("checkpoints enabled without a coordinator");
  if (!c->blocker().empty()) {
    checkpoints_off_reason_ = "not supported yet: " + c->blocker();
    // A warning, not an error: the job still runs, it just restarts from the beginning.
    fmt::print(stderr, "velo: warning: checkpoints are off for this job: not supported yet: {}\n",
               c->blocker());
    return;
  }
  store_ = std::move(store);
  checkpoint_interval_us_ = interval_us;
  last_checkpoint_time_ = std::chrono::steady_clock::now();
}

void Job::recover(const CheckpointData& restored) {
  // Every sink, side sinks too (not opened yet in this run: committing needs only the handle).
  std::vector<Sink*> all;
  for (const auto& sink : sinks_) all.push_back(sink.get());
  for (const auto& s : side_sinks_) all.push_back(s->sink.get());
  for (size_t i = 0; i < restored.sink_handles.size() && i < all.size(); ++i)
    if (!restored.sink_handles[i].empty()) all[i]->commit(restored.sink_handles[i]);
  last_checkpoint_id_ = restored.id;
}

bool Job::trigger_checkpoint() {
  if (!store_ || finished_) return false;
  if (pending_checkpoint_ == 0) {
    pending_checkpoint_ = last_checkpoint_id_ + 1;
    context_->checkpoints->request(pending_checkpoint_);
  }
  return true;
}

void Job::complete_checkpoint(int64_t id, bool job_ended) {
  CheckpointData data = context_->checkpoints->collect(id, job_ended);
  std::vector<Sink*> all = all_sinks();
  for (Sink* sink : all) data.sink_handles.push_back(sink ? sink->prepare() : std::string());
  store_->save(data);
  // From here the checkpoint is the truth: a failed commit must not discard what it prepared
  // (the restart commits it again), so the error path leaves the sinks alone.
  committing_ = true;
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i]) all[i]->commit(data.sink_handles[i]);
  committing_ = false;
  for (auto& src : sources_) src->acknowledge();
  pending_checkpoint_ = 0;
  last_checkpoint_id_ = id;
  ++checkpoints_completed_;
  last_checkpoint_time_ = std::chrono::steady_clock::now();
}

bool Job::step() {
  if (finished_) return false;
  try {
    Batch b;
    while (root_->next(&b)) {
      if (store_ && checkpoint_interval_us_ > 0 && pending_checkpoint_ == 0 &&
          std::chrono::steady_clock::now() - last_checkpoint_time_ >=
              std::chrono::microseconds(checkpoint_interval_us_))
        trigger_checkpoint();
      if (b.barrier && b.barrier == pending_checkpoint_) complete_checkpoint(b.barrier);
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
    if (!committing_) {
      for (auto& sink : sinks_) sink->abort();
      for (auto& s : side_sinks_) s->sink->abort();
    }
    finished_ = true;
    throw;
  }
}

void Job::finish() {
  if (store_) {
    // The end is a checkpoint too: every reader's last position, no operator state left, so
    // running the same job again resumes at the end instead of repeating its output.
    pending_checkpoint_ = last_checkpoint_id_ + 1;
    complete_checkpoint(pending_checkpoint_, /*job_ended=*/true);
    finished_ = true;
    return;
  }
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
