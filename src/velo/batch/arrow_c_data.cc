#include "velo/batch/arrow_c_data.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "velo/types/error.h"

namespace velo {

namespace {

// Arrow wants non-null data buffers even for empty arrays; this stands in for them.
alignas(64) const uint8_t kEmptyBuffer[64] = {};

// ---- export -------------------------------------------------------------------------------

struct ExportedArray {
  std::vector<ColumnPtr> keep_alive;
  std::vector<std::unique_ptr<uint8_t[]>> owned;
  std::vector<const void*> buffers;
  std::vector<ArrowArray*> children;
};

void release_array(ArrowArray* array) {
  if (!array || !array->release) return;
  auto* priv = static_cast<ExportedArray*>(array->private_data);
  for (ArrowArray* child : priv->children) {
    if (child->release) child->release(child);
    delete child;
  }
  delete priv;
  array->release = nullptr;
}

struct ExportedSchema {
  std::string format;
  std::string name;
  std::vector<ArrowSchema*> children;
};

void release_schema(ArrowSchema* schema) {
  if (!schema || !schema->release) return;
  auto* priv = static_cast<ExportedSchema*>(schema->private_data);
  for (ArrowSchema* child : priv->children) {
    if (child->release) child->release(child);
    delete child;
  }
  delete priv;
  schema->release = nullptr;
}

std::string format_of(const DataType& t) {
  switch (t.id()) {
    case TypeId::kNull:
      return "n";
    case TypeId::kBoolean:
      return "b";
    case TypeId::kInt32:
      return "i";
    case TypeId::kInt64:
      return "l";
    case TypeId::kDouble:
      return "g";
    case TypeId::kDecimal:
      return "d:" + std::to_string(t.precision()) + "," + std::to_string(t.scale());
    case TypeId::kString:
      return "u";
    case TypeId::kBytes:
      return "z";
    case TypeId::kDate:
      return "tdD";
    case TypeId::kTimestamp:
      return "tsu:UTC";
    case TypeId::kInterval:
      return "tin";
    case TypeId::kStruct:
      return "+s";
    case TypeId::kList:
      return "+l";
    case TypeId::kMap:
      return "+m";
  }
  throw_internal_error("no Arrow format for {}", t.to_string());
}

void fill_schema(const DataType& type, const std::string& name, bool nullable, ArrowSchema* out) {
  auto* priv = new ExportedSchema{format_of(type), name, {}};
  const auto& kids = type.is_nested() ? type.children() : std::vector<Field>{};
  for (const Field& f : kids) {
    auto* child = new ArrowSchema;
    // Map keys are never NULL in Arrow.
    bool child_nullable =
        f.nullable && !(type.id() == TypeId::kStruct && f.name == "key" && name == "entries");
    fill_schema(f.type, f.name, child_nullable, child);
    priv->children.push_back(child);
  }
  out->format = priv->format.c_str();
  out->name = priv->name.c_str();
  out->metadata = nullptr;
  out->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
  out->n_children = static_cast<int64_t>(priv->children.size());
  out->children = priv->children.empty() ? nullptr : priv->children.data();
  out->dictionary = nullptr;
  out->release = &release_schema;
  out->private_data = priv;
}

const void* or_empty(const void* p) { return p ? p : kEmptyBuffer; }

void fill_array(const ColumnPtr& column, ArrowArray* out) {
  const Column& c = *column;
  auto* priv = new ExportedArray;
  priv->keep_alive.push_back(column);
  const size_t n = c.size();
  const void* validity = c.validity_words();
  switch (c.type().id()) {
    case TypeId::kNull:
      break;
    case TypeId::kBoolean: {
      // One byte per value here, one bit per value in Arrow.
      size_t bytes = (n + 7) / 8;
      auto bits = std::make_unique<uint8_t[]>(std::max<size_t>(bytes, 1));
      const uint8_t* v = c.values<uint8_t>();
      for (size_t i = 0; i < n; ++i) bits[i >> 3] |= static_cast<uint8_t>((v[i] != 0) << (i & 7));
      priv->buffers = {validity, bits.get()};
      priv->owned.push_back(std::move(bits));
      break;
    }
    case TypeId::kInterval: {
      // Same 16-byte layout as month_day_nano, but micros instead of nanos.
      auto buf = std::make_unique<uint8_t[]>(std::max<size_t>(n, 1) * sizeof(Interval));
      auto* dst = reinterpret_cast<Interval*>(buf.get());
      const Interval* src = c.values<Interval>();
      for (size_t i = 0; i < n; ++i)
        dst[i] = Interval{src[i].months, src[i].days, src[i].micros * 1000};
      priv->buffers = {validity, buf.get()};
      priv->owned.push_back(std::move(buf));
      break;
    }
    case TypeId::kString:
    case TypeId::kBytes:
      priv->buffers = {validity, c.offsets(), or_empty(c.heap().data())};
      break;
    case TypeId::kList:
    case TypeId::kMap:
      priv->buffers = {validity, c.offsets()};
      break;
    case TypeId::kStruct:
      priv->buffers = {validity};
      break;
    default:
      priv->buffers = {validity, or_empty(c.values<uint8_t>())};
      break;
  }
  for (size_t i = 0; i < c.num_children(); ++i) {
    auto* child = new ArrowArray;
    fill_array(c.child_ptr(i), child);
    priv->children.push_back(child);
  }
  out->length = static_cast<int64_t>(n);
  out->null_count = static_cast<int64_t>(c.null_count());
  out->offset = 0;
  out->n_buffers = static_cast<int64_t>(priv->buffers.size());
  out->n_children = static_cast<int64_t>(priv->children.size());
  out->buffers = priv->buffers.empty() ? nullptr : priv->buffers.data();
  out->children = priv->children.empty() ? nullptr : priv->children.data();
  out->dictionary = nullptr;
  out->release = &release_array;
  out->private_data = priv;
}

// ---- import -------------------------------------------------------------------------------

bool bit_at(const void* bitmap, int64_t i) {
  return (static_cast<const uint8_t*>(bitmap)[i >> 3] >> (i & 7)) & 1;
}

template <typename From, typename To>
void copy_widened(const ArrowArray& a, Column* out, To scale = 1) {
  const From* src = static_cast<const From*>(a.buffers[1]) + a.offset;
  size_t base = out->size();
  out->resize(base + static_cast<size_t>(a.length));
  To* dst = out->values<To>() + base;
  for (int64_t i = 0; i < a.length; ++i) dst[i] = static_cast<To>(src[i]) * scale;
}

template <typename Offset>
void copy_binary(const ArrowArray& a, Column* out) {
  const Offset* off = static_cast<const Offset*>(a.buffers[1]) + a.offset;
  const char* data = static_cast<const char*>(a.buffers[2]);
  for (int64_t i = 0; i < a.length; ++i)
    out->append_string(std::string_view(data + off[i], static_cast<size_t>(off[i + 1] - off[i])));
}

void import_into(const ArrowArray& a, const ArrowSchema& s, const DataType& type, Column* out);

template <typename Offset>
void copy_list(const ArrowArray& a, const ArrowSchema& s, Column* out) {
  const Offset* off = static_cast<const Offset*>(a.buffers[1]) + a.offset;
  // Import the referenced child range once, then close each list.
  ArrowArray child = *a.children[0];
  int64_t begin = off[0], end = off[a.length];
  child.offset += begin;
  child.length = end - begin;
  child.null_count = -1;
  Column& elems = out->child(0);
  size_t elem_base = elems.size();
  import_into(child, *s.children[0], elems.type(), &elems);
  int32_t* dst = nullptr;
  size_t base = out->size();
  out->resize(base + static_cast<size_t>(a.length));
  dst = out->mutable_offsets();
  for (int64_t i = 0; i <= a.length; ++i)
    dst[base + i] = static_cast<int32_t>(elem_base + (off[i] - begin));
}

void import_into(const ArrowArray& a, const ArrowSchema& s, const DataType& type, Column* out) {
  std::string_view f(s.format);
  size_t base = out->size();
  switch (type.id()) {
    case TypeId::kNull:
      for (int64_t i = 0; i < a.length; ++i) out->append_null();
      return;
    case TypeId::kBoolean: {
      out->resize(base + static_cast<size_t>(a.length));
      uint8_t* dst = out->values<uint8_t>() + base;
      for (int64_t i = 0; i < a.length; ++i) dst[i] = bit_at(a.buffers[1], a.offset + i);
      break;
    }
    case TypeId::kInt32:
      if (f == "c")
        copy_widened<int8_t, int32_t>(a, out);
      else if (f == "C")
        copy_widened<uint8_t, int32_t>(a, out);
      else if (f == "s")
        copy_widened<int16_t, int32_t>(a, out);
      else if (f == "S")
        copy_widened<uint16_t, int32_t>(a, out);
      else
        copy_widened<int32_t, int32_t>(a, out);
      break;
    case TypeId::kInt64:
      if (f == "I")
        copy_widened<uint32_t, int64_t>(a, out);
      else if (f == "L")
        copy_widened<uint64_t, int64_t>(a, out);
      else
        copy_widened<int64_t, int64_t>(a, out);
      break;
    case TypeId::kDouble:
      if (f == "f")
        copy_widened<float, double>(a, out);
      else
        copy_widened<double, double>(a, out);
      break;
    case TypeId::kDecimal:
      copy_widened<int128_t, int128_t>(a, out);
      break;
    case TypeId::kDate:
      if (f == "tdm") {
        const int64_t* src = static_cast<const int64_t*>(a.buffers[1]) + a.offset;
        out->resize(base + static_cast<size_t>(a.length));
        int32_t* dst = out->values<int32_t>() + base;
        for (int64_t i = 0; i < a.length; ++i) dst[i] = temporal::days_of(src[i] * 1000);
      } else {
        copy_widened<int32_t, int32_t>(a, out);
      }
      break;
    case TypeId::kTimestamp: {
      char unit = f.size() > 2 ? f[2] : 'u';
      const int64_t* src = static_cast<const int64_t*>(a.buffers[1]) + a.offset;
      out->resize(base + static_cast<size_t>(a.length));
      int64_t* dst = out->values<int64_t>() + base;
      for (int64_t i = 0; i < a.length; ++i) {
        int64_t v = src[i];
        dst[i] = unit == 's' ? v * 1000000 : unit == 'm' ? v * 1000 : unit == 'n' ? v / 1000 : v;
      }
      break;
    }
    case TypeId::kInterval: {
      const Interval* src = static_cast<const Interval*>(a.buffers[1]) + a.offset;
      out->resize(base + static_cast<size_t>(a.length));
      Interval* dst = out->values<Interval>() + base;
      for (int64_t i = 0; i < a.length; ++i)
        dst[i] = Interval{src[i].months, src[i].days, src[i].micros / 1000};
      break;
    }
    case TypeId::kString:
    case TypeId::kBytes:
      if (f == "U" || f == "Z")
        copy_binary<int64_t>(a, out);
      else
        copy_binary<int32_t>(a, out);
      break;
    case TypeId::kList:
    case TypeId::kMap:
      if (f == "+L")
        copy_list<int64_t>(a, s, out);
      else
        copy_list<int32_t>(a, s, out);
      break;
    case TypeId::kStruct: {
      for (size_t k = 0; k < out->num_children(); ++k) {
        ArrowArray child = *a.children[k];
        child.offset += a.offset;
        child.length = a.length;
        child.null_count = -1;
        import_into(child, *s.children[k], out->child(k).type(), &out->child(k));
      }
      out->resize(base + static_cast<size_t>(a.length));
      break;
    }
  }
  // Validity of this level (buffer 0), unless there are certainly no nulls.
  if (type.id() != TypeId::kNull && a.n_buffers > 0 && a.buffers[0] && a.null_count != 0)
    for (int64_t i = 0; i < a.length; ++i)
      if (!bit_at(a.buffers[0], a.offset + i)) out->set_null(base + static_cast<size_t>(i));
}

}  // namespace

void export_column(const ColumnPtr& column, const std::string& name, ArrowArray* array,
                   ArrowSchema* schema) {
  fill_schema(column->type(), name, true, schema);
  fill_array(column, array);
}

void export_batch(const Batch& batch, ArrowArray* array, ArrowSchema* schema) {
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  if (!batch.append_only()) {
    auto op = Column::make(DataType::string());
    op->reserve(batch.num_rows);
    for (size_t i = 0; i < batch.num_rows; ++i)
      op->append_string(row_kind_symbol(batch.row_kind(i)));
    fields.push_back(Field{"_op", DataType::string(), false});
    columns.push_back(op);
  }
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    fields.push_back(batch.schema->field(i));
    columns.push_back(batch.columns[i]);
  }
  auto record = Column::make(DataType::struct_of(fields));
  record->children() = columns;
  record->resize(batch.num_rows);
  fill_schema(record->type(), "", false, schema);
  fill_array(record, array);
}

