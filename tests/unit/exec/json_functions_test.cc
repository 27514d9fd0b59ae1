// JSON functions: paths (JSONPath, pointer, key, index), extraction as JSON or text, number
// re-serialization, builders from typed columns, and `->` on STRUCT/MAP columns.
#include <gtest/gtest.h>

#include "velo/batch/batch.h"
#include "velo/exec/evaluator.h"
#include "velo/exec/expression.h"
#include "velo/exec/function/json_path.h"
#include "velo/exec/function/json_writer.h"
#include "velo/types/error.h"

namespace velo {
namespace {

using Rows = std::vector<std::string>;

ColumnPtr strings(std::vector<const char*> v) {
  auto c = Column::make(DataType::string());
  for (const char* s : v) {
    if (s)
      c->append_string(s);
    else
      c->append_null();
  }
  return c;
}

Rows eval(const std::string& name, std::vector<ColumnPtr> cols, std::vector<Value> trailing = {}) {
  Batch b;
  b.num_rows = cols[0]->size();
  std::vector<BoundExprPtr> args;
  for (size_t i = 0; i < cols.size(); ++i) {
    args.push_back(BoundExpr::column_ref(static_cast<int>(i), cols[i]->type(), "c"));
    b.columns.push_back(cols[i]);
  }
  for (auto& v : trailing) args.push_back(BoundExpr::literal(v));
  BoundExprPtr e = bind_function_call(name, std::move(args));
  Evaluator ev;
  ColumnPtr out = ev.evaluate(*e, b);
  Rows rows;
  for (size_t i = 0; i < out->size(); ++i) rows.push_back(out->value_at(i).to_string());
  return rows;
}

Value S(const char* s) { return Value::string(s); }

std::string at(const char* json, const char* path) {
  simdjson::dom::element root = parse_json_or_throw(json);
  simdjson::dom::element e;
  if (!JsonPath::parse(path).find(root, &e)) return "<missing>";
  std::string out;
  append_json_element(e, &out);
  return out;
}

TEST(JsonPath, ParsesJsonPathPointerAndKeys) {
  const char* doc = R"({"a": {"b": [10, 20, {"c d": true}]}, "x.y": 1, "~/": 2})";
  EXPECT_EQ(at(doc, "$.a.b[1]"), "20");
  EXPECT_EQ(at(doc, "$.a.b[#-1]"), R"({"c d":true})");
  EXPECT_EQ(at(doc, R"($.a.b[2]."c d")"), "true");
  EXPECT_EQ(at(doc, "$.a.b[-3]"), "10");
  EXPECT_EQ(at(doc, "/a/b/0"), "10");
  EXPECT_EQ(at(doc, "/~0~1"), "2");
  EXPECT_EQ(at(doc, "x.y"), "1");  // a plain key, dots included
  EXPECT_EQ(at(doc, "$"), R"({"a":{"b":[10,20,{"c d":true}]},"x.y":1,"~/":2})");
  EXPECT_EQ(at(doc, "$.a.b[5]"), "<missing>");
  EXPECT_EQ(at(doc, "$.a.zz"), "<missing>");
  EXPECT_EQ(at(doc, "$.a[0]"), "<missing>");
  EXPECT_THROW(JsonPath::parse("$."), Error);
  EXPECT_THROW(JsonPath::parse("$[x]"), Error);
  EXPECT_THROW(JsonPath::parse("$.a[*]"), Error);
}

TEST(JsonWriter, DoublesLikeDuckDb) {
  auto f = [](double d) {
    std::string s;
    append_json_double(d, &s);
    return s;
  };
  EXPECT_EQ(f(2.5), "2.5");
  EXPECT_EQ(f(1.0), "1.0");
  EXPECT_EQ(f(1000), "1000.0");
  EXPECT_EQ(f(1e20), "100000000000000000000.0");
  EXPECT_EQ(f(1e21), "1e21");
  EXPECT_EQ(f(1.5e-7), "1.5e-7");
  EXPECT_EQ(f(0.000001), "0.000001");
  EXPECT_EQ(f(-0.0), "-0.0");
  EXPECT_EQ(f(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(f(1.5e300), "1.5e300");
}

TEST(JsonFunctions, ArrowOperatorsOnJsonText) {
  auto j = strings({R"({"id": 7, "name": "n", "tags": ["a", "b"]})", R"({"id": null})", nullptr,
                    R"([1, 2, 3])"});
  EXPECT_EQ(eval("->", {j}, {S("id")}), (Rows{"7", "null", "NULL", "NULL"}));
  EXPECT_EQ(eval("->>", {j}, {S("id")}), (Rows{"7", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(eval("->", {j}, {S("name")}), (Rows{R"("n")", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(eval("->>", {j}, {S("name")}), (Rows{"n", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(eval("->", {j}, {S("$.tags[1]")}), (Rows{R"("b")", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(eval("->", {j}, {Value::int32(-1)}), (Rows{"NULL", "NULL", "NULL", "3"}));
  EXPECT_EQ(eval("->>", {j}, {Value::int64(0)}), (Rows{"NULL", "NULL", "NULL", "1"}));
}

TEST(JsonFunctions, PerRowPaths) {
  auto j = strings({R"({"a": 1, "b": 2})", R"({"a": 3, "b": 4})", R"([5, 6])"});
  EXPECT_EQ(eval("JSON_EXTRACT", {j, strings({"a", "$.b", "$[1]"})}), (Rows{"1", "4", "6"}));
  auto idx = Column::make(DataType::int64());
  idx->append<int64_t>(0);
  idx->append<int64_t>(1);
  idx->append<int64_t>(-2);
  EXPECT_EQ(eval("->", {j, idx}), (Rows{"NULL", "NULL", "5"}));
}

TEST(JsonFunctions, ExtractValueTypeKeysLength) {
  auto j = strings({R"({"a": {"b": [1, 2.50, "x"]}, "s": "t"})", R"({"a": 1})"});
  EXPECT_EQ(eval("JSON_EXTRACT", {j}, {S("$.a")}), (Rows{R"({"b":[1,2.5,"x"]})", "1"}));
  EXPECT_EQ(eval("JSON_EXTRACT_STRING", {j}, {S("$.a.b[2]")}), (Rows{"x", "NULL"}));
  EXPECT_EQ(eval("JSON_VALUE", {j}, {S("$.s")}), (Rows{"t", "NULL"}));
  EXPECT_EQ(eval("JSON_VALUE", {j}, {S("$.a")}), (Rows{"NULL", "1"}));
  EXPECT_EQ(eval("JSON_TYPE", {j}, {S("$.a")}), (Rows{"OBJECT", "UBIGINT"}));
  EXPECT_EQ(eval("JSON_TYPE", {j}), (Rows{"OBJECT", "OBJECT"}));
  EXPECT_EQ(eval("JSON_KEYS", {j}), (Rows{R"(["a","s"])", R"(["a"])"}));
  EXPECT_EQ(eval("JSON_ARRAY_LENGTH", {j}, {S("$.a.b")}), (Rows{"3", "NULL"}));
  EXPECT_EQ(eval("JSON_ARRAY_LENGTH", {j}, {S("$.a")}), (Rows{"0", "0"}));
  EXPECT_EQ(eval("JSON_ARRAY_LENGTH", {j}, {S("$.zz")}), (Rows{"NULL", "NULL"}));
  EXPECT_EQ(eval("JSON_VALID", {strings({"{}", "{a:1}", "", nullptr})}),
            (Rows{"true", "false", "false", "NULL"}));
}

TEST(JsonFunctions, MalformedJsonIsAnError) {
  try {
    eval("->", {strings({R"({"a": 1})", "{bad"})}, {S("a")});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("malformed JSON"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("{bad"), std::string::npos) << e.message();
  }
}

TEST(JsonFunctions, BuildersRenderTypedValues) {
  auto k = strings({"x", "y"});
  auto dec = Column::make(DataType::decimal(10, 2));
  dec->append<int128_t>(1250);
  dec->append_null();
  auto d = Column::make(DataType::float64());
  d->append<double>(1.0);
  d->append<double>(0.5);
  EXPECT_EQ(eval("JSON_OBJECT", {k, dec}, {S("d"), Value::float64(2)}),
            (Rows{R"({"x":12.50,"d":2.0})", R"({"y":null,"d":2.0})"}));
  EXPECT_EQ(eval("JSON_ARRAY", {d, strings({"q\"\n", nullptr})}),
            (Rows{R"([1.0,"q\"\n"])", R"([0.5,null])"}));
  auto list = Column::make(DataType::list_of(DataType::int32()));
  list->child(0).append<int32_t>(1);
  list->child(0).append_null();
  list->append_list_end();
  list->append_list_end();
  EXPECT_EQ(eval("TO_JSON", {list}), (Rows{"[1,null]", "[]"}));
  EXPECT_THROW(eval("JSON_OBJECT", {k}), Error);
}

TEST(JsonFunctions, ArrowOnStructAndMap) {
  DataType st = DataType::struct_of({{"id", DataType::int64()}, {"name", DataType::string()}});
  auto s = Column::make(st);
  s->child(0).append<int64_t>(5);
  s->child(1).append_string("u5");
  s->append_struct_row();
  s->append_null();
  EXPECT_EQ(eval("->", {s}, {S("name")}), (Rows{"u5", "NULL"}));
  EXPECT_EQ(eval("->", {s}, {S("ID")}), (Rows{"5", "NULL"}));
  EXPECT_EQ(eval("->>", {s}, {S("id")}), (Rows{"5", "NULL"}));
  EXPECT_THROW(eval("->", {s}, {S("zz")}), Error);

  DataType mt = DataType::map_of(DataType::string(), DataType::int32());
  auto m = Column::make(mt);
  Column& entries = m->child(0);
  entries.child(0).append_string("a");
  entries.child(1).append<int32_t>(1);
  entries.append_struct_row();
  entries.child(0).append_string("b");
  entries.child(1).append<int32_t>(2);
  entries.append_struct_row();
  m->append_list_end();
  m->append_list_end();
  EXPECT_EQ(eval("->", {m}, {S("b")}), (Rows{"2", "NULL"}));
  EXPECT_EQ(eval("->>", {m}, {S("a")}), (Rows{"1", "NULL"}));
  EXPECT_EQ(eval("TO_JSON", {m}), (Rows{R"({"a":1,"b":2})", "{}"}));
}

}  // namespace
}  // namespace velo
