#include "velo/batch/arrow_c_data.h"

#include <gtest/gtest.h>

#include <cstring>

#include "velo/types/error.h"

namespace velo {
namespace {

// Builds a column of `type` from values (slow path is fine in tests).
ColumnPtr column_of(const DataType& type, const std::vector<Value>& values) {
  auto c = Column::make(type);
  for (const auto& v : values) c->append_value(v);
  return c;
}

void expect_round_trip(const ColumnPtr& c, const char* format) {
  ArrowArray array;
  ArrowSchema schema;
  export_column(c, "x", &array, &schema);
  EXPECT_STREQ(schema.format, format);
  EXPECT_STREQ(schema.name, "x");
  EXPECT_EQ(array.length, static_cast<int64_t>(c->size()));
  EXPECT_EQ(array.null_count, static_cast<int64_t>(c->null_count()));
  ColumnPtr back = import_column(array, schema);
  ASSERT_EQ(back->type(), c->type());
  ASSERT_EQ(back->size(), c->size());
  for (size_t i = 0; i < c->size(); ++i)
    EXPECT_EQ(back->value_at(i).to_string(), c->value_at(i).to_string()) << "row " << i;
  array.release(&array);
  schema.release(&schema);
  EXPECT_EQ(array.release, nullptr);
  EXPECT_EQ(schema.release, nullptr);
}

TEST(ArrowCDataTest, ScalarTypesRoundTrip) {
  expect_round_trip(
      column_of(DataType::boolean(),
                {Value::boolean(true), Value::null(DataType::boolean()), Value::boolean(false)}),
      "b");
  expect_round_trip(column_of(DataType::int32(),
                              {Value::int32(-7), Value::null(DataType::int32()), Value::int32(9)}),
                    "i");
  expect_round_trip(column_of(DataType::int64(), {Value::int64(INT64_MIN), Value::int64(42)}), "l");
  expect_round_trip(
      column_of(DataType::float64(), {Value::float64(0.5), Value::null(DataType::float64())}), "g");
  expect_round_trip(column_of(DataType::decimal(10, 2),
                              {Value::decimal(12345, 10, 2), Value::decimal(-1, 10, 2)}),
                    "d:10,2");
  expect_round_trip(
      column_of(DataType::string(),
                {Value::string("héllo"), Value::null(DataType::string()), Value::string("")}),
      "u");
  expect_round_trip(column_of(DataType::bytes(), {Value::bytes(std::string("\0\1", 2))}), "z");
  expect_round_trip(column_of(DataType::date(), {Value::date(19723), Value::date(-1)}), "tdD");
  expect_round_trip(column_of(DataType::timestamp(), {Value::timestamp(1704067200123456)}),
                    "tsu:UTC");
  expect_round_trip(column_of(DataType::interval(), {Value::interval(Interval{1, 2, 3000000})}),
                    "tin");
}

TEST(ArrowCDataTest, BooleansBecomeBitsAndIntervalsNanos) {
  auto c = column_of(DataType::boolean(),
                     {Value::boolean(true), Value::boolean(false), Value::boolean(true)});
  ArrowArray array;
  ArrowSchema schema;
  export_column(c, "b", &array, &schema);
  ASSERT_EQ(array.n_buffers, 2);
  EXPECT_EQ(static_cast<const uint8_t*>(array.buffers[1])[0], 0b101);
  EXPECT_EQ(array.buffers[0], nullptr);  // no nulls: no bitmap
  array.release(&array);
  schema.release(&schema);

  auto iv = column_of(DataType::interval(), {Value::interval(Interval{0, 0, 7})});
  export_column(iv, "i", &array, &schema);
  const auto* raw = static_cast<const uint8_t*>(array.buffers[1]);
  int64_t nanos;
  std::memcpy(&nanos, raw + 8, 8);
  EXPECT_EQ(nanos, 7000);
  array.release(&array);
  schema.release(&schema);
}

TEST(ArrowCDataTest, StringsShareBuffersWithoutCopy) {
  auto c = column_of(DataType::string(), {Value::string("abc"), Value::string("de")});
  ArrowArray array;
  ArrowSchema schema;
  export_column(c, "s", &array, &schema);
  EXPECT_EQ(array.buffers[1], static_cast<const void*>(c->offsets()));
  EXPECT_EQ(array.buffers[2], static_cast<const void*>(c->heap().data()));
  array.release(&array);
  schema.release(&schema);
}

TEST(ArrowCDataTest, NestedTypesRoundTrip) {
  DataType list = DataType::list_of(DataType::int64());
  expect_round_trip(column_of(list, {Value::nested(list, {Value::int64(1), Value::int64(2)}),
                                     Value::null(list), Value::nested(list, {})}),
                    "+l");
  DataType st = DataType::struct_of(
      {Field{"a", DataType::int32(), true}, Field{"b", DataType::string(), true}});
  expect_round_trip(
      column_of(st, {Value::nested(st, {Value::int32(1), Value::string("x")}),
                     Value::nested(st, {Value::null(DataType::int32()), Value::string("y")})}),
      "+s");
  DataType map = DataType::map_of(DataType::string(), DataType::int64());
  DataType entry = map.children()[0].type;
  expect_round_trip(
      column_of(
          map, {Value::nested(map, {Value::nested(entry, {Value::string("k"), Value::int64(5)})})}),
      "+m");
}

TEST(ArrowCDataTest, BatchExportAddsOpColumnForChangelogs) {
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{Field{"v", DataType::int64(), true}});
  Batch b(schema, {column_of(DataType::int64(), {Value::int64(1), Value::int64(2)})}, 2);
  b.row_kinds = {RowKind::kUpdateBefore, RowKind::kUpdateAfter};
  ArrowArray array;
  ArrowSchema s;
  export_batch(b, &array, &s);
  EXPECT_STREQ(s.format, "+s");
  ASSERT_EQ(s.n_children, 2);
  EXPECT_STREQ(s.children[0]->name, "_op");
  Batch back = import_batch(array, s);
  ASSERT_EQ(back.num_rows, 2u);
  EXPECT_EQ(back.column(0).value_at(0).to_string(), "-U");
  EXPECT_EQ(back.column(1).value_at(1).to_string(), "2");
  array.release(&array);
  s.release(&s);
}

TEST(ArrowCDataTest, ImportHonoursOffsetAndNarrowTypes) {
  // An int16 array of 4 values with offset 1 and a validity bitmap marking row 2 NULL.
  int16_t values[] = {10, 20, 30, 40};
  uint8_t validity = 0b1011;
  const void* buffers[] = {&validity, values};
  ArrowArray a{};
  a.length = 3;
  a.null_count = -1;
  a.offset = 1;
  a.n_buffers = 2;
  a.buffers = buffers;
  ArrowSchema s{};
  s.format = "s";
  s.name = "n";
  ColumnPtr c = import_column(a, s);
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ(c->value_at(0).to_string(), "20");
  EXPECT_TRUE(c->is_null(1));
  EXPECT_EQ(c->value_at(2).to_string(), "40");
  s.format = "w:4";
  EXPECT_THROW(import_column(a, s), Error);
}

}  // namespace
}  // namespace velo
