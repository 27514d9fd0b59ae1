#include "velo/types/decimal.h"

#include <gtest/gtest.h>

namespace velo {
namespace {

int128_t parse_or_die(const char* text, int p, int s) {
  int128_t v;
  EXPECT_TRUE(decimal::parse(text, p, s, &v)) << text;
  return v;
}

TEST(DecimalTest, ParsesAndFormatsExactly) {
  EXPECT_EQ(decimal::to_string(parse_or_die("123.45", 10, 2), 2), "123.45");
  EXPECT_EQ(decimal::to_string(parse_or_die("-0.5", 10, 2), 2), "-0.50");
  EXPECT_EQ(decimal::to_string(parse_or_die("+.5", 10, 1), 1), "0.5");
  EXPECT_EQ(decimal::to_string(parse_or_die("1e3", 10, 0), 0), "1000");
  EXPECT_EQ(decimal::to_string(parse_or_die("1.5e-1", 10, 2), 2), "0.15");
  EXPECT_EQ(decimal::to_string(parse_or_die("7", 10, 3), 3), "7.000");
}

TEST(DecimalTest, RoundsHalfAwayFromZero) {
  EXPECT_EQ(decimal::to_string(parse_or_die("1.005", 10, 2), 2), "1.01");
  EXPECT_EQ(decimal::to_string(parse_or_die("-1.005", 10, 2), 2), "-1.01");
  EXPECT_EQ(decimal::to_string(parse_or_die("1.004", 10, 2), 2), "1.00");
  int128_t out;
  ASSERT_TRUE(decimal::rescale(12345, 3, 1, &out));
  EXPECT_EQ(out, 123);
  ASSERT_TRUE(decimal::rescale(-12350, 3, 1, &out));
  EXPECT_EQ(out, -124);
}

TEST(DecimalTest, RejectsMalformedAndOverflow) {
  int128_t v;
  EXPECT_FALSE(decimal::parse("abc", 10, 2, &v));
  EXPECT_FALSE(decimal::parse("1.2.3", 10, 2, &v));
  EXPECT_FALSE(decimal::parse("", 10, 2, &v));
  EXPECT_FALSE(decimal::parse("12345", 4, 0, &v));
  EXPECT_FALSE(decimal::parse("999.995", 5, 2, &v));  // rounds to 1000.00: 6 digits
  EXPECT_TRUE(decimal::parse("99999999999999999999999999999999999999", 38, 0, &v));
  EXPECT_FALSE(decimal::parse("999999999999999999999999999999999999999", 38, 0, &v));
}

TEST(DecimalTest, ArithmeticIsExact) {
  // 0.1 + 0.2 == 0.3 at scale 1: the reason money never goes through double.
  int128_t a = parse_or_die("0.1", 1, 1), b = parse_or_die("0.2", 1, 1), sum;
  ASSERT_TRUE(decimal::add(a, b, &sum));
  EXPECT_EQ(decimal::to_string(sum, 1), "0.3");
  int128_t big = decimal::max_for_precision(38), out;
  EXPECT_FALSE(decimal::mul(big, big, &out));
  EXPECT_EQ(decimal::div_round(10, 4), 3);   // 2.5 -> 3
  EXPECT_EQ(decimal::div_round(-10, 4), -3);
  EXPECT_EQ(decimal::digits(0), 1);
  EXPECT_EQ(decimal::digits(-12345), 5);
}

TEST(DecimalTest, FromDoubleUsesShortestText) {
  int128_t v;
  ASSERT_TRUE(decimal::from_double(0.1, 10, 4, &v));
  EXPECT_EQ(decimal::to_string(v, 4), "0.1000");
  ASSERT_TRUE(decimal::from_double(2.675, 10, 2, &v));
  EXPECT_EQ(decimal::to_string(v, 2), "2.68");
  EXPECT_FALSE(decimal::from_double(1e30, 10, 2, &v));
}

}  // namespace
}  // namespace velo
