#include "velo/formats/json/json_inference.h"

#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

#include "velo/formats/csv/text_cell.h"
#include "velo/types/error.h"

namespace velo::json {

namespace {
using simdjson::ondemand::json_type;

/// A type being inferred: scalar kinds plus digit counts for numbers, fields for objects.
struct JField;

struct JType {
  enum class Kind : uint8_t {
    kNull,
    kBool,
    kInt,
    kDecimal,
    kDouble,
    kString,
    kDate,
    kTimestamp,
    kStruct,
    kList
  };
  Kind kind = Kind::kNull;
  int int_digits = 0;
  int frac_digits = 0;
  // Not std::pair<std::string, JType>: clang with libstdc++ cannot instantiate a pair of an
  // incomplete type (it checks JType's default-constructibility while defining JType).
  std::vector<JField> fields;
  std::vector<JType> element;  // one entry for kList

  void make_string();
};

struct JField {
  JField(std::string n, JType t) : first(std::move(n)), second(std::move(t)) {}
  std::string first;  // member name
  JType second;
};

void JType::make_string() {
  kind = Kind::kString;
  fields.clear();
  element.clear();
}
using Kind = JType::Kind;

bool is_number(Kind k) { return k == Kind::kInt || k == Kind::kDecimal || k == Kind::kDouble; }

void merge_scalar(JType& acc, Kind k, int int_digits, int frac_digits) {
  if (k == Kind::kNull || acc.kind == Kind::kString) return;
  if (acc.kind == Kind::kNull) {
    acc.kind = k;
    acc.int_digits = int_digits;
    acc.frac_digits = frac_digits;
    return;
  }
  if (is_number(acc.kind) && is_number(k)) {
    acc.int_digits = std::max(acc.int_digits, int_digits);
    acc.frac_digits = std::max(acc.frac_digits, frac_digits);
    if (acc.kind == Kind::kDouble || k == Kind::kDouble)
      acc.kind = Kind::kDouble;
    else if (acc.kind == Kind::kDecimal || k == Kind::kDecimal)
      acc.kind = Kind::kDecimal;
    return;
  }
  if (acc.kind == k) return;
  if ((acc.kind == Kind::kDate && k == Kind::kTimestamp) ||
      (acc.kind == Kind::kTimestamp && k == Kind::kDate)) {
    acc.kind = Kind::kTimestamp;
    return;
  }
  acc.make_string();
}

class Merger {
 public:
  explicit Merger(JsonInferOptions o) : options_(o) {}

