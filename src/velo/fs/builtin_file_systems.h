#pragma once

namespace velo {

/// Registers the object-store schemes: s3, gs (s3/), azure, abfs, abfss and https for Azure
/// Blob hosts (azure/). Called once by file_system.cc before the first lookup; idempotent.
void register_builtin_file_systems();

}  // namespace velo
