#pragma once

#include <cstddef>
#include <cstdint>

#include "velo/batch/column.h"

namespace velo {

/// Mixes `column`'s rows into `hashes` (first column: overwrite when `combine` is false).
/// NULL hashes to a fixed value so NULL keys group together.
void hash_column(const Column& column, size_t rows, uint64_t* hashes, bool combine);

/// For each k: equal[k] &= (a row rows_a[k] == b row rows_b[k]), with NULL == NULL.
void compare_rows(const Column& a, const uint32_t* rows_a, const Column& b, const uint32_t* rows_b,
                  size_t n, uint8_t* equal);

}  // namespace velo
