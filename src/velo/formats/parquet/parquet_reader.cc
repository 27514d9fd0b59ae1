#include "velo/formats/parquet/parquet_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "velo/formats/parquet/parquet_codec.h"
#include "velo/formats/parquet/parquet_encoding.h"
#include "velo/formats/parquet/parquet_pruning.h"
#include "velo/types/error.h"

namespace velo::parquet {

using Uint128 = unsigned __int128;

namespace {

constexpr char kMagic[] = "PAR1";
constexpr char kEncryptedMagic[] = "PARE";
// Chunks closer than this are fetched with one read_at (object stores charge per request).
constexpr int64_t kCoalesceGap = 1 << 20;
// Limits on what one page header may ask us to allocate. Real writers stay far below (pages are
// ~1 MiB and ~20k values); anything larger is a corrupt or hostile header.
constexpr uint64_t kMaxPageBytes = uint64_t{1} << 30;
constexpr uint64_t kMaxPageValues = uint64_t{1} << 26;

[[noreturn]] void format_error(const std::string& file, int64_t offset, const std::string& what) {
  throw Error(ErrorKind::kFormat, what, ErrorLocation{file, 0, 0, offset});
}

void read_exact(const RandomAccessFile& f, int64_t offset, size_t n, void* out) {
  // Empty column chunks leave `out` without storage (fuzz: tests/fuzz/crashes/parquet-6).
  if (n == 0) return;
  size_t got = f.read_at(offset, n, out);
  if (got != n)
    format_error(
        f.path(), offset,
        fmt::format("file ends early: wanted {} bytes at offset {}, got {}", n, offset, got));
}

// ---- physical values of one page ------------------------------------------------------------

/// The decoded values of one page (or dictionary) in physical form, before conversion.
struct PhysicalValues {
  size_t count = 0;
  const uint8_t* fixed = nullptr;       // count * width bytes (fixed-width physical types)
  std::vector<std::string_view> views;  // BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY
  Buffer owned;                         // backing for decoded (non-zero-copy) values
  Buffer heap;                          // backing for DELTA_BYTE_ARRAY strings
  std::vector<int64_t> ints;            // scratch for delta decoding
};

int physical_width(const LeafInfo& leaf) {
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      return 1;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kInt96:
      return 12;
    case PhysicalType::kFixedLenByteArray:
      return leaf.type_length;
    case PhysicalType::kByteArray:
      return 0;
  }
  return 0;
}

bool is_binary(const LeafInfo& leaf) {
  return leaf.physical == PhysicalType::kByteArray ||
         leaf.physical == PhysicalType::kFixedLenByteArray;
}

void decode_plain(const LeafInfo& leaf, const uint8_t* data, size_t size, size_t n,
                  PhysicalValues* out, const DecodeContext& ctx) {
  out->count = n;
  if (leaf.physical == PhysicalType::kBoolean) {
    if ((n + 7) / 8 > size) ctx.fail("PLAIN BOOLEAN data ends early");
    out->owned.resize(n);
    uint8_t* o = out->owned.data();
    for (size_t i = 0; i < n; ++i) o[i] = (data[i >> 3] >> (i & 7)) & 1;
    out->fixed = o;
    return;
  }
  if (leaf.physical == PhysicalType::kByteArray) {
    // Every value takes at least its 4-byte length: check before reserving for n of them.
    if (n > size / 4) ctx.fail(fmt::format("PLAIN BYTE_ARRAY data holds fewer than {} values", n));
    out->views.clear();
    out->views.reserve(n);
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
      if (size - pos < 4) ctx.fail("PLAIN BYTE_ARRAY length ends early");
      uint32_t len;
      std::memcpy(&len, data + pos, 4);
      pos += 4;
      if (len > size - pos)
        ctx.fail(fmt::format("PLAIN BYTE_ARRAY value of {} bytes exceeds the page", len));
      out->views.emplace_back(reinterpret_cast<const char*>(data + pos), len);
      pos += len;
    }
    return;
  }
  size_t w = physical_width(leaf);
  if (n > size / w) ctx.fail(fmt::format("PLAIN data holds fewer than {} values", n));
  out->fixed = data;
  if (leaf.physical == PhysicalType::kFixedLenByteArray) {
    out->views.clear();
    // Short decimals convert straight from the packed bytes.
    if (leaf.conversion == Conversion::kBinaryDecimal && w <= 16) return;
    out->views.reserve(n);
    for (size_t i = 0; i < n; ++i)
      out->views.emplace_back(reinterpret_cast<const char*>(data + i * w), w);
  }
}

void decode_byte_stream_split(const LeafInfo& leaf, const uint8_t* data, size_t size, size_t n,
                              PhysicalValues* out, const DecodeContext& ctx) {
  size_t w = physical_width(leaf);
  if (w == 0 || leaf.physical == PhysicalType::kBoolean || leaf.physical == PhysicalType::kInt96)
    ctx.fail("BYTE_STREAM_SPLIT on an unsupported type");
  if (n > size / w) ctx.fail("BYTE_STREAM_SPLIT data holds fewer values than the page");
  out->count = n;
  out->owned.resize(n * w);
  uint8_t* o = out->owned.data();
  for (size_t b = 0; b < w; ++b) {
    const uint8_t* s = data + b * n;
    for (size_t i = 0; i < n; ++i) o[i * w + b] = s[i];
  }
  out->fixed = o;
  if (leaf.physical == PhysicalType::kFixedLenByteArray) {
    out->views.clear();
    for (size_t i = 0; i < n; ++i)
      out->views.emplace_back(reinterpret_cast<const char*>(o + i * w), w);
  }
}

void decode_delta_ints(const LeafInfo& leaf, const uint8_t* data, size_t size, size_t n,
                       PhysicalValues* out, const DecodeContext& ctx) {
  if (leaf.physical != PhysicalType::kInt32 && leaf.physical != PhysicalType::kInt64)
    ctx.fail("DELTA_BINARY_PACKED on a non-integer column");
  decode_delta_binary_packed(data, size, &out->ints, n, ctx);
  if (out->ints.size() != n)
    ctx.fail(fmt::format("DELTA_BINARY_PACKED holds {} values, expected {}", out->ints.size(), n));
  out->count = n;
  if (leaf.physical == PhysicalType::kInt32) {
    out->owned.resize(n * 4);
    int32_t* o = out->owned.as<int32_t>();
    for (size_t i = 0; i < n; ++i) o[i] = static_cast<int32_t>(out->ints[i]);
  } else {
    out->owned.resize(n * 8);
    std::memcpy(out->owned.data(), out->ints.data(), n * 8);
  }
  out->fixed = out->owned.data();
}

// Returns bytes consumed.
size_t decode_delta_length(const uint8_t* data, size_t size, size_t n, PhysicalValues* out,
                           const DecodeContext& ctx) {
  size_t pos = decode_delta_binary_packed(data, size, &out->ints, n, ctx);
  if (out->ints.size() != n) ctx.fail("DELTA_LENGTH_BYTE_ARRAY holds too few lengths");
  out->views.clear();
  out->views.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t len = out->ints[i];
    if (len < 0 || static_cast<uint64_t>(len) > size - pos)
      ctx.fail(fmt::format("DELTA_LENGTH_BYTE_ARRAY length {} exceeds the page", len));
    out->views.emplace_back(reinterpret_cast<const char*>(data + pos), len);
    pos += len;
  }
  out->count = n;
  return pos;
}

void decode_delta_byte_array(const uint8_t* data, size_t size, size_t n, PhysicalValues* out,
                             const DecodeContext& ctx) {
  std::vector<int64_t> prefixes;
  size_t pos = decode_delta_binary_packed(data, size, &prefixes, n, ctx);
  if (prefixes.size() != n) ctx.fail("DELTA_BYTE_ARRAY holds too few prefix lengths");
  decode_delta_length(data + pos, size - pos, n, out, ctx);
  // Rebuild full values: value[i] = value[i-1][0:prefix[i]] + suffix[i].
  size_t total = 0;
  int64_t prev_len = 0;
  for (size_t i = 0; i < n; ++i) {
    if (prefixes[i] < 0 || prefixes[i] > prev_len)
      ctx.fail(
          fmt::format("DELTA_BYTE_ARRAY prefix {} longer than the previous value", prefixes[i]));
    prev_len = prefixes[i] + static_cast<int64_t>(out->views[i].size());
    total += prev_len;
    if (total > kMaxPageBytes)
      ctx.fail(fmt::format("DELTA_BYTE_ARRAY values exceed the limit of {} bytes for one page",
                           kMaxPageBytes));
  }
  out->heap.resize(total);
  uint8_t* h = out->heap.data();
  size_t at = 0, prev_at = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t p = prefixes[i];
    std::memmove(h + at, h + prev_at, p);
    std::memcpy(h + at + p, out->views[i].data(), out->views[i].size());
    size_t len = p + out->views[i].size();
    prev_at = at;
    out->views[i] = std::string_view(reinterpret_cast<const char*>(h + at), len);
    at += len;
  }
}

void decode_values(const LeafInfo& leaf, Encoding enc, const uint8_t* data, size_t size, size_t n,
                   PhysicalValues* out, const DecodeContext& ctx) {
  out->fixed = nullptr;  // `out` is reused across pages
  switch (enc) {
    case Encoding::kPlain:
      return decode_plain(leaf, data, size, n, out, ctx);
    case Encoding::kRle: {
      if (leaf.physical != PhysicalType::kBoolean) ctx.fail("RLE values on a non-boolean column");
      if (size < 4) ctx.fail("RLE boolean length ends early");
      uint32_t len;
      std::memcpy(&len, data, 4);
      if (len > size - 4) ctx.fail("RLE boolean data exceeds the page");
      std::vector<uint32_t> tmp(n);
      RleDecoder dec(data + 4, len, 1, &ctx);
      dec.get(tmp.data(), n);
      out->owned.resize(n);
      for (size_t i = 0; i < n; ++i) out->owned.data()[i] = static_cast<uint8_t>(tmp[i]);
      out->fixed = out->owned.data();
      out->count = n;
      return;
    }
    case Encoding::kDeltaBinaryPacked:
      return decode_delta_ints(leaf, data, size, n, out, ctx);
    case Encoding::kDeltaLengthByteArray:
      if (!is_binary(leaf)) ctx.fail("DELTA_LENGTH_BYTE_ARRAY on a non-binary column");
      decode_delta_length(data, size, n, out, ctx);
      return;
    case Encoding::kDeltaByteArray:
      if (!is_binary(leaf)) ctx.fail("DELTA_BYTE_ARRAY on a non-binary column");
      return decode_delta_byte_array(data, size, n, out, ctx);
    case Encoding::kByteStreamSplit:
      return decode_byte_stream_split(leaf, data, size, n, out, ctx);
    default:
      ctx.fail(fmt::format("unsupported value encoding {}", static_cast<int>(enc)));
  }
}

