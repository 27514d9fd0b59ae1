#pragma once

#include <memory>
#include <string>

#include "velo/fs/azure/azure_config.h"
#include "velo/fs/file_system.h"

namespace velo {

/// A FileSystem over Azure Blob storage for `azure://container/path`,
/// `abfs[s]://container@account.dfs.core.windows.net/path` and
/// `https://account.blob.core.windows.net/container/path`: List Blobs (prefix + marker paging),
/// ranged Get Blob, Put Blob for small writes, Put Block + Put Block List for large ones
/// (committed only at commit()), Delete Blob. Shared Key or SAS authorization.
std::shared_ptr<FileSystem> azure_file_system(azure::AzureConfig config);

/// The storage account a URI names ("" for azure://), or throws for a malformed one.
std::string azure_account_of(const std::string& uri);

/// Registers "azure", "abfs", "abfss", and "https" for *.blob.core.windows.net hosts.
void register_azure_file_systems();

}  // namespace velo
