#include <gtest/gtest.h>

#include <regex>

#include "file_test_util.h"
#include "velo/connectors/file/path_template.h"
#include "velo/connectors/file/pending_file.h"
#include "velo/types/error.h"

namespace velo {
namespace {

using Files = std::vector<std::string>;

class FileSinkTest : public FileTestDir {
 protected:
  std::unique_ptr<Sink> sink(const std::string& rel, Options o,
                             std::function<int64_t()> clock = nullptr) {
    auto s = make_file_sink(path(rel), o, std::move(clock));
    s->open(make_rows(0, 0, {"x"}).schema);
    return s;
  }
  static Options opts(std::initializer_list<std::pair<const char*, const char*>> kv) {
    Options o;
    for (auto& [k, v] : kv) o.set(k, v);
    return o;
  }
  std::vector<std::string> read_back(const std::string& pattern, Options o = Options()) {
    auto src = make_source(path(pattern), o);
    return read_all(*src);
  }
};

TEST(PathTemplateTest, RendersTimeAndColumnPlaceholders) {
  Batch b = make_rows(7, 1, {"north"}, 1709665380000000LL);  // 2024-03-05 19:03:00
  PathTemplate t("out/{YYYY}/{MM}/{DD}/{HH}/{mm}/{YYYY-MM-DD}/{region}/{id}/{a,b}/");
  EXPECT_EQ(t.bind(*b.schema), (std::vector<int>{1, 0}));
  EXPECT_EQ(t.granularity(), TimeGranularity::kMinute);
  std::string out;
  t.render(b, 0, b.columns[2]->value<int64_t>(0), false, &out);
  EXPECT_EQ(out, "out/2024/03/05/19/03/2024-03-05/north/7/{a,b}/");
  out.clear();
  t.render(b, 0, 0, true, &out);
  EXPECT_EQ(out,
            "out/__HIVE_DEFAULT_PARTITION__/__HIVE_DEFAULT_PARTITION__/__HIVE_DEFAULT_PARTITION__/"
            "__HIVE_DEFAULT_PARTITION__/__HIVE_DEFAULT_PARTITION__/__HIVE_DEFAULT_PARTITION__/"
            "north/7/{a,b}/");
  PathTemplate bad("out/{nope}/");
  EXPECT_THROW(bad.bind(*b.schema), Error);
}

TEST(PathTemplateTest, EscapesValuesLikeHiveAndNeverClimbsOut) {
  EXPECT_EQ(escape_partition_value("a/b"), "a%2Fb");
  EXPECT_EQ(escape_partition_value("k=v:1"), "k%3Dv%3A1");
  EXPECT_EQ(escape_partition_value("100%"), "100%25");
  EXPECT_EQ(escape_partition_value(""), "__HIVE_DEFAULT_PARTITION__");
  EXPECT_EQ(escape_partition_value(".."), "%2E.");
  EXPECT_EQ(escape_partition_value("../../etc"), "%2E.%2F..%2Fetc");
  EXPECT_EQ(escape_partition_value(".hidden"), "%2Ehidden");
  EXPECT_EQ(escape_partition_value("plain value-1.5"), "plain value-1.5");
  for (std::string v : {"a/b", "../../etc", "k=v:1", "100%", ".x", "tab\there"})
    EXPECT_EQ(unescape_partition_value(escape_partition_value(v)), v);
  EXPECT_EQ(unescape_partition_value("bad%zz%4"), "bad%zz%4");
}

TEST_F(FileSinkTest, PartitionByWritesHiveFoldersWithoutThePartitionColumn) {
  auto s = sink("out/", opts({{"format", "csv"}, {"partition_by", "region"}}));
  s->write(make_rows(0, 6, {"north", "south", "a/b"}));
  s->commit(s->prepare());
  Files files = visible_files();
  ASSERT_EQ(files.size(), 3u);
  std::regex name(R"(out/region=(north|south|a%2Fb)/part-00\d\d\d-[0-9a-f]{16}-00000\.csv)");
  for (const auto& f : files) EXPECT_TRUE(std::regex_match(f, name)) << f;
  std::string north =
      slurp(path("out/region=north/") + files[1].substr(files[1].find_last_of('/') + 1));
  EXPECT_EQ(north.find("north"), std::string::npos) << north;  // the folder says it
  // Read back: the partition column comes from the folders (unescaped).
  EXPECT_EQ(read_back("out/**/*.csv"),
            (Files{"0|2024-01-01 00:00:00|north", "1|2024-01-01 00:01:00|south",
                   "2|2024-01-01 00:02:00|a/b", "3|2024-01-01 00:03:00|north",
                   "4|2024-01-01 00:04:00|south", "5|2024-01-01 00:05:00|a/b"}));
}

TEST_F(FileSinkTest, HostileValuesStayInsideThePrefix) {
  auto s = sink("out/{region}/", opts({{"format", "csv"}, {"partition_by", "id"}}));
  Batch b = make_rows(0, 4, {"../../etc", "..", ".", "/abs"});
  s->write(b);
  s->commit(s->prepare());
  Files files = all_files();
  ASSERT_EQ(files.size(), 4u);
  for (const auto& f : files) {
    EXPECT_EQ(f.rfind("out/", 0), 0u) << f;
    EXPECT_EQ(f.find("/../"), std::string::npos) << f;
    EXPECT_EQ(f.find("/./"), std::string::npos) << f;
  }
  Files dirs;
  for (const auto& f : files) dirs.push_back(f.substr(0, f.find_last_of('/')));
  EXPECT_EQ(dirs, (Files{"out/%2E.%2F..%2Fetc/id=0", "out/%2E./id=1", "out/%2E/id=2",
                         "out/%2Fabs/id=3"}));
  EXPECT_FALSE(std::filesystem::exists(root_.parent_path() / "etc"));
}

TEST_F(FileSinkTest, EventTimeTemplateAndPartitionBy) {
  auto s = sink("out/date={YYYY-MM-DD}/h={HH}/",
                opts({{"format", "json"}, {"time_column", "ts"}, {"partition_by", "region"}}));
  // 2023-12-31 23:58, 23:59, then 2024-01-01 00:00, 00:01 (one row a minute).
  s->write(make_rows(0, 4, {"n", "s"}, 1704067080000000LL));
  s->commit(s->prepare());
  Files dirs;
  for (const auto& f : visible_files()) dirs.push_back(f.substr(0, f.find_last_of('/')));
  EXPECT_EQ(dirs,
            (Files{"out/date=2023-12-31/h=23/region=n", "out/date=2023-12-31/h=23/region=s",
                   "out/date=2024-01-01/h=00/region=n", "out/date=2024-01-01/h=00/region=s"}));
  // DATE and h (BIGINT) partition columns are detected from the folder values.
  auto src = make_source(path("out/**/*.json"), Options());
  SchemaPtr schema = src->schema();
  EXPECT_EQ(schema->field(schema->find("date")).type, DataType::date());
  EXPECT_EQ(schema->field(schema->find("h")).type, DataType::int64());
  EXPECT_EQ(schema->field(schema->find("region")).type, DataType::string());
}

TEST_F(FileSinkTest, ProcessingTimeUsesTheInjectedClock) {
  int64_t now = 1709665380000000LL;  // 2024-03-05 19:03:00
  auto s =
      sink("out/{YYYY}/{MM}/*.csv", opts({{"time_source", "processing"}}), [&] { return now; });
  s->write(make_rows(0, 2, {"x"}));
  now += 40LL * 86400 * 1000000;  // 2024-04-14
  s->write(make_rows(2, 1, {"x"}));
  s->commit(s->prepare());
  Files files = visible_files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].rfind("out/2024/03/part-", 0), 0u) << files[0];
  EXPECT_EQ(files[1].rfind("out/2024/04/part-", 0), 0u) << files[1];
  EXPECT_THROW(sink("o/{YYYY}/", opts({{"format", "csv"}})), Error);  // needs a time
}