// ---- conversion to our column layout --------------------------------------------------------

int128_t decimal_from_be(std::string_view b) {
  if (b.empty()) return 0;
  // Sign-extend big-endian two's complement of any length (at most 16 significant bytes).
  Uint128 v = (static_cast<uint8_t>(b[0]) & 0x80) ? ~Uint128{0} : 0;
  for (unsigned char c : b) v = (v << 8) | c;
  return static_cast<int128_t>(v);
}

inline int128_t load_be128(const uint8_t* p) {
  uint64_t hi, lo;
  std::memcpy(&hi, p, 8);
  std::memcpy(&lo, p + 8, 8);
  return static_cast<int128_t>((Uint128{__builtin_bswap64(hi)} << 64) | __builtin_bswap64(lo));
}

/// n big-endian two's complement values of `len` (<= 16) bytes each, packed back to back.
void fixed_decimals_from_be(const uint8_t* p, int len, size_t n, int128_t* o) {
  if (len == 16) {
    for (size_t i = 0; i < n; ++i) o[i] = load_be128(p + i * 16);
    return;
  }
  if (len == 0) {
    std::fill(o, o + n, int128_t{0});
    return;
  }
  if (len <= 8) {
    // Load the bytes as the high end of a big-endian int64, then shift arithmetically.
    int shift = 64 - 8 * len;
    for (size_t i = 0; i < n; ++i) {
      uint64_t v = 0;
      std::memcpy(&v, p + i * len, len);
      o[i] = static_cast<int64_t>(__builtin_bswap64(v)) >> shift;
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* b = p + i * len;
    uint8_t buf[16];
    std::memset(buf, (b[0] & 0x80) ? 0xff : 0, 16 - len);
    std::memcpy(buf + 16 - len, b, len);
    o[i] = load_be128(buf);
  }
}

double half_to_double(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

void format_uuid(std::string_view b, char* out) {
  static const char kHex[] = "0123456789abcdef";
  int o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = kHex[static_cast<uint8_t>(b[i]) >> 4];
    out[o++] = kHex[static_cast<uint8_t>(b[i]) & 15];
  }
}

template <typename Out, typename In, typename F>
void convert_fixed(const PhysicalValues& in, Column* dst, F f) {
  size_t base = dst->size();
  dst->resize(base + in.count);
  Out* o = dst->values<Out>() + base;
  const uint8_t* p = in.fixed;
  for (size_t i = 0; i < in.count; ++i) {
    In v;
    std::memcpy(&v, p + i * sizeof(In), sizeof(In));
    o[i] = f(v);
  }
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b) < 0) --q;
  return q;
}

/// Appends `in` (dense, no nulls) to `dst` converted to the leaf's output type.
void convert_values(const LeafInfo& leaf, const PhysicalValues& in, Column* dst,
                    const DecodeContext& ctx) {
  auto same = [](auto v) { return v; };
  switch (leaf.conversion) {
    case Conversion::kBoolean: {
      size_t base = dst->size();
      dst->resize(base + in.count);
      if (in.count) std::memcpy(dst->values<uint8_t>() + base, in.fixed, in.count);
      return;
    }
    case Conversion::kInt32:
    case Conversion::kInt32Date: {
      size_t base = dst->size();
      dst->resize(base + in.count);
      if (in.count) std::memcpy(dst->values<int32_t>() + base, in.fixed, in.count * 4);
      return;
    }
    case Conversion::kInt64: {
      size_t base = dst->size();
      dst->resize(base + in.count);
      if (in.count) std::memcpy(dst->values<int64_t>() + base, in.fixed, in.count * 8);
      return;
    }
    case Conversion::kInt32ToInt64:
      return convert_fixed<int64_t, uint32_t>(in, dst, [](uint32_t v) { return int64_t{v}; });
    case Conversion::kInt32Decimal:
      return convert_fixed<int128_t, int32_t>(in, dst, [](int32_t v) { return int128_t{v}; });
    case Conversion::kInt32TimeMillis:
      return convert_fixed<int64_t, int32_t>(in, dst, [](int32_t v) { return int64_t{v} * 1000; });
    case Conversion::kInt64Decimal:
      return convert_fixed<int128_t, int64_t>(in, dst, [](int64_t v) { return int128_t{v}; });
    case Conversion::kInt64TimestampMillis:
      return convert_fixed<int64_t, int64_t>(
          in, dst, [](int64_t v) { return static_cast<int64_t>(static_cast<uint64_t>(v) * 1000); });
    case Conversion::kInt64TimestampMicros:
      return convert_fixed<int64_t, int64_t>(in, dst, same);
    case Conversion::kInt64TimestampNanos:
    case Conversion::kInt64TimeNanos:
      return convert_fixed<int64_t, int64_t>(in, dst, [](int64_t v) { return floor_div(v, 1000); });
    case Conversion::kInt96Timestamp: {
      size_t base = dst->size();
      dst->resize(base + in.count);
      int64_t* o = dst->values<int64_t>() + base;
      for (size_t i = 0; i < in.count; ++i) {
        int64_t nanos;
        int32_t julian;
        std::memcpy(&nanos, in.fixed + i * 12, 8);
        std::memcpy(&julian, in.fixed + i * 12 + 8, 4);
        // Julian days beyond int64 microseconds (~292k years) wrap like the millisecond
        // conversion above instead of overflowing (fuzz: tests/fuzz/crashes/parquet-5).
        uint64_t days = static_cast<uint64_t>(static_cast<int64_t>(julian) - 2440588);
        o[i] = static_cast<int64_t>(days * static_cast<uint64_t>(temporal::kMicrosPerDay) +
                                    static_cast<uint64_t>(floor_div(nanos, 1000)));
      }
      return;
    }
    case Conversion::kFloat:
      return convert_fixed<double, float>(in, dst, [](float v) { return static_cast<double>(v); });
    case Conversion::kDouble: {
      size_t base = dst->size();
      dst->resize(base + in.count);
      if (in.count) std::memcpy(dst->values<double>() + base, in.fixed, in.count * 8);
      return;
    }
    case Conversion::kBinaryString:
    case Conversion::kBinaryBytes: {
      size_t total = 0;
      for (const auto& v : in.views) total += v.size();
      if (dst->heap().size() + total > static_cast<size_t>(INT32_MAX))
        ctx.fail("string data of one batch exceeds 2 GiB");
      dst->heap().reserve(dst->heap().size() + total);
      for (const auto& v : in.views) dst->append_string(v);
      return;
    }
    case Conversion::kBinaryDecimal: {
      size_t base = dst->size();
      dst->resize(base + in.count);
      int128_t* o = dst->values<int128_t>() + base;
      if (in.fixed && leaf.physical == PhysicalType::kFixedLenByteArray && leaf.type_length <= 16) {
        fixed_decimals_from_be(in.fixed, leaf.type_length, in.count, o);
        return;
      }
      for (size_t i = 0; i < in.count; ++i) {
        std::string_view b = in.views[i];
        // Leading sign bytes beyond 16 are allowed only as pure sign extension.
        while (b.size() > 16) {
          uint8_t lead = static_cast<uint8_t>(b[0]);
          if (lead != 0 && lead != 0xff) ctx.fail("DECIMAL value wider than 128 bits");
          b.remove_prefix(1);
        }
        o[i] = decimal_from_be(b);
      }
      return;
    }
    case Conversion::kUuid: {
      char buf[36];
      for (const auto& v : in.views) {
        format_uuid(v, buf);
        dst->append_string(std::string_view(buf, 36));
      }
      return;
    }
    case Conversion::kFloat16: {
      size_t base = dst->size();
      dst->resize(base + in.count);
      double* o = dst->values<double>() + base;
      for (size_t i = 0; i < in.count; ++i) {
        uint16_t h;
        std::memcpy(&h, in.views[i].data(), 2);
        o[i] = half_to_double(h);
      }
      return;
    }
    case Conversion::kInterval: {
      size_t base = dst->size();
      dst->resize(base + in.count);
      Interval* o = dst->values<Interval>() + base;
      for (size_t i = 0; i < in.count; ++i) {
        uint32_t m, d, ms;
        std::memcpy(&m, in.views[i].data(), 4);
        std::memcpy(&d, in.views[i].data() + 4, 4);
        std::memcpy(&ms, in.views[i].data() + 8, 4);
        o[i] = Interval{static_cast<int32_t>(m), static_cast<int32_t>(d), int64_t{ms} * 1000};
      }
      return;
    }
  }
}

/// dst (dense) += dict[idx[i]] for i < n.
void gather_dictionary(const Column& dict, const uint32_t* idx, size_t n, Column* dst) {
  int w = dict.type().fixed_width();
  if (w == 0) {
    for (size_t i = 0; i < n; ++i) dst->append_string(dict.string_at(idx[i]));
    return;
  }
  size_t base = dst->size();
  dst->resize(base + n);
  uint8_t* o = dst->values<uint8_t>() + base * w;
  const uint8_t* s = dict.values<uint8_t>();
  switch (w) {
    case 4:
      for (size_t i = 0; i < n; ++i) std::memcpy(o + i * 4, s + size_t{idx[i]} * 4, 4);
      break;
    case 8:
      for (size_t i = 0; i < n; ++i) std::memcpy(o + i * 8, s + size_t{idx[i]} * 8, 8);
      break;
    case 16:
      for (size_t i = 0; i < n; ++i) std::memcpy(o + i * 16, s + size_t{idx[i]} * 16, 16);
      break;
    default:
      for (size_t i = 0; i < n; ++i) std::memcpy(o + i * w, s + size_t{idx[i]} * w, w);
  }
}

/// Copies dense values [from, from+n) of `src` to the end of `dst`.
void append_dense(const Column& src, size_t from, size_t n, Column* dst) {
  int w = src.type().fixed_width();
  if (w) {
    size_t base = dst->size();
    dst->resize(base + n);
    if (n) std::memcpy(dst->values<uint8_t>() + base * w, src.values<uint8_t>() + from * w, n * w);
    return;
  }
  for (size_t i = 0; i < n; ++i) dst->append_string(src.string_at(from + i));
}

template <int W>
void spread_fixed(uint8_t* o, const uint32_t* def, uint32_t max_def, size_t n, size_t m) {
  // Invariant: j = valid rows in [0, i). Once i == j the rows before are all valid, in place.
  size_t i = n, j = m;
  while (i > j) {
    --i;
    if (def[i] == max_def) {
      --j;
      std::memcpy(o + i * W, o + j * W, W);
    } else {
      std::memset(o + i * W, 0, W);
    }
  }
}

