#include "velo/fs/s3/s3_file_system.h"

#include <cstdlib>
#include <mutex>

#include "velo/fs/gcs/gcs_config.h"
#include "velo/fs/object_store/object_store_file_system.h"
#include "velo/fs/pending_token.h"
#include "velo/fs/s3/aws_credentials.h"
#include "velo/types/error.h"

namespace velo {

namespace {

constexpr int64_t kMinPartSize = 5 << 20;  // S3's minimum for every part but the last

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

class S3MultipartUpload final : public MultipartUpload {
 public:
  S3MultipartUpload(std::shared_ptr<const s3::S3Client> client, ObjectLocation at)
      : client_(std::move(client)), at_(std::move(at)) {
    upload_id_ = client_->create_multipart(at_.container, at_.key);
  }
  // An upload another process started (recovery): its id and the ETags of its parts.
  S3MultipartUpload(std::shared_ptr<const s3::S3Client> client, ObjectLocation at,
                    const std::string& state)
      : client_(std::move(client)), at_(std::move(at)) {
    PendingTokenReader t(state);
    upload_id_ = t.string("upload_id");
    etags_ = t.strings("etags");
    resumed_ = true;
  }
  void upload_part(int number, std::string_view body) override {
    std::string etag = client_->upload_part(at_.container, at_.key, upload_id_, number, body);
    std::lock_guard<std::mutex> lock(mu_);
    if (etags_.size() < static_cast<size_t>(number)) etags_.resize(number);
    etags_[number - 1] = std::move(etag);
  }
  void complete(int count, int64_t total_bytes) override {
    if (resumed_) {
      // Recovery usually finds the upload completed already (the crash came after the commit).
      // Asking first saves a request, and some services (s3rver) fail a second Complete with
      // a 500 instead of NoSuchUpload. Keys of a file sink are unique per instance, so an
      // object of this size is the one this upload made.
      auto info = client_->head(at_.container, at_.key);
      if (info && info->size == total_bytes) return;
    }
    client_->complete_multipart(at_.container, at_.key, upload_id_, etags(count), total_bytes,
                                resumed_);
  }
  std::string resume_state(int count) const override {
    return PendingTokenWriter().add("upload_id", upload_id_).add("etags", etags(count)).str();
  }
  void abort() noexcept override { client_->abort_multipart(at_.container, at_.key, upload_id_); }

 private:
  std::vector<std::string> etags(int count) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (static_cast<size_t>(count) > etags_.size())
      throw_internal_error("completing {} parts of '{}{}' but only {} were uploaded", count,
                           at_.uri_prefix, at_.key, etags_.size());
    return std::vector<std::string>(etags_.begin(), etags_.begin() + count);
  }

  std::shared_ptr<const s3::S3Client> client_;
  ObjectLocation at_;
  std::string upload_id_;
  bool resumed_ = false;
  mutable std::mutex mu_;
  std::vector<std::string> etags_;
};

class S3ObjectStore final : public ObjectStore {
 public:
  explicit S3ObjectStore(s3::S3Config config)
      : client_(std::make_shared<s3::S3Client>(std::move(config))) {}

