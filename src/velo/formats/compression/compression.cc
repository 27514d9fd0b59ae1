#include "velo/formats/compression/compression.h"

#include <bzlib.h>
#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

#include "velo/io/options.h"
#include "velo/types/error.h"

namespace velo {

namespace {

constexpr size_t kInBufferBytes = 256 << 10;
constexpr size_t kOutBufferBytes = 256 << 10;

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

const char* codec_name(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kLz4:
      return "lz4";
    case Compression::kNone:
      break;
  }
  return "none";
}

[[noreturn]] void throw_corrupt(Compression c, const std::string& path, const std::string& why,
                                int64_t offset) {
  throw Error(ErrorKind::kFormat,
              fmt::format("corrupt {} data in '{}': {}", codec_name(c), path, why),
              ErrorLocation{path, 0, 0, offset});
}

// Lets a shared RandomAccessFile feed sequential_stream (which takes ownership).
class SharedFile final : public RandomAccessFile {
 public:
  explicit SharedFile(std::shared_ptr<RandomAccessFile> f) : f_(std::move(f)) {}
  const std::string& path() const override { return f_->path(); }
  int64_t size() const override { return f_->size(); }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    return f_->read_at(offset, n, out);
  }

 private:
  std::shared_ptr<RandomAccessFile> f_;
};

// Common input handling for decompressors: a buffer of compressed bytes refilled from `raw_`.
class DecompressingStream : public InputStream {
 public:
  DecompressingStream(std::unique_ptr<InputStream> raw, std::string path, Compression codec)
      : raw_(std::move(raw)), path_(std::move(path)), codec_(codec), in_(kInBufferBytes) {}

  int64_t bytes_consumed() const override { return raw_->bytes_consumed(); }

  size_t read(void* out, size_t n) override {
    if (n == 0) return 0;
    size_t done = 0;
    while (done == 0 && !finished_) {
      if (in_pos_ == in_len_ && !raw_eof_) refill();
      size_t produced = step(static_cast<char*>(out), n);
      done += produced;
      if (produced == 0 && in_pos_ == in_len_ && raw_eof_) {
        finish_input();
        finished_ = true;
      }
    }
    return done;
  }

 protected:
  /// Decodes from in_[in_pos_, in_len_) into out; advances in_pos_. Returns bytes produced.
  virtual size_t step(char* out, size_t n) = 0;
  /// Called once at end of input: throws when the last frame is incomplete.
  virtual void finish_input() = 0;

  [[noreturn]] void corrupt(const std::string& why) const {
    throw_corrupt(codec_, path_, why,
                  raw_->bytes_consumed() - static_cast<int64_t>(in_len_ - in_pos_));
  }
  // True when only zero padding (or nothing) is left after a complete frame.
  bool rest_is_padding() {
    for (;;) {
      for (size_t i = in_pos_; i < in_len_; ++i)
        if (in_[i] != 0) return false;
      in_pos_ = in_len_;
      if (raw_eof_) return true;
      refill();
    }
  }

  std::unique_ptr<InputStream> raw_;
  std::string path_;
  Compression codec_;
  std::vector<unsigned char> in_;
  size_t in_pos_ = 0;
  size_t in_len_ = 0;
  bool raw_eof_ = false;
  bool finished_ = false;

  void refill() {
    if (in_pos_ < in_len_) return;
    in_len_ = raw_->read(in_.data(), in_.size());
    in_pos_ = 0;
    if (in_len_ == 0) raw_eof_ = true;
  }
};

class GzipInputStream final : public DecompressingStream {
 public:
  GzipInputStream(std::unique_ptr<InputStream> raw, std::string path)
      : DecompressingStream(std::move(raw), std::move(path), Compression::kGzip) {
    std::memset(&z_, 0, sizeof(z_));
    // 15 + 32: auto-detect gzip or zlib headers.
    if (inflateInit2(&z_, 15 + 32) != Z_OK) throw_internal_error("inflateInit2 failed");
  }
  ~GzipInputStream() override { inflateEnd(&z_); }

