#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace velo {

using int128_t = __int128;

/// Exact decimal arithmetic on 128-bit scaled integers: value = unscaled / 10^scale.
/// Money never goes through double.
namespace decimal {

constexpr int kMaxPrecision = 38;

/// 10^n for n in [0, 38].
int128_t pow10(int n);

/// Largest unscaled magnitude that fits `precision` digits (10^precision - 1).
inline int128_t max_for_precision(int precision) { return pow10(precision) - 1; }

/// Parses "-123.4500", "1e3", "+.5" into an unscaled value at `scale`, rounding half away from
/// zero when the text has more fraction digits. Returns false on malformed text or overflow of
/// `precision` digits.
bool parse(std::string_view text, int precision, int scale, int128_t* out);

/// Formats with exactly `scale` fraction digits: (12345, 2) -> "123.45".
std::string to_string(int128_t unscaled, int scale);

/// Changes scale, rounding half away from zero when scale shrinks. Returns false on overflow.
bool rescale(int128_t value, int from_scale, int to_scale, int128_t* out);

/// Overflow-checked arithmetic on unscaled values (scales are the caller's business).
bool add(int128_t a, int128_t b, int128_t* out);
bool sub(int128_t a, int128_t b, int128_t* out);
bool mul(int128_t a, int128_t b, int128_t* out);

/// a / b rounded half away from zero. b must be non-zero.
int128_t div_round(int128_t a, int128_t b);

/// Digits needed to print |v| (0 -> 1).
int digits(int128_t v);

double to_double(int128_t unscaled, int scale);
/// Rounds `v` to `scale` fraction digits; false if the result exceeds `precision` digits or v is
/// not finite.
bool from_double(double v, int precision, int scale, int128_t* out);

}  // namespace decimal
}  // namespace velo
