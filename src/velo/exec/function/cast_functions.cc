#include "velo/exec/function/function.h"

namespace velo {

// PLACEHOLDER: replaced by the helper that owns this family.
void register_cast_functions(FunctionRegistry& r) {}

}  // namespace velo
#include "velo/exec/function/cast.h"
#include "velo/types/error.h"
namespace velo {
BoundScalar bind_cast(const DataType& from, const DataType& to, bool try_cast) {
  throw_not_supported("CAST");
}
}  // namespace velo
