#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "velo/connectors/nexmark/nexmark_generator.h"
#include "velo/io/options.h"
#include "velo/io/source.h"

namespace velo::nexmark {

/// `nexmark://bid`, `nexmark://auction`, `nexmark://person` (also `bids`, `auctions`, `persons`,
/// `people`; or `nexmark://` with option `table`): the Nexmark benchmark generator as a source.
///
/// Options: `events` (total events of all three types, event ids 0..events-1 of the combined
/// stream; bounded when set, unbounded otherwise), `rate` (events/s of the combined stream for
/// the event times, default 10000), `pace` (default false: also hold events back until their
/// wall-clock time at `rate`), `seed` (0), `base_time` (event time of event 0, default
/// '2015-07-15 00:00:00'), `out_of_order_group` (1), `batch_size` (4096).
///
/// Each entity stream has the rows of its events only (a bid source with events = 1000 yields
/// 920 bids). Output is a pure function of the options and the projection: the parallel
/// readers interleave blocks of 4100 event numbers, and the rows do not depend on their count.
/// The default event time is `date_time` with 4 s out-of-orderness (the Flink DDL watermark).
class NexmarkSource : public Source {
 public:
  /// Reads the options; throws a user error on bad values and on options it does not know
  /// (event-time options must have been read before, as the connector catalog does).
  NexmarkSource(const std::string& uri, const Options& options);

  SchemaPtr schema() const override { return schema_of(type_); }
  SourceCapabilities capabilities() const override;
  /// `parallelism` readers (at least one), each a share of the event numbers. Thread-safe
  /// readers: they share only the immutable generator and the row counter.
  std::vector<std::unique_ptr<SourceReader>> open(int parallelism) override;
  std::string describe() const override;
  SourceProgress progress() const override;
  /// Positions are "readers:next event number:rows emitted:done" per reader; a resumed job
  /// must run with the same number of readers (the event numbers they share depend on it).
  bool can_checkpoint() const override { return true; }
  void restore(const std::vector<std::string>& positions) override;

  EventType type() const { return type_; }
  const Generator& generator() const { return *generator_; }

  /// Event numbers per interleaved block of the readers (a multiple of the out-of-order group).
  int64_t block_events() const { return block_events_; }

 private:
  EventType type_ = EventType::kBid;
  int64_t events_ = -1;  // -1 = unbounded
  bool pace_ = false;
  size_t batch_size_ = kDefaultBatchRows;
  int64_t block_events_ = 0;
  std::shared_ptr<const Generator> generator_;
  std::shared_ptr<std::atomic<int64_t>> rows_ = std::make_shared<std::atomic<int64_t>>(0);
  std::vector<std::string> restored_;  // reader positions from a checkpoint
};

std::unique_ptr<Source> make_nexmark_source(const std::string& uri, const Options& options);

}  // namespace velo::nexmark
