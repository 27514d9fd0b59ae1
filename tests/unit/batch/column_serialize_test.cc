#include <gtest/gtest.h>

#include "velo/batch/column.h"
#include "velo/types/error.h"

namespace velo {
namespace {

ColumnPtr round_trip(const Column& c) {
  ByteWriter w;
  c.serialize(w);
  std::string bytes = w.take();
  ByteReader r(bytes, "column");
  ColumnPtr back = Column::deserialize(c.type(), r);
  EXPECT_TRUE(r.at_end());
  return back;
}

void expect_same(const Column& a, const Column& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a.value_at(i).to_string(), b.value_at(i).to_string()) << "row " << i;
}

TEST(ColumnSerialize, FixedWidthWithNulls) {
  auto c = Column::make(DataType::int64());
  for (int64_t i = 0; i < 100; ++i) i % 7 == 0 ? c->append_null() : c->append(i * 3);
  auto back = round_trip(*c);
  expect_same(*c, *back);
  EXPECT_TRUE(back->is_null(0));
  back->append(int64_t{5});  // still appendable: a restored group table keeps growing
  EXPECT_EQ(back->size(), 101u);
}

TEST(ColumnSerialize, StringsAndNested) {
  auto s = Column::make(DataType::string());
  s->append_string("alpha");
  s->append_null();
  s->append_string("");
  s->append_string("ünïcödé");
  expect_same(*s, *round_trip(*s));

  auto list = Column::make(DataType::list_of(DataType::string()));
  DataType list_type = DataType::list_of(DataType::string());
  list->append_value(Value::nested(list_type, {Value::string("a"), Value::string("b")}));
  list->append_null();
  list->append_value(Value::nested(list_type, {}));
  expect_same(*list, *round_trip(*list));
}

TEST(ColumnSerialize, TruncatedInputIsAnError) {
  auto s = Column::make(DataType::string());
  s->append_string("hello world");
  ByteWriter w;
  s->serialize(w);
  std::string bytes = w.take();
  for (size_t cut : {size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    std::string part = bytes.substr(0, cut);
    ByteReader r(part, "state");
    EXPECT_THROW(Column::deserialize(s->type(), r), Error) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace velo
