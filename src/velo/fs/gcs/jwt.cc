#include "velo/fs/gcs/jwt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>

#include <memory>

#include "velo/fs/http/crypto.h"
#include "velo/types/error.h"

namespace velo::gcs {

namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

ServiceAccountKey parse_service_account_key(const std::string& json, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS || !doc.is_object())
    throw_user_error("{} is not a JSON object", source);
  ServiceAccountKey key;
  key.source = source;
  auto field = [&](const char* name, std::string* out, bool required) {
    std::string_view v;
    if (doc[name].get_string().get(v) == simdjson::SUCCESS) {
      *out = std::string(v);
    } else if (required) {
      throw_user_error("{} has no \"{}\" (is it a service-account key?)", source, name);
    }
  };
  std::string type;
  field("type", &type, false);
  if (!type.empty() && type != "service_account")
    throw_not_supported(
        "Google credentials of type '{}' in {} (use a service-account key, "
        "GOOGLE_OAUTH_ACCESS_TOKEN or HMAC keys)",
        type, source);
  field("client_email", &key.client_email, true);
  field("private_key", &key.private_key, true);
  field("private_key_id", &key.private_key_id, false);
  field("token_uri", &key.token_uri, false);
  return key;
}

std::string rs256_sign(const std::string& pem_private_key, const std::string& data) {
  std::unique_ptr<BIO, BioDeleter> bio(
      BIO_new_mem_buf(pem_private_key.data(), static_cast<int>(pem_private_key.size())));
  if (!bio) throw_internal_error("BIO_new_mem_buf failed");
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw_user_error("the service account's private_key is not a PEM private key");
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    throw_internal_error("RS256 signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    throw_internal_error("RS256 signing failed");
  sig.resize(len);
  return sig;
}

std::string service_account_jwt(const ServiceAccountKey& key, const std::string& scope,
                                int64_t now_seconds) {
  std::string header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"";
  if (!key.private_key_id.empty()) header += ",\"kid\":" + json_string(key.private_key_id);
  header += "}";
  std::string claims = fmt::format("{{\"iss\":{},\"scope\":{},\"aud\":{},\"iat\":{},\"exp\":{}}}",
                                   json_string(key.client_email), json_string(scope),
                                   json_string(key.token_uri), now_seconds, now_seconds + 3600);
  std::string signing_input = http::base64url_encode(header) + "." + http::base64url_encode(claims);
  return signing_input + "." + http::base64url_encode(rs256_sign(key.private_key, signing_input));
}

}  // namespace velo::gcs
