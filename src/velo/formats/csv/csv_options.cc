#include "velo/formats/csv/csv_options.h"

#include "velo/types/error.h"

namespace velo::csv {

namespace {
constexpr const char* kOptionNames[] = {
    "header",  "delimiter", "delim",       "sep",         "quote",   "escape",      "null_string",
    "nullstr", "skip",      "sample_rows", "sample_size", "comment", "compression", nullptr};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One byte from an option value: "x", "\t" (a real tab), "\\t", "tab"; "" -> 0 when allowed.
char option_char(const std::string& key, const std::string& value, bool allow_empty) {
  if (value.size() == 1) return value[0];
  if (value.empty()) {
    if (allow_empty) return 0;
    throw_user_error("option '{}' must not be empty", key);
  }
  std::string v = Options::lower(value);
  if (v == "\\t" || v == "tab") return '\t';
  if (v == "\\n") throw_user_error("option '{}' cannot be a newline", key);
  if (v == "\\\\") return '\\';
  if (v == "\\0" || v == "none") {
    if (allow_empty) return 0;
  }
  throw_user_error("option '{}' must be one character, got '{}'", key, value);
}

std::optional<std::string> first_of(const Options& o, std::initializer_list<const char*> keys) {
  std::optional<std::string> out;
  for (const char* k : keys)
    if (auto v = o.get(k); v && !out) out = v;
  return out;
}
}  // namespace

const char* const* csv_option_names() { return kOptionNames; }

CsvOptions parse_csv_options(const Options& o, const std::string& path) {
  CsvOptions c;
  std::string comp = o.get_string("compression", "auto");
  c.compression = compression_by_name(comp, path);
  std::string lower = Options::lower(path);
  for (const char* suffix : {".gz", ".gzip", ".zst", ".zstd", ".bz2", ".lz4"})
    if (ends_with(lower, suffix)) {
      lower.resize(lower.size() - std::string_view(suffix).size());
      break;
    }
  if (ends_with(lower, ".tsv") || ends_with(lower, ".tab")) c.dialect.delimiter = '\t';
  if (auto d = first_of(o, {"delimiter", "delim", "sep"}))
    c.dialect.delimiter = option_char("delimiter", *d, false);
  if (auto q = o.get("quote")) c.dialect.quote = option_char("quote", *q, true);
  c.dialect.escape = c.dialect.quote;
  if (auto e = o.get("escape")) c.dialect.escape = option_char("escape", *e, true);
  if (auto cm = o.get("comment")) c.dialect.comment = option_char("comment", *cm, true);
  c.header = o.get_bool("header", true);
  if (auto n = first_of(o, {"null_string", "nullstr"})) c.null_string = *n;
  c.skip = o.get_int("skip", 0);
  if (c.skip < 0) throw_user_error("option 'skip' must be >= 0, got {}", c.skip);
  if (auto s = first_of(o, {"sample_rows", "sample_size"})) {
    Options tmp;
    tmp.set("n", *s);
    c.sample_rows = tmp.get_int("n", c.sample_rows);
  }
  const CsvDialect& d = c.dialect;
  if (d.delimiter == '\n' || d.delimiter == '\r')
    throw_user_error("the csv delimiter cannot be a newline");
  if (d.quote && d.quote == d.delimiter)
    throw_user_error("the csv quote and delimiter must differ (both '{}')", d.quote);
  return c;
}

}  // namespace velo::csv
