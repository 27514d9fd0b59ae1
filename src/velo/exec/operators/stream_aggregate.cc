#include "velo/exec/operators/stream_aggregate.h"

#include <algorithm>

#include "velo/types/error.h"

namespace velo {

StreamAggregateOperator::StreamAggregateOperator(OperatorPtr child,
                                                 std::vector<BoundExprPtr> group_exprs,
                                                 std::vector<AggregateSpec> aggregates,
                                                 SchemaPtr schema, StreamAggregateOptions options,
                                                 StreamContext* context)
    : Operator(std::move(schema)),
      child_(std::move(child)),
      group_exprs_(std::move(group_exprs)),
      aggregates_(std::move(aggregates)),
      options_(options),
      context_(context) {
  for (const auto& g : group_exprs_) key_types_.push_back(g->type);
}

void StreamAggregateOperator::enable_checkpoints(std::string key) {
  checkpoint_key_ = std::move(key);
  if (const std::string* saved = context_->checkpoints->restored_state(checkpoint_key_))
    load_state(*saved);
}

std::string StreamAggregateOperator::save_state() const {
  ByteWriter w;
  w.put<int64_t>(watermark_);
  w.put<uint64_t>(windows_.size());
  for (const auto& [end, win] : windows_) {
    w.put<int64_t>(end);
    w.put<uint8_t>(win.fired);
    w.put<uint8_t>(win.any_rows);
    win.table->save(w);
  }
  return w.take();
}

void StreamAggregateOperator::load_state(const std::string& bytes) {
  ByteReader r(bytes, "GROUP BY state in the checkpoint");
  windows_.clear();
  watermark_ = r.get<int64_t>();
  uint64_t n = r.get_count(10);
  for (uint64_t i = 0; i < n; ++i) {
    int64_t end = r.get<int64_t>();
    Window& w = window(end);
    w.fired = r.get<uint8_t>() != 0;
    w.any_rows = r.get<uint8_t>() != 0;
    w.table->load(r);
  }
  if (!r.at_end()) r.corrupt();
}

StreamAggregateOperator::Window& StreamAggregateOperator::window(int64_t end) {
  Window& w = windows_[end];
  if (!w.table) w.table = std::make_unique<GroupTable>(key_types_, &aggregates_);
  return w;
}

void StreamAggregateOperator::consume(const Batch& in) {
  if (!in.append_only())
    throw_not_supported(
        "GROUP BY over a changelog input (updates/deletes); aggregate an append-only stream");
  if (options_.window_end_key < 0) {
    consume_into(window(0), in, options_.emit_changes);
    return;
  }
  ColumnPtr ends_col = evaluator_.evaluate(*group_exprs_[options_.window_end_key], in);
  const int64_t* ends = ends_col->values<int64_t>();
  size_t n = in.num_rows;
  std::vector<int64_t> shifted;
  if (options_.window_end_offset != 0) {
    shifted.resize(n);
    for (size_t i = 0; i < n; ++i) shifted[i] = ends[i] + options_.window_end_offset;
    ends = shifted.data();
  }
  // Late rows: their window already closed.
  std::vector<uint32_t> keep, late;
  bool all_on_time = true;
  for (size_t i = 0; i < n && all_on_time; ++i) all_on_time = ends[i] > watermark_;
  if (!all_on_time) {
    for (uint32_t i = 0; i < n; ++i) {
      bool is_late = ends[i] <= watermark_;
      bool updatable =
          options_.late == LatePolicy::kUpdate && ends[i] + options_.retention > watermark_;
      (is_late && !updatable ? late : keep).push_back(i);
    }
    if (!late.empty()) {
      if (options_.late == LatePolicy::kDeadLetter && context_->dead_letter) {
        context_->dead_letter(gather(in, late.data(), late.size()));
        context_->late_rows_dead_lettered += static_cast<int64_t>(late.size());
      } else {
        context_->late_rows_dropped += static_cast<int64_t>(late.size());
      }
    }
    if (options_.late == LatePolicy::kUpdate) {
      int64_t updated = 0;
      for (uint32_t i : keep) updated += ends[i] <= watermark_ ? 1 : 0;
      context_->late_rows_updated += updated;
    }
  }
  const uint32_t* rows = nullptr;
  size_t m = n;
  if (!all_on_time) {
    rows = keep.data();
    m = keep.size();
  }
  if (m == 0) return;
  auto row = [&](size_t k) { return rows ? rows[k] : static_cast<uint32_t>(k); };
  // Usually a batch falls into one window (or `size/slide` for hops): split by window end.
  int64_t first = ends[row(0)];
  bool one_window = true;
  for (size_t k = 1; k < m && one_window; ++k) one_window = ends[row(k)] == first;
  auto consume_window = [&](int64_t end, const Batch& part) {
    Window& w = window(end);
    if (end <= watermark_) w.fired = true;  // a late row re-opens a closed window
    consume_into(w, part, options_.emit_changes || w.fired);
  };
  if (one_window) {
    consume_window(first, rows ? gather(in, rows, m) : in);
    return;
  }
  std::vector<uint32_t> order(m);
  for (size_t k = 0; k < m; ++k) order[k] = row(k);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return ends[a] < ends[b]; });
  size_t begin = 0;
  while (begin < m) {
    size_t end = begin + 1;
    while (end < m && ends[order[end]] == ends[order[begin]]) ++end;
    consume_window(ends[order[begin]], gather(in, order.data() + begin, end - begin));
    begin = end;
  }
}

