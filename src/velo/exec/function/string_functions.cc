// String functions: length, case, trimming, substrings, padding, searching, splitting,
// concatenation and regular expressions (RE2). Semantics follow DuckDB unless noted.
#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "velo/exec/function/function.h"
#include "velo/exec/function/string_kernel.h"
#include "velo/exec/function/string_render.h"
#include "velo/types/error.h"

namespace velo {

using fn::int_arg;
using fn::str_arg;

namespace {

// Rows whose arguments include a NULL: kernels that could throw or allocate on the garbage
// values of such rows skip them (the engine nulls them afterwards).
inline bool any_null(const std::vector<ArgVector>& args, size_t i) {
  for (const auto& a : args)
    if (a.column->has_validity() && a.is_null(i)) return true;
  return false;
}

// Binds f(STRING, ...) where every argument is a string.
std::vector<DataType> strings(size_t n) { return std::vector<DataType>(n, DataType::string()); }

// ---- length ---------------------------------------------------------------------------------

void length_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) v[i] = utf8_length(str_arg(args[0], i));
}

void list_length_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  const int32_t* o = args[0].column->offsets();
  for (size_t i = 0; i < ctx.rows; ++i) {
    size_t k = args[0].index(i);
    v[i] = o[k + 1] - o[k];
  }
}

void octet_length_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                         Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) v[i] = static_cast<int64_t>(str_arg(args[0], i).size());
}

BoundScalar bind_length(const std::vector<BindArg>& args) {
  fn::check_arity("LENGTH", args, 1, 1, "STRING");
  if (args[0].type.id() == TypeId::kList || args[0].type.id() == TypeId::kMap)
    return fn::bound(DataType::int64(), {args[0].type}, &list_length_kernel);
  return fn::bound(DataType::int64(), {DataType::string()}, &length_kernel);
}

BoundScalar bind_octet_length(const std::vector<BindArg>& args) {
  fn::check_arity("OCTET_LENGTH", args, 1, 1, "STRING");
  DataType t = args[0].type.id() == TypeId::kBytes ? DataType::bytes() : DataType::string();
  return fn::bound(DataType::int64(), {t}, &octet_length_kernel);
}

// ---- case -----------------------------------------------------------------------------------

template <bool kUpper>
void case_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    if (is_ascii(s)) {
      size_t start = out->heap().size();
      out->append_string(s);
      char* p = reinterpret_cast<char*>(out->heap().data()) + start;
      for (size_t k = 0; k < s.size(); ++k) {
        char c = p[k];
        if (kUpper && c >= 'a' && c <= 'z') p[k] = static_cast<char>(c - 32);
        if (!kUpper && c >= 'A' && c <= 'Z') p[k] = static_cast<char>(c + 32);
      }
      continue;
    }
    scratch.clear();
    for (size_t k = 0; k < s.size();) {
      uint32_t cp = utf8_decode(s, &k);
      utf8_append(kUpper ? unicode_upper(cp) : unicode_lower(cp), &scratch);
    }
    out->append_string(scratch);
  }
}

// Postgres INITCAP: the first letter of every run of letters/digits upper case, the rest lower.
void initcap_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    scratch.clear();
    bool in_word = false;
    for (size_t k = 0; k < s.size();) {
      uint32_t cp = utf8_decode(s, &k);
      bool alnum = (cp < 0x80 && std::isalnum(static_cast<int>(cp))) ||
                   (cp >= 0x80 && unicode_upper(cp) != unicode_lower(cp));
      utf8_append(alnum ? (in_word ? unicode_lower(cp) : unicode_upper(cp)) : cp, &scratch);
      in_word = alnum;
    }
    out->append_string(scratch);
  }
}

// ---- trim -----------------------------------------------------------------------------------

// Is the code point at s[pos, pos+len) one of `chars`?
bool in_set(std::string_view chars, std::string_view cp) {
  if (cp.size() == 1) return chars.find(cp[0]) != std::string_view::npos;
  return chars.find(cp) != std::string_view::npos;
}

template <bool kLeft, bool kRight>
void trim_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  bool custom = args.size() > 1;
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    std::string_view chars = custom ? str_arg(args[1], i) : std::string_view(" ");
    size_t b = 0, e = s.size();
    if (is_ascii(chars)) {
      if (kLeft)
        while (b < e && chars.find(s[b]) != std::string_view::npos) ++b;
      if (kRight)
        while (e > b && chars.find(s[e - 1]) != std::string_view::npos) --e;
    } else {
      if (kLeft)
        while (b < e) {
          size_t n = std::min(utf8_sequence_length(static_cast<unsigned char>(s[b])), e - b);
          if (!in_set(chars, s.substr(b, n))) break;
          b += n;
        }
      if (kRight)
        while (e > b) {
          size_t start = e - 1;
          while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
          if (!in_set(chars, s.substr(start, e - start))) break;
          e = start;
        }
    }
    out->append_string(s.substr(b, e - b));
  }
}

