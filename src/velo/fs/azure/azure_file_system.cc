#include "velo/fs/azure/azure_file_system.h"

#include <mutex>
#include <random>

#include "velo/fs/azure/shared_key.h"
#include "velo/fs/http/crypto.h"
#include "velo/fs/http/http_date.h"
#include "velo/fs/http/xml_scan.h"
#include "velo/fs/object_store/object_store_file_system.h"
#include "velo/fs/pending_token.h"
#include "velo/types/error.h"

namespace velo {

namespace {

constexpr const char* kApiVersion = "2021-08-06";
constexpr std::string_view kBlobHostSuffix = ".blob.core.windows.net";
constexpr std::string_view kDfsHostSuffix = ".dfs.core.windows.net";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct ParsedUri {
  std::string scheme;  // lower-case
  std::string account;
  ObjectLocation at;
};

ParsedUri parse_azure_uri(const std::string& uri) {
  ParsedUri p;
  size_t sep = uri.find("://");
  if (sep == std::string::npos) throw_user_error("'{}' is not an Azure URI", uri);
  p.scheme = Options::lower(uri.substr(0, sep));
  std::string rest = uri.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (p.scheme == "azure") {
    p.at.container = authority;
    p.at.key = path;
    p.at.uri_prefix = uri.substr(0, sep + 3) + authority + "/";
  } else if (p.scheme == "abfs" || p.scheme == "abfss") {
    size_t at = authority.find('@');
    if (at == std::string::npos)
      throw_user_error("'{}': expected abfs://container@account.dfs.core.windows.net/path", uri);
    p.at.container = authority.substr(0, at);
    std::string host = Options::lower(authority.substr(at + 1));
    if (ends_with(host, kDfsHostSuffix))
      p.account = host.substr(0, host.size() - kDfsHostSuffix.size());
    else if (ends_with(host, kBlobHostSuffix))
      p.account = host.substr(0, host.size() - kBlobHostSuffix.size());
    else
      throw_user_error("'{}': expected abfs://container@account.dfs.core.windows.net/path", uri);
    p.at.key = path;
    p.at.uri_prefix = uri.substr(0, sep + 3) + authority + "/";
  } else if (p.scheme == "https") {
    std::string host = Options::lower(authority);
    if (!ends_with(host, kBlobHostSuffix))
      throw Error(ErrorKind::kNotSupported,
                  "connector 'https' is not available yet (only Azure "
                  "Blob URLs https://<account>.blob.core.windows.net/...)");
    p.account = host.substr(0, host.size() - kBlobHostSuffix.size());
    size_t cslash = path.find('/');
    p.at.container = path.substr(0, cslash);
    p.at.key = cslash == std::string::npos ? "" : path.substr(cslash + 1);
    p.at.uri_prefix = uri.substr(0, sep + 3) + authority + "/" + p.at.container + "/";
  } else {
    throw_user_error("'{}' is not an Azure URI", uri);
  }
  if (p.at.container.empty()) throw_user_error("'{}' names no container", uri);
  return p;
}

class AzureObjectStore;

class AzureBlockUpload final : public MultipartUpload {
 public:
  AzureBlockUpload(const AzureObjectStore* store, ObjectLocation at);
  // Blocks another process staged (recovery), named by their ids.
  AzureBlockUpload(const AzureObjectStore* store, ObjectLocation at, const std::string& state);
  void upload_part(int number, std::string_view body) override;
  // Put Block List is idempotent: <Latest> finds a block among the committed ones too.
  void complete(int count, int64_t total_bytes) override;
  // Uncommitted blocks are invisible and the service drops them after a week; there is no call
  // to delete them without deleting the blob.
  void abort() noexcept override {}
  std::string resume_state(int count) const override {
    return PendingTokenWriter().add("blocks", block_ids(count)).str();
  }

 private:
  std::string block_id(int number) const {
    return http::base64_encode(fmt::format("{}-{:06d}", session_, number));
  }
  std::vector<std::string> block_ids(int count) const {
    if (!resumed_ids_.empty()) {
      if (static_cast<size_t>(count) > resumed_ids_.size())
        throw_internal_error("completing {} blocks of '{}{}' but {} were staged", count,
                             at_.uri_prefix, at_.key, resumed_ids_.size());
      return std::vector<std::string>(resumed_ids_.begin(), resumed_ids_.begin() + count);
    }
    std::vector<std::string> ids;
    for (int i = 1; i <= count; ++i) ids.push_back(block_id(i));
    return ids;
  }
  const AzureObjectStore* store_;
  ObjectLocation at_;
  std::string session_;  // random, so concurrent writers of one blob don't mix blocks
  std::vector<std::string> resumed_ids_;
};

class AzureObjectStore final : public ObjectStore {
 public:
  explicit AzureObjectStore(azure::AzureConfig config)
      : config_(std::move(config)), client_(config_.http) {}

