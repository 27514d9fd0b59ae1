#include "velo/connectors/file/pending_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "velo/io/options.h"
#include "velo/types/error.h"
#include "velo/types/value.h"

namespace velo {

namespace {

// Local paths as LocalFileSystem spells them: plain, or file:// URIs; empty for other schemes.
bool local_path_of(const std::string& uri, std::string* out) {
  size_t sep = uri.find("://");
  if (sep == std::string::npos) {
    *out = uri;
    return true;
  }
  if (Options::lower(uri.substr(0, sep)) != "file") return false;
  std::string rest = uri.substr(sep + 3);
  if (rest.rfind("localhost/", 0) == 0) rest = rest.substr(9);
  *out = rest;
  return true;
}

}  // namespace

std::string encode_sink_handle(const std::vector<PendingFile>& files) {
  std::string out;
  for (const PendingFile& f : files) {
    out += "{\"path\":";
    append_json_string(f.path, &out);
    out += fmt::format(",\"rows\":{},\"bytes\":{}", f.rows, f.bytes);
    if (!f.token.empty()) {
      out += ",\"token\":";
      append_json_string(f.token, &out);
    }
    out += "}\n";
  }
  return out;
}

std::vector<PendingFile> decode_sink_handle(const std::string& handle) {
  std::vector<PendingFile> files;
  simdjson::dom::parser parser;
  size_t start = 0;
  while (start < handle.size()) {
    size_t end = handle.find('\n', start);
    if (end == std::string::npos) end = handle.size();
    std::string_view line(handle.data() + start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    simdjson::dom::element e;
    std::string_view path;
    int64_t rows = 0, bytes = 0;
    if (parser.parse(line.data(), line.size()).get(e) || e["path"].get(path) ||
        e["rows"].get(rows) || e["bytes"].get(bytes))
      throw_internal_error("malformed file sink handle line: {}", line);
    std::string_view token;
    simdjson::dom::element t;
    if (e["token"].get(t) == simdjson::SUCCESS && t.get(token))
      throw_internal_error("malformed token in file sink handle line: {}", line);
    files.push_back(PendingFile{std::string(path), rows, bytes, nullptr, std::string(token)});
  }
  return files;
}

void commit_prepared_file(FileSystem& fs, const PendingFile& file) {
  if (!file.token.empty()) {
    fs.commit_pending(file.token);
    return;
  }
  const std::string& path = file.path;
  std::string local;
  if (!local_path_of(path, &local))
    throw_not_supported(
        "publishing '{}' from a checkpoint handle without a pending token (written by an older "
        "velo; only local files can be recovered from it)",
        path);
  size_t slash = local.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : local.substr(0, slash));
  std::string base = slash == std::string::npos ? local : local.substr(slash + 1);
  std::string prefix = "." + base + ".velo-tmp-";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return;  // nothing was ever written there: nothing to publish
    throw_io_error("cannot list '{}': {}", dir, std::strerror(errno));
  }
  std::vector<std::string> temps;
  while (struct dirent* e = ::readdir(d))
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0) temps.emplace_back(e->d_name);
  ::closedir(d);
  if (temps.empty()) return;  // already published (or published and consumed since)
  if (temps.size() > 1)
    throw_internal_error("{} temp files for '{}': cannot tell which one was prepared", temps.size(),
                         path);
  std::string temp = dir + "/" + temps[0];
  if (::rename(temp.c_str(), local.c_str()) != 0)
    throw_io_error("cannot rename '{}' into '{}': {}", temp, local, std::strerror(errno));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void publish_concurrently(const std::vector<std::function<void()>>& steps, size_t parallel) {
  if (steps.size() <= 1 || parallel <= 1) {
    for (const auto& step : steps) step();
    return;
  }
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr first_failure;
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < steps.size();) {
      try {
        steps[i]();
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first_failure) first_failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> workers;
  for (size_t w = 1; w < std::min(parallel, steps.size()); ++w) workers.emplace_back(work);
  work();
  for (auto& t : workers) t.join();
  if (first_failure) std::rethrow_exception(first_failure);
}

}  // namespace velo
