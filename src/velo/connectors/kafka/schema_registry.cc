#include "velo/connectors/kafka/schema_registry.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <chrono>
#include <map>
#include <thread>

#include "velo/types/value.h"

namespace velo::kafka {

namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
struct CurlListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlListPtr = std::unique_ptr<curl_slist, CurlListDeleter>;

size_t write_cb(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// "Schema not found (error_code 40403)" from a registry error body, else the body's start.
std::string describe_body(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (!parser.parse(body).get(e) && e.is_object()) {
    std::string_view message;
    int64_t code = 0;
    std::string out;
    if (!e["message"].get(message)) out = std::string(message);
    if (!e["error_code"].get(code)) out += fmt::format(" (error_code {})", code);
    if (!out.empty()) return out;
  }
  return body.substr(0, 200);
}

std::string escape_path_segment(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace

std::string mask_url_credentials(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  size_t at = url.rfind('@', end);
  if (at == std::string_view::npos || at < start) return std::string(url);
  return std::string(url.substr(0, start)) + "***" + std::string(url.substr(at));
}

std::string value_subject(const std::string& topic) { return topic + "-value"; }
std::string key_subject(const std::string& topic) { return topic + "-key"; }

SubjectNameStrategy parse_subject_name_strategy(const std::string& text) {
  std::string t;
  for (char c : text)
    if (c != '_') t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (size_t dot = t.rfind('.'); dot != std::string::npos) t = t.substr(dot + 1);
  if (t == "topic" || t == "topicnamestrategy") return SubjectNameStrategy::kTopic;
  if (t == "record" || t == "recordnamestrategy") return SubjectNameStrategy::kRecord;
  if (t == "topicrecord" || t == "topicrecordnamestrategy")
    return SubjectNameStrategy::kTopicRecord;
  throw_user_error(
      "option 'subject_name_strategy' must be 'topic', 'record' or 'topic_record', "
      "got '{}'",
      text);
}

std::string subject_name(SubjectNameStrategy strategy, const std::string& topic,
                         const std::string& record, bool key) {
  switch (strategy) {
    case SubjectNameStrategy::kTopic:
      return key ? key_subject(topic) : value_subject(topic);
    case SubjectNameStrategy::kRecord:
      return record;
    case SubjectNameStrategy::kTopicRecord:
      return topic + "-" + record;
  }
  throw_internal_error("unknown subject name strategy");
}

SchemaRegistry::SchemaRegistry(std::string_view url, SchemaRegistrySettings settings)
    : url_(url), settings_(settings) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  masked_url_ = mask_url_credentials(url_);
  if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0)
    throw_user_error("schema_registry must be an http:// or https:// URL, got '{}'", masked_url_);
  init_curl();
}

SchemaRegistry::~SchemaRegistry() = default;

int64_t SchemaRegistry::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

SchemaRegistry::Response SchemaRegistry::request(const char* method, const std::string& path,
                                                 const std::string* body) {
  std::string url = url_ + path;
  std::string last_error;
  int attempts = 1 + std::max(settings_.retries, 0);
  int64_t backoff = settings_.backoff_ms;
  for (int attempt = 1;; ++attempt) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
    }
    CurlPtr curl(curl_easy_init());
    if (!curl) throw_internal_error("curl_easy_init failed");
    Response r;
    char errbuf[CURL_ERROR_SIZE] = {};
    CurlListPtr headers(curl_slist_append(
        nullptr, "Accept: application/vnd.schemaregistry.v1+json, application/json"));
    if (body)
      headers.reset(curl_slist_append(headers.release(),
                                      "Content-Type: application/vnd.schemaregistry.v1+json"));
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout_ms));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.timeout_ms));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
      if (r.status < 500) return r;
      last_error = fmt::format("HTTP {}: {}", r.status, describe_body(r.body));
    } else {
      last_error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    }
    if (attempt >= attempts)
      throw Error(ErrorKind::kIo,
                  fmt::format("schema registry {}: {} {} failed after {} attempt(s): {}",
                              masked_url_, method, path, attempt, last_error),
                  {}, true);
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
    backoff *= 2;
  }
}

