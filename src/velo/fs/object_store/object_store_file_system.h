#pragma once

#include <memory>

#include "velo/fs/file_system.h"
#include "velo/fs/object_store/object_store.h"

namespace velo {

/// A FileSystem over any ObjectStore (S3, GCS, Azure Blob):
/// - list: a glob lists only the literal key prefix before its first wildcard (one paged
///   listing), then matches keys with velo/fs/glob.h; a plain key is the object itself, else a
///   "directory" (every object below key + '/', skipping segments that start with '.' or '_').
/// - open_read: one HEAD for the size (none for a file a listing of this instance returned);
///   read_at is one ranged GET per call, thread-safe.
/// - open_write: buffers up to the store's part size; past it, switches to a multipart upload
///   with up to upload_concurrency parts uploading in the background while the next fills.
///   prepare() uploads the buffered tail as a part too (a multipart upload even for a small
///   object), so the data is durable on the service and pending_token() lets another process
///   publish it with commit_pending (Complete / Put Block List). A stream committed without
///   prepare() and smaller than a part is one PUT. Nothing is visible before commit();
///   abort() or destruction discards. An empty prepared object uploads nothing: its token
///   publishes it with a PUT.
std::shared_ptr<FileSystem> object_store_file_system(std::shared_ptr<const ObjectStore> store);

/// The key prefix a listing for `glob_key` must cover: everything before the first wildcard.
std::string literal_key_prefix(const std::string& glob_key);

}  // namespace velo
