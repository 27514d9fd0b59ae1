// Runs DuckDB-style sqllogictest files (tests/sql/*.test) against the velostream engine.
//
//   statement ok | statement error [substring]
//   <sql, up to a blank line>
//
//   query <types> [rowsort|nosort] [velo-only]
//   <sql>
//   ----
//   <expected rows: values separated by tabs, NULL for null>
//
// `__TMP__` in SQL is replaced by a fresh temporary directory per file. With --dump-cases FILE,
// every query not marked velo-only is also written as JSON Lines {file, line, sql, sort,
// expected} so tests/sqllogic/duckdb_check.mjs can confirm DuckDB gives the same answers.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "velo/runtime/engine.h"
#include "velo/sql/parser/parser.h"
#include "velo/sql/parser/sql_error.h"
#include "velo/types/error.h"
#include "velo/types/value.h"

namespace fs = std::filesystem;

namespace {

struct Record {
  enum Kind { kStatementOk, kStatementError, kQuery } kind;
  int line = 0;
  std::string sql;
  std::string error_substring;
  std::string sort = "nosort";
  std::string types;  // one letter per column: I integer, R real/decimal, T text
  bool velo_only = false;
  std::vector<std::string> expected;
};

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<Record> parse_file(const std::string& path) {
  auto lines = read_lines(path);
  std::vector<Record> out;
  size_t i = 0;
  while (i < lines.size()) {
    std::string l = trim(lines[i]);
    if (l.empty() || l[0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = static_cast<int>(i + 1);
    std::istringstream hs(l);
    std::string word;
    hs >> word;
    if (word == "statement") {
      std::string what;
      hs >> what;
      if (what == "ok") {
        r.kind = Record::kStatementOk;
      } else if (what == "error") {
        r.kind = Record::kStatementError;
        std::getline(hs, r.error_substring);
        r.error_substring = trim(r.error_substring);
      } else {
        throw std::runtime_error(
            fmt::format("{}:{}: unknown statement mode '{}'", path, i + 1, what));
      }
    } else if (word == "query") {
      r.kind = Record::kQuery;
      hs >> r.types;
      std::string opt;
      while (hs >> opt) {
        if (opt == "rowsort" || opt == "nosort" || opt == "valuesort")
          r.sort = opt;
        else if (opt == "velo-only")
          r.velo_only = true;
        else
          throw std::runtime_error(
              fmt::format("{}:{}: unknown query option '{}'", path, i + 1, opt));
      }
    } else {
      throw std::runtime_error(
          fmt::format("{}:{}: expected 'statement' or 'query', got '{}'", path, i + 1, l));
    }
    ++i;
    std::string sql;
    while (i < lines.size() && trim(lines[i]) != "" && trim(lines[i]) != "----")
      sql += lines[i++] + "\n";
    r.sql = sql;
    if (r.kind == Record::kQuery) {
      if (i >= lines.size() || trim(lines[i]) != "----")
        throw std::runtime_error(fmt::format("{}:{}: query without ---- line", path, r.line));
      ++i;
      while (i < lines.size() && trim(lines[i]) != "") r.expected.push_back(lines[i++]);
    }
    out.push_back(std::move(r));
  }
  return out;
}

// "140.30" and "140.3" are the same number: DuckDB prints a DOUBLE where we may keep an exact
// DECIMAL with its scale. Only trailing fraction zeros are dropped; nothing is rounded.
std::string canonical_number(const std::string& v) {
  if (v.find('.') == std::string::npos || v.find_first_not_of("-+0123456789.") != std::string::npos)
    return v;
  std::string s = v;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

// Canonical form of a result row for comparison: R columns as canonical numbers.
std::string canonical_row(const std::string& row, const std::string& types) {
  std::string out;
  size_t start = 0;
  for (size_t c = 0;; ++c) {
    size_t tab = row.find('\t', start);
    std::string cell =
        row.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
    if (c < types.size() && types[c] == 'R') cell = canonical_number(cell);
    out += (c ? "\t" : "") + cell;
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
}

std::vector<std::string> format_rows(const velo::StatementResult& r) {
  std::vector<std::string> rows;
  for (const auto& b : r.batches)
    for (size_t i = 0; i < b.num_rows; ++i) {
      std::string row;
      for (size_t c = 0; c < b.columns.size(); ++c) {
        if (c) row += '\t';
        std::string v = b.columns[c]->value_at(i).to_string();
        if (v.empty()) v = "(empty)";
        row += v;
      }
      rows.push_back(row);
    }
  return rows;
}

std::string json_string(const std::string& s) {
  std::string out;
  velo::append_json_string(s, &out);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  std::string dump_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dump-cases" && i + 1 < argc)
      dump_path = argv[++i];
    else if (fs::is_directory(a)) {
      for (const auto& e : fs::recursive_directory_iterator(a))
        if (e.path().extension() == ".test") files.push_back(e.path().string());
    } else
      files.push_back(a);
  }
  std::sort(files.begin(), files.end());
  std::ofstream dump;
  if (!dump_path.empty()) dump.open(dump_path);
  int passed = 0, failed = 0;
  for (const auto& file : files) {
    std::vector<Record> records;
    try {
      records = parse_file(file);
    } catch (const std::exception& e) {
      fmt::print(stderr, "FAIL {}\n", e.what());
      ++failed;
      continue;
    }
    fs::path tmp = fs::temp_directory_path() /
                   fmt::format("velo-slt-{}-{}", getpid(), fs::path(file).stem().string());
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    velo::EngineOptions options;
    options.parallelism = 2;
    velo::Engine engine(options);
    for (auto& r : records) {
      std::string sql = r.sql;
      replace_all(sql, "__TMP__", tmp.string());
      std::string where = fmt::format("{}:{}", file, r.line);
      std::string error;
      std::vector<std::string> got;
      try {
        auto statements = velo::sql::parse_script(sql);
        for (const auto& s : statements) {
          auto res = engine.execute(*s);
          got = format_rows(res);
        }
      } catch (const velo::Error& e) {
        // A position in the SQL text gets a caret; data-file locations print as file:line:col.
        bool in_sql = e.location().file.empty() && e.location().line > 0;
        error = in_sql ? velo::sql::render_sql_error(sql, e) : e.describe();
      } catch (const std::exception& e) {
        error = e.what();
      }
      bool ok = true;
      std::string why;
      if (r.kind == Record::kStatementOk) {
        ok = error.empty();
        why = "unexpected error: " + error;
      } else if (r.kind == Record::kStatementError) {
        ok = !error.empty() && error.find(r.error_substring) != std::string::npos;
        why = error.empty() ? "statement succeeded but an error was expected"
                            : "error does not contain '" + r.error_substring + "': " + error;
      } else {
        if (!error.empty()) {
          ok = false;
          why = "unexpected error: " + error;
        } else {
          std::vector<std::string> expected = r.expected;
          for (auto& g : got) g = canonical_row(g, r.types);
          for (auto& e : expected) {
            replace_all(e, "__TMP__", tmp.string());
            e = canonical_row(e, r.types);
          }
          if (r.sort == "rowsort") {
            std::sort(got.begin(), got.end());
            std::sort(expected.begin(), expected.end());
          }
          ok = got == expected;
          if (!ok) {
            why = "result differs\n-- expected:\n";
            for (const auto& e : expected) why += e + "\n";
            why += "-- got:\n";
            for (const auto& g : got) why += g + "\n";
          }
        }
        if (dump.is_open() && !r.velo_only) {
          std::string exp = "[";
          for (size_t k = 0; k < r.expected.size(); ++k)
            exp += (k ? "," : "") + json_string(r.expected[k]);
          dump << fmt::format(
              "{{\"file\":{},\"line\":{},\"sql\":{},\"sort\":{},\"types\":{},\"expected\":{}]}}\n",
              json_string(file), r.line, json_string(sql), json_string(r.sort),
              json_string(r.types), exp);
        }
      }
      if (ok) {
        ++passed;
      } else {
        ++failed;
        fmt::print(stderr, "FAIL {}\n{}\n{}\n", where, sql, why);
      }
    }
    // Keep outputs when dumping: the DuckDB cross-check reads the files these tests wrote.
    if (dump_path.empty()) fs::remove_all(tmp);
  }
  fmt::print("sqllogictest: {} passed, {} failed, {} files\n", passed, failed, files.size());
  return failed == 0 ? 0 : 1;
}
