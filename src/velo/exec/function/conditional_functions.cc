#include "velo/exec/function/function.h"

namespace velo {

// PLACEHOLDER: replaced by the helper that owns this family.
void register_conditional_functions(FunctionRegistry& r) {}

}  // namespace velo
