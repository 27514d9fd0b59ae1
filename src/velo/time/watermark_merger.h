#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "velo/batch/batch.h"

namespace velo {

/// The watermark of an operator with several inputs (union, join, gather of parallel readers)
/// is the minimum of its inputs' watermarks; a finished input no longer holds it back.
class WatermarkMerger {
 public:
  explicit WatermarkMerger(size_t inputs) : inputs_(inputs, kNoWatermark) {}
  /// Records `watermark` (kNoWatermark = no news) of `input`; returns the combined watermark
  /// when it moved forward, else kNoWatermark.
  int64_t update(size_t input, int64_t watermark) {
    if (watermark == kNoWatermark || watermark <= inputs_[input]) return kNoWatermark;
    inputs_[input] = watermark;
    return recompute();
  }
  /// The input ended: its rows are all seen.
  int64_t finish(size_t input) { return update(input, kEndOfTime); }
  int64_t current() const { return combined_; }

 private:
  int64_t recompute() {
    int64_t low = *std::min_element(inputs_.begin(), inputs_.end());
    if (low <= combined_) return kNoWatermark;
    combined_ = low;
    return combined_;
  }
  std::vector<int64_t> inputs_;
  int64_t combined_ = kNoWatermark;
};

}  // namespace velo