/// Rows [base, base+n) of fixed-width `col` hold m dense values at the front: moves value j to
/// the row of the j-th def[i] == max_def and marks the other rows NULL (zeroed).
void spread_nulls(Column* col, size_t base, const uint32_t* def, uint32_t max_def, size_t n,
                  size_t m) {
  int w = col->type().fixed_width();
  uint8_t* o = col->values<uint8_t>() + base * w;
  switch (w) {
    case 1:
      spread_fixed<1>(o, def, max_def, n, m);
      break;
    case 4:
      spread_fixed<4>(o, def, max_def, n, m);
      break;
    case 8:
      spread_fixed<8>(o, def, max_def, n, m);
      break;
    case 16:
      spread_fixed<16>(o, def, max_def, n, m);
      break;
    default: {
      size_t i = n, j = m;
      while (i > j) {
        --i;
        if (def[i] == max_def)
          std::memmove(o + i * w, o + --j * w, w);
        else
          std::memset(o + i * w, 0, w);
      }
    }
  }
  uint64_t* valid = col->mutable_validity();
  for (size_t i = 0; i < n; ++i) {
    size_t r = base + i;
    if (def[i] != max_def) valid[r >> 6] &= ~(uint64_t{1} << (r & 63));
  }
}

/// Set bits in [start, start + n) of `words`.
size_t count_bits(const uint64_t* words, size_t start, size_t n) {
  if (n == 0) return 0;
  size_t end = start + n, w0 = start >> 6, w1 = (end - 1) >> 6;
  uint64_t first = ~uint64_t{0} << (start & 63);
  uint64_t last = (end & 63) ? (uint64_t{1} << (end & 63)) - 1 : ~uint64_t{0};
  if (w0 == w1) return popcount64(words[w0] & first & last);
  size_t c = popcount64(words[w0] & first) + popcount64(words[w1] & last);
  for (size_t w = w0 + 1; w < w1; ++w) c += popcount64(words[w]);
  return c;
}

template <int W>
void spread_fixed_bits(uint8_t* o, const uint64_t* bits, size_t start, size_t n, size_t m) {
  size_t i = n, j = m;
  while (i > j) {
    --i;
    size_t b = start + i;
    if ((bits[b >> 6] >> (b & 63)) & 1) {
      --j;
      std::memcpy(o + i * W, o + j * W, W);
    } else {
      std::memset(o + i * W, 0, W);
    }
  }
}

/// spread_nulls with validity given as bits [start, start + n) of `bits`.
void spread_nulls_bits(Column* col, size_t base, const uint64_t* bits, size_t start, size_t n,
                       size_t m) {
  int w = col->type().fixed_width();
  uint8_t* o = col->values<uint8_t>() + base * w;
  switch (w) {
    case 1:
      spread_fixed_bits<1>(o, bits, start, n, m);
      break;
    case 4:
      spread_fixed_bits<4>(o, bits, start, n, m);
      break;
    case 8:
      spread_fixed_bits<8>(o, bits, start, n, m);
      break;
    case 16:
      spread_fixed_bits<16>(o, bits, start, n, m);
      break;
    default: {
      size_t i = n, j = m;
      while (i > j) {
        --i;
        size_t b = start + i;
        if ((bits[b >> 6] >> (b & 63)) & 1)
          std::memmove(o + i * w, o + --j * w, w);
        else
          std::memset(o + i * w, 0, w);
      }
    }
  }
  // Clear the validity of the null rows, a word of source bits at a time.
  uint64_t* valid = col->mutable_validity();
  for (size_t i = 0; i < n; i += 64) {
    size_t b = start + i;
    size_t c = std::min<size_t>(64, n - i);
    uint64_t v = bits[b >> 6] >> (b & 63);
    if ((b & 63) && (b & 63) + c > 64) v |= bits[(b >> 6) + 1] << (64 - (b & 63));
    uint64_t nulls = ~v & (c == 64 ? ~uint64_t{0} : (uint64_t{1} << c) - 1);
    while (nulls) {
      size_t r = base + i + __builtin_ctzll(nulls);
      valid[r >> 6] &= ~(uint64_t{1} << (r & 63));
      nulls &= nulls - 1;
    }
  }
}

/// Appends n rows to `dst`: row i is the next dense value of `src` when def[i] == max_def, else
/// NULL. Returns the number of dense values used.
template <int W>
size_t scatter_fixed(const Column& src, size_t from, const uint32_t* def, uint32_t max_def,
                     size_t n, Column* dst) {
  size_t base = dst->size();
  dst->resize(base + n);
  uint8_t* o = dst->values<uint8_t>() + base * W;
  const uint8_t* s = src.values<uint8_t>() + from * W;
  size_t used = 0;
  for (size_t i = 0; i < n; ++i) {
    if (def[i] == max_def) {
      std::memcpy(o + i * W, s + used * W, W);
      ++used;
    } else {
      std::memset(o + i * W, 0, W);
      dst->set_null(base + i);
    }
  }
  return used;
}

size_t scatter(const Column& src, size_t from, const uint32_t* def, uint32_t max_def, size_t n,
               Column* dst) {
  switch (src.type().fixed_width()) {
    case 1:
      return scatter_fixed<1>(src, from, def, max_def, n, dst);
    case 4:
      return scatter_fixed<4>(src, from, def, max_def, n, dst);
    case 8:
      return scatter_fixed<8>(src, from, def, max_def, n, dst);
    case 16:
      return scatter_fixed<16>(src, from, def, max_def, n, dst);
    default:
      break;
  }
  size_t used = 0;
  for (size_t i = 0; i < n; ++i) {
    if (def[i] == max_def)
      dst->append_string(src.string_at(from + used++));
    else
      dst->append_null();
  }
  return used;
}

// ---- levels ---------------------------------------------------------------------------------

void decode_levels_bit_packed_legacy(const uint8_t* data, size_t size, int bw, size_t n,
                                     uint32_t* out, const DecodeContext& ctx) {
  if ((n * bw + 7) / 8 > size) ctx.fail("BIT_PACKED levels end early");
  size_t bit = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t v = 0;
    for (int b = 0; b < bw; ++b, ++bit) v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1);
    out[i] = v;
  }
}

void check_levels(const uint32_t* lv, size_t n, uint32_t max, const char* what,
                  const DecodeContext& ctx) {
  uint32_t m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, lv[i]);
  if (m > max) ctx.fail(fmt::format("{} level {} exceeds the maximum {}", what, m, max));
}

// ---- one column chunk -----------------------------------------------------------------------

/// Iterates the pages of one column chunk held in memory and exposes the current data page as
/// levels + dense converted values. One reader serves the leaf for every row group (reset), so
/// its page, level and value buffers are allocated once per scan.
class LeafReader {
 public:
  /// `direct`: the leaf is a top-level flat column of fixed-width output, read through
  /// take_values only; dictionary and PLAIN pages then decode straight into the caller's column
  /// instead of being materialized per page.
  LeafReader(const ParquetFile& file, const LeafInfo& leaf, bool direct)
      : leaf_(leaf),
        file_(file),
        direct_(direct),
        bits_(direct && leaf.max_def == 1 && leaf.max_rep == 0),
        values_(leaf.type) {
    ctx_.file = &file.path();
    int bw = bit_width_of(leaf.max_def);
    def_check_ = leaf.max_def > 0 && leaf.max_def != (1 << bw) - 1;
    bw = bit_width_of(leaf.max_rep);
    rep_check_ = leaf.max_rep > 0 && leaf.max_rep != (1 << bw) - 1;
    switch (leaf.physical) {
      case PhysicalType::kInt32:
      case PhysicalType::kInt64:
      case PhysicalType::kFloat:
      case PhysicalType::kDouble:
      case PhysicalType::kInt96:
        plain_direct_ = true;
        break;
      case PhysicalType::kFixedLenByteArray:
        plain_direct_ = leaf.conversion == Conversion::kBinaryDecimal && leaf.type_length > 0 &&
                        leaf.type_length <= 16;
        break;
      default:
        plain_direct_ = false;
    }
  }

  /// Starts the column chunk of a new row group; `chunk` stays valid until the next reset.
  void reset(const ColumnMetaData& meta, const uint8_t* chunk, size_t chunk_size,
             int64_t chunk_offset, size_t row_group) {
    meta_ = &meta;
    row_group_ = row_group;
    ctx_.where = where();
    pages_ = nullptr;
    skip_ = nullptr;
    data_page_ = 0;
    chunk_ = chunk;
    size_ = chunk_size;
    chunk_offset_ = chunk_offset;
    pos_ = 0;
    level_pos_ = level_count_ = value_pos_ = dense_count_ = 0;
    mode_ = Mode::kMaterialized;
    values_.clear();
    dict_.reset();
  }

  /// Skips the data pages k with (*skip)[k] set; `pages` locates them (checked against the
  /// headers met). Both stay valid until the next reset.
  void skip_pages(const OffsetIndex* pages, const std::vector<uint8_t>* skip) {
    pages_ = pages;
    skip_ = skip;
  }
  /// Where page counts go (may be null).
  void set_stats(ParquetScanStats* stats) { stats_ = stats; }

  /// Level entries left in the current page.
  size_t available() const { return level_count_ - level_pos_; }
  /// Loads the next data page; false at the end of the chunk.
  bool next_page();

  const LeafInfo& leaf_;
  const uint32_t* def() const { return def_.data(); }
  const uint32_t* rep() const { return rep_.data(); }
  /// With bitmap levels: bit i of the page is set when entry i is non-null; else nullptr.
  const uint64_t* valid_bits() const { return bits_ ? valid_bits_.data() : nullptr; }
  /// The page's dense values; only for readers that are not `direct`.
  const Column& values() const { return values_; }
  /// True when the page was materialized into values() (not decoded on demand).
  bool materialized() const { return mode_ == Mode::kMaterialized; }
  /// Appends the next `m` dense values of the current page to `dst` (converted).
  void take_values(size_t m, Column* dst);
  size_t level_pos_ = 0;
  size_t level_count_ = 0;
  size_t value_pos_ = 0;
  /// Nested leaves: rows begun (entries with repetition level 0) in the current page.
  size_t rows_started_ = 0;
  const DecodeContext& ctx() const { return ctx_; }
  /// With skip_pages: moves to the first entry of row `target` of the row group (at or after
  /// the current row), skipping whole pages and the entries before it in the page.
  void skip_to_row(int64_t target);

 private:
  enum class Mode : uint8_t { kMaterialized, kDictionary, kPlain };

  void read_dictionary(const PageHeader& h, const uint8_t* body, size_t body_size);
  void read_data_page(const PageHeader& h, const uint8_t* body, size_t body_size);
  void decode_page_values(Encoding enc, const uint8_t* data, size_t size, size_t n);
  /// The page's uncompressed size after checking it against the codec's maximum expansion of
  /// `body_size` and kMaxPageBytes (before anything is allocated for it).
  size_t checked_uncompressed_size(const PageHeader& h, size_t body_size) const;
  /// The page's value count after checking it is not negative and within kMaxPageValues.
  size_t checked_value_count(int64_t n, const char* what);
  /// "column 'a.b' of row group 3", for error messages.
  std::string where() const;

