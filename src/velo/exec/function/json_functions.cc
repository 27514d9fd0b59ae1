// JSON functions over STRING columns holding JSON text (parsed with simdjson, one reused parser
// per thread), plus `->` / `->>` on STRUCT and MAP values. Paths are parsed once at bind time
// when constant. Malformed JSON in a row is an error, as in DuckDB.
#include <memory>
#include <optional>

#include "velo/exec/function/function.h"
#include "velo/exec/function/json_path.h"
#include "velo/exec/function/json_writer.h"
#include "velo/exec/function/string_kernel.h"
#include "velo/exec/function/string_render.h"
#include "velo/exec/struct_access.h"
#include "velo/types/error.h"

namespace velo {

using fn::int_arg;
using fn::str_arg;

namespace {

inline bool any_null(const std::vector<ArgVector>& args, size_t i) {
  for (const auto& a : args)
    if (a.column->has_validity() && a.is_null(i)) return true;
  return false;
}

// ---- paths ----------------------------------------------------------------------------------

struct PathState {
  std::optional<JsonPath> path;  // set when the path argument is a constant
};

std::shared_ptr<PathState> bind_path_state(const std::vector<BindArg>& args, size_t index) {
  auto s = std::make_shared<PathState>();
  if (index >= args.size()) {
    s->path = JsonPath();
    return s;
  }
  const BindArg& p = args[index];
  if (p.constant && !p.constant->is_null()) {
    if (p.constant->type().id() == TypeId::kString)
      s->path = JsonPath::parse(p.constant->as_string());
    else if (p.constant->type().is_integer())
      s->path = JsonPath::index(p.constant->as_int());
  }
  return s;
}

DataType path_type(const DataType& t) { return t.is_integer() ? t : DataType::string(); }

// The path of row i: the bind-time one, or the last one parsed in this batch.
class PathCache {
 public:
  PathCache(const PathState& s, const std::vector<ArgVector>& args, size_t index)
      : state_(s), arg_(index < args.size() ? &args[index] : nullptr) {}
  const JsonPath& get(size_t i) {
    if (state_.path) return *state_.path;
    if (arg_->column->type().is_integer()) {
      int64_t index = int_arg(*arg_, i);
      if (!cached_ || index != cached_index_) {
        cached_ = JsonPath::index(index);
        cached_index_ = index;
      }
      return *cached_;
    }
    std::string_view text = str_arg(*arg_, i);
    if (!cached_ || cached_->text() != text) cached_ = JsonPath::parse(text);
    return *cached_;
  }

 private:
  const PathState& state_;
  const ArgVector* arg_;
  std::optional<JsonPath> cached_;
  int64_t cached_index_ = 0;
};

enum class Extract {
  kJson,    // JSON text of the element
  kString,  // strings unquoted, JSON null as SQL NULL, others as JSON text
  kScalar,  // like kString, but objects and arrays give NULL (JSON_VALUE)
};

template <Extract kMode>
void extract_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  PathCache paths(*static_cast<const PathState*>(ctx.state), args, 1);
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (any_null(args, i)) {
      out->append_null();
      continue;
    }
    simdjson::dom::element root = parse_json_or_throw(str_arg(args[0], i));
    simdjson::dom::element e;
    if (!paths.get(i).find(root, &e)) {
      out->append_null();
      continue;
    }
    using simdjson::dom::element_type;
    element_type t = e.type();
    if (kMode != Extract::kJson) {
      if (t == element_type::NULL_VALUE) {
        out->append_null();
        continue;
      }
      if (t == element_type::STRING) {
        out->append_string(std::string_view(e));
        continue;
      }
      if (kMode == Extract::kScalar && (t == element_type::OBJECT || t == element_type::ARRAY)) {
        out->append_null();
        continue;
      }
    }
    scratch.clear();
    append_json_element(e, &scratch);
    out->append_string(scratch);
  }
}

// ---- `->` / `->>` on STRUCT and MAP -----------------------------------------------------------

