// WindowFunctionOperator on hand-made batches: ranking, value functions, frames (ROWS, RANGE
// with peers and offsets) checked against a brute-force reference on random data, output order,
// empty input and errors.
#include "velo/exec/operators/window_function.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>

#include "velo/exec/function/function.h"
#include "velo/types/error.h"

namespace velo {
namespace {

SchemaPtr schema_of(std::vector<Field> f) { return std::make_shared<const Schema>(std::move(f)); }

class BatchesOperator : public Operator {
 public:
  BatchesOperator(SchemaPtr s, std::vector<Batch> b)
      : Operator(std::move(s)), batches_(std::move(b)) {}
  bool next(Batch* out) override {
    if (pos_ >= batches_.size()) return false;
    *out = batches_[pos_++];
    return true;
  }

 private:
  std::vector<Batch> batches_;
  size_t pos_ = 0;
};

using Opt = std::optional<int64_t>;

/// Rows of (p, o, x) INT64 columns, nullopt = NULL, split into batches of `per_batch` rows.
std::vector<Batch> make_batches(const SchemaPtr& s, const std::vector<std::array<Opt, 3>>& rows,
                                size_t per_batch) {
  std::vector<Batch> out;
  for (size_t begin = 0; begin < rows.size(); begin += per_batch) {
    Batch b = Batch::empty(s);
    size_t end = std::min(rows.size(), begin + per_batch);
    for (size_t r = begin; r < end; ++r)
      for (size_t c = 0; c < 3; ++c) {
        if (rows[r][c])
          b.columns[c]->append<int64_t>(*rows[r][c]);
        else
          b.columns[c]->append_null();
      }
    b.num_rows = end - begin;
    out.push_back(std::move(b));
  }
  return out;
}

const SchemaPtr& input_schema() {
  static SchemaPtr s = schema_of({{"p", DataType::int64(), true},
                                  {"o", DataType::int64(), true},
                                  {"x", DataType::int64(), true}});
  return s;
}

BoundExprPtr col(int i) {
  static const char* kNames[] = {"p", "o", "x"};
  return BoundExpr::column_ref(i, DataType::int64(), kNames[i]);
}

WindowExpr window(WindowFunctionKind kind, DataType type, bool partition = true,
                  bool order = true) {
  WindowExpr w;
  w.name = "w";
  w.kind = kind;
  w.type = std::move(type);
  if (partition) w.partition_by = {col(0)};
  if (order) w.order_by = {SortKey{col(1), false, false}};
  return w;
}

WindowExpr aggregate(const std::string& name, bool star = false) {
  AggregateCall call;
  call.star = star;
  if (!star) call.args = {BindArg{DataType::int64(), nullptr}};
  WindowExpr w = window(WindowFunctionKind::kAggregate, DataType::int64());
  w.aggregate = FunctionRegistry::instance().find_aggregate(name)->bind(call);
  w.type = w.aggregate.return_type;
  if (!star) w.args = {col(2)};
  w.order_sensitive = aggregate_is_order_sensitive(name);
  return w;
}

/// Runs the operator; returns every output column as rendered values, row-major.
std::vector<std::vector<std::string>> run(const std::vector<std::array<Opt, 3>>& rows,
                                          std::vector<WindowExpr> exprs, size_t per_batch = 3,
                                          size_t* batches_out = nullptr) {
  std::vector<Field> fields = input_schema()->fields();
  for (const auto& w : exprs) fields.push_back(Field{w.name, w.type, true});
  auto child = std::make_unique<BatchesOperator>(input_schema(),
                                                 make_batches(input_schema(), rows, per_batch));
  WindowFunctionOperator op(std::move(child), std::move(exprs), schema_of(fields));
  std::vector<std::vector<std::string>> out;
  Batch b;
  size_t batches = 0;
  while (op.next(&b)) {
    ++batches;
    EXPECT_EQ(b.columns.size(), fields.size());
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::vector<std::string> row;
      for (const auto& c : b.columns) row.push_back(c->value_at(r).to_string());
      out.push_back(std::move(row));
    }
  }
  if (batches_out) *batches_out = batches;
  return out;
}

std::vector<std::string> column(const std::vector<std::vector<std::string>>& rows, size_t c) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r[c]);
  return out;
}

using S = std::vector<std::string>;

