#include "velo/exec/operators/interval_join.h"

#include <algorithm>
#include <cstdlib>

#include "velo/exec/hash.h"
#include "velo/exec/operators/join_output.h"
#include "velo/types/error.h"

namespace velo {

/// The rows of one input batch of a side, with a hash index on the join keys.
struct IntervalJoinOperator::Bucket {
  Batch rows;
  std::vector<ColumnPtr> keys;
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> heads;  // slot -> row + 1
  std::vector<uint32_t> chain;  // row -> next row of the slot + 1
  uint64_t mask = 0;
  std::vector<uint8_t> matched;
  int64_t min_time = INT64_MAX;
  int64_t max_time = INT64_MIN;  // INT64_MIN: no row has a time (they can never match)
};

struct IntervalJoinOperator::Side {
  std::vector<Bucket> buckets;
  int64_t watermark = kNoWatermark;
  size_t rows = 0;
};

namespace {

bool any_null(const std::vector<ColumnPtr>& keys, uint32_t row) {
  for (const auto& k : keys)
    if (k->is_null(row)) return true;
  return false;
}

// a + b for times and bounds, saturating at the watermark sentinels.
int64_t add_sat(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

}  // namespace

IntervalJoinOperator::IntervalJoinOperator(OperatorPtr left, OperatorPtr right, JoinKind kind,
                                           std::vector<BoundExprPtr> left_keys,
                                           std::vector<BoundExprPtr> right_keys,
                                           BoundExprPtr residual, IntervalJoinBounds bounds,
                                           SchemaPtr schema, StreamContext* context)
    : Operator(std::move(schema)),
      inputs_{std::move(left), std::move(right)},
      kind_(kind),
      keys_{std::move(left_keys), std::move(right_keys)},
      residual_(std::move(residual)),
      bounds_(bounds),
      context_(context),
      sides_{std::make_unique<Side>(), std::make_unique<Side>()} {}

IntervalJoinOperator::~IntervalJoinOperator() = default;

size_t IntervalJoinOperator::rows_in_state() const { return sides_[0]->rows + sides_[1]->rows; }

bool IntervalJoinOperator::keeps_unmatched(int side) const {
  if (kind_ == JoinKind::kFull) return true;
  return side == 0 ? kind_ == JoinKind::kLeft : kind_ == JoinKind::kRight;
}

Batch IntervalJoinOperator::output(int side, const Batch& rows,
                                   const std::vector<uint32_t>& rows_of_side, const Batch* other,
                                   const std::vector<uint32_t>& rows_of_other) {
  Batch empty_other;
  if (!other) {
    empty_other = Batch::empty(inputs_[1 - side]->schema());
    other = &empty_other;
  }
  const Batch& left = side == 0 ? rows : *other;
  const Batch& right = side == 0 ? *other : rows;
  const auto& left_rows = side == 0 ? rows_of_side : rows_of_other;
  const auto& right_rows = side == 0 ? rows_of_other : rows_of_side;
  Batch out;
  out.schema = schema_;
  out.num_rows = rows_of_side.size();
  for (const auto& c : left.columns) out.columns.push_back(gather_or_null(*c, left_rows));
  for (const auto& c : right.columns) out.columns.push_back(gather_or_null(*c, right_rows));
  return out;
}

void IntervalJoinOperator::emit_unmatched(int side, const Batch& rows,
                                          const std::vector<uint8_t>& matched) {
  std::vector<uint32_t> mine, none;
  for (uint32_t i = 0; i < rows.num_rows; ++i)
    if (!matched[i]) mine.push_back(i);
  if (mine.empty()) return;
  none.assign(mine.size(), kNoRow);
  ready_.push_back(output(side, rows, mine, nullptr, none));
}

void IntervalJoinOperator::probe(int side, const Batch& in, const std::vector<ColumnPtr>& keys,
                                 const std::vector<uint64_t>& hashes, const int64_t* times,
                                 std::vector<uint8_t>* matched) {
  const Column& time_col = *in.columns[side == 0 ? bounds_.left_time : bounds_.right_time];
  // Partner times that can match a row at t: right in [t + lower, t + upper] for a left row,
  // left in [t - upper, t - lower] for a right row.
  int64_t lo = side == 0 ? bounds_.lower : -bounds_.upper;
  int64_t hi = side == 0 ? bounds_.upper : -bounds_.lower;
  int64_t min_t = INT64_MAX, max_t = INT64_MIN;
  for (size_t i = 0; i < in.num_rows; ++i)
    if (!time_col.is_null(i)) {
      min_t = std::min(min_t, times[i]);
      max_t = std::max(max_t, times[i]);
    }
  if (max_t == INT64_MIN) return;  // no row has a time: nothing can match
  std::vector<uint32_t> mine, theirs;
  for (Bucket& b : sides_[1 - side]->buckets) {
    if (b.max_time == INT64_MIN || b.max_time < add_sat(min_t, lo) ||
        b.min_time > add_sat(max_t, hi))
      continue;
    mine.clear();
    theirs.clear();
    for (uint32_t i = 0; i < in.num_rows; ++i) {
      if (time_col.is_null(i) || any_null(keys, i)) continue;
      for (uint32_t r = b.heads[hashes[i] & b.mask]; r; r = b.chain[r - 1])
        if (b.hashes[r - 1] == hashes[i]) {
          mine.push_back(i);
          theirs.push_back(r - 1);
        }
    }
    if (mine.empty()) continue;
    std::vector<uint8_t> equal(mine.size(), 1);
    for (size_t k = 0; k < keys.size(); ++k)
      compare_rows(*keys[k], mine.data(), *b.keys[k], theirs.data(), mine.size(), equal.data());
    size_t w = 0;
    for (size_t j = 0; j < mine.size(); ++j)
      if (equal[j]) {
        mine[w] = mine[j];
        theirs[w] = theirs[j];
        ++w;
      }
    mine.resize(w);
    theirs.resize(w);
    if (mine.empty()) continue;
    Batch joined = output(side, in, mine, &b.rows, theirs);
    if (residual_) {
      std::vector<uint32_t> sel;
      evaluator_.select(*residual_, joined, &sel);
      if (sel.size() != joined.num_rows) {
        joined = gather(joined, sel.data(), sel.size());
        std::vector<uint32_t> m2, t2;
        for (uint32_t s : sel) {
          m2.push_back(mine[s]);
          t2.push_back(theirs[s]);
        }
        mine.swap(m2);
        theirs.swap(t2);
      }
    }
    for (size_t j = 0; j < mine.size(); ++j) {
      (*matched)[mine[j]] = 1;
      b.matched[theirs[j]] = 1;
    }
    if (joined.num_rows > 0) {
      joined.schema = schema_;
      ready_.push_back(std::move(joined));
    }
  }
}

void IntervalJoinOperator::store(int side, Batch in, std::vector<ColumnPtr> keys,
                                 std::vector<uint64_t> hashes, std::vector<uint8_t> matched) {
  Bucket b;
  size_t n = in.num_rows;
  const Column& time_col = *in.columns[side == 0 ? bounds_.left_time : bounds_.right_time];
  const int64_t* times = time_col.values<int64_t>();
  for (size_t i = 0; i < n; ++i)
    if (!time_col.is_null(i)) {
      b.min_time = std::min(b.min_time, times[i]);
      b.max_time = std::max(b.max_time, times[i]);
    }
  size_t slots = 16;
  while (slots < 2 * n) slots *= 2;
  b.heads.assign(slots, 0);
  b.chain.assign(n, 0);
  b.mask = slots - 1;
  for (uint32_t i = 0; i < n; ++i) {
    if (any_null(keys, i)) continue;  // a NULL key never matches
    uint64_t slot = hashes[i] & b.mask;
    b.chain[i] = b.heads[slot];
    b.heads[slot] = i + 1;
  }
  b.rows = std::move(in);
  b.keys = std::move(keys);
  b.hashes = std::move(hashes);
  b.matched = std::move(matched);
  sides_[side]->rows += n;
  sides_[side]->buckets.push_back(std::move(b));
}

void IntervalJoinOperator::consume(int side, const Batch& in) {
  if (!in.append_only())
    throw_not_supported("a join of two streams over a changelog input (updates/deletes)");
  size_t n = in.num_rows;
  std::vector<ColumnPtr> keys;
  for (const auto& k : keys_[side]) keys.push_back(evaluator_.evaluate(*k, in));
  std::vector<uint64_t> hashes(n, 0);
  for (size_t k = 0; k < keys.size(); ++k) hash_column(*keys[k], n, hashes.data(), k > 0);
  const Column& time_col = *in.columns[side == 0 ? bounds_.left_time : bounds_.right_time];
  std::vector<uint8_t> matched(n, 0);
  probe(side, in, keys, hashes, time_col.values<int64_t>(), &matched);
  if (done_[1 - side]) {
    // The other side ended: nothing can match these rows later.
    if (keeps_unmatched(side)) emit_unmatched(side, in, matched);
    return;
  }
  store(side, in, std::move(keys), std::move(hashes), std::move(matched));
}

void IntervalJoinOperator::expire() {
  // A left row at t can still match a future right row (time > wr - right_slack) while
  // t + upper > wr - right_slack; a right row at t while t - lower > wl - left_slack.
  for (int side = 0; side < 2; ++side) {
    int64_t other_watermark = sides_[1 - side]->watermark;
    if (other_watermark == kNoWatermark) continue;
    int64_t slack = side == 0 ? bounds_.right_slack : bounds_.left_slack;
    int64_t reach = side == 0 ? bounds_.upper : -bounds_.lower;
    int64_t limit = other_watermark == kEndOfTime ? INT64_MAX : add_sat(other_watermark, -slack);
    auto& buckets = sides_[side]->buckets;
    size_t kept = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
      Bucket& b = buckets[i];
      bool gone = other_watermark == kEndOfTime || b.max_time == INT64_MIN ||
                  add_sat(b.max_time, reach) <= limit;
      if (!gone) {
        if (kept != i) buckets[kept] = std::move(b);
        ++kept;
        continue;
      }
      if (keeps_unmatched(side)) emit_unmatched(side, b.rows, b.matched);
      sides_[side]->rows -= b.rows.num_rows;
    }
    buckets.resize(kept);
  }
}

int64_t IntervalJoinOperator::output_watermark() const {
  int64_t wl = sides_[0]->watermark, wr = sides_[1]->watermark;
  if (wl == kNoWatermark || wr == kNoWatermark) return kNoWatermark;
  int64_t w = std::min(wl, wr);
  if (w == kEndOfTime) return kEndOfTime;
  // Matched rows may carry times this far behind the inputs' watermarks.
  int64_t behind = std::max(std::llabs(bounds_.lower), std::llabs(bounds_.upper)) +
                   std::max(bounds_.left_slack, bounds_.right_slack) +
                   std::max(bounds_.left_spread, bounds_.right_spread);
  return add_sat(w, -behind);
}

void IntervalJoinOperator::enable_checkpoints(std::string key) {
  checkpoint_key_ = std::move(key);
  if (const std::string* saved = context_->checkpoints->restored_state(checkpoint_key_))
    load_state(*saved);
}

std::string IntervalJoinOperator::save_state() const {
  ByteWriter w;
  w.put<int64_t>(emitted_watermark_);
  for (const auto& side : sides_) {
    w.put<int64_t>(side->watermark);
    w.put<uint64_t>(side->buckets.size());
    for (const Bucket& b : side->buckets) {
      w.put<uint64_t>(b.rows.num_rows);
      for (const auto& c : b.rows.columns) c->serialize(w);
      w.put_bytes(b.matched.data(), b.matched.size());
    }
  }
  return w.take();
}

void IntervalJoinOperator::load_state(const std::string& bytes) {
  ByteReader r(bytes, "stream join state in the checkpoint");
  emitted_watermark_ = r.get<int64_t>();
  for (int side = 0; side < 2; ++side) {
    sides_[side] = std::make_unique<Side>();
    sides_[side]->watermark = r.get<int64_t>();
    uint64_t buckets = r.get_count(8);
    const Schema& schema = *inputs_[side]->schema();
    for (uint64_t i = 0; i < buckets; ++i) {
      Batch rows;
      rows.schema = inputs_[side]->schema();
      rows.num_rows = r.get<uint64_t>();
      for (size_t c = 0; c < schema.size(); ++c) {
        rows.columns.push_back(Column::deserialize(schema.field(c).type, r));
        if (rows.columns.back()->size() != rows.num_rows) r.corrupt();
      }
      std::string_view matched = r.get_bytes();
      if (matched.size() != rows.num_rows) r.corrupt();
      std::vector<ColumnPtr> keys;
      for (const auto& k : keys_[side]) keys.push_back(evaluator_.evaluate(*k, rows));
      std::vector<uint64_t> hashes(rows.num_rows, 0);
      for (size_t k = 0; k < keys.size(); ++k)
        hash_column(*keys[k], rows.num_rows, hashes.data(), k > 0);
      store(side, std::move(rows), std::move(keys), std::move(hashes),
            std::vector<uint8_t>(matched.begin(), matched.end()));
    }
  }
  if (!r.at_end()) r.corrupt();
}

bool IntervalJoinOperator::next(Batch* out) {
  while (true) {
    if (!ready_.empty()) {
      *out = std::move(ready_.front());
      ready_.pop_front();
      out->schema = schema_;
      return true;
    }
    bool aligned = barrier_ != 0 && (done_[0] || at_barrier_[0]) && (done_[1] || at_barrier_[1]);
    if (aligned) {
      // Both inputs are at the barrier: the state holds exactly the rows before it.
      if (!checkpoint_key_.empty())
        context_->checkpoints->record_state(checkpoint_key_, barrier_, save_state());
      *out = Batch::empty(schema_);
      out->barrier = barrier_;
      barrier_ = 0;
      at_barrier_[0] = at_barrier_[1] = false;
      return true;
    }
    if (done_[0] && done_[1]) return false;
    int side = current_;
    if (done_[side] || at_barrier_[side]) side = 1 - side;
    current_ = 1 - side;  // turns, so a busy side cannot starve the other
    Batch in;
    if (!inputs_[side]->next(&in)) {
      done_[side] = true;
      inputs_[side].reset();
      sides_[side]->watermark = kEndOfTime;
      expire();
      int64_t w = output_watermark();
      if (w != kNoWatermark && w > emitted_watermark_ && !(done_[0] && done_[1])) {
        emitted_watermark_ = w;
        Batch hb = Batch::empty(schema_);
        hb.watermark = w;
        ready_.push_back(std::move(hb));
      }
      continue;
    }
    if (in.num_rows > 0) consume(side, in);
    if (in.watermark != kNoWatermark && in.watermark > sides_[side]->watermark) {
      sides_[side]->watermark = in.watermark;
      expire();
    }
    if (in.barrier) {
      barrier_ = in.barrier;
      at_barrier_[side] = true;
    }
    int64_t w = output_watermark();
    bool moved = w != kNoWatermark && w > emitted_watermark_;
    if (moved) emitted_watermark_ = w;
    bool other_blocked = done_[1 - side] || at_barrier_[1 - side];
    if (in.drained) {
      drained_in_a_row_ = other_blocked ? 2 : drained_in_a_row_ + 1;
    } else if (in.num_rows > 0) {
      drained_in_a_row_ = 0;
    }
    bool drained = drained_in_a_row_ >= 2;
    if (drained) drained_in_a_row_ = 0;
    if (moved || drained) {
      // After the results the time made (and the rows that expired with it).
      Batch hb = Batch::empty(schema_);
      hb.watermark = moved ? w : kNoWatermark;
      hb.drained = drained;
      ready_.push_back(std::move(hb));
    }
  }
}

}  // namespace velo
