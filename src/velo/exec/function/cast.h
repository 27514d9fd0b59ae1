#pragma once

#include <string_view>

#include "velo/exec/function/function.h"

namespace velo {

/// The cast from `from` to `to` as a scalar kernel. With `try_cast` a value that does not
/// convert becomes NULL (TRY_CAST); otherwise the kernel throws a user error naming the value
/// and both types. Throws a user error at bind time when no cast exists between the types.
BoundScalar bind_cast(const DataType& from, const DataType& to, bool try_cast);

/// True when bind_cast(from, to, ...) succeeds.
bool can_cast(const DataType& from, const DataType& to);

/// Casts one value (slow path: constants at bind time, tests). NULL stays NULL of type `to`.
/// Throws like the cast kernel, or returns NULL with `try_cast`.
Value cast_value(const Value& v, const DataType& to, bool try_cast = false);

/// Text parsing shared with other families (whitespace around the value is ignored; no
/// allocation). Each returns false when the text is not a valid value.
bool parse_boolean_text(std::string_view s, bool* out);
bool parse_int64_text(std::string_view s, int64_t* out);
bool parse_double_text(std::string_view s, double* out);

/// Writes the display text of a value (identical to Value::to_string) into `buf`, which must
/// hold at least kMaxScalarTextSize bytes; returns the length. Types: BOOLEAN, INT32, INT64,
/// DOUBLE, DECIMAL (with `scale`), DATE, TIMESTAMP.
constexpr size_t kMaxScalarTextSize = 64;
size_t format_double_text(double v, char* buf);
size_t format_decimal_text(int128_t unscaled, int scale, char* buf);
size_t format_date_text(int32_t days, char* buf);
size_t format_timestamp_text(int64_t micros, char* buf);

}  // namespace velo
