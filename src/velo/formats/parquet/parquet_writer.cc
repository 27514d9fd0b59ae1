#include "velo/formats/parquet/parquet_writer.h"

#include <cmath>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "velo/formats/parquet/parquet_bloom_filter.h"
#include "velo/formats/parquet/parquet_codec.h"
#include "velo/formats/parquet/parquet_encoding.h"
#include "velo/formats/parquet/parquet_metadata.h"
#include "velo/formats/parquet/parquet_page_index.h"
#include "velo/types/decimal.h"
#include "velo/types/error.h"

namespace velo::parquet {

using Uint128 = unsigned __int128;

namespace {

constexpr int64_t kDefaultRowGroupRows = 122880;
constexpr int64_t kMaxRowGroupBytes = 128ll << 20;
constexpr int64_t kDefaultPageSize = 1 << 20;
constexpr size_t kMaxDictionaryBytes = 1 << 20;
constexpr size_t kMaxDictionaryEntries = 1 << 16;
constexpr size_t kMaxStatBytes = 64;

int decimal_bytes(int precision) {
  for (int n = 1; n <= 16; ++n) {
    if (n == 16 || decimal::max_for_precision(precision) < (int128_t{1} << (8 * n - 1))) return n;
  }
  return 16;
}

/// How one of our scalar types is stored.
struct LeafLayout {
  PhysicalType physical = PhysicalType::kInt32;
  int32_t type_length = 0;  // FLBA
  int width = 0;            // bytes per buffered value; 0 = binary
};

LeafLayout layout_of(const DataType& t) {
  switch (t.id()) {
    case TypeId::kBoolean:
      return {PhysicalType::kBoolean, 0, 1};
    case TypeId::kInt32:
    case TypeId::kDate:
      return {PhysicalType::kInt32, 0, 4};
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      return {PhysicalType::kInt64, 0, 8};
    case TypeId::kDouble:
      return {PhysicalType::kDouble, 0, 8};
    case TypeId::kDecimal:
      if (t.precision() <= 9) return {PhysicalType::kInt32, 0, 4};
      if (t.precision() <= 18) return {PhysicalType::kInt64, 0, 8};
      {
        int n = decimal_bytes(t.precision());
        return {PhysicalType::kFixedLenByteArray, n, n};
      }
    case TypeId::kString:
    case TypeId::kBytes:
      return {PhysicalType::kByteArray, 0, 0};
    case TypeId::kInterval:
      return {PhysicalType::kFixedLenByteArray, 12, 12};
    case TypeId::kNull:
      return {PhysicalType::kInt32, 0, 4};
    default:
      throw_internal_error("layout_of nested type");
  }
}

/// Buffered levels and values of one leaf for the current row group.
struct LeafBuffer {
  DataType type;
  LeafLayout layout;
  std::vector<std::string> path;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  std::vector<uint32_t> def;
  std::vector<uint32_t> rep;
  Buffer values;               // fixed-width physical values
  std::vector<uint32_t> ends;  // binary: end offset of each value in heap
  Buffer heap;
  int64_t nulls = 0;
  bool bloom = false;  // write a bloom filter for this leaf (bloom_filter_columns)

  size_t num_values() const { return layout.width ? values.size() / layout.width : ends.size(); }
  std::string_view value_bytes(size_t i) const {
    if (layout.width)
      return std::string_view(reinterpret_cast<const char*>(values.data()) + i * layout.width,
                              layout.width);
    uint32_t b = i == 0 ? 0 : ends[i - 1];
    return std::string_view(reinterpret_cast<const char*>(heap.data()) + b, ends[i] - b);
  }
  size_t bytes() const { return values.size() + heap.size() + ends.size() * 4 + def.size() * 8; }
  void clear() {
    def.clear();
    rep.clear();
    values.clear();
    ends.clear();
    heap.clear();
    nulls = 0;
  }

