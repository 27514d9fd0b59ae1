// The aggregate function library driven directly through BoundAggregate: init, update (with a
// states array, several groups per batch), combine of partial states, finalize, retract.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "velo/batch/column.h"
#include "velo/exec/expression.h"
#include "velo/exec/function/aggregate_hyperloglog.h"
#include "velo/exec/function/function.h"
#include "velo/exec/operators/hash_aggregate.h"
#include "velo/types/error.h"

namespace velo {
namespace {

ColumnPtr column(DataType t, const std::vector<Value>& values) {
  auto c = Column::make(std::move(t));
  for (const auto& v : values) c->append_value(v);
  return c;
}
ColumnPtr ints(const std::vector<std::optional<int64_t>>& v) {
  auto c = Column::make(DataType::int64());
  for (auto x : v) x ? c->append<int64_t>(*x) : c->append_null();
  return c;
}
ColumnPtr doubles(const std::vector<double>& v) {
  auto c = Column::make(DataType::float64());
  for (double x : v) c->append<double>(x);
  return c;
}
ColumnPtr strings(const std::vector<std::optional<std::string>>& v) {
  auto c = Column::make(DataType::string());
  for (const auto& x : v) x ? c->append_string(*x) : c->append_null();
  return c;
}
ColumnPtr decimals(const std::vector<int128_t>& v, int p, int s) {
  auto c = Column::make(DataType::decimal(p, s));
  for (auto x : v) c->append<int128_t>(x);
  return c;
}

/// Binds `name` for arguments of the given columns (constants for BindArg where given).
BoundAggregate bind(const std::string& name, const std::vector<DataType>& types,
                    const std::vector<const Value*>& constants = {}, bool distinct = false,
                    std::vector<Value> direct = {}) {
  const AggregateFunction* f = FunctionRegistry::instance().find_aggregate(name);
  if (!f) throw std::runtime_error("no aggregate " + name);
  AggregateCall call;
  call.distinct = distinct;
  for (size_t i = 0; i < types.size(); ++i)
    call.args.push_back(BindArg{types[i], i < constants.size() ? constants[i] : nullptr});
  static std::vector<std::unique_ptr<Value>> keep;
  for (auto& d : direct) {
    keep.push_back(std::make_unique<Value>(d));
    call.direct_args.push_back(BindArg{d.type(), keep.back().get()});
  }
  if (types.empty()) call.star = true;
  return f->bind(call);
}

/// `groups` states of one aggregate, in aligned memory owned by the runner.
class Runner {
 public:
  Runner(BoundAggregate f, size_t groups) : f_(std::move(f)), groups_(groups) {
    stride_ = std::max<size_t>(16, (f_.state_size + 15) & ~size_t{15});
    mem_.reset(new (std::align_val_t(16)) uint8_t[stride_ * groups]);
    for (size_t g = 0; g < groups; ++g) f_.init(state(g), f_.bind_state.get());
  }
  ~Runner() {
    if (f_.destroy)
      for (size_t g = 0; g < groups_; ++g) f_.destroy(state(g));
  }
  uint8_t* state(size_t g) { return mem_.get() + g * stride_; }
  const BoundAggregate& function() const { return f_; }

  /// Rows of `cols` to groups `group_of_row` (all to group 0 when empty).
  void update(const std::vector<ColumnPtr>& cols, std::vector<size_t> group_of_row = {},
              bool retract = false) {
    size_t rows = cols.empty() ? group_of_row.size() : cols[0]->size();
    if (group_of_row.empty()) group_of_row.assign(rows, 0);
    std::vector<uint8_t*> ptrs;
    for (size_t i = 0; i < rows; ++i) ptrs.push_back(state(group_of_row[i]));
    std::vector<ArgVector> args;
    for (const auto& c : cols) args.push_back(ArgVector{c.get(), false});
    auto fn = retract ? f_.retract : f_.update;
    fn(ptrs.data(), args, rows, f_.bind_state.get());
  }
  void combine_from(Runner& other, size_t from, size_t to) {
    f_.combine(state(to), other.state(from), f_.bind_state.get());
  }
  std::vector<Value> finalize() {
    auto out = Column::make(f_.return_type);
    std::vector<uint8_t*> ptrs;
    for (size_t g = 0; g < groups_; ++g) ptrs.push_back(state(g));
    f_.finalize(ptrs.data(), groups_, out.get(), f_.bind_state.get());
    EXPECT_EQ(out->size(), groups_);
    std::vector<Value> v;
    for (size_t g = 0; g < groups_; ++g) v.push_back(out->value_at(g));
    return v;
  }

