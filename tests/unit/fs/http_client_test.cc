#include "velo/fs/http/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "velo/fs/gcs/gcs_config.h"
#include "velo/types/error.h"

namespace velo::http {
namespace {

// A loopback HTTP/1.1 server that answers each request with the next scripted action: a raw
// response, or "DROP" to close the connection without answering. Keeps connections alive, so
// tests can see whether the client reuses them.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::deque<std::string> script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int c : open_) ::shutdown(c, SHUT_RDWR);  // the client's pool keeps them alive
    }
    for (auto& t : conns_) t.join();
    for (int c : open_) ::close(c);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int connections() const { return connections_; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  static std::string response(int status, const std::string& body,
                              const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
           "\r\n" + body;
  }

 private:
  void accept_loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      {
        std::lock_guard<std::mutex> lock(mu_);
        open_.push_back(c);
      }
      conns_.emplace_back([this, c] { serve(c); });
    }
  }
  void serve(int c) {
    std::string buf;
    char tmp[65536];
    while (true) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return finish(c);
        buf.append(tmp, static_cast<size_t>(n));
      }
      size_t length = 0;
      std::string head = buf.substr(0, end);
      for (const char* name : {"Content-Length: ", "content-length: "})
        if (size_t p = head.find(name); p != std::string::npos)
          length = std::stoul(head.substr(p + std::strlen(name)));
      while (buf.size() < end + 4 + length) {
        ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return finish(c);
        buf.append(tmp, static_cast<size_t>(n));
      }
      std::string action;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(buf.substr(0, end + 4 + length));
        action = script_.empty() ? response(200, "") : script_.front();
        if (!script_.empty()) script_.pop_front();
      }
      buf.erase(0, end + 4 + length);
      if (action == "DROP") return finish(c);
      ::send(c, action.data(), action.size(), MSG_NOSIGNAL);
    }
  }
  void finish(int c) { ::shutdown(c, SHUT_RDWR); }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
  std::vector<std::thread> conns_;
  std::mutex mu_;
  std::deque<std::string> script_;
  std::vector<std::string> requests_;
  std::vector<int> open_;
};

HttpClientOptions fast() {
  HttpClientOptions o;
  o.retry.max_attempts = 4;
  o.retry.base_delay_ms = 1;
  o.retry.max_delay_ms = 5;
  o.connect_timeout_ms = 2000;
  o.request_timeout_ms = 10000;
  return o;
}

TEST(HttpClient, RetriesThrottlingAndServerErrorsThenSucceeds) {
  ScriptedServer server({ScriptedServer::response(503, "<Error><Code>SlowDown</Code></Error>"),
                         ScriptedServer::response(500, "oops"),
                         ScriptedServer::response(200, "done")});
  HttpClient client(fast());
  HttpRequest req;
  req.url = server.url("/k");
  int signed_times = 0;
  HttpResponse r = client.send(
      req, [&](HttpRequest&) { ++signed_times; }, "GET k");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "done");
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(signed_times, 3);  // re-signed for every attempt
}

TEST(HttpClient, RetriesDroppedConnections) {
  ScriptedServer server({"DROP", "DROP", ScriptedServer::response(200, "ok")});
  HttpClient client(fast());
  HttpRequest req;
  req.method = "PUT";
  req.url = server.url("/k");
  req.body = "payload";
  HttpResponse r = client.send(req, nullptr, "PUT k");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 3);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs.back().rfind("PUT /k HTTP/1.1", 0), 0u);
  EXPECT_NE(reqs.back().find("\r\n\r\npayload"), std::string::npos);
  EXPECT_EQ(reqs.back().find("Expect:"), std::string::npos);
}

TEST(HttpClient, GivesUpAfterMaxAttemptsAndReturnsTheLastAnswer) {
  HttpClientOptions o = fast();
  o.retry.max_attempts = 2;
  ScriptedServer server({ScriptedServer::response(503, "busy"),
                         ScriptedServer::response(503, "busy"),
                         ScriptedServer::response(200, "late")});
  HttpClient client(o);
  HttpRequest req;
  req.url = server.url("/k");
  HttpResponse r = client.send(req, nullptr, "GET k");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.attempts, 2);
}

