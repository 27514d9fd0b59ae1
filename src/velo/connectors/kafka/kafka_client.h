#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "velo/connectors/kafka/kafka_uri.h"
#include "velo/types/error.h"

namespace velo::kafka {

// ---- RAII owners of librdkafka handles ----------------------------------------------------------

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct TopicDeleter {
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* h) const { rd_kafka_headers_destroy(h); }
};
struct GroupMetadataDeleter {
  void operator()(rd_kafka_consumer_group_metadata_t* m) const {
    rd_kafka_consumer_group_metadata_destroy(m);
  }
};
struct ErrorDeleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
/// Destroying a consumer handle does not close it: call rd_kafka_consumer_close() first.
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;
using KafkaErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;
using GroupMetadataPtr = std::unique_ptr<rd_kafka_consumer_group_metadata_t, GroupMetadataDeleter>;

inline PartitionListPtr make_partition_list(int size) {
  return PartitionListPtr(rd_kafka_topic_partition_list_new(size));
}

// ---- error conversion at the adapter edge -----------------------------------------------------

/// True for errors a retry may fix: transport, timeouts, leader changes, brokers down.
bool is_retryable(rd_kafka_resp_err_t err);

/// velo::Error for a librdkafka error code: kIo (retryable when is_retryable) for broker
/// trouble, kUser for authorization / unknown topic / bad configuration. `context` says what was
/// being done ("reading kafka://h/t").
Error kafka_error(rd_kafka_resp_err_t err, const std::string& context);
[[noreturn]] void throw_kafka_error(rd_kafka_resp_err_t err, const std::string& context);

// ---- configuration ----------------------------------------------------------------------------

/// Builds a librdkafka configuration: `bootstrap.servers = brokers`, then `defaults`, then the
/// user's `kafka.<prop>` passthrough (which wins). Throws a user error naming the property on an
/// unknown property or invalid value; values of secret-looking properties are never printed.
ConfPtr make_conf(const std::string& brokers, const std::map<std::string, std::string>& defaults,
                  const std::map<std::string, std::string>& passthrough);

/// Creates a consumer or producer handle; takes ownership of `conf` (also on failure).
HandlePtr make_handle(rd_kafka_type_t type, ConfPtr conf);

/// Partition counts of `uri.topics`, from metadata requests retried with backoff (100 ms doubling
/// to 2 s) until `timeout_ms`: brokers that are down at start get that long to come up. Throws
/// Error(kIo, retryable) naming the brokers and connect_timeout when none answers, a user error
/// when a topic does not exist or is not authorized. Blocking.
std::vector<int> fetch_partition_counts(rd_kafka_t* rk, const KafkaUri& uri, int64_t timeout_ms);

/// Milliseconds until `deadline`, clamped to [0, INT32_MAX].
int remaining_ms(std::chrono::steady_clock::time_point deadline);

}  // namespace velo::kafka
