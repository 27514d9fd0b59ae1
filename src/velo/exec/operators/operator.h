#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "velo/batch/batch.h"

namespace velo {

/// A physical operator in a pull pipeline: parents call next() for batches. Operators below a
/// parallel boundary run on a worker thread each; an operator instance is single-threaded.
class Operator {
 public:
  explicit Operator(SchemaPtr schema) : schema_(std::move(schema)) {}
  virtual ~Operator() = default;
  const SchemaPtr& schema() const { return schema_; }
  /// Produces the next non-empty batch; false at end of input. May block on sources.
  virtual bool next(Batch* out) = 0;

 protected:
  SchemaPtr schema_;
};

using OperatorPtr = std::unique_ptr<Operator>;

/// Builds one instance of a pipeline segment per worker (see ParallelPlan in the planner).
using OperatorFactory = std::function<OperatorPtr()>;

}  // namespace velo
