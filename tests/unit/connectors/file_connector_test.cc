#include "velo/connectors/file/file_connector.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "velo/connectors/registry.h"
#include "velo/formats/compression/compression.h"
#include "velo/formats/format.h"
#include "velo/fs/file_system.h"
#include "velo/types/error.h"

namespace velo {
namespace {

namespace stdfs = std::filesystem;

// ---- a trivial splittable text format: one record per line, `line STRING, len BIGINT` ----
// Lines starting with "BAD" are malformed records (for on_error).

class LinesReader final : public FormatReader {
 public:
  explicit LinesReader(const FormatReadRequest& r) : req_(r) {
    auto in = open_input_stream(r.file, compression_for_path(r.file->path()), 0, -1);
    char buf[65536];
    while (size_t n = in->read(buf, sizeof(buf))) data_.append(buf, n);
    compressed_ = compression_for_path(r.file->path()) != Compression::kNone;
    end_ = r.range_end < 0 ? static_cast<int64_t>(data_.size()) : r.range_end;
    pos_ = r.range_begin;
    if (compressed_ && pos_ > 0) pos_ = end_ = 0;
    if (pos_ > 0) {  // records start after the first newline at or after range_begin - 1
      size_t nl = data_.find('\n', pos_ - 1);
      pos_ = nl == std::string::npos ? data_.size() : nl + 1;
    }
    proj_ = r.spec.projection;
    if (proj_.empty()) proj_ = {0, 1};
    std::vector<Field> fields;
    for (int i : proj_) fields.push_back(r.schema->field(i));
    schema_ = std::make_shared<const Schema>(std::move(fields));
  }
  bool next(Batch* out) override {
    if (req_.spec.limit >= 0 && emitted_ >= req_.spec.limit) return false;
    Batch b = Batch::empty(schema_);
    size_t n = 0;
    while (pos_ < end_ && pos_ < static_cast<int64_t>(data_.size()) && n < 100) {
      size_t nl = data_.find('\n', pos_);
      if (nl == std::string::npos) nl = data_.size();
      std::string_view line(data_.data() + pos_, nl - pos_);
      int64_t line_start = pos_;
      pos_ = nl + 1;
      ++line_no_;
      if (line.rfind("BAD", 0) == 0) {
        if (req_.on_error == FormatReadRequest::OnError::kFail)
          throw_format_error("{}:{}: bad line", req_.file->path(), line_no_);
        ++rejected_;
        if (req_.on_error == FormatReadRequest::OnError::kDlq)
          req_.on_reject(RejectedRecord{req_.file->path(), line_no_, 1, "bad line", line});
        (void)line_start;
        continue;
      }
      for (size_t c = 0; c < proj_.size(); ++c) {
        if (proj_[c] == 0)
          b.columns[c]->append_string(line);
        else
          b.columns[c]->append<int64_t>(static_cast<int64_t>(line.size()));
      }
      ++n;
    }
    if (n == 0) return false;
    b.num_rows = n;
    emitted_ += static_cast<int64_t>(n);
    *out = std::move(b);
    return true;
  }
  int64_t bytes_consumed() const override { return compressed_ ? 0 : pos_ - req_.range_begin; }
  int64_t rows_rejected() const override { return rejected_; }

 private:
  FormatReadRequest req_;
  std::string data_;
  bool compressed_ = false;
  int64_t pos_ = 0, end_ = 0, line_no_ = 0, rejected_ = 0, emitted_ = 0;
  std::vector<int> proj_;
  SchemaPtr schema_;
};

class LinesWriter final : public FormatWriter {
 public:
  explicit LinesWriter(OutputStream* out) : out_(out) {}
  void write(const Batch& b) override {
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::string s = b.columns[0]->value_at(r).to_string() + "\n";
      out_->write(s.data(), s.size());
    }
  }
  void finish() override { finished = true; }
  bool finished = false;

