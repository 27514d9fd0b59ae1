#include "velo/exec/operators/window_function.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "velo/types/error.h"

namespace velo {

namespace {

bool same_expr(const BoundExpr& a, const BoundExpr& b) {
  if (a.kind != b.kind || !(a.type == b.type) || a.column != b.column || a.name != b.name ||
      a.args.size() != b.args.size())
    return false;
  if (a.kind == BoundExpr::Kind::kConstant) {
    if (a.constant.is_null() != b.constant.is_null()) return false;
    if (!a.constant.is_null() && a.constant.compare(b.constant) != 0) return false;
  }
  if (a.kind == BoundExpr::Kind::kCall && a.call.kernel != b.call.kernel) return false;
  for (size_t i = 0; i < a.args.size(); ++i)
    if (!same_expr(*a.args[i], *b.args[i])) return false;
  return true;
}

// True when both expressions sort and partition the rows the same way (one sort serves both).
bool same_window(const WindowExpr& a, const WindowExpr& b) {
  if (a.partition_by.size() != b.partition_by.size() || a.order_by.size() != b.order_by.size())
    return false;
  for (size_t i = 0; i < a.partition_by.size(); ++i)
    if (!same_expr(*a.partition_by[i], *b.partition_by[i])) return false;
  for (size_t i = 0; i < a.order_by.size(); ++i) {
    const SortKey& x = a.order_by[i];
    const SortKey& y = b.order_by[i];
    if (x.descending != y.descending || x.nulls_first != y.nulls_first ||
        !same_expr(*x.expr, *y.expr))
      return false;
  }
  return true;
}

/// The rows of one (PARTITION BY, ORDER BY) in sorted order, with partition and peer bounds.
struct SortedRows {
  std::vector<uint32_t> perm;        // sorted position -> input row
  std::vector<uint32_t> partitions;  // first sorted position of each partition, then n
  std::vector<uint32_t> peer_begin;  // per sorted position: first row of its peer group
  std::vector<uint32_t> peer_end;    // per sorted position: one past its peer group
};

/// One key of the window sort. Fixed-width keys get order-preserving uint64 codes (direction
/// included) so the comparator does no type dispatch; other types use compare_values.
struct SortColumn {
  ColumnPtr column;
  bool descending = false;
  bool nulls_first = true;
  bool has_nulls = false;
  std::vector<uint64_t> code;
};

constexpr uint64_t kSignBit = uint64_t{1} << 63;

bool encode_keys(SortColumn* k) {
  const Column& c = *k->column;
  size_t n = c.size();
  auto fill = [&](auto&& code_of) {
    k->code.resize(n);
    for (size_t i = 0; i < n; ++i) {
      uint64_t v = code_of(i);
      k->code[i] = k->descending ? ~v : v;
    }
  };
  switch (c.type().id()) {
    case TypeId::kBoolean:
      fill([&](size_t i) { return uint64_t{c.value<uint8_t>(i)}; });
      return true;
    case TypeId::kInt32:
    case TypeId::kDate:
      fill([&](size_t i) {
        return static_cast<uint64_t>(static_cast<int64_t>(c.value<int32_t>(i))) ^ kSignBit;
      });
      return true;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      fill([&](size_t i) { return static_cast<uint64_t>(c.value<int64_t>(i)) ^ kSignBit; });
      return true;
    case TypeId::kDouble:
      fill([&](size_t i) {
        double d = c.value<double>(i);
        if (std::isnan(d)) return ~uint64_t{0};  // NaN after every number, as compare_values
        if (d == 0) d = 0;                       // -0.0 == 0.0
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        return (bits & kSignBit) ? ~bits : bits | kSignBit;
      });
      return true;
    default:
      return false;
  }
}

SortedRows sort_rows(const Batch& all, const WindowExpr& spec, Evaluator* ev) {
  size_t n = all.num_rows;
  // Partition keys first (any total order keeps partitions contiguous), then the ORDER BY.
  std::vector<SortColumn> keys;
  for (const auto& p : spec.partition_by) keys.push_back(SortColumn{ev->evaluate(*p, all)});
  size_t num_part = keys.size();
  for (const auto& k : spec.order_by)
    keys.push_back(SortColumn{ev->evaluate(*k.expr, all), k.descending, k.nulls_first});
  for (auto& k : keys) {
    k.has_nulls = k.column->null_count() > 0;
    encode_keys(&k);
  }
  SortedRows s;
  s.perm.resize(n);
  std::iota(s.perm.begin(), s.perm.end(), 0u);
  if (!keys.empty()) {
    auto less = [&](uint32_t x, uint32_t y) {
      for (const auto& k : keys) {
        if (k.has_nulls) {
          bool xn = k.column->is_null(x), yn = k.column->is_null(y);
          if (xn || yn) {
            if (xn == yn) continue;
            return xn == k.nulls_first;
          }
        }
        if (!k.code.empty()) {
          if (k.code[x] != k.code[y]) return k.code[x] < k.code[y];
          continue;
        }
        int r = compare_values(*k.column, x, *k.column, y);
        if (r != 0) return k.descending ? r > 0 : r < 0;
      }
      return x < y;  // ties keep the input order
    };
    std::sort(s.perm.begin(), s.perm.end(), less);
  }
  auto differs = [&](size_t begin, size_t end, uint32_t x, uint32_t y) {
    for (size_t i = begin; i < end; ++i) {
      const SortColumn& k = keys[i];
      if (k.has_nulls) {
        bool xn = k.column->is_null(x), yn = k.column->is_null(y);
        if (xn || yn) {
          if (xn != yn) return true;
          continue;
        }
      }
      if (!k.code.empty() ? k.code[x] != k.code[y]
                          : compare_values(*k.column, x, *k.column, y) != 0)
        return true;
    }
    return false;
  };
  s.peer_begin.resize(n);
  s.peer_end.resize(n);
  s.partitions.push_back(0);
  uint32_t peer = 0;
  for (uint32_t i = 1; i < n; ++i) {
    bool new_partition = differs(0, num_part, s.perm[i - 1], s.perm[i]);
    if (new_partition) s.partitions.push_back(i);
    if (new_partition || differs(num_part, keys.size(), s.perm[i - 1], s.perm[i])) {
      for (uint32_t j = peer; j < i; ++j) s.peer_end[j] = i;
      peer = i;
    }
    s.peer_begin[i] = peer;
  }
  for (uint32_t j = peer; j < n; ++j) s.peer_end[j] = static_cast<uint32_t>(n);
  s.partitions.push_back(static_cast<uint32_t>(n));
  return s;
}

/// Frame [start, end) of every sorted position (empty frames have start == end).
struct Frames {
  std::vector<uint32_t> start, end;
};

Frames compute_frames(const WindowExpr& e, const SortedRows& s, const Batch& all, Evaluator* ev) {
  const WindowFrame& f = e.frame;
  size_t n = s.perm.size();
  Frames out;
  out.start.resize(n);
  out.end.resize(n);
  ColumnPtr key, bstart, bend;
  if (f.range_key) key = ev->evaluate(*f.range_key, all);
  if (f.range_start) bstart = ev->evaluate(*f.range_start, all);
  if (f.range_end) bend = ev->evaluate(*f.range_end, all);
  bool desc = !e.order_by.empty() && e.order_by[0].descending;
  for (size_t p = 0; p + 1 < s.partitions.size(); ++p) {
    int64_t pb = s.partitions[p], pe = s.partitions[p + 1];
    // RANGE offsets search the rows with a non-NULL key (NULLs sort together at one end).
    int64_t nb = pb, ne = pe;
    if (key) {
      while (nb < pe && key->is_null(s.perm[nb])) ++nb;
      ne = nb;
      while (ne < pe && !key->is_null(s.perm[ne])) ++ne;
    }
    // First position in [nb, ne) whose key is not before `bound` (upper: is after `bound`).
    auto search = [&](const Column& bound, uint32_t row, bool upper) {
      int64_t lo = nb, hi = ne;
      while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = compare_values(*key, s.perm[mid], bound, row);
        if (desc) c = -c;
        bool go_right = upper ? c <= 0 : c < 0;
        if (go_right)
          lo = mid + 1;
        else
          hi = mid;
      }
      return lo;
    };
    for (int64_t i = pb; i < pe; ++i) {
      uint32_t row = s.perm[i];
      bool null_key = key && key->is_null(row);
      int64_t st = pb, en = pe;
      switch (f.start) {
        case WindowFrameBound::kUnboundedPreceding:
          st = pb;
          break;
        case WindowFrameBound::kCurrentRow:
          st = f.rows ? i : s.peer_begin[i];
          break;
        case WindowFrameBound::kPreceding:
          if (f.rows)
            st = i - pb >= f.start_rows ? i - f.start_rows : pb;
          else
            st = null_key || bstart->is_null(row) ? s.peer_begin[i] : search(*bstart, row, false);
          break;
        case WindowFrameBound::kFollowing:
          if (f.rows)
            st = pe - i > f.start_rows ? i + f.start_rows : pe;
          else
            st = null_key || bstart->is_null(row) ? s.peer_begin[i] : search(*bstart, row, false);
          break;
        case WindowFrameBound::kUnboundedFollowing:
          st = pe;
          break;
      }
      switch (f.end) {
        case WindowFrameBound::kUnboundedFollowing:
          en = pe;
          break;
        case WindowFrameBound::kCurrentRow:
          en = f.rows ? i + 1 : s.peer_end[i];
          break;
        case WindowFrameBound::kFollowing:
          if (f.rows)
            en = pe - i > f.end_rows ? i + f.end_rows + 1 : pe;
          else
            en = null_key || bend->is_null(row) ? s.peer_end[i] : search(*bend, row, true);
          break;
        case WindowFrameBound::kPreceding:
          if (f.rows)
            en = i + 1 - pb > f.end_rows ? i + 1 - f.end_rows : pb;
          else
            en = null_key || bend->is_null(row) ? s.peer_end[i] : search(*bend, row, true);
          break;
        case WindowFrameBound::kUnboundedPreceding:
          en = pb;
          break;
      }
      if (en < st) en = st;
      out.start[i] = static_cast<uint32_t>(st);
      out.end[i] = static_cast<uint32_t>(en);
    }
  }
  return out;
}

bool needs_frames(WindowFunctionKind k) {
  return k == WindowFunctionKind::kAggregate || k == WindowFunctionKind::kFirstValue ||
         k == WindowFunctionKind::kLastValue || k == WindowFunctionKind::kNthValue;
}

// ---- ranking ---------------------------------------------------------------------------------

ColumnPtr compute_ranking(const WindowExpr& e, const SortedRows& s, const Batch& all,
                          Evaluator* ev) {
  size_t n = s.perm.size();
  auto out = Column::make(e.type);
  out->resize(n);
  ColumnPtr buckets;
  if (e.kind == WindowFunctionKind::kNtile) buckets = ev->evaluate(*e.args[0], all);
  for (size_t p = 0; p + 1 < s.partitions.size(); ++p) {
    uint32_t pb = s.partitions[p], pe = s.partitions[p + 1];
    int64_t size = pe - pb;
    int64_t dense = 0;
    for (uint32_t i = pb; i < pe; ++i) {
      uint32_t row = s.perm[i];
      switch (e.kind) {
        case WindowFunctionKind::kRowNumber:
          out->values<int64_t>()[row] = i - pb + 1;
          break;
        case WindowFunctionKind::kRank:
          out->values<int64_t>()[row] = s.peer_begin[i] - pb + 1;
          break;
        case WindowFunctionKind::kDenseRank:
          if (s.peer_begin[i] == i) ++dense;
          out->values<int64_t>()[row] = dense;
          break;
        case WindowFunctionKind::kPercentRank:
          out->values<double>()[row] =
              size > 1 ? static_cast<double>(s.peer_begin[i] - pb) / static_cast<double>(size - 1)
                       : 0.0;
          break;
        case WindowFunctionKind::kCumeDist:
          out->values<double>()[row] =
              static_cast<double>(s.peer_end[i] - pb) / static_cast<double>(size);
          break;
        case WindowFunctionKind::kNtile: {
          if (buckets->is_null(row)) {
            out->values<int64_t>()[row] = 0;
            out->set_null(row);
            break;
          }
          int64_t k = buckets->value<int64_t>(row);
          if (k <= 0) throw_user_error("NTILE() needs a positive number of buckets, got {}", k);
          // As DuckDB: the first (size % k) buckets get one row more.
          int64_t per = size / k, large = size - k * per, big_rows = large * (per + 1);
          int64_t idx = i - pb;
          out->values<int64_t>()[row] =
              idx < big_rows ? 1 + idx / (per + 1) : 1 + large + (idx - big_rows) / per;
          break;
        }
        default:
          throw_internal_error("not a ranking function");
      }
    }
  }
  return out;
}

// ---- value functions (LAG, LEAD, FIRST_VALUE, LAST_VALUE, NTH_VALUE) -----------------------

constexpr int64_t kUseDefault = -1;
constexpr int64_t kNullValue = -2;

// Row `idx[r]` of `values` for every output row r; kUseDefault takes row r of `defaults`
// (NULL without defaults), kNullValue is NULL.
ColumnPtr take(const Column& values, const std::vector<int64_t>& idx, const Column* defaults) {
  size_t n = idx.size();
  bool mixed = false;
  if (defaults)
    for (size_t r = 0; r < n && !mixed; ++r) mixed = idx[r] == kUseDefault && defaults->is_valid(r);
  if (mixed) {
    auto out = Column::make(values.type());
    out->reserve(n);
    for (size_t r = 0; r < n; ++r) {
      if (idx[r] >= 0)
        out->append_from(values, idx[r]);
      else if (idx[r] == kUseDefault)
        out->append_from(*defaults, r);
      else
        out->append_null();
    }
    return out;
  }
  std::vector<uint32_t> sel(n);
  for (size_t r = 0; r < n; ++r) sel[r] = idx[r] >= 0 ? static_cast<uint32_t>(idx[r]) : 0;
  ColumnPtr out = gather(values, sel.data(), n);
  if (values.type().id() != TypeId::kNull)
    for (size_t r = 0; r < n; ++r)
      if (idx[r] < 0) out->set_null(r);
  return out;
}

ColumnPtr compute_value(const WindowExpr& e, const SortedRows& s, const Frames& frames,
                        const Batch& all, Evaluator* ev) {
  size_t n = s.perm.size();
  ColumnPtr values = ev->evaluate(*e.args[0], all);
  ColumnPtr second, defaults;
  if (e.args.size() > 1) second = ev->evaluate(*e.args[1], all);
  if (e.args.size() > 2) defaults = ev->evaluate(*e.args[2], all);
  std::vector<int64_t> idx(n, kNullValue);
  for (size_t p = 0; p + 1 < s.partitions.size(); ++p) {
    int64_t pb = s.partitions[p], pe = s.partitions[p + 1];
    for (int64_t i = pb; i < pe; ++i) {
      uint32_t row = s.perm[i];
      switch (e.kind) {
        case WindowFunctionKind::kLag:
        case WindowFunctionKind::kLead: {
          if (second->is_null(row)) break;
          int64_t off = second->value<int64_t>(row);
          int64_t j = e.kind == WindowFunctionKind::kLag ? i - off : i + off;
          idx[row] = j >= pb && j < pe ? s.perm[j] : kUseDefault;
          break;
        }
        case WindowFunctionKind::kFirstValue:
          if (frames.start[i] < frames.end[i]) idx[row] = s.perm[frames.start[i]];
          break;
        case WindowFunctionKind::kLastValue:
          if (frames.start[i] < frames.end[i]) idx[row] = s.perm[frames.end[i] - 1];
          break;
        case WindowFunctionKind::kNthValue: {
          if (second->is_null(row)) break;
          int64_t k = second->value<int64_t>(row);
          if (k <= 0) throw_user_error("NTH_VALUE() needs a positive row number, got {}", k);
          if (k <= static_cast<int64_t>(frames.end[i] - frames.start[i]))
            idx[row] = s.perm[frames.start[i] + k - 1];
          break;
        }
        default:
          throw_internal_error("not a value function");
      }
    }
  }
  return take(*values, idx, defaults.get());
}

// ---- aggregates ------------------------------------------------------------------------------

/// One aggregate state fed with frame rows. Rows are copied into scratch columns (reused, so no
/// allocation per row once warm) because update() reads its arguments from row 0.
class FrameAggregate {
 public:
  FrameAggregate(const WindowExpr& e, std::vector<ColumnPtr> args, ColumnPtr filter,
                 const std::vector<uint32_t>& perm)
      : f_(e.aggregate), args_(std::move(args)), filter_(std::move(filter)), perm_(perm) {
    bytes_ = std::make_unique<uint8_t[]>(f_.state_size + 32);
    auto addr = reinterpret_cast<uintptr_t>(bytes_.get());
    state_ = bytes_.get() + ((16 - (addr & 15)) & 15);
    for (const auto& a : args_) {
      scratch_.push_back(Column::make(a->type()));
      argv_.push_back(ArgVector{scratch_.back().get(), false});
    }
    if (f_.init) f_.init(state_, f_.bind_state.get());
    live_ = true;
  }
  ~FrameAggregate() { release(); }
  FrameAggregate(const FrameAggregate&) = delete;
  FrameAggregate& operator=(const FrameAggregate&) = delete;