const std::vector<std::array<Opt, 3>> kRows = {
    {1, 10, 100},
    {2, 5, 7},
    {1, 20, 200},
    {1, 10, 50},
    {2, std::nullopt, 9},
    {std::nullopt, 1, 1},
    {1, std::nullopt, std::nullopt},
    {2, 5, 3},
};

TEST(WindowFunctionTest, RankingInInputOrder) {
  auto rows = run(kRows, {window(WindowFunctionKind::kRowNumber, DataType::int64()),
                          window(WindowFunctionKind::kRank, DataType::int64()),
                          window(WindowFunctionKind::kDenseRank, DataType::int64())});
  ASSERT_EQ(rows.size(), kRows.size());
  // Input columns pass through in input order.
  EXPECT_EQ(column(rows, 2), (S{"100", "7", "200", "50", "9", "1", "NULL", "3"}));
  // p=1 sorted by o: (10,row0) (10,row3) (20,row2) (NULL,row6); ties keep input order.
  EXPECT_EQ(column(rows, 3), (S{"1", "1", "3", "2", "3", "1", "4", "2"}));
  EXPECT_EQ(column(rows, 4), (S{"1", "1", "3", "1", "3", "1", "4", "1"}));
  EXPECT_EQ(column(rows, 5), (S{"1", "1", "2", "1", "2", "1", "3", "1"}));
}

TEST(WindowFunctionTest, PercentRankCumeDistNtile) {
  WindowExpr ntile = window(WindowFunctionKind::kNtile, DataType::int64(), false, true);
  ntile.args = {BoundExpr::literal(Value::int64(3))};
  auto rows = run(kRows, {window(WindowFunctionKind::kPercentRank, DataType::float64()),
                          window(WindowFunctionKind::kCumeDist, DataType::float64()), ntile});
  // p=1: ranks 1,1,3,4 of 4 rows.
  auto d = [](double v) { return Value::float64(v).to_string(); };
  EXPECT_EQ(rows[0][3], d(0));
  EXPECT_EQ(rows[2][3], d(2.0 / 3.0));
  EXPECT_EQ(rows[6][3], d(1));
  EXPECT_EQ(rows[0][4], d(0.5));
  EXPECT_EQ(rows[2][4], d(0.75));
  EXPECT_EQ(rows[5][3], d(0));  // a one-row partition
  EXPECT_EQ(rows[5][4], d(1));
  // NTILE(3) over all 8 rows by o (NULLs last): buckets of 3, 3, 2.
  std::vector<int> count(4, 0);
  for (const auto& r : rows) count[std::stoi(r[5])]++;
  EXPECT_EQ(count[1], 3);
  EXPECT_EQ(count[2], 3);
  EXPECT_EQ(count[3], 2);
  EXPECT_EQ(rows[5][5], "1");  // o = 1 is the smallest key
}

