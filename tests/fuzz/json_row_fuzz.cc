// One JSON message per line -> JsonRowDecoder (the decoder Kafka sources share with the json
// format) into a fixed schema with every type, plus infer_json_schema over the same lines. After
// a failed row the columns are cut back to the rows before it (as kafka::truncate_columns does),
// and the
// result must still be a well-formed batch.
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "velo/formats/json/json_row_decoder.h"
#include "velo/io/column_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const velo::SchemaPtr schema = velo::parse_column_list(
      "a BIGINT, b DOUBLE, c DECIMAL(12, 3), d DATE, e TIMESTAMP, f BOOLEAN, g STRING, h INT, "
      "i LIST<INT>, j MAP<STRING, DOUBLE>, k STRUCT<x STRING, y LIST<STRUCT<z BIGINT>>>, "
      "l BYTES, m INTERVAL");
  std::string_view all(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= all.size() && lines.size() < 64;) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    lines.push_back(all.substr(pos, nl - pos));
    pos = nl + 1;
  }

  velo::JsonRowDecoder decoder(schema);
  velo::Batch batch = velo::Batch::empty(schema);
  for (std::string_view line : lines) {
    velo::fuzz::expect_clean([&] {
      try {
        decoder.append_row(line, batch.columns);
        ++batch.num_rows;
      } catch (const velo::Error&) {
        velo::fuzz::truncate_columns(batch.columns, batch.num_rows);
        throw;
      }
    });
  }
  velo::fuzz::check_batch(batch);
  velo::fuzz::expect_clean([&] { (void)velo::infer_json_schema(lines)->to_string(); });
  return 0;
}