  bool can_retract() const { return f_.retract != nullptr; }
  void reset() {
    release();
    if (f_.init) f_.init(state_, f_.bind_state.get());
    live_ = true;
  }
  void add(size_t begin, size_t end) { feed(begin, end, f_.update); }
  void remove(size_t begin, size_t end) { feed(begin, end, f_.retract); }
  void finalize(Column* out) {
    uint8_t* p = state_;
    f_.finalize(&p, 1, out, f_.bind_state.get());
  }

 private:
  using UpdateFn = void (*)(uint8_t**, const std::vector<ArgVector>&, size_t, const void*);
  static constexpr size_t kChunk = 4096;

  void release() {
    if (live_ && f_.destroy) f_.destroy(state_);
    live_ = false;
  }
  void feed(size_t begin, size_t end, UpdateFn fn) {
    while (begin < end) {
      size_t stop = std::min(end, begin + kChunk);
      for (auto& c : scratch_) c->clear();
      size_t k = 0;
      for (size_t i = begin; i < stop; ++i) {
        uint32_t row = perm_[i];
        if (filter_ && (filter_->is_null(row) || !filter_->value<uint8_t>(row))) continue;
        for (size_t c = 0; c < args_.size(); ++c) scratch_[c]->append_from(*args_[c], row);
        ++k;
      }
      if (k > 0) {
        ptrs_.assign(k, state_);
        fn(ptrs_.data(), argv_, k, f_.bind_state.get());
      }
      begin = stop;
    }
  }

