#include "velo/sql/parser/sql_error.h"

#include <fmt/format.h>

#include <vector>

#include "velo/sql/parser/lexer.h"

namespace velo::sql {

namespace {

// Characters (not bytes) in `s`: UTF-8 continuation bytes do not count.
int char_count(std::string_view s) {
  int n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

std::string render_sql_error(std::string_view sql, const Error& e) {
  std::string out = "error: " + e.message();
  const ErrorLocation& loc = e.location();
  if (loc.line <= 0) return out;
  if (e.message().find("at line ") == std::string::npos) {
    out += fmt::format(" (at line {}, column {})", loc.line, loc.column);
  }
  // Split into lines; the location's line is 1-based within `sql`.
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin <= sql.size()) {
    size_t nl = sql.find('\n', begin);
    if (nl == std::string_view::npos) {
      lines.push_back(sql.substr(begin));
      break;
    }
    std::string_view line = sql.substr(begin, nl - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    begin = nl + 1;
  }
  if (loc.line > static_cast<int64_t>(lines.size())) return out;
  size_t index = static_cast<size_t>(loc.line - 1);
  if (index > 0 && !lines[index - 1].empty() &&
      lines[index - 1].find_first_not_of(" \t") != std::string_view::npos) {
    out += fmt::format("\n  {}", lines[index - 1]);
  }
  std::string_view line = lines[index];
  out += fmt::format("\n  {}", line);
  int length = 1;
  if (loc.offset >= 0) length = token_length_at(sql, static_cast<int>(loc.offset));
  // Keep the caret on this line even for a token that spans lines (a multi-line string).
  int column = static_cast<int>(std::max<int64_t>(1, loc.column));
  int line_chars = char_count(line);
  int available = std::max(1, line_chars - column + 1);
  length = std::max(1, std::min(length, available));
  // Tabs in the prefix stay tabs so the caret lines up under the token.
  std::string pad;
  int col = 1;
  for (size_t i = 0; i < line.size() && col < column; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    pad += line[i] == '\t' ? '\t' : ' ';
    ++col;
  }
  while (col < column) {
    pad += ' ';
    ++col;
  }
  out += fmt::format("\n  {}{}", pad, std::string(static_cast<size_t>(length), '^'));
  return out;
}

}  // namespace velo::sql
