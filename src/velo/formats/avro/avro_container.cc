#include "velo/formats/avro/avro_container.h"

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "velo/formats/avro/avro_datum.h"
#include "velo/io/options.h"
#include "velo/types/error.h"

namespace velo::avro {

Codec codec_by_name(const std::string& raw, bool for_write) {
  std::string n = Options::lower(raw);
  if (n == "null" || n == "none" || n == "uncompressed" || (for_write && n.empty()))
    return Codec::kNull;
  if (n == "deflate") return Codec::kDeflate;
  if (n == "snappy") return Codec::kSnappy;
  if (n == "zstandard" || n == "zstd") return Codec::kZstandard;
  if (n == "bzip2" || n == "xz") throw_not_supported("Avro codec '{}'", n);
  if (for_write)
    throw_user_error("unknown Avro compression '{}' (known: null, deflate, snappy, zstandard)",
                     raw);
  throw_format_error("unknown Avro codec '{}'", raw);
}

const char* codec_name(Codec c) {
  switch (c) {
    case Codec::kNull:
      return "null";
    case Codec::kDeflate:
      return "deflate";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kZstandard:
      return "zstandard";
  }
  return "null";
}

namespace {

constexpr uint8_t kMagic[4] = {'O', 'b', 'j', 1};
constexpr size_t kWindowBytes = size_t{4} << 20;

[[noreturn]] void file_error(const std::string& file, int64_t offset, const std::string& what) {
  throw Error(ErrorKind::kFormat, fmt::format("{}: {}", file, what),
              ErrorLocation{file, 0, 0, offset});
}

// Parses the header from `p[0, n)`; returns false when the bytes end before the header does.
bool parse_header(const uint8_t* p, size_t n, const std::string& path, ContainerHeader* h) {
  const uint8_t* start = p;
  const uint8_t* end = p + n;
  if (n < 4) {
    if (n > 0 && std::memcmp(p, kMagic, n) != 0)
      file_error(path, 0, "not an Avro object container file (bad magic)");
    return false;
  }
  if (std::memcmp(p, kMagic, 3) != 0)
    file_error(path, 0, "not an Avro object container file (bad magic)");
  if (p[3] > 1) file_error(path, 0, "not an Avro object container file (bad magic)");
  if (p[3] != 1)
    file_error(path, 0,
               fmt::format("unsupported Avro object container version {} (only version 1 is "
                           "supported)",
                           p[3]));
  p += 4;
  try {
    while (true) {
      int64_t count = read_long(&p, end);
      if (count == 0) break;
      if (count < 0) {
        if (count == INT64_MIN) file_error(path, p - start, "invalid metadata block count");
        count = -count;
        read_long(&p, end);
      }
      if (count > (end - p) / 2) return false;  // needs more bytes (or is corrupt)
      for (int64_t i = 0; i < count; ++i) {
        int64_t kl = read_long(&p, end);
        if (kl < 0) file_error(path, p - start, "negative metadata key length");
        if (kl > end - p) return false;
        std::string key(reinterpret_cast<const char*>(p), kl);
        p += kl;
        int64_t vl = read_long(&p, end);
        if (vl < 0) file_error(path, p - start, "negative metadata value length");
        if (vl > end - p) return false;
        h->metadata[key] = std::string(reinterpret_cast<const char*>(p), vl);
        p += vl;
      }
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kFormat && e.location().file.empty()) {
      if (std::string_view(e.message()).find("truncated") != std::string_view::npos) return false;
      file_error(path, p - start, "corrupt header: " + e.message());
    }
    throw;
  }
  if (end - p < static_cast<int64_t>(kSyncSize)) return false;
  std::memcpy(h->sync.data(), p, kSyncSize);
  p += kSyncSize;
  h->size = p - start;
  return true;
}

}  // namespace

ContainerHeader read_container_header(const RandomAccessFile& file) {
  const std::string& path = file.path();
  int64_t fsize = file.size();
  size_t want = static_cast<size_t>(std::min<int64_t>(fsize, 64 << 10));
  Buffer buf;
  ContainerHeader h;
  while (true) {
    buf.resize(want);
    size_t got = file.read_at(0, want, buf.data());
    h.metadata.clear();
    if (parse_header(buf.data(), got, path, &h)) break;
    if (got < want || static_cast<int64_t>(want) >= fsize) {
      if (got < 4)
        file_error(path, 0, fmt::format("not an Avro object container file ({} bytes)", got));
      file_error(path, got, "truncated Avro header (the file ends inside it)");
    }
    want = static_cast<size_t>(std::min<int64_t>(fsize, static_cast<int64_t>(want) * 4));
  }
  auto it = h.metadata.find("avro.schema");
  if (it == h.metadata.end()) file_error(path, 0, "Avro header has no avro.schema");
  h.schema_json = it->second;
  try {
    h.schema = AvroSchema::parse(h.schema_json);
  } catch (const Error& e) {
    file_error(path, 0, e.message());
  }
  auto c = h.metadata.find("avro.codec");
  try {
    h.codec = c == h.metadata.end() ? Codec::kNull : codec_by_name(c->second, false);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotSupported) throw;
    file_error(path, 0, e.message());
  }
  return h;
}