  const ParquetFile& file_;
  const bool direct_;
  const bool bits_;  // direct with max_def 1: definition levels as a bitmap (valid_bits_)
  bool plain_direct_ = false;
  bool def_check_ = false;  // levels can exceed max_def (bit width leaves room)
  bool rep_check_ = false;
  const ColumnMetaData* meta_ = nullptr;
  size_t row_group_ = 0;
  /// Drops the next `m` dense values of the current page without converting them.
  void discard_values(size_t m);
  int64_t current_row() const {
    return page_first_row_ + static_cast<int64_t>(leaf_.max_rep == 0 ? level_pos_ : rows_started_);
  }

  const OffsetIndex* pages_ = nullptr;
  const std::vector<uint8_t>* skip_ = nullptr;
  int64_t page_first_row_ = 0;  // row of the current page's first entry (with pages_)
  size_t data_page_ = 0;        // data pages met in this chunk
  ParquetScanStats* stats_ = nullptr;
  const uint8_t* chunk_ = nullptr;
  size_t size_ = 0;
  int64_t chunk_offset_ = 0;
  size_t pos_ = 0;
  DecodeContext ctx_;
  Buffer page_buf_;
  std::vector<uint32_t> def_, rep_, indices_;
  std::vector<uint64_t> valid_bits_;
  PhysicalValues phys_;
  Column values_;
  ColumnPtr dict_;
  // The current page's values when not materialized.
  Mode mode_ = Mode::kMaterialized;
  size_t dense_count_ = 0;
  RleDecoder dict_indices_;
  const uint8_t* plain_ = nullptr;
  size_t plain_width_ = 0;
};

void LeafReader::take_values(size_t m, Column* dst) {
  if (m > dense_count_ - value_pos_)
    ctx_.fail(fmt::format("column '{}': page holds fewer values than its levels", leaf_.path));
  switch (mode_) {
    case Mode::kMaterialized:
      append_dense(values_, value_pos_, m, dst);
      break;
    case Mode::kDictionary: {
      if (indices_.size() < m) indices_.resize(std::max<size_t>(m, kDefaultBatchRows));
      uint32_t* idx = indices_.data();
      dict_indices_.get(idx, m);
      uint32_t mx = 0;
      for (size_t i = 0; i < m; ++i) mx = std::max(mx, idx[i]);
      if (m > 0 && mx >= dict_->size())
        ctx_.fail(fmt::format("dictionary index {} out of range (dictionary has {} values)", mx,
                              dict_->size()));
      gather_dictionary(*dict_, idx, m, dst);
      break;
    }
    case Mode::kPlain: {
      PhysicalValues pv;
      pv.count = m;
      pv.fixed = plain_ + value_pos_ * plain_width_;
      convert_values(leaf_, pv, dst, ctx_);
      break;
    }
  }
  value_pos_ += m;
}

void LeafReader::discard_values(size_t m) {
  if (m > dense_count_ - value_pos_)
    ctx_.fail(fmt::format("column '{}': page holds fewer values than its levels", leaf_.path));
  if (mode_ == Mode::kDictionary && m > 0) {
    if (indices_.size() < m) indices_.resize(m);
    dict_indices_.get(indices_.data(), m);
  }
  value_pos_ += m;
}

void LeafReader::skip_to_row(int64_t target) {
  while (true) {
    if (available() == 0 && !next_page())
      ctx_.fail(fmt::format("column '{}' ends before row {}", leaf_.path, target));
    int64_t cur = current_row();
    if (cur == target) return;
    if (cur > target)
      ctx_.fail(
          fmt::format("the offset index of column '{}' skips past row {}", leaf_.path, target));
    if (leaf_.max_rep == 0) {
      size_t k = static_cast<size_t>(std::min<int64_t>(available(), target - cur));
      size_t m = k;
      if (leaf_.max_def > 0) {
        if (const uint64_t* vb = valid_bits()) {
          m = count_bits(vb, level_pos_, k);
        } else {
          m = 0;
          const uint32_t* d = def() + level_pos_;
          for (size_t i = 0; i < k; ++i) m += d[i] == static_cast<uint32_t>(leaf_.max_def);
        }
      }
      discard_values(m);
      level_pos_ += k;
      continue;
    }
    // Nested: entries up to the next one that begins row `target`.
    while (available() > 0) {
      if (rep()[level_pos_] == 0) {
        if (current_row() == target) break;
        ++rows_started_;
      }
      if (def()[level_pos_] == static_cast<uint32_t>(leaf_.max_def)) discard_values(1);
      ++level_pos_;
    }
  }
}

bool LeafReader::next_page() {
  while (pos_ < size_) {
    int64_t page_offset = chunk_offset_ + static_cast<int64_t>(pos_);
    ctx_.offset = page_offset;
    size_t header_size = 0;
    PageHeader h =
        decode_page_header(chunk_ + pos_, size_ - pos_, file_.path(), page_offset, &header_size);
    pos_ += header_size;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0)
      ctx_.fail(fmt::format("negative page size in {}", where()));
    if (static_cast<size_t>(h.compressed_page_size) > size_ - pos_)
      ctx_.fail(fmt::format("page of {} bytes runs past the end of {} ({} bytes left)",
                            h.compressed_page_size, where(), size_ - pos_));
    const uint8_t* body = chunk_ + pos_;
    size_t body_size = h.compressed_page_size;
    pos_ += body_size;
    ctx_.offset = page_offset + header_size;
    bool data_page = h.type == PageType::kDataPage || h.type == PageType::kDataPageV2;
    if (data_page && pages_) {
      size_t k = data_page_++;
      if (k >= pages_->pages.size() || pages_->pages[k].offset != page_offset)
        ctx_.fail(fmt::format("the offset index does not match data page {} at offset {}", k,
                              page_offset));
      if ((*skip_)[k]) {
        if (stats_) ++stats_->pages_skipped;
        continue;
      }
      page_first_row_ = pages_->pages[k].first_row_index;
      rows_started_ = 0;
    }
    if (data_page && stats_) ++stats_->pages_read;
    if (h.crc) {
      uint32_t crc = static_cast<uint32_t>(crc32(0, body, static_cast<uInt>(body_size)));
      if (crc != static_cast<uint32_t>(*h.crc))
        ctx_.fail(fmt::format("page CRC mismatch in column '{}' (stored {:08x}, computed {:08x})",
                              leaf_.path, static_cast<uint32_t>(*h.crc), crc));
    }
    switch (h.type) {
      case PageType::kDictionaryPage:
        read_dictionary(h, body, body_size);
        continue;
      case PageType::kDataPage:
      case PageType::kDataPageV2:
        read_data_page(h, body, body_size);
        if (level_count_ == 0) continue;
        return true;
      case PageType::kIndexPage:
        continue;
      default:
        ctx_.fail(fmt::format("unknown page type {}", static_cast<int>(h.type)));
    }
  }
  return false;
}

std::string LeafReader::where() const {
  return fmt::format("column '{}' of row group {}", leaf_.path, row_group_);
}

size_t LeafReader::checked_uncompressed_size(const PageHeader& h, size_t body_size) const {
  uint64_t n = static_cast<uint64_t>(h.uncompressed_page_size);
  if (n > kMaxPageBytes)
    ctx_.fail(fmt::format("page of {} bytes exceeds the limit of {} bytes for one page ({})", n,
                          kMaxPageBytes, where()));
  uint64_t bound = max_decompressed_size(meta_->codec, body_size);
  if (bound > 0 && n > bound)
    ctx_.fail(
        fmt::format("page of {} bytes exceeds what {} compressed bytes of {} can hold ({}; {})", n,
                    body_size, codec_name(meta_->codec), bound, where()));
  return n;
}

size_t LeafReader::checked_value_count(int64_t n, const char* what) {
  if (n < 0) ctx_.fail(fmt::format("{} with {} values in {}", what, n, where()));
  if (static_cast<uint64_t>(n) > kMaxPageValues)
    ctx_.fail(fmt::format("{} of {} values exceeds the limit of {} values for one page ({})", what,
                          n, kMaxPageValues, where()));
  return static_cast<size_t>(n);
}

void LeafReader::read_dictionary(const PageHeader& h, const uint8_t* body, size_t body_size) {
  if (!h.dictionary_page_header) ctx_.fail("dictionary page without a dictionary header");
  if (dict_) ctx_.fail(fmt::format("second dictionary page in column '{}'", leaf_.path));
  size_t n = checked_value_count(h.dictionary_page_header->num_values, "dictionary page");
  Encoding enc = h.dictionary_page_header->encoding;
  if (enc != Encoding::kPlain && enc != Encoding::kPlainDictionary)
    ctx_.fail(fmt::format("dictionary page encoding {}", static_cast<int>(enc)));
  const uint8_t* data = body;
  size_t size = body_size;
  if (meta_->codec != Codec::kUncompressed) {
    size = checked_uncompressed_size(h, body_size);
    page_buf_.resize(size);
    decompress(meta_->codec, body, body_size, page_buf_.data(), size, file_.path(), ctx_.offset);
    data = page_buf_.data();
  }
  PhysicalValues phys;
  decode_plain(leaf_, data, size, n, &phys, ctx_);
  dict_ = Column::make(leaf_.type);
  dict_->reserve(n);
  convert_values(leaf_, phys, dict_.get(), ctx_);
}

