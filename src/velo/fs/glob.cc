#include "velo/fs/glob.h"

#include <algorithm>

namespace velo {

namespace {

bool is_meta(char c) { return c == '*' || c == '?' || c == '[' || c == '{'; }

// Index of the ']' closing a class that opens at `open` ('['), or npos.
size_t class_end(std::string_view p, size_t open) {
  size_t i = open + 1;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) ++i;
  if (i < p.size() && p[i] == ']') ++i;  // a leading ']' is a member
  while (i < p.size() && p[i] != ']') ++i;
  return i < p.size() ? i : std::string_view::npos;
}

// Expands the first top-level {a,b,...} group (recursively, so nested groups work).
void expand_braces(const std::string& p, std::vector<std::string>* out) {
  size_t open = std::string::npos;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '[') {
      size_t e = class_end(p, i);
      if (e != std::string::npos) i = e;
      continue;
    }
    if (p[i] == '{') {
      open = i;
      break;
    }
  }
  if (open == std::string::npos) {
    out->push_back(p);
    return;
  }
  int depth = 0;
  size_t close = std::string::npos;
  std::vector<size_t> commas;
  for (size_t i = open; i < p.size(); ++i) {
    if (p[i] == '{') {
      ++depth;
    } else if (p[i] == '}') {
      if (--depth == 0) {
        close = i;
        break;
      }
    } else if (p[i] == ',' && depth == 1) {
      commas.push_back(i);
    }
  }
  if (close == std::string::npos) {  // unbalanced: the '{' is a literal
    out->push_back(p);
    return;
  }
  std::string head = p.substr(0, open);
  std::string tail = p.substr(close + 1);
  size_t start = open + 1;
  commas.push_back(close);
  for (size_t c : commas) {
    expand_braces(head + p.substr(start, c - start) + tail, out);
    start = c + 1;
  }
}

bool class_matches(std::string_view cls, char c) {
  // cls is the text between '[' and ']'.
  bool negate = false;
  size_t i = 0;
  if (i < cls.size() && (cls[i] == '!' || cls[i] == '^')) {
    negate = true;
    ++i;
  }
  bool hit = false;
  bool first = true;
  for (; i < cls.size(); ++i, first = false) {
    char lo = cls[i];
    if (lo == ']' && !first) break;
    if (i + 2 < cls.size() && cls[i + 1] == '-') {
      char hi = cls[i + 2];
      if (c >= lo && c <= hi) hit = true;
      i += 2;
    } else if (c == lo) {
      hit = true;
    }
  }
  return hit != negate;
}

// Backtracking matcher over one brace-free pattern; `t` is the whole path so a wildcard can tell
// whether it stands at the start of a segment.
bool match_at(std::string_view p, size_t pi, std::string_view t, size_t ti) {
  while (pi < p.size()) {
    bool seg_start = ti == 0 || t[ti - 1] == '/';
    char pc = p[pi];
    if (pc == '*') {
      size_t stars = pi;
      while (stars < p.size() && p[stars] == '*') ++stars;
      bool globstar = stars - pi >= 2;
      size_t rest = stars;
      if (globstar) {
        // `**/` may also match zero directories.
        if (rest < p.size() && p[rest] == '/') {
          if (match_at(p, rest + 1, t, ti)) return true;
        }
        for (size_t i = ti;; ++i) {
          if (match_at(p, rest, t, i)) return true;
          if (i >= t.size()) return false;
          bool at_seg = i == 0 || t[i - 1] == '/';
          if (at_seg && t[i] == '.') return false;  // never descend into hidden names
        }
      }
      if (seg_start && ti < t.size() && t[ti] == '.') return false;
      for (size_t i = ti;; ++i) {
        if (match_at(p, rest, t, i)) return true;
        if (i >= t.size() || t[i] == '/') return false;
      }
    }
    if (ti >= t.size()) return false;
    if (pc == '?') {
      if (t[ti] == '/' || (seg_start && t[ti] == '.')) return false;
      ++pi;
      ++ti;
      continue;
    }
    if (pc == '[') {
      size_t e = class_end(p, pi);
      if (e != std::string_view::npos) {
        if (t[ti] == '/' || (seg_start && t[ti] == '.')) return false;
        if (!class_matches(p.substr(pi + 1, e - pi - 1), t[ti])) return false;
        pi = e + 1;
        ++ti;
        continue;
      }
    }
    if (pc == '\\' && pi + 1 < p.size()) ++pi;  // escaped literal
    if (p[pi] != t[ti]) return false;
    ++pi;
    ++ti;
  }
  return ti == t.size();
}

}  // namespace

bool has_glob_chars(std::string_view pattern) {
  return std::any_of(pattern.begin(), pattern.end(), is_meta);
}

Glob::Glob(std::string_view pattern) {
  std::string p(pattern);
  expand_braces(p, &alternatives_);
  size_t first_meta = 0;
  while (first_meta < p.size() && !is_meta(p[first_meta])) ++first_meta;
  size_t slash = first_meta == 0 ? std::string::npos : p.rfind('/', first_meta - 1);
  if (slash == std::string::npos) {
    prefix_ = "";
  } else if (slash == 0) {
    prefix_ = "/";
  } else {
    prefix_ = p.substr(0, slash);
  }
  size_t skip = prefix_.empty() ? 0 : (prefix_ == "/" ? 1 : prefix_.size() + 1);
  max_depth_ = 0;
  for (const auto& alt : alternatives_) {
    if (alt.find("**") != std::string::npos) {
      max_depth_ = -1;
      break;
    }
    std::string_view rest = std::string_view(alt).substr(std::min(skip, alt.size()));
    int depth = 1 + static_cast<int>(std::count(rest.begin(), rest.end(), '/'));
    max_depth_ = std::max(max_depth_, depth);
  }
}

bool Glob::matches(std::string_view path) const {
  for (const auto& alt : alternatives_)
    if (match_at(alt, 0, path, 0)) return true;
  return false;
}

}  // namespace velo
