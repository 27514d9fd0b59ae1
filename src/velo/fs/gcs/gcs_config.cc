#include "velo/fs/gcs/gcs_config.h"

#include <simdjson.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "velo/fs/http/url.h"
#include "velo/fs/s3/s3_file_system.h"
#include "velo/types/error.h"

namespace velo::gcs {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_user_error("cannot read {} '{}'", what, path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ServiceAccountTokenSource::ServiceAccountTokenSource(ServiceAccountKey key,
                                                     http::HttpClientOptions http)
    : key_(std::move(key)), client_(std::move(http)) {}

std::string ServiceAccountTokenSource::token() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (!token_.empty() && now < expires_at_ - 300) return token_;
  std::string body =
      "grant_type=" + http::uri_encode("urn:ietf:params:oauth:grant-type:jwt-bearer", false) +
      "&assertion=" + service_account_jwt(key_, kStorageScope, now);
  http::HttpRequest req;
  req.method = "POST";
  req.url = key_.token_uri;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body = body;
  std::string what = fmt::format("OAuth2 token request to {} for {} ({})", key_.token_uri,
                                 key_.client_email, key_.source);
  http::HttpResponse r = client_.send(req, nullptr, what);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool parsed = parser.parse(r.body).get(doc) == simdjson::SUCCESS && doc.is_object();
  if (!r.ok()) {
    std::string_view error;
    if (parsed && doc["error"].get_string().get(error) != simdjson::SUCCESS) error = {};
    throw_io_error("{} failed: HTTP {}{}", what, r.status,
                   error.empty() ? "" : " " + std::string(error));
  }
  std::string_view access_token;
  int64_t expires_in = 3600;
  if (!parsed || doc["access_token"].get_string().get(access_token) != simdjson::SUCCESS)
    throw_io_error("{}: the answer has no access_token", what);
  if (doc["expires_in"].get_int64().get(expires_in) != simdjson::SUCCESS) expires_in = 3600;
  token_ = std::string(access_token);
  expires_at_ = now + expires_in;
  return token_;
}

s3::S3Config gcs_config_from(const Options& options) {
  s3::S3Config c;
  c.scheme = "gs";
  c.service = "s3";
  c.region = options.get_string("region", "auto");
  c.endpoint = http::parse_endpoint(
      options.get_string("endpoint", "https://storage.googleapis.com"), "endpoint");
  c.path_style = true;
  apply_common_s3_options(options, &c);
  auto id = options.get("access_key_id");
  auto secret = options.get("secret_access_key");
  std::string credentials_file = options.get_string("credentials_file", "");
  if (id || secret) {
    if (!id || !secret)
      throw_user_error("set both access_key_id and secret_access_key (GCS HMAC key) or neither");
    c.credentials.access_key_id = *id;
    c.credentials.secret_access_key = *secret;
    c.credential_source = "HMAC key from the WITH clause (access_key_id)";
  } else if (!env("GOOGLE_OAUTH_ACCESS_TOKEN").empty() && credentials_file.empty()) {
    std::string token = env("GOOGLE_OAUTH_ACCESS_TOKEN");
    c.bearer_token = [token] { return token; };
    c.credential_source = "OAuth2 token from GOOGLE_OAUTH_ACCESS_TOKEN";
  } else {
    if (credentials_file.empty()) credentials_file = env("GOOGLE_APPLICATION_CREDENTIALS");
    if (credentials_file.empty()) {
      c.credential_source = "no credentials (anonymous requests)";
      return c;
    }
    std::string source = "service account key " + credentials_file;
    auto tokens = std::make_shared<ServiceAccountTokenSource>(
        parse_service_account_key(read_file(credentials_file, "credentials_file"), source), c.http);
    c.credential_source = "OAuth2 token for " + tokens->key().client_email + " from " + source;
    c.bearer_token = [tokens] { return tokens->token(); };
  }
  return c;
}

}  // namespace velo::gcs