void LeafReader::read_data_page(const PageHeader& h, const uint8_t* body, size_t body_size) {
  level_pos_ = level_count_ = value_pos_ = 0;
  values_.clear();
  size_t n;
  Encoding enc;
  const uint8_t* data;
  size_t size;
  const uint8_t* rep_data = nullptr;
  const uint8_t* def_data = nullptr;
  size_t rep_size = 0, def_size = 0;
  bool v1 = h.type == PageType::kDataPage;
  Encoding def_enc = Encoding::kRle, rep_enc = Encoding::kRle;
  if (v1) {
    if (!h.data_page_header) ctx_.fail("data page without a data page header");
    const DataPageHeader& d = *h.data_page_header;
    n = checked_value_count(d.num_values, "data page");
    enc = d.encoding;
    def_enc = d.definition_level_encoding;
    rep_enc = d.repetition_level_encoding;
    data = body;
    size = body_size;
    if (meta_->codec != Codec::kUncompressed) {
      size = checked_uncompressed_size(h, body_size);
      page_buf_.resize(size);
      decompress(meta_->codec, body, body_size, page_buf_.data(), size, file_.path(), ctx_.offset);
      data = page_buf_.data();
    }
    auto take_levels = [&](Encoding e, int max, const uint8_t** out, size_t* out_size) {
      if (max == 0) return;
      if (e == Encoding::kRle) {
        if (size < 4) ctx_.fail("level length ends early");
        uint32_t len;
        std::memcpy(&len, data, 4);
        if (len > size - 4) ctx_.fail(fmt::format("levels of {} bytes exceed the page", len));
        *out = data + 4;
        *out_size = len;
        data += 4 + len;
        size -= 4 + len;
      } else if (e == Encoding::kBitPacked) {
        size_t len = (n * bit_width_of(max) + 7) / 8;
        if (len > size) ctx_.fail("BIT_PACKED levels exceed the page");
        *out = data;
        *out_size = len;
        data += len;
        size -= len;
      } else {
        ctx_.fail(fmt::format("level encoding {}", static_cast<int>(e)));
      }
    };
    take_levels(rep_enc, leaf_.max_rep, &rep_data, &rep_size);
    take_levels(def_enc, leaf_.max_def, &def_data, &def_size);
  } else {
    if (!h.data_page_header_v2) ctx_.fail("data page v2 without its header");
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    if (d.definition_levels_byte_length < 0 || d.repetition_levels_byte_length < 0)
      ctx_.fail(fmt::format("negative level lengths in the data page v2 header of {}", where()));
    n = checked_value_count(d.num_values, "data page v2");
    enc = d.encoding;
    size_t levels = size_t(d.definition_levels_byte_length) + d.repetition_levels_byte_length;
    if (levels > body_size) ctx_.fail("data page v2 levels exceed the page");
    rep_data = body;
    rep_size = d.repetition_levels_byte_length;
    def_data = body + rep_size;
    def_size = d.definition_levels_byte_length;
    data = body + levels;
    size = body_size - levels;
    if (d.is_compressed && meta_->codec != Codec::kUncompressed && size > 0) {
      size_t total = checked_uncompressed_size(h, body_size);
      if (total < levels) ctx_.fail("data page v2 uncompressed size smaller than its levels");
      size_t out_size = total - levels;
      page_buf_.resize(out_size);
      decompress(meta_->codec, data, size, page_buf_.data(), out_size, file_.path(), ctx_.offset);
      data = page_buf_.data();
      size = out_size;
    }
  }
  // Levels. Flat readers never look at repetition levels, nor at definition levels of a
  // required column.
  if (def_.size() < n && (!bits_ || (v1 && def_enc == Encoding::kBitPacked))) def_.resize(n);
  if (leaf_.max_rep > 0 || !direct_) {
    if (rep_.size() < n) rep_.resize(n);
  }
  if (leaf_.max_rep > 0) {
    if (rep_enc == Encoding::kBitPacked && v1)
      decode_levels_bit_packed_legacy(rep_data, rep_size, bit_width_of(leaf_.max_rep), n,
                                      rep_.data(), ctx_);
    else
      RleDecoder(rep_data, rep_size, bit_width_of(leaf_.max_rep), &ctx_).get(rep_.data(), n);
    if (rep_check_) check_levels(rep_.data(), n, leaf_.max_rep, "repetition", ctx_);
  } else if (!direct_) {
    std::fill(rep_.begin(), rep_.begin() + n, 0);
  }
  size_t non_null = n;
  if (bits_) {
    // Top-level optional column: levels are 0/1, kept as a validity bitmap.
    size_t words = (n + 63) / 64;
    if (valid_bits_.size() < words) valid_bits_.resize(words);
    uint64_t* vb = valid_bits_.data();
    if (def_enc == Encoding::kBitPacked && v1) {
      decode_levels_bit_packed_legacy(def_data, def_size, 1, n, def_.data(), ctx_);
      std::fill(vb, vb + words, 0);
      non_null = 0;
      for (size_t i = 0; i < n; ++i) {
        vb[i >> 6] |= uint64_t{def_[i] & 1} << (i & 63);
        non_null += def_[i] & 1;
      }
    } else {
      non_null = RleDecoder(def_data, def_size, 1, &ctx_).get_bits(vb, n);
    }
  } else if (leaf_.max_def > 0) {
    if (def_enc == Encoding::kBitPacked && v1)
      decode_levels_bit_packed_legacy(def_data, def_size, bit_width_of(leaf_.max_def), n,
                                      def_.data(), ctx_);
    else
      RleDecoder(def_data, def_size, bit_width_of(leaf_.max_def), &ctx_).get(def_.data(), n);
    if (def_check_) check_levels(def_.data(), n, leaf_.max_def, "definition", ctx_);
    non_null = 0;
    const uint32_t* d = def_.data();
    const uint32_t max_def = leaf_.max_def;
    for (size_t i = 0; i < n; ++i) non_null += d[i] == max_def;
  } else if (!direct_) {
    std::fill(def_.begin(), def_.begin() + n, 0);
  }
  decode_page_values(enc, data, size, non_null);
  level_count_ = n;
}

void LeafReader::decode_page_values(Encoding enc, const uint8_t* data, size_t size, size_t n) {
  mode_ = Mode::kMaterialized;
  dense_count_ = n;
  if (n == 0) return;
  if (enc == Encoding::kPlainDictionary || enc == Encoding::kRleDictionary) {
    if (!dict_)
      ctx_.fail(fmt::format("dictionary-encoded page without a dictionary in '{}'", leaf_.path));
    if (size < 1) ctx_.fail("dictionary index bit width missing");
    int bw = data[0];
    if (bw > 32) ctx_.fail(fmt::format("dictionary index bit width {}", bw));
    if (direct_) {
      // Indices are decoded batch by batch in take_values.
      mode_ = Mode::kDictionary;
      dict_indices_ = RleDecoder(data + 1, size - 1, bw, &ctx_);
      return;
    }
    values_.reserve(n);
    if (indices_.size() < n) indices_.resize(n);
    RleDecoder(data + 1, size - 1, bw, &ctx_).get(indices_.data(), n);
    uint32_t m = 0;
    for (size_t i = 0; i < n; ++i) m = std::max(m, indices_[i]);
    if (m >= dict_->size())
      ctx_.fail(fmt::format("dictionary index {} out of range (dictionary has {} values)", m,
                            dict_->size()));
    gather_dictionary(*dict_, indices_.data(), n, &values_);
    return;
  }
  if (direct_ && plain_direct_ && enc == Encoding::kPlain) {
    size_t w = physical_width(leaf_);
    if (n > size / w) ctx_.fail(fmt::format("PLAIN data holds fewer than {} values", n));
    mode_ = Mode::kPlain;
    plain_ = data;
    plain_width_ = w;
    return;
  }
  values_.reserve(n);
  decode_values(leaf_, enc, data, size, n, &phys_, ctx_);
  convert_values(leaf_, phys_, &values_, ctx_);
}

// ---- assembly of nested values --------------------------------------------------------------

/// One step of the path from a top-level column down to a leaf.
struct PathStep {
  const OutputNode* node;
  Column* column;
  bool owner;  // this leaf is the first under the node, so it appends the node's slots
};

void assemble_entry(const std::vector<PathStep>& steps, uint32_t d, uint32_t r, LeafReader& lr) {
  bool appending = r == 0;
  bool null_mode = false;
  for (const PathStep& s : steps) {
    const OutputNode& node = *s.node;
    Column* col = s.column;
    switch (node.kind) {
      case OutputNode::Kind::kStruct:
        if (appending) {
          bool is_null = null_mode || d < static_cast<uint32_t>(node.def_level);
          if (s.owner) {
            col->append_struct_row();
            if (is_null) col->set_null(col->size() - 1);
          }
          null_mode = is_null;
        }
        break;
      case OutputNode::Kind::kList:
        if (appending) {
          if (null_mode || d < static_cast<uint32_t>(node.def_level)) {
            if (s.owner) {
              col->append_list_end();
              col->set_null(col->size() - 1);
            }
            return;
          }
          if (d < static_cast<uint32_t>(node.elem_def)) {
            if (s.owner) col->append_list_end();
            return;
          }
          if (s.owner) {
            col->append_list_end();
            col->mutable_offsets()[col->size()] += 1;
          }
        } else if (r == static_cast<uint32_t>(node.rep_level)) {
          if (s.owner) col->mutable_offsets()[col->size()] += 1;
          appending = true;
        }
        break;
      case OutputNode::Kind::kLeaf:
        if (!appending) lr.ctx().fail("repetition level deeper than the column's lists");
        if (!null_mode && d == static_cast<uint32_t>(lr.leaf_.max_def))
          col->append_from(lr.values(), lr.value_pos_++);
        else
          col->append_null();
        break;
    }
  }
}

}  // namespace

// ---- statistics -----------------------------------------------------------------------------

bool stat_to_value(const LeafInfo& leaf, const std::string& bytes, Value* out) {
  PhysicalValues phys;
  DecodeContext ctx;
  std::string lenbuf;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (leaf.physical == PhysicalType::kByteArray) {
    phys.views.emplace_back(bytes);
    phys.count = 1;
  } else if (leaf.physical == PhysicalType::kFixedLenByteArray) {
    if (bytes.size() != static_cast<size_t>(leaf.type_length)) return false;
    phys.views.emplace_back(bytes);
    phys.count = 1;
  } else {
    int w = physical_width(leaf);
    if (static_cast<int>(bytes.size()) != w) return false;
    phys.fixed = p;
    phys.count = 1;
  }
  Column c(leaf.type);
  try {
    convert_values(leaf, phys, &c, ctx);
  } catch (const Error&) {
    return false;
  }
  *out = c.value_at(0);
  if (out->type().id() == TypeId::kDouble && std::isnan(out->as_double())) return false;
  return true;
}

// ---- ParquetFile ----------------------------------------------------------------------------

