#pragma once

#include <memory>

#include "velo/exec/operators/operator.h"
#include "velo/time/clock.h"

namespace velo {

/// The time windows of ARCHITECTURE.md §4. Durations are microseconds.
struct WindowDef {
  enum class Kind { kTumble, kHop, kSession };
  Kind kind = Kind::kTumble;
  int64_t size = 0;        // tumble, hop
  int64_t slide = 0;       // hop (= size for tumble)
  int64_t gap = 0;         // session
  int64_t max_length = 0;  // session: 0 = unbounded
  int64_t offset = 0;      // window alignment
  /// Input column of the time attribute (TIMESTAMP); -1 = processing time (the job's clock).
  int time_column = -1;

  /// Start of the last window that contains `t` (tumble and hop).
  int64_t last_start(int64_t t) const {
    int64_t rel = t - offset;
    int64_t q = rel / slide;
    if (rel % slide < 0) --q;  // floor for times before the epoch
    return q * slide + offset;
  }
};

/// Table-valued TUMBLE / HOP: appends `window_start` and `window_end` (TIMESTAMP) to every row;
/// HOP repeats a row once per window that contains it. Rows with a NULL time are dropped (they
/// belong to no window). Watermarks and heartbeats pass through.
class WindowAssignOperator : public Operator {
 public:
  WindowAssignOperator(OperatorPtr child, WindowDef window, SchemaPtr schema,
                       std::shared_ptr<const Clock> clock);
  bool next(Batch* out) override;

 private:
  OperatorPtr child_;
  WindowDef window_;
  std::shared_ptr<const Clock> clock_;
  std::vector<uint32_t> sel_;
};

}  // namespace velo