  const BoundAggregate& f_;
  std::vector<ColumnPtr> args_;
  ColumnPtr filter_;
  const std::vector<uint32_t>& perm_;
  std::unique_ptr<uint8_t[]> bytes_;
  uint8_t* state_ = nullptr;
  bool live_ = false;
  std::vector<ColumnPtr> scratch_;
  std::vector<ArgVector> argv_;
  std::vector<uint8_t*> ptrs_;
};

ColumnPtr compute_aggregate(const WindowExpr& e, const SortedRows& s, const Frames& frames,
                            const Batch& all, Evaluator* ev) {
  size_t n = s.perm.size();
  std::vector<ColumnPtr> args;
  for (const auto& a : e.args) args.push_back(ev->evaluate(*a, all));
  ColumnPtr filter = e.filter ? ev->evaluate(*e.filter, all) : nullptr;
  FrameAggregate agg(e, std::move(args), std::move(filter), s.perm);
  // One result per distinct frame; `map` sends every input row to its result.
  auto results = Column::make(e.aggregate.return_type);
  std::vector<uint32_t> map(n);
  const WindowFrame& f = e.frame;
  // Frames that all end at the partition end and start at moving rows: sweep backwards so the
  // state only grows (when the aggregate does not care about the order it is fed in).
  bool backward = f.end == WindowFrameBound::kUnboundedFollowing &&
                  f.start != WindowFrameBound::kUnboundedPreceding && !e.order_sensitive;
  for (size_t p = 0; p + 1 < s.partitions.size(); ++p) {
    uint32_t pb = s.partitions[p], pe = s.partitions[p + 1];
    agg.reset();
    bool have = false;
    uint32_t last = 0, prev_s = 0, prev_e = 0;
    auto emit = [&](uint32_t i) {
      agg.finalize(results.get());
      last = static_cast<uint32_t>(results->size() - 1);
      have = true;
      prev_s = frames.start[i];
      prev_e = frames.end[i];
      map[s.perm[i]] = last;
    };
    if (backward) {
      uint32_t cs = pe;  // the state holds rows [cs, pe)
      for (uint32_t i = pe; i-- > pb;) {
        uint32_t st = frames.start[i];
        if (have && st == prev_s) {
          map[s.perm[i]] = last;
          continue;
        }
        if (st < cs) {
          agg.add(st, cs);
        } else if (st > cs) {
          agg.reset();
          agg.add(st, pe);
        }
        cs = st;
        emit(i);
      }
      continue;
    }
    uint32_t cs = pb, ce = pb;  // the state holds rows [cs, ce)
    for (uint32_t i = pb; i < pe; ++i) {
      uint32_t st = frames.start[i], en = frames.end[i];
      if (have && st == prev_s && en == prev_e) {
        map[s.perm[i]] = last;
        continue;
      }
      if (st < cs || en < ce) {
        agg.reset();
        cs = ce = st;
      } else if (st > cs) {
        if (agg.can_retract() && st <= ce) {
          agg.remove(cs, st);
          cs = st;
        } else {
          agg.reset();
          cs = ce = st;
        }
      }
      if (en > ce) {
        agg.add(ce, en);
        ce = en;
      }
      emit(i);
    }
  }
  return gather(*results, map.data(), n);
}

}  // namespace

