#include "velo/io/options.h"

#include <gtest/gtest.h>

#include "velo/types/error.h"

namespace velo {
namespace {

TEST(OptionsTest, UnknownOptionsAreErrorsWithHints) {
  Options o;
  o.set("Delimiter", ";");
  o.set("headr", "false");
  EXPECT_EQ(o.get_string("delimiter", ","), ";");
  o.mark_used("header");
  try {
    o.check_all_used("csv source");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("unknown option 'headr' for csv source (did you mean 'header'?)"), std::string::npos)
        << e.message();
  }
}

TEST(OptionsTest, TypedGetters) {
  Options o;
  o.set("n", "42");
  o.set("b", "TRUE");
  o.set("size", "64MB");
  o.set("timeout", "5 minutes");
  o.set("bad", "x");
  EXPECT_EQ(o.get_int("n", 0), 42);
  EXPECT_TRUE(o.get_bool("b", false));
  EXPECT_EQ(o.get_bytes("size", 0), 64LL * 1024 * 1024);
  EXPECT_EQ(o.get_duration_us("timeout", 0), 300LL * 1000000);
  EXPECT_THROW(o.get_int("bad", 0), Error);
  EXPECT_EQ(o.get_int("missing", 7), 7);
}

}  // namespace
}  // namespace velo
