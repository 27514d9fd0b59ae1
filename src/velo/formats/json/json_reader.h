#pragma once

#include <memory>

#include "velo/formats/compression/compression.h"
#include "velo/formats/format.h"

namespace velo::json {

/// How a json file is laid out.
enum class JsonLayout { kAuto, kLines, kArray };

struct JsonOptions {
  JsonLayout layout = JsonLayout::kAuto;  // kAuto: '[' as first non-blank byte means kArray
  int64_t sample_rows = 20480;            // objects read to infer a schema; <= 0: all
  Compression compression = Compression::kNone;
};

/// Reads the options (marking them used): format, sample_rows|sample_size, compression.
JsonOptions parse_json_options(const Options& options, const std::string& path);
const char* const* json_option_names();

/// Reads the objects of `request.file` (JSON Lines: those on lines starting in [range_begin,
/// range_end), same rule as CSV; an array file is read whole by the range at 0). Malformed lines
/// and values that do not fit their column are kFormat errors located by file:line (1-based
/// physical line for a range at 0; first_row_number + line in the range after that when known),
/// or counted and dropped under on_error skip/dlq (dlq gets the raw line).
std::unique_ptr<FormatReader> open_json_reader(const FormatReadRequest& request,
                                               const JsonOptions& options);

/// Schema from up to sample_rows objects of the decompressed file (see JsonSchemaInferrer).
SchemaPtr infer_json_file_schema(const std::shared_ptr<RandomAccessFile>& file,
                                 const JsonOptions& options);

/// One JSON object per line, or one array when `array`; see append_json_cell for the values.
std::unique_ptr<FormatWriter> open_json_writer(OutputStream* out, SchemaPtr schema, bool array);

}  // namespace velo::json
