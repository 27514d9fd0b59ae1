#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "velo/batch/column.h"

namespace velo {

/// Appends row `i` of `c` to `out` as display text: the same text as `Value::to_string` (numbers,
/// dates, timestamps, intervals, booleans; nested values as JSON). Used by CONCAT, `||` and
/// CONCAT_WS so that any argument type can be concatenated without a cast. The row must not be
/// NULL. No allocation for scalar types beyond growing `out`.
void append_display_text(const Column& c, size_t i, std::string* out);

/// Appends `d` the way `Value::to_string` prints a DOUBLE ("1.0", "0.1", "1e+20", "NaN").
void append_display_double(double d, std::string* out);

/// Appends "YYYY-MM-DD".
void append_date_text(int32_t days, std::string* out);
/// Appends "YYYY-MM-DD hh:mm:ss[.ffffff]" (fraction only when non-zero, trailing zeros cut).
void append_timestamp_text(int64_t micros, std::string* out);

// ---- UTF-8 --------------------------------------------------------------------------------

/// True when every byte of `s` is ASCII.
inline bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

/// Number of code points (continuation bytes are not counted).
inline int64_t utf8_length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

/// Byte offset of code point `n` (0-based) in `s`; s.size() when `s` has at most `n` code points.
inline size_t utf8_offset(std::string_view s, int64_t n) {
  if (n <= 0) return 0;
  size_t i = 0;
  while (i < s.size()) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == 0) return i;
      --n;
    }
    ++i;
  }
  return s.size();
}

/// Bytes of the UTF-8 sequence that starts with `lead` (1 for stray continuation bytes).
inline size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

/// Decodes the code point at s[*i] and advances *i (invalid bytes decode as themselves).
inline uint32_t utf8_decode(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  size_t n = utf8_sequence_length(c);
  if (n == 1 || *i + n > s.size()) {
    ++*i;
    return c;
  }
  uint32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += n;
  return cp;
}

/// Appends code point `cp` as UTF-8.
inline void utf8_append(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// Simple case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other code
/// points map to themselves.
uint32_t unicode_upper(uint32_t cp);
uint32_t unicode_lower(uint32_t cp);

}  // namespace velo
