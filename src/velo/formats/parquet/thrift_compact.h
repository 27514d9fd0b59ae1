#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "velo/batch/buffer.h"

namespace velo::parquet {

/// Thrift compact-protocol wire types (the low nibble of a field header).
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

/// Decodes the Thrift compact protocol from a byte range. Every read is bounds-checked; errors are
/// thrown as velo::Error(kFormat) naming `file` and the absolute byte offset (`base_offset` + pos).
/// Not thread-safe; one reader per buffer.
class ThriftReader {
 public:
  ThriftReader(const uint8_t* data, size_t size, std::string file, int64_t base_offset);

  /// Reads the next field header of the current struct. Returns false at STOP.
  bool next_field(int16_t* id, ThriftType* type);
  void begin_struct();
  void end_struct();

  int32_t read_i32();
  int64_t read_i64();
  /// Booleans are carried in the field header; `type` is the header's type.
  bool read_bool(ThriftType type);
  double read_double();
  int8_t read_i8() { return static_cast<int8_t>(read_byte()); }
  std::string_view read_binary();
  std::string read_string() { return std::string(read_binary()); }
  /// Reads a list header; returns the element count (checked against remaining bytes).
  uint32_t read_list(ThriftType* elem_type);
  /// A boolean element inside a list.
  bool read_list_bool();
  /// Skips a value of `type` (nested values too, depth-limited).
  void skip(ThriftType type);

  size_t position() const { return pos_; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  uint64_t read_varint();
  uint8_t read_byte();

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string file_;
  int64_t base_offset_;
  int depth_ = 0;
  int16_t last_id_stack_[64];
};

/// Encodes the Thrift compact protocol into a Buffer.
class ThriftWriter {
 public:
  explicit ThriftWriter(Buffer* out) : out_(out) {}

  void begin_struct();
  void end_struct();  // writes STOP
  void field_i32(int16_t id, int32_t v);
  void field_i64(int16_t id, int64_t v);
  void field_bool(int16_t id, bool v);
  void field_binary(int16_t id, std::string_view v);
  /// Starts a struct-valued field; finish it with end_struct().
  void field_struct(int16_t id);
  /// Starts a list-valued field with `n` elements of `elem`; then write the elements with the
  /// element functions below (structs: begin_struct/end_struct around fields).
  void field_list(int16_t id, ThriftType elem, uint32_t n);
  void elem_i32(int32_t v) { write_varint(zigzag(v)); }
  void elem_i64(int64_t v) { write_varint(zigzag(v)); }
  /// Compact thrift writes a bool list element as one byte: 1 true, 2 false (as Apache Thrift).
  void elem_bool(bool v) { write_byte(v ? 1 : 2); }
  void elem_binary(std::string_view v);

 private:
  static uint64_t zigzag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  void field_header(int16_t id, ThriftType type);
  void write_varint(uint64_t v);
  void write_byte(uint8_t b) { out_->push(b); }

  Buffer* out_;
  int depth_ = 0;
  int16_t last_id_stack_[64] = {0};
};

}  // namespace velo::parquet
