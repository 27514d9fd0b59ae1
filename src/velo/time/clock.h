#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace velo {

/// Processing time in TIMESTAMP microseconds. Jobs read time only through a Clock so tests can
/// inject one (idle timeouts, processing-time windows) and never sleep on the wall clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_micros() const = 0;
};

/// The wall clock (process-wide, stateless).
const std::shared_ptr<const Clock>& system_clock();

/// A clock that moves only when told to. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_micros = 0) : now_(start_micros) {}
  int64_t now_micros() const override { return now_.load(std::memory_order_relaxed); }
  void advance(int64_t micros) { now_.fetch_add(micros, std::memory_order_relaxed); }
  void set(int64_t micros) { now_.store(micros, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace velo