 private:
  OutputStream* out_;
};

class LinesFormat final : public Format {
 public:
  std::string name() const override { return "lines"; }
  SchemaPtr infer_schema(const std::shared_ptr<RandomAccessFile>&, const Options&) override {
    return std::make_shared<const Schema>(
        std::vector<Field>{{"line", DataType::string(), true}, {"len", DataType::int64(), true}});
  }
  std::unique_ptr<FormatReader> open_reader(const FormatReadRequest& r) override {
    return std::make_unique<LinesReader>(r);
  }
  std::unique_ptr<FormatWriter> open_writer(OutputStream* out, SchemaPtr,
                                            const Options& options) override {
    return std::make_unique<LinesWriter>(out);
  }
  bool splittable() const override { return true; }
  void declare_options(const Options& o) const override { o.mark_used("compression"); }
};

void register_all() {
  static bool done = [] {
    register_builtin_formats();
    register_format(std::make_unique<LinesFormat>(), {"tl"});
    register_file_connector();
    return true;
  }();
  (void)done;
}

class FileConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    register_all();
    root_ = stdfs::temp_directory_path() /
            ("velo_fc_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(root_);
    stdfs::create_directories(root_);
  }
  void TearDown() override { stdfs::remove_all(root_); }

  std::string path(const std::string& rel) const { return (root_ / rel).string(); }
  void put(const std::string& rel, const std::string& content) {
    stdfs::create_directories((root_ / rel).parent_path());
    std::ofstream(path(rel), std::ios::binary) << content;
  }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  /// Every row of every reader (run on threads), as "col|col|..." strings.
  static std::vector<std::string> read_all(Source& src, int parallelism, int* nreaders = nullptr) {
    auto readers = src.open(parallelism);
    if (nreaders) *nreaders = static_cast<int>(readers.size());
    std::vector<std::vector<std::string>> per(readers.size());
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> errors(readers.size());
    for (size_t i = 0; i < readers.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          Batch b;
          while (readers[i]->next(&b, Deadline::max()) == PollStatus::kBatch) {
            EXPECT_EQ(b.columns.size(), b.schema->size());
            for (size_t r = 0; r < b.num_rows; ++r) {
              std::string row;
              for (size_t c = 0; c < b.columns.size(); ++c)
                row += (c ? "|" : "") + b.columns[c]->value_at(r).to_string();
              per[i].push_back(row);
            }
          }
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
    }
    for (auto& t : threads) t.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
    std::vector<std::string> rows;
    for (auto& p : per) rows.insert(rows.end(), p.begin(), p.end());
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  static int index_of(const Source& s, const std::string& name) { return s.schema()->find(name); }

  stdfs::path root_;
};

using Rows = std::vector<std::string>;

TEST_F(FileConnectorTest, GlobSchemaAndSystemColumns) {
  put("in/a.tl", "x\nyy\n");
  put("in/b.tl", "zzz\n");
  put("in/c.txt", "ignored\n");
  auto src = make_source(path("in/*.tl"), Options());
  SchemaPtr s = src->schema();
  ASSERT_EQ(s->size(), 5u);
  EXPECT_EQ(s->field(0).name, "line");
  EXPECT_EQ(s->field(2).name, "_metadata.filename");
  EXPECT_EQ(s->field(3).name, "_metadata.row_number");
  EXPECT_EQ(s->field(3).type, DataType::int64());
  EXPECT_EQ(s->field(4).name, "_metadata.file_modified");
  EXPECT_EQ(s->field(4).type, DataType::timestamp());
  EXPECT_TRUE(src->capabilities().bounded);
  ScanSpec spec;
  spec.projection = {index_of(*src, "_metadata.filename"), index_of(*src, "_metadata.row_number"),
                     0};
  src->apply(spec);
  EXPECT_EQ(src->output_schema()->size(), 3u);
  Rows rows = read_all(*src, 2);
  EXPECT_EQ(rows, (Rows{path("in/a.tl") + "|1|x", path("in/a.tl") + "|2|yy",
                        path("in/b.tl") + "|1|zzz"}));
  EXPECT_NE(src->describe().find("files=2"), std::string::npos) << src->describe();
  EXPECT_NE(src->describe().find("format=lines"), std::string::npos);
  EXPECT_NE(src->describe().find("columns=[_metadata.filename,_metadata.row_number,line]"),
            std::string::npos)
      << src->describe();
  SourceProgress p = src->progress();
  EXPECT_EQ(p.total_bytes, 9);
  EXPECT_EQ(p.bytes_read, 9);
  EXPECT_EQ(p.rows, 3);
}

TEST_F(FileConnectorTest, OnlySystemColumnsStillCountsRows) {
  put("a.tl", "1\n2\n3\n");
  auto src = make_source(path("a.tl"), Options());
  ScanSpec spec;
  spec.projection = {index_of(*src, "_metadata.file_modified")};
  src->apply(spec);
  Rows rows = read_all(*src, 1);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].substr(0, 2), "20");  // a timestamp of this century
}

