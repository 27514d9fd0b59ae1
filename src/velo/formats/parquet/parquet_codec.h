#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "velo/batch/buffer.h"
#include "velo/formats/parquet/parquet_metadata.h"

namespace velo::parquet {

/// Decompresses one page body of `codec` into exactly `out_size` bytes at `out`. Throws a format
/// error naming `file` and `offset` (the page's file offset) when the data is corrupt or does not
/// decompress to `out_size` bytes. Legacy LZ4 tries the Hadoop framing, then a raw block.
void decompress(Codec codec, const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size,
                const std::string& file, int64_t offset);

/// The most bytes `compressed_size` bytes of `codec` can decompress to, or 0 when the codec has
/// no useful bound (ZSTD and BROTLI can expand a few bytes to gigabytes). Used to refuse page
/// sizes a corrupt header asks for before allocating them.
uint64_t max_decompressed_size(Codec codec, uint64_t compressed_size);

/// Appends the compressed form of `in` to `out`.
void compress(Codec codec, const uint8_t* in, size_t in_size, Buffer* out);

/// "snappy", "zstd", "gzip", "lz4_raw", "brotli", "none"/"uncompressed" -> Codec; user error
/// listing the names otherwise.
Codec codec_from_name(const std::string& name);
const char* codec_name(Codec codec);

}  // namespace velo::parquet
