// JSON bytes -> batches through JsonFormat: schema inference, then a full read with the inferred
// schema (or a declared one with nested types), optionally projected, split into two byte ranges,
// or under on_error = skip. The LAST byte of the input picks the options:
//   bits 0-1 format auto | newline_delimited | array | auto   bit 2 on_error=skip
//   bit 3 two byte ranges   bit 4 declared schema + projection
#include <string>

#include "fuzz_util.h"
#include "velo/formats/json/json_format.h"
#include "velo/io/column_list.h"

namespace {

velo::SchemaPtr declared_schema() {
  static const velo::SchemaPtr schema = velo::parse_column_list(
      "a BIGINT, b DOUBLE, c DECIMAL(12, 3), d DATE, e TIMESTAMP, f BOOLEAN, g STRING, h INT, "
      "i LIST<INT>, j MAP<STRING, DOUBLE>, k STRUCT<x STRING, y LIST<STRUCT<z BIGINT>>>, "
      "l BYTES, m INTERVAL");
  return schema;
}

void read_range(velo::JsonFormat& format, const velo::FormatReadRequest& base, int64_t begin,
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
  auto file = velo::fuzz::memory_file("fuzz.json", data, size - 1);

  velo::Options options;
  static const char* const kLayouts[] = {"auto", "newline_delimited", "array", "auto"};
  options.set("format", kLayouts[config & 3]);
  options.set("sample_rows", "100");

  velo::JsonFormat format;
  velo::fuzz::expect_clean([&] {
    velo::FormatReadRequest request;
    request.file = file;
    request.options = &options;
    if (config & 4) request.on_error = velo::FormatReadRequest::OnError::kSkip;
    if (config & 16) {
      request.schema = declared_schema();
      request.spec.projection = {10, 0, 8, 9, 6, 3};
    } else {
      request.schema = format.infer_schema(file, options);
    }
    if (config & 8) {
      int64_t mid = file->size() / 2;
      read_range(format, request, 0, mid);
      read_range(format, request, mid, -1);
    } else {
      read_range(format, request, 0, -1);
    }
  });
  return 0;
}