TEST(WindowFunctionTest, LagLeadWithDefaults) {
  WindowExpr lag = window(WindowFunctionKind::kLag, DataType::int64());
  lag.args = {col(2), BoundExpr::literal(Value::int64(1)), BoundExpr::literal(Value::int64(-1))};
  WindowExpr lead = window(WindowFunctionKind::kLead, DataType::int64());
  lead.args = {col(2), BoundExpr::literal(Value::int64(2)),
               BoundExpr::literal(Value::null(DataType::int64()))};
  WindowExpr lag_row = window(WindowFunctionKind::kLag, DataType::int64());
  lag_row.args = {col(2), BoundExpr::literal(Value::int64(1)), col(1)};  // per-row default
  auto rows = run(kRows, {lag, lead, lag_row});
  // p=1 order: row0 (x=100), row3 (50), row2 (200), row6 (NULL).
  EXPECT_EQ(column(rows, 3), (S{"-1", "-1", "50", "100", "3", "-1", "200", "7"}));
  EXPECT_EQ(column(rows, 4), (S{"200", "9", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(column(rows, 5), (S{"10", "5", "50", "100", "3", "1", "200", "7"}));
}

TEST(WindowFunctionTest, FirstLastNthValueOverFrames) {
  WindowExpr first = window(WindowFunctionKind::kFirstValue, DataType::int64());
  first.args = {col(2)};
  WindowExpr last = window(WindowFunctionKind::kLastValue, DataType::int64());
  last.args = {col(2)};  // default frame: up to the last peer
  WindowExpr nth = window(WindowFunctionKind::kNthValue, DataType::int64());
  nth.args = {col(2), BoundExpr::literal(Value::int64(2))};
  nth.frame.rows = true;
  nth.frame.end = WindowFrameBound::kUnboundedFollowing;
  auto rows = run(kRows, {first, last, nth});
  EXPECT_EQ(column(rows, 3), (S{"100", "7", "100", "100", "7", "1", "100", "7"}));
  EXPECT_EQ(column(rows, 4), (S{"50", "3", "200", "50", "9", "1", "NULL", "3"}));
  EXPECT_EQ(column(rows, 5), (S{"50", "3", "50", "50", "3", "NULL", "50", "3"}));
}

TEST(WindowFunctionTest, RunningAggregatesIncludePeers) {
  WindowExpr range_sum = aggregate("SUM");
  WindowExpr rows_sum = aggregate("SUM");
  rows_sum.frame.rows = true;
  WindowExpr whole = aggregate("COUNT", true);
  whole.order_by.clear();
  whole.frame.rows = true;
  whole.frame.end = WindowFrameBound::kUnboundedFollowing;
  auto rows = run(kRows, {range_sum, rows_sum, whole});
  // p=1: o=10 peers (100, 50) then 20 (200) then NULL.
  EXPECT_EQ(column(rows, 3), (S{"150", "10", "350", "150", "19", "1", "350", "10"}));
  EXPECT_EQ(column(rows, 4), (S{"100", "7", "350", "150", "19", "1", "350", "10"}));
  EXPECT_EQ(column(rows, 5), (S{"4", "3", "4", "4", "3", "1", "4", "3"}));
}

TEST(WindowFunctionTest, EmptyInputAndNoExpressions) {
  size_t batches = 99;
  EXPECT_TRUE(
      run({}, {window(WindowFunctionKind::kRowNumber, DataType::int64())}, 3, &batches).empty());
  EXPECT_EQ(batches, 0u);
  auto rows = run(kRows, {}, 3, &batches);
  EXPECT_EQ(rows.size(), kRows.size());
  EXPECT_EQ(batches, 3u);  // passed through batch by batch
}

TEST(WindowFunctionTest, LargeInputIsEmittedInBatches) {
  std::vector<std::array<Opt, 3>> rows;
  for (int64_t i = 0; i < 10000; ++i) rows.push_back({i % 7, 10000 - i, i});
  size_t batches = 0;
  auto out = run(rows, {window(WindowFunctionKind::kRowNumber, DataType::int64())}, 1000, &batches);
  ASSERT_EQ(out.size(), rows.size());
  EXPECT_EQ(batches, 3u);  // 4096 + 4096 + 1808
  // Row i is in partition i % 7 ordered by descending i: the last rows come first.
  EXPECT_EQ(out[9999][3], "1");
  EXPECT_EQ(out[0][3], std::to_string(10000 / 7 + 1));
}

TEST(WindowFunctionTest, ErrorsOnBadArguments) {
  WindowExpr ntile = window(WindowFunctionKind::kNtile, DataType::int64());
  ntile.args = {BoundExpr::literal(Value::int64(0))};
  try {
    run(kRows, {ntile});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.message()).find("NTILE() needs a positive number of buckets"),
              std::string::npos);
  }
}

TEST(WindowFunctionTest, DoubleKeysOrderNaNAndSignedZero) {
  auto s = schema_of({{"d", DataType::float64(), true}});
  Batch b = Batch::empty(s);
  for (double v : {2.5, -0.0, std::nan(""), -1.5, 0.0}) b.columns[0]->append<double>(v);
  b.columns[0]->append_null();
  b.num_rows = 6;
  auto d = BoundExpr::column_ref(0, DataType::float64(), "d");
  std::vector<Batch> batches{b};
  for (bool desc : {false, true}) {
    WindowExpr rank;
    rank.name = "r";
    rank.kind = WindowFunctionKind::kRank;
    rank.type = DataType::int64();
    rank.order_by = {SortKey{d, desc, false}};
    WindowFunctionOperator op(
        std::make_unique<BatchesOperator>(s, batches), {rank},
        schema_of({{"d", DataType::float64(), true}, {"r", DataType::int64(), true}}));
    Batch out;
    ASSERT_TRUE(op.next(&out));
    S ranks;
    for (size_t r = 0; r < out.num_rows; ++r)
      ranks.push_back(out.columns[1]->value_at(r).to_string());
    // ASC: -1.5, (-0.0, 0.0) peers, 2.5, NaN, NULL last; DESC: NaN, 2.5, zeros, -1.5, NULL.
    if (!desc)
      EXPECT_EQ(ranks, (S{"4", "2", "5", "1", "2", "6"}));
    else
      EXPECT_EQ(ranks, (S{"2", "3", "1", "5", "3", "6"}));
  }
}

// ---- frames against a brute-force reference ----------------------------------------------

struct Reference {
  std::vector<std::array<Opt, 3>> rows;
  std::vector<size_t> sorted;  // by (p, o NULLS LAST, input index)

  explicit Reference(std::vector<std::array<Opt, 3>> r) : rows(std::move(r)) {
    sorted.resize(rows.size());
    for (size_t i = 0; i < sorted.size(); ++i) sorted[i] = i;
    auto key = [&](const Opt& v, bool nulls_last) {
      return std::make_pair(v.has_value() == nulls_last ? 0 : 1, v.value_or(0));
    };
    std::stable_sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) {
      auto pa = key(rows[a][0], false), pb = key(rows[b][0], false);
      if (pa != pb) return pa < pb;
      return key(rows[a][1], true) < key(rows[b][1], true);
    });
  }
  // Sorted positions of the partition of sorted position i.
  std::pair<size_t, size_t> partition(size_t i) const {
    size_t b = i, e = i + 1;
    while (b > 0 && rows[sorted[b - 1]][0] == rows[sorted[i]][0]) --b;
    while (e < sorted.size() && rows[sorted[e]][0] == rows[sorted[i]][0]) ++e;
    return {b, e};
  }
  // Reference result for input row r of an aggregate over the given frame of rows.
  template <typename Pick>
  std::vector<std::string> compute(Pick in_frame, const std::string& agg) const {
    std::vector<std::string> out(rows.size());
    for (size_t i = 0; i < sorted.size(); ++i) {
      auto [pb, pe] = partition(i);
      std::optional<int64_t> acc;
      int64_t count = 0;
      for (size_t j = pb; j < pe; ++j) {
        if (!in_frame(i, j, pb, pe)) continue;
        ++count;
        const Opt& x = rows[sorted[j]][2];
        if (!x) continue;
        if (agg == "SUM") acc = acc.value_or(0) + *x;
        if (agg == "MIN") acc = acc ? std::min(*acc, *x) : *x;
        if (agg == "MAX") acc = acc ? std::max(*acc, *x) : *x;
      }
      std::string v = agg == "COUNT" ? std::to_string(count) : acc ? std::to_string(*acc) : "NULL";
      out[sorted[i]] = v;
    }
    return out;
  }
};

