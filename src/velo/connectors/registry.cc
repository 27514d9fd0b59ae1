#include "velo/connectors/registry.h"

#include <map>
#include <mutex>

#include "velo/types/error.h"

namespace velo {

namespace {
struct ConnectorRegistry {
  std::mutex mu;
  std::map<std::string, SourceFactory> sources;
  std::map<std::string, SinkFactory> sinks;
};
ConnectorRegistry& registry() {
  static ConnectorRegistry r;
  return r;
}
[[noreturn]] void not_available(const std::string& scheme) {
  throw Error(ErrorKind::kNotSupported, "connector '" + scheme + "' is not available yet");
}
}  // namespace

std::string uri_scheme(const std::string& uri) {
  auto p = uri.find("://");
  if (p == std::string::npos) return "file";
  return Options::lower(uri.substr(0, p));
}

void register_source(const std::string& scheme, SourceFactory factory) {
  std::lock_guard<std::mutex> lock(registry().mu);
  registry().sources[scheme] = factory;
}

void register_sink(const std::string& scheme, SinkFactory factory) {
  std::lock_guard<std::mutex> lock(registry().mu);
  registry().sinks[scheme] = factory;
}

bool has_source(const std::string& scheme) {
  std::lock_guard<std::mutex> lock(registry().mu);
  return registry().sources.count(scheme) > 0;
}

std::unique_ptr<Source> make_source(const std::string& uri, const Options& options) {
  std::string scheme = uri_scheme(uri);
  SourceFactory f = nullptr;
  {
    std::lock_guard<std::mutex> lock(registry().mu);
    auto it = registry().sources.find(scheme);
    if (it != registry().sources.end()) f = it->second;
  }
  if (!f) not_available(scheme);
  return f(uri, options);
}

std::unique_ptr<Sink> make_sink(const std::string& uri, const Options& options) {
  std::string scheme = uri_scheme(uri);
  SinkFactory f = nullptr;
  {
    std::lock_guard<std::mutex> lock(registry().mu);
    auto it = registry().sinks.find(scheme);
    if (it != registry().sinks.end()) f = it->second;
  }
  if (!f) not_available(scheme);
  return f(uri, options);
}

}  // namespace velo
