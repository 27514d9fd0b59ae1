#include "velo/connectors/kafka/message_codec.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "velo/formats/json/json_row_decoder.h"
#include "velo/types/error.h"

namespace velo::kafka {

MessageFormat parse_message_format(const std::string& name, const std::string& option) {
  std::string n = Options::lower(name);
  if (n == "json" || n == "jsonl") return MessageFormat::kJson;
  if (n == "csv") return MessageFormat::kCsv;
  if (n == "raw" || n == "string" || n == "text") return MessageFormat::kString;
  if (n == "bytes" || n == "binary") return MessageFormat::kBytes;
  if (n == "avro") return MessageFormat::kAvro;
  if (n == "protobuf" || n == "proto") return MessageFormat::kProtobuf;
  throw_user_error("unknown kafka {} '{}' (known: json, avro, protobuf, csv, raw, string, bytes)",
                   option, name);
}

// ---- rollback -----------------------------------------------------------------------------

void truncate_columns(std::vector<ColumnPtr>& columns, size_t rows) {
  for (auto& c : columns) c->truncate(rows);
}

// ---- text cells -----------------------------------------------------------------------------

namespace {
void append_json_value(Column& col, simdjson::dom::element e, std::string_view field);

[[noreturn]] void bad_text(const Column& col, std::string_view text) {
  throw_format_error("'{}' is not a valid {}", text.substr(0, 100), col.type().to_string());
}

template <typename T>
void append_integer(Column& col, std::string_view text) {
  int64_t v = 0;
  std::string_view t = text;
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || v < std::numeric_limits<T>::min() ||
      v > std::numeric_limits<T>::max())
    bad_text(col, text);
  col.append<T>(static_cast<T>(v));
}
}  // namespace

void append_text(Column& col, std::string_view text) {
  const DataType& type = col.type();
  if (text.empty() && type.id() != TypeId::kString && type.id() != TypeId::kBytes) {
    col.append_null();
    return;
  }
  switch (type.id()) {
    case TypeId::kString:
    case TypeId::kBytes:
      col.append_string(text);
      return;
    case TypeId::kBoolean: {
      if (iequals(text, "true") || text == "1" || iequals(text, "t"))
        col.append<uint8_t>(1);
      else if (iequals(text, "false") || text == "0" || iequals(text, "f"))
        col.append<uint8_t>(0);
      else
        bad_text(col, text);
      return;
    }
    case TypeId::kInt32:
      append_integer<int32_t>(col, text);
      return;
    case TypeId::kInt64:
      append_integer<int64_t>(col, text);
      return;
    case TypeId::kDouble: {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || p != text.data() + text.size()) bad_text(col, text);
      col.append<double>(d);
      return;
    }
    case TypeId::kDecimal: {
      int128_t v;
      if (!decimal::parse(text, type.precision(), type.scale(), &v)) bad_text(col, text);
      col.append<int128_t>(v);
      return;
    }
    case TypeId::kDate: {
      int32_t d;
      if (!temporal::parse_date(text, &d)) bad_text(col, text);
      col.append<int32_t>(d);
      return;
    }
    case TypeId::kTimestamp: {
      int64_t ts;
      if (!temporal::parse_timestamp(text, &ts)) bad_text(col, text);
      col.append<int64_t>(ts);
      return;
    }
    case TypeId::kInterval: {
      Interval iv;
      if (!temporal::parse_interval(text, &iv)) bad_text(col, text);
      col.append<Interval>(iv);
      return;
    }
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: {
      thread_local simdjson::dom::parser parser;
      simdjson::dom::element e;
      if (parser.parse(text.data(), text.size()).get(e)) bad_text(col, text);
      append_json_value(col, e, "");
      return;
    }
    case TypeId::kNull:
      col.append_null();
      return;
  }
}

// ---- JSON (fallback until formats/json lands; same behaviour as far as this connector needs) --

namespace {

const char* json_type_name(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return "integer";
    case simdjson::dom::element_type::DOUBLE:
      return "number";
    case simdjson::dom::element_type::STRING:
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    default:
      return "null";
  }
}

[[noreturn]] void json_mismatch(const Column& col, simdjson::dom::element e,
                                std::string_view field) {
  throw_format_error("field '{}': expected {}, got JSON {}", field, col.type().to_string(),
                     json_type_name(e.type()));
}

