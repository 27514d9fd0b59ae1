// Compressed bytes -> every decompressor that sees untrusted input: the whole-stream codecs of
// text files (open_input_stream: gzip incl. concatenated members, zstd frames, bzip2, LZ4 frame),
// Parquet page codecs (snappy, gzip, brotli, lz4 hadoop/raw, zstd, into an exact output size) and
// Avro block codecs (deflate, snappy + CRC, zstandard). The FIRST byte picks the codec; for
// Parquet the next two bytes give the expected decompressed size.
#include <string>

#include "fuzz_util.h"
#include "velo/batch/buffer.h"
#include "velo/formats/avro/avro_container.h"
#include "velo/formats/compression/compression.h"
#include "velo/formats/parquet/parquet_codec.h"

namespace {

constexpr size_t kMaxOutput = size_t{64} << 20;  // stop reading a stream after this much

void read_stream(velo::Compression codec, const uint8_t* data, size_t size, size_t chunk) {
  auto file = velo::fuzz::memory_file("fuzz.bin", data, size);
  auto in = velo::open_input_stream(file, codec);
  std::string buf(chunk, '\0');
  size_t total = 0;
  while (total < kMaxOutput) {
    size_t n = in->read(buf.data(), buf.size());
    velo::fuzz::check(n <= buf.size(), "read returned more than asked");
    if (n == 0) break;
    total += n;
  }
  velo::fuzz::check(in->bytes_consumed() >= 0 && in->bytes_consumed() <= static_cast<int64_t>(size),
                    "bytes_consumed outside the input", std::to_string(in->bytes_consumed()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t selector = data[0];
  const uint8_t* body = data + 1;
  const size_t n = size - 1;
  // Odd small reads exercise the streams' buffer refills; large ones their fast paths.
  const size_t chunk = (selector & 0x80) ? 7 : 65536;
  velo::fuzz::expect_clean([&] {
    switch (selector & 0x0f) {
      case 0:
        return read_stream(velo::Compression::kGzip, body, n, chunk);
      case 1:
        return read_stream(velo::Compression::kZstd, body, n, chunk);
      case 2:
        return read_stream(velo::Compression::kBzip2, body, n, chunk);
      case 3:
        return read_stream(velo::Compression::kLz4, body, n, chunk);
      case 4:
        return read_stream(velo::Compression::kNone, body, n, chunk);
      case 5:
      case 6:
      case 7:
      case 8: {
        static const velo::avro::Codec kCodecs[] = {
            velo::avro::Codec::kNull, velo::avro::Codec::kDeflate, velo::avro::Codec::kSnappy,
            velo::avro::Codec::kZstandard};
        velo::Buffer out;
        std::string copy(reinterpret_cast<const char*>(body), n);
        velo::avro::decompress_block(kCodecs[(selector & 0x0f) - 5],
                                     reinterpret_cast<const uint8_t*>(copy.data()), n, &out,
                                     "fuzz.avro", 0, 0);
        return;
      }
      default: {
        if (n < 2) return;
        static const velo::parquet::Codec kCodecs[] = {
            velo::parquet::Codec::kUncompressed, velo::parquet::Codec::kSnappy,
            velo::parquet::Codec::kGzip,         velo::parquet::Codec::kBrotli,
            velo::parquet::Codec::kLz4,          velo::parquet::Codec::kZstd,
            velo::parquet::Codec::kLz4Raw};
        velo::parquet::Codec codec = kCodecs[((selector & 0x0f) - 9) % 7];
        size_t out_size = body[0] | (size_t{body[1]} << 8);
        std::string in(reinterpret_cast<const char*>(body + 2), n - 2);
        std::string out(out_size, '\0');
        velo::parquet::decompress(codec, reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                                  reinterpret_cast<uint8_t*>(out.data()), out.size(),
                                  "fuzz.parquet", 0);
        return;
      }
    }
  });
  return 0;
}
