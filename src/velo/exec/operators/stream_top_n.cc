#include "velo/exec/operators/stream_top_n.h"

#include <algorithm>

#include "velo/exec/operators/pass_time_on.h"
#include "velo/types/error.h"

namespace velo {

/// The rankings of one window (or of the whole stream): partition key -> the ids of its best
/// rows in the row store, best first.
struct StreamTopNOperator::Window {
  std::unique_ptr<GroupTable> partitions;
  std::vector<std::vector<uint32_t>> ranked;
  std::vector<ColumnPtr> rows;  // stored input rows
  std::vector<ColumnPtr> keys;  // their ORDER BY values
  size_t stored = 0;
  size_t live = 0;
};

namespace {

struct Emitted {
  uint32_t row;
  int64_t rank;
  RowKind kind;
};

}  // namespace

StreamTopNOperator::StreamTopNOperator(OperatorPtr child, std::vector<BoundExprPtr> partition_by,
                                       std::vector<SortKey> order_by, StreamTopNOptions options,
                                       SchemaPtr schema, StreamContext* context)
    : Operator(std::move(schema)),
      child_(std::move(child)),
      partition_by_(std::move(partition_by)),
      order_by_(std::move(order_by)),
      options_(options),
      context_(context) {
  for (const auto& p : partition_by_) key_types_.push_back(p->type);
}

StreamTopNOperator::~StreamTopNOperator() = default;

StreamTopNOperator::Window& StreamTopNOperator::window(int64_t end) {
  auto& w = windows_[end];
  if (!w) {
    w = std::make_unique<Window>();
    w->partitions = std::make_unique<GroupTable>(key_types_, &no_aggregates_);
    for (const auto& f : child_->schema()->fields()) w->rows.push_back(Column::make(f.type));
    for (const auto& k : order_by_) w->keys.push_back(Column::make(k.expr->type));
  }
  return *w;
}

void StreamTopNOperator::consume(const Batch& in) {
  if (!in.append_only())
    throw_not_supported("a Top-N (ROW_NUMBER ... WHERE rn <= N) over a changelog input");
  std::vector<ColumnPtr> order_keys;
  for (const auto& k : order_by_) order_keys.push_back(evaluator_.evaluate(*k.expr, in));
  std::vector<uint32_t> all(in.num_rows);
  for (uint32_t i = 0; i < in.num_rows; ++i) all[i] = i;
  if (options_.window_end_key < 0) {
    consume_rows(window(0), in, order_keys, all);
    return;
  }
  ColumnPtr ends_col = evaluator_.evaluate(*partition_by_[options_.window_end_key], in);
  const int64_t* ends = ends_col->values<int64_t>();
  // Rows by window end; rows of windows already emitted are late.
  std::map<int64_t, std::vector<uint32_t>> by_window;
  int64_t late = 0;
  for (uint32_t i = 0; i < in.num_rows; ++i) {
    if (ends_col->is_null(i)) continue;
    int64_t end = ends[i] + options_.window_end_offset;
    if (end <= watermark_) {
      ++late;
      continue;
    }
    by_window[end].push_back(i);
  }
  context_->late_rows_dropped += late;
  for (auto& [end, rows] : by_window) consume_rows(window(end), in, order_keys, rows);
}

void StreamTopNOperator::consume_rows(Window& w, const Batch& in,
                                      const std::vector<ColumnPtr>& order_keys,
                                      const std::vector<uint32_t>& rows) {
  Batch part = rows.size() == in.num_rows ? in : gather(in, rows.data(), rows.size());
  std::vector<uint32_t> ids;
  w.partitions->assign(part, partition_by_, &evaluator_, &ids);
  if (w.ranked.size() < w.partitions->num_groups()) w.ranked.resize(w.partitions->num_groups());
  // -1: stored row `a` ranks before incoming row `b`.
  auto compare = [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < order_by_.size(); ++k) {
      const Column& sa = *w.keys[k];
      const Column& ib = *order_keys[k];
      bool an = sa.is_null(a), bn = ib.is_null(b);
      if (an || bn) {
        if (an == bn) continue;
        return an == order_by_[k].nulls_first ? -1 : 1;
      }
      int r = compare_values(sa, a, ib, b);
      if (r != 0) return order_by_[k].descending ? -r : r;
    }
    return 0;
  };
  bool changelog = options_.window_end_key < 0 && !options_.final_at_end;
  std::vector<Emitted> emitted;
  for (size_t j = 0; j < rows.size(); ++j) {
    uint32_t i = rows[j];
    std::vector<uint32_t>& list = w.ranked[ids[j]];
    // Position after every stored row that ranks before or equal (ties keep arrival order).
    size_t lo = 0, hi = list.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (compare(list[mid], i) <= 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo >= options_.limit) continue;  // not in the top N: the common case, no copy
    uint32_t id = static_cast<uint32_t>(w.stored++);
    for (size_t c = 0; c < w.rows.size(); ++c) w.rows[c]->append_from(*part.columns[c], j);
    for (size_t k = 0; k < w.keys.size(); ++k) w.keys[k]->append_from(*order_keys[k], i);
    ++w.live;
    if (list.size() == options_.limit) {
      if (changelog)
        emitted.push_back({list.back(), static_cast<int64_t>(list.size()), RowKind::kDelete});
      list.pop_back();
      --w.live;
    }
    if (changelog)
      for (size_t r = lo; r < list.size(); ++r) {
        emitted.push_back({list[r], static_cast<int64_t>(r + 1), RowKind::kUpdateBefore});
        emitted.push_back({list[r], static_cast<int64_t>(r + 2), RowKind::kUpdateAfter});
      }
    list.insert(list.begin() + static_cast<ptrdiff_t>(lo), id);
    if (changelog) emitted.push_back({id, static_cast<int64_t>(lo + 1), RowKind::kInsert});
  }
  if (!emitted.empty()) {
    std::vector<uint32_t> ids_out;
    auto rank = Column::make(schema_->field(schema_->size() - 1).type);
    Batch out;
    out.schema = schema_;
    out.num_rows = emitted.size();
    for (const Emitted& e : emitted) {
      ids_out.push_back(e.row);
      rank->append(e.rank);
      out.row_kinds.push_back(e.kind);
    }
    for (const auto& c : w.rows) out.columns.push_back(gather(*c, ids_out.data(), ids_out.size()));
    out.columns.push_back(rank);
    ready_.push_back(std::move(out));
  }
  // Rows pushed out stay in the store until there are many of them.
  if (w.stored > 2 * w.live + 4096) {
    std::vector<uint32_t> keep;
    for (auto& list : w.ranked)
      for (uint32_t& id : list) {
        uint32_t fresh = static_cast<uint32_t>(keep.size());
        keep.push_back(id);
        id = fresh;
      }
    for (auto& c : w.rows) c = gather(*c, keep.data(), keep.size());
    for (auto& c : w.keys) c = gather(*c, keep.data(), keep.size());
    w.stored = w.live = keep.size();
  }
}