size_t struct_field_index(const DataType& t, const BindArg& key, const char* op) {
  if (!key.constant || key.constant->is_null() || key.constant->type().id() != TypeId::kString)
    throw_user_error("{} on a STRUCT needs a constant field name", op);
  const std::string& name = key.constant->as_string();
  const auto& fields = t.children();
  for (size_t f = 0; f < fields.size(); ++f)
    if (iequals(fields[f].name, name)) return f;
  std::string names;
  for (const auto& f : fields) names += (names.empty() ? "" : ", ") + f.name;
  throw_user_error("STRUCT has no field '{}' (fields: {})", name, names);
}

// `s ->> 'f'`: the field as text (strings unquoted, nested values as JSON).
void struct_field_text_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                              Column* out) {
  size_t field = *static_cast<const size_t*>(ctx.state);
  const Column& child = args[0].column->child(field);
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    size_t k = args[0].index(i);
    if (args[0].column->is_null(k) || child.is_null(k)) {
      out->append_null();
      continue;
    }
    scratch.clear();
    append_display_text(child, k, &scratch);
    out->append_string(scratch);
  }
}

// The entry of row i whose key equals the key argument, or -1.
int64_t map_find(const Column& map, size_t row, const ArgVector& key, size_t i) {
  const Column& keys = map.child(0).child(0);
  const int32_t* o = map.offsets();
  bool string_keys = keys.type().is_binary_like();
  for (int32_t k = o[row]; k < o[row + 1]; ++k) {
    if (keys.is_null(k)) continue;
    if (string_keys) {
      if (keys.string_at(k) == str_arg(key, i)) return k;
    } else {
      int64_t v =
          keys.type().id() == TypeId::kInt32 ? keys.value<int32_t>(k) : keys.value<int64_t>(k);
      if (v == int_arg(key, i)) return k;
    }
  }
  return -1;
}

template <bool kText>
void map_value_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const Column& map = *args[0].column;
  const Column& values = map.child(0).child(1);
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    size_t row = args[0].index(i);
    int64_t k = any_null(args, i) ? -1 : map_find(map, row, args[1], i);
    if (k < 0 || values.is_null(k)) {
      out->append_null();
    } else if (kText) {
      scratch.clear();
      append_display_text(values, k, &scratch);
      out->append_string(scratch);
    } else {
      out->append_from(values, k);
    }
  }
}

BoundScalar bind_arrow_nested(const std::vector<BindArg>& args, bool text) {
  const char* op = text ? "->>" : "->";
  const DataType& t = args[0].type;
  if (t.id() == TypeId::kStruct) {
    size_t field = struct_field_index(t, args[1], op);
    BoundScalar b;
    if (text) {
      b = fn::bound(DataType::string(), {t}, &struct_field_text_kernel);
      b.state = std::make_shared<const size_t>(field);
    } else {
      b = bind_struct_field(t, field);
    }
    return b;
  }
  // MAP
  const DataType& key_type = t.children()[0].type.children()[0].type;
  const DataType& value_type = t.children()[0].type.children()[1].type;
  DataType arg_key;
  if (key_type.is_binary_like())
    arg_key = key_type;
  else if (key_type.is_integer())
    arg_key = fn::integer_type(args[1].type);
  else
    throw_not_supported("{} on a MAP with {} keys", op, key_type.to_string());
  if (text) return fn::bound(DataType::string(), {t, arg_key}, &map_value_kernel<true>);
  return fn::bound(value_type, {t, arg_key}, &map_value_kernel<false>);
}

template <Extract kMode>
BoundScalar bind_extract_like(const char* name, const std::vector<BindArg>& args) {
  fn::check_arity(name, args, 2, 2, "json STRING, path STRING");
  if (args[0].type.id() == TypeId::kStruct || args[0].type.id() == TypeId::kMap)
    return bind_arrow_nested(args, kMode != Extract::kJson);
  BoundScalar b = fn::bound(DataType::string(), {DataType::string(), path_type(args[1].type)},
                            &extract_kernel<kMode>);
  b.state = bind_path_state(args, 1);
  return b;
}

// ---- JSON_ARRAY_LENGTH / JSON_TYPE / JSON_KEYS / JSON_VALID ------------------------------------

