#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "velo/batch/buffer.h"
#include "velo/formats/avro/avro_schema.h"
#include "velo/fs/file_system.h"

namespace velo::avro {

/// Avro object container files: header ('Obj' 1, metadata map, 16-byte sync marker), then
/// blocks of (count, byte size, compressed datums, sync marker).

enum class Codec : uint8_t { kNull, kDeflate, kSnappy, kZstandard };

/// From an `avro.codec` value or a `compression` option ("null"/"none"/"uncompressed",
/// "deflate", "snappy", "zstandard"/"zstd"). bzip2 and xz throw "not supported yet"; anything
/// else throws a format error (for_write = false) or a user error listing the names.
Codec codec_by_name(const std::string& name, bool for_write);
/// The `avro.codec` spelling.
const char* codec_name(Codec codec);

inline constexpr size_t kSyncSize = 16;
using SyncMarker = std::array<uint8_t, kSyncSize>;

/// Largest decompressed block accepted (a guard against decompression bombs and absurd lengths).
inline constexpr int64_t kMaxBlockBytes = int64_t{1} << 30;

struct ContainerHeader {
  AvroSchemaPtr schema;
  std::string schema_json;
  Codec codec = Codec::kNull;
  std::map<std::string, std::string> metadata;
  SyncMarker sync{};
  int64_t size = 0;  // bytes of the header, i.e. the offset of the first block
};

/// Reads and validates the header (reads only the header bytes). Throws a kFormat error naming
/// the file: bad magic, version 0 files ("unsupported version"), truncation, a metadata map
/// without avro.schema, an unparsable schema, an unknown codec.
ContainerHeader read_container_header(const RandomAccessFile& file);

/// Decompresses one block's data into `out` (replacing its contents). Throws a kFormat error
/// naming `file`, the block index and its offset on corrupt data, a bad snappy CRC, or output
/// above kMaxBlockBytes.
void decompress_block(Codec codec, const uint8_t* in, size_t n, Buffer* out,
                      const std::string& file, int64_t block, int64_t offset);
/// Appends the compressed form of `in` to `out`. level < 0 = the codec's default.
void compress_block(Codec codec, const uint8_t* in, size_t n, int level, Buffer* out);

/// One block handed out by BlockReader: decompressed datums.
struct Block {
  int64_t index = 0;   // 0-based block number
  int64_t offset = 0;  // file offset of the block's count
  int64_t count = 0;   // datums in the block
  const uint8_t* data = nullptr;
  size_t size = 0;  // decompressed bytes
  int64_t end = 0;  // file offset just past the block's sync marker
};

/// Reads blocks front to back with few large reads (a window of >= 1 MiB, or one read per block
/// larger than that). Lengths are checked against the bytes left in the file before any
/// allocation. Single-threaded.
class BlockReader {
 public:
  BlockReader(std::shared_ptr<RandomAccessFile> file, const ContainerHeader& header,
              int64_t min_datum_size);
  /// The next block, or false at the end of the file. Throws a kFormat error naming the file,
  /// block number and offset on framing errors (bad counts or sizes, truncation, wrong sync
  /// marker) and codec errors.
  bool next(Block* out);
  /// After an error, moves past the next occurrence of the sync marker at or after `from`
  /// (on_error = skip); false when there is none.
  bool resync(int64_t from);
  /// File offset of the next block.
  int64_t position() const { return pos_; }
  int64_t blocks_read() const { return index_; }

 private:
  // Makes [pos, pos + n) available in the window; n is capped at the file's end. Returns a
  // pointer to pos and sets *avail to the bytes available.
  const uint8_t* window(int64_t pos, size_t n, size_t* avail);
  [[noreturn]] void fail(int64_t offset, const std::string& what) const;

  std::shared_ptr<RandomAccessFile> file_;
  Codec codec_;
  SyncMarker sync_;
  int64_t min_datum_size_;
  int64_t file_size_;
  int64_t pos_;
  int64_t index_ = 0;
  Buffer win_;
  int64_t win_begin_ = 0;
  size_t win_size_ = 0;
  Buffer decompressed_;
};

/// Writes an object container file: header at construction, then blocks.
class ContainerWriter {
 public:
  /// `out` is not owned and must outlive the writer. `metadata` adds user entries (keys starting
  /// "avro." are reserved).
  ContainerWriter(OutputStream* out, AvroSchemaPtr schema, Codec codec, int level,
                  const std::map<std::string, std::string>& metadata = {});
  /// Writes one block of `count` datums encoded back to back in `data`.
  void write_block(int64_t count, const uint8_t* data, size_t size);
  const SyncMarker& sync() const { return sync_; }

 private:
  OutputStream* out_;
  Codec codec_;
  int level_;
  SyncMarker sync_;
  Buffer scratch_;
};

}  // namespace velo::avro