  ObjectLocation locate(const std::string& uri) const override {
    ParsedUri p = parse_azure_uri(uri);
    if (!p.account.empty() && p.account != Options::lower(config_.account))
      throw_user_error("'{}' names account '{}' but this file system is for '{}'", uri, p.account,
                       config_.account);
    return p.at;
  }

  std::optional<ObjectEntry> head(const ObjectLocation& at) const override {
    if (at.key.empty()) return std::nullopt;
    http::HttpRequest req;
    req.method = "HEAD";
    req.url = url(at, at.key, {});
    std::string what = "HEAD '" + at.uri_prefix + at.key + "'";
    http::HttpResponse r = send(req, what);
    if (r.status == 404) return std::nullopt;
    if (!r.ok()) fail(what, r);
    ObjectEntry e;
    e.key = at.key;
    e.size = std::stoll(r.header("content-length").value_or("0"));
    e.modified_us = http::parse_http_date_us(r.header("last-modified").value_or(""));
    return e;
  }

  size_t read_range(const ObjectLocation& at, int64_t offset, size_t n, void* out) const override {
    if (n == 0) return 0;
    int64_t last = offset + static_cast<int64_t>(n) - 1;
    http::HttpRequest req;
    req.url = url(at, at.key, {});
    req.headers.emplace_back("x-ms-range", fmt::format("bytes={}-{}", offset, last));
    req.response_buffer = static_cast<char*>(out);
    req.response_capacity = n;
    std::string what = fmt::format("GET '{}{}' bytes {}-{}", at.uri_prefix, at.key, offset, last);
    http::HttpResponse r = send(req, what);
    if (r.status == 416) return 0;
    if (!r.ok()) fail(what, r);
    if (r.status == 200 && offset != 0)
      throw_io_error("{}: the server ignored the range header", what);
    return r.buffer_bytes;
  }

  std::vector<ObjectEntry> list(const ObjectLocation& at, const std::string& prefix,
                                size_t limit) const override {
    std::vector<ObjectEntry> out;
    std::string marker;
    size_t page = static_cast<size_t>(config_.list_page_size);
    if (limit > 0 && limit < page) page = limit;
    while (true) {
      http::QueryParams q = {{"restype", "container"},
                             {"comp", "list"},
                             {"prefix", prefix},
                             {"maxresults", std::to_string(page)}};
      if (!marker.empty()) q.emplace_back("marker", marker);
      http::HttpRequest req;
      req.url = container_url(at) + "?" + with_sas(http::encode_query(q, false));
      std::string what = "LIST '" + at.uri_prefix + prefix + "'";
      http::HttpResponse r = send(req, what);
      if (!r.ok()) fail(what, r);
      for (std::string_view blob : http::xml_elements(r.body, "Blob")) {
        ObjectEntry e;
        e.key = http::xml_text(blob, "Name").value_or("");
        e.size = std::stoll(http::xml_text(blob, "Content-Length").value_or("0"));
        e.modified_us =
            http::parse_http_date_us(http::xml_text(blob, "Last-Modified").value_or(""));
        out.push_back(std::move(e));
      }
      marker = http::xml_text(r.body, "NextMarker").value_or("");
      if (marker.empty() || (limit > 0 && out.size() >= limit)) break;
    }
    return out;
  }

  void put(const ObjectLocation& at, std::string_view body) const override {
    http::HttpRequest req;
    req.method = "PUT";
    req.url = url(at, at.key, {});
    req.headers.emplace_back("x-ms-blob-type", "BlockBlob");
    req.body = body;
    std::string what = "Put Blob '" + at.uri_prefix + at.key + "'";
    http::HttpResponse r = send(req, what);
    if (!r.ok()) fail(what, r);
  }

  std::unique_ptr<MultipartUpload> start_multipart(const ObjectLocation& at) const override {
    return std::make_unique<AzureBlockUpload>(this, at);
  }
  std::unique_ptr<MultipartUpload> resume_multipart(const ObjectLocation& at,
                                                    const std::string& state) const override {
    return std::make_unique<AzureBlockUpload>(this, at, state);
  }

  void remove(const ObjectLocation& at) const override {
    http::HttpRequest req;
    req.method = "DELETE";
    req.url = url(at, at.key, {});
    std::string what = "Delete Blob '" + at.uri_prefix + at.key + "'";
    http::HttpResponse r = send(req, what);
    if (r.status == 404) return;
    if (!r.ok()) fail(what, r);
  }

  int64_t part_size() const override { return config_.block_size; }
  int upload_concurrency() const override { return config_.upload_concurrency; }

