#include "velo/connectors/kafka/kafka_client.h"

#include <algorithm>
#include <climits>
#include <thread>

namespace velo::kafka {

bool is_retryable(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
      return true;
    default:
      return false;
  }
}

Error kafka_error(rd_kafka_resp_err_t err, const std::string& context) {
  std::string msg =
      fmt::format("{}: {} ({})", context, rd_kafka_err2str(err), rd_kafka_err2name(err));
  switch (err) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return Error(ErrorKind::kUser, msg);
    default:
      return Error(ErrorKind::kIo, msg, {}, is_retryable(err));
  }
}

void throw_kafka_error(rd_kafka_resp_err_t err, const std::string& context) {
  throw kafka_error(err, context);
}

namespace {
bool secret_property(const std::string& name) {
  return name.find("password") != std::string::npos || name.find("secret") != std::string::npos ||
         name.find("key") != std::string::npos || name.find("token") != std::string::npos ||
         name.find("jaas") != std::string::npos;
}

void set_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
      RD_KAFKA_CONF_OK) {
    if (secret_property(name))
      throw_user_error("invalid Kafka property 'kafka.{}' (value hidden): {}", name, errstr);
    throw_user_error("invalid Kafka property 'kafka.{}' = '{}': {}", name, value, errstr);
  }
}
}  // namespace

ConfPtr make_conf(const std::string& brokers, const std::map<std::string, std::string>& defaults,
                  const std::map<std::string, std::string>& passthrough) {
  ConfPtr conf(rd_kafka_conf_new());
  set_property(conf.get(), "bootstrap.servers", brokers);
  // librdkafka logs connection failures to stderr; they reach the user as errors (with
  // connect_timeout) instead. kafka.log_level = 7 brings the logs back for debugging.
  set_property(conf.get(), "log_level", "2");
  for (const auto& [k, v] : defaults) set_property(conf.get(), k, v);
  for (const auto& [k, v] : passthrough) set_property(conf.get(), k, v);
  return conf;
}

HandlePtr make_handle(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512];
  // rd_kafka_new takes ownership of the configuration only when it succeeds.
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (!rk) throw_user_error("cannot create Kafka client: {}", errstr);
  (void)conf.release();
  return HandlePtr(rk);
}

std::vector<int> fetch_partition_counts(rd_kafka_t* rk, const KafkaUri& uri, int64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int backoff_ms = 100;
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string last_topic;
  while (true) {
    std::vector<int> counts;
    bool retry = false;
    for (const auto& topic : uri.topics) {
      TopicPtr t(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
      const rd_kafka_metadata_t* md = nullptr;
      int wait = std::clamp(remaining_ms(deadline), 1, 5000);
      rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t.get(), &md, wait);
      MetadataPtr owned(md);
      if (err) {
        last = err;
        retry = true;
        break;
      }
      if (md->topic_cnt < 1 || md->topics[0].err) {
        last = md->topic_cnt < 1 ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : md->topics[0].err;
        last_topic = topic;
        // A topic being created answers UNKNOWN_TOPIC / LEADER_NOT_AVAILABLE for a moment;
        // authorization and other hard errors do not get better by waiting.
        if (last != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && !is_retryable(last))
          throw kafka_error(last, fmt::format("Kafka topic '{}' on {}", topic, uri.brokers));
        retry = true;
        break;
      }
      counts.push_back(md->topics[0].partition_cnt);
    }
    if (!retry) return counts;
    if (std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff_ms) >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, 2000);
  }
  if (last == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || last == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
    throw_user_error("Kafka topic '{}' does not exist on {}", last_topic, uri.brokers);
  if (!last_topic.empty())
    throw kafka_error(last, fmt::format("Kafka topic '{}' on {} is not available after {} ms",
                                        last_topic, uri.brokers, timeout_ms));
  throw Error(ErrorKind::kIo,
              fmt::format("cannot reach Kafka brokers {} within connect_timeout ({} ms): {} ({})",
                          uri.brokers, timeout_ms, rd_kafka_err2str(last), rd_kafka_err2name(last)),
              {}, true);
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, INT_MAX));
}

}  // namespace velo::kafka
