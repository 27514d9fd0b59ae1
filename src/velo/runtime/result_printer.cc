#include "velo/runtime/result_printer.h"

#include <fmt/format.h>

#include <algorithm>

#include "velo/types/error.h"
#include "velo/types/value.h"

namespace velo {

ResultFormat parse_result_format(const std::string& name) {
  if (name == "table") return ResultFormat::kTable;
  if (name == "csv") return ResultFormat::kCsv;
  if (name == "json" || name == "jsonl") return ResultFormat::kJson;
  throw_user_error("unknown output format '{}' (use table, csv or json)", name);
}

namespace {
// Display width of UTF-8 text (code points; good enough for tables).
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void print_table(const Schema& schema, const std::vector<Batch>& batches, std::FILE* out, size_t max_rows) {
  size_t ncols = schema.size();
  size_t total = 0;
  for (const auto& b : batches) total += b.num_rows;
  size_t shown = std::min(total, max_rows);
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width(ncols);
  std::vector<bool> numeric(ncols);
  for (size_t c = 0; c < ncols; ++c) {
    width[c] = std::max(display_width(schema.field(c).name), display_width(schema.field(c).type.to_string()));
    numeric[c] = schema.field(c).type.is_numeric();
  }
  for (const auto& b : batches) {
    for (size_t r = 0; r < b.num_rows && cells.size() < shown; ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < ncols; ++c) {
        row.push_back(b.columns[c]->value_at(r).to_string());
        width[c] = std::max(width[c], std::min<size_t>(display_width(row.back()), 60));
      }
      cells.push_back(std::move(row));
    }
  }
  auto rule = [&](const char* l, const char* m, const char* r) {
    std::string s = l;
    for (size_t c = 0; c < ncols; ++c) {
      for (size_t k = 0; k < width[c] + 2; ++k) s += "─";
      s += c + 1 < ncols ? m : r;
    }
    fmt::print(out, "{}\n", s);
  };
  auto line = [&](const std::vector<std::string>& row, bool align_numbers) {
    std::string s = "│";
    for (size_t c = 0; c < ncols; ++c) {
      std::string v = row[c];
      if (display_width(v) > 60) {
        size_t keep = 0, chars = 0;
        while (keep < v.size() && chars < 59) {
          ++keep;
          while (keep < v.size() && (static_cast<unsigned char>(v[keep]) & 0xC0) == 0x80) ++keep;
          ++chars;
        }
        v = v.substr(0, keep) + "…";
      }
      size_t pad = width[c] - display_width(v);
      if (align_numbers && numeric[c]) s += " " + std::string(pad, ' ') + v + " │";
      else s += " " + v + std::string(pad, ' ') + " │";
    }
    fmt::print(out, "{}\n", s);
  };
  if (ncols == 0) {
    fmt::print(out, "({} rows, no columns)\n", total);
    return;
  }
  rule("┌", "┬", "┐");
  std::vector<std::string> names, types;
  for (size_t c = 0; c < ncols; ++c) {
    names.push_back(schema.field(c).name);
    types.push_back(schema.field(c).type.to_string());
  }
  line(names, false);
  line(types, false);
  rule("├", "┼", "┤");
  for (const auto& row : cells) line(row, true);
  rule("└", "┴", "┘");
  if (total > shown) fmt::print(out, "… {} more rows ({} total)\n", total - shown, total);
  else fmt::print(out, "{} row{}\n", total, total == 1 ? "" : "s");
}
}  // namespace

void print_result(const Schema& schema, const std::vector<Batch>& batches, ResultFormat format, std::FILE* out,
                  size_t max_rows) {
  switch (format) {
    case ResultFormat::kTable: print_table(schema, batches, out, max_rows); return;
    case ResultFormat::kCsv: {
      std::string header;
      for (size_t c = 0; c < schema.size(); ++c) header += (c ? "," : "") + csv_field(schema.field(c).name);
      fmt::print(out, "{}\n", header);
      for (const auto& b : batches)
        for (size_t r = 0; r < b.num_rows; ++r) {
          std::string s;
          for (size_t c = 0; c < schema.size(); ++c) {
            if (c) s += ',';
            if (!b.columns[c]->is_null(r)) s += csv_field(b.columns[c]->value_at(r).to_string());
          }
          fmt::print(out, "{}\n", s);
        }
      return;
    }
    case ResultFormat::kJson:
      for (const auto& b : batches)
        for (size_t r = 0; r < b.num_rows; ++r) {
          std::string s = "{";
          for (size_t c = 0; c < schema.size(); ++c) {
            if (c) s += ",";
            append_json_string(schema.field(c).name, &s);
            s += ":" + b.columns[c]->value_at(r).to_json();
          }
          fmt::print(out, "{}}}\n", s);
        }
      return;
  }
}

}  // namespace velo
