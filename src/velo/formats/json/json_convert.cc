#include "velo/formats/json/json_convert.h"

#include <cmath>
#include <cstring>

#include "velo/formats/json/json_text.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo::json {

namespace {
using simdjson::ondemand::json_type;

const char* json_type_name(json_type t) {
  switch (t) {
    case json_type::array:
      return "array";
    case json_type::object:
      return "object";
    case json_type::number:
      return "number";
    case json_type::string:
      return "string";
    case json_type::boolean:
      return "boolean";
    case json_type::null:
      return "null";
  }
  return "value";
}

[[noreturn]] void malformed(simdjson::error_code e) {
  throw_format_error("malformed JSON: {}", simdjson::error_message(e));
}

template <typename T>
T get_or_throw(simdjson::simdjson_result<T>&& r) {
  T v;
  if (auto e = std::move(r).get(v)) malformed(e);
  return v;
}

[[noreturn]] void mismatch(const Column& col, json_type t, std::string_view field) {
  throw_format_error("expected {} in field '{}', found a JSON {}", col.type().to_string(), field,
                     json_type_name(t));
}

[[noreturn]] void bad_text(const Column& col, std::string_view text, std::string_view field) {
  throw_format_error("expected {} in field '{}', found '{}'", col.type().to_string(), field,
                     text.substr(0, 100));
}

std::string_view trim_token(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

void append_minified(Column& col, std::string_view raw) {
  thread_local std::string scratch;
  if (scratch.size() < raw.size() + simdjson::SIMDJSON_PADDING)
    scratch.resize(raw.size() + simdjson::SIMDJSON_PADDING);
  size_t n = 0;
  if (simdjson::minify(raw.data(), raw.size(), scratch.data(), n) != simdjson::SUCCESS) {
    col.append_string(raw);
    return;
  }
  col.append_string(std::string_view(scratch.data(), n));
}

void append_string_as(Column& col, std::string_view text, std::string_view field) {
  text::CellKind kind = text::cell_kind(col.type());
  if (text.empty() && kind != text::CellKind::kString && kind != text::CellKind::kBytes) {
    col.append_null();  // "" for a number/date is what CSV-ish producers write for NULL
    return;
  }
  if (!text::append_cell(col, kind, text)) bad_text(col, text, field);
}

int find_field(const std::vector<Field>& fields, std::string_view key, size_t hint) {
  if (hint < fields.size() && fields[hint].name == key) return static_cast<int>(hint);
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == key) return static_cast<int>(i);
  for (size_t i = 0; i < fields.size(); ++i)
    if (iequals(fields[i].name, key)) return static_cast<int>(i);
  return -1;
}

void append_struct(Column& col, simdjson::ondemand::object obj) {
  const auto& fields = col.type().children();
  size_t n = fields.size();
  // Which fields this object set; small structs (the norm) use one word, no allocation.
  uint64_t small = 0;
  std::vector<bool> big;
  if (n > 64) big.assign(n, false);
  auto seen = [&](size_t i) { return n > 64 ? static_cast<bool>(big[i]) : ((small >> i) & 1); };
  auto mark = [&](size_t i) {
    if (n > 64)
      big[i] = true;
    else
      small |= uint64_t{1} << i;
  };
  size_t hint = 0;
  for (auto fr : obj) {
    simdjson::ondemand::field f = get_or_throw(std::move(fr));
    std::string_view key = get_or_throw(f.unescaped_key());
    int idx = find_field(fields, key, hint);
    if (idx < 0) continue;
    hint = idx + 1;
    if (seen(idx)) continue;
    mark(idx);
    append_value(col.child(idx), f.value(), fields[idx].name);
  }
  for (size_t i = 0; i < n; ++i)
    if (!seen(i)) col.child(i).append_null();
  col.append_struct_row();
}
}  // namespace

