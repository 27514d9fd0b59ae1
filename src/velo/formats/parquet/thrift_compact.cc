#include "velo/formats/parquet/thrift_compact.h"

#include <cstring>

#include "velo/types/error.h"

namespace velo::parquet {

namespace {
constexpr int kMaxDepth = 60;
}

ThriftReader::ThriftReader(const uint8_t* data, size_t size, std::string file, int64_t base_offset)
    : data_(data), size_(size), file_(std::move(file)), base_offset_(base_offset) {
  last_id_stack_[0] = 0;
}

void ThriftReader::fail(const std::string& what) const {
  throw Error(ErrorKind::kFormat, "corrupt parquet metadata: " + what,
              ErrorLocation{file_, 0, 0, base_offset_ + static_cast<int64_t>(pos_)});
}

uint8_t ThriftReader::read_byte() {
  if (pos_ >= size_) fail("thrift data ends early");
  return data_[pos_++];
}

uint64_t ThriftReader::read_varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    uint8_t b = read_byte();
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  fail("varint longer than 10 bytes");
}

void ThriftReader::begin_struct() {
  if (++depth_ >= kMaxDepth) fail("thrift structs nested too deeply");
  last_id_stack_[depth_] = 0;
}

void ThriftReader::end_struct() { --depth_; }

bool ThriftReader::next_field(int16_t* id, ThriftType* type) {
  uint8_t b = read_byte();
  auto t = static_cast<ThriftType>(b & 0x0f);
  if (t == ThriftType::kStop) return false;
  if (static_cast<uint8_t>(t) > 12) fail(fmt::format("unknown thrift type {}", b & 0x0f));
  int delta = b >> 4;
  if (delta == 0) {
    uint64_t z = read_varint();
    last_id_stack_[depth_] = static_cast<int16_t>((z >> 1) ^ -(z & 1));
  } else {
    last_id_stack_[depth_] = static_cast<int16_t>(last_id_stack_[depth_] + delta);
  }
  *id = last_id_stack_[depth_];
  *type = t;
  return true;
}

int32_t ThriftReader::read_i32() {
  uint64_t z = read_varint();
  return static_cast<int32_t>(static_cast<uint32_t>((z >> 1) ^ -(z & 1)));
}

int64_t ThriftReader::read_i64() {
  uint64_t z = read_varint();
  return static_cast<int64_t>((z >> 1) ^ -(z & 1));
}

bool ThriftReader::read_bool(ThriftType type) { return type == ThriftType::kBoolTrue; }

bool ThriftReader::read_list_bool() { return read_byte() == 1; }

double ThriftReader::read_double() {
  if (size_ - pos_ < 8) fail("thrift double ends early");
  double d;
  std::memcpy(&d, data_ + pos_, 8);
  pos_ += 8;
  return d;
}

std::string_view ThriftReader::read_binary() {
  uint64_t n = read_varint();
  if (n > size_ - pos_) fail(fmt::format("thrift string of {} bytes exceeds the data", n));
  std::string_view s(reinterpret_cast<const char*>(data_ + pos_), n);
  pos_ += n;
  return s;
}

uint32_t ThriftReader::read_list(ThriftType* elem_type) {
  uint8_t b = read_byte();
  uint64_t n = b >> 4;
  if (n == 15) n = read_varint();
  *elem_type = static_cast<ThriftType>(b & 0x0f);
  // Every element takes at least one byte (except bools in some writers: also one byte).
  if (n > size_ - pos_) fail(fmt::format("thrift list of {} elements exceeds the data", n));
  return static_cast<uint32_t>(n);
}

void ThriftReader::skip(ThriftType type) {
  switch (type) {
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse:
      return;
    case ThriftType::kByte:
      read_byte();
      return;
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      read_varint();
      return;
    case ThriftType::kDouble:
      read_double();
      return;
    case ThriftType::kBinary:
      read_binary();
      return;
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType et;
      uint32_t n = read_list(&et);
      if (++depth_ >= kMaxDepth) fail("thrift values nested too deeply");
      for (uint32_t i = 0; i < n; ++i) {
        if (et == ThriftType::kBoolTrue || et == ThriftType::kBoolFalse)
          read_byte();
        else
          skip(et);
      }
      --depth_;
      return;
    }
    case ThriftType::kMap: {
      uint64_t n = read_varint();
      if (n == 0) return;
      if (n > size_ - pos_) fail("thrift map exceeds the data");
      uint8_t kv = read_byte();
      if (++depth_ >= kMaxDepth) fail("thrift values nested too deeply");
      for (uint64_t i = 0; i < n; ++i) {
        skip(static_cast<ThriftType>(kv >> 4));
        skip(static_cast<ThriftType>(kv & 0x0f));
      }
      --depth_;
      return;
    }
    case ThriftType::kStruct: {
      begin_struct();
      int16_t id;
      ThriftType t;
      while (next_field(&id, &t)) skip(t);
      end_struct();
      return;
    }
    default:
      fail(fmt::format("unknown thrift type {}", static_cast<int>(type)));
  }
}

// ---- writer ---------------------------------------------------------------------------------

void ThriftWriter::write_varint(uint64_t v) {
  while (v >= 0x80) {
    write_byte(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  write_byte(static_cast<uint8_t>(v));
}

void ThriftWriter::field_header(int16_t id, ThriftType type) {
  int delta = id - last_id_stack_[depth_];
  if (delta > 0 && delta <= 15) {
    write_byte(static_cast<uint8_t>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    write_byte(static_cast<uint8_t>(type));
    write_varint(zigzag(id));
  }
  last_id_stack_[depth_] = id;
}

void ThriftWriter::begin_struct() {
  ++depth_;
  last_id_stack_[depth_] = 0;
}

void ThriftWriter::end_struct() {
  write_byte(0);
  --depth_;
}

void ThriftWriter::field_i32(int16_t id, int32_t v) {
  field_header(id, ThriftType::kI32);
  write_varint(zigzag(v));
}

void ThriftWriter::field_i64(int16_t id, int64_t v) {
  field_header(id, ThriftType::kI64);
  write_varint(zigzag(v));
}

void ThriftWriter::field_bool(int16_t id, bool v) {
  field_header(id, v ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}

void ThriftWriter::field_binary(int16_t id, std::string_view v) {
  field_header(id, ThriftType::kBinary);
  elem_binary(v);
}

void ThriftWriter::elem_binary(std::string_view v) {
  write_varint(v.size());
  out_->append(v.data(), v.size());
}

void ThriftWriter::field_struct(int16_t id) {
  field_header(id, ThriftType::kStruct);
  begin_struct();
}

void ThriftWriter::field_list(int16_t id, ThriftType elem, uint32_t n) {
  field_header(id, ThriftType::kList);
  if (n < 15) {
    write_byte(static_cast<uint8_t>((n << 4) | static_cast<uint8_t>(elem)));
  } else {
    write_byte(static_cast<uint8_t>(0xf0 | static_cast<uint8_t>(elem)));
    write_varint(n);
  }
}

}  // namespace velo::parquet