TEST_F(FileSinkTest, RollsByRows) {
  auto s = sink("out/", opts({{"format", "csv"}, {"batch_size", "3"}}));
  s->write(make_rows(0, 5, {"x"}));
  s->write(make_rows(5, 5, {"x"}));
  std::string handle = s->prepare();
  s->commit(handle);
  Files files = visible_files();
  ASSERT_EQ(files.size(), 4u);
  for (size_t i = 0; i < files.size(); ++i)
    EXPECT_EQ(files[i].substr(0, 15), fmt::format("out/part-{:05}-", i)) << files[i];
  std::vector<int64_t> rows;
  for (const PendingFile& f : decode_sink_handle(handle)) rows.push_back(f.rows);
  EXPECT_EQ(rows, (std::vector<int64_t>{3, 3, 3, 1}));
  EXPECT_EQ(read_back("out/").size(), 10u);
}

TEST_F(FileSinkTest, RollsBySizeAndTimeout) {
  // Sizes count what the format has handed to the stream (CSV flushes every 1 MiB).
  auto s = sink("out/", opts({{"format", "csv"}, {"target_file_size", "1MB"}}));
  std::string long_region(100, 'r');
  for (int i = 0; i < 40; ++i) s->write(make_rows(i * 1000, 1000, {long_region}));
  s->commit(s->prepare());
  Files files = visible_files();
  EXPECT_GE(files.size(), 3u);
  for (size_t i = 0; i + 1 < files.size(); ++i)
    EXPECT_GE(std::filesystem::file_size(root_ / files[i]), 1u << 20) << files[i];
  EXPECT_EQ(read_back("out/").size(), 40000u);

  int64_t now = 0;
  auto t = sink("t/", opts({{"format", "csv"}, {"batch_timeout", "10s"}}), [&] { return now; });
  t->write(make_rows(0, 1, {"x"}));
  now += 5000000;
  t->write(make_rows(1, 1, {"x"}));  // same file: 5s old
  now += 6000000;
  t->write(make_rows(2, 1, {"x"}));  // the 11s old file closes first
  std::vector<PendingFile> pending = decode_sink_handle(t->prepare());
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].rows, 2);
  EXPECT_EQ(pending[1].rows, 1);
}

