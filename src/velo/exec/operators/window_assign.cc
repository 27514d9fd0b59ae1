#include "velo/exec/operators/window_assign.h"

#include "velo/types/error.h"

namespace velo {

WindowAssignOperator::WindowAssignOperator(OperatorPtr child, WindowDef window, SchemaPtr schema,
                                           std::shared_ptr<const Clock> clock)
    : Operator(std::move(schema)),
      child_(std::move(child)),
      window_(window),
      clock_(std::move(clock)) {
  if (window_.kind == WindowDef::Kind::kSession)
    throw_internal_error(
        "session windows are assigned by the aggregate, not by WindowAssignOperator");
  if (window_.kind == WindowDef::Kind::kTumble) window_.slide = window_.size;
  if (window_.size <= 0 || window_.slide <= 0)
    throw_user_error("window size and slide must be positive");
}

bool WindowAssignOperator::next(Batch* out) {
  Batch in;
  while (child_->next(&in)) {
    if (in.num_rows == 0) {
      *out = Batch::heartbeat(schema_, in);
      return true;
    }
    size_t n = in.num_rows;
    // Times of the rows (processing time: one instant for the whole batch).
    std::vector<int64_t> proc;
    const Column* tcol = window_.time_column >= 0 ? in.columns[window_.time_column].get() : nullptr;
    if (!tcol) proc.assign(n, clock_->now_micros());
    const int64_t* ts = tcol ? tcol->values<int64_t>() : proc.data();
    // Copy j of a row goes to the window starting last_start - j*slide, while it still holds t.
    size_t copies = static_cast<size_t>((window_.size + window_.slide - 1) / window_.slide);
    std::vector<uint32_t> rows;
    std::vector<int64_t> starts;
    rows.reserve(n * copies);
    starts.reserve(n * copies);
    for (size_t j = 0; j < copies; ++j) {
      int64_t back = static_cast<int64_t>(j) * window_.slide;
      for (uint32_t i = 0; i < n; ++i) {
        if (tcol && tcol->is_null(i)) continue;
        int64_t start = window_.last_start(ts[i]) - back;
        if (start + window_.size <= ts[i]) continue;
        rows.push_back(i);
        starts.push_back(start);
      }
    }
    if (rows.empty()) {
      if (in.watermark == kNoWatermark) continue;
      *out = Batch::heartbeat(schema_, in);
      return true;
    }
    Batch result = gather(in, rows.data(), rows.size());
    auto start_col = Column::make(DataType::timestamp());
    auto end_col = Column::make(DataType::timestamp());
    start_col->resize(rows.size());
    end_col->resize(rows.size());
    int64_t* s = start_col->values<int64_t>();
    int64_t* e = end_col->values<int64_t>();
    for (size_t k = 0; k < rows.size(); ++k) {
      s[k] = starts[k];
      e[k] = starts[k] + window_.size;
    }
    result.columns.push_back(std::move(start_col));
    result.columns.push_back(std::move(end_col));
    result.schema = schema_;
    *out = std::move(result);
    return true;
  }
  return false;
}

}  // namespace velo
