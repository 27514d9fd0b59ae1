#include "velo/connectors/kafka/json_schema_message.h"

#include <simdjson.h>

#include <vector>

#include "velo/connectors/kafka/confluent_frame.h"
#include "velo/formats/avro/avro_datum.h"
#include "velo/formats/json/json_row_decoder.h"
#include "velo/types/value.h"

namespace velo::kafka {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

/// Turns JSON Schema nodes into velo types; follows local $refs below `root`.
class JsonSchemaTyper {
 public:
  explicit JsonSchemaTyper(element root) : root_(root) {}

  /// The type of `node`; sets `*nullable` when it admits null.
  DataType type_of(element node, bool* nullable, int depth = 0) {
    if (depth > 32)
      throw_not_supported("JSON Schemas nested deeper than 32 levels (recursive $ref?)");
    *nullable = false;
    if (node.type() == element_type::BOOL) return DataType::string();  // `true`: anything
    if (node.type() != element_type::OBJECT)
      throw_format_error("JSON Schema node is not an object");
    std::string_view ref;
    if (!node["$ref"].get(ref)) return type_of(resolve(ref), nullable, depth + 1);
    for (const char* combinator : {"oneOf", "anyOf"}) {
      simdjson::dom::array alternatives;
      if (node[combinator].get(alternatives)) continue;
      // null + one schema is that schema, nullable; anything richer stays JSON text.
      element only;
      int others = 0;
      for (element alt : alternatives) {
        std::string_view t;
        if (alt.type() == element_type::OBJECT && !alt["type"].get(t) && t == "null") {
          *nullable = true;
        } else {
          only = alt;
          ++others;
        }
      }
      if (others != 1) return DataType::string();
      bool inner = false;
      DataType t = type_of(only, &inner, depth + 1);
      *nullable = *nullable || inner;
      return t;
    }
    element type_node;
    if (node["type"].get(type_node)) {
      if (node["properties"].error() == simdjson::SUCCESS) return object_type(node, depth);
      return DataType::string();
    }
    std::string_view type;
    if (type_node.type() == element_type::ARRAY) {
      int others = 0;
      simdjson::dom::array types = type_node.get_array().value_unsafe();
      for (element t : types) {
        std::string_view name;
        if (t.get(name)) continue;
        if (name == "null")
          *nullable = true;
        else {
          type = name;
          ++others;
        }
      }
      if (others != 1) return DataType::string();
    } else if (type_node.get(type)) {
      throw_format_error("JSON Schema 'type' must be a string or an array");
    }
    if (type == "null") {
      *nullable = true;
      return DataType::string();
    }
    if (type == "integer") return DataType::int64();
    if (type == "number") return DataType::float64();
    if (type == "boolean") return DataType::boolean();
    if (type == "string") {
      std::string_view format;
      if (!node["format"].get(format)) {
        if (format == "date-time") return DataType::timestamp();
        if (format == "date") return DataType::date();
      }
      return DataType::string();
    }
    if (type == "array") {
      element items;
      if (node["items"].get(items) || items.type() != element_type::OBJECT)
        return DataType::list_of(DataType::string());
      bool ignored;
      return DataType::list_of(type_of(items, &ignored, depth + 1));
    }
    if (type == "object") return object_type(node, depth);
    return DataType::string();
  }

  std::vector<Field> fields_of(element node, int depth) {
    std::vector<Field> fields;
    simdjson::dom::object props;
    if (node["properties"].get(props)) return fields;
    for (auto [name, sub] : props) {
      bool nullable = false;
      DataType t = type_of(sub, &nullable, depth + 1);
      fields.push_back(Field{std::string(name), t, true});
    }
    return fields;
  }

 private:
  DataType object_type(element node, int depth) {
    std::vector<Field> fields = fields_of(node, depth);
    element extra;
    if (fields.empty() && !node["additionalProperties"].get(extra) &&
        extra.type() == element_type::OBJECT) {
      bool ignored;
      return DataType::map_of(DataType::string(), type_of(extra, &ignored, depth + 1));
    }
    if (fields.empty()) return DataType::string();  // a free-form object: its JSON text
    return DataType::struct_of(std::move(fields));
  }

  element resolve(std::string_view ref) {
    if (ref.substr(0, 2) != "#/")
      throw_not_supported("JSON Schema $ref '{}' (only local '#/...' references)", ref);
    element at = root_;
    size_t pos = 2;
    while (pos <= ref.size()) {
      size_t slash = std::min(ref.find('/', pos), ref.size());
      std::string key(ref.substr(pos, slash - pos));
      if (at[key].get(at)) throw_format_error("JSON Schema $ref '{}' points nowhere", ref);
      pos = slash + 1;
    }
    return at;
  }

  element root_;
};

void append_type(const DataType& type, bool nullable, std::string* out);

void append_object(const std::vector<Field>& fields, std::string* out) {
  *out += "{\"type\":\"object\",\"properties\":{";
  std::string required;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out->push_back(',');
    append_json_string(fields[i].name, out);
    out->push_back(':');
    append_type(fields[i].type, fields[i].nullable, out);
    if (!fields[i].nullable) {
      if (!required.empty()) required.push_back(',');
      append_json_string(fields[i].name, &required);
    }
  }
  *out += "}";
  if (!required.empty()) *out += ",\"required\":[" + required + "]";
  *out += "}";
}

