#include "velo/fs/file_system.h"

#include <map>
#include <mutex>

#include "velo/fs/builtin_file_systems.h"
#include "velo/fs/local_file_system.h"
#include "velo/types/error.h"

namespace velo {

namespace {
struct FileSystemRegistry {
  std::mutex mu;
  std::map<std::string, FileSystemFactory> factories;
};
FileSystemRegistry& registry() {
  static FileSystemRegistry r;
  return r;
}

std::string scheme_of(const std::string& uri) {
  auto p = uri.find("://");
  if (p == std::string::npos) return "";
  return Options::lower(uri.substr(0, p));
}

// The object stores register on first use, before any other registration, so a factory a
// caller registers later for the same scheme wins. The registration itself calls
// register_file_system, hence the re-entry guard.
void ensure_builtin_file_systems() {
  static std::once_flag once;
  static thread_local bool registering = false;
  if (registering) return;
  std::call_once(once, [] {
    registering = true;
    register_builtin_file_systems();
    registering = false;
  });
}
}  // namespace

std::string OutputStream::pending_token() const {
  throw_not_supported("recovering '{}' in another process (this stream has no pending token)",
                      path());
}

void FileSystem::commit_pending(const std::string& token) {
  throw_not_supported("publishing a file prepared by another process on this file system ({})",
                      token);
}

void FileSystem::abort_pending(const std::string&) noexcept {}

void register_file_system(const std::string& scheme, FileSystemFactory factory) {
  ensure_builtin_file_systems();
  std::lock_guard<std::mutex> lock(registry().mu);
  registry().factories[scheme] = factory;
}

std::shared_ptr<FileSystem> file_system_for(const std::string& uri, const Options& options) {
  std::string scheme = scheme_of(uri);
  if (scheme.empty() || scheme == "file") return local_file_system();
  ensure_builtin_file_systems();
  FileSystemFactory factory;
  {
    std::lock_guard<std::mutex> lock(registry().mu);
    auto it = registry().factories.find(scheme);
    if (it == registry().factories.end())
      throw Error(ErrorKind::kNotSupported, "connector '" + scheme + "' is not available yet");
    factory = it->second;
  }
  // Outside the lock: factories may read credential files or fetch tokens.
  return factory(uri, options);
}

}  // namespace velo
