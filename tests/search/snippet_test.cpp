// MakeSnippet: the passage of a hit's body around the query's terms, with marks.

#include "search/snippet.hpp"

#include <string>
#include <unordered_set>

#include <gtest/gtest.h>

namespace selfservice::search {
namespace {

SnippetOptions Short(int tokens) {
  SnippetOptions options;
  options.open = "[";
  options.close = "]";
  options.ellipsis = "...";
  options.tokens = tokens;
  return options;
}

TEST(Snippet, MarksTheMatchedTermsOfTheWholeShortBody) {
  EXPECT_EQ(MakeSnippet("Restart the nginx service.", 0, {"nginx"}, Short(10)), "Restart the [nginx] service");
}

TEST(Snippet, MarksByTermSoInflectionsAreMarkedToo) {
  // "connecting" and "connection" are the term "connect", as the index has them.
  EXPECT_EQ(MakeSnippet("Connecting fails: connection refused", 0, {"connect"}, Short(10)),
            "[Connecting] fails: [connection] refused");
}

TEST(Snippet, OverlappingChineseBigramsShareOneMark) {
  EXPECT_EQ(MakeSnippet("检查服务器的防火墙", 0, {"服务", "务器", "防火", "火墙"}, Short(20)),
            "检查[服务器]的[防火墙]");
}

TEST(Snippet, CutsThePassageWithEllipsesAtBothEnds) {
  const std::string body = "one two three four five six seven eight nine ten";
  EXPECT_EQ(MakeSnippet(body, 3, {"five"}, Short(3)), "...four [five] six...");
}

TEST(Snippet, APassagePastTheEndIsMovedBackToFillTheLength) {
  const std::string body = "one two three four five";
  EXPECT_EQ(MakeSnippet(body, 10, {"five"}, Short(3)), "...three four [five]");
}

TEST(Snippet, AStartBeforeTheBodyCountsFromItsStart) {
  EXPECT_EQ(MakeSnippet("alpha beta gamma", -5, {}, Short(2)), "alpha beta...");
}

TEST(Snippet, ALongBodyGivesTheSamePassageAsItsOpening) {
  // Stop words ("the", "is", "here") are no terms: the passage counts disk ... follow.
  std::string body = "the disk is full, delete old kernels. ";
  for (int i = 0; i < 5000; ++i) body += "filler words follow here. ";
  EXPECT_EQ(MakeSnippet(body, 0, {"disk", "kernel"}, Short(8)),
            "the [disk] is full, delete old [kernels]. filler words follow...");
}

TEST(Snippet, APassageDeepInALongBodyIsFound) {
  std::string body;
  for (int i = 0; i < 3000; ++i) body += "filler ";
  body += "nginx fails here";
  EXPECT_EQ(MakeSnippet(body, 3000, {"nginx"}, Short(3)), "...[nginx] fails here");
}

TEST(Snippet, ABodyWithoutTermsGivesItsFirstCharacters) {
  EXPECT_EQ(MakeSnippet("!!! ??? ...", 0, {}, Short(2)), "!!! ");
  EXPECT_EQ(MakeSnippet("-- nginx", 0, {"nginx"}, Short(2)), "-- [nginx]");
  EXPECT_EQ(MakeSnippet("", 0, {"x"}, Short(2)), "");
}

TEST(Snippet, TheDefaultsMarkWithHtmlMarks) {
  EXPECT_EQ(MakeSnippet("nginx 起不来", 0, {"nginx"}), "<mark>nginx</mark> 起不来");
}

}  // namespace
}  // namespace selfservice::search