// Runs f(element) for rows whose path exists; rows with a missing path become NULL.
template <typename F>
void for_each_found(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out,
                    F&& f) {
  PathCache paths(*static_cast<const PathState*>(ctx.state), args, 1);
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (any_null(args, i)) {
      f(i, nullptr);
      continue;
    }
    simdjson::dom::element root = parse_json_or_throw(str_arg(args[0], i));
    simdjson::dom::element e;
    if (!paths.get(i).find(root, &e)) {
      f(i, nullptr);
      continue;
    }
    f(i, &e);
  }
}

void array_length_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                         Column* out) {
  int64_t* v = fn::fixed_output<int64_t>(out, ctx.rows);
  for_each_found(ctx, args, out, [&](size_t i, simdjson::dom::element* e) {
    if (!e) {
      v[i] = 0;
      out->set_null(i);
      return;
    }
    simdjson::dom::array arr;
    v[i] = e->get_array().get(arr) == simdjson::SUCCESS ? static_cast<int64_t>(arr.size()) : 0;
  });
}

const char* json_type_name(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT:
      return "OBJECT";
    case element_type::ARRAY:
      return "ARRAY";
    case element_type::STRING:
      return "VARCHAR";
    case element_type::INT64:
      return int64_t(e) < 0 ? "BIGINT" : "UBIGINT";
    case element_type::UINT64:
      return "UBIGINT";
    case element_type::DOUBLE:
      return "DOUBLE";
    case element_type::BOOL:
      return "BOOLEAN";
    case element_type::NULL_VALUE:
      return "NULL";
  }
  return "NULL";
}

void json_type_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  for_each_found(ctx, args, out, [&](size_t, simdjson::dom::element* e) {
    if (e)
      out->append_string(json_type_name(*e));
    else
      out->append_null();
  });
}

void json_keys_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  Column& keys = out->child(0);
  for_each_found(ctx, args, out, [&](size_t, simdjson::dom::element* e) {
    if (!e) {
      out->append_null();
      return;
    }
    simdjson::dom::object obj;
    if (e->get_object().get(obj) == simdjson::SUCCESS)
      for (auto field : obj) keys.append_string(field.key);
    out->append_list_end();
  });
}

template <typename Kernel>
BoundScalar bind_json_path_fn(const char* name, const std::vector<BindArg>& args, DataType ret,
                              Kernel kernel) {
  fn::check_arity(name, args, 1, 2, "json STRING[, path STRING]");
  std::vector<DataType> types = {DataType::string()};
  if (args.size() > 1) types.push_back(path_type(args[1].type));
  BoundScalar b = fn::bound(std::move(ret), std::move(types), kernel, /*propagates_nulls=*/false);
  b.state = bind_path_state(args, 1);
  return b;
}

void json_valid_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  uint8_t* v = fn::fixed_output<uint8_t>(out, ctx.rows);
  auto& parser = thread_json_parser();
  for (size_t i = 0; i < ctx.rows; ++i) {
    std::string_view s = str_arg(args[0], i);
    simdjson::dom::element e;
    v[i] = parser.parse(s.data(), s.size(), true).get(e) == simdjson::SUCCESS;
  }
}

// ---- JSON_OBJECT / JSON_ARRAY / TO_JSON --------------------------------------------------------

void json_object_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    scratch.assign("{");
    for (size_t k = 0; k + 1 < args.size(); k += 2) {
      if (args[k].is_null(i)) throw_user_error("JSON_OBJECT: a key is NULL");
      if (k) scratch.push_back(',');
      append_json_string(str_arg(args[k], i), &scratch);
      scratch.push_back(':');
      append_json_value(*args[k + 1].column, args[k + 1].index(i), &scratch);
    }
    scratch.push_back('}');
    out->append_string(scratch);
  }
}

void json_array_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    scratch.assign("[");
    for (size_t k = 0; k < args.size(); ++k) {
      if (k) scratch.push_back(',');
      append_json_value(*args[k].column, args[k].index(i), &scratch);
    }
    scratch.push_back(']');
    out->append_string(scratch);
  }
}

void to_json_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::string scratch;
  for (size_t i = 0; i < ctx.rows; ++i) {
    scratch.clear();
    append_json_value(*args[0].column, args[0].index(i), &scratch);
    out->append_string(scratch);
  }
}