TEST_F(FileConnectorTest, BigSplittableFileIsReadInRangesByAllReaders) {
  std::string data;
  std::set<std::string> expect;
  for (int i = 0; i < 20000; ++i) {
    std::string line = "row-" + std::to_string(i);
    data += line + "\n";
    expect.insert(line);
  }
  put("big.tl", data);
  Options o;
  o.set("split_size", "16KB");
  auto src = make_source(path("big.tl"), o);
  ScanSpec spec;
  spec.projection = {0};
  src->apply(spec);
  int nreaders = 0;
  Rows rows = read_all(*src, 2, &nreaders);
  EXPECT_EQ(nreaders, 2);
  EXPECT_EQ(rows.size(), expect.size());  // each line exactly once
  EXPECT_EQ(std::set<std::string>(rows.begin(), rows.end()), expect);
  EXPECT_EQ(src->progress().bytes_read, static_cast<int64_t>(data.size()));
  EXPECT_EQ(src->progress().total_bytes, static_cast<int64_t>(data.size()));
}

TEST_F(FileConnectorTest, RowNumbersDisableSplittingAndCompressedFilesAreWhole) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += std::to_string(i) + "\n";
  put("big.tl", data);
  Options o;
  o.set("split_size", "4KB");
  auto src = make_source(path("big.tl"), o);
  ScanSpec spec;
  spec.projection = {index_of(*src, "_metadata.row_number"), 0};
  src->apply(spec);
  Rows rows = read_all(*src, 2);
  ASSERT_EQ(rows.size(), 5000u);
  for (const auto& r : rows) {  // row_number = value + 1
    auto bar = r.find('|');
    EXPECT_EQ(std::stoll(r.substr(0, bar)), std::stoll(r.substr(bar + 1)) + 1) << r;
  }
  // Gzip: one unit (the test reader reads nothing for later ranges, which would lose rows).
  {
    auto fs = file_system_for(path("z.tl.gz"), Options());
    auto out = compressing_stream(fs->open_write(path("z.tl.gz")), Compression::kGzip);
    out->write(data.data(), data.size());
    out->commit();
  }
  auto gz = make_source(path("z.tl.gz"), o);
  ScanSpec s2;
  s2.projection = {0};
  gz->apply(s2);
  EXPECT_EQ(read_all(*gz, 2).size(), 5000u);
}

TEST_F(FileConnectorTest, LimitStopsEarly) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += "r" + std::to_string(i) + "\n";
  put("a.tl", data);
  put("b.tl", data);
  auto src = make_source(path("*.tl"), Options());
  ScanSpec spec;
  spec.projection = {0};
  spec.limit = 150;
  src->apply(spec);
  Rows rows = read_all(*src, 1);
  EXPECT_GE(rows.size(), 150u);
  EXPECT_LE(rows.size(), 200u);
  EXPECT_LT(src->progress().bytes_read, src->progress().total_bytes);
  EXPECT_NE(src->describe().find("limit=150"), std::string::npos);
}

TEST_F(FileConnectorTest, OnErrorFailSkipAndDeadLetters) {
  put("in/a.tl", "ok1\nBAD one\nok2\n");
  put("in/b.tl", "BAD \"two\"\nok3\n");
  EXPECT_THROW(read_all(*make_source(path("in"), Options()), 1), Error);

  Options skip;
  skip.set("on_error", "skip");
  auto s1 = make_source(path("in"), skip);
  ScanSpec spec;
  spec.projection = {0, 1};
  s1->apply(spec);
  EXPECT_EQ(read_all(*s1, 2), (Rows{"ok1|3", "ok2|3", "ok3|3"}));
  EXPECT_EQ(s1->rows_rejected(), 2);

  Options dlq;
  dlq.set("on_error", "dlq");
  dlq.set("dlq", path("dead/rejects.jsonl"));
  {
    auto s2 = make_source(path("in"), dlq);
    read_all(*s2, 1);
    EXPECT_EQ(s2->rows_rejected(), 2);
    // Not acknowledged: the job failed, nothing is published.
  }
  EXPECT_FALSE(stdfs::exists(path("dead/rejects.jsonl")));
  EXPECT_TRUE(stdfs::is_empty(path("dead")));
  auto s3 = make_source(path("in"), dlq);
  read_all(*s3, 1);
  EXPECT_FALSE(stdfs::exists(path("dead/rejects.jsonl")));
  s3->acknowledge();
  std::string text = slurp(path("dead/rejects.jsonl"));
  EXPECT_EQ(text, "{\"file\":\"" + path("in/a.tl") +
                      "\",\"line\":2,\"column\":1,\"error\":\"bad line\",\"raw\":\"BAD one\"}\n"
                      "{\"file\":\"" +
                      path("in/b.tl") +
                      "\",\"line\":1,\"column\":1,\"error\":\"bad line\",\"raw\":\"BAD "
                      "\\\"two\\\"\"}\n");
}

