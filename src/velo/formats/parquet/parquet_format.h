#pragma once

#include <memory>
#include <string>

#include "velo/formats/format.h"

namespace velo {

/// The "parquet" format: reader (projection, statistics pruning, coalesced ranged reads) and
/// streaming writer (options compression, row_group_size, page_size, dictionary).
class ParquetFormat : public Format {
 public:
  std::string name() const override { return "parquet"; }
  /// Reads only the footer.
  SchemaPtr infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                         const Options& options) override;
  std::unique_ptr<FormatReader> open_reader(const FormatReadRequest& request) override;
  std::unique_ptr<FormatWriter> open_writer(OutputStream* out, SchemaPtr schema,
                                            const Options& options) override;
  void declare_options(const Options& options) const override;
  /// Byte ranges split a file by row group (a row group belongs to the range holding its first
  /// column chunk), so one big file uses every core.
  bool splittable() const override { return true; }
};

/// Registers ParquetFormat under the extension "parquet". Called once at start-up.
void register_parquet_format();

}  // namespace velo
