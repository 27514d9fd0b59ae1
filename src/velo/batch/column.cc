#include "velo/batch/column.h"

#include "velo/types/error.h"

namespace velo {

Column::Column(DataType type) : type_(std::move(type)) {
  switch (type_.id()) {
    case TypeId::kString:
    case TypeId::kBytes:
      offsets_.push(int32_t{0});
      break;
    case TypeId::kList:
    case TypeId::kMap:
      offsets_.push(int32_t{0});
      children_.push_back(Column::make(type_.children()[0].type));
      break;
    case TypeId::kStruct:
      for (const auto& f : type_.children()) children_.push_back(Column::make(f.type));
      break;
    default:
      break;
  }
}

ColumnPtr Column::constant(const Value& v, size_t n) {
  auto c = Column::make(v.type());
  c->reserve(n);
  for (size_t i = 0; i < n; ++i) c->append_value(v);
  return c;
}

size_t Column::null_count() const {
  if (validity_.empty()) return type_.id() == TypeId::kNull ? size_ : 0;
  size_t nulls = 0;
  const uint64_t* w = validity_.as<uint64_t>();
  size_t full = size_ / 64;
  for (size_t i = 0; i < full; ++i) nulls += 64 - __builtin_popcountll(w[i]);
  for (size_t i = full * 64; i < size_; ++i) nulls += is_null(i);
  return nulls;
}

void Column::grow_validity(size_t n, bool valid) {
  size_t words = (n + 63) / 64;
  size_t have = validity_.size() / 8;
  if (have < words) {
    validity_.resize(words * 8);
    uint64_t* w = validity_.as<uint64_t>();
    for (size_t i = have; i < words; ++i) w[i] = ~uint64_t{0};
  }
  if (!valid) validity_.as<uint64_t>()[(n - 1) >> 6] &= ~(uint64_t{1} << ((n - 1) & 63));
}

uint64_t* Column::mutable_validity() {
  if (validity_.empty()) {
    size_t words = std::max<size_t>(1, (size_ + 63) / 64);
    validity_.resize(words * 8);
    uint64_t* w = validity_.as<uint64_t>();
    for (size_t i = 0; i < words; ++i) w[i] = ~uint64_t{0};
  }
  return validity_.as<uint64_t>();
}

void Column::reserve(size_t n) {
  int w = type_.fixed_width();
  if (w) values_.reserve(n * w);
  if (type_.is_binary_like() || type_.id() == TypeId::kList || type_.id() == TypeId::kMap)
    offsets_.reserve((n + 1) * 4);
}

void Column::resize(size_t n) {
  int w = type_.fixed_width();
  if (w) values_.resize(n * w);
  if (type_.is_binary_like() || type_.id() == TypeId::kList || type_.id() == TypeId::kMap)
    offsets_.resize((n + 1) * 4);
  if (!validity_.empty() && n > size_) {
    grow_validity(n, true);
    for (size_t i = size_; i < n; ++i) set_valid(i);
  }
  size_ = n;
}

void Column::clear() {
  size_ = 0;
  validity_.clear();
  values_.clear();
  heap_.clear();
  if (!offsets_.empty()) {
    offsets_.clear();
    offsets_.push(int32_t{0});
  }
  for (auto& c : children_) c->clear();
}

void Column::append_null() {
  int w = type_.fixed_width();
  if (w) {
    values_.resize(values_.size() + w);
    std::memset(values_.data() + values_.size() - w, 0, w);
  }
  if (type_.is_binary_like()) {
    offsets_.push(static_cast<int32_t>(heap_.size()));
  } else if (type_.id() == TypeId::kList || type_.id() == TypeId::kMap) {
    offsets_.push(static_cast<int32_t>(children_[0]->size()));
  } else if (type_.id() == TypeId::kStruct) {
    for (auto& c : children_) c->append_null();
  }
  mutable_validity();
  grow_validity(size_ + 1, false);
  ++size_;
}

void Column::append_list_end() {
  offsets_.push(static_cast<int32_t>(children_[0]->size()));
  if (!validity_.empty()) grow_validity(size_ + 1, true);
  ++size_;
}

void Column::append_struct_row() {
  if (!validity_.empty()) grow_validity(size_ + 1, true);
  ++size_;
}

void Column::append_value(const Value& v) {
  if (v.is_null()) {
    append_null();
    return;
  }
  const DataType& vt = v.type();
  switch (type_.id()) {
    case TypeId::kNull:
      append_null();
      return;
    case TypeId::kBoolean:
      append<uint8_t>(v.as_bool() ? 1 : 0);
      return;
    case TypeId::kInt32:
      append<int32_t>(static_cast<int32_t>(v.as_int()));
      return;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      append<int64_t>(v.as_int());
      return;
    case TypeId::kDate:
      append<int32_t>(static_cast<int32_t>(v.as_int()));
      return;
    case TypeId::kDouble:
      if (vt.id() == TypeId::kDouble)
        append<double>(v.as_double());
      else if (vt.id() == TypeId::kDecimal)
        append<double>(decimal::to_double(v.as_decimal(), vt.scale()));
      else
        append<double>(static_cast<double>(v.as_int()));
      return;
    case TypeId::kDecimal: {
      int128_t x;
      if (vt.id() == TypeId::kDecimal) {
        if (!decimal::rescale(v.as_decimal(), vt.scale(), type_.scale(), &x))
          throw_user_error("decimal value {} does not fit {}", v.to_string(), type_.to_string());
      } else if (vt.is_integer()) {
        if (!decimal::rescale(v.as_int(), 0, type_.scale(), &x))
          throw_user_error("value {} does not fit {}", v.to_string(), type_.to_string());
      } else {
        throw_internal_error("cannot append {} to DECIMAL column", vt.to_string());
      }
      append<int128_t>(x);
      return;
    }
    case TypeId::kString:
    case TypeId::kBytes:
      append_string(v.as_string());
      return;
    case TypeId::kInterval:
      append<Interval>(v.as_interval());
      return;
    case TypeId::kStruct: {
      const auto& kids = v.children();
      for (size_t i = 0; i < children_.size(); ++i) children_[i]->append_value(kids[i]);
      append_struct_row();
      return;
    }
    case TypeId::kList:
    case TypeId::kMap:
      for (const auto& e : v.children()) children_[0]->append_value(e);
      append_list_end();
      return;
  }
}

void Column::append_from(const Column& other, size_t i) {
  if (other.is_null(i)) {
    append_null();
    return;
  }
  switch (type_.id()) {
    case TypeId::kBoolean:
      append<uint8_t>(other.value<uint8_t>(i));
      return;
    case TypeId::kInt32:
    case TypeId::kDate:
      append<int32_t>(other.value<int32_t>(i));
      return;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      append<int64_t>(other.value<int64_t>(i));
      return;
    case TypeId::kDouble:
      append<double>(other.value<double>(i));
      return;
    case TypeId::kDecimal:
      append<int128_t>(other.value<int128_t>(i));
      return;
    case TypeId::kInterval:
      append<Interval>(other.value<Interval>(i));
      return;
    case TypeId::kString:
    case TypeId::kBytes:
      append_string(other.string_at(i));
      return;
    default:
      append_value(other.value_at(i));
      return;
  }
}

Value Column::value_at(size_t i) const {
  if (is_null(i)) return Value::null(type_);
  switch (type_.id()) {
    case TypeId::kNull:
      return Value();
    case TypeId::kBoolean:
      return Value::boolean(value<uint8_t>(i) != 0);
    case TypeId::kInt32:
      return Value::int32(value<int32_t>(i));
    case TypeId::kInt64:
      return Value::int64(value<int64_t>(i));
    case TypeId::kDouble:
      return Value::float64(value<double>(i));
    case TypeId::kDecimal:
      return Value::decimal(value<int128_t>(i), type_.precision(), type_.scale());
    case TypeId::kString:
      return Value::string(std::string(string_at(i)));
    case TypeId::kBytes:
      return Value::bytes(std::string(string_at(i)));
    case TypeId::kDate:
      return Value::date(value<int32_t>(i));
    case TypeId::kTimestamp:
      return Value::timestamp(value<int64_t>(i));
    case TypeId::kInterval:
      return Value::interval(value<Interval>(i));
    case TypeId::kStruct: {
      std::vector<Value> kids;
      for (const auto& c : children_) kids.push_back(c->value_at(i));
      return Value::nested(type_, std::move(kids));
    }
    case TypeId::kList:
    case TypeId::kMap: {
      std::vector<Value> kids;
      for (int32_t k = offsets()[i]; k < offsets()[i + 1]; ++k)
        kids.push_back(children_[0]->value_at(k));
      return Value::nested(type_, std::move(kids));
    }
  }
  return Value();
}

size_t Column::memory_usage() const {
  size_t n = validity_.capacity() + values_.capacity() + offsets_.capacity() + heap_.capacity();
  for (const auto& c : children_) n += c->memory_usage();
  return n;
}

void Column::truncate(size_t rows) {
  size_t keep = std::min(rows, size_);
  switch (type_.id()) {
    case TypeId::kString:
    case TypeId::kBytes:
      heap_.resize(static_cast<size_t>(offsets()[keep]));
      break;
    case TypeId::kList:
    case TypeId::kMap:
      children_[0]->truncate(static_cast<size_t>(offsets()[keep]));
      break;
    case TypeId::kStruct:
      for (auto& child : children_) child->truncate(keep);
      break;
    default:
      break;
  }
  if (rows >= size_) return;
  // Appends only set validity bits of new words, so bits of rows being dropped go back to
  // "valid", or a later valid row would read as NULL.
  if (has_validity())
    for (size_t i = rows; i < size_; ++i) set_valid(i);
  resize(rows);
}

void Column::serialize(ByteWriter& out) const {
  out.put<uint64_t>(size_);
  out.put_bytes(validity_.data(), validity_.size());
  out.put_bytes(values_.data(), values_.size());
  out.put_bytes(offsets_.data(), offsets_.size());
  out.put_bytes(heap_.data(), heap_.size());
  out.put<uint64_t>(children_.size());
  for (const auto& c : children_) c->serialize(out);
}

ColumnPtr Column::deserialize(const DataType& type, ByteReader& in) {
  auto c = Column::make(type);
  c->size_ = in.get<uint64_t>();
  auto fill = [&](Buffer& b) {
    std::string_view bytes = in.get_bytes();
    b.clear();
    b.append(bytes.data(), bytes.size());
  };
  fill(c->validity_);
  fill(c->values_);
  fill(c->offsets_);
  fill(c->heap_);
  uint64_t children = in.get<uint64_t>();
  if (children != c->children_.size()) in.corrupt();
  for (size_t i = 0; i < children; ++i) {
    DataType child_type = c->children_[i]->type();
    c->children_[i] = deserialize(child_type, in);
  }
  // The layout must agree with the type, or later reads would run past the buffers.
  bool ok = c->validity_.empty() || c->validity_.size() * 8 >= c->size_;
  switch (type.id()) {
    case TypeId::kString:
    case TypeId::kBytes:
    case TypeId::kList:
    case TypeId::kMap:
      ok = ok && c->offsets_.size() == (c->size_ + 1) * sizeof(int32_t);
      break;
    case TypeId::kStruct:
      break;
    default:
      ok = ok && (c->size_ == 0 || c->values_.size() % c->size_ == 0);
  }
  if (!ok) in.corrupt();
  return c;
}

}  // namespace velo