template <bool kLeft, bool kRight>
BoundScalar bind_trim(const std::vector<BindArg>& args) {
  fn::check_arity(kLeft && kRight ? "TRIM"
                  : kLeft         ? "LTRIM"
                                  : "RTRIM",
                  args, 1, 2, "STRING[, characters STRING]");
  return fn::bound(DataType::string(), strings(args.size()), &trim_kernel<kLeft, kRight>);
}

// ---- substrings -----------------------------------------------------------------------------

// DuckDB's substring window over a string of `size` characters: [start, end) in characters, or
// false when empty. `offset` is 1-based; negative counts from the end; 0 starts one character
// before the first; negative length takes the characters before the offset.
bool substring_window(int64_t size, int64_t offset, int64_t length, int64_t* start, int64_t* end) {
  if (length == 0) return false;
  int64_t s;
  if (offset > 0) {
    s = std::min(size, offset - 1);
  } else if (offset < 0) {
    s = size + offset;
  } else {
    s = 0;
    if (length > 0) {
      if (--length <= 0) return false;
    }
  }
  int64_t e;
  if (length > 0) {
    e = s > INT64_MAX - length ? size : std::min(size, s + length);
  } else {
    e = s;
    s = length < -size - 1 ? -1 : s + length;
  }
  s = std::clamp<int64_t>(s, 0, size);
  e = std::clamp<int64_t>(e, 0, size);
  if (s >= e) return false;
  *start = s;
  *end = e;
  return true;
}

// Appends characters [start, end) of s.
void append_chars(std::string_view s, bool ascii, int64_t start, int64_t end, Column* out) {
  if (ascii) {
    out->append_string(s.substr(start, end - start));
    return;
  }
  size_t b = utf8_offset(s, start);
  size_t e = b + utf8_offset(s.substr(b), end - start);
  out->append_string(s.substr(b, e - b));
}

void substring_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  bool has_length = args.size() > 2;
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    int64_t offset = int_arg(args[1], i);
    int64_t length = has_length ? int_arg(args[2], i) : INT64_MAX;
    bool ascii = is_ascii(s);
    int64_t size = ascii ? static_cast<int64_t>(s.size()) : utf8_length(s);
    int64_t start, end;
    if (!substring_window(size, offset, length, &start, &end)) {
      out->append_string({});
      continue;
    }
    append_chars(s, ascii, start, end, out);
  }
}

BoundScalar bind_substring(const std::vector<BindArg>& args) {
  fn::check_arity("SUBSTRING", args, 2, 3, "STRING, start INT64[, length INT64]");
  std::vector<DataType> types = {DataType::string(), fn::integer_type(args[1].type)};
  if (args.size() > 2) types.push_back(fn::integer_type(args[2].type));
  return fn::bound(DataType::string(), std::move(types), &substring_kernel);
}

template <bool kLeft>
void left_right_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    int64_t n = int_arg(args[1], i);
    bool ascii = is_ascii(s);
    int64_t size = ascii ? static_cast<int64_t>(s.size()) : utf8_length(s);
    // Negative n: everything but the last (LEFT) or first (RIGHT) |n| characters.
    int64_t keep = n >= 0 ? std::min(n, size) : std::max<int64_t>(0, size + std::max(n, -size));
    if (kLeft)
      append_chars(s, ascii, 0, keep, out);
    else
      append_chars(s, ascii, size - keep, size, out);
  }
}

template <bool kLeft>
BoundScalar bind_left_right(const std::vector<BindArg>& args) {
  fn::check_arity(kLeft ? "LEFT" : "RIGHT", args, 2, 2, "STRING, count INT64");
  return fn::bound(DataType::string(), {DataType::string(), fn::integer_type(args[1].type)},
                   &left_right_kernel<kLeft>);
}

// ---- concatenation --------------------------------------------------------------------------

void concat_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    scratch.clear();
    for (const auto& a : args)
      if (!a.is_null(i)) append_display_text(*a.column, a.index(i), &scratch);
    out->append_string(scratch);
  }
}

BoundScalar bind_concat(const std::vector<BindArg>& args) {
  if (args.empty()) fn::no_overload("CONCAT", args, "value, ...");
  std::vector<DataType> types;
  for (const auto& a : args)
    types.push_back(a.type.id() == TypeId::kNull ? DataType::string() : a.type);
  return fn::bound(DataType::string(), std::move(types), &concat_kernel,
                   /*propagates_nulls=*/false);
}

void concat_ws_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (args[0].is_null(i)) {
      out->append_null();
      continue;
    }
    std::string_view sep = str_arg(args[0], i);
    scratch.clear();
    bool first = true;
    for (size_t k = 1; k < args.size(); ++k) {
      const ArgVector& a = args[k];
      if (a.is_null(i)) continue;
      if (!first) scratch.append(sep);
      first = false;
      append_display_text(*a.column, a.index(i), &scratch);
    }
    out->append_string(scratch);
  }
}