WindowFunctionOperator::WindowFunctionOperator(OperatorPtr child, std::vector<WindowExpr> exprs,
                                               SchemaPtr schema)
    : Operator(std::move(schema)), child_(std::move(child)), exprs_(std::move(exprs)) {}

bool WindowFunctionOperator::next(Batch* out) {
  if (exprs_.empty()) {
    // Every window column was pruned: pass the input through.
    while (child_->next(out)) {
      if (out->num_rows == 0) continue;
      out->schema = schema_;
      return true;
    }
    return false;
  }
  if (!computed_) compute();
  if (pos_ >= result_.num_rows) return false;
  size_t take_rows = std::min(kDefaultBatchRows, result_.num_rows - pos_);
  *out = pos_ == 0 && take_rows == result_.num_rows ? result_ : slice(result_, pos_, take_rows);
  out->schema = schema_;
  pos_ += take_rows;
  return true;
}

void WindowFunctionOperator::compute() {
  computed_ = true;
  std::vector<Batch> batches;
  Batch b;
  while (child_->next(&b)) {
    if (b.num_rows > 0) batches.push_back(std::move(b));
    b = Batch();
  }
  if (batches.empty()) return;
  Batch all = concat(batches, child_->schema());
  batches.clear();
  size_t n = all.num_rows;
  Evaluator ev;
  std::vector<ColumnPtr> columns(exprs_.size());
  std::vector<bool> done(exprs_.size(), false);
  for (size_t i = 0; i < exprs_.size(); ++i) {
    if (done[i]) continue;
    // One sort per distinct window; every expression over the same window shares it.
    SortedRows sorted = sort_rows(all, exprs_[i], &ev);
    for (size_t j = i; j < exprs_.size(); ++j) {
      if (done[j] || !same_window(exprs_[i], exprs_[j])) continue;
      done[j] = true;
      const WindowExpr& e = exprs_[j];
      Frames frames;
      if (needs_frames(e.kind)) frames = compute_frames(e, sorted, all, &ev);
      switch (e.kind) {
        case WindowFunctionKind::kRowNumber:
        case WindowFunctionKind::kRank:
        case WindowFunctionKind::kDenseRank:
        case WindowFunctionKind::kPercentRank:
        case WindowFunctionKind::kCumeDist:
        case WindowFunctionKind::kNtile:
          columns[j] = compute_ranking(e, sorted, all, &ev);
          break;
        case WindowFunctionKind::kLag:
        case WindowFunctionKind::kLead:
        case WindowFunctionKind::kFirstValue:
        case WindowFunctionKind::kLastValue:
        case WindowFunctionKind::kNthValue:
          columns[j] = compute_value(e, sorted, frames, all, &ev);
          break;
        case WindowFunctionKind::kAggregate:
          columns[j] = compute_aggregate(e, sorted, frames, all, &ev);
          break;
      }
    }
  }
  result_.schema = schema_;
  result_.num_rows = n;
  result_.columns = all.columns;
  for (auto& c : columns) result_.columns.push_back(std::move(c));
  result_.row_kinds = std::move(all.row_kinds);
}

}  // namespace velo
