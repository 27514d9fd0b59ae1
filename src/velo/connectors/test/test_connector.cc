#include "velo/connectors/test/test_connector.h"

#include "velo/connectors/registry.h"
#include "velo/formats/json/json_row_decoder.h"
#include "velo/io/column_list.h"
#include "velo/types/error.h"

namespace velo {

TestStreams& TestStreams::instance() {
  static TestStreams hub;
  return hub;
}

void TestStreams::declare_source(const std::string& name, SchemaPtr schema, int partitions) {
  std::lock_guard<std::mutex> lock(mu_);
  SourceState& s = sources_[name];
  if (s.schema && s.partitions.size() == static_cast<size_t>(partitions)) return;  // restart
  s.schema = std::move(schema);
  s.partitions.assign(std::max(1, partitions), Partition{});
  s.ended = false;
}

TestStreams::SourceState& TestStreams::source_state(const std::string& name) {
  auto it = sources_.find(name);
  if (it == sources_.end())
    throw_user_error(
        "test source '{}' is not declared (CREATE SOURCE {} ... WITH (connector = 'test'))", name,
        name);
  return it->second;
}

bool TestStreams::has_source(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return sources_.count(name) > 0;
}

void TestStreams::ingest(const std::string& name, int partition,
                         const std::vector<std::string>& rows) {
  std::lock_guard<std::mutex> lock(mu_);
  SourceState& s = source_state(name);
  if (partition < 0 || static_cast<size_t>(partition) >= s.partitions.size())
    throw_user_error("test source '{}' has {} partitions, not partition {}", name,
                     s.partitions.size(), partition);
  JsonRowDecoder decoder(s.schema);
  Batch b = Batch::empty(s.schema);
  for (const auto& r : rows) {
    decoder.append_row(r, b.columns);
    ++b.num_rows;
  }
  b.partition = partition;
  s.partitions[partition].log.push_back(std::move(b));
  s.partitions[partition].idle = false;
}

void TestStreams::set_idle(const std::string& name, int partition, bool idle) {
  std::lock_guard<std::mutex> lock(mu_);
  SourceState& s = source_state(name);
  if (partition < 0 || static_cast<size_t>(partition) >= s.partitions.size())
    throw_user_error("test source '{}' has no partition {}", name, partition);
  s.partitions[partition].idle = idle;
}

void TestStreams::end(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  source_state(name).ended = true;
}

std::vector<Batch> TestStreams::take_written(const std::string& sink) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Batch> out;
  out.swap(sinks_[sink].written);
  return out;
}

std::vector<Batch> TestStreams::committed(const std::string& sink) {
  std::lock_guard<std::mutex> lock(mu_);
  return sinks_[sink].committed;
}

void TestStreams::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  sources_.clear();
  sinks_.clear();
}

namespace {

std::string stream_name(const std::string& uri) {
  std::string name = uri.substr(uri.find("://") + 3);
  if (name.empty()) throw_user_error("test URI '{}' needs a name: test://name", uri);
  return Options::lower(name);
}

/// Reads every partition of a test source, a batch per ingest, partitions in turn.
class TestReader : public SourceReader {
 public:
  TestReader(std::string name, std::vector<int> projection, std::vector<size_t> cursor)
      : name_(std::move(name)), projection_(std::move(projection)), cursor_(std::move(cursor)) {}

  PollStatus next(Batch* out, Deadline) override {
    return TestStreams::instance().with_source(name_, [&](TestStreams::SourceState& s) {
      for (size_t k = 0; k < cursor_.size(); ++k) {
        size_t p = (next_partition_ + k) % cursor_.size();
        if (cursor_[p] < s.partitions[p].log.size()) {
          const Batch& b = s.partitions[p].log[cursor_[p]++];
          next_partition_ = (p + 1) % cursor_.size();
          *out = project(b);
          return PollStatus::kBatch;
        }
      }
      return s.ended ? PollStatus::kEnd : PollStatus::kNothingYet;
    });
  }

  std::vector<int32_t> partitions() const override {
    std::vector<int32_t> out;
    for (size_t p = 0; p < cursor_.size(); ++p) out.push_back(static_cast<int32_t>(p));
    return out;
  }

  bool partition_idle(int32_t p) const override {
    return TestStreams::instance().with_source(name_, [&](TestStreams::SourceState& s) {
      return s.partitions[p].idle && cursor_[p] >= s.partitions[p].log.size();
    });
  }

  /// The next ingest (batch) number of every partition: "3,0,5".
  std::string position() const override {
    std::string out;
    for (size_t c : cursor_) out += (out.empty() ? "" : ",") + std::to_string(c);
    return out;
  }

