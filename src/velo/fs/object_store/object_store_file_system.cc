#include "velo/fs/object_store/object_store_file_system.h"

#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <mutex>

#include "velo/fs/glob.h"
#include "velo/fs/pending_token.h"
#include "velo/types/error.h"

namespace velo {

namespace {

// True when a key below a listed directory has a segment hidden from directory reads (".tmp",
// "_SUCCESS", "_delta_log/..."), like the local file system's walk.
bool has_private_segment(std::string_view rest) {
  size_t pos = 0;
  while (pos < rest.size()) {
    if (rest[pos] == '.' || rest[pos] == '_') return true;
    size_t slash = rest.find('/', pos);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return false;
}

// Sizes this file system has seen (listings, HEADs), so opening a file a listing just returned
// costs no HEAD (a file source opens each file once per split and reader). Writes and removes
// through this file system forget the entry.
class KnownSizes {
 public:
  std::optional<ObjectEntry> find(const std::string& uri) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(uri);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  void remember(const std::string& uri, const ObjectEntry& e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_[uri] = e;
  }
  void forget(const std::string& uri) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(uri);
  }

 private:
  static constexpr size_t kMaxEntries = 100000;
  mutable std::mutex mu_;
  std::map<std::string, ObjectEntry> entries_;
};

class ObjectReadFile final : public RandomAccessFile {
 public:
  ObjectReadFile(std::shared_ptr<const ObjectStore> store, ObjectLocation at, std::string path,
                 int64_t size)
      : store_(std::move(store)), at_(std::move(at)), path_(std::move(path)), size_(size) {}

  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    if (offset < 0) throw_internal_error("negative read offset on '{}'", path_);
    if (offset >= size_ || n == 0) return 0;
    n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), size_ - offset));
    return store_->read_range(at_, offset, n, out);
  }

 private:
  std::shared_ptr<const ObjectStore> store_;
  ObjectLocation at_;
  std::string path_;
  int64_t size_;
};

class ObjectOutputStream final : public OutputStream {
 public:
  ObjectOutputStream(std::shared_ptr<const ObjectStore> store, ObjectLocation at, std::string path,
                     std::shared_ptr<KnownSizes> sizes)
      : store_(std::move(store)),
        at_(std::move(at)),
        path_(std::move(path)),
        sizes_(std::move(sizes)),
        part_size_(static_cast<size_t>(store_->part_size())),
        concurrency_(static_cast<size_t>(std::max(1, store_->upload_concurrency()))) {}
  ~ObjectOutputStream() override {
    if (!committed_) abort();
  }

  void write(const void* data, size_t n) override {
    if (committed_ || aborted_) throw_internal_error("write to closed file '{}'", path_);
    if (prepared_) throw_internal_error("write to '{}' after prepare()", path_);
    const char* p = static_cast<const char*>(data);
    written_ += static_cast<int64_t>(n);
    while (n > 0) {
      if (buffer_.capacity() < part_size_ && buffer_.size() + n > buffer_.capacity())
        buffer_.reserve(std::min(part_size_, std::max(buffer_.capacity() * 2, buffer_.size() + n)));
      size_t take = std::min(n, part_size_ - buffer_.size());
      buffer_.append(p, take);
      p += take;
      n -= take;
      if (buffer_.size() == part_size_) send_part();
    }
  }
  int64_t bytes_written() const override { return written_; }

  // Every byte goes to the service as a part (durable there, invisible), and no buffer stays.
  void prepare() override {
    if (committed_ || prepared_) return;
    if (aborted_) throw_internal_error("prepare of aborted file '{}'", path_);
    if (!buffer_.empty()) send_part();
    wait_in_flight();
    release_buffers();
    prepared_ = true;
  }

  void commit() override {
    if (committed_) return;
    if (aborted_) throw_internal_error("commit of aborted file '{}'", path_);
    sizes_->forget(path_);
    if (!prepared_ && !upload_) {
      store_->put(at_, buffer_);
    } else {
      prepare();
      if (parts_ == 0)
        store_->put(at_, "");
      else
        upload_->complete(parts_, written_);
    }
    committed_ = true;
    release_buffers();
  }

  void abort() noexcept override {
    if (committed_ || aborted_) return;
    aborted_ = true;
    while (!in_flight_.empty()) {
      try {
        wait_oldest();
      } catch (...) {
        // The part failed; the upload is being dropped anyway.
      }
    }
    if (upload_) upload_->abort();
    release_buffers();
  }

  std::string pending_token() const override {
    if (!prepared_) throw_internal_error("pending_token() of '{}' before prepare()", path_);
    PendingTokenWriter t;
    t.add("fs", "object").add("uri", path_).add("bytes", written_).add("parts", parts_);
    if (upload_) t.add("upload", upload_->resume_state(parts_));
    return t.str();
  }

  const std::string& path() const override { return path_; }

 private:
  struct PartInFlight {
    std::future<void> done;
    std::string body;
  };