BoundScalar bind_concat_ws(const std::vector<BindArg>& args) {
  if (args.size() < 2) fn::no_overload("CONCAT_WS", args, "separator STRING, value, ...");
  std::vector<DataType> types = {DataType::string()};
  for (size_t k = 1; k < args.size(); ++k)
    types.push_back(args[k].type.id() == TypeId::kNull ? DataType::string() : args[k].type);
  return fn::bound(DataType::string(), std::move(types), &concat_ws_kernel,
                   /*propagates_nulls=*/false);
}

// ---- replace, reverse, repeat ---------------------------------------------------------------

void replace_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    std::string_view from = str_arg(args[1], i);
    std::string_view to = str_arg(args[2], i);
    if (from.empty() || s.find(from) == std::string_view::npos) {
      out->append_string(s);
      continue;
    }
    scratch.clear();
    size_t pos = 0;
    for (size_t hit; (hit = s.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
      scratch.append(s.substr(pos, hit - pos));
      scratch.append(to);
    }
    scratch.append(s.substr(pos));
    out->append_string(scratch);
  }
}

void reverse_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    scratch.assign(s.size(), '\0');
    // Code points keep their byte order; their sequence is reversed.
    size_t w = s.size();
    for (size_t k = 0; k < s.size();) {
      size_t n = std::min(utf8_sequence_length(static_cast<unsigned char>(s[k])), s.size() - k);
      w -= n;
      std::memcpy(scratch.data() + w, s.data() + k, n);
      k += n;
    }
    out->append_string(scratch);
  }
}

constexpr int64_t kMaxStringBytes = int64_t{1} << 30;

void repeat_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (any_null(args, i)) {
      out->append_string({});
      continue;
    }
    std::string_view s = str_arg(args[0], i);
    int64_t n = int_arg(args[1], i);
    if (n <= 0 || s.empty()) {
      out->append_string({});
      continue;
    }
    if (n > kMaxStringBytes / static_cast<int64_t>(s.size()))
      throw_user_error("REPEAT result of {} x {} bytes is too large", n, s.size());
    scratch.clear();
    for (int64_t k = 0; k < n; ++k) scratch.append(s);
    out->append_string(scratch);
  }
}

// ---- search ---------------------------------------------------------------------------------

// 1-based character position of `needle` in `haystack`, 0 when absent.
int64_t char_position(std::string_view haystack, std::string_view needle) {
  size_t hit = haystack.find(needle);
  if (hit == std::string_view::npos) return 0;
  return utf8_length(haystack.substr(0, hit)) + 1;
}

// STRPOS(haystack, needle) / INSTR; POSITION(needle IN haystack) swaps the arguments.
template <bool kNeedleFirst>
void position_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  const ArgVector& h = args[kNeedleFirst ? 1 : 0];
  const ArgVector& n = args[kNeedleFirst ? 0 : 1];
  for (size_t i = 0; i < ctx.rows; ++i) v[i] = char_position(str_arg(h, i), str_arg(n, i));
}

enum class Match { kStarts, kEnds, kContains };

template <Match kMode>
void match_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  uint8_t* v = fn::fixed_output<uint8_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    std::string_view p = str_arg(args[1], i);
    if (kMode == Match::kStarts)
      v[i] = s.substr(0, p.size()) == p;
    else if (kMode == Match::kEnds)
      v[i] = s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
    else
      v[i] = s.find(p) != std::string_view::npos;
  }
}

// ---- split ----------------------------------------------------------------------------------

// Calls f(part) for every part of `s` split at `sep`; an empty separator splits into
// characters (DuckDB).
template <typename F>
void for_each_part(std::string_view s, std::string_view sep, F&& f) {
  if (sep.empty()) {
    if (s.empty()) {
      f(s);
      return;
    }
    for (size_t k = 0; k < s.size();) {
      size_t n = std::min(utf8_sequence_length(static_cast<unsigned char>(s[k])), s.size() - k);
      f(s.substr(k, n));
      k += n;
    }
    return;
  }
  size_t pos = 0;
  while (true) {
    size_t hit = s.find(sep, pos);
    if (hit == std::string_view::npos) {
      f(s.substr(pos));
      return;
    }
    f(s.substr(pos, hit - pos));
    pos = hit + sep.size();
  }
}

void split_part_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    std::string_view sep = str_arg(args[1], i);
    int64_t index = int_arg(args[2], i);
    std::string_view result;
    if (index > 0) {
      int64_t k = 0;
      for_each_part(s, sep, [&](std::string_view p) {
        if (++k == index) result = p;
      });
    } else if (index < 0) {
      parts.clear();
      for_each_part(s, sep, [&](std::string_view p) { parts.push_back(p); });
      int64_t k = static_cast<int64_t>(parts.size()) + index;
      if (k >= 0) result = parts[k];
    }
    out->append_string(result);
  }
}

