#include "velo/exec/operators/join_output.h"

namespace velo {

ColumnPtr gather_or_null(const Column& src, const std::vector<uint32_t>& idx) {
  size_t n = idx.size();
  bool any_null = false;
  for (uint32_t i : idx) any_null |= i == kNoRow;
  if (!any_null) return gather(src, idx.data(), n);
  if (src.size() == 0) {
    auto c = Column::make(src.type());
    for (size_t i = 0; i < n; ++i) c->append_null();
    return c;
  }
  std::vector<uint32_t> safe(idx);
  for (auto& i : safe)
    if (i == kNoRow) i = 0;
  ColumnPtr c = gather(src, safe.data(), n);
  for (size_t i = 0; i < n; ++i)
    if (idx[i] == kNoRow) c->set_null(i);
  return c;
}

}  // namespace velo