std::vector<std::array<Opt, 3>> random_rows(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> pick(0, 99);
  std::vector<std::array<Opt, 3>> rows;
  for (size_t i = 0; i < n; ++i) {
    Opt p = pick(gen) < 5 ? Opt() : Opt(pick(gen) % 4);
    Opt o = pick(gen) < 10 ? Opt() : Opt(pick(gen) % 30);
    Opt x = pick(gen) < 15 ? Opt() : Opt(pick(gen) - 50);
    rows.push_back({p, o, x});
  }
  return rows;
}

TEST(WindowFunctionTest, RowsFramesMatchBruteForce) {
  Reference ref(random_rows(400, 7));
  struct Case {
    WindowFrameBound start;
    int64_t a;
    WindowFrameBound end;
    int64_t b;
  };
  using B = WindowFrameBound;
  std::vector<Case> cases = {
      {B::kPreceding, 3, B::kFollowing, 2},
      {B::kPreceding, 0, B::kCurrentRow, 0},
      {B::kUnboundedPreceding, 0, B::kFollowing, 4},
      {B::kCurrentRow, 0, B::kUnboundedFollowing, 0},
      {B::kPreceding, 5, B::kPreceding, 2},
      {B::kFollowing, 1, B::kFollowing, 6},
      {B::kPreceding, 2, B::kUnboundedFollowing, 0},
      {B::kUnboundedPreceding, 0, B::kUnboundedFollowing, 0},
  };
  for (const auto& c : cases) {
    auto in_frame = [&](size_t i, size_t j, size_t pb, size_t pe) {
      int64_t ii = static_cast<int64_t>(i), jj = static_cast<int64_t>(j);
      int64_t lo = c.start == B::kUnboundedPreceding ? static_cast<int64_t>(pb)
                   : c.start == B::kPreceding        ? ii - c.a
                   : c.start == B::kFollowing        ? ii + c.a
                                                     : ii;
      int64_t hi = c.end == B::kUnboundedFollowing ? static_cast<int64_t>(pe) - 1
                   : c.end == B::kPreceding        ? ii - c.b
                   : c.end == B::kFollowing        ? ii + c.b
                                                   : ii;
      return jj >= lo && jj <= hi;
    };
    std::vector<WindowExpr> exprs;
    for (const char* name : {"SUM", "MIN", "MAX", "COUNT"}) {
      WindowExpr w = aggregate(name);
      w.frame.rows = true;
      w.frame.start = c.start;
      w.frame.start_rows = c.a;
      w.frame.end = c.end;
      w.frame.end_rows = c.b;
      exprs.push_back(w);
    }
    auto rows = run(ref.rows, exprs, 64);
    std::string label = "frame " + std::to_string(static_cast<int>(c.start)) + "/" +
                        std::to_string(c.a) + " .. " + std::to_string(static_cast<int>(c.end)) +
                        "/" + std::to_string(c.b);
    // COUNT(x) counts non-NULL values: compare with the reference's COUNT of non-NULL rows.
    auto count_ref =
        ref.compute([&](size_t i, size_t j, size_t pb,
                        size_t pe) { return in_frame(i, j, pb, pe) && ref.rows[ref.sorted[j]][2]; },
                    "COUNT");
    EXPECT_EQ(column(rows, 3), ref.compute(in_frame, "SUM")) << label;
    EXPECT_EQ(column(rows, 4), ref.compute(in_frame, "MIN")) << label;
    EXPECT_EQ(column(rows, 5), ref.compute(in_frame, "MAX")) << label;
    EXPECT_EQ(column(rows, 6), count_ref) << label;
  }
}