DataType import_type(const ArrowSchema& s) {
  std::string_view f(s.format);
  auto child_fields = [&] {
    std::vector<Field> fields;
    for (int64_t i = 0; i < s.n_children; ++i) {
      const ArrowSchema& c = *s.children[i];
      fields.push_back(
          Field{c.name ? c.name : "", import_type(c), (c.flags & ARROW_FLAG_NULLABLE) != 0});
    }
    return fields;
  };
  if (f == "n") return DataType::null();
  if (f == "b") return DataType::boolean();
  if (f == "c" || f == "C" || f == "s" || f == "S" || f == "i") return DataType::int32();
  if (f == "I" || f == "l" || f == "L") return DataType::int64();
  if (f == "f" || f == "g") return DataType::float64();
  if (f == "u" || f == "U") return DataType::string();
  if (f == "z" || f == "Z") return DataType::bytes();
  if (f == "tdD" || f == "tdm") return DataType::date();
  if (f.substr(0, 2) == "ts") return DataType::timestamp();
  if (f == "tin") return DataType::interval();
  if (f.substr(0, 2) == "d:") {
    int p = 0, sc = 0, bits = 128;
    if (std::sscanf(s.format, "d:%d,%d,%d", &p, &sc, &bits) < 2 || bits != 128 || p > 38)
      throw_not_supported("Arrow decimal type '{}'", s.format);
    return DataType::decimal(p, sc);
  }
  if (f == "+s") return DataType::struct_of(child_fields());
  if (f == "+l" || f == "+L") return DataType::list_of(import_type(*s.children[0]));
  if (f == "+m") {
    auto entries = child_fields();
    const auto& kv = entries.at(0).type.children();
    return DataType::map_of(kv.at(0).type, kv.at(1).type);
  }
  throw_not_supported("Arrow type '{}'", s.format);
}

ColumnPtr import_column(const ArrowArray& array, const ArrowSchema& schema) {
  auto out = Column::make(import_type(schema));
  out->reserve(static_cast<size_t>(array.length));
  import_into(array, schema, out->type(), out.get());
  return out;
}

Batch import_batch(const ArrowArray& array, const ArrowSchema& schema) {
  if (std::string_view(schema.format) != "+s")
    throw_user_error("an Arrow record batch must be a struct array, got format '{}'",
                     schema.format);
  ColumnPtr record = import_column(array, schema);
  Batch b;
  b.schema = std::make_shared<const Schema>(record->type().children());
  b.columns = record->children();
  b.num_rows = record->size();
  return b;
}

}  // namespace velo
