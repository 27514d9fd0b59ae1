#include "velo/fs/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "velo/types/error.h"

namespace velo::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// Idle easy handles shared by every client. A handle keeps its connection cache, so taking one
// from the pool reuses a warm connection to the same host.
class CurlHandlePool {
 public:
  static CurlHandlePool& instance() {
    static CurlHandlePool pool;
    return pool;
  }
  CurlPtr acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CurlPtr h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
    }
    CurlPtr h(curl_easy_init());
    if (!h) throw_internal_error("curl_easy_init failed");
    return h;
  }
  void release(CurlPtr h) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(h));
  }

 private:
  static constexpr size_t kMaxIdle = 64;
  CurlHandlePool() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  std::mutex mu_;
  std::vector<CurlPtr> idle_;
};

// Returns the handle to the pool however send_once leaves.
class PooledHandle {
 public:
  PooledHandle() : h_(CurlHandlePool::instance().acquire()) {}
  ~PooledHandle() {
    curl_easy_reset(h_.get());  // keeps live connections, drops options
    CurlHandlePool::instance().release(std::move(h_));
  }
  CURL* get() const { return h_.get(); }

 private:
  CurlPtr h_;
};

struct Transfer {
  CURL* curl;
  const HttpRequest* request;
  HttpResponse* response;
  bool overflow = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return line.size();
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->response->headers.emplace_back(std::move(name), std::string(value));
  return line.size();
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->request->response_buffer != nullptr && status >= 200 && status < 300) {
    size_t& filled = t->response->buffer_bytes;
    if (filled + n > t->request->response_capacity) {
      t->overflow = true;
      return 0;  // aborts the transfer
    }
    std::memcpy(t->request->response_buffer + filled, data, n);
    filled += n;
    return n;
  }
  t->response->body.append(data, n);
  return n;
}

bool retryable_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:  // garbage on a connection; a fresh one may be fine
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// One attempt. Returns CURLE_OK with `response` filled, or the transport error.
CURLcode send_once(const HttpRequest& req, const HttpClientOptions& opts, HttpResponse* response,
                   bool* overflow, std::string* error_text) {
  PooledHandle handle;
  CURL* c = handle.get();
  Transfer transfer{c, &req, response};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.connect_timeout_ms));
  if (opts.request_timeout_ms > 0)
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opts.request_timeout_ms));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(opts.stall_timeout_s));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);

  bool has_body = req.method == "PUT" || req.method == "POST";
  if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (has_body) {
    // POSTFIELDS sends the caller's memory as is (no copy) with a Content-Length.
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.empty() ? "" : req.body.data());
  }

  curl_slist* raw = nullptr;
  for (const auto& [k, v] : req.headers) raw = curl_slist_append(raw, (k + ": " + v).c_str());
  // No "Expect: 100-continue" round trip, and no Content-Type we did not sign (Azure signs it).
  raw = curl_slist_append(raw, "Expect:");
  if (has_body && !req.header("content-type")) raw = curl_slist_append(raw, "Content-Type:");
  SlistPtr header_list(raw);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());

  CURLcode rc = curl_easy_perform(c);
  *overflow = transfer.overflow;
  if (rc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response->status);
  else
    *error_text = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  return rc;
}

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
  return find_header(headers, name);
}
std::optional<std::string> HttpResponse::header(std::string_view name) const {
  return find_header(headers, name);
}

HttpClientOptions HttpClientOptions::from(const Options& options) {
  HttpClientOptions o;
  o.retry.max_attempts = static_cast<int>(options.get_int("max_attempts", o.retry.max_attempts));
  if (o.retry.max_attempts < 1) throw_user_error("max_attempts must be at least 1");
  o.retry.base_delay_ms =
      options.get_duration_us("retry_base_delay", o.retry.base_delay_ms * 1000) / 1000;
  o.connect_timeout_ms =
      options.get_duration_us("connect_timeout", o.connect_timeout_ms * 1000) / 1000;
  o.request_timeout_ms =
      options.get_duration_us("request_timeout", o.request_timeout_ms * 1000) / 1000;
  return o;
}

HttpResponse HttpClient::send(const HttpRequest& request, const RequestSigner& sign,
                              std::string_view what) const {
  std::string last_error;
  const RetryPolicy& retry = options_.retry;
  for (int attempt = 1;; ++attempt) {
    HttpRequest signed_request = request;
    if (sign) sign(signed_request);
    HttpResponse response;
    bool overflow = false;
    std::string error_text;
    CURLcode rc = send_once(signed_request, options_, &response, &overflow, &error_text);
    response.attempts = attempt;
    if (overflow)
      throw Error(ErrorKind::kIo, fmt::format("{}: the server sent more bytes than requested "
                                              "(Range ignored?)",
                                              what));
    bool retry_it;
    if (rc == CURLE_OK) {
      retry_it = is_retryable_status(response.status, response.body);
      if (!retry_it || attempt >= retry.max_attempts) return response;
      last_error = fmt::format("HTTP {}", response.status);
    } else {
      retry_it = retryable_curl_error(rc);
      last_error = error_text;
      if (!retry_it || attempt >= retry.max_attempts)
        throw Error(ErrorKind::kIo,
                    fmt::format("{}: {} (after {} attempt{})", what, last_error, attempt,
                                attempt == 1 ? "" : "s"),
                    {}, retry_it);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(retry.delay_ms(attempt)));
  }
}

}  // namespace velo::http
