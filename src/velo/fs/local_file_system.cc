#include "velo/fs/local_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "velo/fs/glob.h"
#include "velo/fs/pending_token.h"
#include "velo/types/error.h"

namespace velo {

namespace {

constexpr size_t kWriteBufferBytes = 1 << 20;
constexpr size_t kReadBufferBytes = 1 << 20;

[[noreturn]] void throw_errno(const char* what, const std::string& path, int err) {
  throw Error(ErrorKind::kIo, fmt::format("cannot {} '{}': {}", what, path, std::strerror(err)),
              ErrorLocation{path});
}

// "file:///a/b" -> "/a/b"; "file://a" -> "a"; plain paths unchanged.
std::string local_path(const std::string& uri) {
  if (uri.size() >= 7 && Options::lower(uri.substr(0, 7)) == "file://") {
    std::string rest = uri.substr(7);
    if (rest.rfind("localhost/", 0) == 0) rest = rest.substr(9);
    return rest;
  }
  return uri;
}

int64_t mtime_us(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
}

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string dir_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void make_dirs(const std::string& dir) {
  if (dir.empty() || dir == "." || dir == "/") return;
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw_errno("create directory", dir, ENOTDIR);
    return;
  }
  make_dirs(dir_of(dir));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw_errno("create directory", dir, errno);
}

// Walks `dir` (named `shown` in results) collecting regular files. `depth` counts segments
// below the walk root; `max_depth` = -1 is unbounded. `skip_private` drops names starting with
// '.' or '_' (directory reads); otherwise `glob` filters.
void walk(const std::string& dir, const std::string& shown, int depth, int max_depth,
          bool skip_private, const Glob* glob, std::vector<FileInfo>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return;
    throw_errno("list directory", dir, errno);
  }
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (skip_private && (name[0] == '.' || name[0] == '_')) continue;
    names.push_back(std::move(name));
  }
  ::closedir(d);
  for (const auto& name : names) {
    std::string full = join(dir, name);
    std::string shown_full = join(shown, name);
    struct stat st;
    if (::stat(full.c_str(), &st) != 0) continue;  // vanished or dangling link
    if (S_ISDIR(st.st_mode)) {
      if (max_depth < 0 || depth + 1 < max_depth)
        walk(full, shown_full, depth + 1, max_depth, skip_private, glob, out);
    } else if (S_ISREG(st.st_mode)) {
      if (glob != nullptr && !glob->matches(shown_full)) continue;
      out->push_back(FileInfo{shown_full, static_cast<int64_t>(st.st_size), mtime_us(st)});
    }
  }
}

