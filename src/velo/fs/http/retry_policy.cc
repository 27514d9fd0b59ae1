#include "velo/fs/http/retry_policy.h"

#include <algorithm>
#include <random>

namespace velo::http {

int64_t RetryPolicy::delay_ms(int attempt) const {
  int shift = std::clamp(attempt - 1, 0, 30);
  int64_t cap = std::min(max_delay_ms, base_delay_ms << shift);
  if (cap <= 0) return 0;
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_int_distribution<int64_t>(0, cap)(rng);
}

bool is_retryable_status(long status, std::string_view body) {
  if (status == 429) return true;
  if (status >= 500 && status != 501 && status != 505) return true;
  if (status == 400 || status == 403 || status == 409) {
    // S3 answers a stalled upload with 400 RequestTimeout and clock skew with 403
    // RequestTimeTooSkewed (a fresh signature fixes it); Azure throttles with 409/503 bodies.
    for (std::string_view code : {"<Code>RequestTimeout</Code>", "<Code>SlowDown</Code>",
                                  "<Code>RequestTimeTooSkewed</Code>", "<Code>ServerBusy</Code>",
                                  "<Code>OperationTimedOut</Code>"})
      if (body.find(code) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace velo::http
