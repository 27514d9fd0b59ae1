#include "velo/connectors/file/rolling_policy.h"

#include "velo/types/error.h"

namespace velo {

RollingPolicy RollingPolicy::from_options(const Options& options) {
  RollingPolicy p;
  p.max_rows = options.get_int("batch_size", -1);
  p.max_bytes = options.get_bytes("target_file_size", -1);
  p.max_age_us = options.get_duration_us("batch_timeout", -1);
  if (options.has("batch_size") && p.max_rows < 1)
    throw_user_error("option 'batch_size' (rows per file) must be at least 1");
  if (options.has("target_file_size") && p.max_bytes < 1)
    throw_user_error("option 'target_file_size' must be a positive size such as '128MB'");
  if (options.has("batch_timeout") && p.max_age_us < 1)
    throw_user_error("option 'batch_timeout' must be a positive duration such as '5 minutes'");
  return p;
}

}  // namespace velo
