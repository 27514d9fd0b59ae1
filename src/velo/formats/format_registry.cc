#include <algorithm>
#include <map>
#include <mutex>

#include "velo/formats/format.h"
#include "velo/types/error.h"

namespace velo {

namespace {
struct FormatRegistry {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<Format>> by_name;
  std::map<std::string, Format*> by_extension;
};
FormatRegistry& registry() {
  static FormatRegistry r;
  return r;
}

// Compression suffixes a format extension may carry ("x.csv.gz"); the streams that undo them
// live in formats/compression.
constexpr const char* kCompressionSuffixes[] = {".gz", ".gzip", ".zst", ".zstd", ".bz2", ".lz4"};

std::string lower_extension(std::string_view path) {
  std::string p = Options::lower(std::string(path));
  for (const char* suffix : kCompressionSuffixes) {
    std::string_view s(suffix);
    if (p.size() > s.size() && p.compare(p.size() - s.size(), s.size(), s) == 0) {
      p.resize(p.size() - s.size());
      break;
    }
  }
  size_t slash = p.find_last_of('/');
  size_t dot = p.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  return p.substr(dot + 1);
}
}  // namespace

void register_format(std::unique_ptr<Format> format, std::vector<std::string> extensions) {
  std::lock_guard<std::mutex> lock(registry().mu);
  Format* f = format.get();
  registry().by_name[f->name()] = std::move(format);
  for (auto& e : extensions) registry().by_extension[Options::lower(e)] = f;
}

Format& format_by_name(const std::string& name) {
  std::string n = Options::lower(name);
  {
    std::lock_guard<std::mutex> lock(registry().mu);
    auto it = registry().by_name.find(n);
    if (it != registry().by_name.end()) return *it->second;
    auto ext = registry().by_extension.find(n);  // "jsonl", "tsv", "ndjson" name formats too
    if (ext != registry().by_extension.end()) return *ext->second;
  }
  std::vector<std::string> names = format_names();
  std::string known;
  for (const auto& k : names) known += (known.empty() ? "" : ", ") + k;
  std::string hint = nearest_name(n, names);
  throw_user_error("unknown format '{}'{} (known: {})", name,
                   hint.empty() ? "" : " (did you mean '" + hint + "'?)", known);
}

Format* format_for_path(const std::string& path) {
  std::string ext = lower_extension(path);
  if (ext.empty()) return nullptr;
  std::lock_guard<std::mutex> lock(registry().mu);
  auto it = registry().by_extension.find(ext);
  return it == registry().by_extension.end() ? nullptr : it->second;
}

std::vector<std::string> format_names() {
  std::lock_guard<std::mutex> lock(registry().mu);
  std::vector<std::string> out;
  for (const auto& [name, f] : registry().by_name) out.push_back(name);
  return out;
}

}  // namespace velo
