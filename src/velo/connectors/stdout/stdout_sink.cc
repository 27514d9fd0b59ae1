#include <fmt/format.h>

#include <cstdio>

#include "velo/connectors/registry.h"
#include "velo/types/error.h"
#include "velo/types/value.h"

namespace velo {

namespace {

/// `INTO 'stdout://'`: one JSON object per row on standard output (with `_op` for changelog
/// rows). Nothing to publish atomically; prepare() flushes.
class StdoutSink : public Sink {
 public:
  explicit StdoutSink(const Options& options) { options.check_all_used("stdout sink"); }
  void open(SchemaPtr schema) override { schema_ = std::move(schema); }
  void write(const Batch& batch) override {
    std::string line;
    bool changelog = !batch.append_only();
    for (size_t r = 0; r < batch.num_rows; ++r) {
      line = "{";
      if (changelog) line += fmt::format("\"_op\":\"{}\",", row_kind_symbol(batch.row_kind(r)));
      for (size_t c = 0; c < batch.columns.size(); ++c) {
        if (c) line += ',';
        append_json_string(schema_->field(c).name, &line);
        line += ':' + batch.columns[c]->value_at(r).to_json();
      }
      line += "}\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    rows_ += static_cast<int64_t>(batch.num_rows);
  }
  std::string prepare() override {
    std::fflush(stdout);
    return "";
  }
  void commit(const std::string&) override {}
  void abort() noexcept override { std::fflush(stdout); }
  std::string describe() const override { return "stdout"; }
  int64_t rows_written() const override { return rows_; }

 private:
  SchemaPtr schema_;
  int64_t rows_ = 0;
};

std::unique_ptr<Sink> make_stdout_sink(const std::string&, const Options& options) {
  return std::make_unique<StdoutSink>(options);
}

}  // namespace

void register_stdout_connector() { register_sink("stdout", &make_stdout_sink); }

}  // namespace velo
