#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "velo/batch/buffer.h"

namespace velo::parquet {

// The page index of one column chunk (parquet-format PageIndex.md): written after the row
// groups, found through ColumnChunk.column_index_offset / offset_index_offset.

struct PageLocation {
  int64_t offset = 0;                // file offset of the page header
  int32_t compressed_page_size = 0;  // header included
  int64_t first_row_index = 0;       // first row of the page within its row group
};

struct OffsetIndex {
  std::vector<PageLocation> pages;  // data pages only, in file order
};

enum class BoundaryOrder : int32_t { kUnordered = 0, kAscending = 1, kDescending = 2 };

struct ColumnIndex {
  std::vector<bool> null_pages;  // page holds only nulls (its min/max are empty)
  std::vector<std::string> min_values;
  std::vector<std::string> max_values;
  BoundaryOrder boundary_order = BoundaryOrder::kUnordered;
  std::vector<int64_t> null_counts;  // empty when absent
};

/// Decoders check every list count against the bytes available; errors name `file` and the
/// absolute offset (`base_offset` + position).
OffsetIndex decode_offset_index(const uint8_t* data, size_t size, const std::string& file,
                                int64_t base_offset);
ColumnIndex decode_column_index(const uint8_t* data, size_t size, const std::string& file,
                                int64_t base_offset);

void encode_offset_index(const OffsetIndex& index, Buffer* out);
void encode_column_index(const ColumnIndex& index, Buffer* out);

}  // namespace velo::parquet
