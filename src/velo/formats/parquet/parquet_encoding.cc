#include "velo/formats/parquet/parquet_encoding.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "velo/types/error.h"

namespace velo::parquet {

void DecodeContext::fail(const std::string& what) const {
  std::string msg = "corrupt parquet page: " + what;
  if (!where.empty() && what.find(where) == std::string::npos) msg += " (" + where + ")";
  throw Error(ErrorKind::kFormat, msg, ErrorLocation{file ? *file : std::string(), 0, 0, offset});
}

namespace {

inline uint64_t load64(const uint8_t* p, size_t avail) {
  uint64_t v = 0;
  std::memcpy(&v, p, avail >= 8 ? 8 : avail);
  return v;
}

}  // namespace

void unpack_bits(const uint8_t* in, size_t in_size, int bw, size_t n, uint64_t* out) {
  if (bw == 0) {
    std::memset(out, 0, n * sizeof(uint64_t));
    return;
  }
  const uint64_t mask = bw == 64 ? ~uint64_t{0} : (uint64_t{1} << bw) - 1;
  size_t bit = 0;
  for (size_t i = 0; i < n; ++i, bit += bw) {
    size_t byte = bit >> 3;
    int shift = bit & 7;
    uint64_t v = load64(in + byte, in_size - byte) >> shift;
    if (shift + bw > 64) {
      size_t b2 = byte + 8;
      uint64_t hi = b2 < in_size ? in[b2] : 0;
      v |= hi << (64 - shift);
    }
    out[i] = v & mask;
  }
}

namespace {

// Groups of 8 values of BW bits occupy BW bytes. Every value is read with one unaligned 8-byte
// load, so the caller keeps 8 readable bytes past the last group.
template <int BW>
void unpack32_groups(const uint8_t* in, size_t groups, uint32_t* out) {
  constexpr uint64_t kMask = (uint64_t{1} << BW) - 1;
  for (size_t g = 0; g < groups; ++g, in += BW, out += 8) {
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      uint64_t v;
      std::memcpy(&v, in + (j * BW) / 8, 8);
      out[j] = static_cast<uint32_t>((v >> ((j * BW) % 8)) & kMask);
    }
  }
}

using Unpack32 = void (*)(const uint8_t*, size_t, uint32_t*);

template <int... BW>
constexpr auto make_unpack32_table(std::integer_sequence<int, BW...>) {
  return std::array<Unpack32, sizeof...(BW)>{&unpack32_groups<BW + 1>...};
}

// Widths 1..32.
constexpr auto kUnpack32 = make_unpack32_table(std::make_integer_sequence<int, 32>{});

}  // namespace

void unpack_bits32(const uint8_t* in, size_t in_size, int bw, size_t n, uint32_t* out) {
  if (bw == 0) {
    std::memset(out, 0, n * sizeof(uint32_t));
    return;
  }
  size_t i = 0;
  if (bw <= 32) {
    // Whole groups whose loads stay inside the input.
    size_t groups = n / 8;
    size_t safe = in_size >= 8 ? (in_size - 8) / bw : 0;
    groups = std::min(groups, safe);
    kUnpack32[bw - 1](in, groups, out);
    i = groups * 8;
  }
  const uint64_t mask = bw >= 64 ? ~uint64_t{0} : (uint64_t{1} << bw) - 1;
  for (size_t bit = i * bw; i < n; ++i, bit += bw) {
    size_t byte = bit >> 3;
    out[i] = static_cast<uint32_t>((load64(in + byte, in_size - byte) >> (bit & 7)) & mask);
  }
}

bool RleDecoder::next_run() {
  if (pos_ >= size_) return false;
  uint64_t header = 0;
  int shift = 0;
  while (true) {
    if (pos_ >= size_) ctx_->fail("RLE run header ends early");
    uint8_t b = data_[pos_++];
    header |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
    if (shift > 63) ctx_->fail("RLE run header too long");
  }
  if (header & 1) {
    uint64_t groups = header >> 1;
    if (groups == 0) ctx_->fail("empty bit-packed run");
    uint64_t bytes = groups * bit_width_;
    if (groups > (1ull << 32) || bytes > size_ - pos_) {
      // A truncated final run is allowed: decode what is present.
      bytes = size_ - pos_;
    }
    rle_ = false;
    packed_ = data_ + pos_;
    packed_avail_ = bytes;
    packed_readable_ = size_ - pos_;
    packed_index_ = 0;
    remaining_ =
        bit_width_ == 0 ? groups * 8 : std::min<uint64_t>(groups * 8, bytes * 8 / bit_width_);
    pos_ += bytes;
  } else {
    remaining_ = header >> 1;
    if (remaining_ == 0) ctx_->fail("empty RLE run");
    int nbytes = (bit_width_ + 7) / 8;
    if (static_cast<size_t>(nbytes) > size_ - pos_) ctx_->fail("RLE run value ends early");
    uint32_t v = 0;
    for (int i = 0; i < nbytes; ++i) v |= static_cast<uint32_t>(data_[pos_ + i]) << (8 * i);
    pos_ += nbytes;
    if (bit_width_ < 32 && (v >> bit_width_) != 0)
      ctx_->fail(fmt::format("RLE value {} wider than {} bits", v, bit_width_));
    rle_ = true;
    rle_value_ = v;
  }
  return true;
}