void append_value(Column& col, simdjson::ondemand::value v, std::string_view field) {
  json_type t = get_or_throw(v.type());
  if (t == json_type::null) {
    if (!get_or_throw(v.is_null())) malformed(simdjson::N_ATOM_ERROR);
    col.append_null();
    return;
  }
  switch (col.type().id()) {
    case TypeId::kString:
      switch (t) {
        case json_type::string:
          col.append_string(get_or_throw(v.get_string()));
          return;
        case json_type::boolean:
          col.append_string(get_or_throw(v.get_bool()) ? "true" : "false");
          return;
        case json_type::number:
          col.append_string(trim_token(v.raw_json_token()));
          return;
        case json_type::object:
          append_minified(col, get_or_throw(get_or_throw(v.get_object()).raw_json()));
          return;
        case json_type::array:
          append_minified(col, get_or_throw(get_or_throw(v.get_array()).raw_json()));
          return;
        default:
          mismatch(col, t, field);
      }
    case TypeId::kBytes:
      if (t != json_type::string) mismatch(col, t, field);
      col.append_string(get_or_throw(v.get_string()));
      return;
    case TypeId::kBoolean:
      if (t == json_type::boolean)
        col.append<uint8_t>(get_or_throw(v.get_bool()) ? 1 : 0);
      else if (t == json_type::string)
        append_string_as(col, get_or_throw(v.get_string()), field);
      else
        mismatch(col, t, field);
      return;
    case TypeId::kInt32:
    case TypeId::kInt64: {
      if (t == json_type::string) {
        append_string_as(col, get_or_throw(v.get_string()), field);
        return;
      }
      if (t != json_type::number) mismatch(col, t, field);
      std::string_view raw = trim_token(v.raw_json_token());
      int64_t i;
      if (!text::parse_int64(raw, &i)) {
        // 1.0 and 1e3 are integers too.
        double d;
        if (!text::parse_double(raw, &d) || d != std::floor(d) || std::fabs(d) > 9.2e18)
          bad_text(col, raw, field);
        i = static_cast<int64_t>(d);
      }
      if (col.type().id() == TypeId::kInt32) {
        if (i < INT32_MIN || i > INT32_MAX) bad_text(col, raw, field);
        col.append<int32_t>(static_cast<int32_t>(i));
      } else {
        col.append<int64_t>(i);
      }
      return;
    }
    case TypeId::kDouble: {
      if (t == json_type::string) {
        append_string_as(col, get_or_throw(v.get_string()), field);
        return;
      }
      if (t != json_type::number) mismatch(col, t, field);
      std::string_view raw = trim_token(v.raw_json_token());
      double d;
      if (!text::parse_double(raw, &d)) bad_text(col, raw, field);
      col.append<double>(d);
      return;
    }
    case TypeId::kDecimal: {
      if (t == json_type::string) {
        append_string_as(col, get_or_throw(v.get_string()), field);
        return;
      }
      if (t != json_type::number) mismatch(col, t, field);
      std::string_view raw = trim_token(v.raw_json_token());
      int128_t d;
      if (!text::parse_decimal(raw, col.type().precision(), col.type().scale(), &d))
        throw_format_error("value {} in field '{}' does not fit {}", raw.substr(0, 100), field,
                           col.type().to_string());
      col.append<int128_t>(d);
      return;
    }
    case TypeId::kTimestamp:
      if (t == json_type::number) {
        // Epoch milliseconds: the usual numeric spelling of a timestamp in messages.
        std::string_view raw = trim_token(v.raw_json_token());
        int64_t ms;
        // Beyond +-292,000 years in micros the product overflows: reject rather than wrap.
        if (!text::parse_int64(raw, &ms) || ms > INT64_MAX / 1000 || ms < INT64_MIN / 1000)
          bad_text(col, raw, field);
        col.append<int64_t>(ms * 1000);
        return;
      }
      [[fallthrough]];
    case TypeId::kDate:
    case TypeId::kInterval:
      if (t != json_type::string) mismatch(col, t, field);
      append_string_as(col, get_or_throw(v.get_string()), field);
      return;
    case TypeId::kStruct:
      if (t != json_type::object) mismatch(col, t, field);
      append_struct(col, get_or_throw(v.get_object()));
      return;
    case TypeId::kList: {
      if (t != json_type::array) mismatch(col, t, field);
      simdjson::ondemand::array arr = get_or_throw(v.get_array());
      Column& child = col.child(0);
      for (auto er : arr) append_value(child, get_or_throw(std::move(er)), field);
      col.append_list_end();
      return;
    }
    case TypeId::kMap: {
      if (t != json_type::object) mismatch(col, t, field);
      simdjson::ondemand::object obj = get_or_throw(v.get_object());
      Column& entries = col.child(0);
      Column& keys = entries.child(0);
      text::CellKind key_kind = text::cell_kind(keys.type());
      for (auto fr : obj) {
        simdjson::ondemand::field f = get_or_throw(std::move(fr));
        std::string_view key = get_or_throw(f.unescaped_key());
        if (!text::append_cell(keys, key_kind, key)) bad_text(keys, key, field);
        append_value(entries.child(1), f.value(), field);
        entries.append_struct_row();
      }
      col.append_list_end();
      return;
    }
    case TypeId::kNull:
      col.append_null();
      return;
  }
}

// ---- ObjectMapper ---------------------------------------------------------------------------

ObjectMapper::ObjectMapper(const Schema& schema, std::vector<int> targets)
    : targets_(std::move(targets)) {
  for (const auto& f : schema.fields()) names_.push_back(f.name);
  targets_.resize(names_.size(), -1);
  seen_.assign(names_.size(), 0);
}

int ObjectMapper::find(std::string_view key, size_t hint) const {
  if (hint < names_.size() && names_[hint] == key) return static_cast<int>(hint);
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == key) return static_cast<int>(i);
  for (size_t i = 0; i < names_.size(); ++i)
    if (iequals(names_[i], key)) return static_cast<int>(i);
  return -1;
}

