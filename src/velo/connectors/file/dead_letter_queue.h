#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "velo/formats/format.h"
#include "velo/io/options.h"

namespace velo {

/// Dead-letter records of one job: JSON Lines written through the FileSystem (file-like URIs)
/// or a sink (other schemes, e.g. Kafka), made visible by commit(). Thread-safe.
class DeadLetterQueue {
 public:
  DeadLetterQueue(std::string uri, const Options& source_options)
      : uri_(std::move(uri)), fs_options_(source_options) {}
  ~DeadLetterQueue() { abort(); }

  /// Records one rejected record (`fallback_file` names the file when the reader did not).
  void add(const RejectedRecord& r, const std::string& fallback_file);
  /// Publishes what was added so far.
  void commit();
  void abort() noexcept;

 private:
  std::mutex mu_;
  std::string uri_;
  Options fs_options_;
  std::unique_ptr<OutputStream> stream_;
  bool committed_ = false;
  std::vector<RejectedRecord> pending_;  // `raw` of these is not kept; see raw_
  std::vector<std::string> raw_;
};

}  // namespace velo
