#pragma once

#include <memory>

#include "velo/formats/format.h"

namespace velo::parquet {

/// A streaming Parquet writer: rows are shredded into per-column buffers as batches arrive and
/// a row group is encoded and written as soon as it holds `row_group_size` rows (default
/// 122880) or ~128 MiB, so memory stays bounded by one row group.
/// Options: compression (snappy default, zstd, gzip, lz4_raw, brotli, none), row_group_size
/// (rows), page_size (bytes, default 1 MiB), dictionary (bool, default true).
std::unique_ptr<FormatWriter> open_parquet_writer(OutputStream* out, SchemaPtr schema,
                                                  const Options& options);

}  // namespace velo::parquet
