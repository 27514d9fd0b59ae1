#pragma once

#include <memory>
#include <string>

#include "velo/formats/format.h"

namespace velo {

/// The "json" format (extensions json, jsonl, ndjson). Reads JSON Lines (one object per line,
/// splittable by byte ranges like CSV) and, when the first non-blank byte of the file is '[', a
/// JSON array of objects (read whole, not split). Members map to columns by name (missing ->
/// NULL, unknown ignored); see json::append_value for the conversions. Writes one object per
/// line (format = 'array' writes one JSON array). Options: format ('auto', 'newline_delimited',
/// 'array'), sample_rows|sample_size (inference, default 20480), compression.
class JsonFormat : public Format {
 public:
  std::string name() const override { return "json"; }
  SchemaPtr infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                         const Options& options) override;
  std::unique_ptr<FormatReader> open_reader(const FormatReadRequest& request) override;
  std::unique_ptr<FormatWriter> open_writer(OutputStream* out, SchemaPtr schema,
                                            const Options& options) override;
  bool splittable() const override { return true; }
  void declare_options(const Options& options) const override;
};

/// Registers JsonFormat under the extensions json, jsonl and ndjson. Called once at start-up.
void register_json_format();

}  // namespace velo