void append_type(const DataType& type, bool nullable, std::string* out) {
  const char* scalar = nullptr;
  const char* format = nullptr;
  switch (type.id()) {
    case TypeId::kBoolean:
      scalar = "boolean";
      break;
    case TypeId::kInt32:
    case TypeId::kInt64:
      scalar = "integer";
      break;
    case TypeId::kDouble:
    case TypeId::kDecimal:
      scalar = "number";
      break;
    case TypeId::kDate:
      scalar = "string";
      format = "date";
      break;
    case TypeId::kTimestamp:
      scalar = "string";
      format = "date-time";
      break;
    case TypeId::kString:
    case TypeId::kBytes:
    case TypeId::kInterval:
    case TypeId::kNull:
      scalar = "string";
      break;
    default:
      break;
  }
  if (scalar) {
    *out += nullable ? fmt::format("{{\"type\":[\"null\",\"{}\"]", scalar)
                     : fmt::format("{{\"type\":\"{}\"", scalar);
    if (format) *out += fmt::format(",\"format\":\"{}\"", format);
    *out += "}";
    return;
  }
  if (nullable) *out += "{\"oneOf\":[{\"type\":\"null\"},";
  switch (type.id()) {
    case TypeId::kStruct:
      append_object(type.children(), out);
      break;
    case TypeId::kList:
      *out += "{\"type\":\"array\",\"items\":";
      append_type(type.children()[0].type, true, out);
      *out += "}";
      break;
    case TypeId::kMap:
      *out += "{\"type\":\"object\",\"additionalProperties\":";
      append_type(type.children()[0].type.children()[1].type, true, out);
      *out += "}";
      break;
    default:
      throw_internal_error("unhandled type {}", type.to_string());
  }
  if (nullable) *out += "]}";
}

class JsonRegistryDecoder : public MessageDecoder {
 public:
  JsonRegistryDecoder(std::shared_ptr<SchemaRegistry> registry, SchemaPtr target)
      : registry_(std::move(registry)), decoder_(std::move(target)) {}

  void append(std::string_view payload, std::vector<ColumnPtr>& columns) override {
    ConfluentFrame m = parse_confluent_frame(payload, "JSON");
    if (m.schema_id != last_id_) check_id(m.schema_id);
    decoder_.append_row(m.body, columns);
  }

 private:
  void check_id(int32_t id) {
    for (const auto& [known, error] : seen_) {
      if (known != id) continue;
      if (!error.empty()) throw_format_error("schema id {} cannot be read: {}", id, error);
      last_id_ = id;
      return;
    }
    std::string error;
    try {
      RegisteredSchemaPtr s = registry_->raw_by_id(id);
      if (s->type != "JSON")
        error = fmt::format("it is a {} schema, the source reads format = 'json'", s->type);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kIo) throw;  // transient: ask again for the next message
      error = e.message();
    }
    seen_.emplace_back(id, error);
    if (!error.empty()) throw_format_error("schema id {} cannot be read: {}", id, error);
    last_id_ = id;
  }

  std::shared_ptr<SchemaRegistry> registry_;
  JsonRowDecoder decoder_;
  std::vector<std::pair<int32_t, std::string>> seen_;  // ids asked for, error when unusable
  int32_t last_id_ = -1;
};

class JsonRegistryEncoder : public MessageEncoder {
 public:
  explicit JsonRegistryEncoder(int32_t id) : id_(id) {}
  bool encode(const Batch& batch, size_t row, std::string* out) override {
    avro::append_confluent_header(id_, out);
    append_json_row(batch, row, out);
    return true;
  }

 private:
  int32_t id_;
};

}  // namespace

SchemaPtr velo_schema_from_json_schema(std::string_view json_schema) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json_schema.data(), json_schema.size()).get(root))
    throw_format_error("JSON Schema is not valid JSON: {}", json_schema.substr(0, 200));
  JsonSchemaTyper typer(root);
  bool nullable;
  DataType t = typer.type_of(root, &nullable);
  if (t.id() != TypeId::kStruct)
    throw_format_error(
        "the JSON Schema does not describe an object with properties (got {}): declare the "
        "columns with schema = '...'",
        t.to_string());
  return std::make_shared<const Schema>(t.children());
}

std::string json_schema_from_velo(const Schema& schema, const std::string& title) {
  std::string out = "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"title\":";
  append_json_string(title, &out);
  out += ",";
  std::string object;
  append_object(schema.fields(), &object);
  out += object.substr(1);  // merge into the outer object
  return out;
}

std::string json_schema_title(std::string_view json_schema) {
  simdjson::dom::parser parser;
  element root;
  std::string_view title;
  if (parser.parse(json_schema.data(), json_schema.size()).get(root) || root["title"].get(title))
    return "";
  return std::string(title);
}

std::unique_ptr<MessageDecoder> make_json_registry_decoder(std::shared_ptr<SchemaRegistry> registry,
                                                           SchemaPtr target) {
  return std::make_unique<JsonRegistryDecoder>(std::move(registry), std::move(target));
}

std::unique_ptr<MessageEncoder> make_json_registry_encoder(int32_t schema_id) {
  return std::make_unique<JsonRegistryEncoder>(schema_id);
}

}  // namespace velo::kafka
