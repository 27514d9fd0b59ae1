#include "velo/connectors/file/file_connector.h"
#include "velo/connectors/registry.h"

namespace velo {

// Object stores are file systems (velo/fs/s3, velo/fs/azure): `FROM 's3://b/*.parquet'` and
// `INTO 'azure://c/out/'` are the file connector over the FileSystem that file_system_for()
// returns for the scheme. https:// resolves only for Azure Blob hosts (others are "not
// available yet").
void register_object_store_connector() {
  for (const char* scheme : {"s3", "gs", "azure", "abfs", "abfss", "https"}) {
    register_source(scheme, &make_file_source);
    register_sink(scheme, &make_file_sink);
  }
}

}  // namespace velo
