#pragma once

#include <string>
#include <vector>

namespace velo::kafka {

/// A parsed `kafka://host:port[,host:port]/topic[,topic]` URI.
struct KafkaUri {
  /// Comma-separated bootstrap list as librdkafka wants it ("h1:9092,h2:9092").
  std::string brokers;
  /// One or more topics; never empty.
  std::vector<std::string> topics;

  /// The URI back in canonical form (for describe()).
  std::string to_string() const;
};

/// Parses a Kafka URI. Hosts without a port get 9092. Throws a user error naming the URI when it
/// has no broker or no topic, or a topic name Kafka would reject.
KafkaUri parse_kafka_uri(const std::string& uri);

}  // namespace velo::kafka
