#include "velo/fs/s3/s3_client.h"

#include "velo/fs/http/http_date.h"
#include "velo/fs/http/xml_scan.h"
#include "velo/types/error.h"

namespace velo::s3 {

S3Client::S3Client(S3Config config) : config_(std::move(config)), client_(config_.http) {}

std::string S3Client::uri(const std::string& bucket, const std::string& key) const {
  return config_.scheme + "://" + bucket + "/" + key;
}

std::string S3Client::url(const std::string& bucket, const std::string& key,
                          const http::QueryParams& query) const {
  const http::Endpoint& e = config_.endpoint;
  std::string out = e.scheme + "://";
  // Dotted bucket names do not match the TLS wildcard certificate of virtual-host style.
  if (config_.path_style || bucket.find('.') != std::string::npos) {
    out += e.authority + e.base_path + "/" + http::uri_encode(bucket, false);
  } else {
    out += bucket + "." + e.authority + e.base_path;
  }
  out += "/" + http::uri_encode(key, true);
  if (!query.empty()) out += "?" + http::encode_query(query, true);
  return out;
}

http::HttpResponse S3Client::send(http::HttpRequest request, const std::string& what) const {
  http::RequestSigner sign = [this](http::HttpRequest& r) {
    if (config_.bearer_token) {
      r.headers.emplace_back("Authorization", "Bearer " + config_.bearer_token());
      return;
    }
    sign_s3_request(r, config_.credentials, config_.region, config_.service,
                    !config_.sign_payload && !r.body.empty());
  };
  return client_.send(request, sign, what + " (" + config_.credential_source + ")");
}

void S3Client::fail(const std::string& what, const http::HttpResponse& response) const {
  std::string code = http::xml_text(response.body, "Code").value_or("");
  std::string message = http::xml_text(response.body, "Message").value_or("");
  std::string detail = code.empty() ? "" : " " + code;
  if (!message.empty()) detail += ": " + message;
  if (auto region = response.header("x-amz-bucket-region"); region && *region != config_.region)
    detail += fmt::format(" (the bucket is in region '{}': set region = '{}')", *region, *region);
  bool retryable = http::is_retryable_status(response.status, response.body);
  throw Error(
      ErrorKind::kIo,
      fmt::format(
          "{} failed: HTTP {}{} ({}, endpoint {}, region {}{})", what, response.status, detail,
          config_.credential_source, config_.endpoint.str(), config_.region,
          response.attempts > 1 ? fmt::format(", after {} attempts", response.attempts) : ""),
      {}, retryable);
}

std::optional<ObjectInfo> S3Client::head(const std::string& bucket, const std::string& key) const {
  http::HttpRequest req;
  req.method = "HEAD";
  req.url = url(bucket, key, {});
  std::string what = "HEAD '" + uri(bucket, key) + "'";
  http::HttpResponse r = send(req, what);
  if (r.status == 404) return std::nullopt;
  if (!r.ok()) fail(what, r);
  ObjectInfo info;
  info.key = key;
  info.size = std::stoll(r.header("content-length").value_or("0"));
  info.modified_us = http::parse_http_date_us(r.header("last-modified").value_or(""));
  return info;
}

size_t S3Client::get_range(const std::string& bucket, const std::string& key, int64_t offset,
                           size_t n, void* out) const {
  if (n == 0) return 0;
  http::HttpRequest req;
  req.url = url(bucket, key, {});
  req.headers.emplace_back(
      "Range", fmt::format("bytes={}-{}", offset, offset + static_cast<int64_t>(n) - 1));
  req.response_buffer = static_cast<char*>(out);
  req.response_capacity = n;
  std::string what = fmt::format("GET '{}' bytes {}-{}", uri(bucket, key), offset,
                                 offset + static_cast<int64_t>(n) - 1);
  http::HttpResponse r = send(req, what);
  if (r.status == 416) return 0;  // the range starts past the end
  if (!r.ok()) fail(what, r);
  if (r.status == 200 && offset != 0)
    throw_io_error("{}: the server ignored the Range header", what);
  return r.buffer_bytes;
}

void S3Client::put(const std::string& bucket, const std::string& key, std::string_view body) const {
  http::HttpRequest req;
  req.method = "PUT";
  req.url = url(bucket, key, {});
  req.body = body;
  std::string what = "PUT '" + uri(bucket, key) + "'";
  http::HttpResponse r = send(req, what);
  if (!r.ok()) fail(what, r);
}

void S3Client::remove(const std::string& bucket, const std::string& key) const {
  http::HttpRequest req;
  req.method = "DELETE";
  req.url = url(bucket, key, {});
  std::string what = "DELETE '" + uri(bucket, key) + "'";
  http::HttpResponse r = send(req, what);
  if (r.status == 404) return;
  if (!r.ok()) fail(what, r);
}

std::vector<ObjectInfo> S3Client::list(const std::string& bucket, const std::string& prefix,
                                       size_t limit) const {
  std::vector<ObjectInfo> out;
  std::string token;
  size_t page = static_cast<size_t>(config_.list_page_size);
  if (limit > 0 && limit < page) page = limit;
  while (true) {
    http::QueryParams q = {
        {"list-type", "2"}, {"max-keys", std::to_string(page)}, {"prefix", prefix}};
    if (!token.empty()) q.emplace_back("continuation-token", token);
    http::HttpRequest req;
    req.url = url(bucket, "", q);
    std::string what = "LIST '" + uri(bucket, prefix) + "'";
    http::HttpResponse r = send(req, what);
    if (!r.ok()) fail(what, r);
    for (std::string_view item : http::xml_elements(r.body, "Contents")) {
      ObjectInfo info;
      info.key = http::xml_text(item, "Key").value_or("");
      info.size = std::stoll(http::xml_text(item, "Size").value_or("0"));
      info.modified_us = http::parse_iso8601_us(http::xml_text(item, "LastModified").value_or(""));
      out.push_back(std::move(info));
    }
    bool truncated = http::xml_text(r.body, "IsTruncated").value_or("false") == "true";
    token = http::xml_text(r.body, "NextContinuationToken").value_or("");
    if (!truncated || token.empty() || (limit > 0 && out.size() >= limit)) break;
  }
  return out;
}

std::string S3Client::create_multipart(const std::string& bucket, const std::string& key) const {
  http::HttpRequest req;
  req.method = "POST";
  req.url = url(bucket, key, {{"uploads", ""}});
  std::string what = "CreateMultipartUpload '" + uri(bucket, key) + "'";
  http::HttpResponse r = send(req, what);
  if (!r.ok()) fail(what, r);
  auto id = http::xml_text(r.body, "UploadId");
  if (!id || id->empty()) throw_io_error("{}: the answer has no UploadId", what);
  return *id;
}

std::string S3Client::upload_part(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id, int part_number,
                                  std::string_view body) const {
  http::HttpRequest req;
  req.method = "PUT";
  req.url =
      url(bucket, key, {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}});
  req.body = body;
  std::string what = fmt::format("UploadPart {} of '{}'", part_number, uri(bucket, key));
  http::HttpResponse r = send(req, what);
  if (!r.ok()) fail(what, r);
  auto etag = r.header("etag");
  if (!etag) throw_io_error("{}: the answer has no ETag", what);
  return *etag;
}

