#pragma once

#include <string>
#include <utility>
#include <vector>

#include "velo/io/options.h"
#include "velo/io/scan_spec.h"
#include "velo/types/data_type.h"
#include "velo/types/value.h"

namespace velo {

/// The `key=value` folders of a path, in order, unescaped (file name excluded).
std::vector<std::pair<std::string, std::string>> hive_folders(const std::string& path);

/// Hive-style partition columns of a file source (`FROM 'data/**/*.parquet'` over
/// `year=2024/region=eu/` folders), from the options `hive_partitioning` (true | false | auto:
/// on when every file sits below the same `key=value` folders), `hive_types = 'year:int, ...'`
/// and `hive_types_autocast` (true: values that are all dates become DATE, all integers BIGINT,
/// else STRING, like DuckDB). Immutable after detect(); thread-safe.
class HivePartitioning {
 public:
  /// Reads (and marks used) the options; throws a user error when hive_partitioning = true but
  /// the files disagree on their keys, or a value does not parse as its declared type.
  static HivePartitioning detect(const std::vector<std::string>& paths, const Options& options);

  bool enabled() const { return !columns_.empty(); }
  /// Partition columns (nullable), in folder order.
  const std::vector<Field>& columns() const { return columns_; }
  /// Typed values of `path`'s folders in column order (`__HIVE_DEFAULT_PARTITION__` = NULL);
  /// throws a user error when the path does not have the same keys (e.g. a new file of watch).
  std::vector<Value> values_of(const std::string& path) const;
  /// False when a file with these partition values holds no row matching `predicates` (those on
  /// partition columns, whose source-schema indexes start at `first_column`).
  static bool may_match(const std::vector<Value>& values,
                        const std::vector<ScanPredicate>& predicates, int first_column);

 private:
  std::vector<Field> columns_;
};

}  // namespace velo