void SchemaRegistry::fail(ErrorKind kind, const char* method, const std::string& path,
                          const Response& r, std::string_view hint) const {
  std::string text = fmt::format("schema registry {}: {} {} answered HTTP {}: {}", masked_url_,
                                 method, path, r.status, describe_body(r.body));
  if (!hint.empty()) text += fmt::format(" ({})", hint);
  throw Error(kind, std::move(text));
}

RegisteredSchemaPtr SchemaRegistry::parse_raw(const char* method, const std::string& path,
                                              const Response& r) const {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  std::string_view text;
  if (parser.parse(r.body).get(e) || e["schema"].get(text))
    throw_format_error("schema registry {}: {} {}: answer has no \"schema\": {}", masked_url_,
                       method, path, r.body.substr(0, 200));
  auto out = std::make_shared<RegisteredSchema>();
  out->text = std::string(text);
  std::string_view type;
  if (!e["schemaType"].get(type)) out->type = std::string(type);
  simdjson::dom::array refs;
  if (!e["references"].get(refs)) {
    for (simdjson::dom::element ref : refs) {
      RegisteredSchema::Reference entry;
      std::string_view name, subject;
      int64_t version = 0;
      if (ref["name"].get(name) || ref["subject"].get(subject) || ref["version"].get(version))
        throw_format_error("schema registry {}: {} {}: malformed reference {}", masked_url_, method,
                           path, simdjson::minify(ref));
      entry.name = std::string(name);
      entry.subject = std::string(subject);
      entry.version = static_cast<int32_t>(version);
      out->references.push_back(std::move(entry));
    }
  }
  return out;
}

avro::AvroSchemaPtr SchemaRegistry::parse_schema(const char* method, const std::string& path,
                                                 const Response& r) const {
  RegisteredSchemaPtr raw = parse_raw(method, path, r);
  if (raw->type != "AVRO")
    throw_format_error("schema registry {}: {} {} is a {} schema, not Avro", masked_url_, method,
                       path, raw->type);
  try {
    return avro::AvroSchema::parse(raw->text);
  } catch (const Error& err) {
    throw_format_error("schema registry {}: {} {}: invalid Avro schema: {}", masked_url_, method,
                       path, err.message());
  }
}

RegisteredSchemaPtr SchemaRegistry::raw_by_id(int32_t id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = raw_by_id_.find(id); it != raw_by_id_.end()) return it->second;
  }
  std::string path = fmt::format("/schemas/ids/{}", id);
  Response r = request("GET", path, nullptr);
  if (r.status != 200)
    fail(ErrorKind::kFormat, "GET", path, r, fmt::format("unknown schema id {}", id));
  RegisteredSchemaPtr schema = parse_raw("GET", path, r);
  std::lock_guard<std::mutex> lock(mu_);
  return raw_by_id_.emplace(id, std::move(schema)).first->second;
}

RegisteredSchemaPtr SchemaRegistry::raw_version(const std::string& subject, int32_t version) {
  auto key = std::make_pair(subject, version);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = by_version_.find(key); it != by_version_.end()) return it->second;
  }
  std::string path = fmt::format("/subjects/{}/versions/{}", escape_path_segment(subject), version);
  Response r = request("GET", path, nullptr);
  if (r.status != 200)
    fail(ErrorKind::kFormat, "GET", path, r,
         fmt::format("referenced schema '{}' version {} not found", subject, version));
  RegisteredSchemaPtr schema = parse_raw("GET", path, r);
  std::lock_guard<std::mutex> lock(mu_);
  return by_version_.emplace(key, std::move(schema)).first->second;
}