  ObjectLocation locate(const std::string& uri) const override {
    const std::string& scheme = client_->config().scheme;
    std::string head = scheme + "://";
    if (uri.size() < head.size() || Options::lower(uri.substr(0, head.size())) != head)
      throw_user_error("'{}' is not a {}:// URI", uri, scheme);
    std::string rest = uri.substr(head.size());
    size_t slash = rest.find('/');
    ObjectLocation at;
    at.container = rest.substr(0, slash);
    if (at.container.empty()) throw_user_error("'{}' names no bucket", uri);
    at.key = slash == std::string::npos ? "" : rest.substr(slash + 1);
    at.uri_prefix = uri.substr(0, head.size()) + at.container + "/";
    return at;
  }
  std::optional<ObjectEntry> head(const ObjectLocation& at) const override {
    if (at.key.empty()) return std::nullopt;
    auto info = client_->head(at.container, at.key);
    if (!info) return std::nullopt;
    return ObjectEntry{info->key, info->size, info->modified_us};
  }
  size_t read_range(const ObjectLocation& at, int64_t offset, size_t n, void* out) const override {
    return client_->get_range(at.container, at.key, offset, n, out);
  }
  std::vector<ObjectEntry> list(const ObjectLocation& at, const std::string& prefix,
                                size_t limit) const override {
    std::vector<ObjectEntry> out;
    for (auto& o : client_->list(at.container, prefix, limit))
      out.push_back(ObjectEntry{std::move(o.key), o.size, o.modified_us});
    return out;
  }
  void put(const ObjectLocation& at, std::string_view body) const override {
    client_->put(at.container, at.key, body);
  }
  std::unique_ptr<MultipartUpload> start_multipart(const ObjectLocation& at) const override {
    return std::make_unique<S3MultipartUpload>(client_, at);
  }
  std::unique_ptr<MultipartUpload> resume_multipart(const ObjectLocation& at,
                                                    const std::string& state) const override {
    return std::make_unique<S3MultipartUpload>(client_, at, state);
  }
  void remove(const ObjectLocation& at) const override { client_->remove(at.container, at.key); }
  int64_t part_size() const override { return client_->config().part_size; }
  int upload_concurrency() const override { return client_->config().upload_concurrency; }

 private:
  std::shared_ptr<const s3::S3Client> client_;
};

std::shared_ptr<FileSystem> make_s3(const std::string& uri, const Options& options) {
  return s3_file_system(s3_config_from(options));
}

std::shared_ptr<FileSystem> make_gs(const std::string& uri, const Options& options) {
  return s3_file_system(gcs::gcs_config_from(options));
}

}  // namespace

void apply_common_s3_options(const Options& options, s3::S3Config* c) {
  if (auto style = options.get("url_style")) {
    std::string s = Options::lower(*style);
    if (s == "path")
      c->path_style = true;
    else if (s == "vhost" || s == "virtual" || s == "virtual_host")
      c->path_style = false;
    else
      throw_user_error("url_style must be 'path' or 'vhost', not '{}'", *style);
  }
  c->path_style = options.get_bool("path_style", c->path_style);
  c->part_size = options.get_bytes("part_size", c->part_size);
  if (c->part_size < kMinPartSize)
    throw_user_error("part_size must be at least 5MiB (S3's minimum part), not {}", c->part_size);
  c->sign_payload = options.get_bool("sign_payload", c->sign_payload);
  c->upload_concurrency =
      static_cast<int>(options.get_int("upload_concurrency", c->upload_concurrency));
  if (c->upload_concurrency < 1 || c->upload_concurrency > 64)
    throw_user_error("upload_concurrency must be between 1 and 64");
  c->list_page_size = static_cast<int>(options.get_int("list_page_size", c->list_page_size));
  if (c->list_page_size < 1 || c->list_page_size > 1000)
    throw_user_error("list_page_size must be between 1 and 1000");
  c->http = http::HttpClientOptions::from(options);
}

s3::S3Config s3_config_from(const Options& options) {
  s3::S3Config c;
  c.scheme = "s3";
  c.region = s3::resolve_aws_region(options);
  c.credentials = s3::resolve_aws_credentials(options);
  c.credential_source = c.credentials.source;
  std::string endpoint = options.get_string("endpoint", "");
  if (endpoint.empty()) endpoint = env("AWS_ENDPOINT_URL_S3");
  if (endpoint.empty()) endpoint = env("AWS_ENDPOINT_URL");
  if (endpoint.empty()) {
    c.endpoint = http::parse_endpoint("https://s3." + c.region + ".amazonaws.com", "endpoint");
    c.path_style = false;
  } else {
    c.endpoint = http::parse_endpoint(endpoint, "endpoint");
    c.path_style = true;  // emulators and most S3-compatible services want path style
  }
  apply_common_s3_options(options, &c);
  return c;
}

std::shared_ptr<FileSystem> s3_file_system(s3::S3Config config) {
  return object_store_file_system(std::make_shared<S3ObjectStore>(std::move(config)));
}

void register_s3_file_systems() {
  register_file_system("s3", make_s3);
  register_file_system("gs", make_gs);
}

}  // namespace velo