void StreamAggregateOperator::consume_into(Window& w, const Batch& rows, bool changes) {
  GroupTable& t = *w.table;
  if (!changes) {
    t.consume(rows, group_exprs_, &evaluator_);
    w.any_rows = true;
    return;
  }
  // Changelog: results of the touched groups before and after this batch.
  size_t existing = group_exprs_.empty() && !w.any_rows ? 0 : t.num_groups();
  t.assign(rows, group_exprs_, &evaluator_, &ids_);
  std::vector<uint32_t> touched, before;
  std::vector<uint8_t> seen(t.num_groups(), 0);
  for (uint32_t g : ids_)
    if (!seen[g]) {
      seen[g] = 1;
      touched.push_back(g);
      if (g < existing) before.push_back(g);
    }
  Batch old_rows;
  if (!before.empty()) old_rows = t.emit_groups(schema_, before.data(), before.size());
  t.update(rows, ids_, &evaluator_);
  w.any_rows = true;
  if (!before.empty()) {
    old_rows.row_kinds.assign(before.size(), RowKind::kUpdateBefore);
    ready_.push_back(std::move(old_rows));
  }
  Batch new_rows = t.emit_groups(schema_, touched.data(), touched.size());
  new_rows.row_kinds.resize(touched.size());
  for (size_t k = 0; k < touched.size(); ++k)
    new_rows.row_kinds[k] = touched[k] < existing ? RowKind::kUpdateAfter : RowKind::kInsert;
  ready_.push_back(std::move(new_rows));
}

void StreamAggregateOperator::emit_all(Window& w) {
  GroupTable& t = *w.table;
  size_t groups = t.num_groups();
  if (group_exprs_.empty() && !w.any_rows && options_.window_end_key >= 0) return;
  for (size_t begin = 0; begin < groups; begin += kDefaultBatchRows)
    ready_.push_back(t.emit(schema_, begin, std::min(kDefaultBatchRows, groups - begin)));
}

void StreamAggregateOperator::advance(int64_t watermark) {
  if (watermark <= watermark_) return;
  watermark_ = watermark;
  if (options_.window_end_key < 0) return;  // no window: final only at end of input
  for (auto it = windows_.begin(); it != windows_.end() && it->first <= watermark_;) {
    Window& w = it->second;
    if (!w.fired) {
      if (!options_.emit_changes) emit_all(w);
      w.fired = true;
    }
    // Past its retention the window's state goes: memory follows the watermark.
    bool keep = options_.late == LatePolicy::kUpdate && watermark_ != kEndOfTime &&
                it->first + options_.retention > watermark_;
    it = keep ? std::next(it) : windows_.erase(it);
  }
}

bool StreamAggregateOperator::next(Batch* out) {
  while (true) {
    if (!ready_.empty()) {
      *out = std::move(ready_.front());
      ready_.pop_front();
      out->schema = schema_;
      return true;
    }
    if (done_) return false;
    Batch in;
    if (!child_->next(&in)) {
      done_ = true;
      if (options_.window_end_key >= 0) {
        advance(kEndOfTime);
      } else if (!options_.emit_changes && !windows_.empty()) {
        emit_all(windows_.begin()->second);
      } else if (!options_.emit_changes && group_exprs_.empty()) {
        emit_all(window(0));  // a global aggregate has one row even over no input
      }
      windows_.clear();
      continue;
    }
    if (in.num_rows > 0) consume(in);
    if (options_.processing_time) {
      // Processing time: windows close as the clock passes their end.
      int64_t now = context_->clock->now_micros();
      if (now > watermark_) in.watermark = now;
    }
    if (in.watermark != kNoWatermark) advance(in.watermark);
    // The state after every row before the barrier; results already made go out before it.
    if (in.barrier && !checkpoint_key_.empty())
      context_->checkpoints->record_state(checkpoint_key_, in.barrier, save_state());
    if (ready_.empty()) {
      if (in.num_rows > 0 && in.watermark == kNoWatermark) continue;
      *out = Batch::heartbeat(schema_, in);
      return true;
    }
    // Results first, then the time that made them final, so operators above never see them late.
    ready_.back().watermark = in.watermark;
    if (in.drained || in.barrier) {
      Batch hb = Batch::heartbeat(schema_, in);
      hb.watermark = kNoWatermark;
      ready_.push_back(std::move(hb));
    }
  }
}

}  // namespace velo