SchemaRegistry::RawVersion SchemaRegistry::raw_latest(const std::string& subject) {
  std::string path = fmt::format("/subjects/{}/versions/latest", escape_path_segment(subject));
  Response r = request("GET", path, nullptr);
  if (r.status != 200)
    fail(ErrorKind::kUser, "GET", path, r,
         r.status == 404 ? fmt::format("no schema registered under subject '{}'; register one or "
                                       "declare schema = '...'",
                                       subject)
                         : "");
  RawVersion out;
  out.schema = parse_raw("GET", path, r);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  int64_t v = 0;
  if (!parser.parse(r.body).get(e)) {
    if (!e["id"].get(v)) out.id = static_cast<int32_t>(v);
    if (!e["version"].get(v)) out.version = static_cast<int32_t>(v);
  }
  if (out.id > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    raw_by_id_.emplace(out.id, out.schema);
  }
  return out;
}

int32_t SchemaRegistry::register_raw(const std::string& subject, const RegisteredSchema& schema) {
  std::string path = fmt::format("/subjects/{}/versions", escape_path_segment(subject));
  std::string body = "{\"schema\":";
  append_json_string(schema.text, &body);
  if (schema.type != "AVRO") {
    body += ",\"schemaType\":";
    append_json_string(schema.type, &body);
  }
  if (!schema.references.empty()) {
    body += ",\"references\":[";
    for (size_t i = 0; i < schema.references.size(); ++i) {
      const auto& ref = schema.references[i];
      body += i ? ",{\"name\":" : "{\"name\":";
      append_json_string(ref.name, &body);
      body += ",\"subject\":";
      append_json_string(ref.subject, &body);
      body += fmt::format(",\"version\":{}}}", ref.version);
    }
    body += "]";
  }
  body += "}";
  Response r = request("POST", path, &body);
  if (r.status != 200)
    fail(ErrorKind::kUser, "POST", path, r,
         r.status == 409 ? fmt::format("the schema is incompatible with earlier versions of "
                                       "subject '{}'",
                                       subject)
                         : "");
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  int64_t id = 0;
  if (parser.parse(r.body).get(e) || e["id"].get(id))
    throw_format_error("schema registry {}: POST {}: answer has no \"id\": {}", masked_url_, path,
                       r.body.substr(0, 200));
  return static_cast<int32_t>(id);
}

avro::AvroSchemaPtr SchemaRegistry::schema_by_id(int32_t id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  }
  std::string path = fmt::format("/schemas/ids/{}", id);
  Response r = request("GET", path, nullptr);
  if (r.status != 200)
    fail(ErrorKind::kFormat, "GET", path, r, fmt::format("unknown schema id {}", id));
  avro::AvroSchemaPtr schema = parse_schema("GET", path, r);
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.emplace(id, std::move(schema)).first->second;
}

SchemaRegistry::SubjectVersion SchemaRegistry::latest(const std::string& subject) {
  std::string path = fmt::format("/subjects/{}/versions/latest", escape_path_segment(subject));
  Response r = request("GET", path, nullptr);
  if (r.status != 200)
    fail(ErrorKind::kUser, "GET", path, r,
         r.status == 404 ? fmt::format("no schema registered under subject '{}'; register one or "
                                       "declare schema = '...' or avro_schema = '...'",
                                       subject)
                         : "");
  SubjectVersion out;
  out.schema = parse_schema("GET", path, r);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  int64_t v = 0;
  if (!parser.parse(r.body).get(e)) {
    if (!e["id"].get(v)) out.id = static_cast<int32_t>(v);
    if (!e["version"].get(v)) out.version = static_cast<int32_t>(v);
  }
  if (out.id > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    by_id_.emplace(out.id, out.schema);
  }
  return out;
}

int32_t SchemaRegistry::register_schema(const std::string& subject,
                                        const avro::AvroSchema& schema) {
  RegisteredSchema raw;
  raw.text = schema.to_json();
  return register_raw(subject, raw);
}

std::shared_ptr<SchemaRegistry> schema_registry_for(const std::string& url) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<SchemaRegistry>> clients;
  std::lock_guard<std::mutex> lock(mu);
  auto& weak = clients[url];
  if (auto c = weak.lock()) return c;
  auto c = std::make_shared<SchemaRegistry>(url);
  weak = c;
  return c;
}

}  // namespace velo::kafka
