#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "velo/connectors/file/path_template.h"

namespace velo {

/// Where a file sink's files go, parsed from its URI and `partition_by`:
///   single file  `out/x.csv`                 one file, never rolls
///   fixed names  `out/{region}/x.csv`        one file per partition path, never rolls
///   generated    `out/` or `out/{YYYY}/*.csv` part-<seq>-<instance>-<checkpoint>.<ext> files
///                                             in each partition folder, rolling as told
/// Partition folders = the rendered directory template, then `col=value/` per partition_by column.
struct SinkLayout {
  enum class Kind { kSingleFile, kFixedNames, kGenerated } kind = Kind::kSingleFile;
  PathTemplate directory;   // up to and including the last '/'
  PathTemplate name;        // kFixedNames: the last segment
  std::string name_prefix;  // kGenerated: text around the generated part ('*')
  std::string name_suffix;  // kGenerated: ".parquet", or "" for a directory URI (the
                            // format's extension is appended then)
  std::vector<std::string> partition_by;

  /// `partition_by` is the option's text ("a, b"; "" = none).
  static SinkLayout parse(const std::string& uri, const std::string& partition_by);
  bool uses_time() const { return directory.uses_time() || name.uses_time(); }
  TimeGranularity granularity() const {
    return std::max(directory.granularity(), name.granularity());
  }
  /// True when rows go to more than one path (placeholders or partition_by).
  bool partitioned() const {
    return directory.has_placeholders() || name.has_placeholders() || !partition_by.empty();
  }
};

}  // namespace velo
