// Parquet scan benchmarks (Google Benchmark). The file is the 10M-row, 10-column file written by
// DuckDB (bench/parquet_scan.sh creates it and runs DuckDB on the same queries):
//   VELO_BENCH_PARQUET=/tmp/velo_bench_10m.parquet build/bench/parquet_bench
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "velo/formats/parquet/parquet_format.h"
#include "velo/formats/parquet/parquet_reader.h"
#include "velo/types/error.h"

namespace velo {
namespace {

class BenchFile : public RandomAccessFile {
 public:
  explicit BenchFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY);
    if (fd_ < 0) throw_io_error("cannot open {}", path_);
    size_ = ::lseek(fd_, 0, SEEK_END);
  }
  ~BenchFile() override { ::close(fd_); }
  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }
  size_t read_at(int64_t offset, size_t n, void* out) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, static_cast<char*>(out) + done, n - done, offset + done);
      if (r <= 0) break;
      done += r;
    }
    bytes_ += done;
    return done;
  }
  mutable std::atomic<int64_t> bytes_{0};

 private:
  std::string path_;
  int fd_ = -1;
  int64_t size_ = 0;
};

std::string bench_path() {
  const char* p = std::getenv("VELO_BENCH_PARQUET");
  return p ? p : "/tmp/velo_bench_10m.parquet";
}

struct ScanResult {
  int64_t rows = 0, count = 0;
  int128_t sum_x = 0, sum_amount = 0;
  int64_t sum_maybe = 0;
};

// SELECT count(*), sum(x), sum(amount), sum(maybe) FROM f WHERE k < 100, over the row groups
// starting in [begin, end).
ScanResult scan_range(const std::shared_ptr<BenchFile>& file, SchemaPtr schema, int64_t begin,
                      int64_t end) {
  ParquetFormat format;
  FormatReadRequest req;
  req.file = file;
  req.schema = schema;
  req.spec.projection = {schema->find("k"), schema->find("x"), schema->find("amount"),
                         schema->find("maybe")};
  ScanPredicate p;
  p.column = schema->find("k");
  p.op = ScanPredicate::Op::kLt;
  p.values = {Value::int32(100)};
  req.spec.predicates = {p};
  req.range_begin = begin;
  req.range_end = end;
  auto reader = format.open_reader(req);
  ScanResult r;
  Batch b;
  while (reader->next(&b)) {
    r.rows += b.num_rows;
    const int32_t* k = b.columns[0]->values<int32_t>();
    const Column& x = *b.columns[1];
    const Column& amount = *b.columns[2];
    const Column& maybe = *b.columns[3];
    const int128_t* xv = x.values<int128_t>();
    const int128_t* av = amount.values<int128_t>();
    const int64_t* mv = maybe.values<int64_t>();
    for (size_t i = 0; i < b.num_rows; ++i) {
      if (k[i] >= 100) continue;
      ++r.count;
      r.sum_x += xv[i];
      r.sum_amount += av[i];
      if (!maybe.is_null(i)) r.sum_maybe += mv[i];
    }
  }
  return r;
}

