#include "velo/exec/operators/session_aggregate.h"

#include <algorithm>

#include "velo/exec/operators/pass_time_on.h"
#include "velo/types/error.h"

namespace velo {

SessionAggregateOperator::SessionAggregateOperator(OperatorPtr child, WindowDef window,
                                                   std::vector<BoundExprPtr> group_exprs,
                                                   std::vector<AggregateSpec> aggregates,
                                                   SchemaPtr schema, SchemaPtr window_schema,
                                                   StreamContext* context)
    : Operator(std::move(schema)),
      child_(std::move(child)),
      window_(window),
      group_exprs_(std::move(group_exprs)),
      aggregates_(std::move(aggregates)),
      window_schema_(std::move(window_schema)),
      context_(context) {
  int width = static_cast<int>(window_schema_->size()) - 2;
  std::vector<DataType> key_types;
  for (const auto& g : group_exprs_) {
    bool window_column = g->kind == BoundExpr::Kind::kColumn && g->column >= width;
    if (!window_column) {
      key_exprs_.push_back(g);
      key_types.push_back(g->type);
    }
  }
  keys_ = std::make_unique<GroupTable>(key_types, &no_aggregates_);
}

void SessionAggregateOperator::enable_checkpoints(std::string key) {
  checkpoint_key_ = std::move(key);
  if (const std::string* saved = context_->checkpoints->restored_state(checkpoint_key_))
    load_state(*saved);
}

std::string SessionAggregateOperator::save_state() const {
  ByteWriter w;
  w.put<int64_t>(watermark_);
  keys_->save(w);
  // Only live sessions matter; ids are kept so by_key_ stays valid.
  w.put<uint64_t>(sessions_.size());
  for (const Session& s : sessions_) {
    w.put<uint8_t>(s.live);
    if (!s.live) continue;
    w.put<int64_t>(s.start);
    w.put<int64_t>(s.end);
    w.put<uint32_t>(s.key);
    w.put<uint64_t>(s.last.num_rows);
    for (const auto& c : s.last.columns) c->serialize(w);
    w.put<uint64_t>(s.parts.size());
    for (const Batch& part : s.parts) {
      w.put<uint64_t>(part.num_rows);
      w.put<uint64_t>(part.columns.size());
      for (const auto& c : part.columns) c->serialize(w);
    }
  }
  return w.take();
}

void SessionAggregateOperator::load_state(const std::string& bytes) {
  ByteReader r(bytes, "SESSION window state in the checkpoint");
  watermark_ = r.get<int64_t>();
  keys_->load(r);
  by_key_.assign(keys_->num_groups(), {});
  sessions_.assign(r.get_count(1), Session{});
  free_.clear();
  ends_ = {};
  const Schema& input = *child_->schema();
  for (uint32_t id = 0; id < sessions_.size(); ++id) {
    Session& s = sessions_[id];
    s.live = r.get<uint8_t>() != 0;
    if (!s.live) {
      free_.push_back(id);
      continue;
    }
    s.start = r.get<int64_t>();
    s.end = r.get<int64_t>();
    s.key = r.get<uint32_t>();
    if (s.key >= by_key_.size()) r.corrupt();
    uint64_t last_rows = r.get<uint64_t>();
    if (last_rows > 1) r.corrupt();
    if (last_rows == 1) {
      s.last.schema = schema_;
      s.last.num_rows = 1;
      for (size_t c = 0; c < schema_->size(); ++c)
        s.last.columns.push_back(Column::deserialize(schema_->field(c).type, r));
    }
    s.parts.resize(r.get_count(16));
    for (Batch& part : s.parts) {
      part.schema = child_->schema();
      part.num_rows = r.get<uint64_t>();
      if (r.get<uint64_t>() != input.size()) r.corrupt();
      for (size_t c = 0; c < input.size(); ++c) {
        part.columns.push_back(Column::deserialize(input.field(c).type, r));
        if (part.columns.back()->size() != part.num_rows) r.corrupt();
      }
    }
    by_key_[s.key].push_back(id);
    ends_.push({s.end, id});
  }
  if (!r.at_end()) r.corrupt();
}

uint32_t SessionAggregateOperator::new_session(uint32_t key, int64_t t) {
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(sessions_.size());
    sessions_.emplace_back();
  }
  Session& s = sessions_[id];
  s.start = t;
  s.end = t + window_.gap;
  s.key = key;
  s.live = true;
  s.parts.clear();
  s.last = Batch();
  by_key_[key].push_back(id);
  ends_.push({s.end, id});
  return id;
}