void string_split_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                         Column* out) {
  Column& elems = out->child(0);
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (args[0].is_null(i)) {
      out->append_null();
      continue;
    }
    std::string_view s = str_arg(args[0], i);
    if (args[1].is_null(i)) {
      // DuckDB: a NULL separator does not split.
      elems.append_string(s);
    } else {
      for_each_part(s, str_arg(args[1], i), [&](std::string_view p) { elems.append_string(p); });
    }
    out->append_list_end();
  }
}

// ---- padding --------------------------------------------------------------------------------

template <bool kLeft>
void pad_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (any_null(args, i)) {
      out->append_string({});
      continue;
    }
    std::string_view s = str_arg(args[0], i);
    int64_t len = int_arg(args[1], i);
    std::string_view pad = str_arg(args[2], i);
    bool ascii = is_ascii(s);
    int64_t size = ascii ? static_cast<int64_t>(s.size()) : utf8_length(s);
    if (len <= 0) {
      out->append_string({});
      continue;
    }
    if (len <= size) {
      append_chars(s, ascii, 0, len, out);
      continue;
    }
    if (pad.empty())
      throw_user_error("insufficient padding in {}: the padding string is empty",
                       kLeft ? "LPAD" : "RPAD");
    if (len > kMaxStringBytes) throw_user_error("padded length {} is too large", len);
    scratch.clear();
    if (!kLeft) scratch.append(s);
    int64_t missing = len - size;
    bool pad_ascii = is_ascii(pad);
    int64_t pad_chars = pad_ascii ? static_cast<int64_t>(pad.size()) : utf8_length(pad);
    while (missing > 0) {
      int64_t take = std::min(missing, pad_chars);
      scratch.append(pad.substr(0, pad_ascii ? take : utf8_offset(pad, take)));
      missing -= take;
    }
    if (kLeft) scratch.append(s);
    out->append_string(scratch);
  }
}

template <bool kLeft>
BoundScalar bind_pad(const std::vector<BindArg>& args) {
  fn::check_arity(kLeft ? "LPAD" : "RPAD", args, 2, 3, "STRING, length INT64[, fill STRING]");
  if (args.size() == 2) {
    // LPAD(s, n) pads with spaces (Postgres).
    BoundScalar b =
        fn::bound(DataType::string(), {DataType::string(), fn::integer_type(args[1].type)},
                  [](const KernelContext& ctx, const std::vector<ArgVector>& a, Column* out) {
                    static const Value kSpace = Value::string(" ");
                    ColumnPtr space = Column::constant(kSpace, 1);
                    std::vector<ArgVector> full = {a[0], a[1], {space.get(), true}};
                    pad_kernel<kLeft>(ctx, full, out);
                  });
    return b;
  }
  return fn::bound(DataType::string(),
                   {DataType::string(), fn::integer_type(args[1].type), DataType::string()},
                   &pad_kernel<kLeft>);
}

// ---- ASCII / CHR ----------------------------------------------------------------------------

void ascii_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  int32_t* v = fn::fixed_output<int32_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    size_t k = 0;
    v[i] = s.empty() ? 0 : static_cast<int32_t>(utf8_decode(s, &k));
  }
}

void chr_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (any_null(args, i)) {
      out->append_string({});
      continue;
    }
    int64_t cp = int_arg(args[0], i);
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      throw_user_error("CHR({}): not a valid Unicode code point", cp);
    scratch.clear();
    utf8_append(static_cast<uint32_t>(cp), &scratch);
    out->append_string(scratch);
  }
}

// ---- regular expressions --------------------------------------------------------------------

// Bind-time state of a REGEXP_* call: options, and the compiled pattern when it is constant.
struct RegexState {
  RE2::Options options;
  std::unique_ptr<RE2> re;  // null when the pattern is not a constant
  bool global = false;      // REGEXP_REPLACE 'g'
  int group = 0;            // REGEXP_EXTRACT group
};

std::unique_ptr<RE2> compile_regex(std::string_view pattern, const RE2::Options& options) {
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) throw_user_error("invalid regular expression '{}': {}", pattern, re->error());
  return re;
}

// Compiles a non-constant pattern, keeping the last one: rows usually repeat patterns.
class RegexCache {
 public:
  explicit RegexCache(const RegexState& state) : state_(state) {}
  const RE2& get(const ArgVector& pattern, size_t i) {
    if (state_.re) return *state_.re;
    std::string_view p = str_arg(pattern, i);
    if (!re_ || p != pattern_) {
      re_ = compile_regex(p, state_.options);
      pattern_.assign(p);
    }
    return *re_;
  }