TEST_F(FileSinkTest, MaxOpenFilesClosesTheLeastRecentlyUsed) {
  auto s =
      sink("out/", opts({{"format", "csv"}, {"partition_by", "region"}, {"max_open_files", "2"}}));
  for (int i = 0; i < 3; ++i) s->write(make_rows(i * 3, 3, {"a", "b", "c"}));
  std::vector<PendingFile> pending = decode_sink_handle(s->prepare());
  EXPECT_GT(pending.size(), 3u);  // partitions were closed and reopened
  int64_t rows = 0;
  for (const auto& f : pending) rows += f.rows;
  EXPECT_EQ(rows, 9);
}

TEST_F(FileSinkTest, CheckpointsPublishExactlyTheirFiles) {
  auto s = sink("out/", opts({{"format", "csv"}, {"partition_by", "region"}}));
  s->write(make_rows(0, 4, {"a", "b"}));
  std::string h1 = s->prepare();
  EXPECT_TRUE(visible_files().empty());   // durable but invisible
  s->write(make_rows(4, 2, {"a", "c"}));  // new rows, new files
  std::string h2 = s->prepare();
  EXPECT_EQ(decode_sink_handle(h1).size(), 2u);
  EXPECT_EQ(decode_sink_handle(h2).size(), 2u);
  s->commit(h1);
  Files files = visible_files();
  ASSERT_EQ(files.size(), 2u);
  for (const auto& f : files) EXPECT_NE(f.find("-00000.csv"), std::string::npos) << f;
  s->commit(h2);
  s->commit(h1);  // idempotent
  EXPECT_EQ(visible_files().size(), 4u);
  EXPECT_EQ(read_back("out/**/*.csv").size(), 6u);
  EXPECT_NE(visible_files()[3].find("-00001.csv"), std::string::npos) << visible_files()[3];
}

TEST_F(FileSinkTest, AFreshInstanceCommitsAHandleAfterACrash) {
  Options o = opts({{"format", "parquet"}, {"partition_by", "region"}});
  auto crashed = sink("out/", o);
  crashed->write(make_rows(0, 6, {"a", "b"}));
  std::string handle = crashed->prepare();
  EXPECT_TRUE(visible_files().empty());
  EXPECT_EQ(all_files().size(), 2u);  // the hidden temp files
  {
    auto recovered = sink("out/", o);  // a new process: same URI and options
    recovered->commit(handle);
    recovered->commit(handle);
  }
  EXPECT_EQ(visible_files().size(), 2u);
  EXPECT_EQ(all_files().size(), 2u);
  crashed.reset();  // the old instance going away must not touch published files
  EXPECT_EQ(read_back("out/**/*.parquet").size(), 6u);
}

TEST_F(FileSinkTest, AbortLeavesNothing) {
  auto s = sink("out/", opts({{"format", "csv"}, {"partition_by", "region"}, {"batch_size", "1"}}));
  s->write(make_rows(0, 3, {"a", "b"}));
  std::string handle = s->prepare();
  s->write(make_rows(3, 3, {"a", "b"}));
  s->abort();
  EXPECT_TRUE(all_files().empty()) << all_files()[0];
  auto fresh = sink("out/", opts({{"format", "csv"}, {"partition_by", "region"}}));
  fresh->commit(handle);  // the temp files are gone: nothing to publish
  EXPECT_TRUE(all_files().empty());
}

TEST_F(FileSinkTest, SingleFileKeepsOneFileAndRefusesToRoll) {
  auto s = sink("one.csv", Options());
  s->write(make_rows(0, 2, {"x"}));
  s->commit(s->prepare());
  EXPECT_EQ(visible_files(), (Files{"one.csv"}));
  try {
    s->write(make_rows(2, 1, {"x"}));
    FAIL() << "a second file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a single-file sink cannot roll; INTO a directory ending "
                                         "in '/'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(make_file_sink(path("two.csv"), opts({{"batch_size", "10"}})), Error);
  // An empty directory result still leaves one (header-only) file, as before.
  auto empty = sink("empty/", opts({{"format", "csv"}}));
  empty->commit(empty->prepare());
  EXPECT_EQ(visible_files().size(), 2u);
}

}  // namespace
}  // namespace velo
