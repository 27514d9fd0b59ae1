#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "velo/fs/file_system.h"

namespace velo {

/// A finished file of a file sink: durable, invisible until committed.
struct PendingFile {
  std::string path;  // final path (URI as the FileSystem names it)
  int64_t rows = 0;
  int64_t bytes = 0;
  std::unique_ptr<OutputStream> stream;  // prepared; null when described by a handle only
  /// The stream's pending_token(): how another process publishes the file. Empty in handles
  /// written before tokens existed (local files only).
  std::string token;
};

/// The handle a file sink's prepare() returns: one JSON object per line and per file,
/// `{"path":"<final path>","rows":N,"bytes":N,"token":"<pending token>"}`; "" when nothing is
/// pending. Self-contained: a fresh sink in another process commits it (commit_prepared_file).
std::string encode_sink_handle(const std::vector<PendingFile>& files);
/// The files of a handle (streams null). Throws an internal error for a malformed handle.
std::vector<PendingFile> decode_sink_handle(const std::string& handle);

/// Publishes a file of a handle that another process prepared and perhaps did not commit
/// (recovery after a crash). Idempotent: a file already published (or published and then
/// consumed) is left alone. With a token: FileSystem::commit_pending. Without one (a handle
/// of an older checkpoint; local files only): renames the hidden temp file LocalFileSystem
/// leaves next to the target (`.<name>.velo-tmp-<pid>-<random>`; names are unique per sink
/// instance, so at most one matches).
void commit_prepared_file(FileSystem& fs, const PendingFile& file);

/// Runs the publish steps of a handle's files, up to `parallel` at a time: an object-store
/// commit is a request or two, and a partitioned sink's checkpoint publishes hundreds of files.
/// Every step runs; the first failure is rethrown after all finished.
void publish_concurrently(const std::vector<std::function<void()>>& steps, size_t parallel);

}  // namespace velo