 private:
  struct Free {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(16)); }
  };
  BoundAggregate f_;
  size_t groups_;
  size_t stride_;
  std::unique_ptr<uint8_t[], Free> mem_;
};

/// One group over `cols`, and the same rows split over two partial states then combined: both
/// must agree. Returns the text of the result.
std::string run(const BoundAggregate& f, const std::vector<ColumnPtr>& cols) {
  Runner whole(f, 1);
  whole.update(cols);
  std::string a = whole.finalize()[0].to_string();
  // Rows alternate between partials 0 and 1 of a two-group runner, merged into a third.
  size_t rows = cols.empty() ? 0 : cols[0]->size();
  Runner parts(f, 2);
  std::vector<size_t> g;
  for (size_t i = 0; i < rows; ++i) g.push_back(i < rows / 2 ? 0 : 1);
  if (rows) parts.update(cols, g);
  Runner merged(f, 1);
  merged.combine_from(parts, 0, 0);
  merged.combine_from(parts, 1, 0);
  std::string b = merged.finalize()[0].to_string();
  EXPECT_EQ(a, b) << "combine disagrees with a single pass";
  return a;
}

std::string run1(const std::string& name, ColumnPtr c, bool distinct = false) {
  return run(bind(name, {c->type()}, {}, distinct), {c});
}

TEST(AggregateFunctionsTest, CountStarCountAndCountDistinct) {
  auto c = ints({1, std::nullopt, 2, 2, std::nullopt, 3});
  Runner star(bind("COUNT", {}), 1);
  star.update({}, std::vector<size_t>(6, 0));
  EXPECT_EQ(star.finalize()[0].as_int(), 6);
  EXPECT_EQ(run1("COUNT", c), "4");
  EXPECT_EQ(run1("COUNT", c, true), "3");
  EXPECT_EQ(run1("COUNT", strings({"a", "b", "a", std::nullopt}), true), "2");
  Runner empty(bind("COUNT", {DataType::int64()}), 1);
  EXPECT_EQ(empty.finalize()[0].as_int(), 0);
}

TEST(AggregateFunctionsTest, GroupsGetTheirOwnRows) {
  auto c = ints({1, 10, 2, 20, 3});
  Runner r(bind("SUM", {DataType::int64()}), 3);
  r.update({c}, {0, 1, 0, 1, 0});
  auto v = r.finalize();
  EXPECT_EQ(v[0].as_int(), 6);
  EXPECT_EQ(v[1].as_int(), 30);
  EXPECT_TRUE(v[2].is_null());
}

TEST(AggregateFunctionsTest, SumTypesNullsAndOverflow) {
  auto f = bind("SUM", {DataType::int64()});
  EXPECT_EQ(f.return_type, DataType::int64());
  EXPECT_EQ(run1("SUM", ints({1, 2, std::nullopt})), "3");
  EXPECT_EQ(run1("SUM", ints({std::nullopt, std::nullopt})), "NULL");
  // Intermediate sums beyond INT64 are fine while the total fits.
  int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(run1("SUM", ints({big, big, -big, -big + 5})), "5");
  Runner over(f, 1);
  over.update({ints({big, 1})});
  EXPECT_THROW(over.finalize(), Error);
  // DECIMAL(10,2) -> DECIMAL(38,2), exact.
  auto d = bind("SUM", {DataType::decimal(10, 2)});
  EXPECT_EQ(d.return_type, DataType::decimal(38, 2));
  EXPECT_EQ(run(d, {decimals({10, 20, 30}, 10, 2)}), "0.60");
  EXPECT_EQ(run1("SUM", doubles({0.5, 0.25})), "0.75");
  EXPECT_EQ(run1("SUM", ints({1, 2, 3}), true), "6");
  EXPECT_EQ(run1("SUM", ints({1, 1, 2}), true), "3");
  EXPECT_THROW(bind("SUM", {DataType::string()}), Error);
}

