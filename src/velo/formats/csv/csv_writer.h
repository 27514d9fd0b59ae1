#pragma once

#include <memory>

#include "velo/formats/csv/csv_options.h"
#include "velo/formats/format.h"

namespace velo::csv {

/// Writes a header line (option header, default true) and one line per row: values spelled as
/// Value::to_string prints them (decimals with their scale, "2024-01-31 12:34:56"), nested
/// values as JSON, NULL as null_string (default empty), fields quoted RFC 4180 style only when
/// they hold the delimiter, a quote, a newline, or would otherwise read back as NULL. Batches are
/// formatted column by column into reused buffers and flushed in writes of about 1 MiB.
std::unique_ptr<FormatWriter> open_csv_writer(OutputStream* out, SchemaPtr schema,
                                              const CsvOptions& options);

}  // namespace velo::csv