// ---- codecs ---------------------------------------------------------------------------------

namespace {

[[noreturn]] void codec_error(Codec c, const std::string& file, int64_t block, int64_t offset,
                              const std::string& what) {
  file_error(file, offset,
             fmt::format("block {} at offset {}: corrupt {} data: {}", block, offset, codec_name(c),
                         what));
}

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

void decompress_block(Codec codec, const uint8_t* in, size_t n, Buffer* out,
                      const std::string& file, int64_t block, int64_t offset) {
  out->clear();
  switch (codec) {
    case Codec::kNull:
      out->append(in, n);
      return;
    case Codec::kDeflate: {
      z_stream s;
      std::memset(&s, 0, sizeof(s));
      if (inflateInit2(&s, -15) != Z_OK)
        codec_error(codec, file, block, offset, "inflateInit failed");
      size_t cap = std::max<size_t>(n * 4, 64 << 10);
      out->resize(cap);
      s.next_in = const_cast<Bytef*>(in);
      s.avail_in = static_cast<uInt>(n);
      size_t produced = 0;
      while (true) {
        s.next_out = out->data() + produced;
        s.avail_out = static_cast<uInt>(cap - produced);
        int rc = inflate(&s, Z_NO_FLUSH);
        produced = cap - s.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
          std::string msg = s.msg ? s.msg : "inflate failed";
          inflateEnd(&s);
          codec_error(codec, file, block, offset, msg);
        }
        if (s.avail_out != 0) {
          // No progress possible: the input ended before the deflate stream did.
          inflateEnd(&s);
          codec_error(codec, file, block, offset, "the deflate stream is truncated");
        }
        if (cap >= static_cast<size_t>(kMaxBlockBytes)) {
          inflateEnd(&s);
          codec_error(codec, file, block, offset,
                      fmt::format("decompresses to more than {} bytes", kMaxBlockBytes));
        }
        cap = std::min<size_t>(cap * 2, kMaxBlockBytes);
        out->resize(cap);
      }
      inflateEnd(&s);
      out->resize(produced);
      return;
    }
    case Codec::kSnappy: {
      if (n < 4) codec_error(codec, file, block, offset, "block too short for its CRC32");
      size_t body = n - 4;
      size_t len = 0;
      if (snappy_uncompressed_length(reinterpret_cast<const char*>(in), body, &len) != SNAPPY_OK)
        codec_error(codec, file, block, offset, "bad snappy length header");
      if (len > static_cast<size_t>(kMaxBlockBytes) || len > body * 24 + 64)
        codec_error(codec, file, block, offset,
                    fmt::format("claims {} bytes from {} compressed bytes", len, body));
      out->resize(len);
      size_t got = len;
      if (snappy_uncompress(reinterpret_cast<const char*>(in), body,
                            reinterpret_cast<char*>(out->data()), &got) != SNAPPY_OK ||
          got != len)
        codec_error(codec, file, block, offset, "snappy decompression failed");
      uint32_t crc = static_cast<uint32_t>(crc32(0, out->data(), static_cast<uInt>(len)));
      if (crc != load_be32(in + body))
        codec_error(codec, file, block, offset,
                    fmt::format("CRC32 mismatch (stored {:08x}, computed {:08x})",
                                load_be32(in + body), crc));
      return;
    }
    case Codec::kZstandard: {
      // One frame's declared size sizes the output; several frames (or none declared) grow it.
      unsigned long long sz = ZSTD_getFrameContentSize(in, n);
      if (sz == ZSTD_CONTENTSIZE_ERROR) codec_error(codec, file, block, offset, "not a zstd frame");
      size_t cap = std::max<size_t>(n * 4, 64 << 10);
      if (sz != ZSTD_CONTENTSIZE_UNKNOWN) {
        if (sz > static_cast<unsigned long long>(kMaxBlockBytes))
          codec_error(codec, file, block, offset, fmt::format("claims {} bytes", sz));
        cap = std::max<size_t>(static_cast<size_t>(sz), 1);
      }
      ZSTD_DStream* ds = ZSTD_createDStream();
      ZSTD_initDStream(ds);
      out->resize(cap);
      ZSTD_inBuffer ib{in, n, 0};
      size_t produced = 0;
      while (true) {
        ZSTD_outBuffer ob{out->data(), cap, produced};
        size_t r = ZSTD_decompressStream(ds, &ob, &ib);
        produced = ob.pos;
        if (ZSTD_isError(r)) {
          ZSTD_freeDStream(ds);
          codec_error(codec, file, block, offset, ZSTD_getErrorName(r));
        }
        if (r == 0 && ib.pos == ib.size) break;
        if (ob.pos < ob.size && ib.pos == ib.size) {
          ZSTD_freeDStream(ds);
          codec_error(codec, file, block, offset, "the zstd frame is truncated");
        }
        if (ob.pos == ob.size) {
          if (cap >= static_cast<size_t>(kMaxBlockBytes)) {
            ZSTD_freeDStream(ds);
            codec_error(codec, file, block, offset, "decompresses to too many bytes");
          }
          cap = std::min<size_t>(cap * 2, kMaxBlockBytes);
          out->resize(cap);
        }
      }
      ZSTD_freeDStream(ds);
      out->resize(produced);
      return;
    }
  }
}

