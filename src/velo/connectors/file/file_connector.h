#pragma once

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
/// splittable uncompressed files, default 32 MiB), plus the format's own options. Unknown options
/// are an error; watch / delete_after_read are not supported yet.
///
/// Schema = the file columns, then `_metadata.filename` STRING, `_metadata.row_number` INT64
/// (1-based per file) and `_metadata.file_modified` TIMESTAMP, produced only when projected.
std::unique_ptr<Source> make_file_source(const std::string& uri, const Options& options);

/// `INTO 'out/x.csv'` (one file) or `INTO 'out/'` (a directory: writes part-00000-<job>.<ext>).
/// Options: format (else from the extension), compression (text formats; else from the
/// extension), plus the format's own options. Writes a hidden temp file published by commit();
/// append-only rows only.
std::unique_ptr<Sink> make_file_sink(const std::string& uri, const Options& options);

}  // namespace velo
