#pragma once

#include <cstddef>

#include "velo/exec/function/function.h"

namespace velo {

/// `s.field` on a STRUCT value: the field's column, NULL where the struct is NULL.
BoundScalar bind_struct_field(const DataType& struct_type, size_t field);

}  // namespace velo