void compress_block(Codec codec, const uint8_t* in, size_t n, int level, Buffer* out) {
  size_t base = out->size();
  switch (codec) {
    case Codec::kNull:
      out->append(in, n);
      return;
    case Codec::kDeflate: {
      z_stream s;
      std::memset(&s, 0, sizeof(s));
      if (deflateInit2(&s, level < 0 ? Z_DEFAULT_COMPRESSION : std::min(level, 9), Z_DEFLATED, -15,
                       8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw_internal_error("deflateInit2 failed");
      size_t bound = deflateBound(&s, static_cast<uLong>(n));
      out->resize(base + bound);
      s.next_in = const_cast<Bytef*>(in);
      s.avail_in = static_cast<uInt>(n);
      s.next_out = out->data() + base;
      s.avail_out = static_cast<uInt>(bound);
      int rc = deflate(&s, Z_FINISH);
      if (rc != Z_STREAM_END) {
        deflateEnd(&s);
        throw_internal_error("deflate failed ({})", rc);
      }
      out->resize(base + s.total_out);
      deflateEnd(&s);
      return;
    }
    case Codec::kSnappy: {
      size_t bound = snappy_max_compressed_length(n);
      out->resize(base + bound + 4);
      size_t len = bound;
      if (snappy_compress(reinterpret_cast<const char*>(in), n,
                          reinterpret_cast<char*>(out->data() + base), &len) != SNAPPY_OK)
        throw_internal_error("snappy_compress failed");
      uint32_t crc = static_cast<uint32_t>(crc32(0, in, static_cast<uInt>(n)));
      uint8_t* c = out->data() + base + len;
      c[0] = static_cast<uint8_t>(crc >> 24);
      c[1] = static_cast<uint8_t>(crc >> 16);
      c[2] = static_cast<uint8_t>(crc >> 8);
      c[3] = static_cast<uint8_t>(crc);
      out->resize(base + len + 4);
      return;
    }
    case Codec::kZstandard: {
      size_t bound = ZSTD_compressBound(n);
      out->resize(base + bound);
      size_t r = ZSTD_compress(out->data() + base, bound, in, n, level < 0 ? 3 : level);
      if (ZSTD_isError(r))
        throw_internal_error("zstd compression failed: {}", ZSTD_getErrorName(r));
      out->resize(base + r);
      return;
    }
  }
}

// ---- BlockReader ------------------------------------------------------------------------------

BlockReader::BlockReader(std::shared_ptr<RandomAccessFile> file, const ContainerHeader& header,
                         int64_t min_datum_size)
    : file_(std::move(file)),
      codec_(header.codec),
      sync_(header.sync),
      min_datum_size_(min_datum_size),
      file_size_(file_->size()),
      pos_(header.size) {}

void BlockReader::fail(int64_t offset, const std::string& what) const {
  file_error(file_->path(), offset, fmt::format("block {} at offset {}: {}", index_, offset, what));
}

const uint8_t* BlockReader::window(int64_t pos, size_t n, size_t* avail) {
  int64_t left = file_size_ - pos;
  n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), std::max<int64_t>(left, 0)));
  if (pos >= win_begin_ &&
      pos + static_cast<int64_t>(n) <= win_begin_ + static_cast<int64_t>(win_size_)) {
    *avail = static_cast<size_t>(win_begin_ + win_size_ - pos);
    return win_.data() + (pos - win_begin_);
  }
  size_t want = static_cast<size_t>(std::min<int64_t>(std::max(n, kWindowBytes), left));
  win_.resize(want);
  size_t got = want ? file_->read_at(pos, want, win_.data()) : 0;
  win_begin_ = pos;
  win_size_ = got;
  *avail = got;
  return win_.data();
}

