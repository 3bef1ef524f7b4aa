// The embedded answerer (src/ai/extractive_answerer.cpp, answer_passage.cpp), the retrieval
// confidence it builds on (src/ai/confidence.cpp) and the coverage the local engine gives each hit
// (src/search/local_search.cpp), on small hand-made articles in Chinese and English.

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "ai/answer_passage.hpp"
#include "ai/confidence.hpp"
#include "selfservice/ai.hpp"
#include "selfservice/repository.hpp"
#include "selfservice/search.hpp"
#include "support/callers.hpp"

namespace selfservice {
namespace {

using test::Describe;

const RequestContext kUser = test::User(1, 10, 100);

constexpr const char* kHoldBody =
    "There are three ways of holding back packages, with dpkg, apt or aptitude.\n"
    "With apt, you can set a package to hold using\n"
    "apt-mark hold package_name\n"
    "and remove the hold with\n"
    "apt-mark unhold package_name\n";

constexpr const char* kProseBody =
    "The timezone is a configuration item of the tzdata package. "
    "Debian keeps many packages in its archive. "
    "To change the timezone, reconfigure tzdata and choose a region. "
    "Unrelated trivia closes the article.";

constexpr const char* kChineseBody =
    "电脑使用以太网卡时，必须配置 IP 网络。最简单的方式是以 DHCP 动态配置。"
    "静态地址需要在配置文件中写明地址和网关！其他内容与此无关。";

constexpr const char* kChineseStepsBody =
    "如果 ssh 连不上，请按下面的步骤排查：\n"
    "1. 检查服务器上的 ssh 服务是否在运行\n"
    "2. 检查防火墙是否放行 22 端口\n"
    "3. 用 -v 选项运行 ssh 查看详细信息\n"
    "以上步骤都正常时，请联系管理员。";

SearchHit Hit(std::int64_t id, std::string title, double score, double coverage,
              ArticleLang lang = ArticleLang::en) {
  SearchHit hit;
  hit.id = id;
  hit.external_id = "ext-" + std::to_string(id);
  hit.title = std::move(title);
  hit.url = "https://kb.example/" + std::to_string(id);
  hit.category = "ops";
  hit.lang = lang;
  hit.score = score;
  hit.coverage = coverage;
  return hit;
}

AiQuestion Question(std::string text, ArticleLang lang, std::vector<RetrievedArticle> retrieved) {
  AiQuestion question;
  question.question = std::move(text);
  question.lang = lang;
  question.retrieved = std::move(retrieved);
  question.retrieval_confidence = ai::RetrievalConfidence(question.retrieved);
  return question;
}

AiAnswer Ask(const AiQuestion& question) {
  auto answerer = CreateExtractiveAnswerer();
  AiFailure failure = AiFailure::kUnavailable;
  auto answer = answerer->Ask(Scope(kUser), question, failure);
  EXPECT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(failure, AiFailure::kNone);
  return answer.ok() ? std::move(answer).value() : AiAnswer{};
}

bool ValidUtf8(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c < 0x80           ? 1
                               : (c >> 5) == 0x6  ? 2
                               : (c >> 4) == 0xE  ? 3
                               : (c >> 3) == 0x1E ? 4
                                                  : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t j = 1; j < length; ++j) {
      if ((static_cast<unsigned char>(text[i + j]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

std::size_t Chars(const std::string& text) {
  std::size_t chars = 0;
  for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return chars;
}

// --- The answer ------------------------------------------------------------------------------------

TEST(ExtractiveAnswerer, IsNamedLocal) {
  EXPECT_EQ(CreateExtractiveAnswerer()->name(), "local");
}

TEST(ExtractiveAnswerer, NothingRetrievedGivesAnEmptyAnswerWithoutConfidence) {
  const AiAnswer answer = Ask(Question("how do I hold a package", ArticleLang::en, {}));
  EXPECT_TRUE(answer.answer.empty());
  EXPECT_EQ(answer.confidence, 0);
  EXPECT_TRUE(answer.related_articles.empty());
  EXPECT_TRUE(answer.suggested_actions.empty());
  EXPECT_TRUE(answer.follow_up_questions.empty());
  EXPECT_FALSE(answer.source_article_id.has_value());
}

TEST(ExtractiveAnswerer, CommandsThatMatchTheQuestionAreTheAnswerAndTheActions) {
  const AiAnswer answer = Ask(Question("hold a package with apt", ArticleLang::en,
                                       {{Hit(7, "How do I put a package on hold?", 10, 1), kHoldBody}}));
  EXPECT_EQ(answer.answer.rfind("From \"How do I put a package on hold?\": ", 0), 0u) << answer.answer;
  EXPECT_NE(answer.answer.find("\napt-mark hold package_name"), std::string::npos) << answer.answer;
  EXPECT_NE(answer.answer.find("\napt-mark unhold package_name"), std::string::npos) << answer.answer;
  ASSERT_EQ(answer.suggested_actions.size(), 2u);
  EXPECT_EQ(answer.suggested_actions[0].priority, 1);
  EXPECT_EQ(answer.suggested_actions[0].action, "Run apt-mark");
  EXPECT_EQ(answer.suggested_actions[0].description, "apt-mark hold package_name");
  EXPECT_EQ(answer.suggested_actions[1].priority, 2);
  EXPECT_EQ(answer.suggested_actions[1].description, "apt-mark unhold package_name");
  EXPECT_EQ(answer.source_article_id, 7);
}

TEST(ExtractiveAnswerer, RootPromptCommandsAreRunAsRoot) {
  const std::string body =
      "The following sets the hardware clock from the system time.\n# hwclock --utc --systohc\n$ date\n";
  const AiAnswer answer = Ask(Question("set the hardware clock", ArticleLang::en,
                                       {{Hit(1, "System and hardware time", 5, 1), body}}));
  ASSERT_EQ(answer.suggested_actions.size(), 2u);
  EXPECT_EQ(answer.suggested_actions[0].action, "Run hwclock as root");
  EXPECT_EQ(answer.suggested_actions[0].description, "hwclock --utc --systohc");
  EXPECT_EQ(answer.suggested_actions[1].description, "date");
}

TEST(ExtractiveAnswerer, ProseGivesTheSentencesThatMatchBestInBodyOrder) {
  const AiAnswer answer =
      Ask(Question("change the timezone", ArticleLang::en, {{Hit(3, "Timezone", 4, 1), kProseBody}}));
  EXPECT_EQ(answer.answer,
            "From \"Timezone\": The timezone is a configuration item of the tzdata package. To change the "
            "timezone, reconfigure tzdata and choose a region.");
  EXPECT_TRUE(answer.suggested_actions.empty());
}

TEST(ExtractiveAnswerer, AChineseQuestionGetsAChineseLeadAndChineseSentences) {
  const AiAnswer answer = Ask(Question("怎么配置静态地址", ArticleLang::zh,
                                       {{Hit(5, "以太网接口", 3, 0.9, ArticleLang::zh), kChineseBody}}));
  EXPECT_EQ(answer.answer.rfind("根据《以太网接口》：", 0), 0u) << answer.answer;
  EXPECT_NE(answer.answer.find("静态地址需要在配置文件中写明地址和网关！"), std::string::npos)
      << answer.answer;
  EXPECT_EQ(answer.answer.find("其他内容与此无关"), std::string::npos) << answer.answer;
}

TEST(ExtractiveAnswerer, NumberedChineseStepsAreTheAnswerWithTheirIntroduction) {
  const AiAnswer answer = Ask(Question("ssh 连不上怎么排查", ArticleLang::zh,
                                       {{Hit(9, "SSH 故障排查", 6, 1, ArticleLang::zh), kChineseStepsBody}}));
  EXPECT_EQ(answer.answer,
            "根据《SSH 故障排查》：如果 ssh 连不上，请按下面的步骤排查：\n"
            "1. 检查服务器上的 ssh 服务是否在运行\n"
            "2. 检查防火墙是否放行 22 端口\n"
            "3. 用 -v 选项运行 ssh 查看详细信息");
  ASSERT_EQ(answer.suggested_actions.size(), 3u);
  EXPECT_EQ(answer.suggested_actions[0].action, "检查服务器上的 ssh 服务是否在运行");  // the priority numbers it
  EXPECT_EQ(answer.suggested_actions[0].description, "1. 检查服务器上的 ssh 服务是否在运行");
  EXPECT_EQ(answer.suggested_actions[2].priority, 3);
}

TEST(ExtractiveAnswerer, AnEnglishQuestionOnAChineseArticleGetsAnEnglishLead) {
  const AiAnswer answer = Ask(Question("static 地址", ArticleLang::en,
                                       {{Hit(5, "以太网接口", 3, 0.9, ArticleLang::zh), kChineseBody}}));
  EXPECT_EQ(answer.answer.rfind("From \"以太网接口\": ", 0), 0u) << answer.answer;
}

TEST(ExtractiveAnswerer, RelatedArticlesAndFollowUpsComeFromTheRetrievedHits) {
  AiQuestion question = Question("hold a package with apt", ArticleLang::en,
                                 {{Hit(1, "Holding packages", 10, 1), kHoldBody},
                                  {Hit(2, "Upgrading packages", 5, 0.5), ""},
                                  {Hit(3, "How do I remove a package?", 2.5, 0.4), ""},
                                  {Hit(4, "Pinning", 1, 0.2), ""}});
  question.max_results = 3;
  const AiAnswer answer = Ask(question);
  ASSERT_EQ(answer.related_articles.size(), 3u);
  EXPECT_EQ(answer.related_articles[0].id, 1);
  EXPECT_EQ(answer.related_articles[0].external_id, "ext-1");
  EXPECT_EQ(answer.related_articles[0].url, "https://kb.example/1");
  EXPECT_EQ(answer.related_articles[0].category, "ops");
  EXPECT_DOUBLE_EQ(answer.related_articles[0].relevance, 1.0);
  EXPECT_GT(answer.related_articles[0].relevance, answer.related_articles[1].relevance);
  EXPECT_GT(answer.related_articles[1].relevance, answer.related_articles[2].relevance);
  EXPECT_EQ(answer.follow_up_questions,
            (std::vector<std::string>{"Learn more: Upgrading packages", "How do I remove a package?"}));

  question.lang = ArticleLang::zh;
  EXPECT_EQ(Ask(question).follow_up_questions.front(), "了解更多：Upgrading packages");
}

TEST(ExtractiveAnswerer, TheAnswerComesFromTheFirstHitWhenLowerHitsHaveNoBody) {
  const AiAnswer answer =
      Ask(Question("change the timezone", ArticleLang::en,
                   {{Hit(3, "Timezone", 4, 1), kProseBody}, {Hit(4, "Clock", 3, 0.6), ""}}));
  EXPECT_EQ(answer.source_article_id, 3);
  EXPECT_NE(answer.answer.find("reconfigure tzdata"), std::string::npos);
}

TEST(ExtractiveAnswerer, ABodyThatMatchesNeitherQuestionNorTitleGivesItsOpening) {
  const AiAnswer answer = Ask(Question("zebra", ArticleLang::en, {{Hit(3, "Clocks", 4, 0.2), kProseBody}}));
  EXPECT_EQ(answer.answer,
            "From \"Clocks\": The timezone is a configuration item of the tzdata package. Debian keeps many "
            "packages in its archive.");
}

TEST(ExtractiveAnswerer, TheTitlesTermsPickThePassageWhenTheQuestionsAreNotInTheBody) {
  const AiAnswer answer = Ask(Question("zebra", ArticleLang::en, {{Hit(3, "Timezone", 4, 0.2), kProseBody}}));
  EXPECT_EQ(answer.answer,
            "From \"Timezone\": The timezone is a configuration item of the tzdata package. To change the "
            "timezone, reconfigure tzdata and choose a region.");
}

TEST(ExtractiveAnswerer, AnEmptyBodyGivesTheLeadOnly) {
  const AiAnswer answer = Ask(Question("timezone", ArticleLang::en, {{Hit(3, "Timezone", 4, 1), ""}}));
  EXPECT_EQ(answer.answer, "From \"Timezone\": ");
  EXPECT_EQ(answer.source_article_id, 3);
}

TEST(ExtractiveAnswerer, ConfidenceStartsFromTheRetrievalConfidence) {
  AiQuestion question =
      Question("change the timezone", ArticleLang::en, {{Hit(3, "Timezone", 4, 1), kProseBody}});
  question.retrieval_confidence = 0.8;
  EXPECT_DOUBLE_EQ(Ask(question).confidence, 0.8);  // the passage holds every term the article holds
  question.retrieval_confidence = 0.3;
  EXPECT_DOUBLE_EQ(Ask(question).confidence, 0.3);
}

TEST(ExtractiveAnswerer, APassageMissingTermsTheArticleHoldsLowersTheConfidence) {
  // The best sentence holds "timezone"; "archive" stands in a sentence the answer leaves out.
  const std::string body = std::string(kProseBody) + " Nothing else.";
  AiQuestion question =
      Question("change timezone tzdata archive", ArticleLang::en, {{Hit(3, "Clock", 4, 1), body}});
  question.retrieval_confidence = 0.8;
  const AiAnswer answer = Ask(question);
  EXPECT_LT(answer.confidence, 0.8);
  EXPECT_GT(answer.confidence, 0.7);
}

TEST(ExtractiveAnswerer, TheSameQuestionGetsTheSameAnswer) {
  const AiQuestion question = Question("hold a package with apt", ArticleLang::en,
                                       {{Hit(1, "Holding packages", 10, 1), kHoldBody},
                                        {Hit(2, "Timezone", 5, 0.5), kProseBody},
                                        {Hit(3, "以太网接口", 2, 0.1, ArticleLang::zh), kChineseBody}});
  const AiAnswer first = Ask(question);
  for (int i = 0; i < 5; ++i) {
    const AiAnswer again = Ask(question);
    EXPECT_EQ(again.answer, first.answer);
    EXPECT_EQ(again.confidence, first.confidence);
    ASSERT_EQ(again.suggested_actions.size(), first.suggested_actions.size());
    for (std::size_t j = 0; j < first.suggested_actions.size(); ++j) {
      EXPECT_EQ(again.suggested_actions[j].description, first.suggested_actions[j].description);
    }
    EXPECT_EQ(again.follow_up_questions, first.follow_up_questions);
  }
}

TEST(ExtractiveAnswerer, ALongChineseAnswerIsCutOnACharacterBoundary) {
  std::string body;
  for (int i = 0; i < 200; ++i)
    body += "配置网络地址需要修改配置文件并重启网络服务";  // one sentence, no stop
  const AiAnswer answer =
      Ask(Question("配置网络地址", ArticleLang::zh, {{Hit(1, "网络配置", 5, 1, ArticleLang::zh), body}}));
  EXPECT_TRUE(ValidUtf8(answer.answer));
  EXPECT_LE(Chars(answer.answer), 600u);
  EXPECT_GT(Chars(answer.answer), 550u);
  EXPECT_TRUE(answer.answer.ends_with("…"));
}

TEST(ExtractiveAnswerer, BadScoresAndHugeBodiesNeverBreakIt) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::string huge;
  while (huge.size() < (1u << 20)) huge += "apt-get install foo\n$ \n# \n1. \nThe package. 。！？；\xE9\x85";
  AiQuestion question = Question("install the package", ArticleLang::en,
                                 {{Hit(1, "Packages", nan, -3), huge},
                                  {Hit(2, "More", -1, nan), std::string(1000, '\xFF')},
                                  {Hit(3, "", inf, inf), ""}});
  question.retrieval_confidence = nan;
  question.max_results = 1000;
  const AiAnswer answer = Ask(question);
  EXPECT_GE(answer.confidence, 0.0);
  EXPECT_LE(answer.confidence, 1.0);
  EXPECT_LE(Chars(answer.answer), 600u);
  ASSERT_EQ(answer.related_articles.size(), 3u);
  for (const auto& related : answer.related_articles) {
    EXPECT_TRUE(related.relevance >= 0 && related.relevance <= 1) << related.relevance;
  }
  EXPECT_LE(answer.suggested_actions.size(), ai::kMaxAnswerSteps);
}

TEST(ExtractiveAnswerer, TheOtherCallsDoNothing) {
  auto answerer = CreateExtractiveAnswerer();
  const Scope scope(kUser);
  EXPECT_TRUE(answerer->SendLearningFeedback(scope, LearningFeedback{}).ok());
  auto recommended = answerer->RecommendedQuestions(scope, ArticleLang::zh, 5);
  ASSERT_TRUE(recommended.ok());
  EXPECT_TRUE(recommended->empty());
  auto sentiment = answerer->AnalyzeSentiment(scope, "great", ArticleLang::en);
  ASSERT_TRUE(sentiment.ok());
  EXPECT_FALSE(sentiment->has_value());
}

// --- The passage helpers ---------------------------------------------------------------------------

TEST(AnswerPassage, CutUtf8KeepsShortTextAndCutsLongTextWithAnEllipsis) {
  EXPECT_EQ(ai::CutUtf8("服务器", 3), "服务器");
  EXPECT_EQ(ai::CutUtf8("服务器连不上", 3), "服务…");
  EXPECT_EQ(ai::CutUtf8("abcdef", 4), "abc…");
  EXPECT_EQ(ai::CutUtf8("abc", 0), "");
}

TEST(AnswerPassage, ProseWordsAfterACommandNameMakeALineProse) {
  const ai::AnswerPassage passage = ai::SelectPassage(
      "dpkg install", "", "dpkg is, above all, the tool for installing a package.\ndpkg -i foo.deb");
  ASSERT_EQ(passage.actions.size(), 1u);
  EXPECT_EQ(passage.actions[0].command, "dpkg -i foo.deb");
}

TEST(AnswerPassage, AConfigurationCommentIsNoRootCommand) {
  const ai::AnswerPassage passage = ai::SelectPassage(
      "network interface", "", "# The loopback network interface\nauto lo\niface lo inet loopback");
  EXPECT_TRUE(passage.actions.empty());
}

// --- The retrieval confidence ----------------------------------------------------------------------

std::vector<RetrievedArticle> Retrieved(double coverage, double best_score, double second_score) {
  return {{Hit(1, "a", best_score, coverage), ""}, {Hit(2, "b", second_score, 0.5), ""}};
}

TEST(RetrievalConfidence, NothingRetrievedIsZero) {
  EXPECT_EQ(ai::RetrievalConfidence({}), 0);
}

TEST(RetrievalConfidence, RisesWithCoverage) {
  double previous = -1;
  for (double coverage = 0; coverage <= 1.0; coverage += 0.05) {
    const double confidence = ai::RetrievalConfidence(Retrieved(coverage, 10, 8));
    EXPECT_GE(confidence, previous) << coverage;
    EXPECT_GE(confidence, 0);
    EXPECT_LE(confidence, 1);
    previous = confidence;
  }
  EXPECT_GT(ai::RetrievalConfidence(Retrieved(0.9, 10, 8)), ai::RetrievalConfidence(Retrieved(0.3, 10, 8)));
}

TEST(RetrievalConfidence, RisesWithTheMarginOverTheSecondHit) {
  double previous = -1;
  for (double second = 10; second >= 0; second -= 0.5) {
    const double confidence = ai::RetrievalConfidence(Retrieved(0.5, 10, second));
    EXPECT_GE(confidence, previous) << second;
    previous = confidence;
  }
  EXPECT_GT(ai::RetrievalConfidence(Retrieved(0.5, 10, 2)), ai::RetrievalConfidence(Retrieved(0.5, 10, 9)));
  // Only the ratio of the scores counts.
  EXPECT_DOUBLE_EQ(ai::RetrievalConfidence(Retrieved(0.5, 10, 4)),
                   ai::RetrievalConfidence(Retrieved(0.5, 1, 0.4)));
}

TEST(RetrievalConfidence, ALoneHitHasTheFullMargin) {
  const std::vector<RetrievedArticle> lone = {{Hit(1, "a", 3, 0.5), ""}};
  EXPECT_EQ(ai::RetrievalMargin(lone), 1);
  EXPECT_DOUBLE_EQ(ai::RetrievalConfidence(lone), ai::RetrievalConfidence(Retrieved(0.5, 3, 0)));
}

TEST(RetrievalConfidence, AFullCoverageIsSureAndAPoorOneIsNot) {
  EXPECT_DOUBLE_EQ(ai::RetrievalConfidence(Retrieved(1, 10, 10)), 1.0);
  EXPECT_LT(ai::RetrievalConfidence(Retrieved(0.25, 10, 9)), 0.7);  // below the ticket rule's 0.3
  EXPECT_GE(ai::RetrievalConfidence(Retrieved(0.5, 10, 9)), 0.7);   // half of the question's weight
}

TEST(RetrievalConfidence, BadNumbersCountAsNoEvidence) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& retrieved :
       {Retrieved(nan, 10, 5), Retrieved(0.5, nan, 5), Retrieved(0.5, 10, nan), Retrieved(-1, 10, 5),
        Retrieved(0.5, -10, -5), Retrieved(inf, inf, inf), Retrieved(2, 10, 20)}) {
    const double confidence = ai::RetrievalConfidence(retrieved);
    EXPECT_TRUE(confidence >= 0 && confidence <= 1) << confidence;
  }
  EXPECT_EQ(ai::RetrievalConfidence(Retrieved(nan, 10, 5)), 0);
  EXPECT_EQ(ai::RetrievalMargin(Retrieved(0.5, nan, 5)), 0);
  EXPECT_EQ(ai::RetrievalMargin(Retrieved(0.5, 10, nan)), 0);
}

// --- Coverage from the local engine ----------------------------------------------------------------

class LocalCoverageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStore("sqlite::memory:");
    ASSERT_TRUE(opened.ok()) << Describe(opened);
    store_ = std::move(opened).value();
    std::vector<KnowledgeArticle> articles;
    for (const auto& [title, body, lang] : std::vector<std::tuple<std::string, std::string, ArticleLang>>{
             {"Holding packages", kHoldBody, ArticleLang::en},
             {"Timezone", kProseBody, ArticleLang::en},
             {"Printers", "Add a network printer with the CUPS web interface.", ArticleLang::en},
             {"以太网接口", kChineseBody, ArticleLang::zh},
             {"SSH 故障排查", kChineseStepsBody, ArticleLang::zh}}) {
      KnowledgeArticle a;
      a.title = title;
      a.body = body;
      a.lang = lang;
      a.status = PublicationStatus::published;
      a.updated_at = Timestamp{1'700'000'000'000};
      articles.push_back(std::move(a));
    }
    auto stored = store_->knowledge().UpsertMany(Scope(test::CustomerAdmin(1, 10, 100)), std::move(articles));
    ASSERT_TRUE(stored.ok()) << Describe(stored);
  }

