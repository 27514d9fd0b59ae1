#include "velo/formats/parquet/parquet_page_index.h"

#include <fmt/format.h>

#include "velo/formats/parquet/thrift_compact.h"

namespace velo::parquet {

namespace {

template <typename F>
void each_field(ThriftReader& r, F&& on_field) {
  r.begin_struct();
  int16_t id;
  ThriftType t;
  while (r.next_field(&id, &t))
    if (!on_field(id, t)) r.skip(t);
  r.end_struct();
}

uint32_t list_of(ThriftReader& r, ThriftType t, ThriftType want, const char* what) {
  if (t != ThriftType::kList) r.fail(fmt::format("page index: {} is not a list", what));
  ThriftType et;
  uint32_t n = r.read_list(&et);
  // Compact thrift writes bool list elements with type 1 (true) or 2 (false).
  bool ok = et == want || (want == ThriftType::kBoolTrue && et == ThriftType::kBoolFalse) ||
            (want == ThriftType::kI64 && et == ThriftType::kI32);
  if (!ok) r.fail(fmt::format("page index: {} has elements of type {}", what, int(et)));
  return n;
}

}  // namespace

OffsetIndex decode_offset_index(const uint8_t* data, size_t size, const std::string& file,
                                int64_t base_offset) {
  ThriftReader r(data, size, file, base_offset);
  OffsetIndex index;
  each_field(r, [&](int16_t id, ThriftType t) {
    if (id != 1) return false;
    uint32_t n = list_of(r, t, ThriftType::kStruct, "page_locations");
    index.pages.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      PageLocation loc;
      each_field(r, [&](int16_t fid, ThriftType ft) {
        if (fid >= 1 && fid <= 3 && ft != ThriftType::kI64 && ft != ThriftType::kI32)
          r.fail(fmt::format("page index: PageLocation field {} is not an integer", fid));
        switch (fid) {
          case 1:
            loc.offset = r.read_i64();
            return true;
          case 2:
            loc.compressed_page_size = r.read_i32();
            return true;
          case 3:
            loc.first_row_index = r.read_i64();
            return true;
          default:
            return false;
        }
      });
      index.pages.push_back(loc);
    }
    return true;
  });
  return index;
}

ColumnIndex decode_column_index(const uint8_t* data, size_t size, const std::string& file,
                                int64_t base_offset) {
  ThriftReader r(data, size, file, base_offset);
  ColumnIndex index;
  each_field(r, [&](int16_t id, ThriftType t) {
    switch (id) {
      case 1: {
        uint32_t n = list_of(r, t, ThriftType::kBoolTrue, "null_pages");
        index.null_pages.reserve(n);
        for (uint32_t i = 0; i < n; ++i) index.null_pages.push_back(r.read_list_bool());
        return true;
      }
      case 2:
      case 3: {
        auto& out = id == 2 ? index.min_values : index.max_values;
        uint32_t n = list_of(r, t, ThriftType::kBinary, id == 2 ? "min_values" : "max_values");
        out.reserve(n);
        for (uint32_t i = 0; i < n; ++i) out.push_back(r.read_string());
        return true;
      }
      case 4: {
        if (t != ThriftType::kI32) r.fail("page index: boundary_order is not an i32");
        int32_t v = r.read_i32();
        index.boundary_order =
            v >= 0 && v <= 2 ? static_cast<BoundaryOrder>(v) : BoundaryOrder::kUnordered;
        return true;
      }
      case 5: {
        uint32_t n = list_of(r, t, ThriftType::kI64, "null_counts");
        index.null_counts.reserve(n);
        for (uint32_t i = 0; i < n; ++i) index.null_counts.push_back(r.read_i64());
        return true;
      }
      default:
        return false;
    }
  });
  return index;
}

void encode_offset_index(const OffsetIndex& index, Buffer* out) {
  ThriftWriter w(out);
  w.begin_struct();
  w.field_list(1, ThriftType::kStruct, static_cast<uint32_t>(index.pages.size()));
  for (const PageLocation& p : index.pages) {
    w.begin_struct();
    w.field_i64(1, p.offset);
    w.field_i32(2, p.compressed_page_size);
    w.field_i64(3, p.first_row_index);
    w.end_struct();
  }
  w.end_struct();
}

void encode_column_index(const ColumnIndex& index, Buffer* out) {
  ThriftWriter w(out);
  w.begin_struct();
  w.field_list(1, ThriftType::kBoolTrue, static_cast<uint32_t>(index.null_pages.size()));
  for (bool b : index.null_pages) w.elem_bool(b);
  w.field_list(2, ThriftType::kBinary, static_cast<uint32_t>(index.min_values.size()));
  for (const auto& v : index.min_values) w.elem_binary(v);
  w.field_list(3, ThriftType::kBinary, static_cast<uint32_t>(index.max_values.size()));
  for (const auto& v : index.max_values) w.elem_binary(v);
  w.field_i32(4, static_cast<int32_t>(index.boundary_order));
  if (!index.null_counts.empty()) {
    w.field_list(5, ThriftType::kI64, static_cast<uint32_t>(index.null_counts.size()));
    for (int64_t v : index.null_counts) w.elem_i64(v);
  }
  w.end_struct();
}

}  // namespace velo::parquet