 private:
  Batch project(const Batch& b) const {
    if (projection_.empty()) return b;
    Batch out;
    out.num_rows = b.num_rows;
    out.partition = b.partition;
    for (int c : projection_) out.columns.push_back(b.columns[c]);
    return out;
  }
  std::string name_;
  std::vector<int> projection_;
  std::vector<size_t> cursor_;
  size_t next_partition_ = 0;
};

class TestSource : public Source {
 public:
  TestSource(const std::string& uri, const Options& options) : name_(stream_name(uri)) {
    int partitions = static_cast<int>(options.get_int("partitions", 1));
    if (partitions < 1) throw_user_error("test source '{}': partitions must be at least 1", name_);
    auto declared = options.get("schema");
    if (declared) {
      schema_ = parse_column_list(*declared);
      TestStreams::instance().declare_source(name_, schema_, partitions);
    } else {
      schema_ = TestStreams::instance().with_source(
          name_, [](TestStreams::SourceState& s) { return s.schema; });
    }
    options.check_all_used("test source");
  }
  SchemaPtr schema() const override { return schema_; }
  SourceCapabilities capabilities() const override {
    SourceCapabilities c;
    c.bounded = false;
    c.projection_pushdown = true;
    return c;
  }
  std::vector<std::unique_ptr<SourceReader>> open(int) override {
    size_t partitions = TestStreams::instance().with_source(
        name_, [](TestStreams::SourceState& s) { return s.partitions.size(); });
    std::vector<size_t> cursor(partitions, 0);
    if (!restored_.empty()) {
      if (restored_.size() != partitions)
        throw_user_error("test source '{}': the checkpoint has {} partitions, the source {}", name_,
                         restored_.size(), partitions);
      cursor = restored_;
    }
    std::vector<std::unique_ptr<SourceReader>> readers;
    readers.push_back(std::make_unique<TestReader>(name_, spec_.projection, std::move(cursor)));
    return readers;
  }
  bool can_checkpoint() const override { return true; }
  void restore(const std::vector<std::string>& positions) override {
    if (positions.size() != 1)
      throw_user_error("test source '{}': expected one reader position, got {}", name_,
                       positions.size());
    restored_.clear();
    size_t begin = 0;
    const std::string& p = positions[0];
    while (begin <= p.size() && !p.empty()) {
      size_t end = p.find(',', begin);
      if (end == std::string::npos) end = p.size();
      restored_.push_back(std::stoull(p.substr(begin, end - begin)));
      begin = end + 1;
    }
  }
  std::string describe() const override { return "TestSource " + name_; }

 private:
  std::string name_;
  SchemaPtr schema_;
  std::vector<size_t> restored_;  // partition cursors from a checkpoint
};

class TestSink : public Sink {
 public:
  TestSink(const std::string& uri, const Options& options) : name_(stream_name(uri)) {
    options.check_all_used("test sink");
  }
  void open(SchemaPtr schema) override { schema_ = std::move(schema); }
  void write(const Batch& batch) override {
    rows_ += static_cast<int64_t>(batch.num_rows);
    TestStreams::instance().with_sink(name_, [&](TestStreams::SinkState& s) {
      s.written.push_back(batch);
      s.pending.push_back(batch);
      return 0;
    });
  }
  /// "<prepare number>": the rows written since the last prepare, kept by the hub (it survives
  /// a simulated crash, as a transaction prepared in a real sink would).
  std::string prepare() override {
    return TestStreams::instance().with_sink(name_, [&](TestStreams::SinkState& s) {
      int64_t n = ++s.prepares;
      s.prepared[n] = std::move(s.pending);
      s.pending.clear();
      return std::to_string(n);
    });
  }
  void commit(const std::string& handle) override {
    int64_t n = std::stoll(handle);
    TestStreams::instance().with_sink(name_, [&](TestStreams::SinkState& s) {
      auto it = s.prepared.find(n);
      if (it == s.prepared.end()) return 0;  // committed already
      for (auto& b : it->second) s.committed.push_back(std::move(b));
      s.prepared.erase(it);
      return 0;
    });
  }
  void abort() noexcept override {
    try {
      TestStreams::instance().with_sink(name_, [&](TestStreams::SinkState& s) {
        s.pending.clear();
        s.prepared.clear();
        return 0;
      });
    } catch (...) {
    }
  }
  std::string describe() const override { return "test://" + name_; }
  int64_t rows_written() const override { return rows_; }

 private:
  std::string name_;
  SchemaPtr schema_;
  int64_t rows_ = 0;
};

std::unique_ptr<Source> make_test_source(const std::string& uri, const Options& options) {
  return std::make_unique<TestSource>(uri, options);
}
std::unique_ptr<Sink> make_test_sink(const std::string& uri, const Options& options) {
  return std::make_unique<TestSink>(uri, options);
}

}  // namespace

void register_test_connector() {
  register_source("test", &make_test_source);
  register_sink("test", &make_test_sink);
}

}  // namespace velo
