#include "velo/types/decimal.h"

#include <cmath>
#include <cstdio>

namespace velo::decimal {

namespace {
struct Pow10Table {
  int128_t v[kMaxPrecision + 1];
  constexpr Pow10Table() : v() {
    v[0] = 1;
    for (int i = 1; i <= kMaxPrecision; ++i) v[i] = v[i - 1] * 10;
  }
};
constexpr Pow10Table kPow10;

inline int128_t abs128(int128_t v) { return v < 0 ? -v : v; }
}  // namespace

int128_t pow10(int n) { return kPow10.v[n]; }

bool parse(std::string_view s, int precision, int scale, int128_t* out) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  size_t end = s.size();
  while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  bool negative = false;
  if (i < end && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  // Collect significant digits and the position of the decimal point.
  int128_t mantissa = 0;
  int mantissa_digits = 0;
  int frac_digits = 0;
  bool seen_point = false, any_digit = false;
  int dropped_first = -1;  // first digit that did not fit (for rounding)
  bool dropped_any = false;
  for (; i < end; ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (mantissa_digits < kMaxPrecision) {
        mantissa = mantissa * 10 + (c - '0');
        if (mantissa != 0) ++mantissa_digits;
        if (seen_point) ++frac_digits;
      } else {
        if (!seen_point) return false;  // integer part too long
        if (dropped_first < 0) dropped_first = c - '0';
        dropped_any = true;
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return false;
  int exponent = 0;
  if (i < end && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < end && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    if (i >= end) return false;
    for (; i < end && s[i] >= '0' && s[i] <= '9'; ++i) {
      exponent = exponent * 10 + (s[i] - '0');
      if (exponent > 1000) return false;
    }
    if (eneg) exponent = -exponent;
  }
  if (i != end) return false;
  (void)dropped_any;
  // value = mantissa * 10^(exponent - frac_digits); want unscaled at `scale`.
  int shift = scale + exponent - frac_digits;
  int128_t result;
  if (shift >= 0) {
    if (shift > kMaxPrecision) return mantissa == 0 ? (*out = 0, true) : false;
    if (!mul(mantissa, pow10(shift), &result)) return false;
    if (dropped_first >= 0 && shift == 0 && dropped_first >= 5) result += 1;
  } else {
    int down = -shift;
    if (down > kMaxPrecision) {
      result = 0;
    } else {
      int128_t p = pow10(down);
      result = mantissa / p;
      int128_t rem = mantissa % p;
      if (rem * 2 >= p) result += 1;
    }
  }
  if (result > max_for_precision(precision)) return false;
  *out = negative ? -result : result;
  return true;
}

std::string to_string(int128_t v, int scale) {
  char buf[64];
  int pos = 63;
  buf[pos] = '\0';
  bool negative = v < 0;
  // Work on the negative range so INT128_MIN does not overflow.
  int128_t n = negative ? v : -v;
  int written = 0;
  do {
    int digit = -static_cast<int>(n % 10);
    n /= 10;
    buf[--pos] = static_cast<char>('0' + digit);
    ++written;
    if (written == scale) buf[--pos] = '.';
  } while (n != 0 || written < scale + 1);
  if (buf[pos] == '.') buf[--pos] = '0';
  if (negative) buf[--pos] = '-';
  return std::string(buf + pos);
}

bool rescale(int128_t v, int from, int to, int128_t* out) {
  if (to == from) { *out = v; return true; }
  if (to > from) return mul(v, pow10(to - from), out);
  int128_t p = pow10(from - to);
  *out = div_round(v, p);
  return true;
}

bool add(int128_t a, int128_t b, int128_t* out) { return !__builtin_add_overflow(a, b, out); }
bool sub(int128_t a, int128_t b, int128_t* out) { return !__builtin_sub_overflow(a, b, out); }
bool mul(int128_t a, int128_t b, int128_t* out) { return !__builtin_mul_overflow(a, b, out); }

int128_t div_round(int128_t a, int128_t b) {
  int128_t q = a / b;
  int128_t r = a % b;
  if (abs128(r) * 2 >= abs128(b)) q += ((a < 0) != (b < 0)) ? -1 : 1;
  return q;
}

int digits(int128_t v) {
  v = abs128(v);
  int d = 1;
  while (d < kMaxPrecision && v >= pow10(d)) ++d;
  return d;
}

double to_double(int128_t unscaled, int scale) {
  return static_cast<double>(unscaled) / static_cast<double>(pow10(scale));
}

bool from_double(double v, int precision, int scale, int128_t* out) {
  if (!std::isfinite(v)) return false;
  // Go through the shortest round-trip text so 0.1 becomes exactly 0.1, not 0.1000000000000000055.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  double back = 0;
  for (int digits_wanted = 1; digits_wanted <= 17; ++digits_wanted) {
    std::snprintf(buf, sizeof buf, "%.*g", digits_wanted, v);
    std::sscanf(buf, "%lf", &back);
    if (back == v) break;
  }
  return parse(buf, precision, scale, out);
}

}  // namespace velo::decimal
