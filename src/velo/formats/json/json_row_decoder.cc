#include "velo/formats/json/json_row_decoder.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>

#include "velo/formats/json/json_convert.h"
#include "velo/formats/json/json_inference.h"
#include "velo/formats/json/json_text.h"

namespace velo {

namespace {
std::vector<int> identity(size_t n) {
  std::vector<int> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int>(i);
  return v;
}
}  // namespace

struct JsonRowDecoder::Impl {
  explicit Impl(SchemaPtr s) : schema(std::move(s)), mapper(*schema, identity(schema->size())) {}
  SchemaPtr schema;
  json::ObjectMapper mapper;
  simdjson::ondemand::parser parser;
  std::string padded;
  std::vector<Column*> columns;
};

JsonRowDecoder::JsonRowDecoder(SchemaPtr schema)
    : impl_(std::make_unique<Impl>(std::move(schema))) {}
JsonRowDecoder::~JsonRowDecoder() = default;
JsonRowDecoder::JsonRowDecoder(JsonRowDecoder&&) noexcept = default;
JsonRowDecoder& JsonRowDecoder::operator=(JsonRowDecoder&&) noexcept = default;

void JsonRowDecoder::append_row(std::string_view payload, std::vector<ColumnPtr>& columns) {
  Impl& s = *impl_;
  // simdjson reads SIMDJSON_PADDING bytes past the input: copy into a reused padded buffer
  // instead of letting the parser allocate a padded copy per message.
  if (s.padded.size() < payload.size() + simdjson::SIMDJSON_PADDING)
    s.padded.resize(payload.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(s.padded.data(), payload.data(), payload.size());
  s.columns.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) s.columns[i] = columns[i].get();
  json::append_object_document(s.parser, s.padded.data(), payload.size(), s.padded.size(), s.mapper,
                               s.columns.data());
}

SchemaPtr infer_json_schema(const std::vector<std::string_view>& samples) {
  // Messages keep the established rule for numbers (fractions are DOUBLE) and strings (no
  // date detection): a topic's schema must not change with the digits of the first samples.
  json::JsonSchemaInferrer inferrer(json::JsonInferOptions{false, false});
  for (auto s : samples) inferrer.add_text(s);
  return inferrer.finish(fmt::format("{} sampled messages", samples.size()));
}

void append_json_row(const Batch& batch, size_t row, std::string* out) {
  out->push_back('{');
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (c) out->push_back(',');
    append_json_string(batch.schema->field(c).name, out);
    out->push_back(':');
    json::append_json_cell(*batch.columns[c], row, out);
  }
  out->push_back('}');
}

}  // namespace velo
