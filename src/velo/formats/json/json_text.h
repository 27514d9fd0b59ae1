#pragma once

#include <string>
#include <string_view>

#include "velo/batch/column.h"

namespace velo::json {

/// Parses `text` as one JSON value and appends it to `col`, converting to the column's type
/// (how CSV cells and SQL text fill STRUCT/LIST/MAP columns). False, appending nothing, on
/// malformed JSON or a value that does not fit the type. Slow path: one parse per call.
bool append_json_text(Column& col, std::string_view text);

/// Appends row `row` of `col` as a JSON value: NULL as null, numbers and decimals as exact
/// numbers (doubles keep a ".0" so they read back as doubles, non-finite ones are null),
/// dates "2024-01-31", timestamps "2024-01-31 12:34:56" (what DuckDB's read_json reads back as
/// TIMESTAMP), STRUCT and MAP as objects, LIST as arrays. No Value on the way.
void append_json_cell(const Column& col, size_t row, std::string* out);

}  // namespace velo::json