  /// Appends value `i` of `col` (non-null) in physical form.
  void append(const Column& col, size_t i) {
    switch (type.id()) {
      case TypeId::kBoolean:
        values.push<uint8_t>(col.value<uint8_t>(i));
        return;
      case TypeId::kInt32:
      case TypeId::kDate:
        values.push<int32_t>(col.value<int32_t>(i));
        return;
      case TypeId::kInt64:
      case TypeId::kTimestamp:
        values.push<int64_t>(col.value<int64_t>(i));
        return;
      case TypeId::kDouble:
        values.push<double>(col.value<double>(i));
        return;
      case TypeId::kDecimal: {
        int128_t v = col.value<int128_t>(i);
        if (layout.width == 4) {
          values.push<int32_t>(static_cast<int32_t>(v));
        } else if (layout.width == 8) {
          values.push<int64_t>(static_cast<int64_t>(v));
        } else {
          uint8_t be[16];
          for (int b = 0; b < layout.width; ++b)
            be[layout.width - 1 - b] = static_cast<uint8_t>(static_cast<Uint128>(v) >> (8 * b));
          values.append(be, layout.width);
        }
        return;
      }
      case TypeId::kString:
      case TypeId::kBytes: {
        std::string_view s = col.string_at(i);
        heap.append(s.data(), s.size());
        ends.push_back(static_cast<uint32_t>(heap.size()));
        return;
      }
      case TypeId::kInterval: {
        // Parquet's INTERVAL is three unsigned 32-bit counts (months, days, milliseconds):
        // refuse what it cannot hold instead of writing a different interval.
        Interval iv = col.value<Interval>(i);
        if (iv.months < 0 || iv.days < 0 || iv.micros < 0 || iv.micros % 1000 != 0 ||
            iv.micros / 1000 > int64_t{UINT32_MAX})
          throw_user_error(
              "parquet INTERVAL cannot hold {} months {} days {} microseconds: its months, days "
              "and milliseconds are unsigned 32-bit (no negative parts, no sub-millisecond "
              "precision); cast the column to a string or BIGINT microseconds to write it",
              iv.months, iv.days, iv.micros);
        values.push<uint32_t>(static_cast<uint32_t>(iv.months));
        values.push<uint32_t>(static_cast<uint32_t>(iv.days));
        values.push<uint32_t>(static_cast<uint32_t>(iv.micros / 1000));
        return;
      }
      default:
        throw_internal_error("append of {}", type.to_string());
    }
  }
};

/// Output tree node mirroring our type, with the levels of the Parquet schema we write.
struct WriteNode {
  TypeId kind;
  int16_t def = 0;  // definition level when this value is non-null
  int16_t rep = 0;  // LIST/MAP: repetition level of the repeated group
  int leaf = -1;
  std::vector<WriteNode> children;
  std::vector<int> leaves;  // every leaf below (for null emission)
};

class ParquetWriter : public FormatWriter {
 public:
  ParquetWriter(OutputStream* out, SchemaPtr schema, const Options& options)
      : out_(out), schema_(std::move(schema)) {
    codec_ = codec_from_name(options.get_string("compression", "snappy"));
    row_group_rows_ = options.get_int("row_group_size", kDefaultRowGroupRows);
    if (row_group_rows_ <= 0) throw_user_error("row_group_size must be positive");
    page_size_ = options.get_bytes("page_size", kDefaultPageSize);
    if (page_size_ <= 0) throw_user_error("page_size must be positive");
    dictionary_ = options.get_bool("dictionary", true);
    page_index_ = options.get_bool("page_index", true);
    bloom_fpp_ = options.get_double("bloom_filter_fpp", 0.01);
    if (!(bloom_fpp_ > 0 && bloom_fpp_ < 1))
      throw_user_error("bloom_filter_fpp must be between 0 and 1 (exclusive)");
    SchemaElement root;
    root.name = "schema";
    root.num_children = static_cast<int32_t>(schema_->size());
    elements_.push_back(root);
    for (const Field& f : schema_->fields()) {
      std::vector<std::string> path;
      roots_.push_back(build(f.name, f.type, Repetition::kOptional, 0, 0, &path));
    }
    mark_bloom_columns(options.get_string("bloom_filter_columns", ""));
    write_raw("PAR1", 4);
  }

  void write(const Batch& batch) override;
  void finish() override;

