#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "velo/batch/batch.h"

namespace velo {

/// The folder name Hive, Spark and DuckDB use for a NULL or empty partition value.
inline constexpr std::string_view kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

/// Escapes a partition value into one path segment the way Hive's FileUtils.escapePathName does
/// ('/', ':', '=', '%', '"', '#', '*', '?', '\\', '{', '[', ']', '^', control bytes -> %XX), and
/// also a leading '.', so a value never names "." or "..", never climbs out of the sink's prefix
/// and never turns a folder hidden (globs skip hidden names). "" becomes kHiveDefaultPartition.
std::string escape_partition_value(std::string_view value);
/// The inverse of escape_partition_value for any %XX (malformed escapes stay as they are).
std::string unescape_partition_value(std::string_view text);

/// Time granularity a template needs from the row's time: rows group by this bucket.
enum class TimeGranularity { kNone, kDay, kHour, kMinute };

/// A sink path with placeholders: `{YYYY}`, `{MM}`, `{DD}`, `{HH}`, `{mm}`, `{YYYY-MM-DD}` from
/// the row's time and `{column}` from a column's value (escaped like a partition value). Text
/// between placeholders is kept as written; a brace group that is not a placeholder name (e.g.
/// `{a,b}`) is literal. Immutable after bind(); render() is cheap and allocation-light.
class PathTemplate {
 public:
  struct Part {
    enum class Kind { kLiteral, kYear, kMonth, kDay, kHour, kMinute, kDate, kColumn };
    Kind kind = Kind::kLiteral;
    std::string text;  // literal text, or the column name of kColumn
    int column = -1;   // index in the bound schema for kColumn
  };

  PathTemplate() = default;
  explicit PathTemplate(std::string_view text);

  bool has_placeholders() const;
  bool uses_time() const { return granularity_ != TimeGranularity::kNone; }
  TimeGranularity granularity() const { return granularity_; }
  /// Resolves `{column}` names (case-insensitive) against the sink's input schema; throws a user
  /// error naming an unknown column. Returns the bound column indexes, in template order.
  std::vector<int> bind(const Schema& schema);
  /// The path for row `row` of `batch` whose time is `time_us` (ignored when !uses_time();
  /// `time_null` renders every time placeholder as kHiveDefaultPartition). Appends to `out`.
  void render(const Batch& batch, size_t row, int64_t time_us, bool time_null,
              std::string* out) const;
  const std::vector<Part>& parts() const { return parts_; }

 private:
  std::vector<Part> parts_;
  TimeGranularity granularity_ = TimeGranularity::kNone;
};

/// The text a column value takes in a path (before escaping): what `velo query` prints, e.g.
/// "2024-01-31" for a DATE, "true" for a BOOLEAN. NULL renders as "" (the default partition).
void append_path_value(const Column& column, size_t row, std::string* out);

}  // namespace velo
