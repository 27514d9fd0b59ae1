// One FileSystem conformance suite (the Arrow C++ approach): every implementation runs the same
// cases. Local always runs; the object stores run when the integration script
// (tests/integration/objectstore/run.sh) points them at an emulator:
//   VELO_TEST_S3_ENDPOINT + VELO_TEST_S3_BUCKET          s3:// and gs:// (HMAC) on s3rver
//   VELO_TEST_AZURE_ENDPOINT + VELO_TEST_AZURE_CONTAINER azure:// on azurite
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>

#include "velo/fs/azure/azure_config.h"
#include "velo/fs/file_system.h"
#include "velo/fs/local_file_system.h"
#include "velo/types/error.h"

namespace velo {
namespace {

struct FsCase {
  std::string name;
  /// Empty when the service is not configured (the case is skipped).
  std::function<std::string()> root_base;
  std::function<Options()> options;
  int64_t part_size;  // what the options set; large writes exceed it
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

Options s3_options() {
  Options o;
  o.set("endpoint", env("VELO_TEST_S3_ENDPOINT"));
  o.set("access_key_id", "S3RVER");
  o.set("secret_access_key", "S3RVER");
  o.set("part_size", "5MiB");
  o.set("list_page_size", "7");  // forces continuation paging in the listing cases
  return o;
}

std::vector<FsCase> all_cases() {
  return {
      {"local",
       [] { return std::filesystem::temp_directory_path().string() + "/velo_conformance"; },
       [] { return Options(); }, 0},
      {"s3",
       [] {
         return env("VELO_TEST_S3_ENDPOINT").empty()
                    ? std::string()
                    : "s3://" + env("VELO_TEST_S3_BUCKET") + "/conformance";
       },
       s3_options, 5 << 20},
      {"gs",
       [] {
         return env("VELO_TEST_S3_ENDPOINT").empty()
                    ? std::string()
                    : "gs://" + env("VELO_TEST_S3_BUCKET") + "/conformance-gs";
       },
       s3_options, 5 << 20},
      {"azure",
       [] {
         return env("VELO_TEST_AZURE_ENDPOINT").empty()
                    ? std::string()
                    : "azure://" + env("VELO_TEST_AZURE_CONTAINER") + "/conformance";
       },
       [] {
         Options o;
         o.set("endpoint", env("VELO_TEST_AZURE_ENDPOINT"));
         o.set("account_name", "devstoreaccount1");
         o.set("account_key", azure::kDevelopmentAccountKey);
         o.set("part_size", "1MiB");
         o.set("list_page_size", "7");
         return o;
       },
       1 << 20},
  };
}

std::string pattern_bytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

class FileSystemConformance : public ::testing::TestWithParam<FsCase> {
 protected:
  void SetUp() override {
    std::string base = GetParam().root_base();
    if (base.empty()) GTEST_SKIP() << GetParam().name << " is not configured (see file header)";
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(test.begin(), test.end(), '/', '_');
    root_ = base + "/" + std::to_string(::getpid()) + "-" + test;
    options_ = GetParam().options();
    fs_ = file_system_for(root_, options_);
    if (GetParam().name == "local") std::filesystem::remove_all(root_);
  }
  void TearDown() override {
    if (!fs_) return;
    for (const auto& f : fs_->list(root_ + "/**")) fs_->remove(f.path);
    if (GetParam().name == "local") std::filesystem::remove_all(root_);
  }

  std::string path(const std::string& rel) const { return root_ + "/" + rel; }
  void put(const std::string& rel, const std::string& content) {
    auto out = fs_->open_write(path(rel));
    out->write(content.data(), content.size());
    out->commit();
  }
  std::string read_all(const std::string& rel) {
    auto f = fs_->open_read(path(rel));
    std::string s(static_cast<size_t>(f->size()), '\0');
    size_t n = f->read_at(0, s.size(), s.data());
    s.resize(n);
    return s;
  }
  std::vector<std::string> names(const std::string& pattern) {
    std::vector<std::string> out;
    for (const auto& f : fs_->list(pattern)) {
      EXPECT_EQ(f.path.rfind(root_ + "/", 0), 0u) << f.path;
      out.push_back(f.path.substr(root_.size() + 1));
    }
    return out;
  }

  std::string root_;
  Options options_;
  std::shared_ptr<FileSystem> fs_;
};

using Names = std::vector<std::string>;

TEST_P(FileSystemConformance, WriteReadBackAndRangedReads) {
  put("f.txt", "hello world");
  EXPECT_TRUE(fs_->exists(path("f.txt")));
  auto listed = fs_->list(path("f.txt"));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].path, path("f.txt"));
  EXPECT_EQ(listed[0].size, 11);
  EXPECT_GT(listed[0].modified_us, 0);