TEST(AggregateFunctionsTest, AvgResultTypesMatchDuckDB) {
  auto i = bind("AVG", {DataType::int64()});
  EXPECT_EQ(i.return_type, DataType::float64());
  EXPECT_EQ(run(i, {ints({10, 20, 40, std::nullopt})}), "23.333333333333332");
  auto d = bind("AVG", {DataType::decimal(4, 2)});
  EXPECT_EQ(d.return_type, DataType::float64());
  EXPECT_EQ(run(d, {decimals({10, 20, 30}, 4, 2)}), "0.2");
  EXPECT_EQ(run1("AVG", ints({std::nullopt})), "NULL");
  EXPECT_EQ(run1("AVG", ints({1, 1, 2}), true), "1.5");
  // Dates average to a timestamp.
  auto dates = column(DataType::date(), {Value::date(19723), Value::date(19726)});
  EXPECT_EQ(run1("AVG", dates), "2024-01-02 12:00:00");
}

TEST(AggregateFunctionsTest, RetractUndoesCountSumAvg) {
  auto all = ints({1, 2, 3, std::nullopt});
  auto some = ints({1, std::nullopt});
  for (const char* name : {"COUNT", "SUM", "AVG"}) {
    auto f = bind(name, {DataType::int64()});
    ASSERT_NE(f.retract, nullptr) << name;
    Runner r(f, 1);
    r.update({all});
    r.update({some}, {}, true);
    EXPECT_EQ(r.finalize()[0].to_string(),
              std::string(name) == "COUNT" ? "2" : (std::string(name) == "SUM" ? "5" : "2.5"));
    r.update({ints({2, 3})}, {}, true);
    EXPECT_EQ(r.finalize()[0].to_string(), std::string(name) == "COUNT" ? "0" : "NULL") << name;
  }
  auto star = bind("COUNT", {});
  Runner r(star, 1);
  r.update({}, {0, 0, 0});
  r.update({}, {0}, true);
  EXPECT_EQ(r.finalize()[0].as_int(), 2);
}

TEST(AggregateFunctionsTest, MinMaxEveryOrderableType) {
  EXPECT_EQ(run1("MIN", ints({5, std::nullopt, -3, 7})), "-3");
  EXPECT_EQ(run1("MAX", ints({5, std::nullopt, -3, 7})), "7");
  EXPECT_EQ(run1("MIN", doubles({1.5, NAN, -2.5})), "-2.5");
  EXPECT_EQ(run1("MAX", doubles({1.5, NAN, -2.5})), "NaN");  // NaN is the largest, as DuckDB
  EXPECT_EQ(run1("MAX", decimals({199, -5, 1000}, 6, 2)), "10.00");
  EXPECT_EQ(run1("MIN", column(DataType::date(), {Value::date(19800), Value::date(19723)})),
            "2024-01-01");
  EXPECT_EQ(run1("MAX", column(DataType::timestamp(), {Value::timestamp(0), Value::timestamp(1)})),
            "1970-01-01 00:00:00.000001");
  EXPECT_EQ(run1("MIN", column(DataType::boolean(), {Value::boolean(true), Value::boolean(false)})),
            "false");
  EXPECT_EQ(run1("MAX", ints({std::nullopt})), "NULL");
  // Strings: the state owns a copy that outlives the input column; bytewise (UTF-8) order.
  auto f = bind("MAX", {DataType::string()});
  Runner r(f, 1);
  {
    auto c = strings({"apple", "Zürich", "zebra-with-a-long-name-beyond-sso", std::nullopt});
    r.update({c});
  }
  r.update({strings({"banana"})});
  EXPECT_EQ(r.finalize()[0].to_string(), "zebra-with-a-long-name-beyond-sso");
  EXPECT_EQ(run1("MIN", strings({"b", "a long string that does not fit inline", "c"})),
            "a long string that does not fit inline");
}