 protected:
  size_t step(char* out, size_t n) override {
    if (member_done_) {
      // Concatenated members: continue if more non-padding input follows.
      if (in_pos_ == in_len_ && !raw_eof_) refill();
      if (in_pos_ == in_len_) return 0;
      if (in_[in_pos_] == 0 && rest_is_padding()) return 0;
      inflateReset(&z_);
      member_done_ = false;
      in_member_ = false;
    }
    if (in_pos_ == in_len_ && !out_full_) return 0;
    z_.next_in = in_.data() + in_pos_;
    z_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    int rc = inflate(&z_, Z_NO_FLUSH);
    size_t produced = reinterpret_cast<char*>(z_.next_out) - out;
    out_full_ = z_.avail_out == 0;  // more output may be pending inside zlib
    in_pos_ = in_len_ - z_.avail_in;
    in_member_ = true;
    if (rc == Z_STREAM_END) {
      member_done_ = true;
    } else if (rc == Z_BUF_ERROR) {
      // No progress possible with this input; the caller refills.
    } else if (rc != Z_OK) {
      corrupt(z_.msg ? z_.msg : "inflate failed");
    }
    return produced;
  }
  void finish_input() override {
    if (in_member_ && !member_done_) corrupt("unexpected end of data (truncated file?)");
  }

 private:
  z_stream z_;
  bool out_full_ = false;
  bool in_member_ = false;
  bool member_done_ = false;
};

class ZstdInputStream final : public DecompressingStream {
 public:
  ZstdInputStream(std::unique_ptr<InputStream> raw, std::string path)
      : DecompressingStream(std::move(raw), std::move(path), Compression::kZstd),
        d_(ZSTD_createDStream()) {
    if (d_ == nullptr) throw_internal_error("ZSTD_createDStream failed");
    ZSTD_initDStream(d_);
  }
  ~ZstdInputStream() override { ZSTD_freeDStream(d_); }

 protected:
  size_t step(char* out, size_t n) override {
    ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
    ZSTD_outBuffer o{out, n, 0};
    if (in.pos == in.size && !flushing_) return 0;
    size_t rc = ZSTD_decompressStream(d_, &o, &in);
    if (ZSTD_isError(rc)) {
      in_pos_ = in.pos;
      corrupt(ZSTD_getErrorName(rc));
    }
    bool progressed = in.pos != in_pos_ || o.pos > 0;
    in_pos_ = in.pos;
    // A call without progress after a frame ended returns the next header's size hint.
    if (progressed) frame_open_ = rc != 0;
    // Output full: more may be buffered inside the decoder even with no input left.
    flushing_ = o.pos == o.size;
    return o.pos;
  }
  void finish_input() override {
    if (frame_open_) corrupt("unexpected end of data (truncated file?)");
  }

 private:
  ZSTD_DStream* d_;
  bool frame_open_ = false;
  bool flushing_ = false;
};

class Bzip2InputStream final : public DecompressingStream {
 public:
  Bzip2InputStream(std::unique_ptr<InputStream> raw, std::string path)
      : DecompressingStream(std::move(raw), std::move(path), Compression::kBzip2) {
    init();
  }
  ~Bzip2InputStream() override { BZ2_bzDecompressEnd(&bz_); }

 protected:
  size_t step(char* out, size_t n) override {
    if (stream_done_) {
      if (in_pos_ == in_len_ && !raw_eof_) refill();
      if (in_pos_ == in_len_) return 0;
      if (in_[in_pos_] == 0 && rest_is_padding()) return 0;
      BZ2_bzDecompressEnd(&bz_);
      init();
    }
    if (in_pos_ == in_len_ && !out_full_) return 0;
    bz_.next_in = reinterpret_cast<char*>(in_.data() + in_pos_);
    bz_.avail_in = static_cast<unsigned>(in_len_ - in_pos_);
    bz_.next_out = out;
    bz_.avail_out = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
    int rc = BZ2_bzDecompress(&bz_);
    size_t produced = bz_.next_out - out;
    out_full_ = bz_.avail_out == 0;
    in_pos_ = in_len_ - bz_.avail_in;
    in_stream_ = true;
    if (rc == BZ_STREAM_END) {
      stream_done_ = true;
    } else if (rc != BZ_OK) {
      corrupt(fmt::format("bzip2 error {}", rc));
    }
    return produced;
  }
  void finish_input() override {
    if (in_stream_ && !stream_done_) corrupt("unexpected end of data (truncated file?)");
  }

