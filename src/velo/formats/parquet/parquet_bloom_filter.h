#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "velo/batch/buffer.h"

namespace velo::parquet {

/// XXH64 (seed 0 in Parquet), the hash the split-block bloom filter spec prescribes.
uint64_t xxhash64(const void* data, size_t size, uint64_t seed = 0);

/// Parquet's split-block bloom filter (parquet-format BloomFilter.md): 256-bit blocks of eight
/// 32-bit words; a value's xxHash64 picks the block (upper 32 bits) and one bit in each word
/// (lower 32 bits times the eight salts).
class SplitBlockBloomFilter {
 public:
  static constexpr size_t kBlockBytes = 32;
  static constexpr size_t kMinBytes = 32;
  static constexpr size_t kMaxBytes = 128u << 20;

  /// A filter sized for `ndv` distinct values at false-positive rate `fpp` (a power of two
  /// between kMinBytes and kMaxBytes).
  static SplitBlockBloomFilter for_values(uint64_t ndv, double fpp);
  /// A filter over an existing bitset (`size` a multiple of kBlockBytes, > 0).
  SplitBlockBloomFilter(const uint8_t* bitset, size_t size);

  void insert(uint64_t hash);
  bool might_contain(uint64_t hash) const;
  size_t size_bytes() const { return words_.size() * 4; }
  const uint32_t* words() const { return words_.data(); }

 private:
  explicit SplitBlockBloomFilter(size_t bytes) : words_(bytes / 4, 0) {}
  std::vector<uint32_t> words_;
};

/// The thrift BloomFilterHeader written before a bitset.
struct BloomFilterHeader {
  int32_t num_bytes = 0;
  bool split_block = false;   // algorithm is SPLIT_BLOCK
  bool xxhash = false;        // hash is XXHASH
  bool uncompressed = false;  // compression is UNCOMPRESSED
};

/// Decodes a header; `*header_size` receives its length. Errors name `file` and the offset.
BloomFilterHeader decode_bloom_filter_header(const uint8_t* data, size_t size,
                                             const std::string& file, int64_t base_offset,
                                             size_t* header_size);
/// Appends header + bitset of `filter` (SPLIT_BLOCK, XXHASH, UNCOMPRESSED).
void encode_bloom_filter(const SplitBlockBloomFilter& filter, Buffer* out);

}  // namespace velo::parquet