  // Starts uploading the buffer as the next part in the background, so encoding and uploads
  // overlap; at most concurrency_ parts are in flight (the oldest is waited for first).
  void send_part() {
    if (!upload_) upload_ = store_->start_multipart(at_);
    std::string recycled;
    if (in_flight_.size() >= concurrency_) recycled = wait_oldest();
    auto part = std::make_unique<PartInFlight>();
    part->body.swap(buffer_);
    buffer_.swap(recycled);
    buffer_.clear();
    int number = ++parts_;
    MultipartUpload* upload = upload_.get();
    const std::string* body = &part->body;
    part->done = std::async(std::launch::async,
                            [upload, number, body] { upload->upload_part(number, *body); });
    in_flight_.push_back(std::move(part));
  }
  // Waits for the oldest part; returns its buffer for reuse. Rethrows its failure.
  std::string wait_oldest() {
    std::unique_ptr<PartInFlight> part = std::move(in_flight_.front());
    in_flight_.pop_front();
    part->done.get();
    return std::move(part->body);
  }
  void wait_in_flight() {
    while (!in_flight_.empty()) wait_oldest();
  }
  void release_buffers() {
    std::string().swap(buffer_);
    in_flight_.clear();
  }

  std::shared_ptr<const ObjectStore> store_;
  ObjectLocation at_;
  std::string path_;
  std::shared_ptr<KnownSizes> sizes_;
  size_t part_size_;
  size_t concurrency_;
  std::string buffer_;
  std::unique_ptr<MultipartUpload> upload_;
  // After upload_: parts in flight use it, so they must be destroyed (waited for) first.
  std::deque<std::unique_ptr<PartInFlight>> in_flight_;
  int parts_ = 0;
  int64_t written_ = 0;
  bool prepared_ = false;
  bool committed_ = false;
  bool aborted_ = false;
};

class ObjectStoreFileSystem final : public FileSystem {
 public:
  explicit ObjectStoreFileSystem(std::shared_ptr<const ObjectStore> store)
      : store_(std::move(store)), sizes_(std::make_shared<KnownSizes>()) {}

  std::vector<FileInfo> list(const std::string& pattern) override {
    ObjectLocation at = store_->locate(pattern);
    std::vector<FileInfo> out;
    auto add = [&](const ObjectEntry& e) {
      out.push_back(FileInfo{at.uri_prefix + e.key, e.size, e.modified_us});
      sizes_->remember(out.back().path, e);
    };
    if (has_glob_chars(at.key)) {
      Glob glob(at.key);
      for (const auto& e : store_->list(at, literal_key_prefix(at.key)))
        if (glob.matches(e.key)) add(e);
    } else {
      std::string dir = at.key;
      if (!dir.empty() && dir.back() != '/') {
        if (auto e = store_->head(at)) {
          add(*e);
          return out;
        }
        dir += '/';
      }
      for (const auto& e : store_->list(at, dir)) {
        std::string_view rest = std::string_view(e.key).substr(dir.size());
        if (rest.empty() || rest.back() == '/') continue;  // "directory" marker objects
        if (!has_private_segment(rest)) add(e);
      }
    }
    std::sort(out.begin(), out.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
  }

  std::unique_ptr<RandomAccessFile> open_read(const std::string& uri) override {
    ObjectLocation at = store_->locate(uri);
    auto e = sizes_->find(uri);
    if (!e) {
      e = store_->head(at);
      if (!e)
        throw Error(ErrorKind::kIo, fmt::format("cannot open '{}': no such object", uri),
                    ErrorLocation{uri});
      sizes_->remember(uri, *e);
    }
    return std::make_unique<ObjectReadFile>(store_, std::move(at), uri, e->size);
  }

  std::unique_ptr<OutputStream> open_write(const std::string& uri) override {
    ObjectLocation at = store_->locate(uri);
    if (at.key.empty() || at.key.back() == '/')
      throw_user_error("cannot write to directory '{}'", uri);
    return std::make_unique<ObjectOutputStream>(store_, std::move(at), uri, sizes_);
  }

  void remove(const std::string& uri) override {
    sizes_->forget(uri);
    store_->remove(store_->locate(uri));
  }

  bool exists(const std::string& uri) override {
    sizes_->forget(uri);  // an existence check asks the service
    ObjectLocation at = store_->locate(uri);
    if (!at.key.empty() && at.key.back() != '/' && store_->head(at)) return true;
    std::string dir = at.key;
    if (!dir.empty() && dir.back() != '/') dir += '/';
    return !store_->list(at, dir, 1).empty();
  }

  void commit_pending(const std::string& token) override {
    PendingTokenReader t(token);
    if (t.string("fs") != "object")
      throw_internal_error("not an object-store pending file: {}", token);
    std::string uri = t.string("uri");
    ObjectLocation at = store_->locate(uri);
    sizes_->forget(uri);
    int64_t parts = t.integer("parts");
    if (parts == 0) {
      // An empty object: nothing was uploaded, so there is nothing the service could expire.
      if (!store_->head(at)) store_->put(at, "");
      return;
    }
    store_->resume_multipart(at, t.string("upload"))
        ->complete(static_cast<int>(parts), t.integer("bytes"));
  }

  void abort_pending(const std::string& token) noexcept override {
    try {
      PendingTokenReader t(token);
      if (t.integer("parts") == 0) return;
      ObjectLocation at = store_->locate(t.string("uri"));
      store_->resume_multipart(at, t.string("upload"))->abort();
    } catch (...) {
      // Best effort by contract: unpublished parts are invisible and the service expires them.
    }
  }

 private:
  std::shared_ptr<const ObjectStore> store_;
  std::shared_ptr<KnownSizes> sizes_;
};

}  // namespace

std::string literal_key_prefix(const std::string& glob_key) {
  size_t first = glob_key.find_first_of("*?[{");
  return first == std::string::npos ? glob_key : glob_key.substr(0, first);
}

std::shared_ptr<FileSystem> object_store_file_system(std::shared_ptr<const ObjectStore> store) {
  return std::make_shared<ObjectStoreFileSystem>(std::move(store));
}

}  // namespace velo
