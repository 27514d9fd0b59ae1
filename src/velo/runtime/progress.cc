#include "velo/runtime/progress.h"

#include <fmt/format.h>

#include <cstdio>

namespace velo {

ProgressReporter::ProgressReporter(std::vector<std::shared_ptr<Source>> sources,
                                   const std::atomic<int64_t>* rows_out)
    : sources_(std::move(sources)), rows_out_(rows_out), start_(std::chrono::steady_clock::now()) {
  thread_ = std::thread([this] { run(); });
}

ProgressReporter::~ProgressReporter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (printed_) std::fputs("\r\033[K", stderr);
}

void ProgressReporter::run() {
  std::unique_lock<std::mutex> lock(mu_);
  // Quick jobs never show a progress line.
  if (cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stop_; })) return;
  while (!stop_) {
    print(false);
    cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_; });
  }
}

void ProgressReporter::print(bool final) {
  int64_t bytes = 0, total = 0, rows_in = 0;
  bool total_known = true;
  for (const auto& s : sources_) {
    SourceProgress p = s->progress();
    bytes += p.bytes_read;
    rows_in += p.rows;
    if (p.total_bytes < 0) total_known = false;
    else total += p.total_bytes;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = fmt::format("\r\033[K{:>12L} rows in  {:>12L} rows out  {:8.1f} MB/s  {:6.1f}s", rows_in,
                                 rows_out_->load(), secs > 0 ? bytes / 1e6 / secs : 0.0, secs);
  if (total_known && total > 0) line += fmt::format("  {:5.1f}%", 100.0 * bytes / total);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  printed_ = !final;
}

}  // namespace velo
