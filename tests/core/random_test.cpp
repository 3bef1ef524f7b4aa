// RandomHex: unguessable identifiers.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>

#include "core/random.hpp"

namespace selfservice {
namespace {

bool IsLowerHex(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST(RandomHex, GivesTwoDigitsPerByte) {
  EXPECT_EQ(RandomHex(1).size(), 2u);
  EXPECT_EQ(RandomHex(12).size(), 24u);
  EXPECT_EQ(RandomHex(16).size(), 32u);
}

TEST(RandomHex, ZeroBytesGiveAnEmptyString) {
  EXPECT_EQ(RandomHex(0), "");
}

TEST(RandomHex, HonoursLargeRequests) {
  EXPECT_EQ(RandomHex(64).size(), 128u);
  EXPECT_EQ(RandomHex(65).size(), 130u);
  EXPECT_EQ(RandomHex(10'000).size(), 20'000u);
}

TEST(RandomHex, UsesOnlyLowercaseHexDigits) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = RandomHex(16);
    EXPECT_TRUE(IsLowerHex(id)) << id;
  }
}

TEST(RandomHex, LargeRequestsAreRandomThroughout) {
  // A buffer filled only up to some limit would leave a tail of zeros.
  const std::string id = RandomHex(10'000);
  EXPECT_TRUE(IsLowerHex(id));
  EXPECT_NE(id.substr(id.size() - 64), std::string(64, '0'));
}

TEST(RandomHex, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) seen.insert(RandomHex(16));
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(RandomHex, UsesEveryHexDigit) {
  const std::string id = RandomHex(1'000);
  for (char digit : std::string("0123456789abcdef")) {
    EXPECT_NE(id.find(digit), std::string::npos) << digit;
  }
}

// Small requests come from a per-thread block: one after another they must still never repeat,
// across the block's refills (4,096 bytes: 256 draws of 16) included.
TEST(RandomBytes, SmallDrawsNeverRepeatAcrossRefills) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) EXPECT_TRUE(seen.insert(RandomBytes(16)).second) << i;
}

// A forked child must not hand out the bytes left in its parent's block (a nonce used twice under
// one key breaks AES-GCM): after fork() both draw, and the draws differ.
TEST(RandomBytes, AForkedChildDrawsOtherBytesThanItsParent) {
  RandomBytes(12);  // the block is filled, and most of it unused
  int pipe_ends[2];
  ASSERT_EQ(pipe(pipe_ends), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string drawn = RandomBytes(12);
    const bool written = write(pipe_ends[1], drawn.data(), drawn.size()) == 12;
    _exit(written ? 0 : 1);
  }
  const std::string parent = RandomBytes(12);
  std::string from_child(12, '\0');
  EXPECT_EQ(read(pipe_ends[0], from_child.data(), from_child.size()), 12);
  int status = 0;
  waitpid(child, &status, 0);
  close(pipe_ends[0]);
  close(pipe_ends[1]);
  EXPECT_NE(parent, from_child);
}

}  // namespace
}  // namespace selfservice