 private:
  const RegexState& state_;
  std::unique_ptr<RE2> re_;
  std::string pattern_;
};

// DuckDB's regex options: c (case-sensitive), i (insensitive), l (literal), m/n/p (newline
// sensitive), s (dot matches newline), g (global, REGEXP_REPLACE only).
void parse_regex_options(const std::string& name, std::string_view opts, RegexState* state,
                         bool allow_global) {
  for (char c : opts) {
    switch (c) {
      case 'c':
        state->options.set_case_sensitive(true);
        break;
      case 'i':
        state->options.set_case_sensitive(false);
        break;
      case 'l':
        state->options.set_literal(true);
        break;
      case 'm':
      case 'n':
      case 'p':
        state->options.set_dot_nl(false);
        break;
      case 's':
        state->options.set_dot_nl(true);
        break;
      case 'g':
        if (!allow_global)
          throw_user_error("{}: option 'g' (global replace) is only valid for REGEXP_REPLACE",
                           name);
        state->global = true;
        break;
      case ' ':
      case '\t':
      case '\n':
        break;
      default:
        throw_user_error("{}: unrecognized regular expression option '{}'", name, c);
    }
  }
}

// Builds the state from the pattern argument (index 1) and an optional options argument.
std::shared_ptr<RegexState> bind_regex_state(const std::string& name,
                                             const std::vector<BindArg>& args, int options_arg,
                                             bool allow_global) {
  auto state = std::make_shared<RegexState>();
  state->options.set_log_errors(false);
  state->options.set_dot_nl(false);
  if (options_arg >= 0 && options_arg < static_cast<int>(args.size())) {
    const BindArg& o = args[options_arg];
    if (!o.constant) throw_not_supported("{} with non-constant options", name);
    if (!o.constant->is_null()) {
      if (o.constant->type().id() != TypeId::kString)
        throw_user_error("{}: options must be a string, got {}", name, o.type.to_string());
      parse_regex_options(name, o.constant->as_string(), state.get(), allow_global);
    }
  }
  const BindArg& p = args[1];
  if (p.constant && !p.constant->is_null() && p.constant->type().id() == TypeId::kString)
    state->re = compile_regex(p.constant->as_string(), state->options);
  return state;
}

template <bool kFull>
void regexp_match_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                         Column* out) {
  const auto& state = *static_cast<const RegexState*>(ctx.state);
  RegexCache cache(state);
  uint8_t* v = fn::fixed_output<uint8_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (!state.re && any_null(args, i)) {
      v[i] = 0;
      continue;
    }
    std::string_view s = str_arg(args[0], i);
    re2::StringPiece sp(s.data(), s.size());
    const RE2& re = cache.get(args[1], i);
    v[i] = kFull ? RE2::FullMatch(sp, re) : RE2::PartialMatch(sp, re);
  }
}

template <bool kFull>
BoundScalar bind_regexp_match(const std::vector<BindArg>& args) {
  const char* name = kFull ? "REGEXP_FULL_MATCH" : "REGEXP_MATCHES";
  fn::check_arity(name, args, 2, 3, "STRING, pattern STRING[, options STRING]");
  BoundScalar b = fn::bound(DataType::boolean(), strings(2), &regexp_match_kernel<kFull>);
  if (args.size() > 2) b.arg_types.push_back(DataType::string());
  b.state = bind_regex_state(name, args, 2, false);
  return b;
}

void regexp_replace_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                           Column* out) {
  const auto& state = *static_cast<const RegexState*>(ctx.state);
  RegexCache cache(state);
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (!state.re && any_null(args, i)) {
      out->append_string({});
      continue;
    }
    std::string_view s = str_arg(args[0], i);
    std::string_view rw = str_arg(args[2], i);
    const RE2& re = cache.get(args[1], i);
    scratch.assign(s);
    re2::StringPiece rewrite(rw.data(), rw.size());
    if (state.global)
      RE2::GlobalReplace(&scratch, re, rewrite);
    else
      RE2::Replace(&scratch, re, rewrite);
    out->append_string(scratch);
  }
}

BoundScalar bind_regexp_replace(const std::vector<BindArg>& args) {
  fn::check_arity("REGEXP_REPLACE", args, 3, 4,
                  "STRING, pattern STRING, replacement STRING[, options STRING]");
  BoundScalar b = fn::bound(DataType::string(), strings(args.size()), &regexp_replace_kernel);
  b.state = bind_regex_state("REGEXP_REPLACE", args, 3, true);
  return b;
}

int bind_group(const std::string& name, const std::vector<BindArg>& args, size_t index) {
  if (args.size() <= index) return 0;
  const BindArg& g = args[index];
  if (!g.constant || g.constant->is_null() || !g.type.is_integer())
    throw_user_error("{}: the group must be a constant integer", name);
  int64_t group = g.constant->as_int();
  if (group < 0 || group > 9)
    throw_user_error("{}: group index must be between 0 and 9, got {}", name, group);
  return static_cast<int>(group);
}

