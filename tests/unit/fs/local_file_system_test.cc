#include "velo/fs/local_file_system.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "velo/fs/glob.h"
#include "velo/types/error.h"

namespace velo {
namespace {

namespace stdfs = std::filesystem;

class LocalFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = stdfs::temp_directory_path() /
            ("velo_fs_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(root_);
    stdfs::create_directories(root_);
    fs_ = local_file_system();
  }
  void TearDown() override { stdfs::remove_all(root_); }

  std::string path(const std::string& rel) const { return (root_ / rel).string(); }
  void put(const std::string& rel, const std::string& content) {
    stdfs::create_directories((root_ / rel).parent_path());
    std::ofstream(path(rel), std::ios::binary) << content;
  }
  std::vector<std::string> names(const std::string& pattern) {
    std::vector<std::string> out;
    for (const auto& f : fs_->list(pattern)) {
      EXPECT_EQ(f.path.rfind(root_.string() + "/", 0), 0u) << f.path;
      out.push_back(f.path.substr(root_.string().size() + 1));
    }
    return out;
  }
  std::string read_all(const std::string& p) {
    auto s = sequential_stream(fs_->open_read(p));
    std::string out;
    char buf[7];
    while (size_t n = s->read(buf, sizeof(buf))) out.append(buf, n);
    return out;
  }

  stdfs::path root_;
  std::shared_ptr<FileSystem> fs_;
};

using Names = std::vector<std::string>;

TEST(GlobTest, MatchesWildcards) {
  EXPECT_TRUE(Glob("a/*.csv").matches("a/x.csv"));
  EXPECT_FALSE(Glob("a/*.csv").matches("a/b/x.csv"));
  EXPECT_FALSE(Glob("a/*.csv").matches("a/.x.csv"));  // hidden
  EXPECT_TRUE(Glob("a/**/*.csv").matches("a/x.csv"));
  EXPECT_TRUE(Glob("a/**/*.csv").matches("a/b/c/x.csv"));
  EXPECT_TRUE(Glob("a/**").matches("a/b/c"));
  EXPECT_FALSE(Glob("a/**/*.csv").matches("a/.tmp/x.csv"));
  EXPECT_TRUE(Glob("f?.txt").matches("f1.txt"));
  EXPECT_FALSE(Glob("f?.txt").matches("f12.txt"));
  EXPECT_TRUE(Glob("f[abc].txt").matches("fb.txt"));
  EXPECT_FALSE(Glob("f[abc].txt").matches("fd.txt"));
  EXPECT_TRUE(Glob("f[a-c].txt").matches("fc.txt"));
  EXPECT_TRUE(Glob("f[!a-c].txt").matches("fz.txt"));
  EXPECT_FALSE(Glob("f[!a-c].txt").matches("fa.txt"));
  EXPECT_TRUE(Glob("x.{csv,json}").matches("x.json"));
  EXPECT_FALSE(Glob("x.{csv,json}").matches("x.parquet"));
  EXPECT_TRUE(Glob("{a,b{1,2}}/z").matches("b2/z"));
  EXPECT_FALSE(Glob("{a,b{1,2}}/z").matches("b3/z"));
  EXPECT_TRUE(Glob("{a,b{1,2}}/z").matches("a/z"));
}

TEST(GlobTest, LiteralPrefixAndDepth) {
  EXPECT_EQ(Glob("data/in/*.csv").literal_prefix(), "data/in");
  EXPECT_EQ(Glob("data/in/*.csv").max_depth(), 1);
  EXPECT_EQ(Glob("data/*/x/*.csv").max_depth(), 3);
  EXPECT_EQ(Glob("data/**/*.csv").max_depth(), -1);
  EXPECT_EQ(Glob("*.csv").literal_prefix(), "");
  EXPECT_EQ(Glob("/*.csv").literal_prefix(), "/");
  EXPECT_EQ(Glob("/a/b{1,2}/c").literal_prefix(), "/a");
}

TEST_F(LocalFsTest, ListsGlobsSorted) {
  put("d/b.csv", "b");
  put("d/a.csv", "a");
  put("d/c.json", "c");
  put("d/sub/e.csv", "e");
  put("d/sub/deep/f.csv", "f");
  put("d/.hidden.csv", "h");
  EXPECT_EQ(names(path("d/*.csv")), (Names{"d/a.csv", "d/b.csv"}));
  EXPECT_EQ(names(path("d/**/*.csv")),
            (Names{"d/a.csv", "d/b.csv", "d/sub/deep/f.csv", "d/sub/e.csv"}));
  EXPECT_EQ(names(path("d/*.{csv,json}")), (Names{"d/a.csv", "d/b.csv", "d/c.json"}));
  EXPECT_EQ(names(path("d/[ab].csv")), (Names{"d/a.csv", "d/b.csv"}));
  EXPECT_EQ(names(path("d/?.json")), (Names{"d/c.json"}));
  EXPECT_EQ(names(path("d/*/*.csv")), (Names{"d/sub/e.csv"}));
  EXPECT_TRUE(fs_->list(path("d/*.avro")).empty());
  EXPECT_TRUE(fs_->list(path("nope/*.csv")).empty());
  EXPECT_TRUE(fs_->list(path("missing.csv")).empty());
}

TEST_F(LocalFsTest, DirectoryMeansAllFilesSkippingPrivate) {
  put("d/a.csv", "a");
  put("d/sub/b.csv", "bb");
  put("d/_SUCCESS", "");
  put("d/.x.csv.velo-tmp-1-2", "t");
  put("d/_tmp/c.csv", "c");
  EXPECT_EQ(names(path("d")), (Names{"d/a.csv", "d/sub/b.csv"}));
  EXPECT_EQ(names(path("d/")), (Names{"d/a.csv", "d/sub/b.csv"}));
  auto files = fs_->list(path("d/sub/b.csv"));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].size, 2);
  EXPECT_GT(files[0].modified_us, 1600000000LL * 1000000);
}

