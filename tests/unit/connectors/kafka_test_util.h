#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "velo/connectors/kafka/dev_broker.h"
#include "velo/connectors/kafka/kafka_sink.h"
#include "velo/connectors/kafka/kafka_source.h"

namespace velo::kafka::testing {

/// Runs a shell command, returns its stdout; fails the test on a non-zero exit.
inline std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "popen failed: " << cmd;
    return out;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int rc = pclose(p);
  EXPECT_EQ(rc, 0) << cmd;
  return out;
}

/// Writes `text` to a fresh temp file and returns its path.
inline std::string temp_file(const std::string& text) {
  static int counter = 0;
  std::string path = fmt::format("/tmp/velo_kafka_test_{}_{}.txt", getpid(), counter++);
  std::ofstream(path) << text;
  return path;
}

/// Produces `lines` (each "key:value" when keyed) with kcat, the independent client.
inline void kcat_produce(const std::string& bootstrap, const std::string& topic,
                         const std::vector<std::string>& lines, bool keyed = false,
                         int partition = -1) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  std::string file = temp_file(text);
  run(fmt::format("kcat -P -b {} -t {} {} {} -l {} 2>&1", bootstrap, topic, keyed ? "-K:" : "",
                  partition >= 0 ? fmt::format("-p {}", partition) : "", file));
  unlink(file.c_str());
}

/// Consumes a whole topic with kcat; `format` as kcat's -f.
inline std::string kcat_consume(const std::string& bootstrap, const std::string& topic,
                                const std::string& format = "%s\\n") {
  return run(
      fmt::format("kcat -C -b {} -t {} -e -q -f '{}' 2>/dev/null", bootstrap, topic, format));
}

inline Options options(std::initializer_list<std::pair<std::string, std::string>> kv) {
  Options o;
  for (const auto& [k, v] : kv) o.set(k, v);
  return o;
}

/// Reads a bounded source to the end; returns every batch.
inline std::vector<Batch> read_all(Source& source, int timeout_s = 30) {
  auto readers = source.open(1);
  std::vector<Batch> out;
  auto stop = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (auto& r : readers) {
    while (std::chrono::steady_clock::now() < stop) {
      Batch b;
      PollStatus s = r->next(&b, std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
      if (s == PollStatus::kEnd) break;
      if (s == PollStatus::kBatch) out.push_back(std::move(b));
    }
  }
  return out;
}

/// Rows as text: cells joined by '|', via Value::to_string.
inline std::vector<std::string> rows_of(const std::vector<Batch>& batches) {
  std::vector<std::string> rows;
  for (const auto& b : batches)
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::string s;
      for (size_t c = 0; c < b.columns.size(); ++c)
        s += (c ? "|" : "") + b.columns[c]->value_at(r).to_string();
      rows.push_back(s);
    }
  return rows;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

/// One in-process cluster per test, with a fresh topic name.
class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override { cluster_ = std::make_unique<DevKafkaCluster>(1); }
  std::string bootstrap() const { return cluster_->bootstrap(); }
  std::string uri(const std::string& topic) const { return "kafka://" + bootstrap() + "/" + topic; }
  std::unique_ptr<DevKafkaCluster> cluster_;
};

}  // namespace velo::kafka::testing
