#include "velo/connectors/kafka/schema_registry.h"

#include <gtest/gtest.h>

#include "fake_schema_registry.h"

namespace velo::kafka {
namespace {

using testing::FakeSchemaRegistry;

const char* kOrderV1 = R"({"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]})";
const char* kOrderV2 = R"({"type":"record","name":"Order","fields":[{"name":"id","type":"long"},)"
                       R"({"name":"note","type":"string","default":"none"}]})";

SchemaRegistrySettings fast() {
  SchemaRegistrySettings s;
  s.backoff_ms = 10;
  s.timeout_ms = 2000;
  return s;
}

std::string message_of(const std::function<void()>& f, ErrorKind* kind = nullptr,
                       bool* retryable = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (kind) *kind = e.kind();
    if (retryable) *retryable = e.retryable();
    return e.message();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

TEST(KafkaSchemaRegistryTest, FetchesSchemasByIdOnceAndCachesThem) {
  FakeSchemaRegistry fake;
  int id = fake.add("orders-value", kOrderV1);
  SchemaRegistry registry(fake.url(), fast());
  auto a = registry.schema_by_id(id);
  auto b = registry.schema_by_id(id);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(a->root().name, "Order");
  ASSERT_EQ(a->root().fields.size(), 1u);
  EXPECT_EQ(registry.requests(), 1);
  EXPECT_EQ(fake.requests(), std::vector<std::string>{fmt::format("GET /schemas/ids/{}", id)});
}

TEST(KafkaSchemaRegistryTest, LatestVersionAndRegistration) {
  FakeSchemaRegistry fake;
  SchemaRegistry registry(fake.url() + "/", fast());  // a trailing '/' is fine
  int id1 = registry.register_schema("orders-value", *avro::AvroSchema::parse(kOrderV1));
  int id2 = registry.register_schema("orders-value", *avro::AvroSchema::parse(kOrderV2));
  EXPECT_NE(id1, id2);
  // The same schema again: the registry answers the existing id.
  EXPECT_EQ(registry.register_schema("orders-value", *avro::AvroSchema::parse(kOrderV1)), id1);
  auto latest = registry.latest("orders-value");
  EXPECT_EQ(latest.id, id2);
  EXPECT_EQ(latest.version, 2);
  ASSERT_EQ(latest.schema->root().fields.size(), 2u);
  EXPECT_EQ(latest.schema->root().fields[1].name, "note");
  // What was registered is the schema's JSON, parseable back to the same canonical form.
  EXPECT_EQ(avro::AvroSchema::parse(fake.schema_of(id1))->canonical_form(),
            avro::AvroSchema::parse(kOrderV1)->canonical_form());
  // latest() fills the id cache.
  int64_t before = registry.requests();
  registry.schema_by_id(id2);
  EXPECT_EQ(registry.requests(), before);
  EXPECT_EQ(fake.requests()[0], "POST /subjects/orders-value/versions");
  EXPECT_EQ(fake.requests()[3], "GET /subjects/orders-value/versions/latest");
}

TEST(KafkaSchemaRegistryTest, RetriesServerErrorsWithBackoff) {
  FakeSchemaRegistry fake;
  int id = fake.add("t-value", kOrderV1);
  SchemaRegistry registry(fake.url(), fast());
  fake.fail_next(2, 503);
  EXPECT_EQ(registry.schema_by_id(id)->root().name, "Order");
  EXPECT_EQ(fake.requests().size(), 3u);
}

TEST(KafkaSchemaRegistryTest, GivesUpOnServerErrorsNamingUrlRequestAndStatus) {
  FakeSchemaRegistry fake;
  int id = fake.add("t-value", kOrderV1);
  SchemaRegistry registry(fake.url(), fast());
  fake.fail_next(100, 500);
  ErrorKind kind;
  bool retryable = false;
  std::string msg = message_of([&] { registry.schema_by_id(id); }, &kind, &retryable);
  EXPECT_EQ(kind, ErrorKind::kIo);
  EXPECT_TRUE(retryable);
  EXPECT_NE(msg.find(fake.url()), std::string::npos) << msg;
  EXPECT_NE(msg.find(fmt::format("GET /schemas/ids/{}", id)), std::string::npos) << msg;
  EXPECT_NE(msg.find("HTTP 500"), std::string::npos) << msg;
  EXPECT_NE(msg.find("after 4 attempt(s)"), std::string::npos) << msg;
  EXPECT_EQ(fake.requests().size(), 4u);
}

TEST(KafkaSchemaRegistryTest, NotFoundAnswersAreClearAndNotRetried) {
  FakeSchemaRegistry fake;
  SchemaRegistry registry(fake.url(), fast());
  ErrorKind kind;
  std::string msg = message_of([&] { registry.schema_by_id(7); }, &kind);
  EXPECT_EQ(kind, ErrorKind::kFormat);
  EXPECT_NE(msg.find("HTTP 404"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Schema 7 not found (error_code 40403)"), std::string::npos) << msg;
  EXPECT_NE(msg.find(fake.url()), std::string::npos) << msg;
  msg = message_of([&] { registry.latest("nope-value"); }, &kind);
  EXPECT_EQ(kind, ErrorKind::kUser);
  EXPECT_NE(msg.find("GET /subjects/nope-value/versions/latest answered HTTP 404"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("no schema registered under subject 'nope-value'"), std::string::npos) << msg;
  EXPECT_EQ(fake.requests().size(), 2u);
}

TEST(KafkaSchemaRegistryTest, UnreachableRegistryIsAnIoErrorNamingTheUrl) {
  int port;
  {
    FakeSchemaRegistry gone;  // a port nothing listens on any more
    port = gone.port();
  }
  SchemaRegistry registry(fmt::format("http://127.0.0.1:{}", port), fast());
  ErrorKind kind;
  bool retryable = false;
  std::string msg = message_of([&] { registry.schema_by_id(1); }, &kind, &retryable);
  EXPECT_EQ(kind, ErrorKind::kIo);
  EXPECT_TRUE(retryable);
  EXPECT_NE(msg.find(fmt::format("schema registry http://127.0.0.1:{}", port)), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("after 4 attempt(s)"), std::string::npos) << msg;
}

TEST(KafkaSchemaRegistryTest, CredentialsGoToBasicAuthAndNeverIntoMessages) {
  EXPECT_EQ(mask_url_credentials("http://user:s3cret@host:8081/x"), "http://***@host:8081/x");
  EXPECT_EQ(mask_url_credentials("https://key@host"), "https://***@host");
  EXPECT_EQ(mask_url_credentials("http://host:8081/a@b"), "http://host:8081/a@b");
  EXPECT_EQ(mask_url_credentials("http://host:8081"), "http://host:8081");

  FakeSchemaRegistry fake;
  int id = fake.add("t-value", kOrderV1);
  SchemaRegistry registry(fmt::format("http://user:s3cret@127.0.0.1:{}", fake.port()), fast());
  EXPECT_EQ(registry.masked_url(), fmt::format("http://***@127.0.0.1:{}", fake.port()));
  registry.schema_by_id(id);
  EXPECT_EQ(fake.last_authorization(), "Basic dXNlcjpzM2NyZXQ=");  // base64("user:s3cret")
  std::string msg = message_of([&] { registry.schema_by_id(99); });
  EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("user"), std::string::npos) << msg;
  EXPECT_NE(msg.find("***@127.0.0.1"), std::string::npos) << msg;
}

TEST(KafkaSchemaRegistryTest, RejectsNonAvroAndInvalidSchemas) {
  FakeSchemaRegistry fake;
  int bad = fake.add("t-value", R"({"type":"record","name":"X"})");  // no fields
  SchemaRegistry registry(fake.url(), fast());
  ErrorKind kind;
  std::string msg = message_of([&] { registry.schema_by_id(bad); }, &kind);
  EXPECT_EQ(kind, ErrorKind::kFormat);
  EXPECT_NE(msg.find("invalid Avro schema"), std::string::npos) << msg;
  EXPECT_THROW(SchemaRegistry("ftp://x", fast()), Error);
}

}  // namespace
}  // namespace velo::kafka
