#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "velo/formats/avro/avro_schema.h"
#include "velo/types/error.h"

namespace velo::kafka {

/// `url` with the user information of its authority ("user:pass@") replaced by "***@", for
/// messages and logs.
std::string mask_url_credentials(std::string_view url);

/// Retry behaviour of SchemaRegistry requests.
struct SchemaRegistrySettings {
  int64_t timeout_ms = 10000;  // per attempt
  int retries = 3;             // extra attempts after a connection failure or a 5xx answer
  int64_t backoff_ms = 200;    // first wait between attempts, doubled each time
};

/// A schema as the registry holds it, of any type.
struct RegisteredSchema {
  /// "AVRO" (also when the answer names no schemaType), "JSON" or "PROTOBUF".
  std::string type = "AVRO";
  std::string text;
  /// Other schemas this one imports (protobuf imports, JSON $refs): by import name.
  struct Reference {
    std::string name;
    std::string subject;
    int32_t version = 0;
  };
  std::vector<Reference> references;
};
using RegisteredSchemaPtr = std::shared_ptr<const RegisteredSchema>;

/// A client of the Confluent Schema Registry REST API (the few calls the Kafka connector needs):
/// schemas by id, the latest schema of a subject, registering a schema. Credentials come from
/// the URL ("http://user:pass@host:port", HTTP basic auth) and appear in no message.
///
/// Schemas fetched by id are cached for the life of the client (ids never change meaning).
/// Thread-safe; every call may block on HTTP (libcurl), retrying connection failures and 5xx
/// answers with exponential backoff. Errors: kIo (retryable) when the registry cannot be
/// reached or keeps answering 5xx; kFormat for an unknown schema id or a schema that is not
/// valid Avro (the message's fault); kUser for an unknown subject or a rejected registration.
/// Every message names the (masked) URL, the request and the HTTP status.
class SchemaRegistry {
 public:
  explicit SchemaRegistry(std::string_view url, SchemaRegistrySettings settings = {});
  ~SchemaRegistry();

  /// The base URL with credentials masked.
  const std::string& masked_url() const { return masked_url_; }

  /// GET /schemas/ids/{id}, cached.
  avro::AvroSchemaPtr schema_by_id(int32_t id);

  struct SubjectVersion {
    int32_t id = 0;
    int32_t version = 0;
    avro::AvroSchemaPtr schema;
  };
  /// GET /subjects/{subject}/versions/latest (not cached: "latest" moves).
  SubjectVersion latest(const std::string& subject);

  /// POST /subjects/{subject}/versions {"schema": ...}; returns the schema id (the existing id
  /// when the registry already holds the schema).
  int32_t register_schema(const std::string& subject, const avro::AvroSchema& schema);

  /// GET /schemas/ids/{id} of any schema type, cached. kFormat for an unknown id.
  RegisteredSchemaPtr raw_by_id(int32_t id);
  /// GET /subjects/{subject}/versions/{version} (a reference's schema), cached.
  RegisteredSchemaPtr raw_version(const std::string& subject, int32_t version);
  struct RawVersion {
    int32_t id = 0;
    int32_t version = 0;
    RegisteredSchemaPtr schema;
  };
  /// GET /subjects/{subject}/versions/latest of any schema type (not cached).
  RawVersion raw_latest(const std::string& subject);
  /// POST /subjects/{subject}/versions {"schema", "schemaType", "references"}; the schema id.
  int32_t register_raw(const std::string& subject, const RegisteredSchema& schema);

  /// Requests sent so far (cache hits excluded); for tests.
  int64_t requests() const;

 private:
  struct Response {
    long status = 0;
    std::string body;
  };
  /// Sends the request, retrying transport failures and 5xx. Returns any answer below 500;
  /// throws kIo once the attempts are used up.
  Response request(const char* method, const std::string& path, const std::string* body);
  [[noreturn]] void fail(ErrorKind kind, const char* method, const std::string& path,
                         const Response& r, std::string_view hint) const;
  avro::AvroSchemaPtr parse_schema(const char* method, const std::string& path,
                                   const Response& r) const;
  RegisteredSchemaPtr parse_raw(const char* method, const std::string& path,
                                const Response& r) const;

  std::string url_;  // without a trailing '/'
  std::string masked_url_;
  SchemaRegistrySettings settings_;
  mutable std::mutex mu_;
  std::unordered_map<int32_t, avro::AvroSchemaPtr> by_id_;                     // guarded by mu_
  std::unordered_map<int32_t, RegisteredSchemaPtr> raw_by_id_;                 // guarded by mu_
  std::map<std::pair<std::string, int32_t>, RegisteredSchemaPtr> by_version_;  // guarded by mu_
  int64_t requests_ = 0;                                                       // guarded by mu_
};

/// The client for `url`, shared by every source and sink of the process that names the same URL
/// (so they share one cache).
std::shared_ptr<SchemaRegistry> schema_registry_for(const std::string& url);

/// The Confluent subject of a topic's values ("<topic>-value") or keys ("<topic>-key").
std::string value_subject(const std::string& topic);
std::string key_subject(const std::string& topic);

/// Option `subject_name_strategy`: how a subject is named, as Confluent's serializers do.
enum class SubjectNameStrategy {
  kTopic,        // TopicNameStrategy: "<topic>-value" / "<topic>-key" (default)
  kRecord,       // RecordNameStrategy: the record's full name ("com.acme.Trade")
  kTopicRecord,  // TopicRecordNameStrategy: "<topic>-<record full name>"
};
/// 'topic' | 'record' | 'topic_record' (also Confluent's class names, e.g. 'TopicNameStrategy');
/// a user error otherwise.
SubjectNameStrategy parse_subject_name_strategy(const std::string& text);
/// The subject of a topic's values (`key` false) or keys written as `record` (a full name; may
/// be empty only for kTopic).
std::string subject_name(SubjectNameStrategy strategy, const std::string& topic,
                         const std::string& record, bool key);

}  // namespace velo::kafka
