#include "velo/connectors/registry.h"

namespace velo {

namespace {

/// `INTO 'blackhole://'`: counts rows and drops them (Flink's blackhole connector), so a
/// benchmark measures the query, not a sink.
class BlackholeSink : public Sink {
 public:
  explicit BlackholeSink(const Options& options) { options.check_all_used("blackhole sink"); }
  void open(SchemaPtr) override {}
  void write(const Batch& batch) override { rows_ += static_cast<int64_t>(batch.num_rows); }
  std::string prepare() override { return ""; }
  void commit(const std::string&) override {}
  void abort() noexcept override {}
  std::string describe() const override { return "blackhole://"; }
  int64_t rows_written() const override { return rows_; }

 private:
  int64_t rows_ = 0;
};

std::unique_ptr<Sink> make_blackhole_sink(const std::string&, const Options& options) {
  return std::make_unique<BlackholeSink>(options);
}

}  // namespace

void register_blackhole_connector() { register_sink("blackhole", &make_blackhole_sink); }

}  // namespace velo