void SessionAggregateOperator::merge_into(uint32_t into, uint32_t from) {
  Session& a = sessions_[into];
  Session& b = sessions_[from];
  a.start = std::min(a.start, b.start);
  if (b.end > a.end) {
    a.end = b.end;
    ends_.push({a.end, into});  // the merged session closes at its new end
  }
  for (auto& p : b.parts) a.parts.push_back(std::move(p));
  b.parts.clear();
  b.live = false;
  if (emit_changes_) {
    touched_.push_back(into);
    if (b.last.num_rows > 0) retired_.push_back(std::move(b.last));
    b.last = Batch();
  }
  auto& list = by_key_[b.key];
  list.erase(std::find(list.begin(), list.end(), from));
  free_.push_back(from);
}

void SessionAggregateOperator::consume(const Batch& in) {
  if (!in.append_only())
    throw_not_supported("SESSION windows over a changelog input (updates/deletes)");
  size_t n = in.num_rows;
  const Column& tcol = *in.columns[window_.time_column];
  const int64_t* ts = tcol.values<int64_t>();
  std::vector<uint32_t> key_ids;
  keys_->assign(in, key_exprs_, &evaluator_, &key_ids);
  if (by_key_.size() < keys_->num_groups()) by_key_.resize(keys_->num_groups());
  std::vector<uint32_t> row_session(n, UINT32_MAX);
  std::vector<uint32_t> late;
  for (uint32_t i = 0; i < n; ++i) {
    if (tcol.is_null(i)) continue;
    int64_t t = ts[i];
    auto& list = by_key_[key_ids[i]];
    // Sessions this row touches (its own window [t, t + gap) overlaps theirs).
    uint32_t target = UINT32_MAX;
    for (size_t k = 0; k < list.size();) {
      uint32_t id = list[k];
      const Session& s = sessions_[id];
      bool overlaps = t < s.end && t + window_.gap > s.start;
      bool too_long = window_.max_length > 0 &&
                      std::max(s.end, t + window_.gap) - std::min(s.start, t) > window_.max_length;
      if (overlaps && !too_long) {
        if (target == UINT32_MAX) {
          target = id;
          ++k;
        } else {
          merge_into(target, id);  // removes `id` from `list`
        }
        continue;
      }
      ++k;
    }
    if (target == UINT32_MAX) {
      if (t + window_.gap <= watermark_) {
        late.push_back(i);
        continue;
      }
      target = new_session(key_ids[i], t);
    } else {
      Session& s = sessions_[target];
      int64_t old_end = s.end;
      s.start = std::min(s.start, t);
      s.end = std::max(s.end, t + window_.gap);
      if (s.end != old_end) ends_.push({s.end, target});
    }
    row_session[i] = target;
    if (emit_changes_) touched_.push_back(target);
  }
  if (!late.empty()) context_->late_rows_dropped += static_cast<int64_t>(late.size());
  // Rows to their sessions, a slice per session (sessions merged later in this batch were
  // folded into their target, so follow merges by looking the row up again).
  std::vector<uint32_t> order;
  order.reserve(n);
  for (uint32_t i = 0; i < n; ++i)
    if (row_session[i] != UINT32_MAX) {
      // A session merged away after this row was assigned: find the live one of that key.
      uint32_t id = row_session[i];
      if (!sessions_[id].live || sessions_[id].key != key_ids[i]) {
        for (uint32_t cand : by_key_[key_ids[i]])
          if (ts[i] >= sessions_[cand].start && ts[i] < sessions_[cand].end) id = cand;
        row_session[i] = id;
      }
      order.push_back(i);
    }
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return row_session[a] < row_session[b]; });
  size_t begin = 0;
  while (begin < order.size()) {
    size_t end = begin + 1;
    while (end < order.size() && row_session[order[end]] == row_session[order[begin]]) ++end;
    sessions_[row_session[order[begin]]].parts.push_back(
        gather(in, order.data() + begin, end - begin));
    begin = end;
  }
}