 private:
  void init() {
    std::memset(&bz_, 0, sizeof(bz_));
    if (BZ2_bzDecompressInit(&bz_, 0, 0) != BZ_OK) throw_internal_error("bzip2 init failed");
    stream_done_ = false;
    in_stream_ = false;
  }
  bz_stream bz_;
  bool out_full_ = false;
  bool in_stream_ = false;
  bool stream_done_ = false;
};

class Lz4InputStream final : public DecompressingStream {
 public:
  Lz4InputStream(std::unique_ptr<InputStream> raw, std::string path)
      : DecompressingStream(std::move(raw), std::move(path), Compression::kLz4) {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION)))
      throw_internal_error("LZ4F_createDecompressionContext failed");
  }
  ~Lz4InputStream() override { LZ4F_freeDecompressionContext(ctx_); }

 protected:
  size_t step(char* out, size_t n) override {
    if (in_pos_ == in_len_ && !flushing_) return 0;
    size_t src_size = in_len_ - in_pos_;
    size_t dst_size = n;
    size_t rc = LZ4F_decompress(ctx_, out, &dst_size, in_.data() + in_pos_, &src_size, nullptr);
    in_pos_ += src_size;
    if (LZ4F_isError(rc)) corrupt(LZ4F_getErrorName(rc));
    if (src_size > 0 || dst_size > 0) frame_open_ = rc != 0;
    flushing_ = dst_size == n;
    return dst_size;
  }
  void finish_input() override {
    if (frame_open_) corrupt("unexpected end of data (truncated file?)");
  }

 private:
  LZ4F_dctx* ctx_ = nullptr;
  bool frame_open_ = false;
  bool flushing_ = false;
};

// ---- output ----

class CompressingStream : public OutputStream {
 public:
  CompressingStream(std::unique_ptr<OutputStream> target)
      : target_(std::move(target)), out_(kOutBufferBytes) {}

  int64_t bytes_written() const override { return target_->bytes_written(); }
  const std::string& path() const override { return target_->path(); }

  void write(const void* data, size_t n) override {
    if (ended_) throw_internal_error("write after prepare to '{}'", target_->path());
    compress(static_cast<const char*>(data), n);
  }
  void prepare() override {
    if (!ended_) {
      end();
      ended_ = true;
    }
    target_->prepare();
  }
  void commit() override {
    if (!ended_) prepare();
    target_->commit();
  }
  void abort() noexcept override { target_->abort(); }
  std::string pending_token() const override { return target_->pending_token(); }

 protected:
  virtual void compress(const char* data, size_t n) = 0;
  virtual void end() = 0;

  std::unique_ptr<OutputStream> target_;
  std::vector<char> out_;
  bool ended_ = false;
};

class GzipOutputStream final : public CompressingStream {
 public:
  GzipOutputStream(std::unique_ptr<OutputStream> target, int level)
      : CompressingStream(std::move(target)) {
    std::memset(&z_, 0, sizeof(z_));
    if (level < 0 || level > 9) level = Z_DEFAULT_COMPRESSION;
    if (deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw_internal_error("deflateInit2 failed");
  }
  ~GzipOutputStream() override { deflateEnd(&z_); }

 protected:
  void compress(const char* data, size_t n) override {
    while (n > 0) {
      size_t chunk = std::min<size_t>(n, 1u << 30);
      run(data, chunk, Z_NO_FLUSH);
      data += chunk;
      n -= chunk;
    }
  }
  void end() override { run(nullptr, 0, Z_FINISH); }

 private:
  void run(const char* data, size_t n, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z_.avail_in = static_cast<uInt>(n);
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) throw_internal_error("deflate failed");
      size_t have = out_.size() - z_.avail_out;
      if (have > 0) target_->write(out_.data(), have);
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) break;
    }
  }
  z_stream z_;
};

