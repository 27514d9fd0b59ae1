#include "velo/connectors/file/path_template.h"

#include <fmt/format.h>

#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo {

namespace {

bool needs_escape(unsigned char c) {
  if (c < 0x20 || c == 0x7f) return true;
  switch (c) {
    case '"':
    case '#':
    case '%':
    case '\'':
    case '*':
    case '/':
    case ':':
    case '=':
    case '?':
    case '\\':
    case '{':
    case '[':
    case ']':
    case '^':
      return true;
    default:
      return false;
  }
}

void append_escaped(unsigned char c, std::string* out) {
  static const char* kHex = "0123456789ABCDEF";
  out->push_back('%');
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 15]);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct PlaceholderName {
  const char* name;
  PathTemplate::Part::Kind kind;
  TimeGranularity granularity;
};

// Case matters: {MM} is the month, {mm} the minute.
constexpr PlaceholderName kTimePlaceholders[] = {
    {"YYYY", PathTemplate::Part::Kind::kYear, TimeGranularity::kDay},
    {"MM", PathTemplate::Part::Kind::kMonth, TimeGranularity::kDay},
    {"DD", PathTemplate::Part::Kind::kDay, TimeGranularity::kDay},
    {"HH", PathTemplate::Part::Kind::kHour, TimeGranularity::kHour},
    {"mm", PathTemplate::Part::Kind::kMinute, TimeGranularity::kMinute},
    {"YYYY-MM-DD", PathTemplate::Part::Kind::kDate, TimeGranularity::kDay},
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

}  // namespace

std::string escape_partition_value(std::string_view value) {
  if (value.empty()) return std::string(kHiveDefaultPartition);
  std::string out;
  out.reserve(value.size() + 8);
  for (size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (needs_escape(c) || (i == 0 && c == '.'))
      append_escaped(c, &out);
    else
      out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string unescape_partition_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

PathTemplate::PathTemplate(std::string_view text) {
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    parts_.push_back(Part{Part::Kind::kLiteral, std::move(literal), -1});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      literal.push_back(text[i]);
      continue;
    }
    size_t close = i + 1;
    while (close < text.size() && is_name_char(text[close])) ++close;
    if (close >= text.size() || text[close] != '}' || close == i + 1) {
      literal.push_back(text[i]);
      continue;
    }
    std::string name(text.substr(i + 1, close - i - 1));
    Part part{Part::Kind::kColumn, name, -1};
    for (const auto& p : kTimePlaceholders) {
      if (name != p.name) continue;
      part.kind = p.kind;
      if (p.granularity > granularity_) granularity_ = p.granularity;
    }
    flush();
    parts_.push_back(std::move(part));
    i = close;
  }
  flush();
}

bool PathTemplate::has_placeholders() const {
  for (const Part& p : parts_)
    if (p.kind != Part::Kind::kLiteral) return true;
  return false;
}

std::vector<int> PathTemplate::bind(const Schema& schema) {
  std::vector<int> columns;
  for (Part& p : parts_) {
    if (p.kind != Part::Kind::kColumn) continue;
    p.column = schema.find(p.text);
    if (p.column < 0) {
      std::string known;
      for (const Field& f : schema.fields()) known += (known.empty() ? "" : ", ") + f.name;
      throw_user_error(
          "path template {{{}}}: no such column in the query's output (columns: {}; time "
          "placeholders are {{YYYY}} {{MM}} {{DD}} {{HH}} {{mm}} {{YYYY-MM-DD}})",
          p.text, known);
    }
    const DataType& t = schema.field(p.column).type;
    if (t.id() == TypeId::kStruct || t.id() == TypeId::kList || t.id() == TypeId::kMap)
      throw_user_error("path template {{{}}}: a {} column cannot name a folder", p.text,
                       t.to_string());
    columns.push_back(p.column);
  }
  return columns;
}

void PathTemplate::render(const Batch& batch, size_t row, int64_t time_us, bool time_null,
                          std::string* out) const {
  temporal::CivilDate date{};
  int64_t hour = 0, minute = 0;
  if (uses_time() && !time_null) {
    int32_t days = temporal::days_of(time_us);
    date = temporal::civil_from_days(days);
    int64_t in_day = time_us - static_cast<int64_t>(days) * temporal::kMicrosPerDay;
    hour = in_day / (3600 * temporal::kMicrosPerSecond);
    minute = in_day / (60 * temporal::kMicrosPerSecond) % 60;
  }
  std::string value;
  for (const Part& p : parts_) {
    if (p.kind == Part::Kind::kLiteral) {
      out->append(p.text);
      continue;
    }
    if (p.kind == Part::Kind::kColumn) {
      value.clear();
      append_path_value(*batch.columns[p.column], row, &value);
      out->append(escape_partition_value(value));
      continue;
    }
    if (time_null) {
      out->append(kHiveDefaultPartition);
      continue;
    }
    switch (p.kind) {
      case Part::Kind::kYear:
        fmt::format_to(std::back_inserter(*out), "{:04}", date.year);
        break;
      case Part::Kind::kMonth:
        fmt::format_to(std::back_inserter(*out), "{:02}", date.month);
        break;
      case Part::Kind::kDay:
        fmt::format_to(std::back_inserter(*out), "{:02}", date.day);
        break;
      case Part::Kind::kHour:
        fmt::format_to(std::back_inserter(*out), "{:02}", hour);
        break;
      case Part::Kind::kMinute:
        fmt::format_to(std::back_inserter(*out), "{:02}", minute);
        break;
      case Part::Kind::kDate:
        fmt::format_to(std::back_inserter(*out), "{:04}-{:02}-{:02}", date.year, date.month,
                       date.day);
        break;
      default:
        break;
    }
  }
}

void append_path_value(const Column& column, size_t row, std::string* out) {
  if (column.is_null(row)) return;
  switch (column.type().id()) {
    case TypeId::kString:
    case TypeId::kBytes:
      out->append(column.string_at(row));
      return;
    default:
      out->append(column.value_at(row).to_string());
  }
}

}  // namespace velo