void S3Client::complete_multipart(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id,
                                  const std::vector<std::string>& etags, int64_t expected_size,
                                  bool gone_is_done) const {
  std::string body = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i)
    body += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1,
                        http::xml_escape(etags[i]));
  body += "</CompleteMultipartUpload>";
  http::HttpRequest req;
  req.method = "POST";
  req.url = url(bucket, key, {{"uploadId", upload_id}});
  req.body = body;
  std::string what = "CompleteMultipartUpload '" + uri(bucket, key) + "'";
  http::HttpResponse r = send(req, what);
  // S3 may answer 200 with an <Error> body when completion fails late.
  if (r.ok() && r.body.find("<Error>") == std::string::npos) return;
  // No such upload: a retry whose first try succeeded but lost its answer, or a recovering
  // process completing again what the crashed one completed. The object tells.
  if (r.status == 404) {
    auto info = head(bucket, key);
    if (info && info->size == expected_size) return;
    // Recovery: the upload was completed and its object removed since (consumed downstream).
    if (!info && gone_is_done && http::xml_text(r.body, "Code").value_or("") == "NoSuchUpload")
      return;
  }
  fail(what, r);
}

void S3Client::abort_multipart(const std::string& bucket, const std::string& key,
                               const std::string& upload_id) const noexcept {
  try {
    http::HttpRequest req;
    req.method = "DELETE";
    req.url = url(bucket, key, {{"uploadId", upload_id}});
    send(req, "AbortMultipartUpload '" + uri(bucket, key) + "'");
  } catch (...) {
    // Abort is cleanup on a failure path; the object was never made visible either way and
    // the bucket's lifecycle rule reclaims the parts.
  }
}

}  // namespace velo::s3
