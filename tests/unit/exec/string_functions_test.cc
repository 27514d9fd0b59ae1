// String functions evaluated through the registry on hand-made columns (the per-row paths) and
// on constants (the folded paths).
#include <gtest/gtest.h>

#include "velo/batch/batch.h"
#include "velo/exec/evaluator.h"
#include "velo/exec/expression.h"
#include "velo/exec/function/string_render.h"
#include "velo/types/error.h"

namespace velo {
namespace {

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

ColumnPtr ints(std::vector<int64_t> v) {
  auto c = Column::make(DataType::int64());
  for (int64_t x : v) c->append<int64_t>(x);
  return c;
}

// Evaluates name(columns...) over a batch made of `cols` and returns the rows as text.
std::vector<std::string> eval(const std::string& name, std::vector<ColumnPtr> cols,
                              std::vector<Value> constants = {}) {
  Batch b;
  b.num_rows = cols.empty() ? 1 : cols[0]->size();
  std::vector<BoundExprPtr> args;
  for (size_t i = 0; i < cols.size(); ++i) {
    args.push_back(
        BoundExpr::column_ref(static_cast<int>(i), cols[i]->type(), "c" + std::to_string(i)));
    b.columns.push_back(cols[i]);
  }
  for (auto& v : constants) args.push_back(BoundExpr::literal(v));
  BoundExprPtr e = bind_function_call(name, std::move(args));
  Evaluator ev;
  ColumnPtr out = ev.evaluate(*e, b);
  std::vector<std::string> rows;
  for (size_t i = 0; i < out->size(); ++i) rows.push_back(out->value_at(i).to_string());
  return rows;
}

Value constant(const std::string& name, std::vector<Value> args) {
  std::vector<BoundExprPtr> a;
  for (auto& v : args) a.push_back(BoundExpr::literal(v));
  return Evaluator::evaluate_constant(*bind_function_call(name, std::move(a)));
}

using Rows = std::vector<std::string>;

TEST(StringFunctions, LengthCountsCodePoints) {
  EXPECT_EQ(eval("LENGTH", {strings({"hello", "", "Zürich", nullptr})}),
            (Rows{"5", "0", "6", "NULL"}));
  EXPECT_EQ(eval("OCTET_LENGTH", {strings({"Zürich"})}), (Rows{"7"}));
  EXPECT_EQ(eval("CHAR_LENGTH", {strings({"日本"})}), (Rows{"2"}));
}

TEST(StringFunctions, CaseMappingHandlesAsciiAndLatin) {
  EXPECT_EQ(eval("UPPER", {strings({"abc", "zürich", "straße", nullptr})}),
            (Rows{"ABC", "ZÜRICH", "STRAßE", "NULL"}));
  EXPECT_EQ(eval("LOWER", {strings({"ÄÖÜ", "ΑΒΓ", "ПРИВЕТ"})}), (Rows{"äöü", "αβγ", "привет"}));
  EXPECT_EQ(eval("INITCAP", {strings({"hello wORLD-x", "élan vital"})}),
            (Rows{"Hello World-X", "Élan Vital"}));
}

TEST(StringFunctions, SubstringFollowsDuckDbWindow) {
  auto s = strings({"hello", "hello", "hello", "hello", "Zürich", "abc"});
  EXPECT_EQ(eval("SUBSTRING", {s, ints({0, -3, 2, 10, 2, -5}), ints({2, 2, -1, 1, 3, 3})}),
            (Rows{"h", "ll", "h", "", "üri", "a"}));
  EXPECT_EQ(eval("SUBSTR", {strings({"velostream"}), ints({5})}), (Rows{"stream"}));
}

TEST(StringFunctions, LeftRightPadRepeat) {
  EXPECT_EQ(eval("LEFT", {strings({"abcdef", "Zürich", "abc"}), ints({-2, 2, 10})}),
            (Rows{"abcd", "Zü", "abc"}));
  EXPECT_EQ(eval("RIGHT", {strings({"abcdef", "Zürich", "abc"}), ints({-2, 3, 0})}),
            (Rows{"cdef", "ich", ""}));
  EXPECT_EQ(
      eval("LPAD", {strings({"7", "hello", "a"}), ints({3, 3, 5}), strings({"0", "x", "xy"})}),
      (Rows{"007", "hel", "xyxya"}));
  EXPECT_EQ(eval("RPAD", {strings({"Zü"}), ints({4}), strings({"ö"})}), (Rows{"Züöö"}));
  EXPECT_THROW(eval("LPAD", {strings({"ab"}), ints({4}), strings({""})}), Error);
  EXPECT_EQ(eval("REPEAT", {strings({"ab", "x", nullptr}), ints({3, -1, 2})}),
            (Rows{"ababab", "", "NULL"}));
}

TEST(StringFunctions, TrimWithCharacterSets) {
  EXPECT_EQ(eval("TRIM", {strings({"  x  ", "xxhixx", "ÄxÄ"}), strings({" ", "x", "Ä"})}),
            (Rows{"x", "hi", "x"}));
  EXPECT_EQ(eval("LTRIM", {strings({"  x ", nullptr})}), (Rows{"x ", "NULL"}));
  EXPECT_EQ(eval("RTRIM", {strings({"xyhiyx"}), strings({"yx"})}), (Rows{"xyhi"}));
}

TEST(StringFunctions, SearchFunctions) {
  EXPECT_EQ(
      eval("STRPOS", {strings({"velostream", "abc", "Zürich"}), strings({"str", "z", "ich"})}),
      (Rows{"5", "0", "4"}));
  EXPECT_EQ(eval("POSITION", {strings({"", "c"}), strings({"abc", "abc"})}), (Rows{"1", "3"}));
  EXPECT_EQ(eval("STARTS_WITH", {strings({"velo", "x", nullptr}), strings({"ve", "y", "a"})}),
            (Rows{"true", "false", "NULL"}));
  EXPECT_EQ(eval("ENDS_WITH", {strings({"velo"}), strings({"lo"})}), (Rows{"true"}));
  EXPECT_EQ(eval("CONTAINS", {strings({"abc", "abc"}), strings({"", "d"})}),
            (Rows{"true", "false"}));
}

TEST(StringFunctions, ConcatRendersAnyType) {
  auto d = Column::make(DataType::float64());
  d->append<double>(1.5);
  d->append<double>(2.0);
  auto dec = Column::make(DataType::decimal(10, 2));
  dec->append<int128_t>(1250);
  dec->append_null();
  EXPECT_EQ(eval("CONCAT", {strings({"a", nullptr}), d, dec}), (Rows{"a1.512.50", "2.0"}));
  EXPECT_EQ(
      eval("CONCAT_WS", {strings({"-", nullptr}), strings({"x", "x"}), strings({nullptr, "y"})}),
      (Rows{"x", "NULL"}));
  EXPECT_EQ(constant("CONCAT", {Value::string("d="), Value::date(19723), Value::boolean(true)})
                .to_string(),
            "d=2024-01-01true");
}

TEST(StringFunctions, ReplaceReverseSplit) {
  EXPECT_EQ(eval("REPLACE", {strings({"a-b-c", "aaa"}), strings({"-", ""}), strings({"+", "x"})}),
            (Rows{"a+b+c", "aaa"}));
  EXPECT_EQ(eval("REVERSE", {strings({"abc", "Zürich"})}), (Rows{"cba", "hcirüZ"}));
  EXPECT_EQ(eval("SPLIT_PART", {strings({"a,b,c", "a,b,c", "a,b,c", "a--b"}),
                                strings({",", ",", ",", "--"}), ints({2, -1, 5, 2})}),
            (Rows{"b", "c", "", "b"}));
  EXPECT_EQ(
      eval("STRING_SPLIT", {strings({"a,b,,c", "", "abc", nullptr}), strings({",", ",", "", ","})}),
      (Rows{R"(["a","b","","c"])", R"([""])", R"(["a","b","c"])", "NULL"}));
}

TEST(StringFunctions, AsciiAndChr) {
  EXPECT_EQ(eval("ASCII", {strings({"A", "Ä", ""})}), (Rows{"65", "196", "0"}));
  EXPECT_EQ(eval("CHR", {ints({65, 228, 0x1F600})}), (Rows{"A", "ä", "😀"}));
  EXPECT_THROW(eval("CHR", {ints({-1})}), Error);
}

TEST(StringFunctions, RegexWithConstantPattern) {
  auto s = strings({"abc123", "abc", nullptr});
  EXPECT_EQ(eval("REGEXP_MATCHES", {s}, {Value::string("[0-9]+")}),
            (Rows{"true", "false", "NULL"}));
  EXPECT_EQ(eval("REGEXP_MATCHES", {strings({"ABC"})}, {Value::string("b"), Value::string("i")}),
            (Rows{"true"}));
  EXPECT_EQ(eval("REGEXP_FULL_MATCH", {strings({"abc", "abcd"})}, {Value::string("a.c")}),
            (Rows{"true", "false"}));
  EXPECT_EQ(eval("REGEXP_REPLACE", {strings({"a1b22c333"})},
                 {Value::string("[0-9]+"), Value::string("#"), Value::string("g")}),
            (Rows{"a#b#c#"}));
  EXPECT_EQ(eval("REGEXP_REPLACE", {strings({"a1b22"})},
                 {Value::string("([0-9]+)"), Value::string("<\\1>")}),
            (Rows{"a<1>b22"}));
  EXPECT_EQ(eval("REGEXP_EXTRACT", {strings({"order-4711-x", "none"})},
                 {Value::string("([0-9]+)"), Value::int32(1)}),
            (Rows{"4711", ""}));
  EXPECT_EQ(eval("REGEXP_EXTRACT_ALL", {strings({"a1b22"})}, {Value::string("[0-9]+")}),
            (Rows{R"(["1","22"])"}));
  EXPECT_EQ(eval("REGEXP_SPLIT_TO_ARRAY", {strings({"a1b22c"})}, {Value::string("[0-9]+")}),
            (Rows{R"(["a","b","c"])"}));
  EXPECT_EQ(eval("REGEXP_COUNT", {strings({"abab", ""})}, {Value::string("a")}), (Rows{"2", "0"}));
}

TEST(StringFunctions, RegexWithPerRowPatterns) {
  // Non-constant patterns are compiled per batch, reusing the last one while it repeats.
  EXPECT_EQ(eval("REGEXP_MATCHES", {strings({"abc", "abc", "x1", "q", "a"}),
                                    strings({"b", "b", "^[0-9]", "q|r", nullptr})}),
            (Rows{"true", "true", "false", "true", "NULL"}));
  EXPECT_EQ(
      eval("REGEXP_REPLACE", {strings({"aaa", "bbb"}), strings({"a", "b"}), strings({"x", "y"})}),
      (Rows{"xaa", "ybb"}));
}

TEST(StringFunctions, RegexErrorsNameThePattern) {
  try {
    eval("REGEXP_MATCHES", {strings({"abc"})}, {Value::string("(")});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("'('"), std::string::npos) << e.message();
  }
  EXPECT_THROW(eval("REGEXP_MATCHES", {strings({"abc"}), strings({"("})}), Error);
  EXPECT_THROW(eval("REGEXP_MATCHES", {strings({"abc"})}, {Value::string("b"), Value::string("z")}),
               Error);
  EXPECT_THROW(eval("REGEXP_EXTRACT", {strings({"abc"})}, {Value::string("b"), Value::int32(12)}),
               Error);
}

TEST(StringFunctions, ConstantArgumentsBroadcast) {
  // Constant second argument against a column.
  EXPECT_EQ(eval("LEFT", {strings({"abcdef", "xy"})}, {Value::int32(2)}), (Rows{"ab", "xy"}));
  EXPECT_EQ(eval("CONCAT", {strings({"a", "b"})}, {Value::string("!")}), (Rows{"a!", "b!"}));
}

TEST(StringFunctions, WrongArityNamesTheFunction) {
  try {
    eval("LPAD", {strings({"a"})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("LPAD"), std::string::npos) << e.message();
  }
}

TEST(StringRender, DisplayTextMatchesValueToString) {
  std::vector<Value> values = {
      Value::int32(-5),      Value::int64(1234567890123), Value::float64(0.1),
      Value::float64(1e20),  Value::float64(3.0),         Value::decimal(-1205, 10, 3),
      Value::date(-1),       Value::timestamp(1500),      Value::timestamp(-1),
      Value::boolean(false), Value::interval({1, 2, 3})};
  for (const auto& v : values) {
    auto c = Column::make(v.type());
    c->append_value(v);
    std::string out;
    append_display_text(*c, 0, &out);
    EXPECT_EQ(out, v.to_string());
  }
}

}  // namespace
}  // namespace velo
