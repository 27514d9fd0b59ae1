#include "velo/types/value.h"

#include <fmt/format.h>

#include <cmath>

namespace velo {

namespace {
std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == std::floor(d) && std::fabs(d) < 1e15) return fmt::format("{:.1f}", d);
  return fmt::format("{}", d);
}

std::string hex_bytes(const std::string& s) {
  std::string out = "\\x";
  for (unsigned char c : s) out += fmt::format("{:02X}", c);
  return out;
}
}  // namespace

void append_json_string(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20) *out += fmt::format("\\u{:04x}", c);
        else out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

std::string Value::to_string() const {
  if (is_null()) return "NULL";
  switch (type_.id()) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return as_bool() ? "true" : "false";
    case TypeId::kInt32:
    case TypeId::kInt64: return std::to_string(as_int());
    case TypeId::kDouble: return format_double(as_double());
    case TypeId::kDecimal: return decimal::to_string(as_decimal(), type_.scale());
    case TypeId::kString: return as_string();
    case TypeId::kBytes: return hex_bytes(as_string());
    case TypeId::kDate: return temporal::format_date(static_cast<int32_t>(as_int()));
    case TypeId::kTimestamp: return temporal::format_timestamp(as_int());
    case TypeId::kInterval: return temporal::format_interval(as_interval());
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: return to_json();
  }
  return "?";
}

std::string Value::to_json() const {
  if (is_null()) return "null";
  std::string out;
  switch (type_.id()) {
    case TypeId::kBoolean:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDecimal: return to_string();
    case TypeId::kDouble: {
      double d = as_double();
      if (!std::isfinite(d)) return "null";
      return fmt::format("{}", d);
    }
    case TypeId::kDate:
      append_json_string(temporal::format_date(static_cast<int32_t>(as_int())), &out);
      return out;
    case TypeId::kTimestamp:
      append_json_string(temporal::format_timestamp_iso(as_int()), &out);
      return out;
    case TypeId::kStruct: {
      out = "{";
      const auto& fields = type_.children();
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ",";
        append_json_string(fields[i].name, &out);
        out += ":" + children()[i].to_json();
      }
      return out + "}";
    }
    case TypeId::kList: {
      out = "[";
      for (size_t i = 0; i < children().size(); ++i) {
        if (i) out += ",";
        out += children()[i].to_json();
      }
      return out + "]";
    }
    case TypeId::kMap: {
      out = "{";
      for (size_t i = 0; i < children().size(); ++i) {
        if (i) out += ",";
        const auto& kv = children()[i].children();
        append_json_string(kv[0].to_string(), &out);
        out += ":" + kv[1].to_json();
      }
      return out + "}";
    }
    default:
      append_json_string(to_string(), &out);
      return out;
  }
}

int Value::compare(const Value& o) const {
  if (is_null() || o.is_null()) return is_null() == o.is_null() ? 0 : (is_null() ? -1 : 1);
  auto sign = [](auto a, auto b) { return a < b ? -1 : (a > b ? 1 : 0); };
  TypeId a = type_.id(), b = o.type_.id();
  if (type_.is_numeric() && o.type_.is_numeric()) {
    if (a == TypeId::kDecimal && b == TypeId::kDecimal) {
      int s = std::max(type_.scale(), o.type_.scale());
      int128_t x, y;
      if (decimal::rescale(as_decimal(), type_.scale(), s, &x) &&
          decimal::rescale(o.as_decimal(), o.type_.scale(), s, &y))
        return sign(x, y);
    }
    if (type_.is_integer() && o.type_.is_integer()) return sign(as_int(), o.as_int());
    auto to_d = [](const Value& v) {
      switch (v.type_.id()) {
        case TypeId::kDouble: return v.as_double();
        case TypeId::kDecimal: return decimal::to_double(v.as_decimal(), v.type_.scale());
        default: return static_cast<double>(v.as_int());
      }
    };
    return sign(to_d(*this), to_d(o));
  }
  if (a == TypeId::kDate && b == TypeId::kTimestamp)
    return sign(as_int() * temporal::kMicrosPerDay, o.as_int());
  if (a == TypeId::kTimestamp && b == TypeId::kDate)
    return sign(as_int(), o.as_int() * temporal::kMicrosPerDay);
  if (a != b) return sign(static_cast<int>(a), static_cast<int>(b));
  switch (a) {
    case TypeId::kBoolean:
    case TypeId::kDate:
    case TypeId::kTimestamp: return sign(as_int(), o.as_int());
    case TypeId::kString:
    case TypeId::kBytes: return sign(as_string().compare(o.as_string()), 0);
    case TypeId::kInterval: {
      const auto &x = as_interval(), &y = o.as_interval();
      if (x.months != y.months) return sign(x.months, y.months);
      if (x.days != y.days) return sign(x.days, y.days);
      return sign(x.micros, y.micros);
    }
    default: {
      const auto &x = children(), &y = o.children();
      for (size_t i = 0; i < std::min(x.size(), y.size()); ++i)
        if (int c = x[i].compare(y[i])) return c;
      return sign(x.size(), y.size());
    }
  }
}

}  // namespace velo