std::shared_ptr<const ParquetFile> ParquetFile::open(std::shared_ptr<RandomAccessFile> file) {
  auto pf = std::make_shared<ParquetFile>();
  pf->file_ = file;
  const std::string& path = file->path();
  int64_t size = file->size();
  if (size < 12)
    format_error(path, 0, fmt::format("not a parquet file: {} bytes is too small", size));
  char head[4];
  read_exact(*file, 0, 4, head);
  // Read the tail speculatively (64 KiB) so small footers take one request.
  int64_t tail_len = std::min<int64_t>(size, 64 * 1024);
  Buffer tail;
  tail.resize(tail_len);
  read_exact(*file, size - tail_len, tail_len, tail.data());
  const uint8_t* end = tail.data() + tail_len;
  if (std::memcmp(end - 4, kEncryptedMagic, 4) == 0)
    throw Error(ErrorKind::kNotSupported,
                "not supported yet: reading an encrypted parquet file (encrypted footer)",
                ErrorLocation{path, 0, 0, size - 4});
  if (std::memcmp(head, kMagic, 4) != 0 || std::memcmp(end - 4, kMagic, 4) != 0)
    format_error(path, std::memcmp(head, kMagic, 4) != 0 ? 0 : size - 4,
                 "not a parquet file: magic bytes 'PAR1' missing");
  uint32_t footer_len;
  std::memcpy(&footer_len, end - 8, 4);
  if (footer_len == 0 || footer_len > static_cast<uint64_t>(size) - 12)
    format_error(
        path, size - 8,
        fmt::format("footer length {} does not fit the file of {} bytes", footer_len, size));
  int64_t footer_start = size - 8 - footer_len;
  Buffer footer;
  const uint8_t* fp;
  if (footer_len + 8 <= static_cast<uint64_t>(tail_len)) {
    fp = end - 8 - footer_len;
  } else {
    footer.resize(footer_len);
    read_exact(*file, footer_start, footer_len, footer.data());
    fp = footer.data();
  }
  pf->footer_bytes_ = std::max<int64_t>(tail_len, footer_len + 8);
  pf->metadata_ = decode_file_metadata(fp, footer_len, path, footer_start);
  const FileMetaData& md = pf->metadata_;
  if (md.encrypted)
    throw Error(ErrorKind::kNotSupported,
                "not supported yet: reading an encrypted parquet file (plaintext footer)",
                ErrorLocation{path});
  pf->schema_ = build_file_schema(md.schema, path);
  const auto& leaves = pf->schema_.leaves;
  if (md.num_rows < 0) format_error(path, footer_start, "negative row count in the footer");
  for (size_t g = 0; g < md.row_groups.size(); ++g) {
    const RowGroup& rg = md.row_groups[g];
    if (rg.num_rows < 0)
      format_error(path, footer_start, fmt::format("row group {} has a negative row count", g));
    if (rg.columns.size() != leaves.size())
      format_error(path, footer_start,
                   fmt::format("row group {} has {} column chunks, the schema has {} columns", g,
                               rg.columns.size(), leaves.size()));
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const ColumnChunk& cc = rg.columns[c];
      // Chunks of empty row groups are never read; some writers leave their offsets at 0.
      if (rg.num_rows == 0 && cc.meta_data && !cc.encrypted) continue;
      if (cc.encrypted || !cc.meta_data)
        throw Error(ErrorKind::kNotSupported,
                    fmt::format("not supported yet: encrypted column '{}'", leaves[c].path),
                    ErrorLocation{path});
      if (cc.file_path)
        throw Error(
            ErrorKind::kNotSupported,
            fmt::format("not supported yet: column chunk in external file '{}'", *cc.file_path),
            ErrorLocation{path});
      const ColumnMetaData& m = *cc.meta_data;
      if (m.type != leaves[c].physical)
        format_error(path, footer_start,
                     fmt::format("column chunk '{}' has physical type {}, the schema says {}",
                                 leaves[c].path, static_cast<int>(m.type),
                                 static_cast<int>(leaves[c].physical)));
      int64_t start = m.data_page_offset;
      if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 &&
          *m.dictionary_page_offset < start)
        start = *m.dictionary_page_offset;
      if (start < 4 || m.total_compressed_size < 0 || start > footer_start ||
          m.total_compressed_size > footer_start - start)
        format_error(path, footer_start,
                     fmt::format("column chunk '{}' of row group {} lies outside the data "
                                 "(offset {}, {} bytes)",
                                 leaves[c].path, g, start, m.total_compressed_size));
      if (m.num_values < 0)
        format_error(path, footer_start,
                     fmt::format("column chunk '{}' has negative value count", leaves[c].path));
    }
  }
  return pf;
}

// ---- statistics pruning ---------------------------------------------------------------------

bool row_group_excluded(const ParquetFile& file, const RowGroup& group,
                        const std::vector<ScanPredicate>& predicates) {
  const FileSchema& fs = file.schema();
  for (const ScanPredicate& p : predicates) {
    if (p.column < 0 || static_cast<size_t>(p.column) >= fs.fields.size()) continue;
    const OutputNode& node = fs.fields[p.column];
    if (node.kind != OutputNode::Kind::kLeaf) continue;
    const LeafInfo& leaf = fs.leaves[node.leaf];
    const ColumnMetaData& m = *group.columns[leaf.index].meta_data;
    if (!m.statistics) continue;
    const Statistics& st = *m.statistics;
    ValueFacts f;
    f.null_count = st.null_count;
    f.all_null = st.null_count && *st.null_count == group.num_rows && group.num_rows > 0;
    f.min = st.min_value ? &*st.min_value : nullptr;
    f.max = st.max_value ? &*st.max_value : nullptr;
    // Legacy min/max used signed comparison: trust them only for numeric physical types.
    bool signed_ok = leaf.physical != PhysicalType::kByteArray &&
                     leaf.physical != PhysicalType::kFixedLenByteArray &&
                     leaf.physical != PhysicalType::kInt96 &&
                     leaf.conversion != Conversion::kInt32ToInt64;
    if (!f.min && signed_ok && st.min) f.min = &*st.min;
    if (!f.max && signed_ok && st.max) f.max = &*st.max;
    if (facts_exclude(leaf, p, f)) return true;
  }
  return false;
}

// ---- the reader -----------------------------------------------------------------------------

namespace {

/// One output column: where it comes from in the file (or NULL when the file lacks it).
struct OutputColumn {
  Field field;          // as requested
  int file_field = -1;  // top-level field of the file, -1 = missing (all NULL)
  bool needs_cast = false;
};

class ParquetReader : public FormatReader {
 public:
  ParquetReader(std::shared_ptr<const ParquetFile> file, const FormatReadRequest& request)
      : file_(std::move(file)), spec_(request.spec) {
    range_begin_ = request.range_begin;
    range_end_ = request.range_end;
    const FileSchema& fs = file_->schema();
    SchemaPtr full = request.schema ? request.schema : fs.schema;
    std::vector<int> proj = spec_.projection;
    if (proj.empty())
      for (size_t i = 0; i < full->size(); ++i) proj.push_back(static_cast<int>(i));
    std::vector<Field> out_fields;
    for (int idx : proj) {
      if (idx < 0 || static_cast<size_t>(idx) >= full->size())
        throw_internal_error("projection index {} out of range", idx);
      OutputColumn oc;
      oc.field = full->field(idx);
      oc.file_field = file_field_of(*full, idx);
      if (oc.file_field >= 0) oc.needs_cast = fs.schema->field(oc.file_field).type != oc.field.type;
      out_fields.push_back(oc.field);
      outputs_.push_back(std::move(oc));
    }
    out_schema_ = std::make_shared<Schema>(std::move(out_fields));
    // Predicates refer to the request schema; map them to file fields for pruning.
    for (const ScanPredicate& p : spec_.predicates) {
      if (p.column < 0 || static_cast<size_t>(p.column) >= full->size()) continue;
      int ff = file_field_of(*full, p.column);
      if (ff < 0) continue;
      ScanPredicate q = p;
      q.column = ff;
      file_predicates_.push_back(std::move(q));
    }
    bytes_consumed_ = file_->footer_bytes();
  }

  bool next(Batch* out) override;
  int64_t bytes_consumed() const override { return bytes_consumed_; }
  const ParquetScanStats& stats() const { return stats_; }

 private:
  /// The file's top-level field for field `idx` of the request schema: the one at the same
  /// position when its name matches (files may repeat a name), else the first of that name.
  int file_field_of(const Schema& request, int idx) const {
    const Schema& file = *file_->schema().schema;
    const std::string& name = request.field(idx).name;
    if (static_cast<size_t>(idx) < file.size() && file.field(idx).name == name) return idx;
    return file.find(name);
  }

 public:
 private:
  bool open_next_row_group();
  /// True when a bloom filter proves no row of group `g` matches an equality/IN predicate.
  bool bloom_filter_excludes(const RowGroup& rg, size_t g);
  /// Applies the column index of the predicate columns to group `g`: false when no page can
  /// match; else sets *rows to the rows to read and, when whole pages can be skipped in every
  /// leaf of `leaves`, fills page_skip_ for them.
  bool select_pages(const RowGroup& rg, size_t g, const std::vector<int>& leaves, int64_t* rows);
  /// Reads `length` bytes of index data at `offset` (checked against the file) into `out`.
  void read_index(int64_t offset, int64_t length, const char* what, const LeafInfo& leaf, size_t g,
                  Buffer* out);
  /// The offset index of `leaf` in group `g`, or nullptr when absent or unusable.
  const OffsetIndex* offset_index(const RowGroup& rg, size_t g, int leaf);
  /// Byte ranges split a file between readers: a row group belongs to the range holding the
  /// start of its first column chunk.
  bool in_range(const RowGroup& rg) const {
    if (range_begin_ == 0 && range_end_ < 0) return true;
    const ColumnMetaData& m = *rg.columns[0].meta_data;
    int64_t start = m.data_page_offset;
    if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 &&
        *m.dictionary_page_offset < start)
      start = *m.dictionary_page_offset;
    return start >= range_begin_ && (range_end_ < 0 || start < range_end_);
  }
  /// The leaf is a top-level flat column of fixed-width values (read by read_leaf_flat).
  bool direct_leaf(int leaf) const {
    const FileSchema& fs = file_->schema();
    for (const auto& oc : outputs_) {
      if (oc.file_field < 0) continue;
      const OutputNode& node = fs.fields[oc.file_field];
      if (node.kind == OutputNode::Kind::kLeaf && node.leaf == leaf)
        return fs.leaves[leaf].max_rep == 0 &&
               (fs.leaves[leaf].type.fixed_width() > 0 ||
                fs.leaves[leaf].conversion == Conversion::kBinaryString ||
                fs.leaves[leaf].conversion == Conversion::kBinaryBytes);
    }
    return false;
  }
  /// An empty column of `type` for output `slot`: the previous batch's when only we hold it.
  ColumnPtr fresh_column(size_t slot, const DataType& type);
  /// Rows [first, first + count) of the row group; first = -1: the next `count` rows.
  struct Span {
    int64_t first;
    size_t count;
  };
  void read_column(const OutputColumn& oc, const std::vector<Span>& spans, size_t n, size_t slot,
                   ColumnPtr* out);
  void read_leaf_flat(LeafReader& lr, size_t n, Column* out);
  void read_nested(int file_field, int64_t first, size_t n, Column* out);
  void finish_row_group();

  std::shared_ptr<const ParquetFile> file_;
  ScanSpec spec_;
  std::vector<OutputColumn> outputs_;
  SchemaPtr out_schema_;
  std::vector<ScanPredicate> file_predicates_;
  int64_t bytes_consumed_ = 0;
  int64_t rows_emitted_ = 0;
  int64_t range_begin_ = 0;
  int64_t range_end_ = -1;

