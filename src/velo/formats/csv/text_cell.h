#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "velo/batch/column.h"

namespace velo::text {

/// How the cells of one column are parsed from / printed as text. Resolved once per column so
/// the per-cell work is one switch, not a DataType inspection.
enum class CellKind : uint8_t {
  kNull,
  kString,
  kBytes,
  kBoolean,
  kInt32,
  kInt64,
  kDouble,
  kDecimal,
  kDate,
  kTimestamp,
  kInterval,
  kNested,  // STRUCT / LIST / MAP, spelled as JSON text
};

CellKind cell_kind(const DataType& type);

/// Parses `text` as a value of `col`'s type (`kind` = cell_kind(col.type())) and appends it.
/// Numbers, booleans and temporals may carry surrounding blanks. Returns false, appending
/// nothing, when the text is malformed or out of range. NULL spellings are the caller's
/// business: an empty text is malformed for every type but STRING/BYTES.
bool append_cell(Column& col, CellKind kind, std::string_view text);

// ---- parsers (no allocation; exact for decimals) ------------------------------------------

bool parse_bool(std::string_view text, bool* out);
bool parse_int64(std::string_view text, int64_t* out);
bool parse_double(std::string_view text, double* out);
/// Exact: "-12.50" at scale 2 -> -1250. More fraction digits than `scale` round half away from
/// zero; exponents are accepted. False on malformed text or more than `precision` digits.
bool parse_decimal(std::string_view text, int precision, int scale, int128_t* out);
/// "2024-01-31" fast path, anything temporal::parse_date accepts otherwise.
bool parse_date(std::string_view text, int32_t* out);
/// "2024-01-31 12:34:56[.ffffff]" / 'T' separator fast path, temporal::parse_timestamp otherwise.
bool parse_timestamp(std::string_view text, int64_t* out);

/// Shape of a numeric text, for schema inference: kInteger "-12", kDecimal "12.50" (digits
/// around one '.', no exponent), kDouble "1e5", kNone otherwise.
enum class NumberShape : uint8_t { kNone, kInteger, kDecimal, kDouble };
struct NumberInfo {
  NumberShape shape = NumberShape::kNone;
  int int_digits = 0;   // significant digits before the point (leading zeros dropped)
  int frac_digits = 0;  // digits after the point
};
NumberInfo classify_number(std::string_view text);

// ---- printers: the Value::to_string spelling, appended without temporaries ------------------

void append_int(int64_t v, std::string* out);
/// NaN, Infinity, -Infinity; whole numbers below 1e15 as "3.0"; else the shortest round trip.
void append_double(double v, std::string* out);
void append_decimal(int128_t unscaled, int scale, std::string* out);
void append_date(int32_t days, std::string* out);
/// "2024-01-31 12:34:56" with ".ffffff" (trailing zeros dropped) when the fraction is non-zero.
void append_timestamp(int64_t micros, std::string* out);

// ---- building -------------------------------------------------------------------------------

/// Drops rows [rows, size) of a column being built (undoes a half-appended record).
void truncate_column(Column& col, size_t rows);

/// `s` without leading/trailing spaces and tabs.
inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace velo::text
