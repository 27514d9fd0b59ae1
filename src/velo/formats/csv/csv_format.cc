#include "velo/formats/csv/csv_format.h"

#include "velo/formats/csv/csv_options.h"
#include "velo/formats/csv/csv_reader.h"
#include "velo/formats/csv/csv_writer.h"

namespace velo {

SchemaPtr CsvFormat::infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                                  const Options& options) {
  return csv::infer_csv_schema(file, csv::parse_csv_options(options, file->path()));
}

std::unique_ptr<FormatReader> CsvFormat::open_reader(const FormatReadRequest& request) {
  Options none;
  const Options& options = request.options ? *request.options : none;
  return csv::open_csv_reader(request, csv::parse_csv_options(options, request.file->path()));
}

std::unique_ptr<FormatWriter> CsvFormat::open_writer(OutputStream* out, SchemaPtr schema,
                                                     const Options& options) {
  csv::CsvOptions o = csv::parse_csv_options(options, out->path());
  return csv::open_csv_writer(out, std::move(schema), o);
}

void CsvFormat::declare_options(const Options& options) const {
  for (const char* const* k = csv::csv_option_names(); *k; ++k) options.mark_used(*k);
}

}  // namespace velo