void RleDecoder::get(uint32_t* out, size_t n) {
  while (n > 0) {
    if (remaining_ == 0 && !next_run())
      ctx_->fail("RLE/bit-packed data ends before all values were decoded");
    size_t k = std::min(n, remaining_);
    if (rle_) {
      std::fill(out, out + k, rle_value_);
    } else {
      size_t bit = packed_index_ * bit_width_;
      size_t byte = bit >> 3;
      // Each group of 8 starts byte-aligned, so unpack from the group start.
      size_t start_in_group = packed_index_ & 7;
      size_t group_byte = (packed_index_ - start_in_group) * bit_width_ / 8;
      // Loads may run past the run into the data that follows (never past the data).
      if (start_in_group == 0) {
        unpack_bits32(packed_ + byte, packed_readable_ - byte, bit_width_, k, out);
      } else {
        uint32_t tmp[8];
        size_t take = std::min(k, 8 - start_in_group);
        unpack_bits32(packed_ + group_byte, packed_readable_ - group_byte, bit_width_,
                      start_in_group + take, tmp);
        std::memcpy(out, tmp + start_in_group, take * 4);
        k = take;
      }
      packed_index_ += k;
    }
    remaining_ -= k;
    out += k;
    n -= k;
  }
}

namespace {

// Bits [bit, bit + 64) of the LSB-first stream `p` of `avail` bytes (missing bytes read as 0).
inline uint64_t read_bits64(const uint8_t* p, size_t avail, size_t bit) {
  size_t byte = bit >> 3;
  int shift = bit & 7;
  if (byte >= avail) return 0;
  uint64_t v = load64(p + byte, avail - byte) >> shift;
  if (shift && byte + 8 < avail) v |= uint64_t{p[byte + 8]} << (64 - shift);
  return v;
}

// ORs the k (<= 64) low bits of v into bits [at, at + k) of zeroed `words`.
inline void or_bits(uint64_t* words, size_t at, uint64_t v, size_t k) {
  if (k < 64) v &= (uint64_t{1} << k) - 1;
  size_t w = at >> 6;
  int off = at & 63;
  words[w] |= v << off;
  if (off && off + k > 64) words[w + 1] |= v >> (64 - off);
}

}  // namespace

size_t RleDecoder::get_bits(uint64_t* words, size_t n) {
  if (bit_width_ != 1) ctx_->fail("bitmap decoding needs bit width 1");
  // A page of zero values may come with no bitmap at all (memset of nullptr is undefined; fuzz:
  // tests/fuzz/crashes/parquet-4).
  if (n == 0) return 0;
  std::memset(words, 0, (n + 63) / 64 * sizeof(uint64_t));
  size_t at = 0;
  while (at < n) {
    if (remaining_ == 0 && !next_run())
      ctx_->fail("RLE/bit-packed data ends before all values were decoded");
    size_t k = std::min(n - at, remaining_);
    if (rle_) {
      if (rle_value_) {
        for (size_t done = 0; done < k;) {
          size_t c = std::min<size_t>(64, k - done);
          or_bits(words, at + done, ~uint64_t{0}, c);
          done += c;
        }
      }
    } else {
      for (size_t done = 0; done < k;) {
        size_t c = std::min<size_t>(64, k - done);
        or_bits(words, at + done, read_bits64(packed_, packed_avail_, packed_index_ + done), c);
        done += c;
      }
      packed_index_ += k;
    }
    remaining_ -= k;
    at += k;
  }
  size_t ones = 0;
  for (size_t i = 0; i < (n + 63) / 64; ++i) ones += popcount64(words[i]);
  return ones;
}

namespace {

uint64_t read_uvarint(const uint8_t* data, size_t size, size_t* pos, const DecodeContext& ctx) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= size) ctx.fail("varint ends early");
    uint8_t b = data[(*pos)++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  ctx.fail("varint too long");
}

int64_t unzigzag(uint64_t z) { return static_cast<int64_t>((z >> 1) ^ -(z & 1)); }

}  // namespace

