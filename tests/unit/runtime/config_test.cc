#include "velo/runtime/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "velo/types/error.h"

namespace velo {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.describe();
  }
  return "";
}

TEST(ConfigTest, SubstitutesEnvironmentVariables) {
  setenv("VELO_TEST_HOST", "kafka-1:9092", 1);
  unsetenv("VELO_TEST_UNSET");
  EXPECT_EQ(substitute_env("${VELO_TEST_HOST}", "t"), "kafka-1:9092");
  EXPECT_EQ(substitute_env("a ${VELO_TEST_UNSET:-dflt} b", "t"), "a dflt b");
  EXPECT_EQ(substitute_env("cost $$5 and $x", "t"), "cost $5 and $x");
  std::string err = error_of([] { substitute_env("${VELO_TEST_UNSET}", "cfg.yaml:3"); });
  EXPECT_NE(err.find("cfg.yaml:3"), std::string::npos) << err;
  EXPECT_NE(err.find("VELO_TEST_UNSET is not set"), std::string::npos) << err;
  EXPECT_NE(error_of([] { substitute_env("${OOPS", "t"); }).find("unterminated"),
            std::string::npos);
}

TEST(ConfigTest, ParsesTheSeedShape) {
  setenv("VELO_TEST_REGION", "us-west-2", 1);
  Config c = Config::parse(R"(
default_kafka: "localhost:9092"
data_sources:
  orders_kafka:
    type: kafka
    brokers: "localhost:9092"
    topic: "orders"
  orders_historical:
    type: s3
    bucket: "data-lake"
    prefix: "orders/"
    format: parquet
    region: "${VELO_TEST_REGION}"
  customer_analytics:
    type: iceberg
    catalog_uri: "http://localhost:8181"
    warehouse: "s3://warehouse/"
    table: "customer_metrics"
  clicks:
    type: kafka
    kafka:
      security.protocol: SSL
data_sinks:
  lake:
    type: file
    path: out/
    format: parquet
)",
                           "velostream.yaml");
  EXPECT_EQ(c.default_kafka, "localhost:9092");
  ASSERT_NE(c.find_source("ORDERS_KAFKA"), nullptr);
  EXPECT_EQ(c.find_source("orders_kafka")->uri, "kafka://localhost:9092/orders");
  const ConnectorEntry* h = c.find_source("orders_historical");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->uri, "s3://data-lake/orders/");
  EXPECT_EQ(h->options.get_string("region", ""), "us-west-2");
  EXPECT_EQ(h->options.get_string("format", ""), "parquet");
  EXPECT_FALSE(h->options.has("bucket"));
  EXPECT_EQ(c.find_source("customer_analytics")->uri, "iceberg://customer_metrics");
  // A topic defaults to the entry's name; nested maps flatten to dotted options.
  const ConnectorEntry* clicks = c.find_source("clicks");
  EXPECT_EQ(clicks->uri, "kafka://localhost:9092/clicks");
  EXPECT_EQ(clicks->options.get_string("kafka.security.protocol", ""), "SSL");
  EXPECT_EQ(c.find_sink("lake")->uri, "out/");
  EXPECT_EQ(c.find_sink("nope"), nullptr);
}

TEST(ConfigTest, ErrorsNameFileAndLine) {
  std::string err = error_of([] { Config::parse("data_source:\n  x: {type: kafka}\n", "v.yaml"); });
  EXPECT_NE(err.find("v.yaml:1"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean 'data_sources'"), std::string::npos) << err;
  err = error_of([] { Config::parse("data_sources:\n  x: [1, 2\n", "v.yaml"); });
  EXPECT_NE(err.find("v.yaml:"), std::string::npos) << err;
  err = error_of([] { Config::parse("data_sources:\n  x:\n    brokers: a:1\n", "v.yaml"); });
  EXPECT_NE(err.find("v.yaml:2"), std::string::npos) << err;
  EXPECT_NE(err.find("needs a type"), std::string::npos) << err;
  err = error_of([] { Config::parse("data_sources:\n  x: {type: kafka}\n", "v.yaml"); });
  EXPECT_NE(err.find("has no brokers"), std::string::npos) << err;
  err = error_of([] { Config::parse("data_sources:\n  x: {type: cassandra}\n", "v.yaml"); });
  EXPECT_NE(err.find("connector 'cassandra' is not available yet"), std::string::npos) << err;
}

TEST(ConfigTest, VelostreamPropertyForm) {
  Options p;
  p.set("type", "kafka_source");
  p.set("topic.name", "orders");
  p.set("bootstrap.servers", "b1:9092,b2:9092");
  p.set("group.id", "g1");
  p.set("value.format", "json");
  ConnectorEntry e = make_connector_entry("src", p, "", "test");
  EXPECT_EQ(e.uri, "kafka://b1:9092,b2:9092/orders");
  EXPECT_EQ(e.options.get_string("group_id", ""), "g1");
  EXPECT_EQ(e.options.get_string("format", ""), "json");
  EXPECT_FALSE(e.options.has("topic.name"));

  Options f;
  f.set("type", "file_sink");
  f.set("path", "out/result.jsonl");
  EXPECT_EQ(make_connector_entry("s", f, "", "test").uri, "out/result.jsonl");

  // 'src.config_file' loads properties from YAML; inline ones win.
  std::string path = "/tmp/velo_config_test_" + std::to_string(getpid()) + ".yaml";
  std::ofstream(path) << "type: kafka\ntopic: from_file\nbootstrap.servers: f:1\nformat: csv\n";
  Options c;
  c.set("config_file", path);
  c.set("format", "json");
  ConnectorEntry fe = make_connector_entry("src", c, "", "test");
  EXPECT_EQ(fe.uri, "kafka://f:1/from_file");
  EXPECT_EQ(fe.options.get_string("format", ""), "json");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace velo