bool BlockReader::next(Block* out) {
  if (pos_ >= file_size_) return false;
  int64_t start = pos_;
  size_t avail = 0;
  const uint8_t* p = window(start, 20, &avail);
  const uint8_t* end = p + std::min<size_t>(avail, 20);
  const uint8_t* q = p;
  int64_t count, size;
  try {
    count = read_long(&q, end);
  } catch (const Error& e) {
    fail(start, "cannot read the block count: " + e.message());
  }
  try {
    size = read_long(&q, end);
  } catch (const Error& e) {
    fail(start, "cannot read the block size: " + e.message());
  }
  if (count < 0) fail(start, fmt::format("negative block count {}", count));
  if (size < 0) fail(start, fmt::format("negative block size {}", size));
  int64_t data_at = start + (q - p);
  int64_t left = file_size_ - data_at;
  if (size > left - static_cast<int64_t>(kSyncSize)) {
    if (size > left)
      fail(start,
           fmt::format("block size {} runs past the end of the file ({} bytes left)", size, left));
    fail(start, fmt::format("the file ends before the block's sync marker ({} bytes left after "
                            "{} bytes of data)",
                            left - size, size));
  }
  if (codec_ == Codec::kNull && min_datum_size_ > 0 && count > size / min_datum_size_)
    fail(start, fmt::format("block count {} cannot fit in {} bytes", count, size));
  p = window(data_at, static_cast<size_t>(size) + kSyncSize, &avail);
  if (avail < static_cast<size_t>(size) + kSyncSize) fail(start, "short read");
  if (std::memcmp(p + size, sync_.data(), kSyncSize) != 0)
    fail(data_at + size, "wrong sync marker after the block (corrupt or truncated file)");
  out->index = index_;
  out->offset = start;
  out->count = count;
  out->end = data_at + size + kSyncSize;
  if (codec_ == Codec::kNull) {
    out->data = p;
    out->size = static_cast<size_t>(size);
  } else {
    decompress_block(codec_, p, static_cast<size_t>(size), &decompressed_, file_->path(), index_,
                     start);
    out->data = decompressed_.data();
    out->size = decompressed_.size();
  }
  if (min_datum_size_ > 0 ? count > static_cast<int64_t>(out->size) / min_datum_size_
                          : count > (int64_t{1} << 26))
    fail(start,
         fmt::format("block count {} cannot fit in {} decompressed bytes", count, out->size));
  pos_ = out->end;
  ++index_;
  return true;
}

bool BlockReader::resync(int64_t from) {
  int64_t pos = std::max<int64_t>(from, 0);
  while (pos < file_size_) {
    size_t avail = 0;
    const uint8_t* p = window(pos, kWindowBytes, &avail);
    if (avail < kSyncSize) break;
    const void* hit = memmem(p, avail, sync_.data(), kSyncSize);
    if (hit) {
      pos_ = pos + (static_cast<const uint8_t*>(hit) - p) + static_cast<int64_t>(kSyncSize);
      ++index_;
      return true;
    }
    if (pos + static_cast<int64_t>(avail) >= file_size_) break;
    pos += static_cast<int64_t>(avail) - static_cast<int64_t>(kSyncSize) + 1;
  }
  pos_ = file_size_;
  return false;
}

// ---- ContainerWriter --------------------------------------------------------------------------

ContainerWriter::ContainerWriter(OutputStream* out, AvroSchemaPtr schema, Codec codec, int level,
                                 const std::map<std::string, std::string>& metadata)
    : out_(out), codec_(codec), level_(level) {
  std::random_device rd;
  std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
  for (size_t i = 0; i < kSyncSize; i += 8) {
    uint64_t r = rng();
    std::memcpy(sync_.data() + i, &r, 8);
  }
  std::map<std::string, std::string> meta;
  for (const auto& [k, v] : metadata) {
    if (k.rfind("avro.", 0) == 0) throw_user_error("Avro metadata key '{}' is reserved", k);
    meta[k] = v;
  }
  meta["avro.schema"] = schema->to_json();
  meta["avro.codec"] = codec_name(codec);
  std::string h(reinterpret_cast<const char*>(kMagic), 4);
  write_long(static_cast<int64_t>(meta.size()), &h);
  for (const auto& [k, v] : meta) {
    write_long(static_cast<int64_t>(k.size()), &h);
    h += k;
    write_long(static_cast<int64_t>(v.size()), &h);
    h += v;
  }
  write_long(0, &h);
  h.append(reinterpret_cast<const char*>(sync_.data()), kSyncSize);
  out_->write(h.data(), h.size());
}

void ContainerWriter::write_block(int64_t count, const uint8_t* data, size_t size) {
  if (count <= 0) return;
  scratch_.clear();
  compress_block(codec_, data, size, level_, &scratch_);
  std::string head;
  write_long(count, &head);
  write_long(static_cast<int64_t>(scratch_.size()), &head);
  out_->write(head.data(), head.size());
  out_->write(scratch_.data(), scratch_.size());
  out_->write(sync_.data(), kSyncSize);
}

}  // namespace velo::avro
