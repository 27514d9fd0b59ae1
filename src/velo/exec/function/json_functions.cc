#include "velo/exec/function/function.h"

namespace velo {

// PLACEHOLDER: replaced by the helper that owns this family.
void register_json_functions(FunctionRegistry& r) {}

}  // namespace velo
