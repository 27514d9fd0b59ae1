#include "velo/exec/function/json_writer.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>

#include "velo/exec/function/string_render.h"
#include "velo/types/decimal.h"
#include "velo/types/value.h"

namespace velo {

void append_json_double(double d, std::string* out) {
  if (std::isnan(d)) {
    *out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    *out += d > 0 ? "Infinity" : "-Infinity";
    return;
  }
  // Shortest round-trip digits and decimal exponent, then yyjson's layout: plain notation for
  // exponents in [-6, 21), scientific otherwise.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string_view sci(buf, res.ptr - buf);
  bool neg = sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c != '.') digits.push_back(c);
  int exp = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (neg) out->push_back('-');
  int n = static_cast<int>(digits.size());
  if (exp >= 21 || exp < -6) {
    out->push_back(digits[0]);
    if (n > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    fmt::format_to(std::back_inserter(*out), "e{}", exp);
    return;
  }
  if (exp < 0) {
    *out += "0.";
    out->append(static_cast<size_t>(-exp - 1), '0');
    *out += digits;
    return;
  }
  if (n <= exp + 1) {
    *out += digits;
    out->append(static_cast<size_t>(exp + 1 - n), '0');
    *out += ".0";
    return;
  }
  out->append(digits, 0, exp + 1);
  out->push_back('.');
  out->append(digits, exp + 1, std::string::npos);
}

void append_json_element(simdjson::dom::element e, std::string* out) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      for (auto field : simdjson::dom::object(e)) {
        if (!first) out->push_back(',');
        first = false;
        append_json_string(field.key, out);
        out->push_back(':');
        append_json_element(field.value, out);
      }
      out->push_back('}');
      return;
    }
    case element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      for (auto v : simdjson::dom::array(e)) {
        if (!first) out->push_back(',');
        first = false;
        append_json_element(v, out);
      }
      out->push_back(']');
      return;
    }
    case element_type::STRING:
      append_json_string(std::string_view(e), out);
      return;
    case element_type::INT64:
      fmt::format_to(std::back_inserter(*out), "{}", int64_t(e));
      return;
    case element_type::UINT64:
      fmt::format_to(std::back_inserter(*out), "{}", uint64_t(e));
      return;
    case element_type::DOUBLE:
      append_json_double(double(e), out);
      return;
    case element_type::BOOL:
      *out += bool(e) ? "true" : "false";
      return;
    case element_type::NULL_VALUE:
      *out += "null";
      return;
  }
}

void append_json_value(const Column& c, size_t i, std::string* out) {
  if (c.is_null(i)) {
    *out += "null";
    return;
  }
  switch (c.type().id()) {
    case TypeId::kNull:
      *out += "null";
      return;
    case TypeId::kBoolean:
      *out += c.value<uint8_t>(i) ? "true" : "false";
      return;
    case TypeId::kInt32:
      fmt::format_to(std::back_inserter(*out), "{}", c.value<int32_t>(i));
      return;
    case TypeId::kInt64:
      fmt::format_to(std::back_inserter(*out), "{}", c.value<int64_t>(i));
      return;
    case TypeId::kDouble:
      append_json_double(c.value<double>(i), out);
      return;
    case TypeId::kDecimal:
      *out += decimal::to_string(c.value<int128_t>(i), c.type().scale());
      return;
    case TypeId::kString:
      append_json_string(c.string_at(i), out);
      return;
    case TypeId::kDate: {
      out->push_back('"');
      append_date_text(c.value<int32_t>(i), out);
      out->push_back('"');
      return;
    }
    case TypeId::kTimestamp: {
      out->push_back('"');
      append_timestamp_text(c.value<int64_t>(i), out);
      out->push_back('"');
      return;
    }
    case TypeId::kBytes:
    case TypeId::kInterval:
      append_json_string(c.value_at(i).to_string(), out);
      return;
    case TypeId::kStruct: {
      out->push_back('{');
      const auto& fields = c.type().children();
      for (size_t f = 0; f < fields.size(); ++f) {
        if (f) out->push_back(',');
        append_json_string(fields[f].name, out);
        out->push_back(':');
        append_json_value(c.child(f), i, out);
      }
      out->push_back('}');
      return;
    }
    case TypeId::kList: {
      out->push_back('[');
      const int32_t* o = c.offsets();
      for (int32_t k = o[i]; k < o[i + 1]; ++k) {
        if (k > o[i]) out->push_back(',');
        append_json_value(c.child(0), k, out);
      }
      out->push_back(']');
      return;
    }
    case TypeId::kMap: {
      out->push_back('{');
      const int32_t* o = c.offsets();
      const Column& entries = c.child(0);
      std::string key;
      for (int32_t k = o[i]; k < o[i + 1]; ++k) {
        if (k > o[i]) out->push_back(',');
        key.clear();
        if (entries.child(0).is_null(k))
          key = "null";
        else
          append_display_text(entries.child(0), k, &key);
        append_json_string(key, out);
        out->push_back(':');
        append_json_value(entries.child(1), k, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace velo
