#pragma once

// A stand-in for the Confluent Schema Registry, used only because no Schema Registry can be
// installed here: a thread serving the few REST endpoints the Kafka connector and Confluent's
// Python serializers call over plain HTTP/1.1 on 127.0.0.1 (GET /schemas/ids/{id}, GET
// /subjects/{s}/versions/latest|{n}, POST /subjects/{s}/versions, POST /subjects/{s} to look a
// schema up), answering with the registry's JSON shapes and error bodies. Schemas keep their
// schemaType (AVRO when none is given) and references.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "velo/types/value.h"

namespace velo::kafka::testing {

class FakeSchemaRegistry {
 public:
  FakeSchemaRegistry() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd_, 16) != 0)
      throw std::runtime_error("fake registry: bind/listen failed");
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeSchemaRegistry() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  /// Registers `schema` under `subject` (as POST would); returns its id. `references` is the
  /// JSON array of the registry's API, or empty.
  int add(const std::string& subject, const std::string& schema, const std::string& type = "AVRO",
          const std::string& references = "") {
    std::lock_guard<std::mutex> lock(mu_);
    return add_locked(subject, schema, type, references);
  }
  std::string type_of(int id) const {
    std::lock_guard<std::mutex> lock(mu_);
    return types_.at(id);
  }
  /// The next `n` requests answer `status` (e.g. 503) with a registry error body.
  void fail_next(int n, int status) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_count_ = n;
    fail_status_ = status;
  }
  /// "METHOD path" of every request so far.
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  /// Authorization header of the last request ("" when none).
  std::string last_authorization() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_auth_;
  }
  std::string schema_of(int id) const {
    std::lock_guard<std::mutex> lock(mu_);
    return schemas_.at(id);
  }

 private:
  int add_locked(const std::string& subject, const std::string& schema,
                 const std::string& type = "AVRO", const std::string& references = "") {
    auto& versions = subjects_[subject];
    for (int id : versions)
      if (schemas_[id] == schema && types_[id] == type) return id;
    for (const auto& [id, s] : schemas_)
      if (s == schema && types_[id] == type) {
        versions.push_back(id);
        return id;
      }
    int id = next_id_++;
    schemas_[id] = schema;
    types_[id] = type;
    references_[id] = references;
    versions.push_back(id);
    return id;
  }

  /// `"schema":...` plus schemaType (unless AVRO) and references of schema `id`.
  std::string schema_fields(int id) {
    std::string out = "\"schema\":";
    velo::append_json_string(schemas_[id], &out);
    if (types_[id] != "AVRO") {
      out += ",\"schemaType\":";
      velo::append_json_string(types_[id], &out);
    }
    if (!references_[id].empty()) out += ",\"references\":" + references_[id];
    return out;
  }

  static std::string url_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  }

  static std::string error_body(int code, const std::string& message) {
    std::string out = "{\"error_code\":" + std::to_string(code) + ",\"message\":";
    velo::append_json_string(message, &out);
    return out + "}";
  }

  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      handle(c);
      close(c);
    }
  }

  void handle(int c) {
    std::string in;
    char buf[4096];
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    while (true) {
      ssize_t n = recv(c, buf, sizeof(buf), 0);
      if (n <= 0) return;
      in.append(buf, n);
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        std::string lower;
        for (char ch : in.substr(0, header_end)) lower.push_back(std::tolower(ch));
        size_t cl = lower.find("content-length:");
        if (cl != std::string::npos) content_length = std::stoul(lower.substr(cl + 15));
      }
      if (in.size() >= header_end + 4 + content_length) break;
    }
    std::string head = in.substr(0, header_end);
    std::string body = in.substr(header_end + 4, content_length);
    std::string method = head.substr(0, head.find(' '));
    size_t ps = head.find(' ') + 1;
    std::string path = head.substr(ps, head.find(' ', ps) - ps);
    int status = 200;
    std::string answer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(method + " " + path);
      last_auth_.clear();
      size_t a = head.find("Authorization: ");
      if (a != std::string::npos) last_auth_ = head.substr(a + 15, head.find("\r\n", a) - a - 15);
      if (fail_count_ > 0) {
        --fail_count_;
        status = fail_status_;
        answer = error_body(50001, "Error in the backend data store");
      } else {
        route(method, path, body, &status, &answer);
      }
    }
    std::string reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Error";
    std::string out =
        "HTTP/1.1 " + std::to_string(status) + " " + reason +
        "\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: " +
        std::to_string(answer.size()) + "\r\nConnection: close\r\n\r\n" + answer;
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = send(c, out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += n;
    }
  }

  void route(const std::string& method, const std::string& path, const std::string& body,
             int* status, std::string* answer) {
    const std::string ids = "/schemas/ids/";
    if (method == "GET" && path.rfind(ids, 0) == 0) {
      int id = std::atoi(path.c_str() + ids.size());
      auto it = schemas_.find(id);
      if (it == schemas_.end()) {
        *status = 404;
        *answer = error_body(40403, "Schema " + std::to_string(id) + " not found");
        return;
      }
      *answer = "{" + schema_fields(id) + "}";
      return;
    }
    const std::string subjects = "/subjects/";
    if (path.rfind(subjects, 0) == 0) {
      size_t slash = path.find('/', subjects.size());
      std::string subject = url_decode(path.substr(subjects.size(), slash - subjects.size()));
      std::string rest = slash == std::string::npos ? "" : path.substr(slash);
      if (size_t q = rest.find('?'); q != std::string::npos) rest = rest.substr(0, q);
      auto version_answer = [&](size_t version) {
        int id = subjects_[subject][version - 1];
        *answer = "{\"subject\":";
        velo::append_json_string(subject, answer);
        *answer += ",\"version\":" + std::to_string(version) + ",\"id\":" + std::to_string(id) +
                   "," + schema_fields(id) + "}";
      };
      if (method == "GET" && rest.rfind("/versions/", 0) == 0) {
        auto it = subjects_.find(subject);
        if (it == subjects_.end()) {
          *status = 404;
          *answer = error_body(40401, "Subject '" + subject + "' not found.");
          return;
        }
        std::string v = rest.substr(10);
        size_t version = v == "latest" ? it->second.size() : std::stoul(v);
        if (version < 1 || version > it->second.size()) {
          *status = 404;
          *answer = error_body(40402, "Version " + v + " not found.");
          return;
        }
        version_answer(version);
        return;
      }
      if (method == "POST" && (rest == "/versions" || rest.empty())) {
        simdjson::dom::parser parser;
        simdjson::dom::element e;
        std::string_view schema, type = "AVRO";
        if (parser.parse(body).get(e) || e["schema"].get(schema)) {
          *status = 422;
          *answer = error_body(42201, "Invalid schema");
          return;
        }
        (void)e["schemaType"].get(type);
        std::string references;
        simdjson::dom::element refs;
        if (!e["references"].get(refs)) references = simdjson::minify(refs);
        if (references == "[]") references.clear();
        if (rest.empty()) {  // look the schema up under the subject
          auto& versions = subjects_[subject];
          for (size_t v = 0; v < versions.size(); ++v)
            if (schemas_[versions[v]] == schema && types_[versions[v]] == type) {
              version_answer(v + 1);
              return;
            }
          *status = 404;
          *answer = error_body(40403, "Schema not found");
          return;
        }
        int id = add_locked(subject, std::string(schema), std::string(type), references);
        *answer = "{\"id\":" + std::to_string(id) + "}";
        return;
      }
    }
    *status = 404;
    *answer = error_body(404, "HTTP 404 Not Found");
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<int, std::string> schemas_;
  std::map<int, std::string> types_;       // schemaType
  std::map<int, std::string> references_;  // JSON array, "" when none
  std::map<std::string, std::vector<int>> subjects_;
  int next_id_ = 1;
  int fail_count_ = 0;
  int fail_status_ = 503;
  std::vector<std::string> requests_;
  std::string last_auth_;
};

}  // namespace velo::kafka::testing
