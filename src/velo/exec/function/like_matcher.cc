#include "velo/exec/function/like_matcher.h"

#include <cstring>

#include "velo/types/error.h"

namespace velo {

namespace {

constexpr size_t kNone = std::string_view::npos;

// Index of the character after the one starting at `i` (UTF-8: skip continuation bytes).
inline size_t next_char(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

}  // namespace

int like_escape_char(std::string_view escape) {
  if (escape.empty()) return -1;
  if (escape.size() != 1)
    throw_user_error("LIKE ESCAPE must be empty or one character, got '{}'", escape);
  return static_cast<unsigned char>(escape[0]);
}

bool like_matches(std::string_view text, std::string_view pat, int escape) {
  size_t t = 0, p = 0;
  size_t star_p = kNone, star_t = 0;
  const size_t tn = text.size(), pn = pat.size();
  while (t < tn) {
    if (p < pn) {
      unsigned char c = static_cast<unsigned char>(pat[p]);
      if (static_cast<int>(c) == escape && p + 1 < pn) {
        if (text[t] == pat[p + 1]) {
          ++t;
          p += 2;
          continue;
        }
      } else if (c == '%') {
        star_p = ++p;
        star_t = t;
        continue;
      } else if (c == '_') {
        t = next_char(text, t);
        ++p;
        continue;
      } else if (text[t] == pat[p]) {
        ++t;
        ++p;
        continue;
      }
    }
    // Mismatch: let the last '%' swallow one more character.
    if (star_p == kNone) return false;
    star_t = next_char(text, star_t);
    t = star_t;
    p = star_p;
  }
  while (p < pn && pat[p] == '%' && static_cast<int>('%') != escape) ++p;
  return p == pn;
}

void fold_case(std::string_view in, std::string* out) {
  // Every mapping keeps the byte length (ASCII to ASCII, two bytes to two bytes), so the output
  // is written in place.
  out->resize(in.size());
  char* o = out->data();
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      o[i] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      continue;
    }
    if ((c & 0xE0) == 0xC0 && i + 1 < in.size()) {
      unsigned char d = static_cast<unsigned char>(in[i + 1]);
      uint32_t cp = ((c & 0x1Fu) << 6) | (d & 0x3Fu);
      if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
          (cp >= 0x410 && cp <= 0x42F)) {
        cp += 0x20;
      } else if (cp >= 0x400 && cp <= 0x40F) {
        cp += 0x50;
      } else if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 &&
                 cp != 0x149 && cp != 0x17F) {
        // Latin Extended-A pairs: upper case even below U+0138 and odd from U+0139 to U+0148,
        // even again from U+014A; U+0178 (Y with diaeresis) maps to U+00FF.
        bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
        if (cp == 0x178)
          cp = 0xFF;
        else if (odd_upper ? (cp & 1) : !(cp & 1))
          cp += 1;
      }
      o[i] = static_cast<char>(0xC0 | (cp >> 6));
      o[i + 1] = static_cast<char>(0x80 | (cp & 0x3F));
      ++i;
      continue;
    }
    o[i] = static_cast<char>(c);
  }
}

LikeMatcher::LikeMatcher(std::string_view pattern, int escape, bool case_insensitive)
    : case_insensitive_(case_insensitive), escape_(escape) {
  if (case_insensitive) {
    fold_case(pattern, &pattern_);
    if (escape >= 'A' && escape <= 'Z') escape_ = escape + 32;
  } else {
    pattern_.assign(pattern);
  }
  // Split into literal runs between '%' (consecutive '%' merge); any '_' needs the general
  // matcher.
  std::string current;
  bool percent_seen = false, last_was_percent = false;
  const std::string& p = pattern_;
  for (size_t i = 0; i < p.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (static_cast<int>(c) == escape_ && i + 1 < p.size()) {
      current.push_back(p[++i]);
      last_was_percent = false;
    } else if (c == '_') {
      shape_ = Shape::kGeneral;
      segments_.clear();
      return;
    } else if (c == '%') {
      if (i == 0) anchored_start_ = false;
      if (!current.empty()) segments_.push_back(std::move(current));
      current.clear();
      percent_seen = last_was_percent = true;
    } else {
      current.push_back(static_cast<char>(c));
      last_was_percent = false;
    }
  }
  if (!current.empty()) segments_.push_back(std::move(current));
  anchored_end_ = !last_was_percent;
  if (!percent_seen) {
    shape_ = Shape::kExact;
    if (segments_.empty()) segments_.emplace_back();
  } else if (segments_.empty()) {
    shape_ = Shape::kContains;  // '%', '%%': everything
    segments_.emplace_back();
  } else if (segments_.size() == 1) {
    shape_ = anchored_start_ ? Shape::kPrefix : anchored_end_ ? Shape::kSuffix : Shape::kContains;
  } else {
    shape_ = Shape::kSegments;
  }
}

bool LikeMatcher::matches(std::string_view text, std::string* scratch) const {
  if (!case_insensitive_) return match_folded(text);
  fold_case(text, scratch);
  return match_folded(*scratch);
}

bool LikeMatcher::match_folded(std::string_view text) const {
  switch (shape_) {
    case Shape::kExact:
      return text == segments_[0];
    case Shape::kPrefix:
      return text.substr(0, segments_[0].size()) == segments_[0];
    case Shape::kSuffix:
      return text.size() >= segments_[0].size() &&
             text.substr(text.size() - segments_[0].size()) == segments_[0];
    case Shape::kContains: {
      const std::string& s = segments_[0];
      if (s.empty()) return true;
      return memmem(text.data(), text.size(), s.data(), s.size()) != nullptr;
    }
    case Shape::kSegments: {
      // '%'-only pattern: the first run anchors at the start, the last at the end, and the
      // runs in between are found leftmost-first (greedy is exact without '_').
      size_t first = 0, last = segments_.size();
      size_t pos = 0, end = text.size();
      if (anchored_start_) {
        const std::string& s = segments_[0];
        if (text.substr(0, s.size()) != s) return false;
        pos = s.size();
        first = 1;
      }
      if (anchored_end_ && last > first) {
        const std::string& s = segments_[last - 1];
        if (end < pos + s.size() || text.substr(end - s.size()) != s) return false;
        end -= s.size();
        --last;
      }
      for (size_t k = first; k < last; ++k) {
        const std::string& s = segments_[k];
        if (s.empty()) continue;
        const void* hit = memmem(text.data() + pos, end - pos, s.data(), s.size());
        if (!hit) return false;
        pos = static_cast<size_t>(static_cast<const char*>(hit) - text.data()) + s.size();
      }
      return true;
    }
    case Shape::kGeneral:
      return like_matches(text, pattern_, escape_);
  }
  return false;
}

}  // namespace velo
