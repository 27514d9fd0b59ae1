#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace velo {

/// SQL LIKE matching: `%` matches any run of characters, `_` exactly one (UTF-8) character, and
/// the escape character (none by default, as DuckDB) makes the next character literal.

/// The escape byte of an ESCAPE argument: -1 for an empty string; throws a user error when it
/// is longer than one character.
int like_escape_char(std::string_view escape);

/// Matches without compiling (non-constant patterns). No allocation; O(|text| * |pattern|)
/// worst case.
bool like_matches(std::string_view text, std::string_view pattern, int escape);

/// Lower-cases ASCII and the common two-byte UTF-8 letters (Latin-1, Latin Extended-A, Greek,
/// Cyrillic) into `out` (cleared first), for ILIKE.
void fold_case(std::string_view in, std::string* out);

/// A pattern compiled once (constant patterns, bound at bind time), with fast paths for the
/// common shapes: 'abc', 'abc%', '%abc', '%abc%' and '%'-only patterns in general. Immutable
/// and safe to share between threads.
class LikeMatcher {
 public:
  LikeMatcher(std::string_view pattern, int escape, bool case_insensitive);

  /// `scratch` holds the case-folded text for ILIKE (unused for LIKE): one per caller thread.
  bool matches(std::string_view text, std::string* scratch) const;

  enum class Shape { kExact, kPrefix, kSuffix, kContains, kSegments, kGeneral };
  Shape shape() const { return shape_; }

 private:
  bool match_folded(std::string_view text) const;

  Shape shape_ = Shape::kGeneral;
  bool case_insensitive_ = false;
  int escape_ = -1;
  std::string pattern_;                // the (folded) pattern, for kGeneral
  std::vector<std::string> segments_;  // literal runs between '%', for the other shapes
  bool anchored_start_ = true;
  bool anchored_end_ = true;
};

}  // namespace velo
