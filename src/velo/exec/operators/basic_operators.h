#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "velo/exec/evaluator.h"
#include "velo/exec/operators/operator.h"
#include "velo/io/source.h"

namespace velo {

/// Reads one SourceReader.
class ScanOperator : public Operator {
 public:
  ScanOperator(SchemaPtr schema, std::unique_ptr<SourceReader> reader)
      : Operator(std::move(schema)), reader_(std::move(reader)) {}
  bool next(Batch* out) override;

 private:
  std::unique_ptr<SourceReader> reader_;
};

/// Keeps the rows where the predicate is TRUE.
class FilterOperator : public Operator {
 public:
  FilterOperator(OperatorPtr child, BoundExprPtr predicate)
      : Operator(child->schema()), child_(std::move(child)), predicate_(std::move(predicate)) {}
  bool next(Batch* out) override;

 private:
  OperatorPtr child_;
  BoundExprPtr predicate_;
  Evaluator evaluator_;
  std::vector<uint32_t> selection_;
};

/// Computes one output column per expression.
class ProjectOperator : public Operator {
 public:
  ProjectOperator(OperatorPtr child, std::vector<BoundExprPtr> exprs, SchemaPtr schema)
      : Operator(std::move(schema)), child_(std::move(child)), exprs_(std::move(exprs)) {}
  bool next(Batch* out) override;

 private:
  OperatorPtr child_;
  std::vector<BoundExprPtr> exprs_;
  Evaluator evaluator_;
};

/// Skips `offset` rows then passes `limit` rows (limit < 0 = all).
class LimitOperator : public Operator {
 public:
  LimitOperator(OperatorPtr child, int64_t limit, int64_t offset)
      : Operator(child->schema()), child_(std::move(child)), limit_(limit), offset_(offset) {}
  bool next(Batch* out) override;

 private:
  OperatorPtr child_;
  int64_t limit_;
  int64_t offset_;
};

/// All rows of each child in turn (UNION ALL); children already produce the same schema.
class UnionOperator : public Operator {
 public:
  UnionOperator(std::vector<OperatorPtr> children, SchemaPtr schema)
      : Operator(std::move(schema)), children_(std::move(children)) {}
  bool next(Batch* out) override;

 private:
  std::vector<OperatorPtr> children_;
  size_t current_ = 0;
};

/// A fixed list of batches (SELECT without FROM: one row, no columns).
class ValuesOperator : public Operator {
 public:
  ValuesOperator(SchemaPtr schema, std::vector<Batch> batches)
      : Operator(std::move(schema)), batches_(std::move(batches)) {}
  bool next(Batch* out) override;

 private:
  std::vector<Batch> batches_;
  size_t pos_ = 0;
};

/// Runs N copies of a pipeline segment on N threads and hands their batches to one consumer
/// through a bounded queue (backpressure). Errors in a worker are rethrown by next().
class GatherOperator : public Operator {
 public:
  GatherOperator(SchemaPtr schema, std::vector<OperatorPtr> pipelines);
  ~GatherOperator() override;
  bool next(Batch* out) override;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

/// Orders all input rows by keys (bounded inputs). With a limit, keeps only the top rows.
struct SortKey {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = false;
};

class SortOperator : public Operator {
 public:
  SortOperator(OperatorPtr child, std::vector<SortKey> keys, int64_t limit = -1)
      : Operator(child->schema()), child_(std::move(child)), keys_(std::move(keys)), limit_(limit) {}
  bool next(Batch* out) override;

 private:
  void sort_all();
  OperatorPtr child_;
  std::vector<SortKey> keys_;
  int64_t limit_;
  bool sorted_ = false;
  Batch result_;
  size_t pos_ = 0;
};

/// Compares row i of column a with row j of column b: <0, 0, >0. NULLs compare equal to each
/// other and before everything (callers flip for NULLS LAST).
int compare_values(const Column& a, size_t i, const Column& b, size_t j);

}  // namespace velo