TEST_F(FileConnectorTest, OptionErrors) {
  put("a.tl", "x\n");
  put("a.unknownext", "x\n");
  auto expect_error = [&](const std::string& uri, const Options& o, ErrorKind kind,
                          const std::string& needle) {
    try {
      make_source(uri, o);
      ADD_FAILURE() << "no error for " << uri;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.message();
      EXPECT_NE(e.message().find(needle), std::string::npos) << e.message();
    }
  };
  expect_error(path("nothing/*.tl"), Options(), ErrorKind::kUser, "no files match");
  expect_error(path("a.unknownext"), Options(), ErrorKind::kUser, "parquet");
  Options typo;
  typo.set("fromat", "lines");
  expect_error(path("a.tl"), typo, ErrorKind::kUser, "fromat");
  Options poll;
  poll.set("watch", "true");
  poll.set("poll_interval", "0s");
  expect_error(path("a.tl"), poll, ErrorKind::kUser, "poll_interval");
  Options dlq;
  dlq.set("on_error", "dlq");
  expect_error(path("a.tl"), dlq, ErrorKind::kUser, "dlq");
  Options bad;
  bad.set("on_error", "ignore");
  expect_error(path("a.tl"), bad, ErrorKind::kUser, "on_error");
  Options fmt;
  fmt.set("format", "lines");
  EXPECT_EQ(make_source(path("a.unknownext"), fmt)->schema()->size(), 5u);
  Options schema;
  schema.set("schema", "line STRING, len BIGINT");
  EXPECT_EQ(make_source("file://" + path("a.tl"), schema)->schema()->field(1).type,
            DataType::int64());
}

TEST_F(FileConnectorTest, SinkPublishesOnCommitOnly) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"v", DataType::string(), true}});
  Batch b = Batch::empty(schema);
  b.columns[0]->append_string("hello");
  b.columns[0]->append_string("world");
  b.num_rows = 2;
  std::string target = path("out/x.tl");
  auto sink = make_sink(target, Options());
  sink->open(schema);
  sink->write(b);
  EXPECT_EQ(sink->rows_written(), 2);
  std::string h = sink->prepare();
  EXPECT_FALSE(stdfs::exists(target));
  sink->commit(h);
  sink->commit(h);
  EXPECT_EQ(slurp(target), "hello\nworld\n");
  EXPECT_NE(sink->describe().find("x.tl"), std::string::npos);

  // Abort (a failed job) leaves nothing, not even the temp file.
  auto failed = make_sink(path("out2/y.tl"), Options());
  failed->open(schema);
  failed->write(b);
  failed->abort();
  EXPECT_TRUE(stdfs::is_empty(path("out2")));

  // Changelog rows are refused.
  auto cl = make_sink(path("out3/c.tl"), Options());
  cl->open(schema);
  Batch u = b;
  u.row_kinds = {RowKind::kInsert, RowKind::kDelete};
  try {
    cl->write(u);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser);
    EXPECT_NE(e.message().find("updates or deletes"), std::string::npos);
  }
}

