#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "file_test_util.h"
#include "velo/connectors/file/hive_partitioning.h"
#include "velo/types/error.h"

namespace velo {
namespace {

using Rows = std::vector<std::string>;

std::string csv_rows(int first, int n) {
  std::string s = "id,name\n";
  for (int i = first; i < first + n; ++i) s += std::to_string(i) + ",n" + std::to_string(i) + "\n";
  return s;
}

class FileSourceTest : public FileTestDir {
 protected:
  void make_dataset() {
    put("t/year=2023/region=eu/a.csv", csv_rows(0, 2));
    put("t/year=2023/region=us/b.csv", csv_rows(2, 2));
    put("t/year=2024/region=eu/c.csv", csv_rows(4, 2));
    put("t/year=2024/region=__HIVE_DEFAULT_PARTITION__/d.csv", csv_rows(6, 2));
  }
  static ScanPredicate pred(const Source& s, const std::string& column, ScanPredicate::Op op,
                            Value v) {
    ScanPredicate p;
    p.column = s.schema()->find(column);
    p.op = op;
    p.values = {std::move(v)};
    return p;
  }
  // Reads from `reader` until `want` rows arrived or `tries` polls passed (watch tests).
  static Rows poll_rows(SourceReader& reader, size_t want, int tries = 400) {
    Rows rows;
    Batch b;
    for (int i = 0; i < tries && rows.size() < want; ++i) {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
      if (reader.next(&b, deadline) == PollStatus::kBatch) append_rows(b, &rows);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }
};

TEST(HiveFoldersTest, ParsesKeyValueFolders) {
  auto f = hive_folders("/data/t/year=2024/city=New%20York/x=/part.parquet");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0], (std::pair<std::string, std::string>{"year", "2024"}));
  EXPECT_EQ(f[1].second, "New York");
  EXPECT_EQ(f[2].second, "");
  EXPECT_TRUE(hive_folders("k=v.parquet").empty());  // a file name is not a folder
}

TEST_F(FileSourceTest, HivePartitionColumnsAreTypedAndPruneFiles) {
  make_dataset();
  auto src = make_source(path("t/**/*.csv"), Options());
  SchemaPtr s = src->schema();
  ASSERT_GE(s->find("year"), 0);
  EXPECT_EQ(s->field(s->find("year")).type, DataType::int64());
  EXPECT_EQ(s->field(s->find("region")).type, DataType::string());
  EXPECT_EQ(s->find("year"), 2);  // after the file's columns, before the system columns
  ScanSpec spec;
  spec.projection = {0, s->find("year"), s->find("region")};
  spec.predicates = {pred(*src, "region", ScanPredicate::Op::kEq, Value::string("eu")),
                     pred(*src, "year", ScanPredicate::Op::kGe, Value::int64(2024))};
  src->apply(spec);
  EXPECT_NE(src->describe().find("files=1 (of 4, pruned by partition)"), std::string::npos)
      << src->describe();
  EXPECT_EQ(read_all(*src), (Rows{"4|2024|eu", "5|2024|eu"}));
  EXPECT_EQ(file_source_files_opened(*src), 1);  // the pruned files were never opened

  // The default partition is NULL; IS NULL keeps only it.
  auto nulls = make_source(path("t/**/*.csv"), Options());
  ScanSpec n;
  n.projection = {0, nulls->schema()->find("region")};
  ScanPredicate is_null;
  is_null.column = nulls->schema()->find("region");
  is_null.op = ScanPredicate::Op::kIsNull;
  n.predicates = {is_null};
  nulls->apply(n);
  EXPECT_EQ(read_all(*nulls), (Rows{"6|NULL", "7|NULL"}));
  EXPECT_EQ(file_source_files_opened(*nulls), 1);
}

TEST_F(FileSourceTest, HiveOptions) {
  make_dataset();
  Options typed;
  typed.set("hive_types", "year:int, region:string");
  auto a = make_source(path("t/**/*.csv"), typed);
  EXPECT_EQ(a->schema()->field(a->schema()->find("year")).type, DataType::int32());
  Options off;
  off.set("hive_partitioning", "false");
  EXPECT_LT(make_source(path("t/**/*.csv"), off)->schema()->find("year"), 0);
  Options strings;
  strings.set("hive_types_autocast", "false");
  auto c = make_source(path("t/**/*.csv"), strings);
  EXPECT_EQ(c->schema()->field(c->schema()->find("year")).type, DataType::string());
  // Files below different folders: auto turns it off, true is an error.
  put("t/stray.csv", csv_rows(9, 1));
  EXPECT_LT(make_source(path("t/**/*.csv"), Options())->schema()->find("year"), 0);
  Options on;
  on.set("hive_partitioning", "true");
  EXPECT_THROW(make_source(path("t/**/*.csv"), on), Error);
}

TEST_F(FileSourceTest, PositionsResumeAfterTheLastReturnedRow) {
  put("a.csv", csv_rows(0, 5000));  // more than one batch
  put("b.csv", csv_rows(5000, 10));
  put("c.csv", csv_rows(5010, 10));
  Rows first;
  std::string position;
  {
    auto src = make_source(path("*.csv"), Options());
    ASSERT_TRUE(src->can_checkpoint());
    auto readers = src->open(1);
    Batch b;
    ASSERT_EQ(readers[0]->next(&b, Deadline::max()), PollStatus::kBatch);
    append_rows(b, &first);
    ASSERT_LT(first.size(), 5000u);
    position = readers[0]->position();
  }
  EXPECT_NE(position.find("\"current\""), std::string::npos) << position;
  auto resumed = make_source(path("*.csv"), Options());
  resumed->restore({position});
  Rows rest = read_all(*resumed);
  EXPECT_EQ(first.size() + rest.size(), 5020u);
  std::set<std::string> all(first.begin(), first.end());
  all.insert(rest.begin(), rest.end());
  EXPECT_EQ(all.size(), 5020u);  // nothing twice, nothing lost

  // A position after a finished file skips it on restore, and reader 0 carries it forward.
  std::string later;
  {
    auto src = make_source(path("*.csv"), Options());
    src->restore({position});
    auto readers = src->open(1);
    Batch b;
    Rows seen;
    while (seen.size() < rest.size() - 10 &&
           readers[0]->next(&b, Deadline::max()) == PollStatus::kBatch)
      append_rows(b, &seen);
    later = readers[0]->position();
  }
  auto last = make_source(path("*.csv"), Options());
  last->restore({later});
  EXPECT_EQ(read_all(*last),
            (Rows{"5010|n5010", "5011|n5011", "5012|n5012", "5013|n5013", "5014|n5014",
                  "5015|n5015", "5016|n5016", "5017|n5017", "5018|n5018", "5019|n5019"}));
  EXPECT_THROW(last->restore({"garbage"}), Error);
}

TEST_F(FileSourceTest, WatchPicksUpNewFilesAndRemembersThemAcrossRestarts) {
  put("in/a.csv", csv_rows(0, 3));
  Options o;
  o.set("watch", "true");
  o.set("poll_interval", "10ms");
  std::string position;
  {
    auto src = make_source(path("in/*.csv"), o);
    EXPECT_FALSE(src->capabilities().bounded);
    auto readers = src->open(1);
    EXPECT_EQ(poll_rows(*readers[0], 3), (Rows{"0|n0", "1|n1", "2|n2"}));
    put_atomically("in/b.csv", csv_rows(3, 2));
    EXPECT_EQ(poll_rows(*readers[0], 2), (Rows{"3|n3", "4|n4"}));
    position = readers[0]->position();
  }
  put_atomically("in/c.csv", csv_rows(5, 1));
  auto src = make_source(path("in/*.csv"), o);
  src->restore({position});
  auto readers = src->open(1);
  // Only the file that arrived after the checkpoint: a and b are not read again.
  EXPECT_EQ(poll_rows(*readers[0], 2, 30), (Rows{"5|n5"}));
}

TEST_F(FileSourceTest, DeleteAfterReadWaitsForTheAcknowledge) {
  put("in/a.csv", csv_rows(0, 3));
  put("in/b.csv", csv_rows(3, 3));
  Options o;
  o.set("delete_after_read", "true");
  {
    auto src = make_source(path("in/*.csv"), o);
    EXPECT_EQ(read_all(*src).size(), 6u);
    EXPECT_TRUE(std::filesystem::exists(path("in/a.csv")));  // not committed downstream yet
    src->acknowledge();
    EXPECT_FALSE(std::filesystem::exists(path("in/a.csv")));
    EXPECT_FALSE(std::filesystem::exists(path("in/b.csv")));
  }
  // With checkpoints: only files finished before the last position() go.
  put("in/c.csv", csv_rows(0, 3));
  put("in/d.csv", csv_rows(3, 3));
  auto src = make_source(path("in/*.csv"), o);
  auto readers = src->open(1);
  Batch b;
  ASSERT_EQ(readers[0]->next(&b, Deadline::max()), PollStatus::kBatch);  // all of c
  ASSERT_EQ(readers[0]->next(&b, Deadline::max()), PollStatus::kBatch);  // c done, d read
  readers[0]->position();  // the checkpoint: c finished, d in progress
  EXPECT_EQ(readers[0]->next(&b, Deadline::max()), PollStatus::kEnd);
  src->acknowledge();
  EXPECT_FALSE(std::filesystem::exists(path("in/c.csv")));
  EXPECT_TRUE(std::filesystem::exists(path("in/d.csv")));
  readers[0]->position();
  src->acknowledge();
  EXPECT_FALSE(std::filesystem::exists(path("in/d.csv")));
}

}  // namespace
}  // namespace velo
