#include "velo/fs/builtin_file_systems.h"

#include "velo/fs/azure/azure_file_system.h"
#include "velo/fs/s3/s3_file_system.h"

namespace velo {

void register_builtin_file_systems() {
  register_s3_file_systems();
  register_azure_file_systems();
}

}  // namespace velo
