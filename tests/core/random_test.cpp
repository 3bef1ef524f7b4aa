// RandomHex: unguessable identifiers.

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace selfservice
