#include "velo/types/temporal.h"

#include <gtest/gtest.h>

namespace velo {
namespace {

using namespace temporal;

TEST(TemporalTest, DateRoundTrip) {
  int32_t d;
  ASSERT_TRUE(parse_date("1970-01-01", &d));
  EXPECT_EQ(d, 0);
  ASSERT_TRUE(parse_date("2024-02-29", &d));
  EXPECT_EQ(format_date(d), "2024-02-29");
  EXPECT_FALSE(parse_date("2023-02-29", &d));
  EXPECT_FALSE(parse_date("2024-13-01", &d));
  EXPECT_FALSE(parse_date("yesterday", &d));
  ASSERT_TRUE(parse_date("1969-12-31", &d));
  EXPECT_EQ(d, -1);
}

TEST(TemporalTest, TimestampFormsAndZones) {
  int64_t ts;
  ASSERT_TRUE(parse_timestamp("2024-01-31 12:34:56", &ts));
  EXPECT_EQ(format_timestamp(ts), "2024-01-31 12:34:56");
  ASSERT_TRUE(parse_timestamp("2024-01-31T12:34:56.125Z", &ts));
  EXPECT_EQ(format_timestamp(ts), "2024-01-31 12:34:56.125");
  EXPECT_EQ(format_timestamp_iso(ts), "2024-01-31T12:34:56.125Z");
  ASSERT_TRUE(parse_timestamp("2024-01-31T14:34:56+02:00", &ts));
  EXPECT_EQ(format_timestamp(ts), "2024-01-31 12:34:56");
  ASSERT_TRUE(parse_timestamp("2024-01-31", &ts));
  EXPECT_EQ(format_timestamp(ts), "2024-01-31 00:00:00");
  ASSERT_TRUE(parse_timestamp("1969-12-31 23:59:59.5", &ts));
  EXPECT_EQ(ts, -500000);
  EXPECT_EQ(format_timestamp(ts), "1969-12-31 23:59:59.5");
  EXPECT_FALSE(parse_timestamp("2024-01-31 25:00:00", &ts));
  EXPECT_FALSE(parse_timestamp("2024-01-31 10:00:00 junk", &ts));
}

TEST(TemporalTest, Intervals) {
  Interval iv;
  ASSERT_TRUE(parse_interval("1 day", &iv));
  EXPECT_EQ(iv.days, 1);
  ASSERT_TRUE(parse_interval("5 minutes", &iv));
  EXPECT_EQ(iv.micros, 5 * 60 * kMicrosPerSecond);
  ASSERT_TRUE(parse_interval("30s", &iv));
  EXPECT_EQ(iv.micros, 30 * kMicrosPerSecond);
  ASSERT_TRUE(parse_interval("1m", &iv));
  EXPECT_EQ(iv.micros, 60 * kMicrosPerSecond);
  ASSERT_TRUE(parse_interval("500ms", &iv));
  EXPECT_EQ(iv.micros, 500000);
  ASSERT_TRUE(parse_interval("2 hours 30 minutes", &iv));
  EXPECT_EQ(iv.micros, 150 * 60 * kMicrosPerSecond);
  ASSERT_TRUE(parse_interval("01:30:00", &iv));
  EXPECT_EQ(iv.micros, 90 * 60 * kMicrosPerSecond);
  ASSERT_TRUE(parse_interval("1 year 2 months", &iv));
  EXPECT_EQ(iv.months, 14);
  EXPECT_FALSE(parse_interval("5 fortnights", &iv));
  EXPECT_FALSE(parse_interval("", &iv));
}

TEST(TemporalTest, AddIntervalClampsMonthEnd) {
  int64_t ts;
  ASSERT_TRUE(parse_timestamp("2024-01-31 10:00:00", &ts));
  EXPECT_EQ(format_timestamp(add_interval(ts, Interval{1, 0, 0})), "2024-02-29 10:00:00");
  EXPECT_EQ(format_timestamp(add_interval(ts, Interval{-2, 0, 0})), "2023-11-30 10:00:00");
  EXPECT_EQ(format_timestamp(add_interval(ts, Interval{0, 1, 3600 * kMicrosPerSecond})),
            "2024-02-01 11:00:00");
}

}  // namespace
}  // namespace velo
