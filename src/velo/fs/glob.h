#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace velo {

/// True when `pattern` contains a glob metacharacter (`*`, `?`, `[`, `{`).
bool has_glob_chars(std::string_view pattern);

/// A compiled path glob: `*` (within one path segment), `**` (any depth, also zero directories
/// in `a/**/b`), `?`, `[abc]` / `[a-z]` / `[!a]`, `{a,b}` (nested). Wildcards never match a
/// leading '.' of a path segment (hidden and temp files), like a shell. Immutable, thread-safe.
class Glob {
 public:
  explicit Glob(std::string_view pattern);
  bool matches(std::string_view path) const;
  /// The longest leading directory of the pattern without metacharacters ("" if none; "/" for
  /// an absolute pattern whose first segment is a wildcard). Walking starts there.
  const std::string& literal_prefix() const { return prefix_; }
  /// Segments below literal_prefix() a match may have; -1 = unbounded (`**`).
  int max_depth() const { return max_depth_; }

 private:
  std::vector<std::string> alternatives_;  // brace-expanded patterns
  std::string prefix_;
  int max_depth_ = 0;
};

}  // namespace velo
