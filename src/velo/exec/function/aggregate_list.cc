// Aggregates that collect values: STRING_AGG(x, sep) (LISTAGG, GROUP_CONCAT) and ARRAY_AGG(x)
// (LIST) -> LIST<T>. Values are appended in input order; partial states concatenate.

#include <memory>

#include "velo/exec/function/aggregate_values.h"

namespace velo::aggregate {
namespace {

// ---- STRING_AGG -----------------------------------------------------------------------------

struct Concat {
  std::string text;
  bool has = false;
};

void concat_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows,
                   const void* bind) {
  const auto& sep = *static_cast<const std::string*>(bind);
  const Column& c = *args[0].column;
  for_each_valid(args[0], rows, [&](size_t i, size_t r) {
    auto& s = state_of<Concat>(states[i]);
    if (s.has) s.text += sep;
    std::string_view v = c.string_at(r);
    s.text.append(v.data(), v.size());
    s.has = true;
  });
}

void concat_combine(uint8_t* target, const uint8_t* source, const void* bind) {
  auto& t = state_of<Concat>(target);
  const auto& s = state_of<Concat>(source);
  if (!s.has) return;
  if (t.has) t.text += *static_cast<const std::string*>(bind);
  t.text += s.text;
  t.has = true;
}

void concat_finalize(uint8_t** states, size_t n, Column* out, const void*) {
  for (size_t i = 0; i < n; ++i) {
    auto& s = state_of<Concat>(states[i]);
    if (s.has)
      out->append_string(s.text);
    else
      out->append_null();
  }
}

BoundAggregate bind_string_agg(const AggregateCall& call, const char* name) {
  if (call.star) throw_user_error("{}(*) is not valid", name);
  if (call.args.empty() || call.args.size() > 2)
    throw_user_error("{}(x [, separator]) takes one or two arguments", name);
  std::string sep = ",";
  std::vector<DataType> arg_types{DataType::string()};
  if (call.args.size() == 2) {
    const Value& v = constant_arg(call.args[1], name, "separator");
    if (!v.is_null()) {
      if (v.type().id() != TypeId::kString)
        throw_user_error("{}: the separator must be a string, got {}", name, v.type().to_string());
      sep = v.as_string();
    } else {
      sep.clear();
    }
    arg_types.push_back(DataType::null());  // constant, read at bind time: no cast
  }
  auto a = make_aggregate<Concat>(DataType::string(), arg_types);
  a.bind_state = std::make_shared<const std::string>(std::move(sep));
  a.update = &concat_update;
  a.combine = &concat_combine;
  a.finalize = &concat_finalize;
  return call.distinct ? make_distinct(std::move(a), DataType::string()) : a;
}

// ---- ARRAY_AGG ------------------------------------------------------------------------------

template <typename T>
struct Collected {
  ValueList<T> values;  // NULL elements hold a default value
  std::vector<uint8_t> valid;
  bool any = false;  // a row was seen (no rows -> NULL, not [])
};

template <typename T>
void collect_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows,
                    const void*) {
  const ArgVector& a = args[0];
  const Column& c = *a.column;
  for (size_t i = 0; i < rows; ++i) {
    auto& s = state_of<Collected<T>>(states[i]);
    s.any = true;
    if (a.is_null(i)) {
      s.values.push(T{});
      s.valid.push_back(0);
    } else {
      s.values.push(read<T>(c, a.index(i)));
      s.valid.push_back(1);
    }
  }
}

template <typename T>
void collect_combine(uint8_t* target, const uint8_t* source, const void*) {
  auto& t = state_of<Collected<T>>(target);
  const auto& s = state_of<Collected<T>>(source);
  t.values.append(s.values);
  t.valid.insert(t.valid.end(), s.valid.begin(), s.valid.end());
  t.any |= s.any;
}

template <typename T>
void collect_finalize(uint8_t** states, size_t n, Column* out, const void*) {
  Column& child = out->child(0);
  for (size_t i = 0; i < n; ++i) {
    auto& s = state_of<Collected<T>>(states[i]);
    if (!s.any) {
      out->append_null();
      continue;
    }
    for (size_t k = 0; k < s.valid.size(); ++k) {
      if (s.valid[k])
        write(&child, s.values.get(k));
      else
        child.append_null();
    }
    out->append_list_end();
  }
}

/// Nested elements (LIST<STRUCT ...>) go through the column slow path.
struct CollectedNested {
  ColumnPtr values;
};

struct NestedBind {
  DataType element;
};

void nested_init(uint8_t* p, const void* bind) {
  new (p) CollectedNested{Column::make(static_cast<const NestedBind*>(bind)->element)};
}

void nested_update(uint8_t** states, const std::vector<ArgVector>& args, size_t rows, const void*) {
  const ArgVector& a = args[0];
  for (size_t i = 0; i < rows; ++i)
    state_of<CollectedNested>(states[i]).values->append_from(*a.column, a.index(i));
}

void nested_combine(uint8_t* target, const uint8_t* source, const void*) {
  const Column& s = *state_of<CollectedNested>(source).values;
  Column& t = *state_of<CollectedNested>(target).values;
  for (size_t k = 0; k < s.size(); ++k) t.append_from(s, k);
}

void nested_finalize(uint8_t** states, size_t n, Column* out, const void*) {
  Column& child = out->child(0);
  for (size_t i = 0; i < n; ++i) {
    const Column& v = *state_of<CollectedNested>(states[i]).values;
    if (v.size() == 0) {
      out->append_null();
      continue;
    }
    for (size_t k = 0; k < v.size(); ++k) child.append_from(v, k);
    out->append_list_end();
  }
}

BoundAggregate bind_array_agg(const AggregateCall& call, const char* name) {
  if (call.star) throw_user_error("{}(*) is not valid", name);
  if (call.args.size() != 1) throw_user_error("{}() takes exactly one argument", name);
  DataType t = call.args[0].type.id() == TypeId::kNull ? DataType::int32() : call.args[0].type;
  DataType ret = DataType::list_of(t);
  if (!is_flat(t)) {
    if (call.distinct) throw_not_supported("{}(DISTINCT x) of {}", name, t.to_string());
    auto a = make_aggregate<CollectedNested>(ret, {t});
    a.bind_state = std::make_shared<const NestedBind>(NestedBind{t});
    a.init = &nested_init;
    a.update = &nested_update;
    a.combine = &nested_combine;
    a.finalize = &nested_finalize;
    return a;
  }
  BoundAggregate a = dispatch(t, name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto f = make_aggregate<Collected<T>>(ret, {t});
    f.update = &collect_update<T>;
    f.combine = &collect_combine<T>;
    f.finalize = &collect_finalize<T>;
    return f;
  });
  return call.distinct ? make_distinct(std::move(a), t) : a;
}

}  // namespace

void register_list_aggregates(FunctionRegistry& r) {
  for (const char* name : {"STRING_AGG", "LISTAGG", "GROUP_CONCAT"})
    r.add_aggregate(
        AggregateFunction{name, [name](const AggregateCall& c) { return bind_string_agg(c, name); },
                          "concatenation of the non-NULL strings with a separator (default ',')"});
  for (const char* name : {"ARRAY_AGG", "LIST"})
    r.add_aggregate(
        AggregateFunction{name, [name](const AggregateCall& c) { return bind_array_agg(c, name); },
                          "list of the values of the group, NULLs included"});
}

}  // namespace velo::aggregate
