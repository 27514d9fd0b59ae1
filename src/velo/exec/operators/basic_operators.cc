#include "velo/exec/operators/basic_operators.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "velo/types/error.h"

namespace velo {

void ScanOperator::track_event_time(int column, const EventTimeSpec& spec, const Clock* clock) {
  event_time_column_ = column;
  watermarks_ = std::make_unique<WatermarkTracker>(spec.max_out_of_orderness, spec.idle_timeout, clock);
  watermarks_->set_partitions(reader_->partitions());
}

void ScanOperator::refresh_idle_partitions() {
  std::vector<int32_t> parts = reader_->partitions();
  watermarks_->update_partitions(parts);  // a rebalance may have changed them
  for (int32_t p : parts) watermarks_->set_idle(p, reader_->partition_idle(p));
}

void ScanOperator::enable_checkpoints(CheckpointCoordinator* checkpoints, int slot) {
  checkpoints_ = checkpoints;
  slot_ = slot;
}

bool ScanOperator::next(Batch* out) {
  if (checkpoints_) {
    int64_t requested = checkpoints_->requested();
    if (requested > last_barrier_) {
      // Between two reads: everything returned so far is before the position.
      last_barrier_ = requested;
      checkpoints_->record_position(slot_, requested, reader_->position());
      *out = Batch::empty(schema_);
      out->barrier = requested;
      return true;
    }
  }
  PollStatus s = reader_->next(out, std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
  if (s == PollStatus::kEnd) {
    // An ended reader's last position stands for every later checkpoint.
    if (checkpoints_) checkpoints_->record_position(slot_, -1, reader_->position());
    return false;
  }
  int32_t partition = out->partition;
  if (s == PollStatus::kBatch && out->num_rows > 0) {
    out->schema = schema_;
    out->drained = false;
    out->watermark = kNoWatermark;
    out->barrier = 0;
    if (watermarks_) {
      watermarks_->observe(partition, *out->columns[event_time_column_], out->num_rows);
      // Also while data flows: a partition that reached its end must not hold time back.
      refresh_idle_partitions();
      int64_t w = watermarks_->watermark();
      if (w > emitted_watermark_) out->watermark = emitted_watermark_ = w;
    }
    return true;
  }
  // Nothing for now: a heartbeat, so operators above can fire timers and the driver regains
  // control. Idleness may have let the watermark move.
  *out = Batch::empty(schema_);
  out->drained = true;
  if (watermarks_) {
    refresh_idle_partitions();
    int64_t w = watermarks_->watermark();
    if (w > emitted_watermark_) out->watermark = emitted_watermark_ = w;
  }
  return true;
}

bool FilterOperator::next(Batch* out) {
  Batch in;
  while (child_->next(&in)) {
    if (in.num_rows == 0) {
      *out = std::move(in);
      return true;
    }
    evaluator_.select(*predicate_, in, &selection_);
    if (selection_.empty()) {
      // Rows gone, but the time they carried must still reach the operators above.
      if (in.watermark == kNoWatermark) continue;
      *out = Batch::heartbeat(in.schema, in);
      return true;
    }
    if (selection_.size() == in.num_rows) {
      *out = std::move(in);
    } else {
      *out = gather(in, selection_.data(), selection_.size());
    }
    return true;
  }
  return false;
}

bool ProjectOperator::next(Batch* out) {
  Batch in;
  if (!child_->next(&in)) return false;
  if (in.num_rows == 0) {
    *out = Batch::heartbeat(schema_, in);
    return true;
  }
  Batch result;
  result.schema = schema_;
  result.num_rows = in.num_rows;
  result.watermark = in.watermark;
  result.partition = in.partition;
  result.columns.reserve(exprs_.size());
  for (const auto& e : exprs_) result.columns.push_back(evaluator_.evaluate(*e, in));
  result.row_kinds = std::move(in.row_kinds);
  *out = std::move(result);
  return true;
}

void LimitOperator::enable_checkpoints(CheckpointCoordinator* checkpoints, std::string key) {
  checkpoints_ = checkpoints;
  key_ = std::move(key);
  if (const std::string* saved = checkpoints_->restored_state(key_)) {
    ByteReader r(*saved, "LIMIT state in the checkpoint");
    limit_ = r.get<int64_t>();
    offset_ = r.get<int64_t>();
  }
}

bool LimitOperator::next(Batch* out) {
  Batch in;
  while (limit_ != 0 && child_->next(&in)) {
    if (in.num_rows == 0) {
      if (in.barrier && checkpoints_) {
        ByteWriter w;
        w.put<int64_t>(limit_);
        w.put<int64_t>(offset_);
        checkpoints_->record_state(key_, in.barrier, w.take());
      }
      *out = std::move(in);
      out->schema = schema_;
      return true;
    }
    size_t begin = 0;
    if (offset_ > 0) {
      size_t skip = std::min<size_t>(offset_, in.num_rows);
      offset_ -= skip;
      begin = skip;
      if (begin == in.num_rows) continue;
    }
    size_t take = in.num_rows - begin;
    if (limit_ >= 0) {
      take = std::min<size_t>(take, limit_);
      limit_ -= take;
    }
    *out = slice(in, begin, take);
    out->schema = schema_;
    return true;
  }
  return false;
}

bool UnionOperator::barrier_aligned() const {
  for (size_t i = 0; i < children_.size(); ++i)
    if (!done_[i] && !at_barrier_[i]) return false;
  return true;
}

bool UnionOperator::next(Batch* out) {
  while (true) {
    size_t live = 0;
    for (bool d : done_) live += d ? 0 : 1;
    if (barrier_ && barrier_aligned()) {
      // Every live child delivered the barrier: pass it on and read them all again.
      *out = Batch::empty(schema_);
      out->barrier = barrier_;
      barrier_ = 0;
      std::fill(at_barrier_.begin(), at_barrier_.end(), false);
      return true;
    }
    if (live == 0) return false;
    if (done_[current_] || at_barrier_[current_]) {
      current_ = (current_ + 1) % children_.size();
      continue;
    }
    size_t i = current_;
    if (!children_[i]->next(out)) {
      done_[i] = true;
      children_[i].reset();  // release the finished child's resources early
      int64_t w = watermarks_.finish(i);
      if (w != kNoWatermark && live > 1) {
        *out = Batch::empty(schema_);
        out->watermark = w;
        return true;
      }
      continue;
    }
    out->schema = schema_;
    out->watermark = watermarks_.update(i, out->watermark);
    if (out->barrier) {
      barrier_ = out->barrier;
      at_barrier_[i] = true;
      current_ = (current_ + 1) % children_.size();
      if (out->watermark == kNoWatermark) continue;
      out->barrier = 0;  // keep the time moving; the barrier follows once aligned
      return true;
    }
    if (out->num_rows > 0) {
      drained_in_a_row_ = 0;
      return true;
    }
    // This child has nothing for now: give the others a turn; drained once all had none.
    if (out->drained) {
      current_ = (current_ + 1) % children_.size();
      out->drained = ++drained_in_a_row_ >= live;
      if (out->drained) drained_in_a_row_ = 0;
    }
    return true;
  }
}

bool ValuesOperator::next(Batch* out) {
  if (pos_ >= batches_.size()) return false;
  *out = batches_[pos_++];
  return true;
}

// ---- GatherOperator ------------------------------------------------------------------------

struct GatherOperator::Shared {
  std::mutex mu;
  std::condition_variable can_push, can_pop;
  std::deque<std::pair<size_t, Batch>> queue;  // (pipeline, batch)
  size_t capacity = 8;
  int64_t released_barrier = 0;  // workers past a barrier wait until it is released
  int running = 0;
  bool cancelled = false;
  std::exception_ptr error;
  std::vector<std::thread> threads;
};

GatherOperator::GatherOperator(SchemaPtr schema, std::vector<OperatorPtr> pipelines)
    : Operator(std::move(schema)),
      shared_(std::make_shared<Shared>()),
      watermarks_(pipelines.size()),
      ended_(pipelines.size(), false),
      at_barrier_(pipelines.size(), false) {
  shared_->capacity = 4 * pipelines.size();
  shared_->running = static_cast<int>(pipelines.size());
  for (size_t i = 0; i < pipelines.size(); ++i) {
    auto shared = shared_;
    shared_->threads.emplace_back([shared, i, op = std::shared_ptr<Operator>(std::move(pipelines[i]))] {
      try {
        Batch b;
        bool more = true;
        while (more) {
          more = op->next(&b);
          if (!more) {
            // End marker: this pipeline no longer holds the watermark back.
            b = Batch();
            b.watermark = kEndOfTime;
          }
          std::unique_lock<std::mutex> lock(shared->mu);
          shared->can_push.wait(lock, [&] { return shared->queue.size() < shared->capacity || shared->cancelled; });
          if (shared->cancelled) break;
          int64_t barrier = b.barrier;
          shared->queue.emplace_back(i, std::move(b));
          shared->can_pop.notify_one();
          b = Batch();
          if (barrier) {
            // Nothing after the barrier may overtake the other pipelines' barriers.
            shared->can_push.wait(
                lock, [&] { return shared->released_barrier >= barrier || shared->cancelled; });
            if (shared->cancelled) break;
          }
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(shared->mu);
        if (!shared->error) shared->error = std::current_exception();
        shared->cancelled = true;
        shared->can_push.notify_all();
      }
      std::lock_guard<std::mutex> lock(shared->mu);
      --shared->running;
      shared->can_pop.notify_all();
    });
  }
}

GatherOperator::~GatherOperator() {
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->cancelled = true;
    shared_->can_push.notify_all();
  }
  for (auto& t : shared_->threads) t.join();
}

bool GatherOperator::next(Batch* out) {
  while (true) {
    std::unique_lock<std::mutex> lock(shared_->mu);
    shared_->can_pop.wait(lock, [&] {
      return !shared_->queue.empty() || shared_->running == 0 || shared_->error;
    });
    if (shared_->error) std::rethrow_exception(shared_->error);
    if (shared_->queue.empty()) return false;
    auto [pipeline, batch] = std::move(shared_->queue.front());
    shared_->queue.pop_front();
    shared_->can_push.notify_one();
    lock.unlock();
    bool end_marker = batch.num_rows == 0 && batch.watermark == kEndOfTime && batch.columns.empty();
    int64_t w = watermarks_.update(pipeline, batch.watermark);
    if (end_marker) ended_[pipeline] = true;
    if (batch.barrier) {
      barrier_ = batch.barrier;
      at_barrier_[pipeline] = true;
      batch.barrier = 0;
    }
    bool aligned = barrier_ != 0;
    for (size_t p = 0; p < ended_.size() && aligned; ++p) aligned = ended_[p] || at_barrier_[p];
    if (aligned) {
      {
        std::lock_guard<std::mutex> relock(shared_->mu);
        shared_->released_barrier = barrier_;
        shared_->can_push.notify_all();
      }
      *out = Batch::empty(schema_);
      out->barrier = barrier_;
      out->watermark = w;
      barrier_ = 0;
      std::fill(at_barrier_.begin(), at_barrier_.end(), false);
      return true;
    }
    if (end_marker) {
      if (w == kNoWatermark || w == kEndOfTime) continue;
      batch = Batch::empty(schema_);
    }
    *out = std::move(batch);
    out->watermark = w;
    out->schema = schema_;
    if (out->num_rows == 0 && out->columns.empty()) *out = Batch::heartbeat(schema_, *out);
    return true;
  }
}

// ---- Sort ------------------------------------------------------------------------------------

int compare_values(const Column& a, size_t i, const Column& b, size_t j) {
  bool an = a.is_null(i), bn = b.is_null(j);
  if (an || bn) return an == bn ? 0 : (an ? -1 : 1);
  auto sign = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  switch (a.type().id()) {
    case TypeId::kBoolean: return sign(a.value<uint8_t>(i), b.value<uint8_t>(j));
    case TypeId::kInt32:
    case TypeId::kDate: return sign(a.value<int32_t>(i), b.value<int32_t>(j));
    case TypeId::kInt64:
    case TypeId::kTimestamp: return sign(a.value<int64_t>(i), b.value<int64_t>(j));
    case TypeId::kDouble: {
      double x = a.value<double>(i), y = b.value<double>(j);
      // NaN sorts after every number, as in DuckDB/Postgres.
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) == std::isnan(y) ? 0 : (std::isnan(x) ? 1 : -1);
      return sign(x, y);
    }
    case TypeId::kDecimal: return sign(a.value<int128_t>(i), b.value<int128_t>(j));
    case TypeId::kString:
    case TypeId::kBytes: {
      int c = a.string_at(i).compare(b.string_at(j));
      return sign(c, 0);
    }
    default: return a.value_at(i).compare(b.value_at(j));
  }
}

bool SortOperator::next(Batch* out) {
  if (!sorted_) sort_all();
  if (pos_ >= result_.num_rows) return false;
  size_t take = std::min(kDefaultBatchRows, result_.num_rows - pos_);
  *out = slice(result_, pos_, take);
  out->schema = schema_;
  pos_ += take;
  return true;
}

void SortOperator::sort_all() {
  sorted_ = true;
  std::vector<Batch> batches;
  Batch b;
  while (child_->next(&b))
    if (b.num_rows > 0) batches.push_back(std::move(b));
  if (batches.empty()) return;
  Batch all = concat(batches, schema_);
  batches.clear();
  Evaluator ev;
  std::vector<ColumnPtr> key_cols;
  for (const auto& k : keys_) key_cols.push_back(ev.evaluate(*k.expr, all));
  std::vector<uint32_t> perm(all.num_rows);
  std::iota(perm.begin(), perm.end(), 0u);
  auto less = [&](uint32_t x, uint32_t y) {
    for (size_t k = 0; k < keys_.size(); ++k) {
      const Column& c = *key_cols[k];
      bool xn = c.is_null(x), yn = c.is_null(y);
      if (xn || yn) {
        if (xn == yn) continue;
        return xn == keys_[k].nulls_first;
      }
      int r = compare_values(c, x, c, y);
      if (r != 0) return keys_[k].descending ? r > 0 : r < 0;
    }
    return x < y;  // stable
  };
  if (limit_ >= 0 && static_cast<size_t>(limit_) < perm.size()) {
    std::partial_sort(perm.begin(), perm.begin() + limit_, perm.end(), less);
    perm.resize(limit_);
  } else {
    std::sort(perm.begin(), perm.end(), less);
  }
  result_ = gather(all, perm.data(), perm.size());
}

}  // namespace velo