TEST_F(LocalFsTest, FileUris) {
  put("u/a.csv", "hello");
  auto files = fs_->list("file://" + path("u/*.csv"));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, path("u/a.csv"));
  EXPECT_TRUE(fs_->exists("file://" + path("u/a.csv")));
  EXPECT_EQ(read_all("file://" + path("u/a.csv")), "hello");
  EXPECT_EQ(file_system_for("file://" + path("u"), Options()).get(), fs_.get());
}

TEST_F(LocalFsTest, ReadsConcurrentlyAndSequentially) {
  std::string data;
  for (int i = 0; i < 300000; ++i) data += static_cast<char>('a' + i % 26);
  put("big.txt", data);
  auto f = std::shared_ptr<RandomAccessFile>(fs_->open_read(path("big.txt")));
  EXPECT_EQ(f->size(), static_cast<int64_t>(data.size()));
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      char buf[1000];
      for (int i = 0; i < 200; ++i) {
        int64_t off = (t * 7919 + i * 1237) % (data.size() - 1000);
        if (f->read_at(off, 1000, buf) != 1000 || std::string(buf, 1000) != data.substr(off, 1000))
          ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  char buf[10];
  EXPECT_EQ(f->read_at(data.size() - 4, 10, buf), 4u);  // short read at EOF
  EXPECT_EQ(read_all(path("big.txt")), data);
  // A range.
  auto s = sequential_stream(fs_->open_read(path("big.txt")), 26, 5);
  char r[16];
  EXPECT_EQ(s->read(r, 16), 5u);
  EXPECT_EQ(std::string(r, 5), "abcde");
  EXPECT_EQ(s->read(r, 16), 0u);
  EXPECT_EQ(s->bytes_consumed(), 5);
}

TEST_F(LocalFsTest, OpenReadErrorsNamePath) {
  try {
    fs_->open_read(path("absent.csv"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(e.message().find("absent.csv"), std::string::npos);
    EXPECT_NE(e.message().find("No such file"), std::string::npos);
  }
}

TEST_F(LocalFsTest, WriteIsInvisibleUntilCommit) {
  std::string target = path("out/nested/x.csv");
  auto out = fs_->open_write(target);
  out->write("abc", 3);
  std::string big(3 << 20, 'z');
  out->write(big.data(), big.size());
  EXPECT_EQ(out->bytes_written(), static_cast<int64_t>(3 + big.size()));
  EXPECT_FALSE(fs_->exists(target));
  out->prepare();
  EXPECT_FALSE(fs_->exists(target));
  // The temp file is hidden: a directory listing ignores it.
  EXPECT_TRUE(fs_->list(path("out")).empty());
  int temps = 0;
  for (const auto& e : stdfs::directory_iterator(path("out/nested"))) {
    EXPECT_EQ(e.path().filename().string().rfind(".x.csv.velo-tmp-", 0), 0u);
    ++temps;
  }
  EXPECT_EQ(temps, 1);
  out->commit();
  out->commit();  // idempotent
  EXPECT_TRUE(fs_->exists(target));
  EXPECT_EQ(read_all(target), "abc" + big);
  out.reset();
  EXPECT_TRUE(fs_->exists(target));
  EXPECT_EQ(std::distance(stdfs::directory_iterator(path("out/nested")), {}), 1);
}

TEST_F(LocalFsTest, AbortAndDestructorLeaveNothing) {
  {
    auto out = fs_->open_write(path("a/x.csv"));
    out->write("abc", 3);
    out->prepare();
    out->abort();
    out->abort();
  }
  {
    auto out = fs_->open_write(path("a/y.csv"));
    out->write("abc", 3);
  }
  EXPECT_EQ(std::distance(stdfs::directory_iterator(path("a")), {}), 0);
}

TEST_F(LocalFsTest, CommitReplacesExisting) {
  put("r.csv", "old");
  auto out = fs_->open_write(path("r.csv"));
  out->write("new", 3);
  EXPECT_EQ(read_all(path("r.csv")), "old");
  out->commit();
  EXPECT_EQ(read_all(path("r.csv")), "new");
  fs_->remove(path("r.csv"));
  EXPECT_FALSE(fs_->exists(path("r.csv")));
  fs_->remove(path("r.csv"));  // absent: fine
}

}  // namespace
}  // namespace velo
