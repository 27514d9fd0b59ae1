#pragma once

#include <cstdint>
#include <limits>

#include "velo/io/options.h"

namespace velo {

/// When a file sink closes a file and starts the next one (sink options `batch_size` = rows per
/// file, `target_file_size` = bytes, `batch_timeout` = age since the file opened). Checkpoints
/// close every file regardless.
struct RollingPolicy {
  int64_t max_rows = -1;  // -1 = unlimited
  int64_t max_bytes = -1;
  int64_t max_age_us = -1;

  /// Reads (and marks used) the three options; throws a user error for values < 1.
  static RollingPolicy from_options(const Options& options);
  bool rolls() const { return max_rows > 0 || max_bytes > 0 || max_age_us > 0; }
  /// Rows a file that holds `rows` may still take.
  int64_t room(int64_t rows) const {
    return max_rows > 0 ? max_rows - rows : std::numeric_limits<int64_t>::max();
  }
  /// True when a file with these counters must be closed before it takes more rows.
  bool full(int64_t rows, int64_t bytes, int64_t age_us) const {
    return (max_rows > 0 && rows >= max_rows) || (max_bytes > 0 && bytes >= max_bytes) ||
           expired(age_us);
  }
  bool expired(int64_t age_us) const { return max_age_us > 0 && age_us >= max_age_us; }
};

}  // namespace velo
