#include "velo/batch/batch.h"

#include <gtest/gtest.h>

namespace velo {
namespace {

TEST(ColumnTest, AppendWithNulls) {
  auto c = Column::make(DataType::int64());
  c->append<int64_t>(1);
  c->append_null();
  c->append<int64_t>(3);
  ASSERT_EQ(c->size(), 3u);
  EXPECT_FALSE(c->is_null(0));
  EXPECT_TRUE(c->is_null(1));
  EXPECT_EQ(c->value<int64_t>(2), 3);
  EXPECT_EQ(c->null_count(), 1u);
}

TEST(ColumnTest, StringsAndGather) {
  auto c = Column::make(DataType::string());
  for (const char* s : {"a", "bb", "", "dddd"}) c->append_string(s);
  c->append_null();
  uint32_t sel[] = {4, 3, 1};
  ColumnPtr g = gather(*c, sel, 3);
  EXPECT_TRUE(g->is_null(0));
  EXPECT_EQ(g->string_at(1), "dddd");
  EXPECT_EQ(g->string_at(2), "bb");
}

TEST(ColumnTest, NestedValuesRoundTrip) {
  DataType t = DataType::struct_of({Field{"id", DataType::int64()},
                                    Field{"tags", DataType::list_of(DataType::string())}});
  auto c = Column::make(t);
  Value row = Value::nested(t, {Value::int64(7), Value::nested(t.children()[1].type,
                                                               {Value::string("x"), Value::string("y")})});
  c->append_value(row);
  c->append_null();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ(c->value_at(0).to_json(), "{\"id\":7,\"tags\":[\"x\",\"y\"]}");
  EXPECT_TRUE(c->value_at(1).is_null());
  uint32_t sel[] = {1, 0};
  EXPECT_EQ(gather(*c, sel, 2)->value_at(1).to_json(), "{\"id\":7,\"tags\":[\"x\",\"y\"]}");
}

TEST(BatchTest, SliceConcatAndRowKinds) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{Field{"x", DataType::int32()}});
  Batch a = Batch::empty(schema);
  for (int i = 0; i < 5; ++i) a.columns[0]->append<int32_t>(i);
  a.num_rows = 5;
  a.row_kinds.assign(5, RowKind::kInsert);
  a.row_kinds[2] = RowKind::kDelete;
  Batch s = slice(a, 1, 3);
  ASSERT_EQ(s.num_rows, 3u);
  EXPECT_EQ(s.columns[0]->value<int32_t>(0), 1);
  EXPECT_EQ(s.row_kind(1), RowKind::kDelete);
  Batch c = concat({a, s}, schema);
  EXPECT_EQ(c.num_rows, 8u);
  EXPECT_EQ(c.row_kind(6), RowKind::kDelete);
  EXPECT_FALSE(c.append_only());
  EXPECT_STREQ(row_kind_symbol(RowKind::kUpdateBefore), "-U");
}

}  // namespace
}  // namespace velo
