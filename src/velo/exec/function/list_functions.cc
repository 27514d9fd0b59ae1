// LIST and MAP functions: x[i] / ELEMENT_AT, ARRAY_LENGTH, LIST_CONTAINS, MAP_KEYS/MAP_VALUES.
// Element access computes a row selection over the child column and gathers it once per
// batch, so nested and flat element types share one vectorized path.

#include "velo/batch/batch.h"
#include "velo/exec/function/string_kernel.h"
#include "velo/exec/hash.h"

namespace velo {

namespace {

// Index of the selected element of every row in the list's child column, or -1 (NULL result).
void element_positions(const KernelContext& ctx, const ArgVector& list, const ArgVector& index,
                       std::vector<int64_t>* pos) {
  const int32_t* off = list.column->offsets();
  pos->assign(ctx.rows, -1);
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (list.is_null(i) || index.is_null(i)) continue;
    size_t r = list.index(i);
    int64_t len = off[r + 1] - off[r];
    int64_t k = fn::int_arg(index, i);
    // 1-based; negative counts from the end (DuckDB); 0 and out of range are NULL.
    int64_t at = k > 0 ? k - 1 : len + k;
    if (k == 0 || at < 0 || at >= len) continue;
    (*pos)[i] = off[r] + at;
  }
}

// Gathers child rows `pos` (or NULL where -1) into `out`.
void gather_positions(const Column& child, const std::vector<int64_t>& pos, Column* out) {
  std::vector<uint32_t> sel(pos.size(), 0);
  bool any = false;
  for (size_t i = 0; i < pos.size(); ++i)
    if (pos[i] >= 0) {
      sel[i] = static_cast<uint32_t>(pos[i]);
      any = true;
    }
  if (!any) {
    for (size_t i = 0; i < pos.size(); ++i) out->append_null();
    return;
  }
  ColumnPtr g = gather(child, sel.data(), sel.size());
  *out = std::move(*g);
  for (size_t i = 0; i < pos.size(); ++i)
    if (pos[i] < 0) out->set_null(i);
}

void element_at_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  std::vector<int64_t> pos;
  element_positions(ctx, args[0], args[1], &pos);
  gather_positions(args[0].column->child(0), pos, out);
}

// m[key]: the value of the first entry whose key equals `key`.
void map_value_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const Column& map = *args[0].column;
  const Column& entries = map.child(0);
  const Column& keys = entries.child(0);
  const int32_t* off = map.offsets();
  std::vector<int64_t> pos(ctx.rows, -1);
  uint8_t equal = 0;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (args[0].is_null(i) || args[1].is_null(i)) continue;
    size_t r = args[0].index(i);
    uint32_t probe = static_cast<uint32_t>(args[1].index(i));
    for (int32_t e = off[r]; e < off[r + 1]; ++e) {
      uint32_t at = static_cast<uint32_t>(e);
      equal = 1;
      compare_rows(keys, &at, *args[1].column, &probe, 1, &equal);
      if (equal && !keys.is_null(at)) {
        pos[i] = e;
        break;
      }
    }
  }
  gather_positions(entries.child(1), pos, out);
}

BoundScalar bind_element_at(const std::vector<BindArg>& args) {
  fn::check_arity("ELEMENT_AT", args, 2, 2, "LIST, INT64 | MAP, KEY");
  const DataType& t = args[0].type;
  if (t.id() == TypeId::kList)
    return fn::bound(t.children()[0].type, {t, fn::integer_type(args[1].type)}, &element_at_kernel);
  if (t.id() == TypeId::kMap) {
    const auto& kv = t.children()[0].type.children();
    return fn::bound(kv[1].type, {t, kv[0].type}, &map_value_kernel);
  }
  fn::no_overload("ELEMENT_AT", args, "LIST, INT64 | MAP, KEY");
}

void list_length_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const int32_t* off = args[0].column->offsets();
  out->resize(ctx.rows);
  int64_t* v = out->values<int64_t>();
  for (size_t i = 0; i < ctx.rows; ++i) {
    size_t r = args[0].index(i);
    v[i] = off[r + 1] - off[r];
  }
}

