// Tokenize: the terms of Chinese, Japanese, Korean and English text, and the byte spans they come
// from.

#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "search/tokenizer.hpp"

namespace selfservice::search {
namespace {

struct Term {
  std::string text;
  int start;
  int end;
  bool operator==(const Term&) const = default;
};

void PrintTo(const Term& term, std::ostream* os) {
  *os << '"' << term.text << "\" [" << term.start << ", " << term.end << ")";
}

std::vector<Term> TermsOf(std::string_view text) {
  std::vector<Term> terms;
  Tokenize(text, [&terms](std::string_view token, int start, int end) {
    terms.push_back({std::string(token), start, end});
  });
  return terms;
}

std::vector<std::string> TokensOf(std::string_view text) {
  std::vector<std::string> tokens;
  for (const Term& term : TermsOf(text)) tokens.push_back(term.text);
  return tokens;
}

using Tokens = std::vector<std::string>;

TEST(Tokenize, FoldsFullWidthLettersAndDigitsToLowercaseAscii) {
  EXPECT_EQ(TokensOf("ＮＧＩＮＸ ＩＰｖ６ ２０２４"), (Tokens{"nginx", "ipv6", "2024"}));
}

TEST(Tokenize, JoinsFullWidthAndHalfWidthCharactersOfOneWord) {
  EXPECT_EQ(TokensOf("ngiｎｘ"), (Tokens{"nginx"}));
}

TEST(Tokenize, TreatsTheIdeographicSpaceAsASpace) {
  EXPECT_EQ(TokensOf("nginx\u3000restart"), (Tokens{"nginx", "restart"}));
}

TEST(Tokenize, TreatsFullWidthPunctuationAsPunctuation) {
  EXPECT_EQ(TokensOf("wifi，ssh（apt）"), (Tokens{"wifi", "ssh", "apt"}));
}

TEST(Tokenize, SplitsACjkRunIntoOverlappingBigrams) {
  EXPECT_EQ(TokensOf("服务器"), (Tokens{"服务", "务器"}));
}

TEST(Tokenize, GivesALoneCjkCharacterAsAUnigram) {
  EXPECT_EQ(TokensOf("卡"), (Tokens{"卡"}));
  EXPECT_EQ(TokensOf("电脑 卡 了吗"), (Tokens{"电脑", "卡", "了吗"}));
}

TEST(Tokenize, GivesTwoCharactersAsOneBigram) {
  EXPECT_EQ(TokensOf("重启"), (Tokens{"重启"}));
}

TEST(Tokenize, SplitsMixedScripts) {
  EXPECT_EQ(TokensOf("nginx起不来"), (Tokens{"nginx", "起不", "不来"}));
  EXPECT_EQ(TokensOf("用rsync备份"), (Tokens{"用", "rsync", "备份"}));
}

TEST(Tokenize, EndsACjkRunAtPunctuation) {
  EXPECT_EQ(TokensOf("服务器，重启。日志"), (Tokens{"服务", "务器", "重启", "日志"}));
}

TEST(Tokenize, BigramsKanaAndHangulLikeHanzi) {
  EXPECT_EQ(TokensOf("ひらがな"), (Tokens{"ひら", "らが", "がな"}));
  EXPECT_EQ(TokensOf("サーバー"), (Tokens{"サー", "ーバ", "バー"}));
  EXPECT_EQ(TokensOf("서버 재시작"), (Tokens{"서버", "재시", "시작"}));
}

TEST(Tokenize, BigramsKanjiAndKanaTogether) {
  EXPECT_EQ(TokensOf("再起動する"), (Tokens{"再起", "起動", "動す", "する"}));
}

TEST(Tokenize, TreatsTheKatakanaMiddleDotAsPunctuation) {
  EXPECT_EQ(TokensOf("データ・ベース"), (Tokens{"デー", "ータ", "ベー", "ース"}));
}

TEST(Tokenize, CoversExtensionACompatibilityAndSupplementaryIdeographs) {
  EXPECT_EQ(TokensOf("\u3400\u4DB5"), (Tokens{"\u3400\u4DB5"}));
  EXPECT_EQ(TokensOf("\uF900\uFA0E"), (Tokens{"\uF900\uFA0E"}));
  EXPECT_EQ(TokensOf("\U00020000\U0002A6D6"), (Tokens{"\U00020000\U0002A6D6"}));
}

TEST(Tokenize, LowercasesAsciiWords) {
  EXPECT_EQ(TokensOf("NGINX SSH"), (Tokens{"nginx", "ssh"}));
}

TEST(Tokenize, DropsEnglishStopWordsAndStemsTheRest) {
  EXPECT_EQ(TokensOf("wifi keeps dropping"), (Tokens{"wifi", "drop"}));
}

TEST(Tokenize, DropsTheFunctionWordsOfQuestions) {
  EXPECT_EQ(TokensOf("How do I change the network interface IP to a static address"),
            (Tokens{"chang", "network", "interfac", "ip", "static", "address"}));
}

TEST(Tokenize, DropsEveryStopWordTheIssueNames) {
  EXPECT_EQ(TokensOf("the a an is are to of in on for and or how do does I my me it this that with can what "
                     "why keeps"),
            (Tokens{}));
}

TEST(Tokenize, KeepsNegations) {
  EXPECT_EQ(TokensOf("does not boot"), (Tokens{"not", "boot"}));
}

TEST(Tokenize, StemsEveryFormOfAWordToOneTerm) {
  EXPECT_EQ(TokensOf("connection connected Connecting connections"),
            (Tokens{"connect", "connect", "connect", "connect"}));
}

TEST(Tokenize, KeepsWordsOfLettersAndDigitsWhole) {
  EXPECT_EQ(TokensOf("ipv6 utf8 x86 ext4 amd64s"), (Tokens{"ipv6", "utf8", "x86", "ext4", "amd64s"}));
}

TEST(Tokenize, KeepsNumbers) {
  EXPECT_EQ(TokensOf("error 404 since 2024"), (Tokens{"error", "404", "sinc", "2024"}));
}

TEST(Tokenize, SplitsAtAsciiPunctuation) {
  EXPECT_EQ(TokensOf("apt-get /etc/fstab foo_bar;3.40.1"),
            (Tokens{"apt", "get", "etc", "fstab", "foo", "bar", "3", "40", "1"}));
}

TEST(Tokenize, TreatsOtherScriptsAndSymbolsAsSeparators) {
  EXPECT_EQ(TokensOf("cpu—100%“slow”…"), (Tokens{"cpu", "100", "slow"}));
}

TEST(Tokenize, GivesNothingForEmptyOrBlankText) {
  EXPECT_TRUE(TermsOf("").empty());
  EXPECT_TRUE(TermsOf(" \t\n,.;\u3000！").empty());
}

TEST(Tokenize, GivesNothingForStopWordsAlone) {
  EXPECT_TRUE(TermsOf("how do I").empty());
}

TEST(Tokenize, ReportsTheByteSpansOfAsciiWords) {
  EXPECT_EQ(TermsOf("Hello, World"), (std::vector<Term>{{"hello", 0, 5}, {"world", 7, 12}}));
}

TEST(Tokenize, ReportsTheSourceSpanOfAStemmedWord) {
  EXPECT_EQ(TermsOf("  Connecting!"), (std::vector<Term>{{"connect", 2, 12}}));
}

TEST(Tokenize, ReportsTheByteSpansOfBigramsAndUnigrams) {
  // 起, 不, 来 and 卡 take three bytes each.
  EXPECT_EQ(TermsOf("nginx起不来 卡"),
            (std::vector<Term>{{"nginx", 0, 5}, {"起不", 5, 11}, {"不来", 8, 14}, {"卡", 15, 18}}));
}

TEST(Tokenize, ReportsTheSpanOfFullWidthTextInTheInput) {
  // Each full-width character takes three bytes; the term is its ASCII form.
  EXPECT_EQ(TermsOf("（ＳＳＨ）ssh"), (std::vector<Term>{{"ssh", 3, 12}, {"ssh", 15, 18}}));
}

TEST(Tokenize, ReportsTheSpansOfSupplementaryCharacters) {
  EXPECT_EQ(TermsOf("a\U00020000\U00020001"), (std::vector<Term>{{"\U00020000\U00020001", 1, 9}}));
}

TEST(Tokenize, SkipsBytesThatAreNotUtf8) {
  EXPECT_EQ(TokensOf("ab\xFF"
                     "cd"),
            (Tokens{"ab", "cd"}));
  EXPECT_EQ(TokensOf("\x80\xBF"
                     "ssh"),
            (Tokens{"ssh"}));
  EXPECT_EQ(TokensOf("服务\xFE器"), (Tokens{"服务", "器"}));
}

TEST(Tokenize, SkipsOverlongSurrogateAndOutOfRangeSequences) {
  EXPECT_EQ(TokensOf("x\xC0\xAFy"), (Tokens{"x", "y"}));              // overlong '/'
  EXPECT_EQ(TokensOf("x\xE0\x80\xAFy"), (Tokens{"x", "y"}));          // overlong '/'
  EXPECT_EQ(TokensOf("x\xED\xA0\x80y"), (Tokens{"x", "y"}));          // surrogate U+D800
  EXPECT_EQ(TokensOf("x\xF4\x90\x80\x80y"), (Tokens{"x", "y"}));      // above U+10FFFF
  EXPECT_EQ(TokensOf("x\xEF\xBC\x8E\xEF\xBCy"), (Tokens{"x", "y"}));  // full stop, then a cut one
}

TEST(Tokenize, KeepsSpansRightAfterInvalidBytes) {
  EXPECT_EQ(TermsOf("\xFF\xFE"
                    "服务"),
            (std::vector<Term>{{"服务", 2, 8}}));
}

TEST(Tokenize, SurvivesATruncatedCharacterAtTheEnd) {
  EXPECT_EQ(TokensOf("服务器\xE5\x8A"), (Tokens{"服务", "务器"}));
  EXPECT_EQ(TokensOf("\xF0\x9F"), (Tokens{}));
}

TEST(Tokenize, GivesOrderedSpansInsideTheInputForArbitraryBytes) {
  // Random bytes biased towards UTF-8 lead and continuation bytes, in a buffer of exactly their
  // size so that a sanitizer build catches any read past the end.
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> length(0, 64);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 2000; ++round) {
    std::vector<char> bytes(static_cast<std::size_t>(length(random)));
    for (char& b : bytes) {
      const int value = byte(random);
      b = static_cast<char>(value < 128 ? value
                                        : (value < 192 ? 0x80 | (value & 0x3F) : 0xC0 | (value & 0x3F)));
    }
    const std::vector<Term> terms = TermsOf(std::string_view(bytes.data(), bytes.size()));
    int previous_start = 0;
    for (const Term& term : terms) {
      EXPECT_LE(previous_start, term.start);
      EXPECT_LT(term.start, term.end);
      EXPECT_LE(term.end, static_cast<int>(bytes.size()));
      EXPECT_FALSE(term.text.empty());
      previous_start = term.start;
    }
  }
}

TEST(Tokenize, ReadsEmbeddedNulAsASeparator) {
  EXPECT_EQ(TokensOf(std::string_view("ab\0cd", 5)), (Tokens{"ab", "cd"}));
}

TEST(Tokenize, CutsOverlongWordsIntoPiecesWithTheirOwnSpans) {
  const std::string digits(300, '7');
  EXPECT_EQ(TermsOf(digits),
            (std::vector<Term>{{std::string(255, '7'), 0, 255}, {std::string(45, '7'), 255, 300}}));
}

TEST(Tokenize, DropsBigramsInsideChineseQuestionWords) {
  EXPECT_EQ(TokensOf("如何配置网络"), (Tokens{"何配", "配置", "置网", "网络"}));
  EXPECT_EQ(TokensOf("服务器连不上怎么办"), (Tokens{"服务", "务器", "器连", "连不", "不上", "上怎", "么办"}));
}

TEST(Tokenize, DropsEveryBigramOfAThreeCharacterQuestionWord) {
  EXPECT_EQ(TokensOf("为什么"), (Tokens{}));
  EXPECT_EQ(TokensOf("为什么重启"), (Tokens{"么重", "重启"}));
  EXPECT_EQ(TokensOf("重启为什么"), (Tokens{"重启", "启为"}));
}

TEST(Tokenize, KeepsWordsThatOverlapAQuestionWord) {
  // 的话 (if ...) sits inside 我的话费 (my phone bill) without taking 话费 with it.
  EXPECT_EQ(TokensOf("我的话费"), (Tokens{"我的", "话费"}));
}

TEST(Tokenize, DropsQuestionWordsWhereverTheRunIsLong) {
  // The window that decides a bigram slides along runs longer than itself.
  EXPECT_EQ(TokensOf("系统日志可以删除吗"), (Tokens{"系统", "统日", "日志", "志可", "以删", "删除", "除吗"}));
}

}  // namespace
}  // namespace selfservice::search
