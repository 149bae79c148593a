// driver::read_consistently: a read that saw another store than its listing (StoreChanged) is read
// again, at most three times; other errors go straight to the caller.
#include <gtest/gtest.h>

#include "compiler/driver/store_reading.h"

namespace healthc::driver {
namespace {

TEST(ReadConsistently, ReadsAgainWhileTheStoreChanges) {
  int calls = 0;
  const int got = read_consistently([&] {
    if (++calls < 3) throw history::StoreChanged("changed");
    return 7;
  });
  EXPECT_EQ(got, 7);
  EXPECT_EQ(calls, 3);
}

TEST(ReadConsistently, GivesUpAfterThreeTries) {
  int calls = 0;
  EXPECT_THROW(read_consistently([&]() -> int {
                 ++calls;
                 throw history::StoreChanged("changed");
               }),
               history::StoreChanged);
  EXPECT_EQ(calls, 3);
}

TEST(ReadConsistently, OtherStoreErrorsAreNotRetried) {
  int calls = 0;
  EXPECT_THROW(read_consistently([&]() -> int {
                 ++calls;
                 throw history::StoreError("gone");
               }),
               history::StoreError);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace healthc::driver