size_t decode_delta_binary_packed(const uint8_t* data, size_t size, std::vector<int64_t>* out,
                                  size_t max_values, const DecodeContext& ctx) {
  size_t pos = 0;
  uint64_t block_size = read_uvarint(data, size, &pos, ctx);
  uint64_t miniblocks = read_uvarint(data, size, &pos, ctx);
  uint64_t total = read_uvarint(data, size, &pos, ctx);
  int64_t value = unzigzag(read_uvarint(data, size, &pos, ctx));
  if (block_size == 0 || block_size % 128 != 0 || miniblocks == 0 || block_size % miniblocks != 0 ||
      (block_size / miniblocks) % 32 != 0 || block_size > (1u << 20))
    ctx.fail(fmt::format("bad DELTA_BINARY_PACKED header (block {}, miniblocks {})", block_size,
                         miniblocks));
  if (total > max_values)
    ctx.fail(fmt::format("DELTA_BINARY_PACKED holds {} values, page has {}", total, max_values));
  size_t per_mini = block_size / miniblocks;
  out->clear();
  out->reserve(total);
  if (total == 0) return pos;
  out->push_back(value);
  std::vector<uint64_t> tmp(per_mini);
  std::vector<uint8_t> widths(miniblocks);
  uint64_t v = static_cast<uint64_t>(value);
  while (out->size() < total) {
    int64_t min_delta = unzigzag(read_uvarint(data, size, &pos, ctx));
    if (miniblocks > size - pos) ctx.fail("DELTA_BINARY_PACKED block header ends early");
    std::memcpy(widths.data(), data + pos, miniblocks);
    pos += miniblocks;
    for (size_t m = 0; m < miniblocks && out->size() < total; ++m) {
      int bw = widths[m];
      if (bw > 64) ctx.fail(fmt::format("DELTA_BINARY_PACKED bit width {}", bw));
      size_t bytes = per_mini * bw / 8;
      size_t avail = size - pos;
      size_t need = std::min<size_t>(per_mini, total - out->size());
      // The last miniblock may be truncated by writers that do not pad; require what we use.
      if (bytes > avail && (need * bw + 7) / 8 > avail)
        ctx.fail("DELTA_BINARY_PACKED miniblock ends early");
      unpack_bits(data + pos, avail, bw, need, tmp.data());
      for (size_t i = 0; i < need; ++i) {
        v += static_cast<uint64_t>(min_delta) + tmp[i];
        out->push_back(static_cast<int64_t>(v));
      }
      pos += std::min(bytes, avail);
    }
  }
  return pos;
}

void append_varint(uint64_t v, Buffer* out) {
  while (v >= 0x80) {
    out->push(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push(static_cast<uint8_t>(v));
}

namespace {

void pack_bits(const uint32_t* values, size_t n, size_t padded, int bw, Buffer* out) {
  size_t bytes = padded * bw / 8;
  size_t base = out->size();
  out->resize(base + bytes);
  uint8_t* p = out->data() + base;
  std::memset(p, 0, bytes);
  size_t bit = 0;
  for (size_t i = 0; i < n; ++i, bit += bw) {
    uint64_t v = values[i];
    for (int b = 0; b < bw;) {
      size_t byte = (bit + b) >> 3;
      int off = (bit + b) & 7;
      int take = std::min(8 - off, bw - b);
      p[byte] |= static_cast<uint8_t>(((v >> b) & ((1u << take) - 1)) << off);
      b += take;
    }
  }
}

size_t run_at(const uint32_t* v, size_t i, size_t n) {
  size_t j = i + 1;
  while (j < n && v[j] == v[i]) ++j;
  return j - i;
}

}  // namespace

void encode_rle(const uint32_t* values, size_t n, int bw, Buffer* out) {
  int value_bytes = (bw + 7) / 8;
  size_t i = 0;
  while (i < n) {
    size_t run = run_at(values, i, n);
    if (run >= 8) {
      append_varint(static_cast<uint64_t>(run) << 1, out);
      uint32_t v = values[i];
      for (int b = 0; b < value_bytes; ++b) out->push(static_cast<uint8_t>(v >> (8 * b)));
      i += run;
      continue;
    }
    size_t j = i;
    do {
      j += 8;
    } while (j < n && !(j + 8 <= n && run_at(values, j, std::min(n, j + 8)) >= 8));
    size_t real = std::min(j, n) - i;
    size_t groups = (j - i) / 8;
    append_varint((static_cast<uint64_t>(groups) << 1) | 1, out);
    pack_bits(values + i, real, groups * 8, bw, out);
    i = j;
  }
}

}  // namespace velo::parquet
