#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "velo/io/source.h"

namespace velo {

/// Prints "rows, MB/s, elapsed, % of input" on one refreshing stderr line while a bounded job
/// runs. Reads source progress counters from a background thread; stops (and clears the line)
/// when destroyed.
class ProgressReporter {
 public:
  ProgressReporter(std::vector<std::shared_ptr<Source>> sources, const std::atomic<int64_t>* rows_out);
  ~ProgressReporter();

 private:
  void run();
  void print(bool final);

  std::vector<std::shared_ptr<Source>> sources_;
  const std::atomic<int64_t>* rows_out_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool printed_ = false;
  std::thread thread_;
};

}  // namespace velo
