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

/// What a scan skipped, for tests and EXPLAIN ANALYZE-style counters.
struct ParquetScanStats {
  int64_t row_groups_read = 0;
  int64_t row_groups_pruned_by_statistics = 0;
  int64_t row_groups_pruned_by_bloom_filter = 0;
  int64_t row_groups_pruned_by_page_index = 0;  // every page excluded
  int64_t pages_read = 0;                       // data pages decoded
  int64_t pages_skipped = 0;                    // data pages skipped by the page index
};

/// The counters of a reader made by open_parquet_reader; nullptr for other readers.
const ParquetScanStats* parquet_scan_stats(const FormatReader& reader);

/// Reads batches from a Parquet file: projection (only projected column chunks are read), row
/// groups pruned against `spec.predicates` by min/max/null-count statistics and bloom filters,
/// pages by the page index (unmatched pages are not decoded, unmatched rows of decoded pages are
/// dropped), one coalesced read_at per row group where chunks are close together.
std::unique_ptr<FormatReader> open_parquet_reader(const FormatReadRequest& request);

/// True when the statistics of `group` prove no row can satisfy all of `predicates`
/// (column indexes refer to the file's top-level fields).
bool row_group_excluded(const ParquetFile& file, const RowGroup& group,
                        const std::vector<ScanPredicate>& predicates);

}  // namespace velo::parquet
