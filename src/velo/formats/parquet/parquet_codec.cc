#include "velo/formats/parquet/parquet_codec.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "velo/io/options.h"
#include "velo/types/error.h"

namespace velo::parquet {

namespace {

[[noreturn]] void corrupt(Codec codec, const std::string& file, int64_t offset,
                          const std::string& what) {
  throw Error(ErrorKind::kFormat, fmt::format("corrupt {} page data: {}", codec_name(codec), what),
              ErrorLocation{file, 0, 0, offset});
}

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Hadoop's Lz4Codec frames: [u32 BE decompressed][u32 BE compressed][block]... repeated.
bool try_hadoop_lz4(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  size_t ip = 0, op = 0;
  while (ip < in_size) {
    if (in_size - ip < 8) return false;
    uint32_t raw = load_be32(in + ip);
    uint32_t comp = load_be32(in + ip + 4);
    ip += 8;
    if (comp > in_size - ip || raw > out_size - op) return false;
    int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in + ip),
                                reinterpret_cast<char*>(out + op), static_cast<int>(comp),
                                static_cast<int>(raw));
    if (n < 0 || static_cast<uint32_t>(n) != raw) return false;
    ip += comp;
    op += raw;
  }
  return op == out_size;
}

void inflate_all(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size,
                 const std::string& file, int64_t offset) {
  z_stream s;
  std::memset(&s, 0, sizeof(s));
  if (inflateInit2(&s, 15 + 32) != Z_OK) corrupt(Codec::kGzip, file, offset, "inflateInit failed");
  s.next_in = const_cast<Bytef*>(in);
  s.avail_in = static_cast<uInt>(in_size);
  s.next_out = out;
  s.avail_out = static_cast<uInt>(out_size);
  // Concatenated gzip members: keep inflating while input remains.
  while (true) {
    int rc = inflate(&s, Z_FINISH);
    if (rc == Z_STREAM_END) {
      if (s.avail_in == 0 || s.avail_out == 0) break;
      // Trailing zero padding after the last member is tolerated.
      if (*s.next_in == 0) break;
      inflateReset(&s);
      continue;
    }
    if (rc == Z_BUF_ERROR && s.avail_out == 0) break;
    std::string msg = s.msg ? s.msg : "inflate failed";
    inflateEnd(&s);
    corrupt(Codec::kGzip, file, offset, msg);
  }
  size_t produced = out_size - s.avail_out;
  inflateEnd(&s);
  if (produced != out_size)
    corrupt(Codec::kGzip, file, offset,
            fmt::format("decompressed to {} bytes, page header says {}", produced, out_size));
}

// ---- snappy ---------------------------------------------------------------------------------
// Our own decoder of the snappy block format: pages of hard-to-compress values are mostly short
// literals and copies, where libsnappy spends its time in calls to memcpy. The fast loop copies
// in fixed 16-byte steps (overcopying into bytes it writes later) while both buffers have 64
// bytes to spare; the tail loop copies exactly. Returns false on malformed input.

inline void copy16(uint8_t* dst, const uint8_t* src) {
  uint64_t a, b;
  std::memcpy(&a, src, 8);
  std::memcpy(&b, src + 8, 8);
  std::memcpy(dst, &a, 8);
  std::memcpy(dst + 8, &b, 8);
}

inline uint32_t load_le(const uint8_t* p, int n) {
  uint32_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint32_t{p[i]} << (8 * i);
  return v;
}