  SearchResult Search(const std::string& text, ArticleLang lang) {
    SearchQuery query;
    query.text = text;
    query.lang = lang;
    auto result = store_->search().Search(Scope(kUser), query);
    EXPECT_TRUE(result.ok()) << Describe(result);
    return result.ok() ? std::move(result).value() : SearchResult{};
  }

  std::unique_ptr<Store> store_;
};

TEST_F(LocalCoverageTest, EveryHitHasACoverageAndOneHoldingTheWholeQueryHasAll) {
  const SearchResult result = Search("hold package apt", ArticleLang::en);
  ASSERT_FALSE(result.hits.empty());
  EXPECT_EQ(result.hits.front().title, "Holding packages");
  EXPECT_NEAR(result.hits.front().coverage, 1.0, 1e-9);
  for (const auto& hit : result.hits) {
    EXPECT_GT(hit.coverage, 0) << hit.title;
    EXPECT_LE(hit.coverage, 1) << hit.title;
  }
}

TEST_F(LocalCoverageTest, AHitHoldingPartOfTheQueryHasAPartialCoverage) {
  const SearchResult result = Search("timezone printer", ArticleLang::en);
  ASSERT_EQ(result.hits.size(), 2u);
  for (const auto& hit : result.hits) {
    EXPECT_GT(hit.coverage, 0.2) << hit.title;
    EXPECT_LT(hit.coverage, 0.8) << hit.title;
  }
}

TEST_F(LocalCoverageTest, AChineseHitHoldingTheQueryHasFullCoverage) {
  const SearchResult result = Search("以太网接口", ArticleLang::zh);
  ASSERT_FALSE(result.hits.empty());
  EXPECT_EQ(result.hits.front().title, "以太网接口");
  EXPECT_NEAR(result.hits.front().coverage, 1.0, 1e-9);
}

TEST_F(LocalCoverageTest, AWordNoArticleHoldsCountsAgainstTheCoverage) {
  const SearchResult known = Search("timezone tzdata", ArticleLang::en);
  const SearchResult unknown = Search("timezone tzdata kubernetes", ArticleLang::en);
  ASSERT_FALSE(known.hits.empty());
  ASSERT_FALSE(unknown.hits.empty());
  EXPECT_NEAR(known.hits.front().coverage, 1.0, 1e-9);
  EXPECT_LT(unknown.hits.front().coverage, 0.7);
  EXPECT_GT(unknown.hits.front().coverage, 0);
}

}  // namespace
}  // namespace selfservice