class ZstdOutputStream final : public CompressingStream {
 public:
  ZstdOutputStream(std::unique_ptr<OutputStream> target, int level)
      : CompressingStream(std::move(target)), c_(ZSTD_createCStream()) {
    if (c_ == nullptr) throw_internal_error("ZSTD_createCStream failed");
    ZSTD_initCStream(c_, level < 0 ? 3 : level);
  }
  ~ZstdOutputStream() override { ZSTD_freeCStream(c_); }

 protected:
  void compress(const char* data, size_t n) override {
    ZSTD_inBuffer in{data, n, 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer o{out_.data(), out_.size(), 0};
      size_t rc = ZSTD_compressStream(c_, &o, &in);
      if (ZSTD_isError(rc)) throw_internal_error("zstd: {}", ZSTD_getErrorName(rc));
      if (o.pos > 0) target_->write(out_.data(), o.pos);
    }
  }
  void end() override {
    for (;;) {
      ZSTD_outBuffer o{out_.data(), out_.size(), 0};
      size_t rc = ZSTD_endStream(c_, &o);
      if (ZSTD_isError(rc)) throw_internal_error("zstd: {}", ZSTD_getErrorName(rc));
      if (o.pos > 0) target_->write(out_.data(), o.pos);
      if (rc == 0) break;
    }
  }

 private:
  ZSTD_CStream* c_;
};

class Bzip2OutputStream final : public CompressingStream {
 public:
  Bzip2OutputStream(std::unique_ptr<OutputStream> target, int level)
      : CompressingStream(std::move(target)) {
    std::memset(&bz_, 0, sizeof(bz_));
    if (level < 1 || level > 9) level = 9;
    if (BZ2_bzCompressInit(&bz_, level, 0, 0) != BZ_OK) throw_internal_error("bzip2 init failed");
  }
  ~Bzip2OutputStream() override { BZ2_bzCompressEnd(&bz_); }

 protected:
  void compress(const char* data, size_t n) override {
    while (n > 0) {
      size_t chunk = std::min<size_t>(n, 1u << 30);
      run(data, chunk, BZ_RUN);
      data += chunk;
      n -= chunk;
    }
  }
  void end() override { run(nullptr, 0, BZ_FINISH); }

 private:
  void run(const char* data, size_t n, int action) {
    bz_.next_in = const_cast<char*>(data);
    bz_.avail_in = static_cast<unsigned>(n);
    for (;;) {
      bz_.next_out = out_.data();
      bz_.avail_out = static_cast<unsigned>(out_.size());
      int rc = BZ2_bzCompress(&bz_, action);
      if (rc < 0) throw_internal_error("bzip2 compress error {}", rc);
      size_t have = out_.size() - bz_.avail_out;
      if (have > 0) target_->write(out_.data(), have);
      if (action == BZ_FINISH ? rc == BZ_STREAM_END : bz_.avail_in == 0) break;
    }
  }
  bz_stream bz_;
};

class Lz4OutputStream final : public CompressingStream {
 public:
  static constexpr size_t kChunk = 64 << 10;
  Lz4OutputStream(std::unique_ptr<OutputStream> target, int level)
      : CompressingStream(std::move(target)) {
    if (LZ4F_isError(LZ4F_createCompressionContext(&ctx_, LZ4F_VERSION)))
      throw_internal_error("LZ4F_createCompressionContext failed");
    std::memset(&prefs_, 0, sizeof(prefs_));
    prefs_.compressionLevel = level < 0 ? 0 : level;
    prefs_.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    out_.resize(std::max<size_t>(LZ4F_compressBound(kChunk, &prefs_), LZ4F_HEADER_SIZE_MAX));
    size_t rc = LZ4F_compressBegin(ctx_, out_.data(), out_.size(), &prefs_);
    if (LZ4F_isError(rc)) throw_internal_error("lz4: {}", LZ4F_getErrorName(rc));
    header_ = rc;
  }
  ~Lz4OutputStream() override { LZ4F_freeCompressionContext(ctx_); }

