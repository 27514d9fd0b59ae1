#include "velo/fs/azure/azure_config.h"

#include <cstdlib>
#include <map>

#include "velo/fs/http/crypto.h"
#include "velo/types/error.h"

namespace velo::azure {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// "A=1;B=x==;" -> {a: 1, b: x==} (names lower-cased; values may contain '=').
std::map<std::string, std::string> parse_connection_string(const std::string& s) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t semi = s.find(';', pos);
    std::string part = s.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
    size_t eq = part.find('=');
    if (eq != std::string::npos) out[Options::lower(part.substr(0, eq))] = part.substr(eq + 1);
    if (semi == std::string::npos) break;
    pos = semi + 1;
  }
  if (out.count("usedevelopmentstorage") &&
      Options::lower(out["usedevelopmentstorage"]) == "true") {
    out.emplace("accountname", "devstoreaccount1");
    out.emplace("accountkey", kDevelopmentAccountKey);
    out.emplace("blobendpoint", "http://127.0.0.1:10000/devstoreaccount1");
  }
  return out;
}

std::string strip_question_mark(std::string s) {
  if (!s.empty() && s.front() == '?') s.erase(0, 1);
  return s;
}

}  // namespace

AzureConfig azure_config_from(const Options& options, const std::string& uri_account) {
  AzureConfig c;
  std::string conn_source = "connection_string";
  std::string conn = options.get_string("connection_string", "");
  if (conn.empty()) {
    conn = env("AZURE_STORAGE_CONNECTION_STRING");
    conn_source = "AZURE_STORAGE_CONNECTION_STRING";
  }
  auto cs = parse_connection_string(conn);

  auto option_account = options.get("account_name");
  if (!uri_account.empty())
    c.account = uri_account;
  else if (option_account)
    c.account = *option_account;
  else if (cs.count("accountname"))
    c.account = cs["accountname"];
  else
    c.account = env("AZURE_STORAGE_ACCOUNT");
  if (c.account.empty())
    throw_user_error(
        "no Azure storage account: set account_name = '...' or "
        "AZURE_STORAGE_ACCOUNT (or use an abfs://container@account.dfs.core.windows.net/ "
        "URI)");

  auto key = options.get("account_key");
  auto sas = options.get("sas_token");
  if (key) {
    c.decoded_key = http::base64_decode(*key, "account_key");
    c.credential_source = "Shared Key from the WITH clause (account_key)";
  } else if (sas) {
    c.sas_token = strip_question_mark(*sas);
    c.credential_source = "SAS token from the WITH clause (sas_token)";
  } else if (cs.count("accountkey")) {
    c.decoded_key = http::base64_decode(cs["accountkey"], "the connection string's AccountKey");
    c.credential_source = "Shared Key from " + conn_source;
  } else if (cs.count("sharedaccesssignature")) {
    c.sas_token = strip_question_mark(cs["sharedaccesssignature"]);
    c.credential_source = "SAS token from " + conn_source;
  } else if (!env("AZURE_STORAGE_KEY").empty()) {
    c.decoded_key = http::base64_decode(env("AZURE_STORAGE_KEY"), "AZURE_STORAGE_KEY");
    c.credential_source = "Shared Key from AZURE_STORAGE_KEY";
  } else if (!env("AZURE_STORAGE_SAS_TOKEN").empty()) {
    c.sas_token = strip_question_mark(env("AZURE_STORAGE_SAS_TOKEN"));
    c.credential_source = "SAS token from AZURE_STORAGE_SAS_TOKEN";
  } else {
    c.credential_source = "no credentials (anonymous requests)";
  }
  c.credential_source += ", account " + c.account;

  std::string endpoint = options.get_string("endpoint", "");
  if (endpoint.empty() && cs.count("blobendpoint")) endpoint = cs["blobendpoint"];
  if (endpoint.empty() && cs.count("endpointsuffix"))
    endpoint = cs.count("defaultendpointsprotocol") ? cs["defaultendpointsprotocol"] : "https";
  if (endpoint.empty()) {
    endpoint = "https://" + c.account + ".blob.core.windows.net";
  } else if (endpoint == "http" || endpoint == "https") {
    endpoint += "://" + c.account + ".blob." + cs["endpointsuffix"];
  }
  c.endpoint = http::parse_endpoint(endpoint, "endpoint");
  c.block_size = options.get_bytes("part_size", c.block_size);
  if (c.block_size < (1 << 20) || c.block_size > (int64_t{4000} << 20))
    throw_user_error("part_size for Azure must be between 1MiB and 4000MiB, not {}", c.block_size);
  c.upload_concurrency = static_cast<int>(options.get_int("upload_concurrency", 4));
  if (c.upload_concurrency < 1 || c.upload_concurrency > 64)
    throw_user_error("upload_concurrency must be between 1 and 64");
  c.list_page_size = static_cast<int>(options.get_int("list_page_size", c.list_page_size));
  if (c.list_page_size < 1 || c.list_page_size > 5000)
    throw_user_error("list_page_size must be between 1 and 5000");
  c.http = http::HttpClientOptions::from(options);
  return c;
}

}  // namespace velo::azure
