#include <gtest/gtest.h>

#include "velo/sql/parser/parser.h"

namespace velo::sql {
namespace {

TEST(ParserTypeTest, Scalars) {
  EXPECT_EQ(parse_type("INT"), DataType::int32());
  EXPECT_EQ(parse_type("integer"), DataType::int32());
  EXPECT_EQ(parse_type("SMALLINT"), DataType::int32());
  EXPECT_EQ(parse_type("TINYINT"), DataType::int32());
  EXPECT_EQ(parse_type("BIGINT"), DataType::int64());
  EXPECT_EQ(parse_type("DOUBLE"), DataType::float64());
  EXPECT_EQ(parse_type("DOUBLE PRECISION"), DataType::float64());
  EXPECT_EQ(parse_type("FLOAT"), DataType::float64());
  EXPECT_EQ(parse_type("REAL"), DataType::float64());
  EXPECT_EQ(parse_type("BOOLEAN"), DataType::boolean());
  EXPECT_EQ(parse_type("bool"), DataType::boolean());
  EXPECT_EQ(parse_type("DATE"), DataType::date());
  EXPECT_EQ(parse_type("INTERVAL"), DataType::interval());
}

TEST(ParserTypeTest, Decimals) {
  EXPECT_EQ(parse_type("DECIMAL(10,2)"), DataType::decimal(10, 2));
  EXPECT_EQ(parse_type("NUMERIC(38, 10)"), DataType::decimal(38, 10));
  EXPECT_EQ(parse_type("DECIMAL"), DataType::decimal(18, 3));
  EXPECT_EQ(parse_type("DECIMAL(7)"), DataType::decimal(7, 0));
}

TEST(ParserTypeTest, StringsAndBytes) {
  for (const char* t :
       {"VARCHAR", "VARCHAR(20)", "CHAR(3)", "STRING", "TEXT", "CHARACTER VARYING(5)"}) {
    EXPECT_EQ(parse_type(t), DataType::string()) << t;
  }
  for (const char* t : {"BYTES", "BLOB", "VARBINARY", "BYTEA", "VARBINARY(16)"}) {
    EXPECT_EQ(parse_type(t), DataType::bytes()) << t;
  }
}

TEST(ParserTypeTest, Timestamps) {
  for (const char* t : {"TIMESTAMP", "TIMESTAMP(3)", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ",
                        "TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ(3)"}) {
    EXPECT_EQ(parse_type(t), DataType::timestamp()) << t;
  }
}

TEST(ParserTypeTest, Nested) {
  EXPECT_EQ(parse_type("ARRAY<INT>"), DataType::list_of(DataType::int32()));
  EXPECT_EQ(parse_type("INT[]"), DataType::list_of(DataType::int32()));
  EXPECT_EQ(parse_type("LIST<STRING>"), DataType::list_of(DataType::string()));
  EXPECT_EQ(parse_type("MAP<STRING, BIGINT>"),
            DataType::map_of(DataType::string(), DataType::int64()));
  EXPECT_EQ(parse_type("MAP<STRING, ARRAY<INT>>"),
            DataType::map_of(DataType::string(), DataType::list_of(DataType::int32())));
  DataType s = parse_type("STRUCT<a INT, b VARCHAR>");
  ASSERT_EQ(s.id(), TypeId::kStruct);
  ASSERT_EQ(s.children().size(), 2u);
  EXPECT_EQ(s.children()[1].name, "b");
  EXPECT_EQ(s.children()[1].type, DataType::string());
  EXPECT_EQ(parse_type("ROW(a INT, b VARCHAR)"), s);
  EXPECT_EQ(parse_type("ROW<a INT, b VARCHAR>"), s);
  EXPECT_EQ(parse_type("STRUCT<`dateTime` TIMESTAMP(3)>").children()[0].name, "dateTime");
}

TEST(ParserTypeTest, ToStringSpellingsParseBack) {
  for (const DataType& t :
       {DataType::int32(), DataType::int64(), DataType::float64(), DataType::decimal(12, 4),
        DataType::string(), DataType::bytes(), DataType::boolean(), DataType::date(),
        DataType::timestamp(), DataType::interval(), DataType::list_of(DataType::int64()),
        DataType::map_of(DataType::string(), DataType::float64()),
        DataType::struct_of({Field{"x", DataType::int32()}, Field{"y", DataType::string()}})}) {
    EXPECT_EQ(parse_type(t.to_string()), t) << t.to_string();
  }
}

}  // namespace
}  // namespace velo::sql