TEST_F(FileConnectorTest, SinkCompressionAndDirectoryTargets) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"v", DataType::string(), true}});
  Batch b = Batch::empty(schema);
  for (int i = 0; i < 1000; ++i) b.columns[0]->append_string("value " + std::to_string(i));
  b.num_rows = 1000;
  for (const char* ext : {".gz", ".zst", ".bz2", ".lz4"}) {
    std::string target = path(std::string("z/x.tl") + ext);
    auto sink = make_sink(target, Options());
    sink->open(schema);
    sink->write(b);
    sink->commit(sink->prepare());
    EXPECT_LT(stdfs::file_size(target), 8000u) << ext;  // compressed
    auto src = make_source(target, Options());
    ScanSpec spec;
    spec.projection = {0};
    src->apply(spec);
    EXPECT_EQ(read_all(*src, 2).size(), 1000u) << ext;
  }
  Options dir_opts;
  dir_opts.set("format", "lines");
  dir_opts.set("compression", "zstd");
  auto dir_sink = make_sink(path("dir/"), dir_opts);
  dir_sink->open(schema);
  dir_sink->write(b);
  dir_sink->commit(dir_sink->prepare());
  std::vector<std::string> names;
  for (const auto& e : stdfs::directory_iterator(path("dir")))
    names.push_back(e.path().filename().string());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].rfind("part-00000-", 0), 0u) << names[0];
  EXPECT_EQ(names[0].substr(names[0].size() - 10), ".lines.zst") << names[0];
  // Reading the directory back.
  Options fmt;
  fmt.set("format", "lines");
  auto src = make_source(path("dir"), fmt);
  ScanSpec spec;
  spec.projection = {0};
  src->apply(spec);
  EXPECT_EQ(read_all(*src, 1).size(), 1000u);

  Options typo;
  typo.set("compresion", "gzip");
  EXPECT_THROW(make_sink(path("t.tl"), typo), Error);
  EXPECT_THROW(make_sink(path("t.unknownext"), Options()), Error);
  EXPECT_THROW(make_sink(path("d/"), Options()), Error);
}

TEST_F(FileConnectorTest, ParquetRoundTripWithPredicateInDescribe) {
  auto schema = std::make_shared<const Schema>(
      std::vector<Field>{{"id", DataType::int64(), false}, {"name", DataType::string(), true}});
  Batch b = Batch::empty(schema);
  for (int i = 1; i <= 500; ++i) {
    b.columns[0]->append<int64_t>(i);
    b.columns[1]->append_string("n" + std::to_string(i));
  }
  b.num_rows = 500;
  for (const char* name : {"p/one.parquet", "p/two.parquet"}) {
    auto sink = make_sink(path(name), Options());
    sink->open(schema);
    sink->write(b);
    sink->commit(sink->prepare());
  }
  auto src = make_source(path("p/*.parquet"), Options());
  SchemaPtr s = src->schema();
  ASSERT_EQ(s->size(), 5u);
  EXPECT_EQ(s->field(0).name, "id");
  EXPECT_EQ(s->field(1).name, "name");
  ScanSpec spec;
  spec.projection = {1, index_of(*src, "_metadata.row_number")};
  ScanPredicate p;
  p.column = 0;
  p.op = ScanPredicate::Op::kGt;
  p.values = {Value::int64(490)};
  spec.predicates.push_back(p);
  src->apply(spec);
  EXPECT_NE(src->describe().find("predicates=[id > 490]"), std::string::npos) << src->describe();
  Rows rows = read_all(*src, 2);
  ASSERT_EQ(rows.size(), 1000u);  // one row group: nothing pruned, the engine filters rows
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "n500|500"), 2);
}

TEST_F(FileConnectorTest, LaterFilesAreMatchedByName) {
  auto write = [&](const std::string& name, SchemaPtr schema, int64_t v) {
    Batch b = Batch::empty(schema);
    for (size_t c = 0; c < schema->size(); ++c) b.columns[c]->append<int64_t>(v + c);
    b.num_rows = 1;
    auto sink = make_sink(path(name), Options());
    sink->open(schema);
    sink->write(b);
    sink->commit(sink->prepare());
  };
  write("m/a.parquet",
        std::make_shared<const Schema>(
            std::vector<Field>{{"x", DataType::int64(), true}, {"y", DataType::int64(), true}}),
        10);
  write("m/b.parquet",
        std::make_shared<const Schema>(
            std::vector<Field>{{"y", DataType::int64(), true}, {"z", DataType::int64(), true}}),
        20);
  auto src = make_source(path("m/*.parquet"), Options());
  ScanSpec spec;
  spec.projection = {0, 1};  // x, y
  src->apply(spec);
  EXPECT_EQ(read_all(*src, 2), (Rows{"10|11", "NULL|20"}));
}

}  // namespace
}  // namespace velo
