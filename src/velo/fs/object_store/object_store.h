#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace velo {

/// One object of a listing.
struct ObjectEntry {
  std::string key;
  int64_t size = 0;
  int64_t modified_us = 0;
};

/// A URI split into what the service needs: "s3://b/x/y" -> container "b", key "x/y", prefix
/// "s3://b/" (prefix + key is the URI again, in the form the user wrote).
struct ObjectLocation {
  std::string container;  // bucket or Azure container
  std::string key;
  std::string uri_prefix;
};

/// An upload committed in one step at the end: S3 multipart (parts, then Complete) or Azure
/// block blobs (Put Block, then Put Block List). Nothing is visible before complete(). Uploaded
/// parts are durable on the service, so another process can complete the upload from
/// resume_state() (ObjectStore::resume_multipart).
class MultipartUpload {
 public:
  virtual ~MultipartUpload() = default;
  /// Uploads part `number` (1-based, in order). Thread-safe against other parts.
  virtual void upload_part(int number, std::string_view body) = 0;
  /// Publishes parts 1..count; `total_bytes` is their summed size. Idempotent: when the upload
  /// was completed already (the object has total_bytes) this succeeds without a change.
  virtual void complete(int count, int64_t total_bytes) = 0;
  /// Drops uploaded parts where the service allows it; never throws.
  virtual void abort() noexcept = 0;
  /// What resume_multipart needs to complete or abort parts 1..count (all uploaded) elsewhere:
  /// S3 the upload id and the parts' ETags, Azure the block ids. Printable text.
  virtual std::string resume_state(int count) const = 0;
};

/// The handful of object operations a FileSystem needs (the Arrow FileSystem split: one generic
/// file system over per-service primitives). Implementations are thread-safe and throw io
/// Errors that name the URI, the HTTP status and the credential source.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual ObjectLocation locate(const std::string& uri) const = 0;
  virtual std::optional<ObjectEntry> head(const ObjectLocation& at) const = 0;
  /// One ranged GET of [offset, offset + n) into `out`; returns bytes received (short at EOF).
  virtual size_t read_range(const ObjectLocation& at, int64_t offset, size_t n,
                            void* out) const = 0;
  /// Objects whose key starts with `prefix`, in key order: every page, or stop after about
  /// `limit` entries when limit > 0.
  virtual std::vector<ObjectEntry> list(const ObjectLocation& container, const std::string& prefix,
                                        size_t limit = 0) const = 0;
  /// Single-request upload of a whole object.
  virtual void put(const ObjectLocation& at, std::string_view body) const = 0;
  virtual std::unique_ptr<MultipartUpload> start_multipart(const ObjectLocation& at) const = 0;
  /// The upload another process started at `at`, from its MultipartUpload::resume_state().
  virtual std::unique_ptr<MultipartUpload> resume_multipart(const ObjectLocation& at,
                                                            const std::string& state) const = 0;
  /// Deletes; a missing object is not an error.
  virtual void remove(const ObjectLocation& at) const = 0;
  /// Bytes buffered before an upload turns multipart, and the size of each part.
  virtual int64_t part_size() const = 0;
  /// Parts one stream may have uploading at once (memory: part_size * (this + 1)).
  virtual int upload_concurrency() const = 0;
};

}  // namespace velo
