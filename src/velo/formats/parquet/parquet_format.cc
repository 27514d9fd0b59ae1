#include "velo/formats/parquet/parquet_format.h"

#include "velo/formats/parquet/parquet_reader.h"
#include "velo/formats/parquet/parquet_writer.h"

namespace velo {

SchemaPtr ParquetFormat::infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                                      const Options& options) {
  return parquet::ParquetFile::open(file)->schema().schema;
}

std::unique_ptr<FormatReader> ParquetFormat::open_reader(const FormatReadRequest& request) {
  return parquet::open_parquet_reader(request);
}

std::unique_ptr<FormatWriter> ParquetFormat::open_writer(OutputStream* out, SchemaPtr schema,
                                                         const Options& options) {
  return parquet::open_parquet_writer(out, std::move(schema), options);
}

void ParquetFormat::declare_options(const Options& options) const {
  for (const char* k : {"compression", "row_group_size", "page_size", "dictionary", "page_index",
                        "bloom_filter_columns", "bloom_filter_fpp"})
    options.mark_used(k);
}

}  // namespace velo