  auto f = fs_->open_read(path("f.txt"));
  EXPECT_EQ(f->size(), 11);
  char buf[32] = {0};
  EXPECT_EQ(f->read_at(0, 11, buf), 11u);
  EXPECT_EQ(std::string(buf, 11), "hello world");
  EXPECT_EQ(f->read_at(6, 3, buf), 3u);
  EXPECT_EQ(std::string(buf, 3), "wor");
  // Past EOF: short read, then nothing.
  EXPECT_EQ(f->read_at(8, 20, buf), 3u);
  EXPECT_EQ(std::string(buf, 3), "rld");
  EXPECT_EQ(f->read_at(11, 5, buf), 0u);
  EXPECT_EQ(f->read_at(1000, 5, buf), 0u);
  EXPECT_EQ(f->read_at(3, 0, buf), 0u);
}

TEST_P(FileSystemConformance, EmptyFile) {
  put("empty.bin", "");
  EXPECT_TRUE(fs_->exists(path("empty.bin")));
  auto f = fs_->open_read(path("empty.bin"));
  EXPECT_EQ(f->size(), 0);
  char c;
  EXPECT_EQ(f->read_at(0, 1, &c), 0u);
}

TEST_P(FileSystemConformance, MissingFile) {
  EXPECT_FALSE(fs_->exists(path("nope.txt")));
  EXPECT_TRUE(fs_->list(path("nope.txt")).empty());
  EXPECT_TRUE(fs_->list(path("nope/*.txt")).empty());
  try {
    fs_->open_read(path("nope.txt"));
    FAIL() << "open_read of a missing file succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(e.message().find("nope.txt"), std::string::npos) << e.message();
  }
}

TEST_P(FileSystemConformance, NothingVisibleBeforeCommit) {
  auto out = fs_->open_write(path("pending.txt"));
  out->write("abc", 3);
  EXPECT_FALSE(fs_->exists(path("pending.txt")));
  out->prepare();
  EXPECT_FALSE(fs_->exists(path("pending.txt")));
  EXPECT_TRUE(names(root_ + "/*").empty());
  EXPECT_EQ(out->bytes_written(), 3);
  out->commit();
  out->commit();  // idempotent
  EXPECT_EQ(read_all("pending.txt"), "abc");
}

TEST_P(FileSystemConformance, LargeWriteInvisibleUntilCommit) {
  int64_t part = GetParam().part_size > 0 ? GetParam().part_size : (5 << 20);
  std::string data = pattern_bytes(static_cast<size_t>(part * 2 + part / 3 + 17), 7);
  auto out = fs_->open_write(path("big.bin"));
  // Uneven chunks, so part boundaries fall inside writes.
  size_t pos = 0, chunk = 1;
  while (pos < data.size()) {
    size_t n = std::min(chunk, data.size() - pos);
    out->write(data.data() + pos, n);
    pos += n;
    chunk = chunk * 3 + 1;
    if (chunk > (3u << 20)) chunk = 12345;
  }
  out->prepare();
  EXPECT_FALSE(fs_->exists(path("big.bin")));
  EXPECT_TRUE(names(root_ + "/*").empty());
  out->commit();

  auto f = fs_->open_read(path("big.bin"));
  ASSERT_EQ(f->size(), static_cast<int64_t>(data.size()));
  std::string back(data.size(), '\0');
  ASSERT_EQ(f->read_at(0, back.size(), back.data()), back.size());
  EXPECT_TRUE(back == data) << "content differs";
  // Ranges across part boundaries, and one running past EOF.
  for (int64_t off : {part - 5, 2 * part - 1, static_cast<int64_t>(data.size()) - 10}) {
    char buf[64];
    size_t n = f->read_at(off, sizeof buf, buf);
    size_t expect = std::min<size_t>(sizeof buf, data.size() - static_cast<size_t>(off));
    ASSERT_EQ(n, expect) << off;
    EXPECT_EQ(std::string(buf, n), data.substr(static_cast<size_t>(off), n)) << off;
  }
  // Sequential reads through the shared stream helper.
  auto s = sequential_stream(fs_->open_read(path("big.bin")), part - 3, 1000);
  std::string mid(1000, '\0');
  EXPECT_EQ(s->read(mid.data(), mid.size()), 1000u);
  EXPECT_EQ(mid, data.substr(static_cast<size_t>(part - 3), 1000));
}

TEST_P(FileSystemConformance, AbortLeavesNothing) {
  {
    auto out = fs_->open_write(path("small.txt"));
    out->write("x", 1);
    out->abort();
    out->abort();
  }
  {
    int64_t part = GetParam().part_size > 0 ? GetParam().part_size : (1 << 20);
    std::string data = pattern_bytes(static_cast<size_t>(part + part / 2), 3);
    auto out = fs_->open_write(path("large.bin"));
    out->write(data.data(), data.size());  // the multipart upload has started
    out->abort();
  }
  {
    auto out = fs_->open_write(path("dropped.txt"));  // destroyed without commit
    out->write("y", 1);
  }
  EXPECT_FALSE(fs_->exists(path("small.txt")));
  EXPECT_FALSE(fs_->exists(path("large.bin")));
  EXPECT_FALSE(fs_->exists(path("dropped.txt")));
  EXPECT_TRUE(names(root_ + "/**").empty());
}

TEST_P(FileSystemConformance, Overwrite) {
  put("o.txt", "first version, longer");
  put("o.txt", "second");
  EXPECT_EQ(read_all("o.txt"), "second");
  EXPECT_EQ(fs_->list(path("o.txt")).at(0).size, 6);
}

TEST_P(FileSystemConformance, RemoveAndExists) {
  put("d/r.txt", "r");
  EXPECT_TRUE(fs_->exists(path("d/r.txt")));
  EXPECT_TRUE(fs_->exists(path("d")));  // a directory (or key prefix) with files exists
  fs_->remove(path("d/r.txt"));
  EXPECT_FALSE(fs_->exists(path("d/r.txt")));
  EXPECT_NO_THROW(fs_->remove(path("d/r.txt")));  // removing what is gone is fine
  EXPECT_NO_THROW(fs_->remove(path("never.txt")));
}

TEST_P(FileSystemConformance, ListDirectoryAndGlobs) {
  for (const char* rel : {"a/x.csv", "a/y.csv", "a/b/z.csv", "a/b/w.json", "a/_SUCCESS",
                          "a/.hidden.csv", "a/b/c/deep.csv", "c.txt", "ab/q.csv"})
    put(rel, rel);
  EXPECT_EQ(names(root_ + "/a/*.csv"), (Names{"a/x.csv", "a/y.csv"}));
  EXPECT_EQ(names(root_ + "/a/?.csv"), (Names{"a/x.csv", "a/y.csv"}));
  EXPECT_EQ(names(root_ + "/a/[x]*"), (Names{"a/x.csv"}));
  EXPECT_EQ(names(root_ + "/a/**/*.csv"),
            (Names{"a/b/c/deep.csv", "a/b/z.csv", "a/x.csv", "a/y.csv"}));
  EXPECT_EQ(names(root_ + "/a/*/*.{csv,json}"), (Names{"a/b/w.json", "a/b/z.csv"}));
  EXPECT_EQ(names(root_ + "/a*/q.csv"), (Names{"ab/q.csv"}));
  EXPECT_EQ(names(root_ + "/*.txt"), (Names{"c.txt"}));
  // A directory: everything below, without '_' and '.' entries; "a" does not match "ab".
  Names dir = {"a/b/c/deep.csv", "a/b/w.json", "a/b/z.csv", "a/x.csv", "a/y.csv"};
  EXPECT_EQ(names(root_ + "/a"), dir);
  EXPECT_EQ(names(root_ + "/a/"), dir);
  EXPECT_EQ(names(root_ + "/a/b/z.csv"), (Names{"a/b/z.csv"}));
  EXPECT_TRUE(names(root_ + "/a/*.parquet").empty());
}

TEST_P(FileSystemConformance, ManyFilesListAcrossPages) {
  // The object stores list 7 keys per page here, so this follows continuation tokens/markers.
  Names expected;
  for (int i = 0; i < 23; ++i) {
    std::string rel = "many/f" + std::to_string(100 + i) + ".txt";
    put(rel, "x");
    expected.push_back(rel);
  }
  put("many/other.dat", "y");
  EXPECT_EQ(names(root_ + "/many/f*.txt"), expected);
  EXPECT_EQ(names(root_ + "/many").size(), 24u);
}

TEST_P(FileSystemConformance, ConcurrentRangedReads) {
  std::string data = pattern_bytes(256 << 10, 11);
  put("c.bin", data);
  auto f = fs_->open_read(path("c.bin"));
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        size_t off = static_cast<size_t>((t * 8 + i) * 7919 % (data.size() - 4096));
        std::string buf(4096, '\0');
        if (f->read_at(static_cast<int64_t>(off), buf.size(), buf.data()) != buf.size() ||
            buf != data.substr(off, buf.size()))
          ++bad;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_P(FileSystemConformance, KeysWithSpecialCharacters) {
  put("odd dir/a+b=c&d%e.txt", "odd");
  EXPECT_EQ(read_all("odd dir/a+b=c&d%e.txt"), "odd");
  EXPECT_EQ(names(root_ + "/odd dir/*.txt"), (Names{"odd dir/a+b=c&d%e.txt"}));
}

// ---- recovery across processes: pending tokens (issue 6) ----
// A "fresh process" is a new FileSystem instance from the same URI and options; the stream that
// prepared the file is abandoned as a crash would (released without abort or destruction).

TEST_P(FileSystemConformance, PendingTokenPublishesFromAFreshInstance) {
  int64_t part = GetParam().part_size > 0 ? GetParam().part_size : (1 << 20);
  struct Case {
    std::string name;
    std::string data;
  };
  std::vector<Case> cases = {{"small.txt", "hello pending"},
                             {"empty.bin", ""},
                             {"multi.bin", pattern_bytes(static_cast<size_t>(part * 2 + 99), 5)}};
  std::vector<std::string> tokens;
  for (const Case& c : cases) {
    auto out = fs_->open_write(path(c.name));
    out->write(c.data.data(), c.data.size());
    out->prepare();
    tokens.push_back(out->pending_token());
    EXPECT_FALSE(tokens.back().empty());
    out.release();  // kill -9: no abort, no destructor
  }
  EXPECT_TRUE(names(root_ + "/*").empty());
  auto fresh = file_system_for(root_, options_);
  for (const std::string& t : tokens) {
    fresh->commit_pending(t);
    fresh->commit_pending(t);  // idempotent: the checkpoint may be restored twice
  }
  EXPECT_EQ(names(root_ + "/*"), (Names{"empty.bin", "multi.bin", "small.txt"}));
  for (const Case& c : cases) EXPECT_TRUE(read_all(c.name) == c.data) << c.name;
  // Published, then consumed downstream: restoring the same checkpoint again is still fine and
  // resurrects nothing that had content. Not on s3rver: it answers a Complete of a finished
  // upload with 500 InternalError, where S3 says 404 NoSuchUpload.
  if (GetParam().name == "s3" || GetParam().name == "gs") return;
  fs_->remove(path("small.txt"));
  fs_->remove(path("multi.bin"));
  auto third = file_system_for(root_, options_);
  third->commit_pending(tokens[0]);
  third->commit_pending(tokens[2]);
  EXPECT_FALSE(fs_->exists(path("small.txt")));
  EXPECT_FALSE(fs_->exists(path("multi.bin")));
}

TEST_P(FileSystemConformance, PendingTokenOfTheCommittingInstance) {
  auto out = fs_->open_write(path("both.txt"));
  out->write("abc", 3);
  out->prepare();
  std::string token = out->pending_token();
  out->commit();
  // A crash after the commit but before the next checkpoint: recovery publishes again.
  file_system_for(root_, options_)->commit_pending(token);
  EXPECT_EQ(read_all("both.txt"), "abc");
  out.reset();  // the old stream going away leaves the published file alone
  EXPECT_EQ(read_all("both.txt"), "abc");
}

TEST_P(FileSystemConformance, AbortPendingLeavesNothing) {
  auto out = fs_->open_write(path("gone.txt"));
  out->write("zzz", 3);
  out->prepare();
  std::string token = out->pending_token();
  out.release();
  auto fresh = file_system_for(root_, options_);
  fresh->abort_pending(token);
  fresh->abort_pending(token);
  fresh->abort_pending("not a token");  // never throws
  EXPECT_FALSE(fs_->exists(path("gone.txt")));
  EXPECT_TRUE(names(root_ + "/**").empty());
}

TEST_P(FileSystemConformance, PreparedStreamsHoldNoFileDescriptors) {
  auto open_fds = [] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
  };
  size_t before = open_fds();
  std::vector<std::unique_ptr<OutputStream>> prepared;
  for (int i = 0; i < 40; ++i) {
    prepared.push_back(fs_->open_write(path("p/" + std::to_string(i) + ".txt")));
    prepared.back()->write("row\n", 4);
    prepared.back()->prepare();
  }
  // Object stores keep pooled HTTP connections; a leak would grow with the number of files.
  EXPECT_LE(open_fds(), before + 8);
  for (auto& p : prepared) p->commit();
  EXPECT_EQ(names(root_ + "/p/*").size(), 40u);
}

INSTANTIATE_TEST_SUITE_P(AllFileSystems, FileSystemConformance, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace velo
