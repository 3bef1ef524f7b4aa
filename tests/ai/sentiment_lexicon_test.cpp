// The local sentiment lexicon: Chinese and English, negation, intensifiers and contrast, always
// within [-1, 1] and always the same score for the same text.

#include <gtest/gtest.h>

#include "ai/sentiment_lexicon.hpp"

namespace selfservice::ai {
namespace {

TEST(SentimentLexiconTest, PraiseIsPositiveAndComplaintsNegativeInChinese) {
  EXPECT_GT(LexiconSentiment("客服很耐心，问题解决了，非常满意"), 0.6);
  EXPECT_LT(LexiconSentiment("太慢了，一直连不上，很失望"), -0.6);
  EXPECT_DOUBLE_EQ(LexiconSentiment("请问发票怎么开"), 0.0);
}

TEST(SentimentLexiconTest, PraiseIsPositiveAndComplaintsNegativeInEnglish) {
  EXPECT_GT(LexiconSentiment("The engineer was very helpful and the fix was quick. Thanks!"), 0.6);
  EXPECT_LT(LexiconSentiment("Terrible support, the portal is slow and useless."), -0.6);
  EXPECT_DOUBLE_EQ(LexiconSentiment("Please send the invoice to finance"), 0.0);
}

TEST(SentimentLexiconTest, ANegationFlipsTheNextSentimentWordOfItsClause) {
  EXPECT_LT(LexiconSentiment("不满意"), 0);
  EXPECT_LT(LexiconSentiment("服务不好"), 0);
  EXPECT_GT(LexiconSentiment("没有故障了"), 0);
  EXPECT_LT(LexiconSentiment("not helpful"), 0);
  EXPECT_LT(LexiconSentiment("It doesn't work and isn't good"), 0);
  EXPECT_LT(LexiconSentiment("It don’t feel good"), 0);  // a typographic apostrophe
  EXPECT_GT(LexiconSentiment("not bad at all"), 0);
  // A negation is less than its opposite word: "不好" is milder than "差".
  EXPECT_GT(LexiconSentiment("不好"), LexiconSentiment("差"));
}

TEST(SentimentLexiconTest, ANegationEndsWithItsClause) {
  EXPECT_GT(LexiconSentiment("不是我说，服务很好"), 0);
  EXPECT_GT(LexiconSentiment("no, it was great"), 0);
}

TEST(SentimentLexiconTest, LongestWordsWinOverTheirCharacters) {
  EXPECT_GT(LexiconSentiment("不错"), 0);     // not 不 + 错
  EXPECT_GT(LexiconSentiment("没问题"), 0);   // not 没 + 问题
  EXPECT_LT(LexiconSentiment("好慢"), 0);     // 好 as "very", not "good"
}

TEST(SentimentLexiconTest, IntensifiersStrengthenAndSoftenersWeaken) {
  EXPECT_GT(LexiconSentiment("非常满意"), LexiconSentiment("满意"));
  EXPECT_LT(LexiconSentiment("有点慢"), 0);
  EXPECT_GT(LexiconSentiment("有点慢"), LexiconSentiment("慢"));
  EXPECT_GT(LexiconSentiment("very good"), LexiconSentiment("good"));
}

TEST(SentimentLexiconTest, WhatFollowsAContrastCountsMore) {
  EXPECT_LT(LexiconSentiment("态度很好，但是问题一直没解决，太慢"), 0);
  EXPECT_LT(LexiconSentiment("friendly staff but the outage lasted days and it is still broken"), 0);
}

TEST(SentimentLexiconTest, ScoresAreBoundedRoundedAndRepeatable) {
  std::string rant;
  for (int i = 0; i < 200; ++i) rant += "垃圾 terrible ";
  const double score = LexiconSentiment(rant);
  EXPECT_GE(score, -1.0);
  EXPECT_LE(score, -0.99);
  EXPECT_EQ(LexiconSentiment("很满意"), LexiconSentiment("很满意"));
  const double good = LexiconSentiment("good");
  EXPECT_DOUBLE_EQ(good, 0.45);
  EXPECT_DOUBLE_EQ(LexiconSentiment(""), 0.0);
  EXPECT_DOUBLE_EQ(LexiconSentiment("\xE4\xBD"), 0.0);  // a cut UTF-8 sequence
}

}  // namespace
}  // namespace selfservice::ai