void regexp_extract_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                           Column* out) {
  const auto& state = *static_cast<const RegexState*>(ctx.state);
  RegexCache cache(state);
  re2::StringPiece groups[10];
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (!state.re && any_null(args, i)) {
      out->append_string({});
      continue;
    }
    std::string_view s = str_arg(args[0], i);
    const RE2& re = cache.get(args[1], i);
    re2::StringPiece sp(s.data(), s.size());
    // A group the pattern does not have extracts the empty string (DuckDB).
    if (state.group > re.NumberOfCapturingGroups() ||
        !re.Match(sp, 0, sp.size(), RE2::UNANCHORED, groups, state.group + 1)) {
      out->append_string({});
      continue;
    }
    out->append_string(std::string_view(groups[state.group].data(), groups[state.group].size()));
  }
}

BoundScalar bind_regexp_extract(const std::vector<BindArg>& args) {
  fn::check_arity("REGEXP_EXTRACT", args, 2, 4,
                  "STRING, pattern STRING[, group INT64[, options STRING]]");
  std::vector<DataType> types = strings(2);
  if (args.size() > 2) types.push_back(args[2].type);
  if (args.size() > 3) types.push_back(DataType::string());
  BoundScalar b = fn::bound(DataType::string(), std::move(types), &regexp_extract_kernel);
  auto state = bind_regex_state("REGEXP_EXTRACT", args, 3, false);
  state->group = bind_group("REGEXP_EXTRACT", args, 2);
  b.state = std::move(state);
  return b;
}

// Calls f(match) for every non-overlapping match of `re` in `s` (group `group`).
template <typename F>
void for_each_match(std::string_view s, const RE2& re, int group, F&& f) {
  re2::StringPiece groups[10];
  re2::StringPiece sp(s.data(), s.size());
  size_t pos = 0;
  while (pos <= s.size() && re.Match(sp, pos, sp.size(), RE2::UNANCHORED, groups, group + 1)) {
    f(groups[0], groups[group]);
    size_t end = groups[0].data() - s.data() + groups[0].size();
    // An empty match advances one character so the scan terminates.
    pos = groups[0].empty() ? end + (end < s.size() ? utf8_sequence_length(s[end]) : 1) : end;
  }
}

void regexp_extract_all_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                               Column* out) {
  const auto& state = *static_cast<const RegexState*>(ctx.state);
  RegexCache cache(state);
  Column& elems = out->child(0);
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (!any_null(args, i)) {
      const RE2& re = cache.get(args[1], i);
      if (state.group <= re.NumberOfCapturingGroups())
        for_each_match(str_arg(args[0], i), re, state.group,
                       [&](re2::StringPiece, re2::StringPiece g) {
                         elems.append_string(std::string_view(g.data(), g.size()));
                       });
    }
    out->append_list_end();
  }
}

BoundScalar bind_regexp_extract_all(const std::vector<BindArg>& args) {
  fn::check_arity("REGEXP_EXTRACT_ALL", args, 2, 4,
                  "STRING, pattern STRING[, group INT64[, options STRING]]");
  std::vector<DataType> types = strings(2);
  if (args.size() > 2) types.push_back(args[2].type);
  if (args.size() > 3) types.push_back(DataType::string());
  BoundScalar b = fn::bound(DataType::list_of(DataType::string()), std::move(types),
                            &regexp_extract_all_kernel);
  auto state = bind_regex_state("REGEXP_EXTRACT_ALL", args, 3, false);
  state->group = bind_group("REGEXP_EXTRACT_ALL", args, 2);
  b.state = std::move(state);
  return b;
}

// PostgreSQL's regexp_match: the capture groups of the first match as a list (the whole match
// when the pattern has no groups), a group that did not take part as NULL; NULL without a match.
void regexp_match_groups_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                                Column* out) {
  const auto& state = *static_cast<const RegexState*>(ctx.state);
  RegexCache cache(state);
  Column& elems = out->child(0);
  re2::StringPiece groups[10];
  for (size_t i = 0; i < ctx.rows; ++i) {
    bool matched = false;
    if (!any_null(args, i)) {
      std::string_view s = str_arg(args[0], i);
      const RE2& re = cache.get(args[1], i);
      int n = re.NumberOfCapturingGroups();
      if (n > 9) throw_not_supported("REGEXP_MATCH with more than 9 capture groups");
      re2::StringPiece sp(s.data(), s.size());
      matched = re.Match(sp, 0, sp.size(), RE2::UNANCHORED, groups, n + 1);
      if (matched) {
        for (int g = n == 0 ? 0 : 1; g <= n; ++g) {
          if (groups[g].data() == nullptr)
            elems.append_null();
          else
            elems.append_string(std::string_view(groups[g].data(), groups[g].size()));
        }
      }
    }
    out->append_list_end();
    if (!matched) out->set_null(i);
  }
}