void StreamTopNOperator::emit_window(Window& w) {
  std::vector<uint32_t> ids;
  auto rank = Column::make(schema_->field(schema_->size() - 1).type);
  for (const auto& list : w.ranked)
    for (size_t r = 0; r < list.size(); ++r) {
      ids.push_back(list[r]);
      rank->append(static_cast<int64_t>(r + 1));
    }
  if (ids.empty()) return;
  Batch out;
  out.schema = schema_;
  out.num_rows = ids.size();
  for (const auto& c : w.rows) out.columns.push_back(gather(*c, ids.data(), ids.size()));
  out.columns.push_back(rank);
  ready_.push_back(std::move(out));
}

void StreamTopNOperator::advance(int64_t watermark) {
  if (watermark <= watermark_) return;
  watermark_ = watermark;
  if (options_.window_end_key < 0) return;
  for (auto it = windows_.begin(); it != windows_.end() && it->first <= watermark_;) {
    emit_window(*it->second);
    it = windows_.erase(it);  // final: its state goes
  }
}

void StreamTopNOperator::enable_checkpoints(std::string key) {
  checkpoint_key_ = std::move(key);
  if (const std::string* saved = context_->checkpoints->restored_state(checkpoint_key_))
    load_state(*saved);
}

std::string StreamTopNOperator::save_state() const {
  ByteWriter w;
  w.put<int64_t>(watermark_);
  w.put<uint64_t>(windows_.size());
  for (const auto& [end, win] : windows_) {
    w.put<int64_t>(end);
    win->partitions->save(w);
    // The live rows only, partition by partition in rank order.
    std::vector<uint32_t> ids;
    w.put<uint64_t>(win->ranked.size());
    for (const auto& list : win->ranked) {
      w.put<uint64_t>(list.size());
      ids.insert(ids.end(), list.begin(), list.end());
    }
    for (const auto& c : win->rows) gather(*c, ids.data(), ids.size())->serialize(w);
    for (const auto& c : win->keys) gather(*c, ids.data(), ids.size())->serialize(w);
  }
  return w.take();
}

void StreamTopNOperator::load_state(const std::string& bytes) {
  ByteReader r(bytes, "Top-N state in the checkpoint");
  windows_.clear();
  watermark_ = r.get<int64_t>();
  uint64_t n = r.get_count(8);
  for (uint64_t i = 0; i < n; ++i) {
    Window& w = window(r.get<int64_t>());
    w.partitions->load(r);
    w.ranked.resize(r.get_count(8));
    uint32_t next = 0;
    for (auto& list : w.ranked) {
      list.resize(r.get_count(0));
      for (auto& id : list) id = next++;
    }
    for (auto& c : w.rows) {
      c = Column::deserialize(c->type(), r);
      if (c->size() != next) r.corrupt();
    }
    for (auto& c : w.keys) {
      c = Column::deserialize(c->type(), r);
      if (c->size() != next) r.corrupt();
    }
    w.stored = w.live = next;
  }
  if (!r.at_end()) r.corrupt();
}

bool StreamTopNOperator::next(Batch* out) {
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
      if (options_.window_end_key >= 0)
        advance(kEndOfTime);
      else if (options_.final_at_end && !windows_.empty())
        emit_window(*windows_.begin()->second);
      windows_.clear();
      continue;
    }
    if (in.num_rows > 0) consume(in);
    if (in.watermark != kNoWatermark) advance(in.watermark);
    if (in.barrier && !checkpoint_key_.empty())
      context_->checkpoints->record_state(checkpoint_key_, in.barrier, save_state());
    pass_time_on(&ready_, in, schema_);
  }
}

}  // namespace velo
