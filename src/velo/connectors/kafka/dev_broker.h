#pragma once

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must come after rdkafka.h.
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <utility>
#include <vector>

#include "velo/connectors/kafka/kafka_client.h"

namespace velo::kafka {

/// An in-process Kafka cluster: librdkafka's mock cluster, speaking the Kafka protocol over TCP
/// on 127.0.0.1 at ports it picks. Any client (kcat, confluent-kafka, velo) can use it. For
/// `velo dev kafka` and tests. Limits: ~5 MiB per partition kept, no admin APIs, transactions
/// without abort markers (see TESTING.md). Thread-safe as librdkafka's mock API is.
class DevKafkaCluster {
 public:
  /// Starts `brokers` brokers (ids 1..brokers). Throws Error(kIo) when the cluster cannot start.
  explicit DevKafkaCluster(int brokers = 1);
  ~DevKafkaCluster();
  DevKafkaCluster(const DevKafkaCluster&) = delete;
  DevKafkaCluster& operator=(const DevKafkaCluster&) = delete;

  /// "127.0.0.1:PORT[,127.0.0.1:PORT]": the bootstrap list for clients.
  std::string bootstrap() const;
  /// Creates `topic` with `partitions` partitions (replication factor 1).
  void create_topic(const std::string& topic, int partitions);
  /// The mock cluster for fault injection (rd_kafka_mock_broker_set_down, push_request_errors).
  /// Owned by this object.
  rd_kafka_mock_cluster_t* mock() { return mock_; }
  int brokers() const { return brokers_; }

 private:
  HandlePtr owner_;  // the client handle that hosts the mock cluster's thread
  rd_kafka_mock_cluster_t* mock_ = nullptr;
  int brokers_;
};

/// Parsed arguments of `velo dev kafka`.
struct DevKafkaArgs {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;  // name, partitions
  std::string bootstrap_file;                       // empty = none
};

/// Parses `[--brokers N] [--topic name[:partitions]]... [--bootstrap-file F]`; throws a user
/// error with the usage line on anything else.
DevKafkaArgs parse_dev_kafka_args(const std::vector<std::string>& args);

/// `velo dev kafka ...`: starts a DevKafkaCluster, creates the topics, prints
/// `bootstrap: 127.0.0.1:PORT`, writes the address to --bootstrap-file (atomically), then blocks
/// until SIGINT or SIGTERM and stops the cluster (removing the bootstrap file). Returns the exit
/// code. Blocks SIGINT/SIGTERM in the calling thread before any librdkafka thread starts.
int run_dev_kafka(const std::vector<std::string>& args);

}  // namespace velo::kafka

namespace velo {
// The CLI (`velo dev kafka`) and tests name these from namespace velo.
using kafka::DevKafkaCluster;
using kafka::run_dev_kafka;
}  // namespace velo