  size_t next_group_ = 0;
  const RowGroup* group_ = nullptr;
  int64_t group_rows_left_ = 0;
  std::vector<Buffer> ranges_;
  std::vector<std::unique_ptr<LeafReader>> leaf_readers_;  // by leaf index (null = unread)
  std::vector<ColumnPtr> recycled_;                        // by output, see fresh_column
  ColumnPtr string_scratch_;  // dense strings of a page with nulls (read_leaf_flat)
  // Page index of the current row group, by leaf: loaded on demand, kept while it is read.
  std::vector<std::optional<OffsetIndex>> offset_index_;
  std::vector<uint8_t> offset_index_loaded_;
  std::vector<std::vector<uint8_t>> page_skip_;  // by leaf; empty = read every page
  RowRanges selection_;      // rows of the current row group to read; empty = all
  size_t selection_at_ = 0;  // range of selection_ holding the next row to read
  int64_t next_row_ = 0;     // next row of the row group to read (with a selection)
  Buffer index_buf_;
  ParquetScanStats stats_;
};

void ParquetReader::read_index(int64_t offset, int64_t length, const char* what,
                               const LeafInfo& leaf, size_t g, Buffer* out) {
  int64_t data_end = file_->file()->size() - 8;
  if (offset < 4 || length <= 0 || offset > data_end || length > data_end - offset)
    format_error(file_->path(), offset,
                 fmt::format("{} of column '{}' of row group {} lies outside the file (offset {}, "
                             "{} bytes)",
                             what, leaf.path, g, offset, length));
  out->resize(static_cast<size_t>(length));
  read_exact(*file_->file(), offset, static_cast<size_t>(length), out->data());
  bytes_consumed_ += length;
}

const OffsetIndex* ParquetReader::offset_index(const RowGroup& rg, size_t g, int leaf) {
  if (!offset_index_loaded_[leaf]) {
    offset_index_loaded_[leaf] = 1;
    const ColumnChunk& cc = rg.columns[leaf];
    if (cc.offset_index_offset && cc.offset_index_length) {
      read_index(*cc.offset_index_offset, *cc.offset_index_length, "offset index",
                 file_->schema().leaves[leaf], g, &index_buf_);
      OffsetIndex oi = decode_offset_index(index_buf_.data(), index_buf_.size(), file_->path(),
                                           *cc.offset_index_offset);
      if (page_index_valid(oi, nullptr, rg.num_rows)) offset_index_[leaf] = std::move(oi);
    }
  }
  return offset_index_[leaf] ? &*offset_index_[leaf] : nullptr;
}

bool ParquetReader::bloom_filter_excludes(const RowGroup& rg, size_t g) {
  const FileSchema& fs = file_->schema();
  const int64_t data_end = file_->file()->size() - 8;
  for (const ScanPredicate& p : file_predicates_) {
    if (p.op != ScanPredicate::Op::kEq && p.op != ScanPredicate::Op::kIn) continue;
    const OutputNode& node = fs.fields[p.column];
    if (node.kind != OutputNode::Kind::kLeaf) continue;
    const LeafInfo& leaf = fs.leaves[node.leaf];
    const ColumnMetaData& m = *rg.columns[leaf.index].meta_data;
    if (!m.bloom_filter_offset) continue;
    int64_t at = *m.bloom_filter_offset;
    auto bad = [&](const std::string& what) {
      format_error(
          file_->path(), at,
          fmt::format("bloom filter of column '{}' of row group {}: {}", leaf.path, g, what));
    };
    if (at < 4 || at >= data_end) bad("offset lies outside the file");
    // The header is a few bytes; read it with the bitset when the length is known.
    int64_t want = m.bloom_filter_length ? *m.bloom_filter_length : 64;
    if (want <= 0) bad(fmt::format("length {}", want));
    want = std::min(want, data_end - at);
    read_index(at, want, "bloom filter", leaf, g, &index_buf_);
    size_t header_size = 0;
    BloomFilterHeader h = decode_bloom_filter_header(index_buf_.data(), index_buf_.size(),
                                                     file_->path(), at, &header_size);
    if (!h.split_block || !h.xxhash || !h.uncompressed) continue;  // a kind we cannot probe
    if (h.num_bytes < static_cast<int32_t>(SplitBlockBloomFilter::kMinBytes) ||
        h.num_bytes % SplitBlockBloomFilter::kBlockBytes != 0 ||
        static_cast<size_t>(h.num_bytes) > SplitBlockBloomFilter::kMaxBytes)
      bad(fmt::format("bitset of {} bytes", h.num_bytes));
    int64_t bitset_at = at + static_cast<int64_t>(header_size);
    if (h.num_bytes > data_end - bitset_at)
      bad(fmt::format("bitset of {} bytes runs past the end of the file", h.num_bytes));
    if (m.bloom_filter_length &&
        static_cast<int64_t>(header_size) + h.num_bytes > *m.bloom_filter_length)
      bad(fmt::format("bitset of {} bytes exceeds the filter's length {}", h.num_bytes,
                      *m.bloom_filter_length));
    if (index_buf_.size() < header_size + h.num_bytes)
      read_index(bitset_at, h.num_bytes, "bloom filter", leaf, g, &index_buf_);
    else
      std::memmove(index_buf_.data(), index_buf_.data() + header_size, h.num_bytes);
    SplitBlockBloomFilter filter(index_buf_.data(), static_cast<size_t>(h.num_bytes));
    if (parquet::bloom_excludes(leaf, p, filter)) return true;
  }
  return false;
}

bool ParquetReader::select_pages(const RowGroup& rg, size_t g, const std::vector<int>& leaves,
                                 int64_t* rows) {
  const FileSchema& fs = file_->schema();
  const int64_t n = rg.num_rows;
  *rows = n;
  RowRanges selected{{0, n}};
  bool indexed = false;
  for (const ScanPredicate& p : file_predicates_) {
    const OutputNode& node = fs.fields[p.column];
    if (node.kind != OutputNode::Kind::kLeaf) continue;
    const LeafInfo& leaf = fs.leaves[node.leaf];
    const ColumnChunk& cc = rg.columns[leaf.index];
    if (!cc.column_index_offset || !cc.column_index_length) continue;
    const OffsetIndex* oi = offset_index(rg, g, leaf.index);
    if (!oi) continue;
    read_index(*cc.column_index_offset, *cc.column_index_length, "column index", leaf, g,
               &index_buf_);
    ColumnIndex ci = decode_column_index(index_buf_.data(), index_buf_.size(), file_->path(),
                                         *cc.column_index_offset);
    if (!page_index_valid(*oi, &ci, n)) continue;
    selected = intersect(selected, rows_matching(leaf, p, ci, *oi, n));
    indexed = true;
  }
  if (!indexed) return true;
  if (selected.empty()) return false;
  if (row_count(selected) == n) return true;
  // Every leaf read skips the pages without a selected row, then the unselected rows of the
  // pages it decodes; without an offset index for some leaf, read everything.
  for (int l : leaves)
    if (!offset_index(rg, g, l)) return true;
  for (int l : leaves) {
    const auto& pages = offset_index_[l]->pages;
    auto& skip = page_skip_[l];
    skip.assign(pages.size(), 1);
    size_t r = 0;
    for (size_t k = 0; k < pages.size(); ++k) {
      int64_t b = pages[k].first_row_index;
      int64_t e = k + 1 < pages.size() ? pages[k + 1].first_row_index : n;
      while (r < selected.size() && selected[r].second <= b) ++r;
      if (r < selected.size() && selected[r].first < e) skip[k] = 0;
    }
  }
  selection_ = selected;
  *rows = row_count(selected);
  return true;
}

bool ParquetReader::open_next_row_group() {
  const FileMetaData& md = file_->metadata();
  const FileSchema& fs = file_->schema();
  while (next_group_ < md.row_groups.size()) {
    const RowGroup& rg = md.row_groups[next_group_++];
    if (rg.num_rows == 0) continue;
    if (!in_range(rg)) continue;
    const size_t g = next_group_ - 1;
    if (!file_predicates_.empty() && row_group_excluded(*file_, rg, file_predicates_)) {
      ++stats_.row_groups_pruned_by_statistics;
      continue;
    }
    if (!file_predicates_.empty() && bloom_filter_excludes(rg, g)) {
      ++stats_.row_groups_pruned_by_bloom_filter;
      continue;
    }
    // Which leaves are needed.
    std::vector<int> leaves;
    for (const auto& oc : outputs_)
      if (oc.file_field >= 0)
        for (int l : fs.field_leaves[oc.file_field]) leaves.push_back(l);
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    offset_index_.assign(fs.leaves.size(), std::nullopt);
    offset_index_loaded_.assign(fs.leaves.size(), 0);
    page_skip_.assign(fs.leaves.size(), {});
    selection_.clear();
    selection_at_ = 0;
    next_row_ = 0;
    int64_t rows = rg.num_rows;
    if (!file_predicates_.empty() && !select_pages(rg, g, leaves, &rows)) {
      ++stats_.row_groups_pruned_by_page_index;
      continue;
    }
    struct Range {
      int64_t begin, end;
      std::vector<int> leaves;
    };
    std::vector<std::pair<int64_t, int>> starts;
    auto chunk_start = [&](int l) {
      const ColumnMetaData& m = *rg.columns[l].meta_data;
      int64_t s = m.data_page_offset;
      if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 &&
          *m.dictionary_page_offset < s)
        s = *m.dictionary_page_offset;
      return s;
    };
    for (int l : leaves) starts.emplace_back(chunk_start(l), l);
    std::sort(starts.begin(), starts.end());
    std::vector<Range> ranges;
    for (auto [s, l] : starts) {
      int64_t e = s + rg.columns[l].meta_data->total_compressed_size;
      if (!ranges.empty() && s <= ranges.back().end + kCoalesceGap) {
        ranges.back().end = std::max(ranges.back().end, e);
        ranges.back().leaves.push_back(l);
      } else {
        ranges.push_back(Range{s, e, {l}});
      }
    }
    // Buffers and leaf readers are kept from the previous row group (same leaves, similar
    // sizes), so a scan allocates them once.
    if (ranges_.size() < ranges.size()) ranges_.resize(ranges.size());
    leaf_readers_.resize(fs.leaves.size());
    for (size_t i = 0; i < ranges.size(); ++i) {
      const Range& r = ranges[i];
      ranges_[i].resize(r.end - r.begin);
      read_exact(*file_->file(), r.begin, r.end - r.begin, ranges_[i].data());
      bytes_consumed_ += r.end - r.begin;
      for (int l : r.leaves) {
        int64_t s = chunk_start(l);
        const ColumnMetaData& m = *rg.columns[l].meta_data;
        if (!leaf_readers_[l])
          leaf_readers_[l] = std::make_unique<LeafReader>(*file_, fs.leaves[l], direct_leaf(l));
        leaf_readers_[l]->reset(m, ranges_[i].data() + (s - r.begin),
                                static_cast<size_t>(m.total_compressed_size), s, g);
        leaf_readers_[l]->set_stats(&stats_);
        if (!page_skip_[l].empty())
          leaf_readers_[l]->skip_pages(&*offset_index_[l], &page_skip_[l]);
      }
    }
    group_ = &rg;
    group_rows_left_ = rows;
    ++stats_.row_groups_read;
    return true;
  }
  return false;
}

