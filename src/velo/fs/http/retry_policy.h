#pragma once

#include <cstdint>
#include <string_view>

namespace velo::http {

/// When and how long to wait before trying an HTTP request again: jittered exponential backoff
/// ("full jitter": a uniform delay in [0, min(max, base * 2^attempt)]), so clients that failed
/// together do not retry together. Immutable, thread-safe.
struct RetryPolicy {
  int max_attempts = 6;          // total tries, including the first
  int64_t base_delay_ms = 100;   // before jitter, doubled per attempt
  int64_t max_delay_ms = 10000;  // cap before jitter

  /// Delay before attempt `attempt + 1` (attempt counts from 1 = the try that just failed).
  int64_t delay_ms(int attempt) const;
};

/// True for statuses worth retrying: 5xx except 501 (not implemented), 429, and the throttling or
/// timeout codes S3 and Azure put in 4xx/503 bodies (SlowDown, RequestTimeout, ServerBusy, ...).
bool is_retryable_status(long status, std::string_view body);

}  // namespace velo::http
