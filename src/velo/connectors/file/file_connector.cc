#include "velo/connectors/registry.h"

namespace velo {

// PLACEHOLDER: replaced by the helper that owns the file connector.
void register_file_connector() {}

}  // namespace velo