void SessionAggregateOperator::close_until(int64_t watermark) {
  if (watermark > watermark_) watermark_ = watermark;
  std::vector<uint32_t> closing;
  while (!ends_.empty() && ends_.top().first <= watermark_) {
    auto [end, id] = ends_.top();
    ends_.pop();
    Session& s = sessions_[id];
    if (!s.live || s.end != end) continue;  // merged or extended since
    closing.push_back(id);
  }
  if (closing.empty()) return;
  // Under EMIT CHANGES every session's rows were emitted as they came: it just goes.
  Batch result = emit_changes_ ? Batch() : aggregate_sessions(closing, true);
  for (uint32_t id : closing) {
    Session& s = sessions_[id];
    s.parts.clear();
    s.last = Batch();
    s.live = false;
    auto& list = by_key_[s.key];
    list.erase(std::find(list.begin(), list.end(), id));
    free_.push_back(id);
  }
  for (size_t b = 0; b < result.num_rows; b += kDefaultBatchRows)
    ready_.push_back(slice(result, b, std::min(kDefaultBatchRows, result.num_rows - b)));
}

Batch SessionAggregateOperator::aggregate_sessions(const std::vector<uint32_t>& ids, bool take) {
  // The sessions' rows with their window bounds appended, aggregated in one pass: each session
  // is one group (its key, start and end), in the order of `ids`.
  std::vector<Batch> parts;
  for (uint32_t id : ids) {
    Session& s = sessions_[id];
    for (auto& p : s.parts) {
      Batch ext = take ? std::move(p) : p;
      ext.schema = window_schema_;
      auto start = Column::make(DataType::timestamp());
      auto stop = Column::make(DataType::timestamp());
      start->resize(ext.num_rows);
      stop->resize(ext.num_rows);
      std::fill(start->values<int64_t>(), start->values<int64_t>() + ext.num_rows, s.start);
      std::fill(stop->values<int64_t>(), stop->values<int64_t>() + ext.num_rows, s.end);
      ext.columns.push_back(std::move(start));
      ext.columns.push_back(std::move(stop));
      parts.push_back(std::move(ext));
    }
  }
  std::vector<DataType> types;
  for (const auto& g : group_exprs_) types.push_back(g->type);
  GroupTable table(types, &aggregates_);
  for (const auto& p : parts) table.consume(p, group_exprs_, &evaluator_);
  if (table.num_groups() == 0) return Batch::empty(schema_);
  Batch out = table.emit(schema_, 0, table.num_groups());
  out.schema = schema_;
  return out;
}

void SessionAggregateOperator::emit_session_changes() {
  std::vector<uint32_t> ids;
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  for (uint32_t id : touched_)
    if (sessions_[id].live && !sessions_[id].parts.empty()) ids.push_back(id);
  touched_.clear();
  // Merged-away sessions first, then the old and new rows of every changed session.
  std::vector<Batch> olds = std::move(retired_);
  retired_.clear();
  std::vector<RowKind> old_kinds(olds.size(), RowKind::kDelete);
  Batch fresh = ids.empty() ? Batch() : aggregate_sessions(ids, false);
  std::vector<RowKind> new_kinds;
  for (size_t k = 0; k < ids.size(); ++k) {
    Session& s = sessions_[ids[k]];
    bool had = s.last.num_rows > 0;
    if (had) {
      olds.push_back(std::move(s.last));
      old_kinds.push_back(RowKind::kUpdateBefore);
    }
    new_kinds.push_back(had ? RowKind::kUpdateAfter : RowKind::kInsert);
    uint32_t row = static_cast<uint32_t>(k);
    s.last = gather(fresh, &row, 1);
    s.last.schema = schema_;
  }
  if (!olds.empty()) {
    Batch old_rows = concat(olds, schema_);
    old_rows.row_kinds = std::move(old_kinds);
    ready_.push_back(std::move(old_rows));
  }
  if (!ids.empty()) {
    fresh.row_kinds = std::move(new_kinds);
    ready_.push_back(std::move(fresh));
  }
}

bool SessionAggregateOperator::next(Batch* out) {
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
      close_until(kEndOfTime);
      continue;
    }
    if (in.num_rows > 0) consume(in);
    if (emit_changes_) emit_session_changes();
    if (in.watermark != kNoWatermark) close_until(in.watermark);
    if (in.barrier && !checkpoint_key_.empty())
      context_->checkpoints->record_state(checkpoint_key_, in.barrier, save_state());
    pass_time_on(&ready_, in, schema_);
  }
}

}  // namespace velo
