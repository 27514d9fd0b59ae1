#include "velo/formats/parquet/parquet_bloom_filter.h"

#include <cmath>
#include <cstring>

#include "velo/formats/parquet/thrift_compact.h"
#include "velo/types/error.h"

namespace velo::parquet {

namespace {

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kP3 = 0x165667B19E3779F9ull;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ull;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ull;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t round64(uint64_t acc, uint64_t input) {
  acc += input * kP2;
  acc = rotl(acc, 31);
  return acc * kP1;
}
inline uint64_t merge_round(uint64_t acc, uint64_t v) {
  acc ^= round64(0, v);
  return acc * kP1 + kP4;
}

// The eight odd constants of the spec, one per word of a block.
constexpr uint32_t kSalt[8] = {0x47b6137bu, 0x44974d91u, 0x8824ad5bu, 0xa2b7289du,
                               0x705495c7u, 0x2df1424bu, 0x9efc4947u, 0x5c6bfb31u};

}  // namespace

uint64_t xxhash64(const void* data, size_t size, uint64_t seed) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  const uint8_t* end = p + size;
  uint64_t h;
  if (size >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    const uint8_t* limit = end - 32;
    do {
      v1 = round64(v1, load64(p));
      v2 = round64(v2, load64(p + 8));
      v3 = round64(v3, load64(p + 16));
      v4 = round64(v4, load64(p + 24));
      p += 32;
    } while (p <= limit);
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = merge_round(h, v1);
    h = merge_round(h, v2);
    h = merge_round(h, v3);
    h = merge_round(h, v4);
  } else {
    h = seed + kP5;
  }
  h += static_cast<uint64_t>(size);
  while (p + 8 <= end) {
    h ^= round64(0, load64(p));
    h = rotl(h, 27) * kP1 + kP4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= static_cast<uint64_t>(load32(p)) * kP1;
    h = rotl(h, 23) * kP2 + kP3;
    p += 4;
  }
  while (p < end) {
    h ^= static_cast<uint64_t>(*p) * kP5;
    h = rotl(h, 11) * kP1;
    ++p;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

SplitBlockBloomFilter SplitBlockBloomFilter::for_values(uint64_t ndv, double fpp) {
  // m = -8 n / ln(1 - fpp^(1/8)) bits (BloomFilter.md), rounded up to a power of two of bytes.
  double bits = -8.0 * static_cast<double>(std::max<uint64_t>(ndv, 1)) /
                std::log(1.0 - std::pow(fpp, 1.0 / 8.0));
  size_t bytes = kMinBytes;
  while (bytes < kMaxBytes && static_cast<double>(bytes) * 8 < bits) bytes *= 2;
  return SplitBlockBloomFilter(bytes);
}

SplitBlockBloomFilter::SplitBlockBloomFilter(const uint8_t* bitset, size_t size)
    : words_(size / 4) {
  std::memcpy(words_.data(), bitset, words_.size() * 4);
}

void SplitBlockBloomFilter::insert(uint64_t hash) {
  size_t blocks = words_.size() / 8;
  size_t block = static_cast<size_t>(((hash >> 32) * blocks) >> 32);
  uint32_t key = static_cast<uint32_t>(hash);
  uint32_t* w = words_.data() + block * 8;
  for (int i = 0; i < 8; ++i) w[i] |= uint32_t{1} << ((key * kSalt[i]) >> 27);
}

bool SplitBlockBloomFilter::might_contain(uint64_t hash) const {
  size_t blocks = words_.size() / 8;
  size_t block = static_cast<size_t>(((hash >> 32) * blocks) >> 32);
  uint32_t key = static_cast<uint32_t>(hash);
  const uint32_t* w = words_.data() + block * 8;
  for (int i = 0; i < 8; ++i)
    if (!(w[i] & (uint32_t{1} << ((key * kSalt[i]) >> 27)))) return false;
  return true;
}

BloomFilterHeader decode_bloom_filter_header(const uint8_t* data, size_t size,
                                             const std::string& file, int64_t base_offset,
                                             size_t* header_size) {
  ThriftReader r(data, size, file, base_offset);
  BloomFilterHeader h;
  // The three unions each hold one empty struct whose field id names the choice (1 = the only
  // one the spec defines so far).
  auto union_choice = [&](ThriftType t) {
    if (t != ThriftType::kStruct) r.fail("bloom filter header: expected a union");
    int16_t choice = 0;
    r.begin_struct();
    int16_t id;
    ThriftType ft;
    while (r.next_field(&id, &ft)) {
      choice = id;
      r.skip(ft);
    }
    r.end_struct();
    return choice;
  };
  r.begin_struct();
  int16_t id;
  ThriftType t;
  while (r.next_field(&id, &t)) {
    switch (id) {
      case 1:
        if (t != ThriftType::kI32) r.fail("bloom filter header: numBytes must be an i32");
        h.num_bytes = r.read_i32();
        break;
      case 2:
        h.split_block = union_choice(t) == 1;
        break;
      case 3:
        h.xxhash = union_choice(t) == 1;
        break;
      case 4:
        h.uncompressed = union_choice(t) == 1;
        break;
      default:
        r.skip(t);
    }
  }
  r.end_struct();
  *header_size = r.position();
  return h;
}

void encode_bloom_filter(const SplitBlockBloomFilter& filter, Buffer* out) {
  ThriftWriter w(out);
  w.begin_struct();
  w.field_i32(1, static_cast<int32_t>(filter.size_bytes()));
  for (int16_t field = 2; field <= 4; ++field) {
    w.field_struct(field);  // the union
    w.field_struct(1);      // SPLIT_BLOCK / XXHASH / UNCOMPRESSED: empty structs
    w.end_struct();
    w.end_struct();
  }
  w.end_struct();
  out->append(filter.words(), filter.size_bytes());
}

}  // namespace velo::parquet
