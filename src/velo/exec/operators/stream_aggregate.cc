#include "velo/exec/operators/stream_aggregate.h"

#include <algorithm>
#include <cstring>

#include "velo/exec/operators/pass_time_on.h"
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
    w.put_bytes(win.rows.data(), win.rows.size() * sizeof(int64_t));
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
    std::string_view counts = r.get_bytes();
    if (counts.size() != w.table->num_groups() * sizeof(int64_t)) r.corrupt();
    w.rows.resize(w.table->num_groups());
    std::memcpy(w.rows.data(), counts.data(), counts.size());
  }
  if (!r.at_end()) r.corrupt();
}

StreamAggregateOperator::Window& StreamAggregateOperator::window(int64_t end) {
  Window& w = windows_[end];
  if (!w.table) w.table = std::make_unique<GroupTable>(key_types_, &aggregates_);
  return w;
}

void StreamAggregateOperator::consume(const Batch& in) {
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
  bool global = group_exprs_.empty();
  t.assign(rows, group_exprs_, &evaluator_, &ids_);
  if (w.rows.size() < t.num_groups()) w.rows.resize(t.num_groups(), 0);
  // A group has a row to show while it holds rows (a global aggregate once it saw any).
  auto visible = [&](uint32_t g, int64_t count) { return global ? w.any_rows : count > 0; };
  std::vector<uint32_t> touched;
  std::vector<int64_t> before;
  if (changes) {
    std::vector<uint8_t> seen(t.num_groups(), 0);
    for (uint32_t g : ids_)
      if (!seen[g]) {
        seen[g] = 1;
        touched.push_back(g);
        before.push_back(w.rows[g]);
      }
  }
  std::vector<uint32_t> was_visible;
  std::vector<uint8_t> was(touched.size(), 0);
  for (size_t k = 0; k < touched.size(); ++k)
    if ((was[k] = visible(touched[k], before[k]))) was_visible.push_back(touched[k]);
  Batch old_rows;
  if (!was_visible.empty())
    old_rows = t.emit_groups(schema_, was_visible.data(), was_visible.size());
  if (rows.append_only()) {
    t.update(rows, ids_, &evaluator_);
    for (uint32_t g : ids_) ++w.rows[g];
  } else {
    // Changelog input: inserted rows are added, retracted rows taken back.
    std::vector<uint32_t> add, remove, add_ids, remove_ids;
    for (uint32_t i = 0; i < rows.num_rows; ++i) {
      bool retract =
          rows.row_kind(i) == RowKind::kUpdateBefore || rows.row_kind(i) == RowKind::kDelete;
      (retract ? remove : add).push_back(i);
      (retract ? remove_ids : add_ids).push_back(ids_[i]);
      w.rows[ids_[i]] += retract ? -1 : 1;
    }
    if (!add.empty()) t.update(gather(rows, add.data(), add.size()), add_ids, &evaluator_);
    if (!remove.empty())
      t.update(gather(rows, remove.data(), remove.size()), remove_ids, &evaluator_, true);
  }
  w.any_rows = true;
  if (!changes) return;
  // The changelog of the touched groups: -U/+U, +I for a group that appeared, -D for one that
  // lost its last row.
  std::vector<uint32_t> now_visible;
  std::vector<RowKind> old_kinds, new_kinds;
  for (size_t k = 0; k < touched.size(); ++k) {
    uint32_t g = touched[k];
    bool now = visible(g, w.rows[g]);
    if (was[k]) old_kinds.push_back(now ? RowKind::kUpdateBefore : RowKind::kDelete);
    if (now) {
      now_visible.push_back(g);
      new_kinds.push_back(was[k] ? RowKind::kUpdateAfter : RowKind::kInsert);
    }
  }
  if (!was_visible.empty()) {
    old_rows.row_kinds = std::move(old_kinds);
    ready_.push_back(std::move(old_rows));
  }
  if (!now_visible.empty()) {
    Batch new_rows = t.emit_groups(schema_, now_visible.data(), now_visible.size());
    new_rows.row_kinds = std::move(new_kinds);
    ready_.push_back(std::move(new_rows));
  }
}

void StreamAggregateOperator::emit_all(Window& w) {
  GroupTable& t = *w.table;
  size_t groups = t.num_groups();
  if (group_exprs_.empty() && !w.any_rows && options_.window_end_key >= 0) return;
  // Groups whose rows were all retracted have nothing to show.
  std::vector<uint32_t> live;
  bool all_live = true;
  for (size_t g = 0; g < groups && g < w.rows.size(); ++g) all_live &= w.rows[g] > 0;
  if (!all_live && !group_exprs_.empty()) {
    for (uint32_t g = 0; g < groups; ++g)
      if (g < w.rows.size() && w.rows[g] > 0) live.push_back(g);
    for (size_t begin = 0; begin < live.size(); begin += kDefaultBatchRows)
      ready_.push_back(t.emit_groups(schema_, live.data() + begin,
                                     std::min(kDefaultBatchRows, live.size() - begin)));
    return;
  }
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
    pass_time_on(&ready_, in, schema_);
  }
}

}  // namespace velo
