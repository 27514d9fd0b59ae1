#include "velo/formats/avro/avro_format.h"
#include "velo/formats/csv/csv_format.h"
#include "velo/formats/format.h"
#include "velo/formats/json/json_format.h"
#include "velo/formats/parquet/parquet_format.h"

namespace velo {

void register_builtin_formats() {
  register_csv_format();
  register_json_format();
  register_parquet_format();
  register_avro_format();
}

}  // namespace velo
