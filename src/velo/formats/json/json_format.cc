#include "velo/formats/json/json_format.h"

#include "velo/formats/json/json_reader.h"
#include "velo/types/error.h"

namespace velo {

SchemaPtr JsonFormat::infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                                   const Options& options) {
  return json::infer_json_file_schema(file, json::parse_json_options(options, file->path()));
}

std::unique_ptr<FormatReader> JsonFormat::open_reader(const FormatReadRequest& request) {
  Options none;
  const Options& options = request.options ? *request.options : none;
  return json::open_json_reader(request, json::parse_json_options(options, request.file->path()));
}

std::unique_ptr<FormatWriter> JsonFormat::open_writer(OutputStream* out, SchemaPtr schema,
                                                      const Options& options) {
  json::JsonOptions o = json::parse_json_options(options, out->path());
  return json::open_json_writer(out, std::move(schema), o.layout == json::JsonLayout::kArray);
}

void JsonFormat::declare_options(const Options& options) const {
  for (const char* const* k = json::json_option_names(); *k; ++k) options.mark_used(*k);
}

}  // namespace velo
