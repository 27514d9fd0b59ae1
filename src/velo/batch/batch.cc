#include "velo/batch/batch.h"

#include <numeric>

#include "velo/types/error.h"

namespace velo {

const char* row_kind_symbol(RowKind kind) {
  switch (kind) {
    case RowKind::kInsert: return "+I";
    case RowKind::kUpdateBefore: return "-U";
    case RowKind::kUpdateAfter: return "+U";
    case RowKind::kDelete: return "-D";
  }
  return "?";
}

Batch Batch::empty(SchemaPtr schema) {
  Batch b;
  for (const auto& f : schema->fields()) b.columns.push_back(Column::make(f.type));
  b.schema = std::move(schema);
  return b;
}

Batch Batch::heartbeat(SchemaPtr schema, const Batch& from) {
  Batch b = empty(std::move(schema));
  b.watermark = from.watermark;
  b.drained = from.drained;
  b.partition = from.partition;
  b.barrier = from.barrier;
  return b;
}

bool Batch::append_only() const {
  for (RowKind k : row_kinds)
    if (k != RowKind::kInsert) return false;
  return true;
}

size_t Batch::memory_usage() const {
  size_t n = row_kinds.capacity();
  for (const auto& c : columns) n += c->memory_usage();
  return n;
}

namespace {
template <typename T>
void gather_fixed(const Column& src, const uint32_t* sel, size_t n, Column* out) {
  out->resize(n);
  const T* in = src.values<T>();
  T* dst = out->values<T>();
  for (size_t i = 0; i < n; ++i) dst[i] = in[sel[i]];
}

void gather_validity(const Column& src, const uint32_t* sel, size_t n, Column* out) {
  if (!src.has_validity()) return;
  uint64_t* w = out->mutable_validity();
  for (size_t i = 0; i < n; ++i)
    if (src.is_null(sel[i])) w[i >> 6] &= ~(uint64_t{1} << (i & 63));
}
}  // namespace

ColumnPtr gather(const Column& src, const uint32_t* sel, size_t n) {
  auto out = Column::make(src.type());
  switch (src.type().id()) {
    case TypeId::kBoolean: gather_fixed<uint8_t>(src, sel, n, out.get()); break;
    case TypeId::kInt32:
    case TypeId::kDate: gather_fixed<int32_t>(src, sel, n, out.get()); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: gather_fixed<int64_t>(src, sel, n, out.get()); break;
    case TypeId::kDouble: gather_fixed<double>(src, sel, n, out.get()); break;
    case TypeId::kDecimal: gather_fixed<int128_t>(src, sel, n, out.get()); break;
    case TypeId::kInterval: gather_fixed<Interval>(src, sel, n, out.get()); break;
    case TypeId::kNull: out->resize(n); break;
    case TypeId::kString:
    case TypeId::kBytes: {
      const int32_t* o = src.offsets();
      size_t bytes = 0;
      for (size_t i = 0; i < n; ++i) bytes += o[sel[i] + 1] - o[sel[i]];
      out->resize(n);
      out->heap().resize(bytes);
      int32_t* oo = out->mutable_offsets();
      uint8_t* heap = out->heap().data();
      const uint8_t* in = src.heap().data();
      int32_t pos = 0;
      oo[0] = 0;
      for (size_t i = 0; i < n; ++i) {
        int32_t len = o[sel[i] + 1] - o[sel[i]];
        std::memcpy(heap + pos, in + o[sel[i]], len);
        pos += len;
        oo[i + 1] = pos;
      }
      break;
    }
    case TypeId::kStruct: {
      for (size_t c = 0; c < src.num_children(); ++c)
        out->children()[c] = gather(src.child(c), sel, n);
      out->resize(n);
      break;
    }
    case TypeId::kList:
    case TypeId::kMap: {
      std::vector<uint32_t> child_sel;
      const int32_t* o = src.offsets();
      out->resize(n);
      int32_t* oo = out->mutable_offsets();
      oo[0] = 0;
      for (size_t i = 0; i < n; ++i) {
        for (int32_t k = o[sel[i]]; k < o[sel[i] + 1]; ++k) child_sel.push_back(k);
        oo[i + 1] = static_cast<int32_t>(child_sel.size());
      }
      out->children()[0] = gather(src.child(0), child_sel.data(), child_sel.size());
      break;
    }
  }
  gather_validity(src, sel, n, out.get());
  return out;
}

Batch gather(const Batch& src, const uint32_t* sel, size_t n) {
  Batch out;
  out.schema = src.schema;
  out.num_rows = n;
  out.watermark = src.watermark;
  out.partition = src.partition;
  for (const auto& c : src.columns) out.columns.push_back(gather(*c, sel, n));
  if (!src.row_kinds.empty()) {
    out.row_kinds.resize(n);
    for (size_t i = 0; i < n; ++i) out.row_kinds[i] = src.row_kinds[sel[i]];
  }
  return out;
}

Batch slice(const Batch& src, size_t offset, size_t length) {
  if (offset == 0 && length == src.num_rows) return src;
  std::vector<uint32_t> sel(length);
  std::iota(sel.begin(), sel.end(), static_cast<uint32_t>(offset));
  return gather(src, sel.data(), length);
}

Batch concat(const std::vector<Batch>& batches, SchemaPtr schema) {
  if (batches.size() == 1) return batches[0];
  Batch out = Batch::empty(schema);
  bool kinds = false;
  for (const auto& b : batches) kinds |= !b.row_kinds.empty();
  for (const auto& b : batches) {
    for (size_t c = 0; c < out.columns.size(); ++c)
      for (size_t r = 0; r < b.num_rows; ++r) out.columns[c]->append_from(*b.columns[c], r);
    if (kinds)
      for (size_t r = 0; r < b.num_rows; ++r) out.row_kinds.push_back(b.row_kind(r));
    out.num_rows += b.num_rows;
  }
  return out;
}

}  // namespace velo