TEST(AggregateFunctionsTest, VarianceFamilyWelfordAndChan) {
  std::vector<double> v;
  for (int i = 1; i <= 10; ++i) v.push_back(i);
  auto c = doubles(v);
  auto near = [](const std::string& s, double want) {
    EXPECT_NEAR(std::stod(s), want, 1e-12) << s;
  };
  near(run1("VAR_SAMP", c), 9.166666666666666);
  near(run1("VARIANCE", c), 9.166666666666666);
  near(run1("VAR_POP", c), 8.25);
  near(run1("STDDEV_POP", c), std::sqrt(8.25));
  near(run1("STDDEV_SAMP", c), std::sqrt(9.166666666666666));
  near(run1("STDDEV", ints({1, 2})), 0.7071067811865476);
  EXPECT_EQ(run1("STDDEV", ints({1})), "NULL");
  EXPECT_EQ(run1("VAR_POP", ints({1})), "0.0");
  near(run1("VAR_POP", decimals({15, 25}, 4, 1)), 0.25);
  // Large offset: Welford keeps precision where the naive sum of squares would not.
  std::vector<double> shifted;
  for (int i = 1; i <= 10; ++i) shifted.push_back(1e9 + i);
  near(run1("VAR_POP", doubles(shifted)), 8.25);
}

TEST(AggregateFunctionsTest, MedianAndQuantiles) {
  EXPECT_EQ(run1("MEDIAN", ints({1, 2, 4})), "2.0");
  EXPECT_EQ(run1("MEDIAN", ints({1, 2, std::nullopt})), "1.5");
  EXPECT_EQ(run1("MEDIAN", ints({std::nullopt})), "NULL");
  // DECIMAL keeps its type; the interpolation is floored at the scale (DuckDB).
  auto d = bind("MEDIAN", {DataType::decimal(10, 2)});
  EXPECT_EQ(d.return_type, DataType::decimal(10, 2));
  EXPECT_EQ(run(d, {decimals({101, 102}, 10, 2)}), "1.01");
  EXPECT_EQ(run(d, {decimals({-101, -102}, 10, 2)}), "-1.02");
  EXPECT_EQ(run1("MEDIAN", strings({"b", "a"})), "a");
  EXPECT_EQ(run1("MEDIAN", column(DataType::date(), {Value::date(19723), Value::date(19726)})),
            "2024-01-02 12:00:00");
  // QUANTILE_CONT(x, 0.9) and PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY x).
  std::vector<std::optional<int64_t>> r;
  for (int i = 0; i < 10; ++i) r.push_back(i);
  auto c = ints(r);
  Value q9 = Value::decimal(9, 2, 1), q5 = Value::decimal(5, 2, 1), q1 = Value::float64(0.1);
  EXPECT_EQ(run(bind("QUANTILE_CONT", {DataType::int64(), q9.type()}, {nullptr, &q9}), {c, c}),
            "8.1");
  EXPECT_EQ(run(bind("PERCENTILE_CONT", {DataType::int64()}, {}, false, {q9}), {c}), "8.1");
  EXPECT_EQ(run(bind("PERCENTILE_DISC", {DataType::int64()}, {}, false, {q5}), {c}), "4");
  EXPECT_EQ(run(bind("QUANTILE_DISC", {DataType::int64(), q1.type()}, {nullptr, &q1}), {c, c}),
            "0");
  EXPECT_EQ(run(bind("QUANTILE_DISC", {DataType::int64(), q9.type()}, {nullptr, &q9}), {c, c}),
            "8");
  Value bad = Value::float64(1.5);
  EXPECT_THROW(bind("QUANTILE_CONT", {DataType::int64(), bad.type()}, {nullptr, &bad}), Error);
  EXPECT_THROW(bind("QUANTILE_CONT", {DataType::string(), q5.type()}, {nullptr, &q5}), Error);
  // A list of fractions gives a list.
  Value qs = Value::nested(DataType::list_of(DataType::float64()),
                           {Value::float64(0.25), Value::float64(0.5)});
  auto lf = bind("QUANTILE_CONT", {DataType::int64(), qs.type()}, {nullptr, &qs});
  EXPECT_EQ(lf.return_type, DataType::list_of(DataType::float64()));
  Runner lr(lf, 1);
  lr.update({c, c});
  Value lv = lr.finalize()[0];
  ASSERT_EQ(lv.children().size(), 2u);
  EXPECT_EQ(lv.children()[0].as_double(), 2.25);
  EXPECT_EQ(lv.children()[1].as_double(), 4.5);
}

