#pragma once

#include <memory>
#include <string>

#include "velo/fs/file_system.h"

namespace velo {

/// Whole-stream compression of text files, chosen by file extension or the `compression` option.
enum class Compression { kNone, kGzip, kZstd, kBzip2, kLz4 };

/// From a path's suffix: ".gz"/".gzip" gzip, ".zst"/".zstd" zstd, ".bz2" bzip2, ".lz4" LZ4
/// frame; anything else kNone.
Compression compression_for_path(const std::string& path);
/// From an option value ("gzip", "zstd", "bz2", "lz4", "none"/"uncompressed", "auto" = by path).
/// Throws a user error listing the known names.
Compression compression_by_name(const std::string& name, const std::string& path);
/// File suffix for a codec (".gz"), "" for kNone.
const char* compression_suffix(Compression c);

/// Reads bytes [begin, end) of `file` (end = -1: to the end) front to back, decompressing with
/// `codec`. Compressed files are read whole (begin must be 0). Concatenated gzip members and zstd
/// frames are read in sequence. Corrupt input throws a kFormat error naming the file.
std::unique_ptr<InputStream> open_input_stream(std::shared_ptr<RandomAccessFile> file,
                                               Compression codec, int64_t begin = 0,
                                               int64_t end = -1);

/// An OutputStream that compresses into `target` (taking ownership) and forwards prepare/commit/
/// abort to it. kNone returns `target` itself.
std::unique_ptr<OutputStream> compressing_stream(std::unique_ptr<OutputStream> target,
                                                 Compression codec, int level = -1);

}  // namespace velo