void append_json_value(Column& col, simdjson::dom::element e, std::string_view field) {
  using T = simdjson::dom::element_type;
  T t = e.type();
  if (t == T::NULL_VALUE) {
    col.append_null();
    return;
  }
  switch (col.type().id()) {
    case TypeId::kString:
      if (t == T::STRING)
        col.append_string(std::string_view(e.get_string().value_unsafe()));
      else
        col.append_string(simdjson::minify(e));
      return;
    case TypeId::kBytes:
      if (t != T::STRING) json_mismatch(col, e, field);
      col.append_string(std::string_view(e.get_string().value_unsafe()));
      return;
    case TypeId::kBoolean:
      if (t == T::BOOL)
        col.append<uint8_t>(e.get_bool().value_unsafe() ? 1 : 0);
      else if (t == T::STRING)
        append_text(col, e.get_string().value_unsafe());
      else
        json_mismatch(col, e, field);
      return;
    case TypeId::kInt32:
    case TypeId::kInt64: {
      int64_t v;
      if (t == T::INT64)
        v = e.get_int64().value_unsafe();
      else if (t == T::UINT64 || t == T::DOUBLE) {
        if (e.get_int64().get(v)) {
          double d;
          if (e.get_double().get(d) || d != std::floor(d) || std::fabs(d) > 9.2e18)
            json_mismatch(col, e, field);
          v = static_cast<int64_t>(d);
        }
      } else if (t == T::STRING) {
        append_text(col, e.get_string().value_unsafe());
        return;
      } else {
        json_mismatch(col, e, field);
      }
      if (col.type().id() == TypeId::kInt32) {
        if (v < INT32_MIN || v > INT32_MAX)
          throw_format_error("field '{}': {} does not fit INT32", field, v);
        col.append<int32_t>(static_cast<int32_t>(v));
      } else {
        col.append<int64_t>(v);
      }
      return;
    }
    case TypeId::kDouble: {
      double d;
      if (t == T::STRING) {
        append_text(col, e.get_string().value_unsafe());
        return;
      }
      if (e.get_double().get(d)) json_mismatch(col, e, field);
      col.append<double>(d);
      return;
    }
    case TypeId::kDecimal: {
      int128_t v;
      const DataType& dt = col.type();
      if (t == T::STRING) {
        append_text(col, e.get_string().value_unsafe());
        return;
      }
      if (t == T::INT64) {
        if (!decimal::rescale(e.get_int64().value_unsafe(), 0, dt.scale(), &v) ||
            decimal::digits(v) > dt.precision())
          throw_format_error("field '{}': value does not fit {}", field, dt.to_string());
      } else if (t == T::UINT64 || t == T::DOUBLE) {
        // simdjson's DOM keeps no number text, so go through the shortest round-trip spelling.
        double d;
        if (e.get_double().get(d)) json_mismatch(col, e, field);
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof(buf), d);
        if (!decimal::parse(std::string_view(buf, r.ptr - buf), dt.precision(), dt.scale(), &v))
          throw_format_error("field '{}': value does not fit {}", field, dt.to_string());
      } else {
        json_mismatch(col, e, field);
      }
      col.append<int128_t>(v);
      return;
    }
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kInterval:
      if (t == T::STRING) {
        append_text(col, e.get_string().value_unsafe());
      } else if (col.type().id() == TypeId::kTimestamp && (t == T::INT64 || t == T::UINT64)) {
        // Epoch milliseconds, the common Kafka spelling of a timestamp.
        col.append<int64_t>(e.get_int64().value_unsafe() * 1000);
      } else {
        json_mismatch(col, e, field);
      }
      return;
    case TypeId::kStruct: {
      if (t != T::OBJECT) json_mismatch(col, e, field);
      simdjson::dom::object obj;
      if (e.get_object().get(obj)) throw_format_error("malformed JSON");
      const auto& fields = col.type().children();
      for (size_t i = 0; i < fields.size(); ++i) {
        simdjson::dom::element v;
        if (obj.at_key(fields[i].name).get(v))
          col.child(i).append_null();
        else
          append_json_value(col.child(i), v, fields[i].name);
      }
      col.append_struct_row();
      return;
    }
    case TypeId::kList: {
      if (t != T::ARRAY) json_mismatch(col, e, field);
      simdjson::dom::array arr;
      if (e.get_array().get(arr)) throw_format_error("malformed JSON");
      for (auto item : arr) append_json_value(col.child(0), item, field);
      col.append_list_end();
      return;
    }
    case TypeId::kMap: {
      if (t != T::OBJECT) json_mismatch(col, e, field);
      Column& entries = col.child(0);
      simdjson::dom::object obj;
      if (e.get_object().get(obj)) throw_format_error("malformed JSON");
      for (auto [k, v] : obj) {
        append_text(entries.child(0), k);
        append_json_value(entries.child(1), v, field);
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

class JsonDecoder : public MessageDecoder {
 public:
  explicit JsonDecoder(SchemaPtr schema) : decoder_(std::move(schema)) {}
  void append(std::string_view payload, std::vector<ColumnPtr>& columns) override {
    decoder_.append_row(payload, columns);
  }

 private:
  JsonRowDecoder decoder_;
};
SchemaPtr infer_json(const std::vector<std::string_view>& samples) {
  return infer_json_schema(samples);
}

// ---- csv, string, bytes ----------------------------------------------------------------------

/// Splits one CSV line into fields (RFC 4180 quotes), reusing `fields`/`scratch`.
void split_csv(std::string_view line, char delim, std::vector<std::string_view>* fields,
               std::string* scratch) {
  fields->clear();
  scratch->clear();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  bool any_quote = line.find('"') != std::string_view::npos;
  if (!any_quote) {
    size_t start = 0;
    while (true) {
      size_t p = line.find(delim, start);
      if (p == std::string_view::npos) {
        fields->push_back(line.substr(start));
        return;
      }
      fields->push_back(line.substr(start, p - start));
      start = p + 1;
    }
  }
  // Quoted fields: unescape into scratch, then point the views into it.
  scratch->reserve(line.size());
  std::vector<std::pair<size_t, size_t>> spans;
  size_t i = 0;
  while (true) {
    size_t begin = scratch->size();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) throw_format_error("unterminated quoted CSV field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            scratch->push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        scratch->push_back(line[i++]);
      }
    } else {
      while (i < line.size() && line[i] != delim) scratch->push_back(line[i++]);
    }
    spans.emplace_back(begin, scratch->size() - begin);
    if (i >= line.size()) break;
    if (line[i] != delim) throw_format_error("unexpected text after a quoted CSV field");
    ++i;
  }
  for (auto [b, n] : spans) fields->push_back(std::string_view(*scratch).substr(b, n));
}

class CsvDecoder : public MessageDecoder {
 public:
  CsvDecoder(SchemaPtr schema, char delim) : schema_(std::move(schema)), delim_(delim) {}
  void append(std::string_view payload, std::vector<ColumnPtr>& columns) override {
    split_csv(payload, delim_, &fields_, &scratch_);
    if (fields_.size() != schema_->size())
      throw_format_error("CSV message has {} fields, the schema has {} columns", fields_.size(),
                         schema_->size());
    for (size_t i = 0; i < fields_.size(); ++i) {
      try {
        append_text(*columns[i], fields_[i]);
      } catch (const Error& e) {
        throw_format_error("column '{}': {}", schema_->field(i).name, e.message());
      }
    }
  }

 private:
  SchemaPtr schema_;
  char delim_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
};

class SingleColumnDecoder : public MessageDecoder {
 public:
  void append(std::string_view payload, std::vector<ColumnPtr>& columns) override {
    columns[0]->append_string(payload);
  }
};

}  // namespace