TEST(AggregateFunctionsTest, FirstLastAnyValue) {
  auto c = ints({std::nullopt, 1, 2});
  Runner first(bind("FIRST", {DataType::int64()}), 1), last(bind("LAST", {DataType::int64()}), 1),
      any(bind("ANY_VALUE", {DataType::int64()}), 1);
  first.update({c});
  last.update({c});
  any.update({c});
  EXPECT_TRUE(first.finalize()[0].is_null());  // FIRST keeps NULLs, as DuckDB
  EXPECT_EQ(last.finalize()[0].as_int(), 2);
  EXPECT_EQ(any.finalize()[0].as_int(), 1);
  EXPECT_EQ(run1("FIRST_VALUE", strings({"x", "y"})), "x");
  EXPECT_EQ(run1("LAST_VALUE", strings({"x", "y"})), "y");
  EXPECT_EQ(run1("LAST", ints({1, 2, std::nullopt})), "NULL");
}

TEST(AggregateFunctionsTest, StringAggSeparatorsAndDistinct) {
  Value sep = Value::string(", ");
  auto c = strings({"a", std::nullopt, "b", "c"});
  EXPECT_EQ(run(bind("STRING_AGG", {DataType::string(), DataType::string()}, {nullptr, &sep}),
                {c, strings({", ", ", ", ", ", ", "})}),
            "a, b, c");
  EXPECT_EQ(run1("LISTAGG", c), "a,b,c");
  EXPECT_EQ(run1("GROUP_CONCAT", strings({std::nullopt})), "NULL");
  EXPECT_EQ(run1("STRING_AGG", strings({"a", "b", "a", "b"}), true), "a,b");
  EXPECT_THROW(bind("STRING_AGG", {DataType::string(), DataType::string()}, {nullptr, nullptr}),
               Error);
}

TEST(AggregateFunctionsTest, ArrayAggKeepsNullsAndOrder) {
  auto f = bind("ARRAY_AGG", {DataType::int64()});
  EXPECT_EQ(f.return_type, DataType::list_of(DataType::int64()));
  Runner r(f, 2);
  r.update({ints({std::nullopt, 1, 5, 2})}, {0, 0, 0, 0});
  Value v = r.finalize()[0];
  ASSERT_EQ(v.children().size(), 4u);
  EXPECT_TRUE(v.children()[0].is_null());
  EXPECT_EQ(v.children()[3].as_int(), 2);
  EXPECT_TRUE(r.finalize()[1].is_null());  // no rows -> NULL, not []
  Runner s(bind("LIST", {DataType::string()}, {}, true), 1);
  s.update({strings({"x", "y", "x"})});
  EXPECT_EQ(s.finalize()[0].children().size(), 2u);
  // Partial lists concatenate.
  Runner a(f, 1), b(f, 1);
  a.update({ints({1})});
  b.update({ints({2, 3})});
  a.combine_from(b, 0, 0);
  EXPECT_EQ(a.finalize()[0].children().size(), 3u);
}

