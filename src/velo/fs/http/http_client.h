#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "velo/fs/http/retry_policy.h"
#include "velo/io/options.h"

namespace velo::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One HTTP request. The body and the response buffer belong to the caller and must outlive
/// send().
struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;             // complete and already percent-encoded
  Headers headers;             // sent as given (signers add theirs)
  std::string_view body;       // PUT/POST payload
  /// When set, a 2xx response body goes straight here (ranged reads into the caller's memory);
  /// a body longer than `response_capacity` is an error (the server ignored Range).
  char* response_buffer = nullptr;
  size_t response_capacity = 0;

  /// The first value of a header (name compared case-insensitively).
  std::optional<std::string> header(std::string_view name) const;
};

struct HttpResponse {
  long status = 0;
  Headers headers;          // names lower-case
  std::string body;         // unless the request had a response_buffer and the status was 2xx
  size_t buffer_bytes = 0;  // bytes written to the request's response_buffer
  int attempts = 0;         // tries it took (>1 means an earlier try failed)

  std::optional<std::string> header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

/// Timeouts and retries of one client. From the WITH clause: `max_attempts`,
/// `connect_timeout`, `request_timeout` (durations), `retry_base_delay`.
struct HttpClientOptions {
  RetryPolicy retry;
  int64_t connect_timeout_ms = 10000;
  int64_t request_timeout_ms = 300000;  // whole request; 0 = none
  /// Abort a transfer that moved less than 1 byte/s for this long (a stalled connection).
  int64_t stall_timeout_s = 60;

  static HttpClientOptions from(const Options& options);
};

/// Re-signs a request before each attempt (signatures carry a timestamp).
using RequestSigner = std::function<void(HttpRequest&)>;

/// An HTTP/1.1 client over libcurl. Easy handles (and so their TCP/TLS connections) are pooled
/// process-wide and reused by whichever thread sends next. Thread-safe; send() blocks.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {}) : options_(std::move(options)) {}

  /// Sends `request` (signed by `sign` per attempt), retrying with jittered backoff on
  /// connection errors, timeouts and retryable statuses (is_retryable_status) up to
  /// retry.max_attempts. Returns the last response whatever its status; throws a retryable
  /// io Error starting with `what` when no attempt got a response.
  HttpResponse send(const HttpRequest& request, const RequestSigner& sign,
                    std::string_view what) const;

  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
};

}  // namespace velo::http