void ObjectMapper::append(simdjson::ondemand::object obj, Column* const* columns) {
  uint64_t gen = ++generation_;
  size_t hint = 0;
  for (auto fr : obj) {
    simdjson::ondemand::field f = get_or_throw(std::move(fr));
    std::string_view key = get_or_throw(f.unescaped_key());
    int idx = find(key, hint);
    if (idx < 0) continue;  // members the schema does not name are ignored
    hint = idx + 1;
    if (targets_[idx] < 0 || seen_[idx] == gen) continue;
    seen_[idx] = gen;
    append_value(*columns[targets_[idx]], f.value(), names_[idx]);
  }
  for (size_t i = 0; i < names_.size(); ++i)
    if (targets_[i] >= 0 && seen_[i] != gen) columns[targets_[i]]->append_null();
}

void append_object_document(simdjson::ondemand::parser& parser, const char* data, size_t len,
                            size_t capacity, ObjectMapper& mapper, Column* const* columns) {
  simdjson::ondemand::document doc = get_or_throw(parser.iterate(data, len, capacity));
  simdjson::ondemand::object obj;
  if (auto e = doc.get_object().get(obj)) {
    if (e != simdjson::INCORRECT_TYPE) malformed(e);
    json_type t;
    if (doc.type().get(t)) malformed(e);
    throw_format_error("expected a JSON object, found a JSON {}", json_type_name(t));
  }
  mapper.append(obj, columns);
  const char* rest;
  if (!doc.current_location().get(rest))
    throw_format_error("unexpected '{}' after the JSON object", std::string_view(rest, 1));
}

// ---- text <-> JSON --------------------------------------------------------------------------

bool append_json_text(Column& col, std::string_view text) {
  thread_local simdjson::ondemand::parser parser;
  thread_local std::string padded;
  size_t i = skip_json_blanks(text);
  if (i == text.size()) return false;
  padded.assign(text.data(), text.size());
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING, ' ');
  size_t rows = col.size();
  try {
    simdjson::ondemand::document doc =
        get_or_throw(parser.iterate(padded.data(), text.size(), padded.size()));
    if (text[i] != '{' && text[i] != '[') {
      // Scalar roots cannot become ondemand values; only NULL fits a nested column anyway.
      if (get_or_throw(doc.is_null())) {
        col.append_null();
        return true;
      }
      return false;
    }
    append_value(col, get_or_throw(doc.get_value()), "");
    const char* rest;
    if (!doc.current_location().get(rest)) {
      text::truncate_column(col, rows);
      return false;
    }
    return true;
  } catch (const Error&) {
    text::truncate_column(col, rows);
    return false;
  }
}

void append_json_cell(const Column& col, size_t row, std::string* out) {
  if (col.is_null(row)) {
    out->append("null");
    return;
  }
  switch (col.type().id()) {
    case TypeId::kNull:
      out->append("null");
      return;
    case TypeId::kBoolean:
      out->append(col.value<uint8_t>(row) ? "true" : "false");
      return;
    case TypeId::kInt32:
      text::append_int(col.value<int32_t>(row), out);
      return;
    case TypeId::kInt64:
      text::append_int(col.value<int64_t>(row), out);
      return;
    case TypeId::kDouble: {
      double d = col.value<double>(row);
      if (!std::isfinite(d))
        out->append("null");
      else
        text::append_double(d, out);
      return;
    }
    case TypeId::kDecimal:
      text::append_decimal(col.value<int128_t>(row), col.type().scale(), out);
      return;
    case TypeId::kString:
      append_json_string(col.string_at(row), out);
      return;
    case TypeId::kDate:
      out->push_back('"');
      text::append_date(col.value<int32_t>(row), out);
      out->push_back('"');
      return;
    case TypeId::kTimestamp:
      out->push_back('"');
      text::append_timestamp(col.value<int64_t>(row), out);
      out->push_back('"');
      return;
    case TypeId::kBytes:
    case TypeId::kInterval:
      append_json_string(col.value_at(row).to_string(), out);
      return;
    case TypeId::kStruct: {
      const auto& fields = col.type().children();
      out->push_back('{');
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out->push_back(',');
        append_json_string(fields[i].name, out);
        out->push_back(':');
        append_json_cell(col.child(i), row, out);
      }
      out->push_back('}');
      return;
    }
    case TypeId::kList: {
      const int32_t* o = col.offsets();
      out->push_back('[');
      for (int32_t i = o[row]; i < o[row + 1]; ++i) {
        if (i > o[row]) out->push_back(',');
        append_json_cell(col.child(0), i, out);
      }
      out->push_back(']');
      return;
    }
    case TypeId::kMap: {
      const int32_t* o = col.offsets();
      const Column& entries = col.child(0);
      const Column& keys = entries.child(0);
      out->push_back('{');
      for (int32_t i = o[row]; i < o[row + 1]; ++i) {
        if (i > o[row]) out->push_back(',');
        if (keys.type().id() == TypeId::kString)
          append_json_string(keys.string_at(i), out);
        else
          append_json_string(keys.value_at(i).to_string(), out);
        out->push_back(':');
        append_json_cell(entries.child(1), i, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace velo::json
