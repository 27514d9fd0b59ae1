// Kept apart from parquet_format.cc so code that uses ParquetFormat directly (tests, tools) does
// not pull in the format registry.
#include "velo/formats/parquet/parquet_format.h"

namespace velo {

void register_parquet_format() { register_format(std::make_unique<ParquetFormat>(), {"parquet"}); }

}  // namespace velo
