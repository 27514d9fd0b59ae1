#include "velo/formats/parquet/parquet_metadata.h"

#include <fmt/format.h>

#include "velo/formats/parquet/thrift_compact.h"

namespace velo::parquet {

namespace {

// Each decode_* reads one struct (begin/end included) and skips fields it does not know, so
// newer writers' additions are ignored.

template <typename F>
void read_struct(ThriftReader& r, F&& on_field) {
  r.begin_struct();
  int16_t id;
  ThriftType t;
  while (r.next_field(&id, &t)) {
    if (!on_field(id, t)) r.skip(t);
  }
  r.end_struct();
}

template <typename F>
void read_list(ThriftReader& r, ThriftType t, ThriftType want, F&& on_elem) {
  if (t != ThriftType::kList) r.fail("expected a list");
  ThriftType et;
  uint32_t n = r.read_list(&et);
  // Integers of any width are the same zigzag varint on the wire; Thrift's own readers ignore
  // the declared width (ARROW-GH-41317.parquet declares its encodings as i16).
  auto is_int = [](ThriftType x) {
    return x == ThriftType::kI16 || x == ThriftType::kI32 || x == ThriftType::kI64;
  };
  if (et != want && !(is_int(et) && is_int(want))) r.fail("list element has an unexpected type");
  for (uint32_t i = 0; i < n; ++i) on_elem();
}

int32_t expect_i32(ThriftReader& r, ThriftType t) {
  if (t != ThriftType::kI32 && t != ThriftType::kI16 && t != ThriftType::kByte)
    r.fail("expected an i32");
  if (t == ThriftType::kByte) r.fail("i8 fields are not used here");
  return r.read_i32();
}

int64_t expect_i64(ThriftReader& r, ThriftType t) {
  if (t != ThriftType::kI64 && t != ThriftType::kI32) r.fail("expected an i64");
  return r.read_i64();
}

std::string expect_binary(ThriftReader& r, ThriftType t) {
  if (t != ThriftType::kBinary) r.fail("expected a binary");
  return r.read_string();
}

bool expect_bool(ThriftReader& r, ThriftType t) {
  if (t != ThriftType::kBoolTrue && t != ThriftType::kBoolFalse) r.fail("expected a bool");
  return r.read_bool(t);
}

void expect_struct(ThriftReader& r, ThriftType t) {
  if (t != ThriftType::kStruct) r.fail("expected a struct");
}

Statistics decode_statistics(ThriftReader& r) {
  Statistics s;
  read_struct(r, [&](int16_t id, ThriftType t) {
    switch (id) {
      case 1:
        s.max = expect_binary(r, t);
        return true;
      case 2:
        s.min = expect_binary(r, t);
        return true;
      case 3:
        s.null_count = expect_i64(r, t);
        return true;
      case 5:
        s.max_value = expect_binary(r, t);
        return true;
      case 6:
        s.min_value = expect_binary(r, t);
        return true;
      default:
        return false;
    }
  });
  return s;
}

int16_t decode_time_unit(ThriftReader& r) {
  int16_t unit = 0;
  read_struct(r, [&](int16_t id, ThriftType t) {
    if (t == ThriftType::kStruct) {
      unit = id;
      r.skip(t);
      return true;
    }
    return false;
  });
  return unit;
}

LogicalType decode_logical_type(ThriftReader& r) {
  LogicalType lt;
  read_struct(r, [&](int16_t id, ThriftType t) {
    if (t != ThriftType::kStruct) return false;
    lt.kind = id;
    switch (id) {
      case LogicalType::kDecimal:
        read_struct(r, [&](int16_t fid, ThriftType ft) {
          if (fid == 1)
            lt.scale = expect_i32(r, ft);
          else if (fid == 2)
            lt.precision = expect_i32(r, ft);
          else
            return false;
          return true;
        });
        return true;
      case LogicalType::kTime:
      case LogicalType::kTimestamp:
        read_struct(r, [&](int16_t fid, ThriftType ft) {
          if (fid == 1)
            lt.adjusted_to_utc = expect_bool(r, ft);
          else if (fid == 2) {
            expect_struct(r, ft);
            lt.unit = decode_time_unit(r);
          } else
            return false;
          return true;
        });
        return true;
      case LogicalType::kInteger:
        read_struct(r, [&](int16_t fid, ThriftType ft) {
          if (fid == 1) {
            if (ft != ThriftType::kByte) r.fail("INTEGER bitWidth must be i8");
            lt.bit_width = r.read_i8();
            return true;
          }
          if (fid == 2) {
            lt.is_signed = expect_bool(r, ft);
            return true;
          }
          return false;
        });
        return true;
      default:
        r.skip(t);
        return true;
    }
  });
  return lt;
}

SchemaElement decode_schema_element(ThriftReader& r) {
  SchemaElement e;
  read_struct(r, [&](int16_t id, ThriftType t) {
    switch (id) {
      case 1: {
        int32_t v = expect_i32(r, t);
        if (v < 0 || v > 7) r.fail(fmt::format("unknown physical type {}", v));
        e.type = static_cast<PhysicalType>(v);
        return true;
      }
      case 2:
        e.type_length = expect_i32(r, t);
        return true;
      case 3: {
        int32_t v = expect_i32(r, t);
        if (v < 0 || v > 2) r.fail(fmt::format("unknown repetition type {}", v));
        e.repetition = static_cast<Repetition>(v);
        return true;
      }
      case 4:
        e.name = expect_binary(r, t);
        return true;
      case 5:
        e.num_children = expect_i32(r, t);
        return true;
      case 6:
        e.converted_type = static_cast<ConvertedType>(expect_i32(r, t));
        return true;
      case 7:
        e.scale = expect_i32(r, t);
        return true;
      case 8:
        e.precision = expect_i32(r, t);
        return true;
      case 10:
        expect_struct(r, t);
        e.logical_type = decode_logical_type(r);
        return true;
      default:
        return false;
    }
  });
  return e;
}

ColumnMetaData decode_column_metadata(ThriftReader& r) {
  ColumnMetaData m;
  read_struct(r, [&](int16_t id, ThriftType t) {
    switch (id) {
      case 1:
        m.type = static_cast<PhysicalType>(expect_i32(r, t));
        return true;
      case 2:
        read_list(r, t, ThriftType::kI32,
                  [&] { m.encodings.push_back(static_cast<Encoding>(r.read_i32())); });
        return true;
      case 3:
        read_list(r, t, ThriftType::kBinary, [&] { m.path_in_schema.push_back(r.read_string()); });
        return true;
      case 4:
        m.codec = static_cast<Codec>(expect_i32(r, t));
        return true;
      case 5:
        m.num_values = expect_i64(r, t);
        return true;
      case 6:
        m.total_uncompressed_size = expect_i64(r, t);
        return true;
      case 7:
        m.total_compressed_size = expect_i64(r, t);
        return true;
      case 9:
        m.data_page_offset = expect_i64(r, t);
        return true;
      case 11:
        m.dictionary_page_offset = expect_i64(r, t);
        return true;
      case 12:
        expect_struct(r, t);
        m.statistics = decode_statistics(r);
        return true;
      // Bloom filter location: pre-release writers (dict-page-offset-zero.parquet) used these
      // ids for fields of other types, which are skipped.
      case 14:
        if (t != ThriftType::kI64 && t != ThriftType::kI32) return false;
        m.bloom_filter_offset = r.read_i64();
        return true;
      case 15:
        if (t != ThriftType::kI32) return false;
        m.bloom_filter_length = r.read_i32();
        return true;
      default:
        return false;
    }
  });
  return m;
}

ColumnChunk decode_column_chunk(ThriftReader& r) {
  ColumnChunk c;
  read_struct(r, [&](int16_t id, ThriftType t) {
    switch (id) {
      case 1:
        c.file_path = expect_binary(r, t);
        return true;
      case 2:
        c.file_offset = expect_i64(r, t);
        return true;
      case 3:
        expect_struct(r, t);
        c.meta_data = decode_column_metadata(r);
        return true;
      case 4:
        c.offset_index_offset = expect_i64(r, t);
        return true;
      case 5:
        c.offset_index_length = expect_i32(r, t);
        return true;
      case 6:
        c.column_index_offset = expect_i64(r, t);
        return true;
      case 7:
        c.column_index_length = expect_i32(r, t);
        return true;
      case 8:
        c.encrypted = true;
        return false;
      case 9:
        c.encrypted = true;
        return false;
      default:
        return false;
    }
  });
  return c;
}

RowGroup decode_row_group(ThriftReader& r) {
  RowGroup g;
  read_struct(r, [&](int16_t id, ThriftType t) {
    switch (id) {
      case 1:
        read_list(r, t, ThriftType::kStruct, [&] { g.columns.push_back(decode_column_chunk(r)); });
        return true;
      case 2:
        g.total_byte_size = expect_i64(r, t);
        return true;
      case 3:
        g.num_rows = expect_i64(r, t);
        return true;
      default:
        return false;
    }
  });
  return g;
}

}  // namespace

FileMetaData decode_file_metadata(const uint8_t* data, size_t size, const std::string& file,
                                  int64_t base_offset) {
  ThriftReader r(data, size, file, base_offset);
  FileMetaData md;
  read_struct(r, [&](int16_t id, ThriftType t) {
    switch (id) {
      case 1:
        md.version = expect_i32(r, t);
        return true;
      case 2:
        read_list(r, t, ThriftType::kStruct,
                  [&] { md.schema.push_back(decode_schema_element(r)); });
        return true;
      case 3:
        md.num_rows = expect_i64(r, t);
        return true;
      case 4:
        read_list(r, t, ThriftType::kStruct, [&] { md.row_groups.push_back(decode_row_group(r)); });
        return true;
      case 5:
        read_list(r, t, ThriftType::kStruct, [&] {
          KeyValue kv;
          read_struct(r, [&](int16_t fid, ThriftType ft) {
            if (fid == 1)
              kv.key = expect_binary(r, ft);
            else if (fid == 2)
              kv.value = expect_binary(r, ft);
            else
              return false;
            return true;
          });
          md.key_value_metadata.push_back(std::move(kv));
        });
        return true;
      case 6:
        md.created_by = expect_binary(r, t);
        return true;
      case 7:
        read_list(r, t, ThriftType::kStruct, [&] {
          int16_t choice = 0;
          read_struct(r, [&](int16_t fid, ThriftType) {
            choice = fid;
            return false;
          });
          md.column_orders.push_back(choice);
        });
        return true;
      case 8:
        md.encrypted = true;
        return false;
      default:
        return false;
    }
  });
  return md;
}

PageHeader decode_page_header(const uint8_t* data, size_t size, const std::string& file,
                              int64_t base_offset, size_t* header_size) {
  ThriftReader r(data, size, file, base_offset);
  PageHeader h;
  read_struct(r, [&](int16_t id, ThriftType t) {
    switch (id) {
      case 1:
        h.type = static_cast<PageType>(expect_i32(r, t));
        return true;
      case 2:
        h.uncompressed_page_size = expect_i32(r, t);
        return true;
      case 3:
        h.compressed_page_size = expect_i32(r, t);
        return true;
      case 4:
        h.crc = expect_i32(r, t);
        return true;
      case 5: {
        expect_struct(r, t);
        DataPageHeader d;
        read_struct(r, [&](int16_t fid, ThriftType ft) {
          switch (fid) {
            case 1:
              d.num_values = expect_i32(r, ft);
              return true;
            case 2:
              d.encoding = static_cast<Encoding>(expect_i32(r, ft));
              return true;
            case 3:
              d.definition_level_encoding = static_cast<Encoding>(expect_i32(r, ft));
              return true;
            case 4:
              d.repetition_level_encoding = static_cast<Encoding>(expect_i32(r, ft));
              return true;
            default:
              return false;
          }
        });
        h.data_page_header = d;
        return true;
      }
      case 7: {
        expect_struct(r, t);
        DictionaryPageHeader d;
        read_struct(r, [&](int16_t fid, ThriftType ft) {
          switch (fid) {
            case 1:
              d.num_values = expect_i32(r, ft);
              return true;
            case 2:
              d.encoding = static_cast<Encoding>(expect_i32(r, ft));
              return true;
            default:
              return false;
          }
        });
        h.dictionary_page_header = d;
        return true;
      }
      case 8: {
        expect_struct(r, t);
        DataPageHeaderV2 d;
        read_struct(r, [&](int16_t fid, ThriftType ft) {
          switch (fid) {
            case 1:
              d.num_values = expect_i32(r, ft);
              return true;
            case 2:
              d.num_nulls = expect_i32(r, ft);
              return true;
            case 3:
              d.num_rows = expect_i32(r, ft);
              return true;
            case 4:
              d.encoding = static_cast<Encoding>(expect_i32(r, ft));
              return true;
            case 5:
              d.definition_levels_byte_length = expect_i32(r, ft);
              return true;
            case 6:
              d.repetition_levels_byte_length = expect_i32(r, ft);
              return true;
            case 7:
              d.is_compressed = expect_bool(r, ft);
              return true;
            default:
              return false;
          }
        });
        h.data_page_header_v2 = d;
        return true;
      }
      default:
        return false;
    }
  });
  *header_size = r.position();
  return h;
}

// ---- encoding -------------------------------------------------------------------------------

namespace {

void encode_statistics(ThriftWriter& w, const Statistics& s) {
  if (s.null_count) w.field_i64(3, *s.null_count);
  if (s.max_value) w.field_binary(5, *s.max_value);
  if (s.min_value) w.field_binary(6, *s.min_value);
  w.end_struct();
}

void encode_logical_type(ThriftWriter& w, const LogicalType& lt) {
  w.field_struct(lt.kind);
  switch (lt.kind) {
    case LogicalType::kDecimal:
      w.field_i32(1, lt.scale);
      w.field_i32(2, lt.precision);
      break;
    case LogicalType::kTime:
    case LogicalType::kTimestamp:
      w.field_bool(1, lt.adjusted_to_utc);
      w.field_struct(2);
      w.field_struct(lt.unit);
      w.end_struct();
      w.end_struct();
      break;
    default:
      break;
  }
  w.end_struct();
  w.end_struct();
}

}  // namespace

void encode_file_metadata(const FileMetaData& md, Buffer* out) {
  ThriftWriter w(out);
  w.begin_struct();
  w.field_i32(1, md.version);
  w.field_list(2, ThriftType::kStruct, static_cast<uint32_t>(md.schema.size()));
  for (const auto& e : md.schema) {
    w.begin_struct();
    if (e.type) w.field_i32(1, static_cast<int32_t>(*e.type));
    if (e.type && *e.type == PhysicalType::kFixedLenByteArray) w.field_i32(2, e.type_length);
    if (e.repetition) w.field_i32(3, static_cast<int32_t>(*e.repetition));
    w.field_binary(4, e.name);
    if (!e.type) w.field_i32(5, e.num_children);
    if (e.converted_type != ConvertedType::kNone)
      w.field_i32(6, static_cast<int32_t>(e.converted_type));
    if (e.converted_type == ConvertedType::kDecimal) {
      w.field_i32(7, e.scale);
      w.field_i32(8, e.precision);
    }
    if (e.logical_type.kind != LogicalType::kAbsent) {
      w.field_struct(10);
      encode_logical_type(w, e.logical_type);
    }
    w.end_struct();
  }
  w.field_i64(3, md.num_rows);
  w.field_list(4, ThriftType::kStruct, static_cast<uint32_t>(md.row_groups.size()));
  for (const auto& g : md.row_groups) {
    w.begin_struct();
    w.field_list(1, ThriftType::kStruct, static_cast<uint32_t>(g.columns.size()));
    for (const auto& c : g.columns) {
      w.begin_struct();
      w.field_i64(2, c.file_offset);
      const ColumnMetaData& m = *c.meta_data;
      w.field_struct(3);
      w.field_i32(1, static_cast<int32_t>(m.type));
      w.field_list(2, ThriftType::kI32, static_cast<uint32_t>(m.encodings.size()));
      for (auto e : m.encodings) w.elem_i32(static_cast<int32_t>(e));
      w.field_list(3, ThriftType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
      for (const auto& p : m.path_in_schema) w.elem_binary(p);
      w.field_i32(4, static_cast<int32_t>(m.codec));
      w.field_i64(5, m.num_values);
      w.field_i64(6, m.total_uncompressed_size);
      w.field_i64(7, m.total_compressed_size);
      w.field_i64(9, m.data_page_offset);
      if (m.dictionary_page_offset) w.field_i64(11, *m.dictionary_page_offset);
      if (m.statistics) {
        w.field_struct(12);
        encode_statistics(w, *m.statistics);
      }
      if (m.bloom_filter_offset) w.field_i64(14, *m.bloom_filter_offset);
      if (m.bloom_filter_length) w.field_i32(15, *m.bloom_filter_length);
      w.end_struct();
      if (c.offset_index_offset) w.field_i64(4, *c.offset_index_offset);
      if (c.offset_index_length) w.field_i32(5, *c.offset_index_length);
      if (c.column_index_offset) w.field_i64(6, *c.column_index_offset);
      if (c.column_index_length) w.field_i32(7, *c.column_index_length);
      w.end_struct();
    }
    w.field_i64(2, g.total_byte_size);
    w.field_i64(3, g.num_rows);
    w.end_struct();
  }
  if (!md.key_value_metadata.empty()) {
    w.field_list(5, ThriftType::kStruct, static_cast<uint32_t>(md.key_value_metadata.size()));
    for (const auto& kv : md.key_value_metadata) {
      w.begin_struct();
      w.field_binary(1, kv.key);
      if (kv.value) w.field_binary(2, *kv.value);
      w.end_struct();
    }
  }
  if (md.created_by) w.field_binary(6, *md.created_by);
  if (!md.column_orders.empty()) {
    w.field_list(7, ThriftType::kStruct, static_cast<uint32_t>(md.column_orders.size()));
    for (int16_t choice : md.column_orders) {
      w.begin_struct();
      w.field_struct(choice);  // TypeDefinedOrder is an empty struct
      w.end_struct();
      w.end_struct();
    }
  }
  w.end_struct();
}

void encode_page_header(const PageHeader& h, Buffer* out) {
  ThriftWriter w(out);
  w.begin_struct();
  w.field_i32(1, static_cast<int32_t>(h.type));
  w.field_i32(2, h.uncompressed_page_size);
  w.field_i32(3, h.compressed_page_size);
  if (h.crc) w.field_i32(4, *h.crc);
  if (h.data_page_header) {
    const auto& d = *h.data_page_header;
    w.field_struct(5);
    w.field_i32(1, d.num_values);
    w.field_i32(2, static_cast<int32_t>(d.encoding));
    w.field_i32(3, static_cast<int32_t>(d.definition_level_encoding));
    w.field_i32(4, static_cast<int32_t>(d.repetition_level_encoding));
    w.end_struct();
  }
  if (h.dictionary_page_header) {
    w.field_struct(7);
    w.field_i32(1, h.dictionary_page_header->num_values);
    w.field_i32(2, static_cast<int32_t>(h.dictionary_page_header->encoding));
    w.end_struct();
  }
  w.end_struct();
}

}  // namespace velo::parquet
