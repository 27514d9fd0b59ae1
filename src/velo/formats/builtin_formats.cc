#include "velo/formats/format.h"
#include "velo/formats/parquet/parquet_format.h"

namespace velo {

// PLACEHOLDER (helper "csv+json" adds register_csv_format / register_json_format here).
void register_builtin_formats() { register_parquet_format(); }

}  // namespace velo
