#include "velo/fs/s3/sigv4.h"

#include <algorithm>
#include <ctime>

#include "velo/fs/http/crypto.h"

namespace velo::s3 {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// Trims and collapses runs of spaces, as the canonical header form requires.
std::string canonical_value(const std::string& v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string sigv4_signing_key(const std::string& secret, const std::string& date,
                              const std::string& region, const std::string& service) {
  std::string k = http::hmac_sha256("AWS4" + secret, date);
  k = http::hmac_sha256(k, region);
  k = http::hmac_sha256(k, service);
  return http::hmac_sha256(k, "aws4_request");
}

SigV4Signature sigv4_sign(const SigV4Input& in, const AwsCredentials& credentials,
                          const std::string& region, const std::string& service,
                          const std::string& amz_date) {
  SigV4Signature out;
  auto query = in.query;
  std::sort(query.begin(), query.end());
  std::string canonical_query;
  for (const auto& [k, v] : query) {
    if (!canonical_query.empty()) canonical_query.push_back('&');
    canonical_query += k + "=" + v;
  }
  // Lower-case names, sorted; repeated names joined with commas.
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [k, v] : in.headers) headers.emplace_back(lower(k), canonical_value(v));
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonical_headers.pop_back();  // the '\n'
      canonical_headers += "," + headers[i].second + "\n";
      continue;
    }
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers += headers[i].first;
    canonical_headers += headers[i].first + ":" + headers[i].second + "\n";
  }
  out.canonical_request = in.method + "\n" + (in.canonical_uri.empty() ? "/" : in.canonical_uri) +
                          "\n" + canonical_query + "\n" + canonical_headers + "\n" +
                          out.signed_headers + "\n" + in.payload_hash;
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  out.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" +
                       http::sha256_hex(out.canonical_request);
  out.signature = http::hex_encode(http::hmac_sha256(
      sigv4_signing_key(credentials.secret_access_key, date, region, service), out.string_to_sign));
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + out.signed_headers + ", Signature=" + out.signature;
  return out;
}

std::string amz_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

void sign_s3_request(http::HttpRequest& request, const AwsCredentials& credentials,
                     const std::string& region, const std::string& service, bool unsigned_payload) {
  if (credentials.anonymous()) return;
  const std::string& url = request.url;
  size_t scheme_end = url.find("://");
  size_t path_begin = url.find('/', scheme_end + 3);
  std::string authority = url.substr(scheme_end + 3, path_begin - scheme_end - 3);
  std::string path, query_string;
  if (path_begin != std::string::npos) {
    size_t q = url.find('?', path_begin);
    path = url.substr(path_begin, q == std::string::npos ? std::string::npos : q - path_begin);
    if (q != std::string::npos) query_string = url.substr(q + 1);
  }
  SigV4Input in;
  in.method = request.method;
  in.canonical_uri = path.empty() ? "/" : path;
  size_t pos = 0;
  while (pos < query_string.size()) {
    size_t amp = query_string.find('&', pos);
    std::string part =
        query_string.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = part.find('=');
    if (eq == std::string::npos)
      in.query.emplace_back(part, "");
    else
      in.query.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  std::string date = amz_date(static_cast<int64_t>(std::time(nullptr)));
  in.payload_hash = unsigned_payload ? "UNSIGNED-PAYLOAD" : http::sha256_hex(request.body);
  request.headers.emplace_back("x-amz-date", date);
  request.headers.emplace_back("x-amz-content-sha256", in.payload_hash);
  if (!credentials.session_token.empty())
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  in.headers.emplace_back("host", authority);
  for (const auto& [k, v] : request.headers) {
    std::string name = lower(k);
    if (name.rfind("x-amz-", 0) == 0 || name == "content-md5" || name == "content-type")
      in.headers.emplace_back(name, v);
  }
  request.headers.emplace_back("Authorization",
                               sigv4_sign(in, credentials, region, service, date).authorization);
}

}  // namespace velo::s3
