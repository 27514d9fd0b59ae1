#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "velo/io/options.h"
#include "velo/io/source.h"

namespace velo {

/// `FROM 'path-or-glob' [WITH (...)]` over any FileSystem (file_system_for: local paths and
/// file:// here; s3://, gs://, azure:// register the same factory for their scheme).
///
/// Options: format (else from the extension), schema ('name TYPE, ...'; else inferred from the
/// first file), on_error ('fail' | 'skip' | 'dlq'), dlq (URI of the dead-letter file: JSON Lines
/// {file, line, column, error, raw}, committed by acknowledge()), split_size (byte ranges of
/// splittable uncompressed files, default 32 MiB), hive_partitioning / hive_types /
/// hive_types_autocast (hive_partitioning.h), watch + poll_interval (unbounded: new files are
/// read as they appear), delete_after_read (files go in acknowledge()), plus the format's own
/// options. Unknown options are an error. Checkpointable: positions are source_position.h.
///
/// Schema = the file columns, then Hive partition columns, then `_metadata.filename` STRING,
/// `_metadata.row_number` INT64 (1-based per file) and `_metadata.file_modified` TIMESTAMP,
/// produced only when projected. WHERE on partition columns prunes files before opening them.
std::unique_ptr<Source> make_file_source(const std::string& uri, const Options& options);
/// Files a file source opened for reading so far (-1 for another source): tests use it to see
/// that partition pruning opens no pruned file.
int64_t file_source_files_opened(const Source& source);

/// `INTO 'out/x.csv'` (one file), `INTO 'out/'` or `'out/{YYYY-MM-DD}/*.parquet'` (generated
/// part-<seq>-<instance>-<checkpoint>.<ext> files per partition folder) or a fixed name per
/// partition (`'out/{region}.csv'`); docs/CONNECTORS.md lists the options (format, compression,
/// partition_by, time_column, time_source, batch_size, target_file_size, batch_timeout,
/// max_open_files, write_partition_columns). Files are hidden temp files until commit();
/// prepare() (every checkpoint) closes every open file and returns a handle listing them (see
/// pending_file.h) that a fresh sink of the same URI can commit after a restart. Append-only
/// rows only.
std::unique_ptr<Sink> make_file_sink(const std::string& uri, const Options& options);
/// The same with an injected processing-time clock (µs since epoch) for `time_source =
/// 'processing'` and `batch_timeout` (tests).
std::unique_ptr<Sink> make_file_sink(const std::string& uri, const Options& options,
                                     std::function<int64_t()> now_us);

}  // namespace velo
