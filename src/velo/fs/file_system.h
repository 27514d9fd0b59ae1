#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "velo/io/options.h"

namespace velo {

struct FileInfo {
  std::string path;  // as the file system names it (URI for object stores)
  int64_t size = 0;
  int64_t modified_us = 0;  // microseconds since epoch
};

/// Random-access reads of one file. Thread-safe: read_at may be called concurrently.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual const std::string& path() const = 0;
  virtual int64_t size() const = 0;
  /// Reads up to `n` bytes at `offset` into `out`; returns bytes read (short only at EOF).
  virtual size_t read_at(int64_t offset, size_t n, void* out) const = 0;
};

/// A byte stream read front to back (files, decompressors).
class InputStream {
 public:
  virtual ~InputStream() = default;
  /// Reads up to `n` bytes; returns 0 only at end of stream.
  virtual size_t read(void* out, size_t n) = 0;
  /// Compressed/raw bytes consumed so far (for progress).
  virtual int64_t bytes_consumed() const = 0;
};

/// A file being written. Nothing is visible under the final path until commit() (temp file +
/// rename locally, multipart complete on object stores); abort() or destruction without commit
/// leaves nothing behind.
class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual void write(const void* data, size_t n) = 0;
  virtual int64_t bytes_written() const = 0;
  /// Flushes and makes durable, still invisible; no write may follow. Holds no file descriptor
  /// or write buffer afterwards (a partitioned sink keeps many prepared files).
  virtual void prepare() = 0;
  /// Publishes under the final path. Idempotent.
  virtual void commit() = 0;
  virtual void abort() noexcept = 0;
  virtual const std::string& path() const = 0;
  /// Valid after prepare(): everything another process needs to publish (or discard) this file
  /// with FileSystem::commit_pending / abort_pending of the same kind of file system — recovery
  /// after a crash between a checkpoint and its commit. Opaque, printable text.
  virtual std::string pending_token() const;
};

/// ARCHITECTURE.md §3 FileSystem: local, s3, gcs, azure all implement this.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  /// Files matching a glob (`*`, `**`, `?`, `{a,b}`, `[abc]`) or a single path, sorted by path.
  /// A pattern that matches nothing returns an empty list (the caller decides if that's an error).
  virtual std::vector<FileInfo> list(const std::string& pattern) = 0;
  virtual std::unique_ptr<RandomAccessFile> open_read(const std::string& path) = 0;
  virtual std::unique_ptr<OutputStream> open_write(const std::string& path) = 0;
  virtual void remove(const std::string& path) = 0;
  virtual bool exists(const std::string& path) = 0;
  /// Publishes a file an OutputStream of this kind of file system prepared, possibly in another
  /// process, from its pending_token(). Idempotent: publishing again, or after the file was
  /// published (even if it was removed since), does nothing.
  virtual void commit_pending(const std::string& token);
  /// Discards what a pending_token() describes, best effort (some services keep unpublished
  /// parts until their own expiry). Never publishes.
  virtual void abort_pending(const std::string& token) noexcept;
};

/// The file system for a URI or plain path: file:// and plain paths are local; other schemes
/// are registered by their modules. Throws "connector 's3' is not available yet" for unknown.
std::shared_ptr<FileSystem> file_system_for(const std::string& uri, const Options& options);

using FileSystemFactory = std::shared_ptr<FileSystem> (*)(const std::string& uri,
                                                          const Options& options);
/// Registers a factory for a URI scheme ("s3", "gs", "azure"). Called from register_* functions.
void register_file_system(const std::string& scheme, FileSystemFactory factory);

/// Reads a whole RandomAccessFile front to back as an InputStream.
std::unique_ptr<InputStream> sequential_stream(std::unique_ptr<RandomAccessFile> file,
                                               int64_t offset = 0, int64_t length = -1);

}  // namespace velo
