#include "velo/formats/avro/avro_schema.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "velo/types/decimal.h"
#include "velo/types/error.h"

namespace velo::avro {

const AvroNode* AvroNode::nullable_branch() const {
  if (type != AvroType::kUnion || branches.size() != 2 || null_branch < 0) return nullptr;
  return branches[1 - null_branch];
}

std::string AvroNode::short_name() const {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

const char* avro_type_name(AvroType type) {
  switch (type) {
    case AvroType::kNull:
      return "null";
    case AvroType::kBoolean:
      return "boolean";
    case AvroType::kInt:
      return "int";
    case AvroType::kLong:
      return "long";
    case AvroType::kFloat:
      return "float";
    case AvroType::kDouble:
      return "double";
    case AvroType::kBytes:
      return "bytes";
    case AvroType::kString:
      return "string";
    case AvroType::kRecord:
      return "record";
    case AvroType::kEnum:
      return "enum";
    case AvroType::kArray:
      return "array";
    case AvroType::kMap:
      return "map";
    case AvroType::kUnion:
      return "union";
    case AvroType::kFixed:
      return "fixed";
  }
  return "?";
}

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

[[noreturn]] void bad_schema(const std::string& what) {
  throw Error(ErrorKind::kFormat, "invalid Avro schema: " + what);
}

bool primitive_from_name(std::string_view n, AvroType* out) {
  static const std::pair<const char*, AvroType> kPrims[] = {
      {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
      {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
      {"bytes", AvroType::kBytes}, {"string", AvroType::kString},
  };
  for (auto& [name, t] : kPrims)
    if (n == name) {
      *out = t;
      return true;
    }
  return false;
}

// One name component: [A-Za-z_][A-Za-z0-9_$]* ('$' tolerated, see the header).
bool valid_simple_name(std::string_view n) {
  if (n.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(n[0])) return false;
  for (char c : n)
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '$') return false;
  return true;
}

bool valid_full_name(std::string_view n) {
  size_t start = 0;
  while (true) {
    size_t dot = n.find('.', start);
    std::string_view part = n.substr(start, dot == std::string_view::npos ? n.npos : dot - start);
    if (!valid_simple_name(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string namespace_of(const std::string& full) {
  size_t dot = full.rfind('.');
  return dot == std::string::npos ? std::string() : full.substr(0, dot);
}

int max_decimal_precision_for_fixed(int64_t size) {
  if (size <= 0) return 0;
  if (size > 64) return 1000;
  // floor(log10(2^(8*size - 1) - 1))
  return static_cast<int>(std::floor((8.0 * size - 1) * std::log10(2.0)));
}

class Parser {
 public:
  std::vector<std::unique_ptr<AvroNode>> nodes;

  const AvroNode* parse(element e, const std::string& ns) {
    switch (e.type()) {
      case element_type::STRING:
        return parse_name_ref(std::string(std::string_view(e)), ns);
      case element_type::ARRAY:
        return parse_union(e.get_array().value(), ns);
      case element_type::OBJECT:
        return parse_object(e, ns);
      default:
        bad_schema(
            fmt::format("a schema must be a string, object or array, not {}", simdjson::minify(e)));
    }
  }

 private:
  std::unordered_map<std::string, AvroNode*> names_;
  int depth_ = 0;

  struct DepthGuard {
    explicit DepthGuard(int* d) : d_(d) {
      if (++*d_ > 200) bad_schema("nested more than 200 levels deep");
    }
    ~DepthGuard() { --*d_; }
    int* d_;
  };

  AvroNode* make(AvroType t) {
    nodes.push_back(std::make_unique<AvroNode>());
    nodes.back()->type = t;
    return nodes.back().get();
  }

  const AvroNode* parse_name_ref(const std::string& n, const std::string& ns) {
    AvroType t;
    if (primitive_from_name(n, &t)) {
      AvroNode* node = make(t);
      set_min_size(node);
      return node;
    }
    if (n.find('.') == std::string::npos && !ns.empty()) {
      auto it = names_.find(ns + "." + n);
      if (it != names_.end()) return it->second;
    }
    auto it = names_.find(n);
    if (it != names_.end()) return it->second;
    if (n == "record" || n == "enum" || n == "array" || n == "map" || n == "fixed" ||
        n == "union" || n == "error")
      bad_schema(fmt::format("type '{}' needs an object schema", n));
    bad_schema(fmt::format("unknown type '{}'", n));
  }

  const AvroNode* parse_union(simdjson::dom::array arr, const std::string& ns) {
    DepthGuard g(&depth_);
    AvroNode* node = make(AvroType::kUnion);
    std::set<std::string> seen;
    for (element b : arr) {
      const AvroNode* branch = parse(b, ns);
      if (branch->type == AvroType::kUnion) bad_schema("a union may not immediately hold a union");
      std::string key = branch->is_named() ? branch->name : avro_type_name(branch->type);
      if (!seen.insert(key).second)
        bad_schema(fmt::format("union has two branches of type {}", key));
      if (branch->type == AvroType::kNull)
        node->null_branch = static_cast<int>(node->branches.size());
      node->branches.push_back(branch);
    }
    // An empty union is a valid schema (it just has no values).
    int64_t m = node->branches.empty() ? 0 : INT64_MAX;
    for (auto* b : node->branches) m = std::min(m, b->min_size);
    node->min_size = 1 + m;
    return node;
  }

  static std::string get_string(element obj, const char* key, bool required, const char* what) {
    element v;
    if (obj[key].get(v)) {
      if (required) bad_schema(fmt::format("{} has no \"{}\": {}", what, key, abbreviated(obj)));
      return {};
    }
    if (!v.is_string())
      bad_schema(fmt::format("\"{}\" of {} must be a string: {}", key, what, abbreviated(obj)));
    return std::string(std::string_view(v));
  }

  static std::string abbreviated(element e) {
    std::string s = simdjson::minify(e);
    if (s.size() > 200) s = s.substr(0, 200) + "...";
    return s;
  }

  // Full name and namespace of a named type's definition.
  std::string full_name(element obj, const std::string& ns, const char* what) {
    std::string n = get_string(obj, "name", true, what);
    std::string full;
    if (n.find('.') != std::string::npos) {
      full = n;
    } else {
      element nse;
      std::string space = ns;
      if (!obj["namespace"].get(nse)) {
        if (nse.is_string())
          space = std::string(std::string_view(nse));
        else if (!nse.is_null())
          bad_schema("\"namespace\" must be a string");
      }
      full = space.empty() ? n : space + "." + n;
    }
    if (!valid_full_name(full)) bad_schema(fmt::format("invalid name '{}' of {}", full, what));
    AvroType t;
    if (primitive_from_name(full, &t))
      bad_schema(fmt::format("'{}' redefines a primitive type", full));
    if (names_.count(full)) bad_schema(fmt::format("type '{}' is defined twice", full));
    return full;
  }

  std::vector<std::string> aliases_of(element obj, const std::string& ns, bool full) {
    std::vector<std::string> out;
    element a;
    if (obj["aliases"].get(a)) return out;
    if (!a.is_array()) bad_schema("\"aliases\" must be an array");
    for (element x : a.get_array()) {
      if (!x.is_string()) bad_schema("aliases must be strings");
      std::string s{std::string_view(x)};
      if (full && s.find('.') == std::string::npos && !ns.empty()) s = ns + "." + s;
      out.push_back(std::move(s));
    }
    return out;
  }

  void register_name(AvroNode* node, const std::vector<std::string>& aliases) {
    names_[node->name] = node;
    for (const auto& a : aliases) names_.emplace(a, node);
  }

  const AvroNode* parse_object(element obj, const std::string& ns) {
    DepthGuard g(&depth_);
    element te;
    if (obj["type"].get(te))
      bad_schema(fmt::format("object has no \"type\": {}", abbreviated(obj)));
    if (!te.is_string()) {
      // {"type": {...}} or {"type": [...]}: a schema wrapped in an object (lenient).
      return parse(te, ns);
    }
    std::string_view t = te;
    AvroNode* node = nullptr;
    AvroType prim;
    if (primitive_from_name(t, &prim)) {
      node = make(prim);
    } else if (t == "record" || t == "error") {
      node = make(AvroType::kRecord);
      node->name = full_name(obj, ns, "record");
      node->aliases = aliases_of(obj, namespace_of(node->name), true);
      register_name(node, node->aliases);
      std::string inner_ns = namespace_of(node->name);
      element fe;
      if (obj["fields"].get(fe) || !fe.is_array())
        bad_schema(fmt::format("record '{}' needs a \"fields\" array", node->name));
      std::set<std::string> seen;
      for (element f : fe.get_array()) {
        if (!f.is_object())
          bad_schema(fmt::format("a field of record '{}' is not an object", node->name));
        AvroField field;
        field.name = get_string(f, "name", true, "field");
        if (!valid_simple_name(field.name))
          bad_schema(fmt::format("invalid field name '{}' in record '{}'", field.name, node->name));
        if (!seen.insert(field.name).second)
          bad_schema(fmt::format("record '{}' has two fields named '{}'", node->name, field.name));
        element ft;
        if (f["type"].get(ft))
          bad_schema(fmt::format("field '{}' of record '{}' has no type", field.name, node->name));
        field.type = parse(ft, inner_ns);
        field.aliases = aliases_of(f, "", false);
        element d;
        if (!f["default"].get(d)) field.default_json = simdjson::minify(d);
        node->fields.push_back(std::move(field));
      }
    } else if (t == "enum") {
      node = make(AvroType::kEnum);
      node->name = full_name(obj, ns, "enum");
      node->aliases = aliases_of(obj, namespace_of(node->name), true);
      element se;
      if (obj["symbols"].get(se) || !se.is_array())
        bad_schema(fmt::format("enum '{}' needs a \"symbols\" array", node->name));
      std::set<std::string> seen;
      for (element s : se.get_array()) {
        if (!s.is_string())
          bad_schema(fmt::format("enum '{}' has a non-string symbol", node->name));
        std::string sym{std::string_view(s)};
        if (!valid_simple_name(sym))
          bad_schema(fmt::format("invalid symbol '{}' in enum '{}'", sym, node->name));
        if (!seen.insert(sym).second)
          bad_schema(fmt::format("enum '{}' has symbol '{}' twice", node->name, sym));
        node->symbols.push_back(std::move(sym));
      }
      register_name(node, node->aliases);
    } else if (t == "fixed") {
      node = make(AvroType::kFixed);
      node->name = full_name(obj, ns, "fixed");
      node->aliases = aliases_of(obj, namespace_of(node->name), true);
      element se;
      int64_t size = -1;
      if (obj["size"].get(se) || se.get_int64().get(size) || size < 0)
        bad_schema(fmt::format("fixed '{}' needs a non-negative integer \"size\"", node->name));
      node->size = size;
      register_name(node, node->aliases);
    } else if (t == "array") {
      node = make(AvroType::kArray);
      element ie;
      if (obj["items"].get(ie)) bad_schema("array needs \"items\"");
      node->items = parse(ie, ns);
    } else if (t == "map") {
      node = make(AvroType::kMap);
      element ve;
      if (obj["values"].get(ve)) bad_schema("map needs \"values\"");
      node->items = parse(ve, ns);
    } else {
      // A reference to a named type written as {"type": "ns.Name"}.
      return parse_name_ref(std::string(t), ns);
    }
    parse_logical(obj, node);
    set_min_size(node);
    return node;
  }

  static void parse_logical(element obj, AvroNode* node) {
    element le;
    if (obj["logicalType"].get(le) || !le.is_string()) return;
    std::string_view lt = le;
    AvroType t = node->type;
    auto set = [&](LogicalType l, bool ok) {
      if (ok) node->logical = l;
    };
    if (lt == "decimal") {
      if (t != AvroType::kBytes && t != AvroType::kFixed) return;
      int64_t p = 0, s = 0;
      element x;
      if (obj["precision"].get(x) || x.get_int64().get(p)) return;
      if (!obj["scale"].get(x) && x.get_int64().get(s)) return;
      if (p <= 0 || s < 0 || s > p || p > 1000) return;
      if (t == AvroType::kFixed && p > max_decimal_precision_for_fixed(node->size)) return;
      node->logical = LogicalType::kDecimal;
      node->precision = static_cast<int>(p);
      node->scale = static_cast<int>(s);
    } else if (lt == "uuid") {
      set(LogicalType::kUuid,
          t == AvroType::kString || (t == AvroType::kFixed && node->size == 16));
    } else if (lt == "date") {
      set(LogicalType::kDate, t == AvroType::kInt);
    } else if (lt == "time-millis") {
      set(LogicalType::kTimeMillis, t == AvroType::kInt);
    } else if (lt == "time-micros") {
      set(LogicalType::kTimeMicros, t == AvroType::kLong);
    } else if (lt == "timestamp-millis") {
      set(LogicalType::kTimestampMillis, t == AvroType::kLong);
    } else if (lt == "timestamp-micros") {
      set(LogicalType::kTimestampMicros, t == AvroType::kLong);
    } else if (lt == "timestamp-nanos") {
      set(LogicalType::kTimestampNanos, t == AvroType::kLong);
    } else if (lt == "local-timestamp-millis") {
      set(LogicalType::kLocalTimestampMillis, t == AvroType::kLong);
    } else if (lt == "local-timestamp-micros") {
      set(LogicalType::kLocalTimestampMicros, t == AvroType::kLong);
    } else if (lt == "local-timestamp-nanos") {
      set(LogicalType::kLocalTimestampNanos, t == AvroType::kLong);
    } else if (lt == "duration") {
      set(LogicalType::kDuration, t == AvroType::kFixed && node->size == 12);
    } else if (lt == "map") {
      const AvroNode* rec = node->items;
      if (rec && rec->type == AvroType::kUnion && rec->nullable_branch())
        rec = rec->nullable_branch();
      set(LogicalType::kMap, t == AvroType::kArray && rec && rec->type == AvroType::kRecord &&
                                 rec->fields.size() == 2 && rec->fields[0].name == "key" &&
                                 rec->fields[1].name == "value");
    }
  }

  static void set_min_size(AvroNode* n) {
    switch (n->type) {
      case AvroType::kNull:
        n->min_size = 0;
        break;
      case AvroType::kFloat:
        n->min_size = 4;
        break;
      case AvroType::kDouble:
        n->min_size = 8;
        break;
      case AvroType::kFixed:
        n->min_size = n->size;
        break;
      case AvroType::kRecord: {
        int64_t s = 0;
        for (const auto& f : n->fields) s += f.type->min_size;  // recursive refs count as 0
        n->min_size = s;
        break;
      }
      case AvroType::kUnion:
        break;  // set by parse_union
      default:
        n->min_size = 1;
        break;
    }
  }
};

// ---- velo type mapping ------------------------------------------------------------------

DataType velo_type_rec(const AvroNode& n, std::vector<const AvroNode*>* stack);

DataType velo_type_rec(const AvroNode& n, std::vector<const AvroNode*>* stack) {
  switch (n.type) {
    case AvroType::kNull:
      return DataType::null();
    case AvroType::kBoolean:
      return DataType::boolean();
    case AvroType::kInt:
      if (n.logical == LogicalType::kDate) return DataType::date();
      if (n.logical == LogicalType::kTimeMillis) return DataType::int64();
      return DataType::int32();
    case AvroType::kLong:
      switch (n.logical) {
        case LogicalType::kTimestampMillis:
        case LogicalType::kTimestampMicros:
        case LogicalType::kTimestampNanos:
        case LogicalType::kLocalTimestampMillis:
        case LogicalType::kLocalTimestampMicros:
        case LogicalType::kLocalTimestampNanos:
          return DataType::timestamp();
        default:
          return DataType::int64();
      }
    case AvroType::kFloat:
    case AvroType::kDouble:
      return DataType::float64();
    case AvroType::kString:
    case AvroType::kEnum:
      return DataType::string();
    case AvroType::kBytes:
    case AvroType::kFixed:
      if (n.logical == LogicalType::kDecimal) {
        if (n.precision > decimal::kMaxPrecision)
          throw_not_supported("Avro decimal({}, {}) with precision above {}", n.precision, n.scale,
                              decimal::kMaxPrecision);
        return DataType::decimal(n.precision, n.scale);
      }
      if (n.logical == LogicalType::kUuid) return DataType::string();
      if (n.logical == LogicalType::kDuration) return DataType::interval();
      return DataType::bytes();
    case AvroType::kArray:
      if (n.logical == LogicalType::kMap) {
        const AvroNode* rec =
            n.items->type == AvroType::kUnion ? n.items->nullable_branch() : n.items;
        return DataType::map_of(velo_type_rec(*rec->fields[0].type, stack),
                                velo_type_rec(*rec->fields[1].type, stack));
      }
      return DataType::list_of(velo_type_rec(*n.items, stack));
    case AvroType::kMap:
      return DataType::map_of(DataType::string(), velo_type_rec(*n.items, stack));
    case AvroType::kRecord: {
      if (std::find(stack->begin(), stack->end(), &n) != stack->end())
        throw_not_supported("recursive Avro type '{}'", n.name);
      stack->push_back(&n);
      std::vector<Field> fields;
      for (const auto& f : n.fields)
        fields.push_back(Field{f.name, velo_type_rec(*f.type, stack), true});
      stack->pop_back();
      return DataType::struct_of(std::move(fields));
    }
    case AvroType::kUnion: {
      if (const AvroNode* b = n.nullable_branch()) return velo_type_rec(*b, stack);
      std::vector<const AvroNode*> members;
      for (auto* b : n.branches)
        if (b->type != AvroType::kNull) members.push_back(b);
      if (members.empty()) return DataType::null();
      if (members.size() == 1) return velo_type_rec(*members[0], stack);
      std::vector<std::string> names = union_member_names(n);
      std::vector<Field> fields;
      for (size_t i = 0; i < n.branches.size(); ++i) {
        if (n.branches[i]->type == AvroType::kNull) continue;
        fields.push_back(Field{names[i], velo_type_rec(*n.branches[i], stack), true});
      }
      return DataType::struct_of(std::move(fields));
    }
  }
  return DataType::null();
}

// ---- JSON output --------------------------------------------------------------------------

void append_json_string(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20)
          *out += fmt::format("\\u{:04x}", c);
        else
          out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

const char* logical_name(LogicalType l) {
  switch (l) {
    case LogicalType::kNone:
      return nullptr;
    case LogicalType::kDecimal:
      return "decimal";
    case LogicalType::kUuid:
      return "uuid";
    case LogicalType::kDate:
      return "date";
    case LogicalType::kTimeMillis:
      return "time-millis";
    case LogicalType::kTimeMicros:
      return "time-micros";
    case LogicalType::kTimestampMillis:
      return "timestamp-millis";
    case LogicalType::kTimestampMicros:
      return "timestamp-micros";
    case LogicalType::kTimestampNanos:
      return "timestamp-nanos";
    case LogicalType::kLocalTimestampMillis:
      return "local-timestamp-millis";
    case LogicalType::kLocalTimestampMicros:
      return "local-timestamp-micros";
    case LogicalType::kLocalTimestampNanos:
      return "local-timestamp-nanos";
    case LogicalType::kDuration:
      return "duration";
    case LogicalType::kMap:
      return "map";
  }
  return nullptr;
}

// canonical: Parsing Canonical Form (only name/type/fields/symbols/items/values/size, full
// names, no logical types or defaults, no whitespace).
void write_json(const AvroNode& n, bool canonical, std::set<const AvroNode*>* defined,
                std::string* out) {
  if (n.is_named() && defined->count(&n)) {
    append_json_string(out, n.name);
    return;
  }
  const char* lt = canonical ? nullptr : logical_name(n.logical);
  switch (n.type) {
    case AvroType::kNull:
    case AvroType::kBoolean:
    case AvroType::kInt:
    case AvroType::kLong:
    case AvroType::kFloat:
    case AvroType::kDouble:
    case AvroType::kBytes:
    case AvroType::kString:
      if (!lt) {
        append_json_string(out, avro_type_name(n.type));
        return;
      }
      *out += "{\"type\":";
      append_json_string(out, avro_type_name(n.type));
      break;
    case AvroType::kUnion:
      out->push_back('[');
      for (size_t i = 0; i < n.branches.size(); ++i) {
        if (i) out->push_back(',');
        write_json(*n.branches[i], canonical, defined, out);
      }
      out->push_back(']');
      return;
    case AvroType::kArray:
    case AvroType::kMap:
      *out += n.type == AvroType::kArray ? "{\"type\":\"array\",\"items\":"
                                         : "{\"type\":\"map\",\"values\":";
      write_json(*n.items, canonical, defined, out);
      break;
    case AvroType::kRecord:
    case AvroType::kEnum:
    case AvroType::kFixed: {
      defined->insert(&n);
      *out += "{\"name\":";
      append_json_string(out, n.name);
      *out += ",\"type\":";
      append_json_string(out, avro_type_name(n.type));
      if (n.type == AvroType::kRecord) {
        *out += ",\"fields\":[";
        for (size_t i = 0; i < n.fields.size(); ++i) {
          const AvroField& f = n.fields[i];
          if (i) out->push_back(',');
          *out += "{\"name\":";
          append_json_string(out, f.name);
          *out += ",\"type\":";
          write_json(*f.type, canonical, defined, out);
          if (!canonical && f.default_json) *out += ",\"default\":" + *f.default_json;
          if (!canonical && !f.aliases.empty()) {
            *out += ",\"aliases\":[";
            for (size_t k = 0; k < f.aliases.size(); ++k) {
              if (k) out->push_back(',');
              append_json_string(out, f.aliases[k]);
            }
            out->push_back(']');
          }
          out->push_back('}');
        }
        out->push_back(']');
      } else if (n.type == AvroType::kEnum) {
        *out += ",\"symbols\":[";
        for (size_t i = 0; i < n.symbols.size(); ++i) {
          if (i) out->push_back(',');
          append_json_string(out, n.symbols[i]);
        }
        out->push_back(']');
      } else {
        *out += fmt::format(",\"size\":{}", n.size);
      }
      break;
    }
  }
  if (lt) {
    *out += ",\"logicalType\":";
    append_json_string(out, lt);
    if (n.logical == LogicalType::kDecimal)
      *out += fmt::format(",\"precision\":{},\"scale\":{}", n.precision, n.scale);
  }
  out->push_back('}');
}

// ---- from_velo ----------------------------------------------------------------------------

std::string avro_safe_name(const std::string& name) {
  std::string s;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    s.push_back(ok ? c : '_');
  }
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) s = "_" + s;
  return s;
}

class VeloToAvro {
 public:
  std::vector<std::unique_ptr<AvroNode>> nodes;

  AvroNode* make(AvroType t) {
    nodes.push_back(std::make_unique<AvroNode>());
    nodes.back()->type = t;
    return nodes.back().get();
  }

  const AvroNode* record(const std::vector<Field>& fields, const std::string& full_name) {
    if (!used_names_.insert(full_name).second)
      return record(fields, full_name + "_" + std::to_string(++counter_));
    AvroNode* r = make(AvroType::kRecord);
    r->name = full_name;
    std::set<std::string> seen;
    for (const Field& f : fields) {
      std::string base = avro_safe_name(f.name), name = base;
      for (int k = 2; !seen.insert(name).second; ++k) name = base + "_" + std::to_string(k);
      AvroField af;
      af.name = name;
      const AvroNode* t = type(f.type, full_name + "_" + name);
      if (f.nullable && t->type != AvroType::kNull) {
        AvroNode* u = make(AvroType::kUnion);
        u->branches = {null_node(), t};
        u->null_branch = 0;
        u->min_size = 1;
        t = u;
        af.default_json = "null";
      }
      af.type = t;
      r->fields.push_back(std::move(af));
    }
    int64_t s = 0;
    for (auto& f : r->fields) s += f.type->min_size;
    r->min_size = s;
    return r;
  }

 private:
  std::set<std::string> used_names_;
  int counter_ = 0;

  const AvroNode* null_node() {
    AvroNode* n = make(AvroType::kNull);
    return n;
  }
  const AvroNode* prim(AvroType t, LogicalType l = LogicalType::kNone) {
    AvroNode* n = make(t);
    n->logical = l;
    n->min_size = t == AvroType::kNull     ? 0
                  : t == AvroType::kDouble ? 8
                  : t == AvroType::kFloat  ? 4
                                           : 1;
    return n;
  }

  const AvroNode* type(const DataType& t, const std::string& path) {
    switch (t.id()) {
      case TypeId::kNull:
        return prim(AvroType::kNull);
      case TypeId::kBoolean:
        return prim(AvroType::kBoolean);
      case TypeId::kInt32:
        return prim(AvroType::kInt);
      case TypeId::kInt64:
        return prim(AvroType::kLong);
      case TypeId::kDouble:
        return prim(AvroType::kDouble);
      case TypeId::kString:
        return prim(AvroType::kString);
      case TypeId::kBytes:
        return prim(AvroType::kBytes);
      case TypeId::kDate:
        return prim(AvroType::kInt, LogicalType::kDate);
      case TypeId::kTimestamp:
        return prim(AvroType::kLong, LogicalType::kTimestampMicros);
      case TypeId::kDecimal: {
        AvroNode* n = make(AvroType::kBytes);
        n->logical = LogicalType::kDecimal;
        n->precision = t.precision();
        n->scale = t.scale();
        n->min_size = 1;
        return n;
      }
      case TypeId::kInterval: {
        std::string name = path + "_duration";
        while (!used_names_.insert(name).second)
          name = path + "_duration_" + std::to_string(++counter_);
        AvroNode* n = make(AvroType::kFixed);
        n->name = name;
        n->size = 12;
        n->min_size = 12;
        n->logical = LogicalType::kDuration;
        return n;
      }
      case TypeId::kList: {
        AvroNode* n = make(AvroType::kArray);
        n->items = element(t.children()[0], path);
        n->min_size = 1;
        return n;
      }
      case TypeId::kMap: {
        const DataType& entries = t.children()[0].type;
        const Field& key = entries.children()[0];
        const Field& value = entries.children()[1];
        AvroNode* n;
        if (key.type.id() == TypeId::kString) {
          n = make(AvroType::kMap);
          n->items = element(value, path);
        } else {
          n = make(AvroType::kArray);
          n->items = record({Field{"key", key.type, false}, value}, path + "_entry");
          n->logical = LogicalType::kMap;
        }
        n->min_size = 1;
        return n;
      }
      case TypeId::kStruct:
        return record(t.children(), path);
    }
    throw_internal_error("no Avro type for {}", t.to_string());
  }

  // List elements / map values are nullable in velostream.
  const AvroNode* element(const Field& f, const std::string& path) {
    const AvroNode* t = type(f.type, path);
    if (t->type == AvroType::kNull) return t;
    AvroNode* u = make(AvroType::kUnion);
    u->branches = {null_node(), t};
    u->null_branch = 0;
    u->min_size = 1;
    return u;
  }
};

// CRC-64-AVRO.
uint64_t rabin64(std::string_view s) {
  static const auto table = [] {
    std::array<uint64_t, 256> t{};
    constexpr uint64_t kEmpty = 0xc15d213aa4d7a795ULL;
    for (int i = 0; i < 256; ++i) {
      uint64_t fp = i;
      for (int j = 0; j < 8; ++j) fp = (fp >> 1) ^ (kEmpty & -(fp & 1));
      t[i] = fp;
    }
    return t;
  }();
  uint64_t fp = 0xc15d213aa4d7a795ULL;
  for (unsigned char c : s) fp = (fp >> 8) ^ table[(fp ^ c) & 0xff];
  return fp;
}

}  // namespace

std::vector<std::string> union_member_names(const AvroNode& u) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const AvroNode* b : u.branches) {
    if (b->type == AvroType::kNull) {
      names.emplace_back();
      continue;
    }
    std::string base = b->is_named() ? b->short_name() : avro_type_name(b->type);
    std::string name = base;
    for (int k = 2; !seen.insert(name).second; ++k) name = base + "_" + std::to_string(k);
    names.push_back(std::move(name));
  }
  return names;
}

AvroSchema::AvroSchema(std::vector<std::unique_ptr<AvroNode>> nodes, const AvroNode* root)
    : nodes_(std::move(nodes)), root_(root) {}

std::shared_ptr<const AvroSchema> AvroSchema::parse(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element doc;
  if (auto err = parser.parse(padded).get(doc))
    throw Error(ErrorKind::kFormat, fmt::format("invalid Avro schema: not valid JSON ({})",
                                                simdjson::error_message(err)));
  Parser p;
  const AvroNode* root = p.parse(doc, "");
  return std::make_shared<AvroSchema>(std::move(p.nodes), root);
}

std::shared_ptr<const AvroSchema> AvroSchema::from_velo(const Schema& schema,
                                                        const std::string& record_name,
                                                        const std::string& ns) {
  VeloToAvro b;
  std::string full = ns.empty() ? record_name : ns + "." + record_name;
  if (!valid_full_name(full)) throw_user_error("invalid Avro record name '{}'", full);
  const AvroNode* root = b.record(schema.fields(), full);
  return std::make_shared<AvroSchema>(std::move(b.nodes), root);
}

std::string AvroSchema::to_json() const {
  std::string out;
  std::set<const AvroNode*> defined;
  write_json(*root_, false, &defined, &out);
  return out;
}

std::string AvroSchema::canonical_form() const {
  std::string out;
  std::set<const AvroNode*> defined;
  write_json(*root_, true, &defined, &out);
  return out;
}

uint64_t AvroSchema::fingerprint64() const { return rabin64(canonical_form()); }

SchemaPtr AvroSchema::velo_schema() const {
  std::vector<Field> fields;
  if (root_->type == AvroType::kRecord) {
    std::vector<const AvroNode*> stack{root_};
    for (const auto& f : root_->fields)
      fields.push_back(Field{f.name, velo_type_rec(*f.type, &stack), true});
  } else {
    fields.push_back(Field{kValueColumn, velo_type(*root_), true});
  }
  return std::make_shared<Schema>(std::move(fields));
}

DataType AvroSchema::velo_type(const AvroNode& node) {
  std::vector<const AvroNode*> stack;
  return velo_type_rec(node, &stack);
}

}  // namespace velo::avro
