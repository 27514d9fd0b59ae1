#include "velo/fs/pending_token.h"

#include <simdjson.h>

#include "velo/types/error.h"
#include "velo/types/value.h"

namespace velo {

void PendingTokenWriter::key(std::string_view k) {
  if (out_.size() > 1) out_ += ',';
  append_json_string(k, &out_);
  out_ += ':';
}

PendingTokenWriter& PendingTokenWriter::add(std::string_view k, std::string_view value) {
  key(k);
  append_json_string(value, &out_);
  return *this;
}

PendingTokenWriter& PendingTokenWriter::add(std::string_view k, int64_t value) {
  key(k);
  out_ += std::to_string(value);
  return *this;
}

PendingTokenWriter& PendingTokenWriter::add(std::string_view k,
                                            const std::vector<std::string>& values) {
  key(k);
  out_ += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out_ += ',';
    append_json_string(values[i], &out_);
  }
  out_ += ']';
  return *this;
}

namespace {
// The field `key` of the token's object; false when the token is no object or lacks it.
bool field(simdjson::dom::parser& parser, const std::string& token, const char* key,
           simdjson::dom::element* out) {
  simdjson::dom::object object;
  if (parser.parse(token).get_object().get(object) != simdjson::SUCCESS) return false;
  return object[key].get(*out) == simdjson::SUCCESS;
}
}  // namespace

PendingTokenReader::PendingTokenReader(const std::string& token) : token_(token) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(token_).get_object().get(object) != simdjson::SUCCESS)
    throw_internal_error("malformed pending-file token: {}", token_);
}

bool PendingTokenReader::has(const char* key) const {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  return field(parser, token_, key, &e);
}

void PendingTokenReader::malformed(const char* key) const {
  throw_internal_error("pending-file token without a valid '{}': {}", key, token_);
}

std::string PendingTokenReader::string(const char* key) const {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  std::string_view v;
  if (!field(parser, token_, key, &e) || e.get_string().get(v) != simdjson::SUCCESS) malformed(key);
  return std::string(v);
}

int64_t PendingTokenReader::integer(const char* key) const {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  int64_t v = 0;
  if (!field(parser, token_, key, &e) || e.get_int64().get(v) != simdjson::SUCCESS) malformed(key);
  return v;
}

std::vector<std::string> PendingTokenReader::strings(const char* key) const {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  simdjson::dom::array a;
  if (!field(parser, token_, key, &e) || e.get_array().get(a) != simdjson::SUCCESS) malformed(key);
  std::vector<std::string> out;
  for (simdjson::dom::element item : a) {
    std::string_view v;
    if (item.get_string().get(v) != simdjson::SUCCESS) malformed(key);
    out.emplace_back(v);
  }
  return out;
}

}  // namespace velo