bool snappy_decode(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  const uint8_t* ip = in;
  const uint8_t* const in_end = in + in_size;
  // Preamble: varint of the uncompressed length.
  uint64_t len = 0;
  for (int shift = 0;; shift += 7) {
    if (ip == in_end || shift > 28) return false;
    uint8_t b = *ip++;
    len |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) break;
  }
  if (len != out_size) return false;
  uint8_t* op = out;
  uint8_t* const out_end = out + out_size;
  constexpr size_t kSlop = 64;
  // Fast loop: every element reads at most 5 tag bytes + 16 literal bytes (longer literals are
  // checked) and writes at most 64 bytes.
  while (in_end - ip >= static_cast<ptrdiff_t>(kSlop) &&
         out_end - op >= static_cast<ptrdiff_t>(kSlop)) {
    uint8_t tag = *ip++;
    if ((tag & 3) == 0) {
      size_t n = (tag >> 2) + 1;
      if (n <= 16) {
        copy16(op, ip);
        op += n;
        ip += n;
        continue;
      }
      if (n > 60) {
        int extra = static_cast<int>(n - 60);
        n = size_t{load_le(ip, extra)} + 1;
        ip += extra;
      }
      if (n > static_cast<size_t>(in_end - ip) || n > static_cast<size_t>(out_end - op))
        return false;
      std::memcpy(op, ip, n);
      op += n;
      ip += n;
      continue;
    }
    size_t n, off;
    switch (tag & 3) {
      case 1:
        n = ((tag >> 2) & 7) + 4;
        off = (size_t{tag & 0xe0u} << 3) | ip[0];
        ip += 1;
        break;
      case 2:
        n = (tag >> 2) + 1;
        off = load_le(ip, 2);
        ip += 2;
        break;
      default:
        n = (tag >> 2) + 1;
        off = load_le(ip, 4);
        ip += 4;
        break;
    }
    if (off == 0 || off > static_cast<size_t>(op - out)) return false;
    const uint8_t* src = op - off;
    if (off >= 16) {
      // Each 16-byte step reads bytes already written: the source trails by >= 16.
      for (size_t i = 0; i < n; i += 16) copy16(op + i, src + i);
    } else if (off >= 8) {
      for (size_t i = 0; i < n; i += 8) std::memcpy(op + i, src + i, 8);
    } else {
      for (size_t i = 0; i < n; ++i) op[i] = src[i];
    }
    op += n;
  }
  // Tail: exact copies with full bounds checks.
  while (ip < in_end) {
    uint8_t tag = *ip++;
    size_t n, off;
    if ((tag & 3) == 0) {
      n = (tag >> 2) + 1;
      if (n > 60) {
        int extra = static_cast<int>(n - 60);
        if (in_end - ip < extra) return false;
        n = size_t{load_le(ip, extra)} + 1;
        ip += extra;
      }
      if (n > static_cast<size_t>(in_end - ip) || n > static_cast<size_t>(out_end - op))
        return false;
      std::memcpy(op, ip, n);
      op += n;
      ip += n;
      continue;
    }
    int extra = (tag & 3) == 1 ? 1 : (tag & 3) == 2 ? 2 : 4;
    if (in_end - ip < extra) return false;
    if ((tag & 3) == 1) {
      n = ((tag >> 2) & 7) + 4;
      off = (size_t{tag & 0xe0u} << 3) | ip[0];
    } else {
      n = (tag >> 2) + 1;
      off = load_le(ip, extra);
    }
    ip += extra;
    if (off == 0 || off > static_cast<size_t>(op - out) || n > static_cast<size_t>(out_end - op))
      return false;
    const uint8_t* src = op - off;
    for (size_t i = 0; i < n; ++i) op[i] = src[i];
    op += n;
  }
  return op == out_end;
}

}  // namespace

const char* codec_name(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return "UNCOMPRESSED";
    case Codec::kSnappy:
      return "SNAPPY";
    case Codec::kGzip:
      return "GZIP";
    case Codec::kLzo:
      return "LZO";
    case Codec::kBrotli:
      return "BROTLI";
    case Codec::kLz4:
      return "LZ4";
    case Codec::kZstd:
      return "ZSTD";
    case Codec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "UNKNOWN";
}

uint64_t max_decompressed_size(Codec codec, uint64_t compressed_size) {
  // Worst cases per format: snappy copies 64 bytes per 3-byte tag (~21x), an LZ4 sequence adds
  // 255 bytes per length byte, deflate emits 258 bytes per 2-bit code (1032x). The slack covers
  // headers and tiny inputs.
  constexpr uint64_t kSlack = 1024;
  switch (codec) {
    case Codec::kUncompressed:
      return compressed_size;
    case Codec::kSnappy:
      return compressed_size * 22 + kSlack;
    case Codec::kLz4:
    case Codec::kLz4Raw:
      return compressed_size * 256 + kSlack;
    case Codec::kGzip:
      return compressed_size * 1032 + kSlack;
    default:
      return 0;
  }
}

Codec codec_from_name(const std::string& name) {
  std::string n = Options::lower(name);
  if (n == "snappy") return Codec::kSnappy;
  if (n == "zstd") return Codec::kZstd;
  if (n == "gzip") return Codec::kGzip;
  if (n == "lz4_raw" || n == "lz4") return Codec::kLz4Raw;
  if (n == "brotli") return Codec::kBrotli;
  if (n == "none" || n == "uncompressed") return Codec::kUncompressed;
  throw_user_error(
      "unknown parquet compression '{}' (use snappy, zstd, gzip, lz4_raw, brotli, none)", name);
}

