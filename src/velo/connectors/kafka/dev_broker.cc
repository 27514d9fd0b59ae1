#include "velo/connectors/kafka/dev_broker.h"

#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace velo::kafka {

DevKafkaCluster::DevKafkaCluster(int brokers) : brokers_(brokers) {
  if (brokers < 1 || brokers > 32)
    throw_user_error("dev kafka: --brokers must be 1..32, got {}", brokers);
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[256];
  // The hosting handle never talks to a broker; keep its logs quiet.
  rd_kafka_conf_set(conf.get(), "log_level", "3", errstr, sizeof(errstr));
  owner_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf));
  mock_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
  if (!mock_) throw_io_error("dev kafka: cannot start the mock cluster");
}

DevKafkaCluster::~DevKafkaCluster() {
  if (mock_) rd_kafka_mock_cluster_destroy(mock_);
}

std::string DevKafkaCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(mock_); }

void DevKafkaCluster::create_topic(const std::string& topic, int partitions) {
  if (partitions < 1) throw_user_error("dev kafka: topic '{}' needs >= 1 partition", topic);
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, 1);
  if (err) throw_kafka_error(err, fmt::format("dev kafka: creating topic '{}'", topic));
}

namespace {
constexpr const char* kUsage =
    "usage: velo dev kafka [--brokers N] [--topic name[:partitions]]... [--bootstrap-file F]";

int parse_positive(const std::string& flag, const std::string& text) {
  size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || n < 1)
    throw_user_error("{} needs a positive number, got '{}'\n{}", flag, text, kUsage);
  return n;
}
}  // namespace

DevKafkaArgs parse_dev_kafka_args(const std::vector<std::string>& args) {
  DevKafkaArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag) -> std::string {
      std::string prefix = flag + "=";
      if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
      if (i + 1 >= args.size()) throw_user_error("{} needs a value\n{}", flag, kUsage);
      return args[++i];
    };
    auto is = [&](const std::string& flag) { return a == flag || a.rfind(flag + "=", 0) == 0; };
    if (is("--brokers")) {
      out.brokers = parse_positive("--brokers", value("--brokers"));
    } else if (is("--topic")) {
      std::string spec = value("--topic");
      size_t colon = spec.rfind(':');
      std::string name = colon == std::string::npos ? spec : spec.substr(0, colon);
      int partitions =
          colon == std::string::npos ? 1 : parse_positive("--topic", spec.substr(colon + 1));
      if (name.empty()) throw_user_error("--topic needs a name\n{}", kUsage);
      out.topics.emplace_back(name, partitions);
    } else if (is("--bootstrap-file")) {
      out.bootstrap_file = value("--bootstrap-file");
    } else if (a == "-h" || a == "--help") {
      throw_user_error("{}", kUsage);
    } else {
      throw_user_error("unknown argument '{}'\n{}", a, kUsage);
    }
  }
  return out;
}

int run_dev_kafka(const std::vector<std::string>& args) {
  DevKafkaArgs parsed = parse_dev_kafka_args(args);
  // Block the stop signals before librdkafka starts its threads (they inherit the mask), so
  // sigwait below is the one place that receives them.
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, &old);

  int code = 0;
  {
    DevKafkaCluster cluster(parsed.brokers);
    for (const auto& [name, partitions] : parsed.topics) cluster.create_topic(name, partitions);
    std::string bootstrap = cluster.bootstrap();
    if (!parsed.bootstrap_file.empty()) {
      std::string tmp = parsed.bootstrap_file + ".tmp";
      {
        std::ofstream f(tmp, std::ios::trunc);
        f << bootstrap << "\n";
        if (!f.good()) throw_io_error("dev kafka: cannot write '{}'", tmp);
      }
      std::filesystem::rename(tmp, parsed.bootstrap_file);
    }
    fmt::print("bootstrap: {}\n", bootstrap);
    for (const auto& [name, partitions] : parsed.topics)
      fmt::print("topic: {} ({} partition{})\n", name, partitions, partitions == 1 ? "" : "s");
    fmt::print("kafka dev cluster with {} broker{} running; Ctrl-C stops it\n", parsed.brokers,
               parsed.brokers == 1 ? "" : "s");
    std::fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    if (!parsed.bootstrap_file.empty()) {
      std::error_code ec;
      std::filesystem::remove(parsed.bootstrap_file, ec);
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return code;
}

}  // namespace velo::kafka
