#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "velo/formats/parquet/parquet_bloom_filter.h"
#include "velo/formats/parquet/parquet_page_index.h"
#include "velo/formats/parquet/parquet_schema.h"
#include "velo/io/scan_spec.h"

namespace velo::parquet {

// Deciding which row groups and pages a scan can skip: min/max/null counts (footer statistics
// and the column index) and split-block bloom filters. Every answer errs on "may match"; the
// engine filters rows exactly afterwards.

/// Decodes one plain-encoded statistics value to the column's output type; false when the bytes
/// do not form a value of the column (or it is NaN). Defined with the value conversion in
/// parquet_reader.cc.
bool stat_to_value(const LeafInfo& leaf, const std::string& bytes, Value* out);

/// What is known about the values of one column over some rows.
struct ValueFacts {
  const std::string* min = nullptr;  // plain-encoded, in the column's type-defined order
  const std::string* max = nullptr;
  std::optional<int64_t> null_count;
  bool all_null = false;
};

/// True when `facts` prove no row can satisfy `p` (a predicate on a flat column).
bool facts_exclude(const LeafInfo& leaf, const ScanPredicate& p, const ValueFacts& facts);

/// Sorted, disjoint row ranges [first, second) within one row group.
using RowRanges = std::vector<std::pair<int64_t, int64_t>>;

/// True when `index` is usable for a row group of `num_rows` rows: pages start at row 0, in
/// increasing order, inside the row group; `column` (when given) has one entry per page.
bool page_index_valid(const OffsetIndex& index, const ColumnIndex* column, int64_t num_rows);

/// The rows of the pages `p` may match (by the column index); `offsets` gives each page's rows.
RowRanges rows_matching(const LeafInfo& leaf, const ScanPredicate& p, const ColumnIndex& column,
                        const OffsetIndex& offsets, int64_t num_rows);

RowRanges intersect(const RowRanges& a, const RowRanges& b);
int64_t row_count(const RowRanges& ranges);

/// The plain encoding of `v` for the column (the bytes a bloom filter hashes); false when the
/// value cannot be stored in the column exactly (then no filter can rule it out).
bool plain_bytes_of(const LeafInfo& leaf, const Value& v, std::string* out);

/// True when `filter` proves no row satisfies `p` (equality or IN on the column).
bool bloom_excludes(const LeafInfo& leaf, const ScanPredicate& p,
                    const SplitBlockBloomFilter& filter);

}  // namespace velo::parquet