BoundScalar bind_list_length(const std::vector<BindArg>& args) {
  fn::check_arity("ARRAY_LENGTH", args, 1, 1, "LIST | MAP");
  if (args[0].type.id() != TypeId::kList && args[0].type.id() != TypeId::kMap)
    fn::no_overload("ARRAY_LENGTH", args, "LIST | MAP");
  return fn::bound(DataType::int64(), {args[0].type}, &list_length_kernel);
}

// LIST_CONTAINS(list, x): TRUE when an element equals x, FALSE otherwise (NULL elements never
// match), NULL when the list or x is NULL.
void list_contains_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args,
                          Column* out) {
  const Column& list = *args[0].column;
  const Column& elems = list.child(0);
  const int32_t* off = list.offsets();
  out->resize(ctx.rows);
  uint8_t* v = out->values<uint8_t>();
  for (size_t i = 0; i < ctx.rows; ++i) {
    v[i] = 0;
    if (args[0].is_null(i) || args[1].is_null(i)) continue;
    size_t r = args[0].index(i);
    uint32_t probe = static_cast<uint32_t>(args[1].index(i));
    for (int32_t e = off[r]; e < off[r + 1] && !v[i]; ++e) {
      uint32_t at = static_cast<uint32_t>(e);
      uint8_t equal = 1;
      compare_rows(elems, &at, *args[1].column, &probe, 1, &equal);
      v[i] = equal && !elems.is_null(at);
    }
  }
}

BoundScalar bind_list_contains(const std::vector<BindArg>& args) {
  fn::check_arity("LIST_CONTAINS", args, 2, 2, "LIST, ELEMENT");
  if (args[0].type.id() != TypeId::kList) fn::no_overload("LIST_CONTAINS", args, "LIST, ELEMENT");
  const DataType& element = args[0].type.children()[0].type;
  DataType probe;
  if (!common_super_type(element, args[1].type, &probe) || probe != element)
    probe = element;  // the probe is cast to the element type
  return fn::bound(DataType::boolean(), {args[0].type, probe}, &list_contains_kernel);
}

// MAP_KEYS / MAP_VALUES: the entries' key or value column as a LIST sharing the map's offsets.
template <int kField>
void map_part_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  const Column& map = *args[0].column;
  const Column& part = map.child(0).child(kField);
  const int32_t* off = map.offsets();
  Column& child = out->child(0);
  for (size_t i = 0; i < ctx.rows; ++i) {
    size_t r = args[0].index(i);
    for (int32_t e = off[r]; e < off[r + 1]; ++e) child.append_from(part, static_cast<size_t>(e));
    out->append_list_end();
  }
}

template <int kField>
BoundScalar bind_map_part(const std::vector<BindArg>& args) {
  const char* name = kField == 0 ? "MAP_KEYS" : "MAP_VALUES";
  fn::check_arity(name, args, 1, 1, "MAP");
  if (args[0].type.id() != TypeId::kMap) fn::no_overload(name, args, "MAP");
  const DataType& part = args[0].type.children()[0].type.children()[kField].type;
  return fn::bound(DataType::list_of(part), {args[0].type}, &map_part_kernel<kField>);
}

void add(FunctionRegistry& r, const char* name,
         std::function<BoundScalar(const std::vector<BindArg>&)> bind, const char* description,
         std::initializer_list<const char*> aliases = {}) {
  r.add_scalar(ScalarFunction{name, std::move(bind), description});
  for (const char* a : aliases) r.add_alias(a, name);
}

}  // namespace

void register_list_functions(FunctionRegistry& r) {
  add(r, "ELEMENT_AT", &bind_element_at,
      "x[i]: the i-th element of a list (1-based, negative from the end) or m[k]",
      {"LIST_EXTRACT", "LIST_ELEMENT", "ARRAY_EXTRACT"});
  add(r, "ARRAY_LENGTH", &bind_list_length, "number of elements of a list or entries of a map",
      {"LIST_LENGTH", "CARDINALITY", "ARRAY_SIZE"});
  add(r, "LIST_CONTAINS", &bind_list_contains, "TRUE when the list has an element equal to x",
      {"ARRAY_CONTAINS", "LIST_HAS", "ARRAY_HAS"});
  add(r, "MAP_KEYS", &bind_map_part<0>, "the keys of a map as a list");
  add(r, "MAP_VALUES", &bind_map_part<1>, "the values of a map as a list");
}

}  // namespace velo