void BM_ScanFilterAggregate(benchmark::State& state) {
  auto file = std::make_shared<BenchFile>(bench_path());
  SchemaPtr schema = ParquetFormat().infer_schema(file, Options());
  int threads = static_cast<int>(state.range(0));
  ScanResult total;
  for (auto _ : state) {
    std::vector<ScanResult> parts(threads);
    std::vector<std::thread> workers;
    int64_t size = file->size();
    for (int t = 0; t < threads; ++t) {
      int64_t b = size * t / threads, e = t + 1 == threads ? -1 : size * (t + 1) / threads;
      workers.emplace_back([&, t, b, e] { parts[t] = scan_range(file, schema, b, e); });
    }
    for (auto& w : workers) w.join();
    total = {};
    for (auto& p : parts) {
      total.rows += p.rows;
      total.count += p.count;
      total.sum_x += p.sum_x;
      total.sum_amount += p.sum_amount;
      total.sum_maybe += p.sum_maybe;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * total.rows);
  state.counters["count"] = static_cast<double>(total.count);
  state.counters["sum_maybe"] = static_cast<double>(total.sum_maybe);
  state.counters["sum_amount"] = static_cast<double>(total.sum_amount) / 100;
}
BENCHMARK(BM_ScanFilterAggregate)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// SELECT count(*), sum(x) WHERE id BETWEEN 5000000 AND 5001000: statistics pruning.
void BM_SelectivePruned(benchmark::State& state) {
  auto file = std::make_shared<BenchFile>(bench_path());
  SchemaPtr schema = ParquetFormat().infer_schema(file, Options());
  int64_t rows = 0, bytes = 0;
  for (auto _ : state) {
    file->bytes_ = 0;
    ParquetFormat format;
    FormatReadRequest req;
    req.file = file;
    req.schema = schema;
    int id = schema->find("id");
    req.spec.projection = {id, schema->find("x")};
    ScanPredicate lo{id, ScanPredicate::Op::kGe, {Value::int64(5000000)}};
    ScanPredicate hi{id, ScanPredicate::Op::kLe, {Value::int64(5001000)}};
    req.spec.predicates = {lo, hi};
    auto reader = format.open_reader(req);
    Batch b;
    rows = 0;
    while (reader->next(&b)) rows += b.num_rows;
    bytes = file->bytes_;
  }
  state.counters["rows_decoded"] = static_cast<double>(rows);
  state.counters["bytes_read"] = static_cast<double>(bytes);
  state.counters["file_fraction"] = static_cast<double>(bytes) / file->size();
}
BENCHMARK(BM_SelectivePruned)->Unit(benchmark::kMillisecond);

// SELECT sum(length(name)) FROM f, one thread: a string column (dictionary pages, and PLAIN
// pages where DuckDB's dictionary overflowed).
void BM_ScanStrings(benchmark::State& state) {
  auto file = std::make_shared<BenchFile>(bench_path());
  SchemaPtr schema = ParquetFormat().infer_schema(file, Options());
  int64_t rows = 0, bytes = 0;
  for (auto _ : state) {
    ParquetFormat format;
    FormatReadRequest req;
    req.file = file;
    req.schema = schema;
    req.spec.projection = {schema->find("name")};
    auto reader = format.open_reader(req);
    Batch b;
    rows = bytes = 0;
    while (reader->next(&b)) {
      const Column& c = *b.columns[0];
      for (size_t i = 0; i < b.num_rows; ++i)
        if (!c.is_null(i)) bytes += static_cast<int64_t>(c.string_at(i).size());
      rows += b.num_rows;
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["string_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ScanStrings)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Writes straight to a local file (the bench's copy of the file, written by velo).
class FileOutput : public OutputStream {
 public:
  explicit FileOutput(std::string path)
      : path_(std::move(path)), f_(std::fopen(path_.c_str(), "wb")) {
    if (!f_) throw_io_error("cannot write {}", path_);
  }
  ~FileOutput() override {
    if (f_) std::fclose(f_);
  }
  void write(const void* data, size_t n) override {
    std::fwrite(data, 1, n, f_);
    written_ += static_cast<int64_t>(n);
  }
  int64_t bytes_written() const override { return written_; }
  void prepare() override {}
  void commit() override {
    std::fclose(f_);
    f_ = nullptr;
  }
  void abort() noexcept override {}
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  FILE* f_;
  int64_t written_ = 0;
};

/// The bench file rewritten by velo with 64 KiB pages and the page index (made once).
std::string page_index_copy() {
  std::string out = bench_path() + ".velo-pageindex.parquet";
  if (::access(out.c_str(), R_OK) == 0) return out;
  auto src = std::make_shared<BenchFile>(bench_path());
  ParquetFormat format;
  SchemaPtr schema = format.infer_schema(src, Options());
  FormatReadRequest req;
  req.file = src;
  req.schema = schema;
  auto reader = format.open_reader(req);
  Options opts;
  opts.set("page_size", "64KB");
  FileOutput sink(out + ".tmp");
  auto writer = format.open_writer(&sink, schema, opts);
  Batch b;
  while (reader->next(&b)) writer->write(b);
  writer->finish();
  sink.commit();
  std::rename((out + ".tmp").c_str(), out.c_str());
  return out;
}

// The query of BM_SelectivePruned over the velo copy: statistics keep one row group, the page
// index one page of it per column, and the rows of the page around the range are dropped.
void BM_SelectivePageIndex(benchmark::State& state) {
  auto file = std::make_shared<BenchFile>(page_index_copy());
  SchemaPtr schema = ParquetFormat().infer_schema(file, Options());
  int64_t rows = 0, bytes = 0, skipped = 0, read = 0;
  for (auto _ : state) {
    file->bytes_ = 0;
    ParquetFormat format;
    FormatReadRequest req;
    req.file = file;
    req.schema = schema;
    int id = schema->find("id");
    req.spec.projection = {id, schema->find("x")};
    ScanPredicate lo{id, ScanPredicate::Op::kGe, {Value::int64(5000000)}};
    ScanPredicate hi{id, ScanPredicate::Op::kLe, {Value::int64(5001000)}};
    req.spec.predicates = {lo, hi};
    auto reader = format.open_reader(req);
    Batch b;
    rows = 0;
    while (reader->next(&b)) rows += b.num_rows;
    bytes = file->bytes_;
    const parquet::ParquetScanStats* st = parquet::parquet_scan_stats(*reader);
    skipped = st->pages_skipped;
    read = st->pages_read;
  }
  state.counters["rows_decoded"] = static_cast<double>(rows);
  state.counters["bytes_read"] = static_cast<double>(bytes);
  state.counters["pages_read"] = static_cast<double>(read);
  state.counters["pages_skipped"] = static_cast<double>(skipped);
}
BENCHMARK(BM_SelectivePageIndex)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace velo
