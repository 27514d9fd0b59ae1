#include "velo/formats/parquet/parquet_pruning.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace velo::parquet {

bool facts_exclude(const LeafInfo& leaf, const ScanPredicate& p, const ValueFacts& facts) {
  if (p.op == ScanPredicate::Op::kIsNull) return facts.null_count && *facts.null_count == 0;
  // Comparisons (and IS NOT NULL) are never true on NULL.
  if (facts.all_null) return true;
  if (p.op == ScanPredicate::Op::kIsNotNull) return false;
  if (!facts.min || !facts.max || p.values.empty()) return false;
  Value lo, hi;
  if (!stat_to_value(leaf, *facts.min, &lo) || !stat_to_value(leaf, *facts.max, &hi)) return false;
  auto comparable = [&](const Value& v) {
    if (v.is_null()) return false;
    if (v.type().is_numeric() && lo.type().is_numeric()) return true;
    return v.type().id() == lo.type().id();
  };
  auto outside = [&](const Value& v) { return v.compare(lo) < 0 || v.compare(hi) > 0; };
  const Value& v0 = p.values[0];
  switch (p.op) {
    case ScanPredicate::Op::kEq:
      return comparable(v0) && outside(v0);
    case ScanPredicate::Op::kIn:
      for (const Value& v : p.values)
        if (!comparable(v) || !outside(v)) return false;
      return true;
    case ScanPredicate::Op::kLt:
      return comparable(v0) && lo.compare(v0) >= 0;
    case ScanPredicate::Op::kLe:
      return comparable(v0) && lo.compare(v0) > 0;
    case ScanPredicate::Op::kGt:
      return comparable(v0) && hi.compare(v0) <= 0;
    case ScanPredicate::Op::kGe:
      return comparable(v0) && hi.compare(v0) < 0;
    default:
      return false;
  }
}

bool page_index_valid(const OffsetIndex& index, const ColumnIndex* column, int64_t num_rows) {
  const auto& pages = index.pages;
  if (pages.empty() || pages[0].first_row_index != 0) return false;
  for (size_t i = 1; i < pages.size(); ++i)
    if (pages[i].first_row_index <= pages[i - 1].first_row_index ||
        pages[i].first_row_index >= num_rows || pages[i].offset <= pages[i - 1].offset)
      return false;
  if (!column) return true;
  size_t n = pages.size();
  return column->null_pages.size() == n && column->min_values.size() == n &&
         column->max_values.size() == n &&
         (column->null_counts.empty() || column->null_counts.size() == n);
}

namespace {

int64_t page_end(const OffsetIndex& offsets, size_t i, int64_t num_rows) {
  return i + 1 < offsets.pages.size() ? offsets.pages[i + 1].first_row_index : num_rows;
}

void add_range(RowRanges* r, int64_t b, int64_t e) {
  if (b >= e) return;
  if (!r->empty() && r->back().second >= b)
    r->back().second = std::max(r->back().second, e);
  else
    r->emplace_back(b, e);
}

}  // namespace

RowRanges rows_matching(const LeafInfo& leaf, const ScanPredicate& p, const ColumnIndex& column,
                        const OffsetIndex& offsets, int64_t num_rows) {
  RowRanges out;
  for (size_t i = 0; i < offsets.pages.size(); ++i) {
    ValueFacts f;
    f.all_null = column.null_pages[i];
    if (!f.all_null) {
      f.min = &column.min_values[i];
      f.max = &column.max_values[i];
    }
    if (!column.null_counts.empty()) f.null_count = column.null_counts[i];
    if (!facts_exclude(leaf, p, f))
      add_range(&out, offsets.pages[i].first_row_index, page_end(offsets, i, num_rows));
  }
  return out;
}

RowRanges intersect(const RowRanges& a, const RowRanges& b) {
  RowRanges out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    int64_t lo = std::max(a[i].first, b[j].first), hi = std::min(a[i].second, b[j].second);
    if (lo < hi) out.emplace_back(lo, hi);
    if (a[i].second < b[j].second)
      ++i;
    else
      ++j;
  }
  return out;
}

int64_t row_count(const RowRanges& ranges) {
  int64_t n = 0;
  for (auto [b, e] : ranges) n += e - b;
  return n;
}

bool plain_bytes_of(const LeafInfo& leaf, const Value& v, std::string* out) {
  if (v.is_null()) return false;
  const TypeId t = v.type().id();
  auto put = [&](const void* p, size_t n) {
    out->assign(static_cast<const char*>(p), n);
    return true;
  };
  bool integral = t == TypeId::kInt32 || t == TypeId::kInt64;
  switch (leaf.conversion) {
    case Conversion::kInt32: {
      if (!integral) return false;
      int64_t x = v.as_int();
      if (x < INT32_MIN || x > INT32_MAX) return false;
      int32_t y = static_cast<int32_t>(x);
      return put(&y, 4);
    }
    case Conversion::kInt32Date: {
      if (t != TypeId::kDate) return false;
      int32_t y = static_cast<int32_t>(v.as_int());
      return put(&y, 4);
    }
    case Conversion::kInt64: {
      if (!integral) return false;
      int64_t x = v.as_int();
      return put(&x, 8);
    }
    case Conversion::kInt64TimestampMicros: {
      if (t != TypeId::kTimestamp) return false;
      int64_t x = v.as_int();
      return put(&x, 8);
    }
    case Conversion::kDouble: {
      double d;
      if (t == TypeId::kDouble)
        d = v.as_double();
      else if (integral)
        d = static_cast<double>(v.as_int());
      else
        return false;
      if (std::isnan(d) || d == 0) return false;  // NaN and the two zeros hash differently
      return put(&d, 8);
    }
    case Conversion::kBinaryString:
    case Conversion::kBinaryBytes:
      if (t != TypeId::kString && t != TypeId::kBytes) return false;
      if (leaf.physical == PhysicalType::kFixedLenByteArray &&
          v.as_string().size() != static_cast<size_t>(leaf.type_length))
        return false;
      out->assign(v.as_string());
      return true;
    default:
      return false;
  }
}

bool bloom_excludes(const LeafInfo& leaf, const ScanPredicate& p,
                    const SplitBlockBloomFilter& filter) {
  if (p.op != ScanPredicate::Op::kEq && p.op != ScanPredicate::Op::kIn) return false;
  if (p.values.empty()) return false;
  std::string bytes;
  for (const Value& v : p.values) {
    if (!plain_bytes_of(leaf, v, &bytes)) return false;
    if (filter.might_contain(xxhash64(bytes.data(), bytes.size()))) return false;
  }
  return true;
}

}  // namespace velo::parquet
