#pragma once

#include "velo/exec/function/function.h"

namespace velo {

/// The cast from `from` to `to` as a scalar kernel. With `try_cast` a value that does not
/// convert becomes NULL (TRY_CAST); otherwise the kernel throws a user error naming the value
/// and both types. Throws a user error at bind time when no cast exists between the types.
BoundScalar bind_cast(const DataType& from, const DataType& to, bool try_cast);

}  // namespace velo
