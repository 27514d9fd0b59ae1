#include "velo/exec/struct_access.h"

#include <numeric>

#include "velo/batch/batch.h"

namespace velo {

namespace {
void struct_field_kernel(const KernelContext& ctx, const std::vector<ArgVector>& args, Column* out) {
  size_t field = *static_cast<const size_t*>(ctx.state);
  const Column& parent = *args[0].column;
  const Column& child = parent.child(field);
  std::vector<uint32_t> rows(ctx.rows);
  for (size_t i = 0; i < ctx.rows; ++i) rows[i] = static_cast<uint32_t>(args[0].index(i));
  ColumnPtr picked = gather(child, rows.data(), rows.size());
  // Move the gathered column's contents into `out` (same type).
  *out = std::move(*picked);
}
}  // namespace

BoundScalar bind_struct_field(const DataType& struct_type, size_t field) {
  BoundScalar b;
  b.return_type = struct_type.children()[field].type;
  b.arg_types = {struct_type};
  b.kernel = &struct_field_kernel;
  b.state = std::make_shared<const size_t>(field);
  b.propagates_nulls = true;
  return b;
}

}  // namespace velo
