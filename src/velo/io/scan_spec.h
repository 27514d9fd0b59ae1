#pragma once

#include <string>
#include <vector>

#include "velo/types/value.h"

namespace velo {

/// A predicate a source may use to skip data: `column op constant(s)`. Sources may apply it
/// loosely (skip row groups, partitions, files); the engine still filters every row exactly.
struct ScanPredicate {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kIsNull, kIsNotNull };
  int column = -1;            // index into the source's full schema
  Op op = Op::kEq;
  std::vector<Value> values;  // one for comparisons, several for IN, none for IS [NOT] NULL

  std::string to_string(const std::string& column_name) const;
};

/// What the planner asks of a source (ARCHITECTURE.md §3 `apply(ScanSpec)`).
struct ScanSpec {
  /// Indexes into the source schema of the columns to produce, in this order; empty = all.
  std::vector<int> projection;
  /// Conjunction of predicates the source may use to prune.
  std::vector<ScanPredicate> predicates;
  /// Stop after this many rows when the query has a LIMIT and nothing in between filters; -1 = none.
  int64_t limit = -1;
};

}  // namespace velo