void ParquetReader::read_leaf_flat(LeafReader& lr, size_t n, Column* out) {
  out->reserve(n);
  const LeafInfo& leaf = lr.leaf_;
  const uint32_t max_def = leaf.max_def;
  size_t done = 0;
  while (done < n) {
    if (lr.available() == 0 && !lr.next_page())
      lr.ctx().fail(fmt::format("column '{}' has fewer values than the row group's {} rows",
                                leaf.path, group_->num_rows));
    size_t k = std::min(n - done, lr.available());
    if (max_def == 0) {
      lr.take_values(k, out);
    } else if (const uint64_t* vb = lr.valid_bits()) {
      size_t start = lr.level_pos_;
      size_t m = count_bits(vb, start, k);
      if (m == k) {
        lr.take_values(k, out);
      } else if (out->type().fixed_width() == 0) {
        // Strings cannot be spread in place: decode the m values aside, then interleave.
        if (!string_scratch_ || string_scratch_->type() != out->type())
          string_scratch_ = Column::make(out->type());
        string_scratch_->clear();
        lr.take_values(m, string_scratch_.get());
        for (size_t i = 0, j = 0; i < k; ++i) {
          size_t b = start + i;
          if ((vb[b >> 6] >> (b & 63)) & 1)
            out->append_string(string_scratch_->string_at(j++));
          else
            out->append_null();
        }
      } else {
        size_t base = out->size();
        lr.take_values(m, out);
        out->resize(base + k);
        spread_nulls_bits(out, base, vb, start, k, m);
      }
    } else {
      const uint32_t* def = lr.def() + lr.level_pos_;
      size_t m = 0;
      for (size_t i = 0; i < k; ++i) m += def[i] == max_def;
      if (m == k) {
        lr.take_values(k, out);
      } else if (lr.materialized()) {
        lr.value_pos_ += scatter(lr.values(), lr.value_pos_, def, max_def, k, out);
      } else {
        // Decode the m dense values, then move them to their rows (back to front, in place).
        size_t base = out->size();
        lr.take_values(m, out);
        out->resize(base + k);
        spread_nulls(out, base, def, max_def, k, m);
      }
    }
    lr.level_pos_ += k;
    done += k;
  }
}

void collect_steps(const OutputNode& node, Column* col, std::vector<PathStep>* path,
                   std::vector<std::pair<int, std::vector<PathStep>>>* out, bool owner) {
  path->push_back(PathStep{&node, col, owner});
  if (node.kind == OutputNode::Kind::kLeaf) {
    out->emplace_back(node.leaf, *path);
  } else {
    for (size_t i = 0; i < node.children.size(); ++i)
      collect_steps(node.children[i], &col->child(i), path, out, owner && i == 0);
  }
  path->pop_back();
}

/// The name of the first nested column of `c` whose children disagree with it (a struct child
/// of another length, a list child shorter than its offsets), or "" when all agree. Sibling
/// leaves of a corrupt file can carry different structures (fuzz: tests/fuzz/crashes/parquet-7).
std::string nested_mismatch(const Column& c, const std::string& name) {
  switch (c.type().id()) {
    case TypeId::kStruct:
      for (size_t i = 0; i < c.num_children(); ++i) {
        const std::string child = name + "." + c.type().children()[i].name;
        if (c.child(i).size() != c.size()) return child;
        std::string m = nested_mismatch(c.child(i), child);
        if (!m.empty()) return m;
      }
      return "";
    case TypeId::kList:
    case TypeId::kMap: {
      if (c.size() > 0 && static_cast<size_t>(c.offsets()[c.size()]) != c.child(0).size())
        return name;
      return nested_mismatch(c.child(0), name);
    }
    default:
      return "";
  }
}

void ParquetReader::read_nested(int file_field, int64_t first, size_t n, Column* out) {
  const OutputNode& root = file_->schema().fields[file_field];
  std::vector<PathStep> path;
  std::vector<std::pair<int, std::vector<PathStep>>> leaf_paths;
  collect_steps(root, out, &path, &leaf_paths, true);
  // Ownership: a node belongs to the first leaf under it. collect_steps passes owner=true only
  // down the first-child chain; other leaves own the nodes where they branch off.
  for (auto& [leaf, steps] : leaf_paths) {
    // collect_steps marks shared ancestors owned for every leaf; recompute all of them, or each
    // leaf would append the parent's slots again (fuzz: tests/fuzz/crashes/parquet-1, -3).
    for (size_t i = 0; i < steps.size(); ++i) {
      const OutputNode* nd = steps[i].node;
      while (nd->kind != OutputNode::Kind::kLeaf) nd = &nd->children[0];
      steps[i].owner = nd->leaf == leaf;
    }
    LeafReader& lr = *leaf_readers_[leaf];
    if (first >= 0) lr.skip_to_row(first);
    size_t rows = 0;
    while (true) {
      if (lr.available() == 0 && !lr.next_page()) break;
      uint32_t r = lr.rep()[lr.level_pos_];
      uint32_t d = lr.def()[lr.level_pos_];
      if (r == 0) {
        if (rows == n) break;
        ++rows;
        ++lr.rows_started_;
      } else if (rows == 0) {
        lr.ctx().fail(fmt::format("column '{}': a row starts with repetition level {} (must be 0)",
                                  lr.leaf_.path, r));
      }
      assemble_entry(steps, d, r, lr);
      ++lr.level_pos_;
    }
    if (rows != n)
      lr.ctx().fail(fmt::format("column '{}' has fewer rows than the row group's {}", lr.leaf_.path,
                                group_->num_rows));
  }
  const std::string& name = file_->schema().schema->field(file_field).name;
  std::string bad = nested_mismatch(*out, name);
  if (!bad.empty())
    leaf_readers_[leaf_paths[0].first]->ctx().fail(
        fmt::format("the columns under '{}' disagree on its nesting (at '{}')", name, bad));
}

ColumnPtr cast_column(const Column& src, const DataType& to, const std::string& file,
                      const std::string& name) {
  if (src.type().is_nested() || to.is_nested())
    throw Error(ErrorKind::kFormat,
                fmt::format("column '{}' is {} in the file, not the {} expected", name,
                            src.type().to_string(), to.to_string()),
                ErrorLocation{file});
  auto out = Column::make(to);
  out->reserve(src.size());
  if (src.type().id() == TypeId::kInt32 && to.id() == TypeId::kInt64) {
    for (size_t i = 0; i < src.size(); ++i) {
      if (src.is_null(i))
        out->append_null();
      else
        out->append<int64_t>(src.value<int32_t>(i));
    }
    return out;
  }
  for (size_t i = 0; i < src.size(); ++i) out->append_value(src.value_at(i));
  return out;
}

ColumnPtr ParquetReader::fresh_column(size_t slot, const DataType& type) {
  ColumnPtr& c = recycled_[slot];
  if (c && c.use_count() == 1 && c->type() == type) {
    c->clear();
    return c;
  }
  c = Column::make(type);
  return c;
}

void ParquetReader::read_column(const OutputColumn& oc, const std::vector<Span>& spans, size_t n,
                                size_t slot, ColumnPtr* out) {
  if (oc.file_field < 0) {
    *out = Column::constant(Value::null(oc.field.type), n);
    return;
  }
  const FileSchema& fs = file_->schema();
  const OutputNode& node = fs.fields[oc.file_field];
  ColumnPtr col = fresh_column(slot, node.type);
  bool flat = node.kind == OutputNode::Kind::kLeaf && fs.leaves[node.leaf].max_rep == 0;
  for (const Span& sp : spans) {
    if (flat) {
      if (sp.first >= 0) leaf_readers_[node.leaf]->skip_to_row(sp.first);
      read_leaf_flat(*leaf_readers_[node.leaf], sp.count, col.get());
    } else {
      read_nested(oc.file_field, sp.first, sp.count, col.get());
    }
  }
  *out = oc.needs_cast ? cast_column(*col, oc.field.type, file_->path(), oc.field.name)
                       : std::move(col);
}

void ParquetReader::finish_row_group() {
  // Every chunk must end exactly with the row group: leftover values mean the columns disagree.
  // (With a page selection the rows after the last selected one are never decoded.)
  for (auto& lr : leaf_readers_) {
    if (!selection_.empty()) break;
    if (!lr) continue;
    if (lr->available() > 0 || lr->next_page())
      lr->ctx().fail(fmt::format("column '{}' has more values than the row group's {} rows",
                                 lr->leaf_.path, group_->num_rows));
  }
  group_ = nullptr;
}

bool ParquetReader::next(Batch* out) {
  if (spec_.limit >= 0 && rows_emitted_ >= spec_.limit) return false;
  while (group_ == nullptr || group_rows_left_ == 0) {
    if (group_) finish_row_group();
    if (!open_next_row_group()) return false;
  }
  size_t n = static_cast<size_t>(std::min<int64_t>(group_rows_left_, kDefaultBatchRows));
  // Drop the caller's hold on the previous batch: columns nobody else kept are reused, which
  // saves the allocator from returning and refaulting their pages every batch.
  *out = Batch();
  std::vector<ColumnPtr> cols(outputs_.size());
  recycled_.resize(outputs_.size());
  std::vector<Span> spans;
  if (selection_.empty()) {
    spans.push_back(Span{-1, n});
  } else {
    for (size_t left = n; left > 0;) {
      auto [b, e] = selection_[selection_at_];
      int64_t start = std::max(next_row_, b);
      size_t k = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(left), e - start));
      spans.push_back(Span{start, k});
      next_row_ = start + static_cast<int64_t>(k);
      left -= k;
      if (next_row_ == e) ++selection_at_;
    }
  }
  for (size_t i = 0; i < outputs_.size(); ++i) read_column(outputs_[i], spans, n, i, &cols[i]);
  group_rows_left_ -= n;
  rows_emitted_ += n;
  *out = Batch(out_schema_, std::move(cols), n);
  return true;
}

}  // namespace

const ParquetScanStats* parquet_scan_stats(const FormatReader& reader) {
  const auto* r = dynamic_cast<const ParquetReader*>(&reader);
  return r ? &r->stats() : nullptr;
}

std::unique_ptr<FormatReader> open_parquet_reader(const FormatReadRequest& request) {
  auto file = ParquetFile::open(request.file);
  return std::make_unique<ParquetReader>(std::move(file), request);
}

}  // namespace velo::parquet