 protected:
  void compress(const char* data, size_t n) override {
    flush_header();
    while (n > 0) {
      size_t chunk = std::min(n, kChunk);
      size_t rc = LZ4F_compressUpdate(ctx_, out_.data(), out_.size(), data, chunk, nullptr);
      if (LZ4F_isError(rc)) throw_internal_error("lz4: {}", LZ4F_getErrorName(rc));
      if (rc > 0) target_->write(out_.data(), rc);
      data += chunk;
      n -= chunk;
    }
  }
  void end() override {
    flush_header();
    size_t rc = LZ4F_compressEnd(ctx_, out_.data(), out_.size(), nullptr);
    if (LZ4F_isError(rc)) throw_internal_error("lz4: {}", LZ4F_getErrorName(rc));
    if (rc > 0) target_->write(out_.data(), rc);
  }

 private:
  void flush_header() {
    if (header_ == 0) return;
    target_->write(out_.data(), header_);
    header_ = 0;
  }
  LZ4F_cctx* ctx_ = nullptr;
  LZ4F_preferences_t prefs_;
  size_t header_ = 0;
};

}  // namespace

Compression compression_for_path(const std::string& path) {
  std::string p = Options::lower(path);
  if (ends_with(p, ".gz") || ends_with(p, ".gzip")) return Compression::kGzip;
  if (ends_with(p, ".zst") || ends_with(p, ".zstd")) return Compression::kZstd;
  if (ends_with(p, ".bz2")) return Compression::kBzip2;
  if (ends_with(p, ".lz4")) return Compression::kLz4;
  return Compression::kNone;
}

Compression compression_by_name(const std::string& name, const std::string& path) {
  std::string n = Options::lower(name);
  if (n == "auto" || n.empty()) return compression_for_path(path);
  if (n == "none" || n == "uncompressed") return Compression::kNone;
  if (n == "gzip" || n == "gz") return Compression::kGzip;
  if (n == "zstd" || n == "zst") return Compression::kZstd;
  if (n == "bz2" || n == "bzip2") return Compression::kBzip2;
  if (n == "lz4") return Compression::kLz4;
  std::string hint =
      nearest_name(n, {"auto", "none", "uncompressed", "gzip", "zstd", "bz2", "bzip2", "lz4"});
  throw_user_error("unknown compression '{}'{} (known: auto, none, gzip, zstd, bz2, lz4)", name,
                   hint.empty() ? "" : " (did you mean '" + hint + "'?)");
}

const char* compression_suffix(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return ".gz";
    case Compression::kZstd:
      return ".zst";
    case Compression::kBzip2:
      return ".bz2";
    case Compression::kLz4:
      return ".lz4";
    case Compression::kNone:
      break;
  }
  return "";
}

std::unique_ptr<InputStream> open_input_stream(std::shared_ptr<RandomAccessFile> file,
                                               Compression codec, int64_t begin, int64_t end) {
  std::string path = file->path();
  if (codec != Compression::kNone && begin != 0)
    throw_internal_error("byte range of compressed file '{}'", path);
  int64_t length = end < 0 ? -1 : end - begin;
  auto raw = sequential_stream(std::make_unique<SharedFile>(std::move(file)), begin, length);
  switch (codec) {
    case Compression::kNone:
      return raw;
    case Compression::kGzip:
      return std::make_unique<GzipInputStream>(std::move(raw), path);
    case Compression::kZstd:
      return std::make_unique<ZstdInputStream>(std::move(raw), path);
    case Compression::kBzip2:
      return std::make_unique<Bzip2InputStream>(std::move(raw), path);
    case Compression::kLz4:
      return std::make_unique<Lz4InputStream>(std::move(raw), path);
  }
  return raw;
}

std::unique_ptr<OutputStream> compressing_stream(std::unique_ptr<OutputStream> target,
                                                 Compression codec, int level) {
  switch (codec) {
    case Compression::kNone:
      return target;
    case Compression::kGzip:
      return std::make_unique<GzipOutputStream>(std::move(target), level);
    case Compression::kZstd:
      return std::make_unique<ZstdOutputStream>(std::move(target), level);
    case Compression::kBzip2:
      return std::make_unique<Bzip2OutputStream>(std::move(target), level);
    case Compression::kLz4:
      return std::make_unique<Lz4OutputStream>(std::move(target), level);
  }
  return target;
}

}  // namespace velo
