// Unit tests of the object-store building blocks that need no server: encodings, XML scanning,
// retry policy, URI parsing, credential chains and the Azure Shared Key string to sign.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "velo/fs/azure/azure_config.h"
#include "velo/fs/azure/azure_file_system.h"
#include "velo/fs/azure/shared_key.h"
#include "velo/fs/file_system.h"
#include "velo/fs/http/crypto.h"
#include "velo/fs/http/http_date.h"
#include "velo/fs/http/retry_policy.h"
#include "velo/fs/http/url.h"
#include "velo/fs/http/xml_scan.h"
#include "velo/fs/object_store/object_store_file_system.h"
#include "velo/fs/s3/aws_credentials.h"
#include "velo/fs/s3/s3_file_system.h"
#include "velo/types/error.h"

namespace velo {
namespace {

// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (auto [k, v] : vars) {
      const char* old = std::getenv(k);
      saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
      if (v)
        ::setenv(k, v, 1);
      else
        ::unsetenv(k);
    }
  }
  ~ScopedEnv() {
    for (auto& [k, v] : saved_) {
      if (v)
        ::setenv(k.c_str(), v->c_str(), 1);
      else
        ::unsetenv(k.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

const std::initializer_list<std::pair<const char*, const char*>> kNoAwsEnv = {
    {"AWS_ACCESS_KEY_ID", nullptr},
    {"AWS_SECRET_ACCESS_KEY", nullptr},
    {"AWS_SESSION_TOKEN", nullptr},
    {"AWS_PROFILE", nullptr},
    {"AWS_REGION", nullptr},
    {"AWS_DEFAULT_REGION", nullptr},
    {"AWS_ENDPOINT_URL", nullptr},
    {"AWS_ENDPOINT_URL_S3", nullptr},
    {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}};

TEST(Crypto, KnownDigestsAndBase64) {
  // RFC 4231 test case 2.
  EXPECT_EQ(http::hex_encode(http::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(http::base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(http::base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(http::base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(http::base64_decode("Zm9vYg==", "x"), "foob");
  EXPECT_EQ(http::base64url_encode("\xfb\xff"), "-_8");
  EXPECT_THROW(http::base64_decode("a*b", "account_key"), Error);
  EXPECT_EQ(http::hex_encode(http::md5("")), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(Url, EncodingAndEndpoints) {
  EXPECT_EQ(http::uri_encode("a b/c+d~e", true), "a%20b/c%2Bd~e");
  EXPECT_EQ(http::uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(http::uri_decode("a%20b%2Fc%zz"), "a b/c%zz");
  auto e = http::parse_endpoint("http://127.0.0.1:10000/devstoreaccount1/", "endpoint");
  EXPECT_EQ(e.scheme, "http");
  EXPECT_EQ(e.authority, "127.0.0.1:10000");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.base_path, "/devstoreaccount1");
  EXPECT_EQ(http::parse_endpoint("storage.googleapis.com", "endpoint").str(),
            "https://storage.googleapis.com");
  EXPECT_THROW(http::parse_endpoint("ftp://x", "endpoint"), Error);
  EXPECT_EQ(http::encode_query({{"b", "2"}, {"a", "x/y"}}, true), "a=x%2Fy&b=2");
}

TEST(XmlScan, ListingPieces) {
  std::string xml =
      "<ListBucketResult><KeyCount>2</KeyCount><Contents><Key>a&amp;b.txt</Key><Size>3</Size>"
      "</Contents><Contents><Key>c&#x263A;</Key><Size>4</Size></Contents>"
      "<IsTruncated>true</IsTruncated><NextContinuationToken>t1</NextContinuationToken>"
      "<NextMarker/></ListBucketResult>";
  auto items = http::xml_elements(xml, "Contents");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(http::xml_text(items[0], "Key"), "a&b.txt");
  EXPECT_EQ(http::xml_text(items[1], "Key"), "c\xe2\x98\xba");
  EXPECT_EQ(http::xml_text(xml, "Key"), "a&b.txt");  // not KeyCount
  EXPECT_EQ(http::xml_text(xml, "NextMarker"), "");
  EXPECT_FALSE(http::xml_text(xml, "Missing"));
  EXPECT_EQ(http::xml_escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
}

TEST(HttpDate, Parses) {
  EXPECT_EQ(http::parse_iso8601_us("2024-01-02T03:04:05.678Z"), 1704164645678000);
  EXPECT_EQ(http::parse_http_date_us("Tue, 02 Jan 2024 03:04:05 GMT"), 1704164645000000);
  EXPECT_EQ(azure::rfc1123_date(1704164645), "Tue, 02 Jan 2024 03:04:05 GMT");
  EXPECT_EQ(http::parse_iso8601_us("garbage"), 0);
}

TEST(RetryPolicy, StatusesAndJitteredBackoff) {
  EXPECT_TRUE(http::is_retryable_status(503, ""));
  EXPECT_TRUE(http::is_retryable_status(500, ""));
  EXPECT_TRUE(http::is_retryable_status(429, ""));
  EXPECT_TRUE(http::is_retryable_status(400, "<Error><Code>RequestTimeout</Code></Error>"));
  EXPECT_FALSE(http::is_retryable_status(501, ""));
  EXPECT_FALSE(http::is_retryable_status(404, ""));
  EXPECT_FALSE(http::is_retryable_status(403, "<Error><Code>AccessDenied</Code></Error>"));
  http::RetryPolicy p;
  p.base_delay_ms = 100;
  p.max_delay_ms = 1000;
  for (int attempt = 1; attempt < 12; ++attempt) {
    int64_t cap = std::min<int64_t>(1000, 100 << (attempt - 1));
    for (int i = 0; i < 20; ++i) {
      int64_t d = p.delay_ms(attempt);
      EXPECT_GE(d, 0);
      EXPECT_LE(d, cap);
    }
  }
}

TEST(ObjectStorePaths, LiteralPrefixOfGlob) {
  EXPECT_EQ(literal_key_prefix("x/data-*.parquet"), "x/data-");
  EXPECT_EQ(literal_key_prefix("x/**/a.csv"), "x/");
  EXPECT_EQ(literal_key_prefix("{a,b}/c"), "");
  EXPECT_EQ(literal_key_prefix("plain/key"), "plain/key");
}

TEST(ObjectStorePaths, AzureUriForms) {
  EXPECT_EQ(azure_account_of("azure://c/p"), "");
  EXPECT_EQ(azure_account_of("abfs://c@acct.dfs.core.windows.net/p"), "acct");
  EXPECT_EQ(azure_account_of("abfss://c@acct.blob.core.windows.net/p"), "acct");
  EXPECT_EQ(azure_account_of("https://Acct.blob.core.windows.net/c/p"), "acct");
  EXPECT_THROW(azure_account_of("abfs://c/p"), Error);
  try {
    file_system_for("https://example.com/x.csv", Options());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotSupported);
  }
}

TEST(AwsCredentials, ChainOrder) {
  ScopedEnv clean(kNoAwsEnv);
  {
    Options o;
    o.set("access_key_id", "AKIDOPT");
    o.set("secret_access_key", "optsecret");
    ScopedEnv e({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}});
    auto c = s3::resolve_aws_credentials(o);
    EXPECT_EQ(c.access_key_id, "AKIDOPT");
    EXPECT_NE(c.source.find("WITH"), std::string::npos);
  }
  {
    ScopedEnv e({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                 {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                 {"AWS_SESSION_TOKEN", "tok"}});
    auto c = s3::resolve_aws_credentials(Options());
    EXPECT_EQ(c.access_key_id, "AKIDENV");
    EXPECT_EQ(c.session_token, "tok");
    EXPECT_EQ(c.source, "credentials from AWS_ACCESS_KEY_ID");
  }
  {
    std::string file = "/tmp/velo_aws_credentials_" + std::to_string(::getpid());
    std::ofstream(file) << "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = d\n"
                           "[dev]\naws_access_key_id=AKIDDEV\naws_secret_access_key=s\n"
                           "aws_session_token=t\n";
    ScopedEnv e({{"AWS_SHARED_CREDENTIALS_FILE", file.c_str()}, {"AWS_PROFILE", "dev"}});
    auto c = s3::resolve_aws_credentials(Options());
    EXPECT_EQ(c.access_key_id, "AKIDDEV");
    EXPECT_EQ(c.secret_access_key, "s");
    EXPECT_EQ(c.session_token, "t");
    EXPECT_EQ(c.source, "credentials from profile 'dev' in " + file);
    {
      ScopedEnv d({{"AWS_PROFILE", nullptr}});
      EXPECT_EQ(s3::resolve_aws_credentials(Options()).access_key_id, "AKIDDEF");
    }
    ScopedEnv missing({{"AWS_PROFILE", "nope"}});  // a profile asked for by name must exist
    EXPECT_THROW(s3::resolve_aws_credentials(Options()), Error);
    std::ofstream(file) << "[profile sso]\nsso_start_url = https://x\n";
    ScopedEnv sso({{"AWS_PROFILE", "sso"}});
    try {
      s3::resolve_aws_credentials(Options());
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kNotSupported);
    }
    std::remove(file.c_str());
  }
  EXPECT_TRUE(s3::resolve_aws_credentials(Options()).anonymous());
  Options half;
  half.set("access_key_id", "x");
  EXPECT_THROW(s3::resolve_aws_credentials(half), Error);
}

TEST(S3Config, EndpointRegionAndStyle) {
  ScopedEnv clean(kNoAwsEnv);
  auto c = s3_config_from(Options());
  EXPECT_EQ(c.endpoint.str(), "https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(c.path_style);
  {
    ScopedEnv e({{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"}});
    auto d = s3_config_from(Options());
    EXPECT_EQ(d.region, "eu-west-1");
    EXPECT_EQ(d.endpoint.str(), "http://127.0.0.1:9");
    EXPECT_TRUE(d.path_style);
  }
  Options o;
  o.set("endpoint", "http://localhost:1");
  o.set("url_style", "vhost");
  o.set("part_size", "16MB");
  o.set("max_attempts", "3");
  auto f = s3_config_from(o);
  EXPECT_FALSE(f.path_style);
  EXPECT_EQ(f.part_size, 16 << 20);
  EXPECT_EQ(f.http.retry.max_attempts, 3);
  // Every option the file system read counts as used (the unknown-option check passes).
  EXPECT_NO_THROW(o.check_all_used("test"));
  Options small;
  small.set("part_size", "1MB");
  EXPECT_THROW(s3_config_from(small), Error);
}

TEST(AzureConfig, ChainAndConnectionStrings) {
  ScopedEnv clean({{"AZURE_STORAGE_ACCOUNT", nullptr},
                   {"AZURE_STORAGE_KEY", nullptr},
                   {"AZURE_STORAGE_SAS_TOKEN", nullptr},
                   {"AZURE_STORAGE_CONNECTION_STRING", nullptr}});
  EXPECT_THROW(azure::azure_config_from(Options(), ""), Error);
  std::string cs = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" +
                   std::string(azure::kDevelopmentAccountKey) +
                   ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";
  {
    ScopedEnv e({{"AZURE_STORAGE_CONNECTION_STRING", cs.c_str()}});
    auto c = azure::azure_config_from(Options(), "");
    EXPECT_EQ(c.account, "devstoreaccount1");
    EXPECT_EQ(c.endpoint.str(), "http://127.0.0.1:10000/devstoreaccount1");
    EXPECT_EQ(c.decoded_key.size(), 64u);
    EXPECT_NE(c.credential_source.find("AZURE_STORAGE_CONNECTION_STRING"), std::string::npos);
    EXPECT_EQ(c.credential_source.find(azure::kDevelopmentAccountKey), std::string::npos);
  }
  {
    ScopedEnv e({{"AZURE_STORAGE_ACCOUNT", "acct"}, {"AZURE_STORAGE_SAS_TOKEN", "?sv=1&sig=x"}});
    auto c = azure::azure_config_from(Options(), "");
    EXPECT_EQ(c.endpoint.str(), "https://acct.blob.core.windows.net");
    EXPECT_EQ(c.sas_token, "sv=1&sig=x");
    auto d = azure::azure_config_from(Options(), "other");  // the URI's account wins
    EXPECT_EQ(d.account, "other");
  }
  Options o;
  o.set("account_name", "a");
  o.set("sas_token", "sv=2&sig=y");
  o.set("endpoint", "http://127.0.0.1:5/a");
  auto c = azure::azure_config_from(o, "");
  EXPECT_EQ(c.sas_token, "sv=2&sig=y");
  EXPECT_TRUE(c.decoded_key.empty());
  EXPECT_NO_THROW(o.check_all_used("test"));
}

TEST(AzureSharedKey, StringToSign) {
  http::HttpRequest req;
  req.method = "PUT";
  req.url = "http://127.0.0.1:10000/devstoreaccount1/c/a%20b?comp=block&blockid=QUJD%3D";
  req.body = "hello";
  req.headers = {{"x-ms-version", "2021-08-06"},
                 {"x-ms-date", "Tue, 02 Jan 2024 03:04:05 GMT"},
                 {"Content-Type", "text/plain"}};
  EXPECT_EQ(azure::shared_key_string_to_sign(req, "devstoreaccount1"),
            "PUT\n\n\n5\n\ntext/plain\n\n\n\n\n\n\n"
            "x-ms-date:Tue, 02 Jan 2024 03:04:05 GMT\nx-ms-version:2021-08-06\n"
            "/devstoreaccount1/devstoreaccount1/c/a%20b\nblockid:QUJD=\ncomp:block");
  http::HttpRequest get;
  get.url = "https://acct.blob.core.windows.net/c?restype=container&comp=list&prefix=";
  get.headers = {{"x-ms-date", "d"}};
  EXPECT_EQ(
      azure::shared_key_string_to_sign(get, "acct"),
      "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:d\n/acct/c\ncomp:list\nprefix:\nrestype:container");
  azure::sign_shared_key(get, "acct", "key");
  EXPECT_EQ(get.header("authorization").value_or("").rfind("SharedKey acct:", 0), 0u);
}

}  // namespace
}  // namespace velo
