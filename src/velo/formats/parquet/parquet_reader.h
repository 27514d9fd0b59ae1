#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "velo/formats/format.h"
#include "velo/formats/parquet/parquet_metadata.h"
#include "velo/formats/parquet/parquet_schema.h"

namespace velo::parquet {

/// An opened Parquet file: footer decoded and validated, schema resolved. Immutable after open;
/// shareable between readers of different row groups.
class ParquetFile {
 public:
  /// Reads and validates the footer. Throws velo::Error(kFormat) naming the file and what is
  /// wrong; kNotSupported for encrypted files and types we cannot represent.
  static std::shared_ptr<const ParquetFile> open(std::shared_ptr<RandomAccessFile> file);

  const std::shared_ptr<RandomAccessFile>& file() const { return file_; }
  const std::string& path() const { return file_->path(); }
  const FileMetaData& metadata() const { return metadata_; }
  const FileSchema& schema() const { return schema_; }
  /// Bytes read to open the file (footer).
  int64_t footer_bytes() const { return footer_bytes_; }

 private:
  std::shared_ptr<RandomAccessFile> file_;
  FileMetaData metadata_;
  FileSchema schema_;
  int64_t footer_bytes_ = 0;
};

/// Reads batches from a Parquet file: projection (only projected column chunks are read), row
/// groups pruned by min/max/null-count statistics against `spec.predicates`, one coalesced
/// read_at per row group where chunks are close together.
std::unique_ptr<FormatReader> open_parquet_reader(const FormatReadRequest& request);

/// True when the statistics of `group` prove no row can satisfy all of `predicates`
/// (column indexes refer to the file's top-level fields).
bool row_group_excluded(const ParquetFile& file, const RowGroup& group,
                        const std::vector<ScanPredicate>& predicates);

}  // namespace velo::parquet
