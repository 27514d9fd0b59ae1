#pragma once

#include <simdjson.h>

#include <string>

#include "velo/batch/column.h"

namespace velo {

/// Appends a parsed JSON element as minified JSON text, numbers re-serialized the way DuckDB
/// (yyjson) prints them: integers as digits, doubles shortest round-trip with ".0" when whole.
void append_json_element(simdjson::dom::element e, std::string* out);

/// Appends a DOUBLE as JSON number text (DuckDB spelling: 1.0, 1.5e-7, 1e+300 as 1e300, NaN).
void append_json_double(double d, std::string* out);

/// Appends row `i` of `c` as JSON: numbers unquoted (decimals exact), strings escaped, dates and
/// timestamps as their text in quotes, STRUCT and MAP as objects, LIST as arrays, NULL as null.
void append_json_value(const Column& c, size_t i, std::string* out);

}  // namespace velo
