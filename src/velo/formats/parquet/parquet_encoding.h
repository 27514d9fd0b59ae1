#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "velo/batch/buffer.h"

namespace velo::parquet {

/// Where decoding happens, for error messages: the file and the page's byte offset.
struct DecodeContext {
  const std::string* file = nullptr;
  int64_t offset = -1;
  /// "column 'a.b' of row group 3": appended to messages that do not name it already.
  std::string where;
  [[noreturn]] void fail(const std::string& what) const;
};

/// Bits needed to store `max_value` (0 -> 0).
inline int bit_width_of(uint64_t max_value) {
  return max_value == 0 ? 0 : 64 - __builtin_clzll(max_value);
}

/// Set bits of `v` (inline: the build does not assume a popcnt instruction).
inline int popcount64(uint64_t v) {
  v = v - ((v >> 1) & 0x5555555555555555ull);
  v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
  v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<int>((v * 0x0101010101010101ull) >> 56);
}

/// Unpacks `n` little-endian bit-packed values of `bit_width` (0..64) bits starting at `in`;
/// `in_size` bytes are readable. The caller guarantees n * bit_width bits are available.
void unpack_bits(const uint8_t* in, size_t in_size, int bit_width, size_t n, uint64_t* out);
void unpack_bits32(const uint8_t* in, size_t in_size, int bit_width, size_t n, uint32_t* out);

/// The RLE / bit-packing hybrid (levels, dictionary indices, RLE booleans).
class RleDecoder {
 public:
  RleDecoder() = default;
  RleDecoder(const uint8_t* data, size_t size, int bit_width, const DecodeContext* ctx)
      : data_(data), size_(size), bit_width_(bit_width), ctx_(ctx) {}
  /// Decodes exactly `n` values; throws when the data runs out or holds values wider than
  /// `bit_width`.
  void get(uint32_t* out, size_t n);
  /// Bit width 1 only (definition levels of a top-level optional column): decodes `n` values
  /// into bits [0, n) of `words` (LSB first, (n + 63) / 64 words, overwritten); returns the
  /// number of ones.
  size_t get_bits(uint64_t* words, size_t n);

 private:
  bool next_run();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  int bit_width_ = 0;
  const DecodeContext* ctx_ = nullptr;
  // current run
  bool rle_ = false;
  uint32_t rle_value_ = 0;
  size_t remaining_ = 0;
  const uint8_t* packed_ = nullptr;  // bit-packed run start
  size_t packed_index_ = 0;
  size_t packed_avail_ = 0;     // bytes of the run from packed_
  size_t packed_readable_ = 0;  // bytes readable from packed_ (to the end of the data)
};

/// DELTA_BINARY_PACKED. Decodes all values into int64 (int32 columns truncate).
/// Returns the number of bytes consumed from `data`.
size_t decode_delta_binary_packed(const uint8_t* data, size_t size, std::vector<int64_t>* out,
                                  size_t max_values, const DecodeContext& ctx);

/// Encoders used by the writer.
void encode_rle(const uint32_t* values, size_t n, int bit_width, Buffer* out);
void append_varint(uint64_t v, Buffer* out);

}  // namespace velo::parquet