// Renames a prepared temp file into place and makes the rename durable. False when the temp
// file is gone: it was published (or discarded) already.
bool publish_temp(const std::string& temp, const std::string& local) {
  if (::rename(temp.c_str(), local.c_str()) != 0) {
    if (errno == ENOENT) return false;
    throw_errno("rename into", local, errno);
  }
  int dfd = ::open(dir_of(local).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

class LocalRandomAccessFile final : public RandomAccessFile {
 public:
  LocalRandomAccessFile(std::string path, int fd, int64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~LocalRandomAccessFile() override { ::close(fd_); }
  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    size_t done = 0;
    char* dst = static_cast<char*>(out);
    while (done < n) {
      ssize_t r = ::pread(fd_, dst + done, n - done, offset + static_cast<int64_t>(done));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw_errno("read", path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }

 private:
  std::string path_;
  int fd_;
  int64_t size_;
};

class LocalOutputStream final : public OutputStream {
 public:
  LocalOutputStream(std::string path, std::string local, std::string temp, int fd)
      : path_(std::move(path)), local_(std::move(local)), temp_(std::move(temp)), fd_(fd) {
    buffer_.reserve(kWriteBufferBytes);
  }
  ~LocalOutputStream() override {
    if (!committed_) abort();
  }

  void write(const void* data, size_t n) override {
    if (committed_ || aborted_) throw_internal_error("write to closed file '{}'", path_);
    if (prepared_) throw_internal_error("write to '{}' after prepare()", path_);
    const char* p = static_cast<const char*>(data);
    if (buffer_.size() + n > kWriteBufferBytes) {
      flush();
      if (n >= kWriteBufferBytes) {
        write_fully(p, n);
        written_ += static_cast<int64_t>(n);
        return;
      }
    }
    buffer_.insert(buffer_.end(), p, p + n);
    written_ += static_cast<int64_t>(n);
  }
  int64_t bytes_written() const override { return written_; }

  // Durable and closed: commit is only the rename, and a sink may hold many prepared files.
  void prepare() override {
    if (committed_ || prepared_) return;
    if (aborted_) throw_internal_error("prepare of aborted file '{}'", path_);
    flush();
    std::vector<char>().swap(buffer_);
    if (::fsync(fd_) != 0) throw_errno("sync", temp_, errno);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw_errno("close", temp_, errno);
    prepared_ = true;
  }

  void commit() override {
    if (committed_) return;
    if (!prepared_) prepare();
    if (!publish_temp(temp_, local_))
      throw_io_error("cannot publish '{}': its temp file '{}' vanished", local_, temp_);
    committed_ = true;
  }

  void abort() noexcept override {
    if (committed_ || aborted_) return;
    aborted_ = true;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(temp_.c_str());
  }

  std::string pending_token() const override {
    if (!prepared_) throw_internal_error("pending_token() of '{}' before prepare()", path_);
    return PendingTokenWriter().add("fs", "local").add("temp", temp_).add("path", local_).str();
  }

  const std::string& path() const override { return path_; }

 private:
  void flush() {
    if (buffer_.empty()) return;
    write_fully(buffer_.data(), buffer_.size());
    buffer_.clear();
  }
  void write_fully(const char* p, size_t n) {
    while (n > 0) {
      ssize_t r = ::write(fd_, p, n);
      if (r < 0) {
        if (errno == EINTR) continue;
        throw_errno("write", temp_, errno);
      }
      p += r;
      n -= static_cast<size_t>(r);
    }
  }

  std::string path_;   // as the caller named it
  std::string local_;  // final local path
  std::string temp_;
  int fd_;
  std::vector<char> buffer_;
  int64_t written_ = 0;
  bool prepared_ = false;
  bool committed_ = false;
  bool aborted_ = false;
};

class LocalFileSystem final : public FileSystem {
 public:
  std::vector<FileInfo> list(const std::string& pattern) override {
    std::string path = local_path(pattern);
    std::vector<FileInfo> out;
    if (has_glob_chars(path)) {
      Glob glob(path);
      const std::string& prefix = glob.literal_prefix();
      walk(prefix.empty() ? "." : prefix, prefix, 0, glob.max_depth(), false, &glob, &out);
    } else {
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return out;
        throw_errno("stat", path, errno);
      }
      if (S_ISDIR(st.st_mode)) {
        std::string dir = path;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        walk(dir, dir, 0, -1, true, nullptr, &out);
      } else {
        out.push_back(FileInfo{path, static_cast<int64_t>(st.st_size), mtime_us(st)});
      }
    }
    std::sort(out.begin(), out.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
  }

  std::unique_ptr<RandomAccessFile> open_read(const std::string& uri) override {
    std::string path = local_path(uri);
    int fd;
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) throw_errno("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      throw_errno("stat", path, err);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw_errno("read", path, EISDIR);
    }
    return std::make_unique<LocalRandomAccessFile>(path, fd, static_cast<int64_t>(st.st_size));
  }

  std::unique_ptr<OutputStream> open_write(const std::string& uri) override {
    std::string path = local_path(uri);
    if (path.empty() || path.back() == '/') throw_user_error("cannot write to directory '{}'", uri);
    std::string dir = dir_of(path);
    make_dirs(dir);
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    for (int attempt = 0;; ++attempt) {
      std::string temp = join(dir == "." && path.find('/') == std::string::npos ? "" : dir,
                              fmt::format(".{}.velo-tmp-{}-{:016x}", base_of(path),
                                          static_cast<long>(::getpid()), rng()));
      int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0) return std::make_unique<LocalOutputStream>(uri, path, temp, fd);
      if (errno == EEXIST && attempt < 8) continue;
      if (errno == EINTR) continue;
      throw_errno("create", temp, errno);
    }
  }

  void remove(const std::string& uri) override {
    std::string path = local_path(uri);
    if (::unlink(path.c_str()) == 0) return;
    if (errno == ENOENT) return;
    if ((errno == EISDIR || errno == EPERM) && ::rmdir(path.c_str()) == 0) return;
    throw_errno("remove", path, errno);
  }

  bool exists(const std::string& uri) override {
    struct stat st;
    return ::stat(local_path(uri).c_str(), &st) == 0;
  }

  void commit_pending(const std::string& token) override {
    PendingTokenReader t(token);
    if (t.string("fs") != "local") throw_internal_error("not a local pending file: {}", token);
    publish_temp(t.string("temp"), t.string("path"));
  }

  void abort_pending(const std::string& token) noexcept override {
    try {
      PendingTokenReader t(token);
      ::unlink(t.string("temp").c_str());
    } catch (...) {
      // Best effort by contract; a malformed token names nothing to delete.
    }
  }
};

// Buffered front-to-back reads of [begin, end) of a RandomAccessFile.
class SequentialStream final : public InputStream {
 public:
  SequentialStream(std::unique_ptr<RandomAccessFile> file, int64_t offset, int64_t length)
      : file_(std::move(file)), pos_(offset) {
    int64_t size = file_->size();
    end_ = length < 0 ? size : std::min(size, offset + length);
    if (pos_ > end_) pos_ = end_;
  }

  size_t read(void* out, size_t n) override {
    char* dst = static_cast<char*>(out);
    size_t done = 0;
    while (done < n) {
      if (head_ < buffer_.size()) {
        size_t k = std::min(n - done, buffer_.size() - head_);
        std::memcpy(dst + done, buffer_.data() + head_, k);
        head_ += k;
        done += k;
        continue;
      }
      if (pos_ >= end_) break;
      size_t want = static_cast<size_t>(end_ - pos_);
      if (n - done >= kReadBufferBytes) {
        // Large reads bypass the buffer.
        size_t k = std::min(n - done, want);
        size_t r = file_->read_at(pos_, k, dst + done);
        pos_ += static_cast<int64_t>(r);
        done += r;
        if (r < k) end_ = pos_;  // file shrank
        continue;
      }
      buffer_.resize(std::min(kReadBufferBytes, want));
      size_t r = file_->read_at(pos_, buffer_.size(), buffer_.data());
      if (r < buffer_.size()) end_ = pos_ + static_cast<int64_t>(r);
      buffer_.resize(r);
      head_ = 0;
      pos_ += static_cast<int64_t>(r);
      if (r == 0) break;
    }
    consumed_ += static_cast<int64_t>(done);
    return done;
  }

  int64_t bytes_consumed() const override { return consumed_; }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  int64_t pos_;
  int64_t end_;
  int64_t consumed_ = 0;
  std::vector<char> buffer_;
  size_t head_ = 0;
};

}  // namespace

std::shared_ptr<FileSystem> local_file_system() {
  static std::shared_ptr<FileSystem> fs = std::make_shared<LocalFileSystem>();
  return fs;
}

std::unique_ptr<InputStream> sequential_stream(std::unique_ptr<RandomAccessFile> file,
                                               int64_t offset, int64_t length) {
  return std::make_unique<SequentialStream>(std::move(file), offset, length);
}

}  // namespace velo
