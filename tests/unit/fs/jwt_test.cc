#include "velo/fs/gcs/jwt.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "velo/fs/http/crypto.h"
#include "velo/types/error.h"

namespace velo::gcs {
namespace {

// A fresh RSA key per run, generated with OpenSSL: the PEM private key for the signer and the
// key object to verify with.
struct TestKey {
  std::string private_pem;
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key{nullptr, EVP_PKEY_free};
};

TestKey make_key() {
  TestKey k;
  k.key.reset(EVP_RSA_gen(2048));
  EXPECT_NE(k.key, nullptr);
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), k.key.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  k.private_pem.assign(data, static_cast<size_t>(len));
  return k;
}

std::string base64url_decode(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  return http::base64_decode(s, "jwt part");
}

bool verify_rs256(EVP_PKEY* key, const std::string& data, const std::string& sig) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

TEST(Jwt, ServiceAccountAssertionVerifiesWithThePublicKey) {
  TestKey k = make_key();
  ServiceAccountKey sa;
  sa.client_email = "loader@project.iam.gserviceaccount.com";
  sa.private_key = k.private_pem;
  sa.private_key_id = "kid-123";
  sa.token_uri = "https://oauth2.googleapis.com/token";
  std::string jwt =
      service_account_jwt(sa, "https://www.googleapis.com/auth/devstorage.read_write", 1700000000);
  size_t d1 = jwt.find('.'), d2 = jwt.rfind('.');
  ASSERT_NE(d1, d2);
  EXPECT_EQ(jwt.find_first_of("+/="), std::string::npos) << "not base64url";
  EXPECT_EQ(base64url_decode(jwt.substr(0, d1)), R"({"alg":"RS256","typ":"JWT","kid":"kid-123"})");
  EXPECT_EQ(base64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1)),
            R"({"iss":"loader@project.iam.gserviceaccount.com",)"
            R"("scope":"https://www.googleapis.com/auth/devstorage.read_write",)"
            R"("aud":"https://oauth2.googleapis.com/token","iat":1700000000,"exp":1700003600})");
  std::string sig = base64url_decode(jwt.substr(d2 + 1));
  EXPECT_EQ(sig.size(), 256u);
  EXPECT_TRUE(verify_rs256(k.key.get(), jwt.substr(0, d2), sig));
  // A changed claim must not verify.
  std::string tampered = jwt.substr(0, d2);
  tampered[d1 + 5] ^= 1;
  EXPECT_FALSE(verify_rs256(k.key.get(), tampered, sig));
}

TEST(Jwt, ParsesServiceAccountJson) {
  std::string json = R"({"type": "service_account", "project_id": "p",
    "private_key_id": "abc", "private_key": "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n",
    "client_email": "sa@p.iam.gserviceaccount.com", "token_uri": "http://127.0.0.1:1/token"})";
  ServiceAccountKey key = parse_service_account_key(json, "key.json");
  EXPECT_EQ(key.client_email, "sa@p.iam.gserviceaccount.com");
  EXPECT_EQ(key.private_key_id, "abc");
  EXPECT_EQ(key.token_uri, "http://127.0.0.1:1/token");
  EXPECT_NE(key.private_key.find("BEGIN PRIVATE KEY-----\nMII"), std::string::npos);
}

TEST(Jwt, RejectsOtherCredentialTypesWithoutEchoingThem) {
  try {
    parse_service_account_key(R"({"type": "authorized_user", "client_secret": "s3cr3t"})",
                              "k.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("authorized_user"), std::string::npos);
    EXPECT_EQ(e.message().find("s3cr3t"), std::string::npos);
  }
  EXPECT_THROW(parse_service_account_key(R"({"type": "service_account"})", "k.json"), Error);
  EXPECT_THROW(rs256_sign("not a key", "data"), Error);
}

}  // namespace
}  // namespace velo::gcs