TEST(AggregateFunctionsTest, BoolAndOrCountIf) {
  auto b = column(DataType::boolean(),
                  {Value::null(DataType::boolean()), Value::boolean(false), Value::boolean(true)});
  EXPECT_EQ(run1("BOOL_AND", b), "false");
  EXPECT_EQ(run1("BOOL_OR", b), "true");
  EXPECT_EQ(run1("COUNT_IF", b), "1");
  auto nulls = column(DataType::boolean(), {Value::null(DataType::boolean())});
  EXPECT_EQ(run1("BOOL_AND", nulls), "NULL");
  EXPECT_EQ(run1("COUNT_IF", nulls), "NULL");  // DuckDB: a SUM of booleans
}

TEST(AggregateFunctionsTest, ApproxCountDistinctExactWhenSmallAndBoundedWhenLarge) {
  std::vector<std::optional<int64_t>> v;
  for (int i = 0; i < 200; ++i) v.push_back(i % 25);
  EXPECT_EQ(run1("APPROX_COUNT_DISTINCT", ints(v)), "25");
  v.clear();
  for (int i = 0; i < 256; ++i) v.push_back(i * 7919);
  EXPECT_EQ(run1("APPROX_COUNT_DISTINCT", ints(v)), "256");
  EXPECT_EQ(run1("APPROX_COUNT_DISTINCT", strings({"a", "b", "a", std::nullopt})), "2");
  // Beyond the exact range: within 5% (3 standard errors) for several sizes, merged or not.
  for (int n : {1000, 20000, 300000}) {
    HyperLogLog whole, left, right;
    std::mt19937_64 rng(n);
    for (int i = 0; i < n; ++i) {
      uint64_t h = rng();
      whole.add_hash(h);
      (i % 2 ? left : right).add_hash(h);
      if (i % 3 == 0) whole.add_hash(h);  // duplicates change nothing
    }
    left.merge(right);
    EXPECT_EQ(whole.estimate(), left.estimate());
    EXPECT_NEAR(static_cast<double>(whole.estimate()), n, 0.05 * n) << n;
  }
}

TEST(AggregateFunctionsTest, DistinctWrapperMergesSetsAcrossPartials) {
  auto f = bind("SUM", {DataType::int64()}, {}, true);
  Runner a(f, 1), b(f, 1);
  a.update({ints({1, 2, 2})});
  b.update({ints({2, 3, std::nullopt})});
  a.combine_from(b, 0, 0);
  EXPECT_EQ(a.finalize()[0].as_int(), 6);
  auto med = bind("MEDIAN", {DataType::int64()}, {}, true);
  EXPECT_EQ(run(med, {ints({1, 1, 1, 2, 3})}), "2.0");
  auto doubles_distinct = bind("COUNT", {DataType::float64()}, {}, true);
  EXPECT_EQ(run(doubles_distinct, {doubles({0.0, -0.0, NAN, NAN, 1})}), "3");
}

/// Emits fixed batches (one input pipeline of the hash aggregate).
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

