// The file sink's checkpoint handle (connectors/file/pending_file.h): tokens travel through it,
// and handles of older checkpoints (no token) still publish local files.
#include "velo/connectors/file/pending_file.h"

#include <gtest/gtest.h>

#include "file_test_util.h"
#include "velo/fs/local_file_system.h"
#include "velo/types/error.h"

namespace velo {
namespace {

class PendingFileTest : public FileTestDir {
 protected:
  // A prepared local file, its stream abandoned as a crashed process leaves it.
  PendingFile prepare(const std::string& rel, const std::string& content) {
    auto out = local_file_system()->open_write(path(rel));
    out->write(content.data(), content.size());
    out->prepare();
    PendingFile f;
    f.path = path(rel);
    f.rows = 1;
    f.bytes = static_cast<int64_t>(content.size());
    f.token = out->pending_token();
    out.release();
    return f;
  }
};

TEST_F(PendingFileTest, HandleCarriesTheTokenThroughJson) {
  std::vector<PendingFile> files;
  files.push_back(prepare("a \"quoted\"\\name.csv", "x\n"));
  files.push_back(prepare("dir/b.csv", "yy\n"));
  std::string handle = encode_sink_handle(files);
  EXPECT_EQ(std::count(handle.begin(), handle.end(), '\n'), 2);
  std::vector<PendingFile> back = decode_sink_handle(handle);
  ASSERT_EQ(back.size(), 2u);
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].path, files[i].path);
    EXPECT_EQ(back[i].rows, 1);
    EXPECT_EQ(back[i].bytes, files[i].bytes);
    EXPECT_EQ(back[i].token, files[i].token);
    EXPECT_EQ(back[i].stream, nullptr);
  }
  for (const PendingFile& f : back) {
    commit_prepared_file(*local_file_system(), f);
    commit_prepared_file(*local_file_system(), f);  // idempotent
  }
  EXPECT_EQ(slurp(path("a \"quoted\"\\name.csv")), "x\n");
  EXPECT_EQ(slurp(path("dir/b.csv")), "yy\n");
  EXPECT_EQ(all_files().size(), 2u);  // no temp file left
}

TEST_F(PendingFileTest, HandlesWithoutATokenStillPublishLocalFiles) {
  PendingFile f = prepare("old.csv", "row\n");
  std::string legacy = R"({"path":")" + f.path + R"(","rows":1,"bytes":4})" + "\n";
  std::vector<PendingFile> back = decode_sink_handle(legacy);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(back[0].token.empty());
  commit_prepared_file(*local_file_system(), back[0]);  // finds the temp file by name
  commit_prepared_file(*local_file_system(), back[0]);
  EXPECT_EQ(slurp(path("old.csv")), "row\n");
  // Object stores cannot be recovered from a handle without a token.
  PendingFile remote;
  remote.path = "s3://bucket/out/part-0.csv";
  try {
    commit_prepared_file(*local_file_system(), remote);
    FAIL() << "an s3 handle without a token was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not supported yet"), std::string::npos) << e.what();
  }
}

TEST_F(PendingFileTest, MalformedHandlesAreInternalErrors) {
  EXPECT_THROW(decode_sink_handle("{\"path\":1}\n"), Error);
  EXPECT_THROW(decode_sink_handle("{\"path\":\"p\",\"rows\":1,\"bytes\":1,\"token\":5}\n"), Error);
  EXPECT_TRUE(decode_sink_handle("").empty());
}

}  // namespace
}  // namespace velo
