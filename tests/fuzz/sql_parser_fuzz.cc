// SQL text -> AST: velo::sql::parse_script, and for short inputs parse_type and the declared
// schema parser (parse_column_list). A syntax error is a velo::Error; it is also rendered with
// its caret (render_sql_error). Every parsed query must print (Query::to_string) to SQL that
// parses again, and printing is stable from the second print on (ast.h: "re-parses to the
// same tree").
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "velo/io/column_list.h"
#include "velo/sql/parser/parser.h"
#include "velo/sql/parser/sql_error.h"

namespace {

// Prints `q`, re-parses the text and prints again. The first print may still change (the parser
// folds some forms, e.g. `-(0)` prints as `-0`, which re-parses as the literal 0), but the text
// must re-parse, and from the second print on it must be stable.
std::string reprint(const std::string& sql) {
  try {
    auto again = velo::sql::parse_script(sql);
    velo::fuzz::check(again.size() == 1 && again[0]->query != nullptr,
                      "Query::to_string did not re-parse to one query", sql);
    return again[0]->query->to_string();
  } catch (const velo::Error& e) {
    velo::fuzz::MemoryFile::abort_with("Query::to_string does not re-parse",
                                       sql + "\n  -> " + e.describe());
  }
}

void round_trip(const velo::sql::Query& q) {
  std::string first = q.to_string();
  std::string second = reprint(first);
  std::string third = reprint(second);
  velo::fuzz::check(second == third, "Query::to_string is not stable",
                    "\n  first:  " + first + "\n  second: " + second + "\n  third:  " + third);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  velo::fuzz::expect_clean([&] {
    try {
      auto statements = velo::sql::parse_script(sql);
      for (const auto& st : statements) {
        if (st->query) round_trip(*st->query);
      }
    } catch (const velo::Error& e) {
      (void)velo::sql::render_sql_error(sql, e);
      throw;
    }
  });
  if (size <= 256) {
    velo::fuzz::expect_clean([&] { (void)velo::sql::parse_type(sql).to_string(); });
    velo::fuzz::expect_clean([&] { (void)velo::parse_column_list(sql)->to_string(); });
  }
  return 0;
}
