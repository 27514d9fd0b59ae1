#include "velo/types/value.h"

#include <gtest/gtest.h>

#include "velo/types/error.h"

namespace velo {
namespace {

TEST(ValueTest, DisplayAndJson) {
  EXPECT_EQ(Value::float64(3.0).to_string(), "3.0");
  EXPECT_EQ(Value::float64(0.1).to_string(), "0.1");
  EXPECT_EQ(Value::decimal(1250, 10, 2).to_string(), "12.50");
  EXPECT_EQ(Value::decimal(1250, 10, 2).to_json(), "12.50");
  EXPECT_EQ(Value::string("a\"b\n").to_json(), "\"a\\\"b\\n\"");
  EXPECT_EQ(Value::null(DataType::int64()).to_json(), "null");
  EXPECT_EQ(Value::timestamp(0).to_json(), "\"1970-01-01T00:00:00Z\"");
  auto st = DataType::struct_of({Field{"a", DataType::int64()}, Field{"b", DataType::string()}});
  EXPECT_EQ(Value::nested(st, {Value::int64(1), Value::string("x")}).to_json(), "{\"a\":1,\"b\":\"x\"}");
}

TEST(ValueTest, CompareAcrossNumericTypes) {
  EXPECT_EQ(Value::int32(1).compare(Value::decimal(100, 5, 2)), 0);
  EXPECT_LT(Value::decimal(15, 3, 1).compare(Value::float64(1.6)), 0);
  EXPECT_LT(Value::null(DataType::int32()).compare(Value::int32(0)), 0);
  EXPECT_EQ(Value::date(1).compare(Value::timestamp(86400000000LL)), 0);
}

TEST(DataTypeTest, CommonSuperType) {
  DataType out;
  ASSERT_TRUE(common_super_type(DataType::int32(), DataType::int64(), &out));
  EXPECT_EQ(out, DataType::int64());
  ASSERT_TRUE(common_super_type(DataType::int32(), DataType::decimal(5, 2), &out));
  EXPECT_EQ(out, DataType::decimal(12, 2));
  ASSERT_TRUE(common_super_type(DataType::decimal(5, 2), DataType::float64(), &out));
  EXPECT_EQ(out, DataType::float64());
  ASSERT_TRUE(common_super_type(DataType::null(), DataType::string(), &out));
  EXPECT_EQ(out, DataType::string());
  EXPECT_FALSE(common_super_type(DataType::boolean(), DataType::date(), &out));
  EXPECT_EQ(DataType::map_of(DataType::string(), DataType::int64()).to_string(), "MAP<STRING, INT64>");
  EXPECT_THROW(DataType::decimal(39, 2), Error);
}

TEST(ErrorTest, DescribeShowsLocation) {
  Error e(ErrorKind::kFormat, "bad number 'x'", ErrorLocation{"a.csv", 3, 7, -1});
  EXPECT_EQ(e.describe(), "a.csv:3:7: bad number 'x'");
  Error f(ErrorKind::kFormat, "truncated", ErrorLocation{"p.parquet", 0, 0, 128});
  EXPECT_EQ(f.describe(), "p.parquet: byte 128: truncated");
}

}  // namespace
}  // namespace velo
