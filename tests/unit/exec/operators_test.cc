// Operators tested on hand-made batches (no connectors, no function library): hash aggregate
// with parallel inputs and merge, every join kind, sort with NULL ordering, limit, gather.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "velo/exec/evaluator.h"
#include "velo/exec/operators/basic_operators.h"
#include "velo/exec/operators/hash_aggregate.h"
#include "velo/exec/operators/hash_join.h"

namespace velo {
namespace {

SchemaPtr schema_of(std::vector<Field> f) { return std::make_shared<const Schema>(std::move(f)); }

/// Emits fixed batches.
class BatchesOperator : public Operator {
 public:
  BatchesOperator(SchemaPtr s, std::vector<Batch> b) : Operator(std::move(s)), batches_(std::move(b)) {}
  bool next(Batch* out) override {
    if (pos_ >= batches_.size()) return false;
    *out = batches_[pos_++];
    return true;
  }

 private:
  std::vector<Batch> batches_;
  size_t pos_ = 0;
};

// (key STRING, value INT64) rows; value -1 means NULL.
Batch kv_batch(const SchemaPtr& s, std::vector<std::pair<std::string, int64_t>> rows) {
  Batch b = Batch::empty(s);
  for (auto& [k, v] : rows) {
    if (k == "<null>") b.columns[0]->append_null();
    else b.columns[0]->append_string(k);
    if (v < 0) b.columns[1]->append_null();
    else b.columns[1]->append<int64_t>(v);
  }
  b.num_rows = rows.size();
  return b;
}

// A minimal SUM(INT64) aggregate so the operator can be tested without the function library.
BoundAggregate test_sum() {
  BoundAggregate a;
  a.return_type = DataType::int64();
  a.arg_types = {DataType::int64()};
  a.state_size = 16;
  a.init = [](uint8_t* s, const void*) { *reinterpret_cast<int64_t*>(s) = 0; };
  a.update = [](uint8_t** states, const std::vector<ArgVector>& args, size_t n, const void*) {
    for (size_t i = 0; i < n; ++i)
      if (!args[0].is_null(i)) *reinterpret_cast<int64_t*>(states[i]) += args[0].column->value<int64_t>(args[0].index(i));
  };
  a.combine = [](uint8_t* t, const uint8_t* s, const void*) {
    *reinterpret_cast<int64_t*>(t) += *reinterpret_cast<const int64_t*>(s);
  };
  a.finalize = [](uint8_t** states, size_t n, Column* out, const void*) {
    for (size_t i = 0; i < n; ++i) out->append<int64_t>(*reinterpret_cast<int64_t*>(states[i]));
  };
  return a;
}

std::vector<std::string> drain(Operator& op) {
  std::vector<std::string> rows;
  Batch b;
  while (op.next(&b))
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::string row;
      for (size_t c = 0; c < b.columns.size(); ++c) row += (c ? "|" : "") + b.columns[c]->value_at(r).to_string();
      rows.push_back(row);
    }
  return rows;
}

TEST(HashAggregateTest, GroupsAcrossParallelInputsAndMerges) {
  auto s = schema_of({Field{"k", DataType::string()}, Field{"v", DataType::int64()}});
  std::vector<OperatorPtr> inputs;
  // Many distinct keys force table growth; NULL keys form their own group.
  std::vector<std::pair<std::string, int64_t>> rows1, rows2;
  for (int i = 0; i < 5000; ++i) rows1.push_back({"key" + std::to_string(i % 3000), 1});
  for (int i = 0; i < 5000; ++i) rows2.push_back({"key" + std::to_string(i % 2000), 2});
  rows2.push_back({"<null>", 5});
  rows2.push_back({"<null>", -1});
  inputs.push_back(std::make_unique<BatchesOperator>(s, std::vector<Batch>{kv_batch(s, rows1)}));
  inputs.push_back(std::make_unique<BatchesOperator>(s, std::vector<Batch>{kv_batch(s, rows2)}));
  std::vector<AggregateSpec> aggs{{"SUM(v)", test_sum(), {BoundExpr::column_ref(1, DataType::int64(), "v")}, nullptr}};
  auto out_schema = schema_of({Field{"k", DataType::string()}, Field{"sum", DataType::int64()}});
  HashAggregateOperator agg(std::move(inputs), {BoundExpr::column_ref(0, DataType::string(), "k")}, aggs, out_schema);
  auto rows = drain(agg);
  ASSERT_EQ(rows.size(), 3001u);
  std::map<std::string, std::string> by_key;
  for (auto& r : rows) by_key[r.substr(0, r.find('|'))] = r.substr(r.find('|') + 1);
  // key0 appears twice in input 1 (i=0, 3000) and 3 times in input 2 (i=0, 2000, 4000).
  EXPECT_EQ(by_key["key0"], "8");
  // key1999: input 1 at i=1999 and 4999 (1 each), input 2 at i=1999 and 3999 (2 each).
  EXPECT_EQ(by_key["key1999"], "6");
  // key2500: input 1 only (i=2500; 5500 is out of range).
  EXPECT_EQ(by_key["key2500"], "1");
  EXPECT_EQ(by_key["NULL"], "5");
}

TEST(HashAggregateTest, GlobalAggregateOnEmptyInputGivesOneRow) {
  auto s = schema_of({Field{"k", DataType::string()}, Field{"v", DataType::int64()}});
  std::vector<OperatorPtr> inputs;
  inputs.push_back(std::make_unique<BatchesOperator>(s, std::vector<Batch>{}));
  std::vector<AggregateSpec> aggs{{"SUM(v)", test_sum(), {BoundExpr::column_ref(1, DataType::int64(), "v")}, nullptr}};
  HashAggregateOperator agg(std::move(inputs), {}, aggs, schema_of({Field{"sum", DataType::int64()}}));
  EXPECT_EQ(drain(agg), std::vector<std::string>{"0"});
}

class JoinTest : public ::testing::TestWithParam<std::pair<JoinKind, std::vector<std::string>>> {};

TEST_P(JoinTest, Kinds) {
  auto s = schema_of({Field{"k", DataType::string()}, Field{"v", DataType::int64()}});
  auto left = std::make_unique<BatchesOperator>(
      s, std::vector<Batch>{kv_batch(s, {{"a", 1}, {"b", 2}, {"<null>", 3}}), kv_batch(s, {{"a", 4}})});
  auto right = std::make_unique<BatchesOperator>(s, std::vector<Batch>{kv_batch(s, {{"a", 10}, {"c", 30}, {"<null>", 40}})});
  auto out = schema_of({s->field(0), s->field(1), s->field(0), s->field(1)});
  HashJoinOperator join(std::move(left), std::move(right), GetParam().first,
                        {BoundExpr::column_ref(0, DataType::string(), "k")},
                        {BoundExpr::column_ref(0, DataType::string(), "k")}, nullptr, out);
  auto rows = drain(join);
  std::sort(rows.begin(), rows.end());
  auto expected = GetParam().second;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(rows, expected);
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, JoinTest,
    ::testing::Values(
        std::make_pair(JoinKind::kInner, std::vector<std::string>{"a|1|a|10", "a|4|a|10"}),
        std::make_pair(JoinKind::kLeft, std::vector<std::string>{"a|1|a|10", "a|4|a|10", "b|2|NULL|NULL", "NULL|3|NULL|NULL"}),
        std::make_pair(JoinKind::kRight, std::vector<std::string>{"a|1|a|10", "a|4|a|10", "NULL|NULL|c|30", "NULL|NULL|NULL|40"}),
        std::make_pair(JoinKind::kFull, std::vector<std::string>{"a|1|a|10", "a|4|a|10", "b|2|NULL|NULL", "NULL|3|NULL|NULL",
                                                                 "NULL|NULL|c|30", "NULL|NULL|NULL|40"})));

TEST(SortTest, NullsAndDescendingAndTopN) {
  auto s = schema_of({Field{"k", DataType::string()}, Field{"v", DataType::int64()}});
  auto make = [&] {
    return std::make_unique<BatchesOperator>(
        s, std::vector<Batch>{kv_batch(s, {{"x", 3}, {"y", -1}}), kv_batch(s, {{"z", 1}, {"w", 2}})});
  };
  SortOperator asc(make(), {SortKey{BoundExpr::column_ref(1, DataType::int64(), "v"), false, false}});
  EXPECT_EQ(drain(asc), (std::vector<std::string>{"z|1", "w|2", "x|3", "y|NULL"}));
  SortOperator desc(make(), {SortKey{BoundExpr::column_ref(1, DataType::int64(), "v"), true, true}});
  EXPECT_EQ(drain(desc), (std::vector<std::string>{"y|NULL", "x|3", "w|2", "z|1"}));
  SortOperator top(make(), {SortKey{BoundExpr::column_ref(0, DataType::string(), "k"), false, false}}, 2);
  EXPECT_EQ(drain(top), (std::vector<std::string>{"w|2", "x|3"}));
}

TEST(LimitTest, OffsetAcrossBatches) {
  auto s = schema_of({Field{"k", DataType::string()}, Field{"v", DataType::int64()}});
  auto in = std::make_unique<BatchesOperator>(
      s, std::vector<Batch>{kv_batch(s, {{"a", 1}, {"b", 2}}), kv_batch(s, {{"c", 3}, {"d", 4}, {"e", 5}})});
  LimitOperator lim(std::move(in), 2, 3);
  EXPECT_EQ(drain(lim), (std::vector<std::string>{"d|4", "e|5"}));
}

TEST(GatherTest, CollectsEveryPipelineAndRethrowsErrors) {
  auto s = schema_of({Field{"k", DataType::string()}, Field{"v", DataType::int64()}});
  std::vector<OperatorPtr> pipes;
  for (int p = 0; p < 3; ++p) {
    std::vector<Batch> batches;
    for (int b = 0; b < 20; ++b) batches.push_back(kv_batch(s, {{"p" + std::to_string(p), b}}));
    pipes.push_back(std::make_unique<BatchesOperator>(s, batches));
  }
  GatherOperator g(s, std::move(pipes));
  EXPECT_EQ(drain(g).size(), 60u);

  class Failing : public Operator {
   public:
    using Operator::Operator;
    bool next(Batch*) override { throw std::runtime_error("boom"); }
  };
  std::vector<OperatorPtr> bad;
  bad.push_back(std::make_unique<Failing>(s));
  GatherOperator g2(s, std::move(bad));
  Batch b;
  EXPECT_THROW(g2.next(&b), std::runtime_error);
}

TEST(EvaluatorTest, ThreeValuedLogicAndCase) {
  auto s = schema_of({Field{"a", DataType::boolean()}, Field{"b", DataType::boolean()}});
  Batch in = Batch::empty(s);
  // a: T T F N ; b: N F N N
  for (int v : {1, 1, 0, -1}) v < 0 ? in.columns[0]->append_null() : in.columns[0]->append<uint8_t>(v);
  for (int v : {-1, 0, -1, -1}) v < 0 ? in.columns[1]->append_null() : in.columns[1]->append<uint8_t>(v);
  in.num_rows = 4;
  auto a = BoundExpr::column_ref(0, DataType::boolean(), "a");
  auto b = BoundExpr::column_ref(1, DataType::boolean(), "b");
  Evaluator ev;
  auto show = [&](const BoundExprPtr& e) {
    ColumnPtr c = ev.evaluate(*e, in);
    std::string s;
    for (size_t i = 0; i < 4; ++i) s += c->value_at(i).to_string() + " ";
    return s;
  };
  EXPECT_EQ(show(BoundExpr::make(BoundExpr::Kind::kAnd, DataType::boolean(), {a, b})), "NULL false false NULL ");
  EXPECT_EQ(show(BoundExpr::make(BoundExpr::Kind::kOr, DataType::boolean(), {a, b})), "true true NULL NULL ");
  EXPECT_EQ(show(BoundExpr::make(BoundExpr::Kind::kNot, DataType::boolean(), {a})), "false false true NULL ");
  auto cs = BoundExpr::make(BoundExpr::Kind::kCase, DataType::string(),
                            {a, BoundExpr::literal(Value::string("yes")), BoundExpr::literal(Value::string("no"))});
  EXPECT_EQ(show(cs), "yes yes no no ");
  auto co = BoundExpr::make(BoundExpr::Kind::kCoalesce, DataType::boolean(), {b, a});
  EXPECT_EQ(show(co), "true false false NULL ");
  std::vector<uint32_t> sel;
  ev.select(*a, in, &sel);
  EXPECT_EQ(sel, (std::vector<uint32_t>{0, 1}));
}

}  // namespace
}  // namespace velo