BoundScalar bind_regexp_match_groups(const std::vector<BindArg>& args) {
  fn::check_arity("REGEXP_MATCH", args, 2, 3, "STRING, pattern STRING[, options STRING]");
  BoundScalar b = fn::bound(DataType::list_of(DataType::string()), strings(args.size()),
                            &regexp_match_groups_kernel);
  b.state = bind_regex_state("REGEXP_MATCH", args, 2, false);
  return b;
}

void regexp_split_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                         Column* out) {
  const auto& state = *static_cast<const RegexState*>(ctx.state);
  RegexCache cache(state);
  Column& elems = out->child(0);
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (!any_null(args, i)) {
      std::string_view s = str_arg(args[0], i);
      size_t pos = 0;
      for_each_match(s, cache.get(args[1], i), 0, [&](re2::StringPiece m, re2::StringPiece) {
        size_t b = m.data() - s.data();
        elems.append_string(s.substr(pos, b - pos));
        pos = b + m.size();
      });
      elems.append_string(s.substr(std::min(pos, s.size())));
    }
    out->append_list_end();
  }
}

BoundScalar bind_regexp_split(const std::vector<BindArg>& args) {
  fn::check_arity("REGEXP_SPLIT_TO_ARRAY", args, 2, 3, "STRING, pattern STRING[, options STRING]");
  BoundScalar b =
      fn::bound(DataType::list_of(DataType::string()), strings(args.size()), &regexp_split_kernel);
  b.state = bind_regex_state("REGEXP_SPLIT_TO_ARRAY", args, 2, false);
  return b;
}

void regexp_count_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                         Column* out) {
  const auto& state = *static_cast<const RegexState*>(ctx.state);
  RegexCache cache(state);
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) {
    v[i] = 0;
    if (any_null(args, i)) continue;
    for_each_match(str_arg(args[0], i), cache.get(args[1], i), 0,
                   [&](re2::StringPiece, re2::StringPiece) { ++v[i]; });
  }
}

BoundScalar bind_regexp_count(const std::vector<BindArg>& args) {
  fn::check_arity("REGEXP_COUNT", args, 2, 3, "STRING, pattern STRING[, options STRING]");
  BoundScalar b = fn::bound(DataType::int64(), strings(args.size()), &regexp_count_kernel);
  b.state = bind_regex_state("REGEXP_COUNT", args, 2, false);
  return b;
}

// Binds a function whose arguments are all strings, with a fixed arity.
std::function<BoundScalar(const std::vector<BindArg>&)> fixed_strings(const char* name, size_t n,
                                                                      DataType ret,
                                                                      ScalarKernel kernel,
                                                                      const char* expected) {
  return [=](const std::vector<BindArg>& args) {
    fn::check_arity(name, args, n, n, expected);
    return fn::bound(ret, strings(n), kernel);
  };
}

}  // namespace

