#pragma once

#include <deque>

#include "velo/batch/batch.h"

namespace velo {

/// For operators that turn input into queued results (windowed aggregates, sessions, Top-N):
/// after consuming `in`, queues what operators above must still see of it — its watermark
/// after the results it made final (so they are never late above), and a heartbeat for its
/// drained flag or checkpoint barrier. Queues nothing for a plain batch of rows that made no
/// result and moved no time.
inline void pass_time_on(std::deque<Batch>* ready, const Batch& in, const SchemaPtr& schema) {
  if (ready->empty()) {
    if (in.num_rows == 0 || in.watermark != kNoWatermark)
      ready->push_back(Batch::heartbeat(schema, in));
    return;
  }
  ready->back().watermark = in.watermark;
  if (in.drained || in.barrier) {
    Batch hb = Batch::heartbeat(schema, in);
    hb.watermark = kNoWatermark;
    ready->push_back(std::move(hb));
  }
}

}  // namespace velo
