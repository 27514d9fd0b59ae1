#include "velo/connectors/file/file_connector.h"

#include "velo/connectors/registry.h"

namespace velo {

void register_file_connector() {
  register_source("file", &make_file_source);
  register_sink("file", &make_file_sink);
}

}  // namespace velo