void register_string_functions(FunctionRegistry& r) {
  using fn::add_function;
  const DataType kStr = DataType::string();
  add_function(r, "LENGTH", &bind_length, "number of characters (code points) of a string",
               {"CHAR_LENGTH", "CHARACTER_LENGTH", "LEN"});
  add_function(r, "OCTET_LENGTH", &bind_octet_length, "number of bytes of a string",
               {"STRLEN", "BYTE_LENGTH"});
  add_function(r, "UPPER", fixed_strings("UPPER", 1, kStr, &case_kernel<true>, "STRING"),
               "upper case", {"UCASE"});
  add_function(r, "LOWER", fixed_strings("LOWER", 1, kStr, &case_kernel<false>, "STRING"),
               "lower case", {"LCASE"});
  add_function(r, "INITCAP", fixed_strings("INITCAP", 1, kStr, &initcap_kernel, "STRING"),
               "first letter of every word upper case, the rest lower case");
  add_function(r, "TRIM", &bind_trim<true, true>, "removes characters (spaces) at both ends",
               {"BTRIM"});
  add_function(r, "LTRIM", &bind_trim<true, false>, "removes characters (spaces) at the start");
  add_function(r, "RTRIM", &bind_trim<false, true>, "removes characters (spaces) at the end");
  add_function(r, "SUBSTRING", &bind_substring,
               "characters from a 1-based start, optionally for a length", {"SUBSTR"});
  add_function(r, "LEFT", &bind_left_right<true>, "the first n characters");
  add_function(r, "RIGHT", &bind_left_right<false>, "the last n characters");
  add_function(r, "CONCAT", &bind_concat, "concatenates values as text, skipping NULLs");
  add_function(r, "CONCAT_WS", &bind_concat_ws,
               "concatenates values with a separator, skipping NULLs");
  add_function(r, "REPLACE",
               fixed_strings("REPLACE", 3, kStr, &replace_kernel, "STRING, from STRING, to STRING"),
               "replaces every occurrence of a substring");
  add_function(r, "REVERSE", fixed_strings("REVERSE", 1, kStr, &reverse_kernel, "STRING"),
               "the characters in reverse order");
  add_function(
      r, "REPEAT",
      [](const std::vector<BindArg>& args) {
        fn::check_arity("REPEAT", args, 2, 2, "STRING, count INT64");
        return fn::bound(DataType::string(), {DataType::string(), fn::integer_type(args[1].type)},
                         &repeat_kernel);
      },
      "the string repeated n times");
  add_function(r, "STRPOS",
               fixed_strings("STRPOS", 2, DataType::int64(), &position_kernel<false>,
                             "haystack STRING, needle STRING"),
               "1-based character position of a substring, 0 when absent", {"INSTR"});
  add_function(r, "POSITION",
               fixed_strings("POSITION", 2, DataType::int64(), &position_kernel<true>,
                             "needle STRING IN haystack STRING"),
               "POSITION(needle IN haystack): 1-based position, 0 when absent");
  add_function(r, "STARTS_WITH",
               fixed_strings("STARTS_WITH", 2, DataType::boolean(), &match_kernel<Match::kStarts>,
                             "STRING, prefix STRING"),
               "true when the string starts with the prefix", {"PREFIX"});
  add_function(r, "ENDS_WITH",
               fixed_strings("ENDS_WITH", 2, DataType::boolean(), &match_kernel<Match::kEnds>,
                             "STRING, suffix STRING"),
               "true when the string ends with the suffix", {"SUFFIX"});
  add_function(r, "CONTAINS",
               fixed_strings("CONTAINS", 2, DataType::boolean(), &match_kernel<Match::kContains>,
                             "STRING, needle STRING"),
               "true when the string contains the substring");
  add_function(
      r, "SPLIT_PART",
      [](const std::vector<BindArg>& args) {
        fn::check_arity("SPLIT_PART", args, 3, 3, "STRING, separator STRING, index INT64");
        return fn::bound(DataType::string(),
                         {DataType::string(), DataType::string(), fn::integer_type(args[2].type)},
                         &split_part_kernel);
      },
      "the n-th part (1-based, negative from the end) of a string split at a separator");
  add_function(
      r, "STRING_SPLIT",
      [](const std::vector<BindArg>& args) {
        fn::check_arity("STRING_SPLIT", args, 2, 2, "STRING, separator STRING");
        return fn::bound(DataType::list_of(DataType::string()), strings(2), &string_split_kernel,
                         /*propagates_nulls=*/false);
      },
      "splits a string at a separator into a list", {"SPLIT", "STR_SPLIT", "STRING_TO_ARRAY"});
  add_function(r, "LPAD", &bind_pad<true>, "pads on the left to a length (truncates when longer)");
  add_function(r, "RPAD", &bind_pad<false>,
               "pads on the right to a length (truncates when longer)");
  add_function(r, "ASCII", fixed_strings("ASCII", 1, DataType::int32(), &ascii_kernel, "STRING"),
               "code point of the first character (0 for an empty string)", {"ORD"});
  add_function(
      r, "CHR",
      [](const std::vector<BindArg>& args) {
        fn::check_arity("CHR", args, 1, 1, "code INT64");
        return fn::bound(DataType::string(), {fn::integer_type(args[0].type)}, &chr_kernel);
      },
      "the character of a Unicode code point");
  add_function(r, "REGEXP_MATCHES", &bind_regexp_match<false>,
               "true when the regular expression matches anywhere in the string",
               {"REGEXP_LIKE", "REGEXP"});
  add_function(r, "REGEXP_FULL_MATCH", &bind_regexp_match<true>,
               "true when the regular expression matches the whole string");
  add_function(r, "REGEXP_REPLACE", &bind_regexp_replace,
               "replaces the first match (every match with option 'g'); \\1 refers to groups");
  add_function(r, "REGEXP_MATCH", &bind_regexp_match_groups,
               "capture groups of the first match as a list, NULL without a match (PostgreSQL)");
  add_function(r, "REGEXP_EXTRACT", &bind_regexp_extract,
               "the first match (or one of its groups), empty when nothing matches");
  add_function(r, "REGEXP_EXTRACT_ALL", &bind_regexp_extract_all,
               "every match (or one of its groups) as a list");
  add_function(r, "REGEXP_SPLIT_TO_ARRAY", &bind_regexp_split,
               "splits a string at every match of a regular expression", {"STRING_SPLIT_REGEX"});
  add_function(r, "REGEXP_COUNT", &bind_regexp_count,
               "number of non-overlapping matches of a regular expression");
}

}  // namespace velo
