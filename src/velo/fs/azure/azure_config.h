#pragma once

#include <string>

#include "velo/fs/http/http_client.h"
#include "velo/fs/http/url.h"
#include "velo/io/options.h"

namespace velo::azure {

/// How to reach and authorize against one Azure Blob storage account.
struct AzureConfig {
  std::string account;
  std::string decoded_key;  // Shared Key (base64-decoded account key); empty if none
  std::string sas_token;    // "sv=...&sig=..." without '?'; empty if none
  http::Endpoint endpoint;  // https://<account>.blob.core.windows.net or e.g. azurite's
  std::string credential_source;
  int64_t block_size = 8 << 20;
  int upload_concurrency = 4;  // blocks of one stream uploading at once
  int list_page_size = 5000;   // List Blobs maxresults (the service's maximum)
  http::HttpClientOptions http;
};

/// Resolves an account's config. `uri_account` is the account a URI names (abfs://c@acct...,
/// https://acct.blob...), or "". Sources, first hit wins per item:
///   account: the URI, WITH account_name, the connection string's AccountName,
///            AZURE_STORAGE_ACCOUNT
///   secret:  WITH account_key, WITH sas_token, WITH connection_string or
///            AZURE_STORAGE_CONNECTION_STRING (AccountKey / SharedAccessSignature),
///            AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN; else anonymous
///   endpoint: WITH endpoint, the connection string's BlobEndpoint (or protocol + suffix),
///            https://<account>.blob.core.windows.net
AzureConfig azure_config_from(const Options& options, const std::string& uri_account);

/// Azurite's well-known development account key (public; documented by Microsoft).
inline constexpr const char* kDevelopmentAccountKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

}  // namespace velo::azure