std::unique_ptr<MessageDecoder> make_decoder(MessageFormat format, SchemaPtr schema,
                                             char csv_delimiter) {
  switch (format) {
    case MessageFormat::kJson:
      return std::make_unique<JsonDecoder>(std::move(schema));
    case MessageFormat::kCsv:
      return std::make_unique<CsvDecoder>(std::move(schema), csv_delimiter);
    case MessageFormat::kString:
    case MessageFormat::kBytes:
      if (schema->size() != 1 || !schema->field(0).type.is_binary_like())
        throw_user_error("kafka format 'raw'/'bytes' needs a single STRING or BYTES column, got {}",
                         schema->to_string());
      return std::make_unique<SingleColumnDecoder>();
    case MessageFormat::kAvro:
      throw_internal_error("avro messages need their schemas: use make_avro_decoder");
    case MessageFormat::kProtobuf:
      throw_internal_error("protobuf messages need their schemas: use make_protobuf_decoder");
  }
  throw_internal_error("unknown message format");
}

SchemaPtr infer_message_schema(MessageFormat format, const std::vector<std::string_view>& samples,
                               char csv_delimiter) {
  switch (format) {
    case MessageFormat::kJson:
      return infer_json(samples);
    case MessageFormat::kCsv: {
      size_t n = 0;
      std::vector<std::string_view> fields;
      std::string scratch;
      for (auto s : samples) {
        try {
          split_csv(s, csv_delimiter, &fields, &scratch);
        } catch (const Error&) {
          continue;
        }
        n = std::max(n, fields.size());
      }
      if (n == 0)
        throw_user_error("cannot infer a CSV schema from an empty topic: give schema = '...'");
      std::vector<Field> out;
      for (size_t i = 0; i < n; ++i)
        out.push_back(Field{fmt::format("c{}", i + 1), DataType::string(), true});
      return std::make_shared<const Schema>(std::move(out));
    }
    case MessageFormat::kString:
      return std::make_shared<const Schema>(
          std::vector<Field>{{"value", DataType::string(), true}});
    case MessageFormat::kBytes:
      return std::make_shared<const Schema>(std::vector<Field>{{"value", DataType::bytes(), true}});
    case MessageFormat::kAvro:
      throw_user_error(
          "format = 'avro' takes its schema from schema_registry or avro_schema, not from samples");
    case MessageFormat::kProtobuf:
      throw_user_error("format = 'protobuf' takes its schema from schema_registry");
  }
  throw_internal_error("unknown message format");
}

