// Low-level Parquet decoding: our snappy block decoder against libsnappy's encoder, bit
// unpacking of every width against a bit-by-bit reference, the RLE/bit-packing hybrid.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "velo/formats/parquet/parquet_codec.h"
#include "velo/formats/parquet/parquet_encoding.h"
#include "velo/types/error.h"

namespace velo::parquet {
namespace {

std::vector<uint8_t> snappy_round_trip(const std::vector<uint8_t>& data) {
  Buffer packed;
  compress(Codec::kSnappy, data.data(), data.size(), &packed);
  std::vector<uint8_t> out(data.size());
  decompress(Codec::kSnappy, packed.data(), packed.size(), out.data(), out.size(), "t.parquet", 0);
  return out;
}

// Page-like inputs: random bytes (long literals), small repeating patterns (copies with offsets
// 1..15, the overlapping cases), 16-byte decimals with sign bytes (offset-16 copies), mixtures.
TEST(ParquetSnappy, DecodesWhatLibsnappyEncodes) {
  std::mt19937_64 rng(42);
  for (size_t size : {0, 1, 15, 16, 17, 63, 64, 65, 200, 4096, 100000, 1 << 20}) {
    std::vector<uint8_t> random(size), pattern(size), decimals(size), mixed(size);
    for (size_t i = 0; i < size; ++i) {
      random[i] = static_cast<uint8_t>(rng());
      pattern[i] = static_cast<uint8_t>(i % (1 + size % 13));
      decimals[i] = i % 16 < 12 ? 0 : static_cast<uint8_t>(rng() % 4);
      mixed[i] = (i / 300) % 2 ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(i % 7);
    }
    EXPECT_EQ(snappy_round_trip(random), random) << size;
    EXPECT_EQ(snappy_round_trip(pattern), pattern) << size;
    EXPECT_EQ(snappy_round_trip(decimals), decimals) << size;
    EXPECT_EQ(snappy_round_trip(mixed), mixed) << size;
  }
  for (int period = 1; period <= 40; ++period) {
    std::vector<uint8_t> data(5000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i % period) * 37 + 1);
    EXPECT_EQ(snappy_round_trip(data), data) << period;
  }
}

// Truncated or damaged data must fail as a format error (or decode to the right size), never
// read or write out of bounds.
TEST(ParquetSnappy, CorruptInputIsFormatError) {
  std::mt19937_64 rng(7);
  std::vector<uint8_t> data(3000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = i % 100 < 50 ? rng() & 0xff : i % 9;
  Buffer packed;
  compress(Codec::kSnappy, data.data(), data.size(), &packed);
  std::vector<uint8_t> good(packed.data(), packed.data() + packed.size());
  std::vector<uint8_t> out(data.size());
  EXPECT_THROW(decompress(Codec::kSnappy, good.data(), good.size() - 1, out.data(), out.size(),
                          "t.parquet", 5),
               Error);
  EXPECT_THROW(decompress(Codec::kSnappy, good.data(), good.size(), out.data(), out.size() - 1,
                          "t.parquet", 5),
               Error);
  int failures = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> bad = good;
    size_t cut = rng() % bad.size();
    if (trial % 2) bad.resize(cut + 1);
    for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    try {
      decompress(Codec::kSnappy, bad.data(), bad.size(), out.data(), out.size(), "t.parquet", 5);
    } catch (const Error& e) {
      ++failures;
      EXPECT_NE(std::string(e.what()).find("snappy"), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(failures, 1000);
}

std::vector<uint8_t> pack_reference(const std::vector<uint32_t>& v, int bw) {
  std::vector<uint8_t> out((v.size() * bw + 7) / 8);
  for (size_t i = 0; i < v.size(); ++i)
    for (int b = 0; b < bw; ++b)
      if ((v[i] >> b) & 1) out[(i * bw + b) / 8] |= static_cast<uint8_t>(1 << ((i * bw + b) % 8));
  return out;
}

TEST(ParquetBitUnpack, EveryWidthAndTailMatchesReference) {
  std::mt19937 rng(3);
  for (int bw = 0; bw <= 32; ++bw) {
    for (size_t n : {1, 7, 8, 9, 31, 64, 1000, 1003}) {
      std::vector<uint32_t> v(n);
      for (auto& x : v) x = bw == 32 ? rng() : bw == 0 ? 0 : rng() & ((1u << bw) - 1);
      std::vector<uint8_t> packed = pack_reference(v, bw);
      std::vector<uint32_t> got(n, 0xdeadbeef);
      // Exactly the packed bytes readable: the unpacker must not read past them.
      unpack_bits32(packed.data(), packed.size(), bw, n, got.data());
      EXPECT_EQ(got, v) << "bw " << bw << " n " << n;
    }
  }
}

TEST(ParquetRle, RoundTripsRunsAndPackedGroupsInPieces) {
  std::mt19937 rng(11);
  for (int bw : {1, 2, 3, 9, 10, 17, 32}) {
    std::vector<uint32_t> v;
    uint32_t mask = bw == 32 ? ~0u : (1u << bw) - 1;
    while (v.size() < 20000) {
      if (rng() % 2) {
        v.insert(v.end(), 8 + rng() % 100, rng() & mask);
      } else {
        for (int i = 0, k = 1 + rng() % 50; i < k; ++i) v.push_back(rng() & mask);
      }
    }
    Buffer enc;
    encode_rle(v.data(), v.size(), bw, &enc);
    DecodeContext ctx;
    RleDecoder dec(enc.data(), enc.size(), bw, &ctx);
    std::vector<uint32_t> got(v.size());
    // Odd piece sizes start mid-group.
    size_t pos = 0;
    for (size_t piece = 1; pos < v.size(); piece = piece * 3 % 4099 + 1) {
      size_t k = std::min(piece, v.size() - pos);
      dec.get(got.data() + pos, k);
      pos += k;
    }
    EXPECT_EQ(got, v) << "bw " << bw;
    EXPECT_THROW(dec.get(got.data(), 1), Error);
  }
}

// Definition levels of a top-level optional column decode straight into a validity bitmap; it
// must agree with the value decoder for runs, packed groups and lengths off the word size.
// A data page of zero values decodes no bitmap, even without one (tests/fuzz/crashes/parquet-4).
TEST(ParquetRle, BitmapOfZeroValuesNeedsNoWords) {
  DecodeContext ctx;
  uint8_t empty = 0;
  EXPECT_EQ(RleDecoder(&empty, 0, 1, &ctx).get_bits(nullptr, 0), 0u);
}

TEST(ParquetRle, BitmapDecodingMatchesValues) {
  std::mt19937 rng(5);
  for (size_t n : {1, 63, 64, 65, 1000, 4096, 12345}) {
    std::vector<uint32_t> v;
    while (v.size() < n) {
      if (rng() % 3 == 0)
        v.insert(v.end(), 8 + rng() % 200, rng() % 2);
      else
        for (int i = 0, k = 1 + rng() % 70; i < k; ++i) v.push_back(rng() % 10 != 0);
    }
    v.resize(n);
    Buffer enc;
    encode_rle(v.data(), v.size(), 1, &enc);
    DecodeContext ctx;
    std::vector<uint64_t> words((n + 63) / 64, ~uint64_t{0});
    size_t ones = RleDecoder(enc.data(), enc.size(), 1, &ctx).get_bits(words.data(), n);
    size_t expect_ones = 0;
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ((words[i / 64] >> (i % 64)) & 1, v[i]) << "n " << n << " i " << i;
      expect_ones += v[i];
    }
    EXPECT_EQ(ones, expect_ones);
    if (n % 64) {
      EXPECT_EQ(words.back() >> (n % 64), 0u);  // bits past n are cleared
    }
  }
  DecodeContext ctx;
  uint8_t short_data[] = {0x03, 0xff};  // one packed group of 8 values, then nothing
  uint64_t w[1];
  EXPECT_THROW(RleDecoder(short_data, 2, 1, &ctx).get_bits(w, 9), Error);
  EXPECT_EQ(popcount64(0), 0);
  EXPECT_EQ(popcount64(~uint64_t{0}), 64);
  EXPECT_EQ(popcount64(0x8000000000000001ull), 2);
}

}  // namespace
}  // namespace velo::parquet
