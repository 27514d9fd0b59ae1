#include "velo/connectors/registry.h"

namespace velo {

void register_builtin_connectors() {
  register_file_connector();
  register_object_store_connector();
  register_kafka_connector();
  register_nexmark_connector();
  register_stdout_connector();
  register_blackhole_connector();
}

}  // namespace velo
