#include "velo/exec/operators/hash_join.h"

#include "velo/exec/hash.h"
#include "velo/exec/operators/join_output.h"
#include "velo/types/error.h"

namespace velo {

HashJoinOperator::HashJoinOperator(OperatorPtr probe, OperatorPtr build, JoinKind kind,
                                   std::vector<BoundExprPtr> probe_keys,
                                   std::vector<BoundExprPtr> build_keys, BoundExprPtr residual,
                                   SchemaPtr schema)
    : Operator(std::move(schema)),
      probe_(std::move(probe)),
      build_(std::move(build)),
      kind_(kind),
      probe_keys_(std::move(probe_keys)),
      build_keys_(std::move(build_keys)),
      residual_(std::move(residual)) {
  probe_columns_ = probe_->schema()->size();
}

void HashJoinOperator::refresh_every(int64_t interval_us, const Clock* clock,
                                     std::function<OperatorPtr()> rebuild) {
  refresh_interval_ = interval_us;
  clock_ = clock;
  rebuild_ = std::move(rebuild);
}

void HashJoinOperator::maybe_refresh() {
  if (refresh_interval_ <= 0 || clock_->now_micros() - loaded_at_ < refresh_interval_) return;
  build_ = rebuild_();
  build_key_cols_.clear();
  heads_.clear();
  chain_.clear();
  build_hashes_.clear();
  build_table();
}

void HashJoinOperator::build_table() {
  built_ = true;
  if (clock_) loaded_at_ = clock_->now_micros();
  std::vector<Batch> batches;
  Batch b;
  while (build_->next(&b))
    if (b.num_rows > 0) batches.push_back(std::move(b));
  build_rows_ = batches.empty() ? Batch::empty(build_->schema()) : concat(batches, build_->schema());
  build_rows_.schema = build_->schema();
  batches.clear();
  build_.reset();
  size_t n = build_rows_.num_rows;
  if (n >= kNoRow) throw_not_supported("join build side with more than 4 billion rows");
  build_matched_.assign(n, 0);
  if (probe_keys_.empty()) return;
  for (const auto& k : build_keys_) build_key_cols_.push_back(evaluator_.evaluate(*k, build_rows_));
  build_hashes_.resize(n);
  for (size_t k = 0; k < build_key_cols_.size(); ++k)
    hash_column(*build_key_cols_[k], n, build_hashes_.data(), k > 0);
  size_t buckets = 16;
  while (buckets < n * 2) buckets *= 2;
  heads_.assign(buckets, 0);
  chain_.assign(n, 0);
  mask_ = buckets - 1;
  for (uint32_t r = 0; r < n; ++r) {
    bool has_null = false;
    for (const auto& c : build_key_cols_) has_null |= c->is_null(r);
    if (has_null) continue;  // NULL keys never match
    uint64_t bucket = build_hashes_[r] & mask_;
    chain_[r] = heads_[bucket];
    heads_[bucket] = r + 1;
  }
}

Batch HashJoinOperator::make_output(const Batch& probe, const std::vector<uint32_t>& probe_rows,
                                    const std::vector<uint32_t>& build_rows) {
  Batch out;
  out.schema = schema_;
  out.num_rows = probe_rows.size();
  for (const auto& c : probe.columns) out.columns.push_back(gather_or_null(*c, probe_rows));
  for (const auto& c : build_rows_.columns) out.columns.push_back(gather_or_null(*c, build_rows));
  if (!probe.row_kinds.empty()) {
    // A changelog probe side: each output row carries the change of its probe row.
    out.row_kinds.resize(probe_rows.size(), RowKind::kInsert);
    for (size_t i = 0; i < probe_rows.size(); ++i)
      if (probe_rows[i] != kNoRow) out.row_kinds[i] = probe.row_kinds[probe_rows[i]];
  }
  return out;
}

bool HashJoinOperator::next(Batch* out) {
  if (!built_) build_table();
  bool keep_unmatched_probe = kind_ == JoinKind::kLeft || kind_ == JoinKind::kFull;
  bool track_build = kind_ == JoinKind::kRight || kind_ == JoinKind::kFull;
  std::vector<uint32_t> probe_rows, build_rows, sel;
  Batch in;
  while (!probe_done_) {
    if (!probe_->next(&in)) {
      probe_done_ = true;
      break;
    }
    size_t n = in.num_rows;
    if (n == 0) {
      maybe_refresh();
      *out = Batch::heartbeat(schema_, in);
      return true;
    }
    maybe_refresh();
    probe_rows.clear();
    build_rows.clear();
    if (probe_keys_.empty()) {
      for (uint32_t i = 0; i < n; ++i)
        for (uint32_t r = 0; r < build_rows_.num_rows; ++r) {
          probe_rows.push_back(i);
          build_rows.push_back(r);
        }
    } else {
      std::vector<ColumnPtr> keys;
      for (const auto& k : probe_keys_) keys.push_back(evaluator_.evaluate(*k, in));
      std::vector<uint64_t> hashes(n);
      for (size_t k = 0; k < keys.size(); ++k) hash_column(*keys[k], n, hashes.data(), k > 0);
      for (uint32_t i = 0; i < n; ++i) {
        bool has_null = false;
        for (const auto& c : keys) has_null |= c->is_null(i);
        if (has_null) continue;
        for (uint32_t r = heads_.empty() ? 0 : heads_[hashes[i] & mask_]; r; r = chain_[r - 1]) {
          if (build_hashes_[r - 1] != hashes[i]) continue;
          probe_rows.push_back(i);
          build_rows.push_back(r - 1);
        }
      }
      if (!probe_rows.empty()) {
        std::vector<uint8_t> equal(probe_rows.size(), 1);
        for (size_t k = 0; k < keys.size(); ++k)
          compare_rows(*keys[k], probe_rows.data(), *build_key_cols_[k], build_rows.data(),
                       probe_rows.size(), equal.data());
        size_t w = 0;
        for (size_t j = 0; j < probe_rows.size(); ++j) {
          if (!equal[j]) continue;
          probe_rows[w] = probe_rows[j];
          build_rows[w] = build_rows[j];
          ++w;
        }
        probe_rows.resize(w);
        build_rows.resize(w);
      }
    }
    Batch joined = make_output(in, probe_rows, build_rows);
    if (residual_ && joined.num_rows > 0) {
      evaluator_.select(*residual_, joined, &sel);
      if (sel.size() != joined.num_rows) {
        joined = gather(joined, sel.data(), sel.size());
        std::vector<uint32_t> p2, b2;
        for (uint32_t s : sel) {
          p2.push_back(probe_rows[s]);
          b2.push_back(build_rows[s]);
        }
        probe_rows.swap(p2);
        build_rows.swap(b2);
      }
    }
    if (track_build)
      for (uint32_t r : build_rows) build_matched_[r] = 1;
    if (keep_unmatched_probe) {
      std::vector<uint8_t> matched(n, 0);
      for (uint32_t p : probe_rows) matched[p] = 1;
      std::vector<uint32_t> lp, lb;
      for (uint32_t i = 0; i < n; ++i)
        if (!matched[i]) {
          lp.push_back(i);
          lb.push_back(kNoRow);
        }
      if (!lp.empty()) {
        Batch pad = make_output(in, lp, lb);
        joined = joined.num_rows ? concat({joined, pad}, schema_) : pad;
      }
    }
    if (joined.num_rows == 0) {
      if (in.watermark == kNoWatermark) continue;
      joined = Batch::empty(schema_);
    }
    joined.watermark = in.watermark;
    *out = std::move(joined);
    return true;
  }
  if (track_build) return emit_unmatched_build(out);
  return false;
}

bool HashJoinOperator::emit_unmatched_build(Batch* out) {
  std::vector<uint32_t> probe_rows, build_rows;
  while (unmatched_pos_ < build_matched_.size() && build_rows.size() < kDefaultBatchRows) {
    if (!build_matched_[unmatched_pos_]) {
      probe_rows.push_back(kNoRow);
      build_rows.push_back(static_cast<uint32_t>(unmatched_pos_));
    }
    ++unmatched_pos_;
  }
  if (build_rows.empty()) return false;
  Batch empty_probe = Batch::empty(probe_->schema());
  *out = make_output(empty_probe, probe_rows, build_rows);
  return true;
}

}  // namespace velo