  // Shared by AzureBlockUpload.
  std::string url(const ObjectLocation& at, const std::string& key,
                  const http::QueryParams& query) const {
    std::string u = container_url(at) + "/" + http::uri_encode(key, true);
    std::string q = with_sas(http::encode_query(query, false));
    return q.empty() ? u : u + "?" + q;
  }
  http::HttpResponse send(const http::HttpRequest& request, const std::string& what) const {
    http::HttpRequest r = request;
    r.headers.emplace_back("x-ms-version", kApiVersion);
    http::RequestSigner sign;
    if (!config_.decoded_key.empty()) {
      sign = [this](http::HttpRequest& req) {
        azure::sign_shared_key(req, config_.account, config_.decoded_key);
      };
    }
    return client_.send(r, sign, what + " (" + config_.credential_source + ")");
  }
  [[noreturn]] void fail(const std::string& what, const http::HttpResponse& r) const {
    std::string code =
        http::xml_text(r.body, "Code").value_or(r.header("x-ms-error-code").value_or(""));
    std::string message = http::xml_text(r.body, "Message").value_or("");
    if (size_t nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
    std::string detail = code.empty() ? "" : " " + code;
    if (!message.empty()) detail += ": " + message;
    throw Error(ErrorKind::kIo,
                fmt::format("{} failed: HTTP {}{} ({}, endpoint {}{})", what, r.status, detail,
                            config_.credential_source, config_.endpoint.str(),
                            r.attempts > 1 ? fmt::format(", after {} attempts", r.attempts) : ""),
                {}, http::is_retryable_status(r.status, r.body));
  }

 private:
  std::string container_url(const ObjectLocation& at) const {
    return config_.endpoint.str() + "/" + http::uri_encode(at.container, false);
  }
  std::string with_sas(std::string query) const {
    if (config_.sas_token.empty()) return query;
    return query.empty() ? config_.sas_token : query + "&" + config_.sas_token;
  }

  azure::AzureConfig config_;
  http::HttpClient client_;
};

AzureBlockUpload::AzureBlockUpload(const AzureObjectStore* store, ObjectLocation at)
    : store_(store), at_(std::move(at)) {
  std::random_device rd;
  session_ = fmt::format("{:08x}{:08x}", rd(), rd());
}

AzureBlockUpload::AzureBlockUpload(const AzureObjectStore* store, ObjectLocation at,
                                   const std::string& state)
    : store_(store), at_(std::move(at)), resumed_ids_(PendingTokenReader(state).strings("blocks")) {
  if (resumed_ids_.empty()) throw_internal_error("Azure upload state without blocks: {}", state);
}

void AzureBlockUpload::upload_part(int number, std::string_view body) {
  http::HttpRequest req;
  req.method = "PUT";
  req.url = store_->url(at_, at_.key, {{"comp", "block"}, {"blockid", block_id(number)}});
  req.body = body;
  std::string what = fmt::format("Put Block {} of '{}{}'", number, at_.uri_prefix, at_.key);
  http::HttpResponse r = store_->send(req, what);
  if (!r.ok()) store_->fail(what, r);
}

void AzureBlockUpload::complete(int count, int64_t total_bytes) {
  std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (const std::string& id : block_ids(count)) body += "<Latest>" + id + "</Latest>";
  body += "</BlockList>";
  http::HttpRequest req;
  req.method = "PUT";
  req.url = store_->url(at_, at_.key, {{"comp", "blocklist"}});
  req.body = body;
  std::string what = fmt::format("Put Block List '{}{}'", at_.uri_prefix, at_.key);
  http::HttpResponse r = store_->send(req, what);
  if (r.ok()) return;
  // The blocks are gone: committed and the blob since overwritten or removed. Recovery must
  // not fail for a file consumed downstream; a blob of the right size was this one.
  if (r.status == 400 && !resumed_ids_.empty() &&
      http::xml_text(r.body, "Code").value_or(r.header("x-ms-error-code").value_or("")) ==
          "InvalidBlockList") {
    auto e = store_->head(at_);
    if (!e || e->size == total_bytes) return;
  }
  store_->fail(what, r);
}

std::shared_ptr<FileSystem> make_azure(const std::string& uri, const Options& options) {
  return azure_file_system(azure::azure_config_from(options, azure_account_of(uri)));
}

}  // namespace

std::string azure_account_of(const std::string& uri) { return parse_azure_uri(uri).account; }

std::shared_ptr<FileSystem> azure_file_system(azure::AzureConfig config) {
  return object_store_file_system(std::make_shared<AzureObjectStore>(std::move(config)));
}

void register_azure_file_systems() {
  for (const char* scheme : {"azure", "abfs", "abfss", "https"})
    register_file_system(scheme, make_azure);
}

}  // namespace velo
