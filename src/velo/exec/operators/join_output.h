#pragma once

#include <cstdint>
#include <vector>

#include "velo/batch/batch.h"

namespace velo {

/// A row index that stands for "no row": the NULL padding of an outer join.
constexpr uint32_t kNoRow = UINT32_MAX;

/// Rows `idx` of `src`; kNoRow gives NULL (outer-join padding).
ColumnPtr gather_or_null(const Column& src, const std::vector<uint32_t>& idx);

}  // namespace velo
