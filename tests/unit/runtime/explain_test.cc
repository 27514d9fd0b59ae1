// The plans the optimizer makes for common shapes, checked through EXPLAIN.
#include <gtest/gtest.h>

#include "velo/runtime/engine.h"
#include "velo/sql/parser/parser.h"

namespace velo {
namespace {

std::string explain(const std::string& sql) {
  initialize_velostream();
  Engine engine(EngineOptions{});
  auto statements = sql::parse_script(sql);
  return engine.explain(*statements.at(0));
}

TEST(Explain, CommaJoinWithEqualityIsAHashJoin) {
  std::string plan = explain(
      "SELECT a.id, b.price FROM 'nexmark://auction' WITH (events = 1000) a, "
      "'nexmark://bid' WITH (events = 1000) b WHERE a.id = b.auction AND b.price > a.initial_bid "
      "AND b.price > 10");
  EXPECT_NE(plan.find("HashJoin INNER on id = auction"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("CROSS"), std::string::npos) << plan;
  // The one-side condition still goes below the join, the two-side one into it.
  EXPECT_NE(plan.find("filter (price > initial_bid)"), std::string::npos) << plan;
}

TEST(Explain, ATimeBoundedJoinKeepsItsEquiKey) {
  // Both inputs have event time: the join keeps only what can still match. EXPLAIN shows the
  // logical join; the rows are checked by tests/stream/stream_joins.stest.
  std::string plan = explain(
      "SELECT b.auction FROM 'nexmark://auction' WITH (events = 1000) a JOIN "
      "'nexmark://bid' WITH (events = 1000) b ON a.id = b.auction AND "
      "b.date_time BETWEEN a.date_time AND a.date_time + INTERVAL '10' SECOND");
  EXPECT_NE(plan.find("HashJoin INNER on id = auction"), std::string::npos) << plan;
}

TEST(Explain, SourcesShowWhatPushdownBought) {
  // A Hive-partitioned folder: EXPLAIN says how many files the partition filter leaves.
  char dir[] = "/tmp/velo-explain-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string root = dir;
  for (const char* day : {"1", "2", "3"}) {
    std::string d = root + "/day=" + day;
    ASSERT_EQ(system(("mkdir -p " + d + " && printf 'a,b\\n1,2\\n' > " + d + "/x.csv").c_str()), 0);
  }
  std::string plan = explain("SELECT a FROM '" + root + "/**/*.csv' WHERE day = 2");
  EXPECT_NE(plan.find("files=1 (of 3, pruned by partition)"), std::string::npos) << plan;
  ASSERT_EQ(system(("rm -rf " + root).c_str()), 0);
}

}  // namespace
}  // namespace velo