 private:
  WriteNode build(const std::string& name, const DataType& type, Repetition repetition,
                  int16_t parent_def, int16_t parent_rep, std::vector<std::string>* path);
  void shred(const WriteNode& node, const Column& col, size_t i, uint32_t parent_def, uint32_t rep);
  void emit_null(const WriteNode& node, uint32_t def, uint32_t rep);
  void flush_row_group();
  /// Marks the leaves of the comma-separated top-level columns for bloom filters.
  void mark_bloom_columns(const std::string& names);
  /// Writes one chunk; appends its page index entries to `ci` / `oi` (ci cleared when the
  /// chunk's values cannot be indexed).
  ColumnChunk write_chunk(LeafBuffer& lb, std::optional<ColumnIndex>* ci, OffsetIndex* oi);
  void write_bloom_filter(const LeafBuffer& lb, const std::vector<std::string_view>* distinct,
                          ColumnMetaData* m);
  void write_page_indexes();
  void write_raw(const void* p, size_t n) {
    out_->write(p, n);
    offset_ += static_cast<int64_t>(n);
  }
  void write_page(PageHeader& h, const Buffer& body_raw);

  OutputStream* out_;
  SchemaPtr schema_;
  Codec codec_;
  int64_t row_group_rows_;
  int64_t page_size_;
  bool dictionary_;
  bool page_index_ = true;
  double bloom_fpp_ = 0.01;
  std::vector<SchemaElement> elements_;
  std::vector<WriteNode> roots_;
  std::vector<LeafBuffer> leaves_;
  int64_t rows_in_group_ = 0;
  int64_t total_rows_ = 0;
  int64_t offset_ = 0;
  std::vector<RowGroup> row_groups_;
  // Page index of every chunk written, by row group then leaf; written before the footer.
  std::vector<std::vector<std::optional<ColumnIndex>>> column_indexes_;
  std::vector<std::vector<OffsetIndex>> offset_indexes_;
  bool finished_ = false;
  Buffer scratch_, compressed_;
  int64_t uncompressed_bytes_ = 0;
};

WriteNode ParquetWriter::build(const std::string& name, const DataType& type, Repetition repetition,
                               int16_t parent_def, int16_t parent_rep,
                               std::vector<std::string>* path) {
  WriteNode node;
  node.kind = type.id();
  node.def = parent_def + (repetition == Repetition::kOptional ? 1 : 0);
  path->push_back(name);
  SchemaElement e;
  e.name = name;
  e.repetition = repetition;
  size_t my_index = elements_.size();
  switch (type.id()) {
    case TypeId::kStruct: {
      e.num_children = static_cast<int32_t>(type.children().size());
      if (e.num_children == 0) throw_not_supported("writing an empty STRUCT to parquet");
      elements_.push_back(e);
      for (const Field& f : type.children()) {
        node.children.push_back(
            build(f.name, f.type, Repetition::kOptional, node.def, parent_rep, path));
      }
      break;
    }
    case TypeId::kList:
    case TypeId::kMap: {
      bool is_map = type.id() == TypeId::kMap;
      e.num_children = 1;
      e.converted_type = is_map ? ConvertedType::kMap : ConvertedType::kList;
      e.logical_type.kind = is_map ? LogicalType::kMap : LogicalType::kList;
      elements_.push_back(e);
      SchemaElement rep_group;
      rep_group.name = is_map ? "key_value" : "list";
      rep_group.repetition = Repetition::kRepeated;
      rep_group.num_children = is_map ? 2 : 1;
      elements_.push_back(rep_group);
      path->push_back(rep_group.name);
      int16_t rdef = node.def + 1;
      int16_t rrep = parent_rep + 1;
      node.rep = rrep;
      if (is_map) {
        const auto& kv = type.children()[0].type.children();
        WriteNode entries;
        entries.kind = TypeId::kStruct;
        entries.def = rdef;
        entries.children.push_back(
            build("key", kv[0].type, Repetition::kRequired, rdef, rrep, path));
        entries.children.push_back(
            build("value", kv[1].type, Repetition::kOptional, rdef, rrep, path));
        for (auto& c : entries.children)
          entries.leaves.insert(entries.leaves.end(), c.leaves.begin(), c.leaves.end());
        node.children.push_back(std::move(entries));
      } else {
        node.children.push_back(
            build("element", type.children()[0].type, Repetition::kOptional, rdef, rrep, path));
      }
      path->pop_back();
      break;
    }
    default: {
      LeafLayout lay = layout_of(type);
      e.type = lay.physical;
      e.type_length = lay.type_length;
      switch (type.id()) {
        case TypeId::kString:
          e.converted_type = ConvertedType::kUtf8;
          e.logical_type.kind = LogicalType::kString;
          break;
        case TypeId::kDate:
          e.converted_type = ConvertedType::kDate;
          e.logical_type.kind = LogicalType::kDate;
          break;
        case TypeId::kTimestamp:
          e.converted_type = ConvertedType::kTimestampMicros;
          e.logical_type.kind = LogicalType::kTimestamp;
          e.logical_type.adjusted_to_utc = true;
          e.logical_type.unit = 2;
          break;
        case TypeId::kDecimal:
          e.converted_type = ConvertedType::kDecimal;
          e.scale = type.scale();
          e.precision = type.precision();
          e.logical_type.kind = LogicalType::kDecimal;
          e.logical_type.scale = type.scale();
          e.logical_type.precision = type.precision();
          break;
        case TypeId::kInterval:
          e.converted_type = ConvertedType::kInterval;
          break;
        default:
          break;
      }
      elements_.push_back(e);
      LeafBuffer lb;
      lb.type = type.id() == TypeId::kNull ? DataType::int32() : type;
      lb.layout = lay;
      lb.path = *path;
      lb.max_def = node.def;
      lb.max_rep = parent_rep;
      node.leaf = static_cast<int>(leaves_.size());
      leaves_.push_back(std::move(lb));
      break;
    }
  }
  (void)my_index;
  path->pop_back();
  if (node.leaf >= 0) node.leaves.push_back(node.leaf);
  for (auto& c : node.children)
    node.leaves.insert(node.leaves.end(), c.leaves.begin(), c.leaves.end());
  return node;
}

void ParquetWriter::emit_null(const WriteNode& node, uint32_t def, uint32_t rep) {
  for (int l : node.leaves) {
    LeafBuffer& lb = leaves_[l];
    lb.def.push_back(def);
    if (lb.max_rep > 0) lb.rep.push_back(rep);
    ++lb.nulls;
  }
}

void ParquetWriter::shred(const WriteNode& node, const Column& col, size_t i, uint32_t parent_def,
                          uint32_t rep) {
  if (col.is_null(i) || node.kind == TypeId::kNull) {
    emit_null(node, parent_def, rep);
    return;
  }
  switch (node.kind) {
    case TypeId::kStruct:
      for (size_t c = 0; c < node.children.size(); ++c)
        shred(node.children[c], col.child(c), i, node.def, rep);
      return;
    case TypeId::kList:
    case TypeId::kMap: {
      int32_t b = col.offsets()[i], e = col.offsets()[i + 1];
      if (b == e) {
        emit_null(node, node.def, rep);
        return;
      }
      const WriteNode& elem = node.children[0];
      for (int32_t j = b; j < e; ++j)
        shred(elem, col.child(0), j, node.def + 1, j == b ? rep : node.rep);
      return;
    }
    default: {
      LeafBuffer& lb = leaves_[node.leaf];
      lb.def.push_back(node.def);
      if (lb.max_rep > 0) lb.rep.push_back(rep);
      lb.append(col, i);
      return;
    }
  }
}

void ParquetWriter::write(const Batch& batch) {
  if (finished_) throw_internal_error("parquet writer used after finish");
  size_t row = 0;
  while (row < batch.num_rows) {
    size_t take = std::min<size_t>(batch.num_rows - row, row_group_rows_ - rows_in_group_);
    for (size_t c = 0; c < roots_.size(); ++c) {
      const WriteNode& node = roots_[c];
      const Column& col = batch.column(c);
      if (node.leaf >= 0 && node.kind != TypeId::kNull) {
        // Flat column: levels are the validity bitmap; values append in a tight loop.
        LeafBuffer& lb = leaves_[node.leaf];
        size_t base = lb.def.size();
        lb.def.resize(base + take);
        for (size_t i = 0; i < take; ++i) {
          bool valid = !col.is_null(row + i);
          lb.def[base + i] = valid ? 1 : 0;
          if (valid)
            lb.append(col, row + i);
          else
            ++lb.nulls;
        }
      } else {
        for (size_t i = 0; i < take; ++i) shred(node, col, row + i, 0, 0);
      }
    }
    row += take;
    rows_in_group_ += take;
    size_t bytes = 0;
    for (const auto& lb : leaves_) bytes += lb.bytes();
    if (rows_in_group_ >= row_group_rows_ || static_cast<int64_t>(bytes) >= kMaxRowGroupBytes)
      flush_row_group();
  }
}

// ---- encoding one column chunk --------------------------------------------------------------

/// Running min/max in our type's order over the physical values.
struct StatsTracker {
  bool has = false;
  std::string min, max;
};

int compare_physical(const LeafBuffer& lb, std::string_view a, std::string_view b) {
  switch (lb.type.id()) {
    case TypeId::kBoolean:
      return static_cast<int>(uint8_t(a[0])) - static_cast<int>(uint8_t(b[0]));
    case TypeId::kInt32:
    case TypeId::kDate: {
      int32_t x, y;
      std::memcpy(&x, a.data(), 4);
      std::memcpy(&y, b.data(), 4);
      return x < y ? -1 : x > y;
    }
    case TypeId::kInt64:
    case TypeId::kTimestamp: {
      int64_t x, y;
      std::memcpy(&x, a.data(), 8);
      std::memcpy(&y, b.data(), 8);
      return x < y ? -1 : x > y;
    }
    case TypeId::kDouble: {
      double x, y;
      std::memcpy(&x, a.data(), 8);
      std::memcpy(&y, b.data(), 8);
      return x < y ? -1 : x > y;
    }
    case TypeId::kDecimal: {
      if (lb.layout.width == 4) {
        int32_t x, y;
        std::memcpy(&x, a.data(), 4);
        std::memcpy(&y, b.data(), 4);
        return x < y ? -1 : x > y;
      }
      if (lb.layout.width == 8) {
        int64_t x, y;
        std::memcpy(&x, a.data(), 8);
        std::memcpy(&y, b.data(), 8);
        return x < y ? -1 : x > y;
      }
      // Big-endian two's complement: flip the sign bit, then compare bytes.
      if ((uint8_t(a[0]) ^ 0x80) != (uint8_t(b[0]) ^ 0x80))
        return (uint8_t(a[0]) ^ 0x80) < (uint8_t(b[0]) ^ 0x80) ? -1 : 1;
      return a.compare(b) < 0 ? -1 : a.compare(b) > 0;
    }
    default: {
      int c = a.compare(b);
      return c < 0 ? -1 : c > 0;
    }
  }
}

/// Min and max of values [from, to) of `lb` in its type's order, NaN ignored, with Parquet's
/// signed-zero rule for doubles; false when there is none or one exceeds kMaxStatBytes.
bool value_range(const LeafBuffer& lb, size_t from, size_t to, std::string* min, std::string* max) {
  if (lb.type.id() == TypeId::kInterval) return false;  // INTERVAL has no defined order
  std::string_view mn, mx;
  bool has = false;
  for (size_t i = from; i < to; ++i) {
    std::string_view v = lb.value_bytes(i);
    if (lb.type.id() == TypeId::kDouble) {
      double d;
      std::memcpy(&d, v.data(), 8);
      if (std::isnan(d)) continue;
    }
    if (!has) {
      mn = mx = v;
      has = true;
      continue;
    }
    if (compare_physical(lb, v, mn) < 0) mn = v;
    if (compare_physical(lb, v, mx) > 0) mx = v;
  }
  if (!has || mn.size() > kMaxStatBytes || mx.size() > kMaxStatBytes) return false;
  *min = std::string(mn);
  *max = std::string(mx);
  if (lb.type.id() == TypeId::kDouble) {
    // A zero min is written as -0.0 and a zero max as +0.0, so readers pruning on `x = 0.0` or
    // `x = -0.0` never skip data holding either.
    double d;
    std::memcpy(&d, min->data(), 8);
    if (d == 0) {
      d = -0.0;
      std::memcpy(min->data(), &d, 8);
    }
    std::memcpy(&d, max->data(), 8);
    if (d == 0) {
      d = 0.0;
      std::memcpy(max->data(), &d, 8);
    }
  }
  return true;
}

void ParquetWriter::write_page(PageHeader& h, const Buffer& body) {
  compressed_.clear();
  compress(codec_, body.data(), body.size(), &compressed_);
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(compressed_.size());
  scratch_.clear();
  encode_page_header(h, &scratch_);
  write_raw(scratch_.data(), scratch_.size());
  write_raw(compressed_.data(), compressed_.size());
  uncompressed_bytes_ += static_cast<int64_t>(scratch_.size() + body.size());
}

/// ASCENDING when the bounds of the non-null pages never decrease, DESCENDING when they never
/// increase (readers may then binary-search), else UNORDERED.
BoundaryOrder boundary_order_of(const LeafBuffer& lb, const ColumnIndex& c) {
  bool asc = true, desc = true;
  int prev = -1;
  for (size_t i = 0; i < c.null_pages.size(); ++i) {
    if (c.null_pages[i]) continue;
    if (prev >= 0) {
      int lo = compare_physical(lb, c.min_values[i], c.min_values[prev]);
      int hi = compare_physical(lb, c.max_values[i], c.max_values[prev]);
      if (lo < 0 || hi < 0) asc = false;
      if (lo > 0 || hi > 0) desc = false;
    }
    prev = static_cast<int>(i);
  }
  if (asc) return BoundaryOrder::kAscending;
  if (desc) return BoundaryOrder::kDescending;
  return BoundaryOrder::kUnordered;
}

void ParquetWriter::write_bloom_filter(const LeafBuffer& lb,
                                       const std::vector<std::string_view>* distinct,
                                       ColumnMetaData* m) {
  size_t nvals = lb.num_values();
  auto filter = SplitBlockBloomFilter::for_values(distinct ? distinct->size() : nvals, bloom_fpp_);
  // The hash input is the value's plain encoding without the BYTE_ARRAY length prefix.
  if (distinct) {
    for (std::string_view v : *distinct) filter.insert(xxhash64(v.data(), v.size()));
  } else {
    for (size_t i = 0; i < nvals; ++i) {
      std::string_view v = lb.value_bytes(i);
      filter.insert(xxhash64(v.data(), v.size()));
    }
  }
  scratch_.clear();
  encode_bloom_filter(filter, &scratch_);
  m->bloom_filter_offset = offset_;
  m->bloom_filter_length = static_cast<int32_t>(scratch_.size());
  write_raw(scratch_.data(), scratch_.size());
}

void ParquetWriter::mark_bloom_columns(const std::string& names) {
  size_t start = 0;
  while (start <= names.size()) {
    size_t end = names.find(',', start);
    if (end == std::string::npos) end = names.size();
    std::string name = names.substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    start = end + 1;
    if (name.empty()) continue;
    int field = schema_->find(name);
    if (field < 0)
      throw_user_error("bloom_filter_columns names '{}', which is not a column of the output",
                       name);
    const WriteNode& node = roots_[field];
    if (node.leaf < 0 || node.kind == TypeId::kBoolean || node.kind == TypeId::kInterval ||
        node.kind == TypeId::kNull)
      throw_user_error(
          "bloom_filter_columns: column '{}' has type {}; bloom filters need a flat column of "
          "a numeric, string, binary, date or timestamp type",
          name, schema_->field(field).type.to_string());
    leaves_[node.leaf].bloom = true;
  }
}

void ParquetWriter::write_page_indexes() {
  // PageIndex.md layout: every column index, then every offset index, after the row groups.
  Buffer buf;
  for (size_t g = 0; g < row_groups_.size(); ++g)
    for (size_t c = 0; c < row_groups_[g].columns.size(); ++c) {
      if (!column_indexes_[g][c]) continue;
      buf.clear();
      encode_column_index(*column_indexes_[g][c], &buf);
      row_groups_[g].columns[c].column_index_offset = offset_;
      row_groups_[g].columns[c].column_index_length = static_cast<int32_t>(buf.size());
      write_raw(buf.data(), buf.size());
    }
  for (size_t g = 0; g < row_groups_.size(); ++g)
    for (size_t c = 0; c < row_groups_[g].columns.size(); ++c) {
      buf.clear();
      encode_offset_index(offset_indexes_[g][c], &buf);
      row_groups_[g].columns[c].offset_index_offset = offset_;
      row_groups_[g].columns[c].offset_index_length = static_cast<int32_t>(buf.size());
      write_raw(buf.data(), buf.size());
    }
}

ColumnChunk ParquetWriter::write_chunk(LeafBuffer& lb, std::optional<ColumnIndex>* ci,
                                       OffsetIndex* oi) {
  *ci = ColumnIndex();
  oi->pages.clear();
  ColumnChunk cc;
  ColumnMetaData m;
  m.type = lb.layout.physical;
  m.path_in_schema = lb.path;
  m.codec = codec_;
  m.num_values = static_cast<int64_t>(lb.def.size());
  int64_t chunk_start = offset_;
  uncompressed_bytes_ = 0;
  size_t nvals = lb.num_values();

  // Statistics.
  Statistics st;
  st.null_count = lb.nulls;
  std::string mn, mx;
  if (value_range(lb, 0, nvals, &mn, &mx)) {
    st.min_value = std::move(mn);
    st.max_value = std::move(mx);
  }
  m.statistics = st;

  // Dictionary.
  bool use_dict = false;
  std::vector<uint32_t> indices;
  std::vector<std::string_view> dict_values;
  if (dictionary_ && lb.type.id() != TypeId::kBoolean && nvals > 0) {
    std::unordered_map<std::string_view, uint32_t> map;
    map.reserve(std::min<size_t>(nvals, 4096));
    indices.resize(nvals);
    size_t dict_bytes = 0;
    use_dict = true;
    for (size_t i = 0; i < nvals; ++i) {
      std::string_view v = lb.value_bytes(i);
      auto [it, inserted] = map.try_emplace(v, static_cast<uint32_t>(dict_values.size()));
      if (inserted) {
        dict_values.push_back(v);
        dict_bytes += v.size() + (lb.layout.width ? 0 : 4);
        if (dict_bytes > kMaxDictionaryBytes || dict_values.size() > kMaxDictionaryEntries) {
          use_dict = false;  // fall back to PLAIN for the whole chunk
          break;
        }
      }
      indices[i] = it->second;
    }
  }

  Buffer body;
  if (use_dict) {
    for (auto v : dict_values) {
      if (!lb.layout.width) {
        uint32_t len = static_cast<uint32_t>(v.size());
        body.push(len);
      }
      body.append(v.data(), v.size());
    }
    PageHeader h;
    h.type = PageType::kDictionaryPage;
    h.dictionary_page_header =
        DictionaryPageHeader{static_cast<int32_t>(dict_values.size()), Encoding::kPlain};
    m.dictionary_page_offset = offset_;
    write_page(h, body);
    m.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  } else {
    m.encodings = {Encoding::kPlain, Encoding::kRle};
  }
  m.data_page_offset = offset_;

  // Data pages, split at row starts once a page's value bytes reach page_size.
  size_t n = lb.def.size();
  size_t entry = 0, value = 0;
  int def_bw = bit_width_of(lb.max_def), rep_bw = bit_width_of(lb.max_rep);
  int dict_bw = use_dict ? std::max(1, bit_width_of(dict_values.size() - 1)) : 0;
  int64_t rows_before = 0;  // rows in the pages written so far (for the offset index)
  while (entry < n || (n == 0 && entry == 0)) {
    size_t e_end = entry, v_end = value;
    int64_t bytes = 0;
    while (e_end < n) {
      if (e_end > entry && bytes >= page_size_ && (lb.max_rep == 0 || lb.rep[e_end] == 0)) break;
      if (lb.def[e_end] == static_cast<uint32_t>(lb.max_def)) {
        bytes +=
            use_dict ? 2 : (lb.layout.width ? lb.layout.width : lb.value_bytes(v_end).size() + 4);
        ++v_end;
      }
      ++e_end;
    }
    body.clear();
    auto put_levels = [&](const std::vector<uint32_t>& lv, int bw) {
      size_t at = body.size();
      body.resize(at + 4);
      encode_rle(lv.data() + entry, e_end - entry, bw, &body);
      uint32_t len = static_cast<uint32_t>(body.size() - at - 4);
      std::memcpy(body.data() + at, &len, 4);
    };
    if (lb.max_rep > 0) put_levels(lb.rep, rep_bw);
    if (lb.max_def > 0) put_levels(lb.def, def_bw);
    if (use_dict) {
      body.push(static_cast<uint8_t>(dict_bw));
      encode_rle(indices.data() + value, v_end - value, dict_bw, &body);
    } else if (lb.type.id() == TypeId::kBoolean) {
      size_t k = v_end - value;
      size_t at = body.size();
      body.resize(at + (k + 7) / 8);
      std::memset(body.data() + at, 0, (k + 7) / 8);
      for (size_t i = 0; i < k; ++i)
        if (lb.values.data()[value + i]) body.data()[at + i / 8] |= uint8_t(1) << (i % 8);
    } else if (lb.layout.width) {
      body.append(lb.values.data() + value * lb.layout.width, (v_end - value) * lb.layout.width);
    } else {
      for (size_t i = value; i < v_end; ++i) {
        std::string_view v = lb.value_bytes(i);
        uint32_t len = static_cast<uint32_t>(v.size());
        body.push(len);
        body.append(v.data(), v.size());
      }
    }
    PageHeader h;
    h.type = PageType::kDataPage;
    DataPageHeader d;
    d.num_values = static_cast<int32_t>(e_end - entry);
    d.encoding = use_dict ? Encoding::kRleDictionary : Encoding::kPlain;
    h.data_page_header = d;
    PageLocation loc;
    loc.offset = offset_;
    loc.first_row_index = rows_before;
    write_page(h, body);
    loc.compressed_page_size = static_cast<int32_t>(offset_ - loc.offset);
    oi->pages.push_back(loc);
    if (lb.max_rep == 0) {
      rows_before += static_cast<int64_t>(e_end - entry);
    } else {
      for (size_t i = entry; i < e_end; ++i) rows_before += lb.rep[i] == 0;
    }
    if (*ci) {
      // One column index entry per page: all-null pages have empty bounds.
      ColumnIndex& c = **ci;
      c.null_counts.push_back(static_cast<int64_t>((e_end - entry) - (v_end - value)));
      if (v_end == value) {
        c.null_pages.push_back(true);
        c.min_values.emplace_back();
        c.max_values.emplace_back();
      } else {
        std::string pmin, pmax;
        if (value_range(lb, value, v_end, &pmin, &pmax)) {
          c.null_pages.push_back(false);
          c.min_values.push_back(std::move(pmin));
          c.max_values.push_back(std::move(pmax));
        } else {
          ci->reset();  // a page without usable bounds (all NaN, long strings): no index
        }
      }
    }
    entry = e_end;
    value = v_end;
    if (n == 0) break;
  }
  if (*ci) (*ci)->boundary_order = boundary_order_of(lb, **ci);
  m.total_compressed_size = offset_ - chunk_start;
  m.total_uncompressed_size = uncompressed_bytes_;
  if (lb.bloom && nvals > 0) write_bloom_filter(lb, use_dict ? &dict_values : nullptr, &m);
  cc.file_offset = chunk_start;
  cc.meta_data = std::move(m);
  return cc;
}

void ParquetWriter::flush_row_group() {
  if (rows_in_group_ == 0) return;
  RowGroup rg;
  rg.num_rows = rows_in_group_;
  column_indexes_.emplace_back(leaves_.size());
  offset_indexes_.emplace_back(leaves_.size());
  for (size_t l = 0; l < leaves_.size(); ++l) {
    LeafBuffer& lb = leaves_[l];
    rg.columns.push_back(write_chunk(lb, &column_indexes_.back()[l], &offset_indexes_.back()[l]));
    // The spec defines total_byte_size as the uncompressed size of the row group's column data.
    rg.total_byte_size += rg.columns.back().meta_data->total_uncompressed_size;
    lb.clear();
  }
  row_groups_.push_back(std::move(rg));
  total_rows_ += rows_in_group_;
  rows_in_group_ = 0;
}

void ParquetWriter::finish() {
  if (finished_) return;
  flush_row_group();
  finished_ = true;
  if (page_index_) write_page_indexes();
  FileMetaData md;
  md.version = 1;
  md.schema = elements_;
  md.num_rows = total_rows_;
  md.row_groups = std::move(row_groups_);
  md.created_by = "velostream version 0.1.0";
  // Min/max (statistics and column index) follow each type's defined order.
  md.column_orders.assign(leaves_.size(), 1);
  Buffer footer;
  encode_file_metadata(md, &footer);
  write_raw(footer.data(), footer.size());
  uint32_t len = static_cast<uint32_t>(footer.size());
  write_raw(&len, 4);
  write_raw("PAR1", 4);
}

}  // namespace

std::unique_ptr<FormatWriter> open_parquet_writer(OutputStream* out, SchemaPtr schema,
                                                  const Options& options) {
  return std::make_unique<ParquetWriter>(out, std::move(schema), options);
}

}  // namespace velo::parquet
