#include "velo/formats/compression/compression.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "velo/types/error.h"

namespace velo {
namespace {

class MemoryFile final : public RandomAccessFile {
 public:
  MemoryFile(std::string path, std::string data) : path_(std::move(path)), data_(std::move(data)) {}
  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(data_.size()); }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    if (offset >= size()) return 0;
    size_t k = std::min(n, data_.size() - static_cast<size_t>(offset));
    std::memcpy(out, data_.data() + offset, k);
    return k;
  }

 private:
  std::string path_;
  std::string data_;
};

class MemoryOutput final : public OutputStream {
 public:
  explicit MemoryOutput(std::string* sink) : sink_(sink) {}
  void write(const void* data, size_t n) override {
    buffer_.append(static_cast<const char*>(data), n);
  }
  int64_t bytes_written() const override { return static_cast<int64_t>(buffer_.size()); }
  void prepare() override { ++prepares; }
  void commit() override { *sink_ = buffer_; }
  void abort() noexcept override { buffer_.clear(); }
  const std::string& path() const override { return path_; }
  int prepares = 0;

 private:
  std::string* sink_;
  std::string buffer_;
  std::string path_ = "mem";
};

std::string compress(const std::string& data, Compression c, size_t piece = 4096) {
  std::string out;
  auto s = compressing_stream(std::make_unique<MemoryOutput>(&out), c);
  for (size_t i = 0; i < data.size(); i += piece)
    s->write(data.data() + i, std::min(piece, data.size() - i));
  s->prepare();
  s->commit();
  return out;
}

std::string decompress(const std::string& bytes, Compression c, size_t piece = 10000,
                       const std::string& name = "data.bin") {
  auto in = open_input_stream(std::make_shared<MemoryFile>(name, bytes), c);
  std::string out;
  std::vector<char> buf(piece);
  while (size_t n = in->read(buf.data(), buf.size())) out.append(buf.data(), n);
  EXPECT_EQ(in->bytes_consumed(), static_cast<int64_t>(bytes.size()));
  return out;
}

// Compressible but not trivial: text-like lines with random numbers.
std::string sample(size_t bytes) {
  std::mt19937 rng(42);
  std::string s;
  while (s.size() < bytes) s += "row," + std::to_string(rng() % 100000) + ",some text\n";
  s.resize(bytes);
  return s;
}

class CodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CodecTest, RoundTripsLargeData) {
  std::string data = sample(5 << 20);
  std::string packed = compress(data, GetParam());
  EXPECT_LT(packed.size(), data.size() / 2);
  EXPECT_EQ(decompress(packed, GetParam()), data);
  EXPECT_EQ(decompress(packed, GetParam(), 3), data.substr(0, data.size()));  // tiny reads
  // Large single reads (bigger than the internal buffers).
  EXPECT_EQ(decompress(packed, GetParam(), 3 << 20), data);
}

TEST_P(CodecTest, HighlyCompressibleInputBoundedReads) {
  std::string data(20 << 20, 'x');
  EXPECT_EQ(decompress(compress(data, GetParam(), 1 << 20), GetParam(), 1 << 16), data);
}

TEST_P(CodecTest, EmptyAndConcatenated) {
  EXPECT_EQ(decompress(compress("", GetParam()), GetParam()), "");
  std::string a = sample(100000), b = "second part\n";
  EXPECT_EQ(decompress(compress(a, GetParam()) + compress(b, GetParam()), GetParam()), a + b);
}

TEST_P(CodecTest, CorruptDataIsFormatErrorNamingFile) {
  std::string packed = compress(sample(200000), GetParam());
  std::string bad = packed;
  for (size_t i = bad.size() / 3; i < bad.size() / 3 + 64; ++i) bad[i] ^= 0x5a;
  try {
    decompress(bad, GetParam(), 10000, "broken.file");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    EXPECT_NE(e.message().find("broken.file"), std::string::npos) << e.message();
  }
  std::string truncated = packed.substr(0, packed.size() / 2);
  try {
    decompress(truncated, GetParam(), 10000, "short.file");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kFormat);
    EXPECT_NE(e.message().find("short.file"), std::string::npos) << e.message();
  }
}

INSTANTIATE_TEST_SUITE_P(All, CodecTest,
                         ::testing::Values(Compression::kGzip, Compression::kZstd,
                                           Compression::kBzip2, Compression::kLz4),
                         [](const auto& info) {
                           return std::string(compression_suffix(info.param) + 1);
                         });

TEST(CompressionTest, NamesAndSuffixes) {
  EXPECT_EQ(compression_for_path("a/x.csv.gz"), Compression::kGzip);
  EXPECT_EQ(compression_for_path("x.JSONL.ZST"), Compression::kZstd);
  EXPECT_EQ(compression_for_path("x.csv.bz2"), Compression::kBzip2);
  EXPECT_EQ(compression_for_path("x.csv.lz4"), Compression::kLz4);
  EXPECT_EQ(compression_for_path("x.csv"), Compression::kNone);
  EXPECT_EQ(compression_by_name("auto", "x.gz"), Compression::kGzip);
  EXPECT_EQ(compression_by_name("NONE", "x.gz"), Compression::kNone);
  EXPECT_EQ(compression_by_name("bzip2", "x"), Compression::kBzip2);
  EXPECT_STREQ(compression_suffix(Compression::kZstd), ".zst");
  try {
    compression_by_name("gzp", "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser);
    EXPECT_NE(e.message().find("gzip"), std::string::npos);
  }
}

TEST(CompressionTest, UncompressedRangeAndPassThrough) {
  auto in =
      open_input_stream(std::make_shared<MemoryFile>("f", "0123456789"), Compression::kNone, 3, 7);
  char buf[16];
  EXPECT_EQ(in->read(buf, 16), 4u);
  EXPECT_EQ(std::string(buf, 4), "3456");
  EXPECT_EQ(in->read(buf, 16), 0u);
  std::string out;
  auto raw = std::make_unique<MemoryOutput>(&out);
  OutputStream* p = raw.get();
  EXPECT_EQ(compressing_stream(std::move(raw), Compression::kNone).get(), p);
}

TEST(CompressionTest, PrepareForwardsAndAbortDiscards) {
  std::string out = "untouched";
  auto target = std::make_unique<MemoryOutput>(&out);
  MemoryOutput* t = target.get();
  auto s = compressing_stream(std::move(target), Compression::kGzip);
  s->write("abc", 3);
  s->prepare();
  EXPECT_EQ(t->prepares, 1);
  s->abort();
  EXPECT_EQ(out, "untouched");
}

TEST(CompressionTest, GzipTrailingZeroPaddingIsIgnored) {
  std::string packed = compress("hello\n", Compression::kGzip) + std::string(512, '\0');
  EXPECT_EQ(decompress(packed, Compression::kGzip), "hello\n");
}

}  // namespace
}  // namespace velo