// ---- encoders ---------------------------------------------------------------------------------

namespace {

/// Appends a cell as text: CSV spelling when `json` is false, a JSON value when true.
void append_cell(const Column& col, size_t row, bool json, std::string* out) {
  if (col.is_null(row)) {
    if (json) out->append("null");
    return;
  }
  switch (col.type().id()) {
    case TypeId::kBoolean:
      out->append(col.value<uint8_t>(row) ? "true" : "false");
      return;
    case TypeId::kInt32:
      fmt::format_to(std::back_inserter(*out), "{}", col.value<int32_t>(row));
      return;
    case TypeId::kInt64:
      fmt::format_to(std::back_inserter(*out), "{}", col.value<int64_t>(row));
      return;
    case TypeId::kDouble: {
      double d = col.value<double>(row);
      if (json && !std::isfinite(d))
        out->append("null");
      else
        fmt::format_to(std::back_inserter(*out), "{}", d);
      return;
    }
    case TypeId::kDecimal:
      out->append(decimal::to_string(col.value<int128_t>(row), col.type().scale()));
      return;
    case TypeId::kString:
      if (json)
        append_json_string(col.string_at(row), out);
      else
        out->append(col.string_at(row));
      return;
    default:
      if (json) {
        out->append(col.value_at(row).to_json());
      } else {
        Value v = col.value_at(row);
        out->append(col.type().is_nested() ? v.to_json() : v.to_string());
      }
      return;
  }
}

class JsonEncoder : public MessageEncoder {
 public:
  bool encode(const Batch& batch, size_t row, std::string* out) override {
    append_json_row(batch, row, out);
    return true;
  }
};

class CsvEncoder : public MessageEncoder {
 public:
  explicit CsvEncoder(char delim) : delim_(delim) {}
  bool encode(const Batch& batch, size_t row, std::string* out) override {
    for (size_t c = 0; c < batch.columns.size(); ++c) {
      if (c) out->push_back(delim_);
      size_t start = out->size();
      append_cell(*batch.columns[c], row, false, out);
      std::string_view cell(out->data() + start, out->size() - start);
      if (cell.find_first_of(quote_chars_) != std::string_view::npos) {
        std::string quoted = "\"";
        for (char ch : cell) {
          if (ch == '"') quoted.push_back('"');
          quoted.push_back(ch);
        }
        quoted.push_back('"');
        out->resize(start);
        out->append(quoted);
      }
    }
    return true;
  }

 private:
  char delim_;
  std::string quote_chars_ = std::string("\"\r\n") + delim_;
};

class SingleColumnEncoder : public MessageEncoder {
 public:
  bool encode(const Batch& batch, size_t row, std::string* out) override {
    const Column& c = *batch.columns[0];
    if (c.is_null(row)) return false;
    out->append(c.string_at(row));
    return true;
  }
};

}  // namespace

std::unique_ptr<MessageEncoder> make_encoder(MessageFormat format, const SchemaPtr& schema,
                                             char csv_delimiter) {
  switch (format) {
    case MessageFormat::kJson:
      return std::make_unique<JsonEncoder>();
    case MessageFormat::kCsv:
      return std::make_unique<CsvEncoder>(csv_delimiter);
    case MessageFormat::kString:
    case MessageFormat::kBytes:
      if (schema->size() != 1 || !schema->field(0).type.is_binary_like())
        throw_user_error(
            "kafka sink format 'raw'/'bytes' needs exactly one STRING or BYTES value column, got "
            "{}",
            schema->to_string());
      return std::make_unique<SingleColumnEncoder>();
    case MessageFormat::kAvro:
      throw_internal_error("avro messages need their schema: use make_avro_encoder");
    case MessageFormat::kProtobuf:
      throw_internal_error("protobuf messages need their schema: use make_protobuf_encoder");
  }
  throw_internal_error("unknown message format");
}

}  // namespace velo::kafka