// Argument types kept as they are (the writer renders every type); bare NULLs become STRING.
std::vector<DataType> value_types(const std::vector<BindArg>& args) {
  std::vector<DataType> types;
  for (const auto& a : args)
    types.push_back(a.type.id() == TypeId::kNull ? DataType::string() : a.type);
  return types;
}

BoundScalar bind_json_object(const std::vector<BindArg>& args) {
  if (args.size() % 2 != 0) fn::no_overload("JSON_OBJECT", args, "key STRING, value, ...");
  for (size_t k = 0; k < args.size(); k += 2)
    if (args[k].type.id() != TypeId::kString)
      throw_user_error("JSON_OBJECT: keys must be STRING, argument {} is {}", k + 1,
                       args[k].type.to_string());
  return fn::bound(DataType::string(), value_types(args), &json_object_kernel,
                   /*propagates_nulls=*/false);
}

}  // namespace

void register_json_functions(FunctionRegistry& r) {
  using fn::add_function;
  add_function(
      r, "->",
      [](const std::vector<BindArg>& args) {
        return bind_extract_like<Extract::kJson>("->", args);
      },
      "json -> key|index|path: the JSON text at the path; struct -> 'field': the field");
  add_function(
      r, "->>",
      [](const std::vector<BindArg>& args) {
        return bind_extract_like<Extract::kString>("->>", args);
      },
      "json ->> key|index|path: the value at the path as text (strings unquoted)");
  add_function(
      r, "JSON_EXTRACT",
      [](const std::vector<BindArg>& args) {
        return bind_extract_like<Extract::kJson>("JSON_EXTRACT", args);
      },
      "the JSON text at a path ('$.a.b[0]', '/a/b/0' or a key)");
  add_function(r, "JSON_EXTRACT_STRING",
               [](const std::vector<BindArg>& args) {
                 return bind_extract_like<Extract::kString>("JSON_EXTRACT_STRING", args);
               },
               "the value at a path as text (strings unquoted, JSON null as NULL)",
               {"JSON_EXTRACT_PATH_TEXT"});
  // JSON_VALUE follows the SQL standard (strings unquoted), unlike DuckDB's quoted JSON text.
  add_function(
      r, "JSON_VALUE",
      [](const std::vector<BindArg>& args) {
        return bind_extract_like<Extract::kScalar>("JSON_VALUE", args);
      },
      "the scalar at a path as text; NULL for objects and arrays");
  add_function(
      r, "JSON_ARRAY_LENGTH",
      [](const std::vector<BindArg>& args) {
        return bind_json_path_fn("JSON_ARRAY_LENGTH", args, DataType::int64(),
                                 &array_length_kernel);
      },
      "number of elements of a JSON array (0 for other values)");
  add_function(
      r, "JSON_TYPE",
      [](const std::vector<BindArg>& args) {
        return bind_json_path_fn("JSON_TYPE", args, DataType::string(), &json_type_kernel);
      },
      "OBJECT, ARRAY, VARCHAR, BIGINT, UBIGINT, DOUBLE, BOOLEAN or NULL");
  add_function(
      r, "JSON_KEYS",
      [](const std::vector<BindArg>& args) {
        return bind_json_path_fn("JSON_KEYS", args, DataType::list_of(DataType::string()),
                                 &json_keys_kernel);
      },
      "the keys of a JSON object as a list");
  add_function(
      r, "JSON_VALID",
      [](const std::vector<BindArg>& args) {
        fn::check_arity("JSON_VALID", args, 1, 1, "STRING");
        return fn::bound(DataType::boolean(), {DataType::string()}, &json_valid_kernel);
      },
      "true when the string is valid JSON");
  add_function(r, "JSON_OBJECT", &bind_json_object,
               "a JSON object of key/value pairs (values of any type)");
  add_function(
      r, "JSON_ARRAY",
      [](const std::vector<BindArg>& args) {
        return fn::bound(DataType::string(), value_types(args), &json_array_kernel,
                         /*propagates_nulls=*/false);
      },
      "a JSON array of values of any type");
  add_function(
      r, "TO_JSON",
      [](const std::vector<BindArg>& args) {
        fn::check_arity("TO_JSON", args, 1, 1, "value");
        return fn::bound(DataType::string(), value_types(args), &to_json_kernel);
      },
      "the JSON text of a value");
}

}  // namespace velo
