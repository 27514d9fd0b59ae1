// Nexmark generator throughput: rows per second of one stream, one thread.
//   build-x/bench/nexmark_generator_bench
// items_per_second = rows of the stream; events_per_second counts the combined-stream event ids
// consumed (a bid batch of 4096 rows covers ~4452 event ids).
#include <benchmark/benchmark.h>

#include <chrono>

#include "velo/connectors/nexmark/nexmark_generator.h"
#include "velo/connectors/nexmark/nexmark_source.h"

namespace velo::nexmark {
namespace {

void run_generator(benchmark::State& state, EventType type, std::vector<int> projection) {
  Generator gen(GeneratorConfig{});
  constexpr size_t kBatch = 4096;
  std::vector<int64_t> ids(kBatch);
  int64_t next_number = 0, rows = 0, events = 0;
  for (auto _ : state) {
    int64_t first = next_number;
    size_t n = gen.collect_ids(type, &next_number, INT64_MAX, ids.data(), kBatch);
    std::vector<ColumnPtr> cols;
    gen.generate(type, ids.data(), n, projection, &cols);
    benchmark::DoNotOptimize(cols.data());
    rows += static_cast<int64_t>(n);
    events += next_number - first;
  }
  state.SetItemsProcessed(rows);
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_BidAllColumns(benchmark::State& s) { run_generator(s, EventType::kBid, {}); }
void BM_BidAuctionPrice(benchmark::State& s) {
  run_generator(s, EventType::kBid, {bid_col::kAuction, bid_col::kPrice});
}
void BM_BidQ0Columns(benchmark::State& s) {
  run_generator(s, EventType::kBid,
                {bid_col::kAuction, bid_col::kBidder, bid_col::kPrice, bid_col::kDateTime});
}
void BM_BidNoExtra(benchmark::State& s) {
  run_generator(s, EventType::kBid,
                {bid_col::kAuction, bid_col::kBidder, bid_col::kPrice, bid_col::kChannel,
                 bid_col::kUrl, bid_col::kDateTime});
}
void BM_AuctionAllColumns(benchmark::State& s) { run_generator(s, EventType::kAuction, {}); }
void BM_PersonAllColumns(benchmark::State& s) { run_generator(s, EventType::kPerson, {}); }

/// Through the source reader (what the engine sees), q0 columns.
void BM_SourceReaderQ0(benchmark::State& state) {
  Options o;
  NexmarkSource source("nexmark://bid", o);
  ScanSpec spec;
  spec.projection = {bid_col::kAuction, bid_col::kBidder, bid_col::kPrice, bid_col::kDateTime};
  source.apply(spec);
  auto readers = source.open(1);
  auto far = std::chrono::steady_clock::now() + std::chrono::hours(24);
  int64_t rows = 0;
  for (auto _ : state) {
    Batch b;
    readers[0]->next(&b, far);
    benchmark::DoNotOptimize(b.columns.data());
    rows += static_cast<int64_t>(b.num_rows);
  }
  state.SetItemsProcessed(rows);
}

BENCHMARK(BM_BidAllColumns);
BENCHMARK(BM_BidAuctionPrice);
BENCHMARK(BM_BidQ0Columns);
BENCHMARK(BM_BidNoExtra);
BENCHMARK(BM_AuctionAllColumns);
BENCHMARK(BM_PersonAllColumns);
BENCHMARK(BM_SourceReaderQ0);

}  // namespace
}  // namespace velo::nexmark