TEST(WindowFunctionTest, RangeOffsetFramesMatchBruteForce) {
  Reference ref(random_rows(300, 11));
  for (auto [a, b] : std::vector<std::pair<int64_t, int64_t>>{{3, 2}, {0, 0}, {10, 0}, {0, 7}}) {
    WindowExpr sum = aggregate("SUM");
    sum.frame.rows = false;
    sum.frame.start = WindowFrameBound::kPreceding;
    sum.frame.end = WindowFrameBound::kFollowing;
    sum.frame.range_key = col(1);
    sum.frame.range_start = bind_function_call("-", {col(1), BoundExpr::literal(Value::int64(a))});
    sum.frame.range_end = bind_function_call("+", {col(1), BoundExpr::literal(Value::int64(b))});
    WindowExpr min = sum;
    min.aggregate = FunctionRegistry::instance().find_aggregate("MIN")->bind(
        AggregateCall{{BindArg{DataType::int64()}}, {}, false, false});
    auto rows = run(ref.rows, {sum, min}, 50);
    auto in_frame = [&](size_t i, size_t j, size_t, size_t) {
      const Opt& oi = ref.rows[ref.sorted[i]][1];
      const Opt& oj = ref.rows[ref.sorted[j]][1];
      if (!oi) return !oj;  // a NULL key frames its NULL peers
      return oj && *oj >= *oi - a && *oj <= *oi + b;
    };
    EXPECT_EQ(column(rows, 3), ref.compute(in_frame, "SUM")) << a << " " << b;
    EXPECT_EQ(column(rows, 4), ref.compute(in_frame, "MIN")) << a << " " << b;
  }
}

TEST(WindowFunctionTest, DescendingRangeWithPeers) {
  // ORDER BY o DESC RANGE BETWEEN 5 PRECEDING AND CURRENT ROW: keys in [o, o + 5].
  WindowExpr count = aggregate("COUNT", true);
  count.partition_by.clear();
  count.order_by = {SortKey{col(1), true, false}};
  count.frame.start = WindowFrameBound::kPreceding;
  count.frame.end = WindowFrameBound::kCurrentRow;
  count.frame.range_key = col(1);
  count.frame.range_start = bind_function_call("+", {col(1), BoundExpr::literal(Value::int64(5))});
  auto rows = run(kRows, {count});
  // Keys: 10, 5, 20, 10, NULL, 1, NULL, 5.
  EXPECT_EQ(column(rows, 3), (S{"2", "4", "1", "2", "2", "3", "2", "4"}));
}

}  // namespace
}  // namespace velo