  // Returns false on malformed JSON (the sample is then dropped by the caller).
  bool merge(JType& acc, simdjson::ondemand::value v) {
    json_type t;
    if (v.type().get(t)) return false;
    switch (t) {
      case json_type::null: {
        bool n;
        return !v.is_null().get(n) && n;
      }
      case json_type::boolean: {
        bool b;
        if (v.get_bool().get(b)) return false;
        merge_scalar(acc, Kind::kBool, 0, 0);
        return true;
      }
      case json_type::number: {
        std::string_view raw = v.raw_json_token();
        text::NumberInfo info = text::classify_number(raw);
        Kind k = info.shape == text::NumberShape::kInteger   ? Kind::kInt
                 : info.shape == text::NumberShape::kDecimal ? Kind::kDecimal
                                                             : Kind::kDouble;
        merge_scalar(acc, k, info.int_digits, info.frac_digits);
        return true;
      }
      case json_type::string: {
        std::string_view s;
        if (v.get_string().get(s)) return false;
        merge_scalar(acc, string_kind(s), 0, 0);
        return true;
      }
      case json_type::object: {
        simdjson::ondemand::object obj;
        if (v.get_object().get(obj)) return false;
        return merge_object(acc, obj);
      }
      case json_type::array: {
        simdjson::ondemand::array arr;
        if (v.get_array().get(arr)) return false;
        if (acc.kind == Kind::kNull) {
          acc.kind = Kind::kList;
          acc.element.resize(1);
        } else if (acc.kind != Kind::kList) {
          acc.make_string();
        }
        for (auto er : arr) {
          simdjson::ondemand::value ev;
          if (std::move(er).get(ev)) return false;
          if (acc.kind == Kind::kList) {
            if (!merge(acc.element[0], ev)) return false;
          } else {
            // Already STRING: still walk the value so malformed JSON is noticed.
            JType scratch;
            if (!merge(scratch, ev)) return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  bool merge_object(JType& acc, simdjson::ondemand::object obj) {
    if (acc.kind == Kind::kNull) acc.kind = Kind::kStruct;
    bool as_struct = acc.kind == Kind::kStruct;
    if (!as_struct) acc.make_string();
    size_t hint = 0;
    for (auto fr : obj) {
      simdjson::ondemand::field f;
      if (std::move(fr).get(f)) return false;
      std::string_view key;
      if (f.unescaped_key().get(key)) return false;
      if (!as_struct) {
        JType scratch;
        if (!merge(scratch, f.value())) return false;
        continue;
      }
      size_t idx = acc.fields.size();
      if (hint < acc.fields.size() && acc.fields[hint].first == key) {
        idx = hint;
      } else {
        for (size_t i = 0; i < acc.fields.size(); ++i)
          if (acc.fields[i].first == key) {
            idx = i;
            break;
          }
      }
      if (idx == acc.fields.size()) acc.fields.emplace_back(std::string(key), JType{});
      hint = idx + 1;
      if (!merge(acc.fields[idx].second, f.value())) return false;
    }
    return true;
  }

  DataType finish(const JType& t) const {
    switch (t.kind) {
      case Kind::kNull:
      case Kind::kString:
        return DataType::string();
      case Kind::kBool:
        return DataType::boolean();
      case Kind::kInt:
        return DataType::int64();
      case Kind::kDecimal:
        if (options_.decimals && t.int_digits + t.frac_digits <= 18)
          return DataType::decimal(18, t.frac_digits);
        return DataType::float64();
      case Kind::kDouble:
        return DataType::float64();
      case Kind::kDate:
        return DataType::date();
      case Kind::kTimestamp:
        return DataType::timestamp();
      case Kind::kStruct: {
        if (t.fields.empty()) return DataType::string();
        std::vector<Field> fields;
        for (const auto& [name, ft] : t.fields) fields.push_back(Field{name, finish(ft), true});
        return DataType::struct_of(std::move(fields));
      }
      case Kind::kList:
        return DataType::list_of(finish(t.element[0]));
    }
    return DataType::string();
  }

 private:
  Kind string_kind(std::string_view s) const {
    if (!options_.temporals || s.size() < 10 || s[4] != '-' ||
        static_cast<unsigned char>(s[0] - '0') > 9)
      return Kind::kString;
    int32_t d;
    if (text::parse_date(s, &d)) return Kind::kDate;
    int64_t ts;
    if (text::parse_timestamp(s, &ts)) return Kind::kTimestamp;
    return Kind::kString;
  }

  JsonInferOptions options_;
};
}  // namespace

struct JsonSchemaInferrer::Impl {
  explicit Impl(JsonInferOptions o) : merger(o) {}
  Merger merger;
  simdjson::ondemand::parser parser;
  JType root;
  size_t objects = 0;
  std::string padded;
};

JsonSchemaInferrer::JsonSchemaInferrer(JsonInferOptions options)
    : impl_(std::make_unique<Impl>(options)) {}
JsonSchemaInferrer::~JsonSchemaInferrer() = default;

bool JsonSchemaInferrer::add(const char* data, size_t len, size_t capacity) {
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(data, len, capacity).get(doc)) return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  // Merge into a copy so a sample that turns out malformed half-way changes nothing.
  JType merged = impl_->root;
  if (merged.kind == Kind::kNull) merged.kind = Kind::kStruct;
  if (!impl_->merger.merge_object(merged, obj)) return false;
  const char* rest;
  if (!doc.current_location().get(rest)) return false;
  impl_->root = std::move(merged);
  ++impl_->objects;
  return true;
}

bool JsonSchemaInferrer::add_text(std::string_view text) {
  impl_->padded.assign(text.data(), text.size());
  impl_->padded.resize(text.size() + simdjson::SIMDJSON_PADDING, ' ');
  return add(impl_->padded.data(), text.size(), impl_->padded.size());
}

size_t JsonSchemaInferrer::objects() const { return impl_->objects; }

SchemaPtr JsonSchemaInferrer::finish(const std::string& what) const {
  if (impl_->objects == 0 || impl_->root.fields.empty())
    throw_user_error("cannot infer a schema: no JSON object with fields in {}; give schema = '...'",
                     what);
  std::vector<Field> fields;
  for (const auto& [name, t] : impl_->root.fields)
    fields.push_back(Field{name, impl_->merger.finish(t), true});
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace velo::json
