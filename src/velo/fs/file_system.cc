#include "velo/fs/file_system.h"

#include <map>
#include <mutex>

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
}  // namespace

void register_file_system(const std::string& scheme, FileSystemFactory factory) {
  std::lock_guard<std::mutex> lock(registry().mu);
  registry().factories[scheme] = factory;
}

std::shared_ptr<FileSystem> file_system_for(const std::string& uri, const Options& options) {
  std::string scheme = scheme_of(uri);
  if (scheme.empty() || scheme == "file") return local_file_system();
  std::lock_guard<std::mutex> lock(registry().mu);
  auto it = registry().factories.find(scheme);
  if (it == registry().factories.end())
    throw Error(ErrorKind::kNotSupported, "connector '" + scheme + "' is not available yet");
  return it->second(uri, options);
}

}  // namespace velo
