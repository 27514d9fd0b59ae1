#include "velo/connectors/file/sink_layout.h"

#include "velo/types/error.h"

namespace velo {

namespace {

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\n\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

SinkLayout SinkLayout::parse(const std::string& uri, const std::string& partition_by) {
  SinkLayout l;
  size_t start = 0;
  while (start <= partition_by.size()) {
    size_t comma = partition_by.find(',', start);
    if (comma == std::string::npos) comma = partition_by.size();
    std::string name = trim(partition_by.substr(start, comma - start));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    if (!name.empty()) l.partition_by.push_back(name);
    start = comma + 1;
  }
  size_t slash = uri.find_last_of('/');
  std::string dir = slash == std::string::npos ? "" : uri.substr(0, slash + 1);
  std::string last = slash == std::string::npos ? uri : uri.substr(slash + 1);
  l.directory = PathTemplate(dir);
  size_t star = last.find('*');
  if (last.empty() || star != std::string::npos) {
    l.kind = Kind::kGenerated;
    if (star != std::string::npos) {
      if (last.find('*', star + 1) != std::string::npos)
        throw_user_error("INTO '{}': the file name may hold one '*' (where part numbers go)", uri);
      l.name_prefix = last.substr(0, star);
      l.name_suffix = last.substr(star + 1);
    }
    return l;
  }
  l.name = PathTemplate(last);
  bool templated = l.directory.has_placeholders() || l.name.has_placeholders();
  l.kind = templated || !l.partition_by.empty() ? Kind::kFixedNames : Kind::kSingleFile;
  return l;
}

}  // namespace velo