TEST(HttpClient, DoesNotRetryClientErrors) {
  ScriptedServer server({ScriptedServer::response(404, "<Error><Code>NoSuchKey</Code></Error>"),
                         ScriptedServer::response(200, "never")});
  HttpClient client(fast());
  HttpRequest req;
  req.url = server.url("/k");
  HttpResponse r = client.send(req, nullptr, "GET k");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.attempts, 1);
}

TEST(HttpClient, ReusesConnections) {
  ScriptedServer server({});
  HttpClient client(fast());
  for (int i = 0; i < 5; ++i) {
    HttpRequest req;
    req.url = server.url("/k" + std::to_string(i));
    EXPECT_EQ(client.send(req, nullptr, "GET").status, 200);
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, RangedBodyGoesIntoTheCallersBuffer) {
  ScriptedServer server({ScriptedServer::response(206, "abcd", "Content-Range: bytes 0-3/10\r\n"),
                         ScriptedServer::response(206, "too long for the buffer")});
  HttpClient client(fast());
  char buf[8] = {0};
  HttpRequest req;
  req.url = server.url("/k");
  req.response_buffer = buf;
  req.response_capacity = sizeof buf;
  HttpResponse r = client.send(req, nullptr, "GET k");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.buffer_bytes, 4u);
  EXPECT_EQ(std::string(buf, 4), "abcd");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.header("CONTENT-RANGE").value_or(""), "bytes 0-3/10");
  EXPECT_THROW(client.send(req, nullptr, "GET k"), Error);
}

TEST(HttpClient, ConnectionRefusedIsARetryableErrorNamingTheOperation) {
  int port;
  {
    ScriptedServer probe({});
    port = std::stoi(probe.url("").substr(17));
  }
  HttpClientOptions o = fast();
  o.retry.max_attempts = 2;
  HttpClient client(o);
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/k";
  try {
    client.send(req, nullptr, "GET 's3://b/k' (credentials from AWS_ACCESS_KEY_ID)");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(e.retryable());
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(e.message().find("s3://b/k"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("credentials from AWS_ACCESS_KEY_ID"), std::string::npos);
    EXPECT_NE(e.message().find("after 2 attempts"), std::string::npos) << e.message();
  }
}

std::string generated_private_key_pem() {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

TEST(ServiceAccountTokens, ExchangesAJwtOnceAndCachesTheToken) {
  ScriptedServer server({ScriptedServer::response(
      200, R"({"access_token":"ya29.first","expires_in":3600,"token_type":"Bearer"})")});
  gcs::ServiceAccountKey key;
  key.client_email = "sa@p.iam.gserviceaccount.com";
  key.private_key = generated_private_key_pem();
  key.token_uri = server.url("/token");
  gcs::ServiceAccountTokenSource tokens(key, fast());
  EXPECT_EQ(tokens.token(), "ya29.first");
  EXPECT_EQ(tokens.token(), "ya29.first");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].rfind("POST /token HTTP/1.1", 0), 0u);
  EXPECT_NE(reqs[0].find("Content-Type: application/x-www-form-urlencoded"), std::string::npos);
  EXPECT_NE(reqs[0].find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
                         "&assertion=eyJ"),
            std::string::npos)
      << reqs[0];
}

TEST(ServiceAccountTokens, RefusalNamesTheAccountNotTheAssertion) {
  ScriptedServer server({ScriptedServer::response(400, R"({"error":"invalid_grant"})")});
  gcs::ServiceAccountKey key;
  key.client_email = "sa@p.iam.gserviceaccount.com";
  key.private_key = generated_private_key_pem();
  key.token_uri = server.url("/token");
  key.source = "service account key /k.json";
  gcs::ServiceAccountTokenSource tokens(key, fast());
  try {
    tokens.token();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("HTTP 400 invalid_grant"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("sa@p.iam.gserviceaccount.com"), std::string::npos);
    EXPECT_NE(e.message().find("/k.json"), std::string::npos);
    EXPECT_EQ(e.message().find("eyJ"), std::string::npos) << "the signed assertion leaked";
  }
}

}  // namespace
}  // namespace velo::http
