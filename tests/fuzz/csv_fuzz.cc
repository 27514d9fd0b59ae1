// CSV bytes -> batches through CsvFormat: schema inference, then a full read with the inferred
// schema (or a declared one of every scalar type), optionally projected, split into two byte
// ranges, or under on_error = skip. The LAST byte of the input picks the options, so any CSV file
// is a valid seed:
//   bit 0 header=false   bits 1-2 delimiter , ; \t |   bit 3 quote none   bit 4 escape '\'
//   bit 5 on_error=skip  bit 6 two byte ranges        bit 7 declared schema + projection
#include <string>

#include "fuzz_util.h"
#include "velo/formats/csv/csv_format.h"
#include "velo/io/column_list.h"

namespace {

velo::SchemaPtr declared_schema() {
  static const velo::SchemaPtr schema = velo::parse_column_list(
      "a BIGINT, b DOUBLE, c DECIMAL(12, 3), d DATE, e TIMESTAMP, f BOOLEAN, g STRING, h INT, "
      "i INTERVAL, j BYTES");
  return schema;
}

void read_range(velo::CsvFormat& format, const velo::FormatReadRequest& base, int64_t begin,
                int64_t end) {
  velo::FormatReadRequest request = base;
  request.range_begin = begin;
  request.range_end = end;
  request.first_row_number = begin == 0 ? 0 : -1;
  auto reader = format.open_reader(request);
  velo::fuzz::drain(*reader);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t config = data[size - 1];
  auto file = velo::fuzz::memory_file("fuzz.csv", data, size - 1);

  velo::Options options;
  if (config & 1) options.set("header", "false");
  static const char* const kDelimiters[] = {",", ";", "\t", "|"};
  options.set("delimiter", kDelimiters[(config >> 1) & 3]);
  if (config & 8) options.set("quote", "");
  if (config & 16) options.set("escape", "\\\\");
  options.set("sample_rows", "100");

  velo::CsvFormat format;
  velo::fuzz::expect_clean([&] {
    velo::FormatReadRequest request;
    request.file = file;
    request.options = &options;
    if (config & 32) request.on_error = velo::FormatReadRequest::OnError::kSkip;
    if (config & 128) {
      request.schema = declared_schema();
      request.spec.projection = {6, 0, 2, 3, 4};
    } else {
      request.schema = format.infer_schema(file, options);
    }
    if (config & 64) {
      int64_t mid = file->size() / 2;
      read_range(format, request, 0, mid);
      read_range(format, request, mid, -1);
    } else {
      read_range(format, request, 0, -1);
    }
  });
  return 0;
}
