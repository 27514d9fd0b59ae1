#include "velo/connectors/kafka/kafka_uri.h"

#include <cctype>

#include "velo/types/data_type.h"
#include "velo/types/error.h"

namespace velo::kafka {
namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(start, comma - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.pop_back();
    size_t first = 0;
    while (first < item.size() && std::isspace(static_cast<unsigned char>(item[first]))) ++first;
    out.push_back(item.substr(first));
    start = comma + 1;
  }
  return out;
}

bool valid_topic_name(const std::string& t) {
  if (t.empty() || t.size() > 249 || t == "." || t == "..") return false;
  for (char c : t) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return false;
  }
  return true;
}

}  // namespace

std::string KafkaUri::to_string() const {
  std::string s = "kafka://" + brokers + "/";
  for (size_t i = 0; i < topics.size(); ++i) s += (i ? "," : "") + topics[i];
  return s;
}

KafkaUri parse_kafka_uri(const std::string& uri) {
  constexpr std::string_view kScheme = "kafka://";
  if (uri.size() < kScheme.size() ||
      !iequals(std::string_view(uri).substr(0, kScheme.size()), kScheme))
    throw_user_error("'{}' is not a Kafka URI (expected kafka://host:port/topic)", uri);
  std::string rest = uri.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string::npos)
    throw_user_error("Kafka URI '{}' has no topic (expected kafka://host:port/topic)", uri);
  std::string hosts = rest.substr(0, slash);
  std::string topics = rest.substr(slash + 1);
  while (!topics.empty() && topics.back() == '/') topics.pop_back();

  KafkaUri out;
  for (auto& h : split_list(hosts)) {
    if (h.empty()) throw_user_error("Kafka URI '{}' has an empty broker address", uri);
    // "host" -> "host:9092"; "[::1]:9092" and "host:port" stay as they are.
    bool has_port = h.back() != ']' && h.rfind(':') != std::string::npos &&
                    (h.front() != '[' || h.rfind("]:") != std::string::npos);
    if (!has_port) h += ":9092";
    if (!out.brokers.empty()) out.brokers += ",";
    out.brokers += h;
  }
  if (out.brokers.empty()) throw_user_error("Kafka URI '{}' names no broker", uri);
  if (topics.empty()) throw_user_error("Kafka URI '{}' has no topic", uri);
  for (auto& t : split_list(topics)) {
    if (!valid_topic_name(t))
      throw_user_error(
          "Kafka URI '{}': '{}' is not a valid topic name (letters, digits, '.', '_', '-')", uri,
          t);
    out.topics.push_back(t);
  }
  return out;
}

}  // namespace velo::kafka