TEST(AggregateFunctionsTest, HashAggregateDrivesThemAcrossParallelInputs) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{Field{"k", DataType::int64()},
                                                                  Field{"s", DataType::string()},
                                                                  Field{"v", DataType::int64()}});
  // Two inputs (two threads, merged through combine), 6000 groups (several state chunks).
  struct Ref {
    int64_t count = 0;
    std::set<int64_t> distinct;
    std::string min;
    std::vector<int64_t> values;
  };
  std::map<int64_t, Ref> ref;
  std::vector<OperatorPtr> inputs;
  for (int input = 0; input < 2; ++input) {
    std::vector<Batch> batches;
    for (int b = 0; b < 3; ++b) {
      Batch batch = Batch::empty(schema);
      for (int i = 0; i < 4000; ++i) {
        int64_t k = (i * 7 + b * 13 + input) % 6000, v = (i + b + input) % 5;
        std::string s =
            "name-" + std::to_string((i * 31 + input) % 97) + "-long-enough-to-allocate";
        batch.columns[0]->append<int64_t>(k);
        batch.columns[1]->append_string(s);
        batch.columns[2]->append<int64_t>(v);
        Ref& r = ref[k];
        ++r.count;
        r.distinct.insert(v);
        if (r.min.empty() || s < r.min) r.min = s;
        r.values.push_back(v);
      }
      batch.num_rows = 4000;
      batches.push_back(std::move(batch));
    }
    inputs.push_back(std::make_unique<BatchesOperator>(schema, std::move(batches)));
  }
  auto col = [&](int i) {
    return BoundExpr::column_ref(i, schema->field(i).type, schema->field(i).name);
  };
  std::vector<AggregateSpec> aggs;
  aggs.push_back({"COUNT(*)", bind("COUNT", {}), {}, nullptr});
  aggs.push_back(
      {"SUM(DISTINCT v)", bind("SUM", {DataType::int64()}, {}, true), {col(2)}, nullptr});
  aggs.push_back({"MIN(s)", bind("MIN", {DataType::string()}), {col(1)}, nullptr});
  aggs.push_back({"MEDIAN(v)", bind("MEDIAN", {DataType::int64()}), {col(2)}, nullptr});
  aggs.push_back({"STDDEV_POP(v)", bind("STDDEV_POP", {DataType::int64()}), {col(2)}, nullptr});
  std::vector<Field> out_fields{Field{"k", DataType::int64()}};
  for (const auto& a : aggs) out_fields.push_back(Field{a.name, a.function.return_type});
  HashAggregateOperator op(std::move(inputs), {col(0)}, aggs,
                           std::make_shared<const Schema>(out_fields));
  Batch out;
  size_t groups = 0;
  while (op.next(&out)) {
    for (size_t r = 0; r < out.num_rows; ++r, ++groups) {
      Ref& want = ref.at(out.columns[0]->value<int64_t>(r));
      EXPECT_EQ(out.columns[1]->value<int64_t>(r), want.count);
      int64_t dsum = 0;
      for (int64_t v : want.distinct) dsum += v;
      EXPECT_EQ(out.columns[2]->value<int64_t>(r), dsum);
      EXPECT_EQ(out.columns[3]->string_at(r), want.min);
      std::sort(want.values.begin(), want.values.end());
      size_t n = want.values.size();
      double median =
          n % 2 ? want.values[n / 2] : (want.values[n / 2 - 1] + want.values[n / 2]) / 2.0;
      EXPECT_EQ(out.columns[4]->value<double>(r), median);
      double mean = 0, m2 = 0;
      for (int64_t v : want.values) mean += v;
      mean /= n;
      for (int64_t v : want.values) m2 += (v - mean) * (v - mean);
      EXPECT_NEAR(out.columns[5]->value<double>(r), std::sqrt(m2 / n), 1e-9);
    }
  }
  EXPECT_EQ(groups, ref.size());
}

TEST(AggregateFunctionsTest, EveryNameIsRegistered) {
  for (const char* name : {"COUNT",
                           "SUM",
                           "AVG",
                           "MIN",
                           "MAX",
                           "STDDEV",
                           "STDDEV_SAMP",
                           "STDDEV_POP",
                           "VARIANCE",
                           "VAR_SAMP",
                           "VAR_POP",
                           "MEDIAN",
                           "PERCENTILE_CONT",
                           "PERCENTILE_DISC",
                           "QUANTILE_CONT",
                           "QUANTILE_DISC",
                           "FIRST_VALUE",
                           "LAST_VALUE",
                           "FIRST",
                           "LAST",
                           "ANY_VALUE",
                           "STRING_AGG",
                           "LISTAGG",
                           "GROUP_CONCAT",
                           "APPROX_COUNT_DISTINCT",
                           "BOOL_AND",
                           "BOOL_OR",
                           "COUNT_IF",
                           "ARRAY_AGG",
                           "LIST"})
    EXPECT_NE(FunctionRegistry::instance().find_aggregate(name), nullptr) << name;
}

}  // namespace
}  // namespace velo