void decompress(Codec codec, const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size,
                const std::string& file, int64_t offset) {
  switch (codec) {
    case Codec::kUncompressed:
      if (in_size != out_size)
        corrupt(codec, file, offset, "compressed and uncompressed sizes differ");
      std::memcpy(out, in, in_size);
      return;
    case Codec::kSnappy: {
      size_t n = 0;
      if (snappy_uncompressed_length(reinterpret_cast<const char*>(in), in_size, &n) != SNAPPY_OK ||
          n != out_size)
        corrupt(codec, file, offset, "bad snappy length header");
      if (!snappy_decode(in, in_size, out, out_size))
        corrupt(codec, file, offset, "snappy decompression failed");
      return;
    }
    case Codec::kGzip:
      inflate_all(in, in_size, out, out_size, file, offset);
      return;
    case Codec::kZstd: {
      size_t n = ZSTD_decompress(out, out_size, in, in_size);
      if (ZSTD_isError(n)) corrupt(codec, file, offset, ZSTD_getErrorName(n));
      if (n != out_size) corrupt(codec, file, offset, "wrong decompressed size");
      return;
    }
    case Codec::kBrotli: {
      size_t n = out_size;
      if (BrotliDecoderDecompress(in_size, in, &n, out) != BROTLI_DECODER_RESULT_SUCCESS ||
          n != out_size)
        corrupt(codec, file, offset, "brotli decompression failed");
      return;
    }
    case Codec::kLz4:
      if (try_hadoop_lz4(in, in_size, out, out_size)) return;
      [[fallthrough]];
    case Codec::kLz4Raw: {
      if (in_size > INT32_MAX || out_size > INT32_MAX)
        corrupt(codec, file, offset, "page larger than 2 GiB");
      int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                                  static_cast<int>(in_size), static_cast<int>(out_size));
      if (n < 0 || static_cast<size_t>(n) != out_size)
        corrupt(codec, file, offset, "lz4 decompression failed");
      return;
    }
    default:
      throw Error(ErrorKind::kNotSupported,
                  fmt::format("not supported yet: parquet codec {}", codec_name(codec)),
                  ErrorLocation{file, 0, 0, offset});
  }
}

void compress(Codec codec, const uint8_t* in, size_t in_size, Buffer* out) {
  size_t base = out->size();
  switch (codec) {
    case Codec::kUncompressed:
      out->append(in, in_size);
      return;
    case Codec::kSnappy: {
      size_t n = snappy_max_compressed_length(in_size);
      out->resize(base + n);
      if (snappy_compress(reinterpret_cast<const char*>(in), in_size,
                          reinterpret_cast<char*>(out->data() + base), &n) != SNAPPY_OK)
        throw_internal_error("snappy compression failed");
      out->resize(base + n);
      return;
    }
    case Codec::kZstd: {
      size_t n = ZSTD_compressBound(in_size);
      out->resize(base + n);
      n = ZSTD_compress(out->data() + base, n, in, in_size, 3);
      if (ZSTD_isError(n)) throw_internal_error("zstd compression failed");
      out->resize(base + n);
      return;
    }
    case Codec::kGzip: {
      z_stream s;
      std::memset(&s, 0, sizeof(s));
      if (deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw_internal_error("deflateInit failed");
      size_t n = deflateBound(&s, in_size) + 32;
      out->resize(base + n);
      s.next_in = const_cast<Bytef*>(in);
      s.avail_in = static_cast<uInt>(in_size);
      s.next_out = out->data() + base;
      s.avail_out = static_cast<uInt>(n);
      int rc = deflate(&s, Z_FINISH);
      size_t produced = n - s.avail_out;
      deflateEnd(&s);
      if (rc != Z_STREAM_END) throw_internal_error("gzip compression failed");
      out->resize(base + produced);
      return;
    }
    case Codec::kBrotli: {
      size_t n = BrotliEncoderMaxCompressedSize(in_size);
      if (n == 0) n = in_size + 1024;
      out->resize(base + n);
      if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, in_size, in, &n,
                                 out->data() + base))
        throw_internal_error("brotli compression failed");
      out->resize(base + n);
      return;
    }
    case Codec::kLz4Raw: {
      int n = LZ4_compressBound(static_cast<int>(in_size));
      out->resize(base + n);
      n = LZ4_compress_default(reinterpret_cast<const char*>(in),
                               reinterpret_cast<char*>(out->data() + base),
                               static_cast<int>(in_size), n);
      if (n <= 0) throw_internal_error("lz4 compression failed");
      out->resize(base + n);
      return;
    }
    default:
      throw_not_supported("writing parquet codec {}", codec_name(codec));
  }
}

}  // namespace velo::parquet
