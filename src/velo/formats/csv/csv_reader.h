#pragma once

#include <memory>

#include "velo/formats/csv/csv_options.h"
#include "velo/formats/format.h"

namespace velo::csv {

/// Reads the records of `request.file` that start in [range_begin, range_end) into batches of
/// the request schema (positional: field i is the i-th CSV column), parsing only projected
/// columns. Byte ranges: a range with range_begin > 0 starts at the first line start after
/// range_begin and the last record may run past range_end, so ranges cut anywhere read every
/// record exactly once -- provided no quoted field holds a newline across a cut (the reader
/// cannot know it is inside quotes there). Compressed files are not split: the range at 0 reads
/// the whole file, later ranges read nothing.
///
/// Errors are kFormat with file:line:column. Lines are physical lines of the file (1-based,
/// header and skipped lines included) when the range starts at 0; for later ranges the line is
/// first_row_number + header/skip lines + the line within the range when first_row_number >= 0
/// (exact when no record spans lines), else unknown, and the byte offset is always given.
std::unique_ptr<FormatReader> open_csv_reader(const FormatReadRequest& request,
                                              const CsvOptions& options);

/// Schema from the header (or column0, column1, ... without one) and up to sample_rows records
/// of the decompressed bytes. Per column the narrowest of BOOLEAN, INT64, DECIMAL(18, s) (numbers
/// with a '.' and at most 18 digits in all; DuckDB would say DOUBLE), DOUBLE, DATE, TIMESTAMP,
/// STRING; NULL fields do not vote, a column of only NULLs is STRING.
SchemaPtr infer_csv_schema(const std::shared_ptr<RandomAccessFile>& file,
                           const CsvOptions& options);

}  // namespace velo::csv
