#pragma once

#include <cstdint>
#include <string>

#include "velo/formats/compression/compression.h"
#include "velo/io/options.h"

namespace velo::csv {

/// The bytes that structure a CSV file.
struct CsvDialect {
  char delimiter = ',';
  char quote = '"';   // 0: fields are never quoted
  char escape = '"';  // inside quotes, escapes the next byte; equal to quote = RFC 4180 ""
  char comment = 0;   // lines starting with it are skipped; 0: none
};

/// Every option of the csv format, parsed once per file.
struct CsvOptions {
  CsvDialect dialect;
  bool header = true;
  /// A field equal to this (quoted or not) is NULL. The default "" makes empty fields NULL for
  /// every type, STRING included (as DuckDB reads them).
  std::string null_string;
  int64_t skip = 0;             // lines to skip before the header
  int64_t sample_rows = 20480;  // rows read to infer a schema; <= 0: the whole file
  Compression compression = Compression::kNone;
};

/// Reads the options (marking them used): header, delimiter|delim|sep ("\t", "\\t" or "tab"
/// for a tab; default ',' or tab for *.tsv), quote, escape, null_string|nullstr, skip,
/// sample_rows|sample_size, comment, compression ("auto" = by `path`).
CsvOptions parse_csv_options(const Options& options, const std::string& path);

/// The option keys of the csv format.
const char* const* csv_option_names();

}  // namespace velo::csv
