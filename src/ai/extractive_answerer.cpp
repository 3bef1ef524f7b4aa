// The embedded answerer: no model, no network. The answer is the passage of the best retrieved
// article that best matches the question (its commands or numbered steps when those match, else
// its best sentences, ai/answer_passage.hpp), led by the article's title in the question's
// language; the related articles are the retrieved ones; the suggested actions are the commands
// and steps found; the follow-up questions come from the other articles' titles. The confidence is
// the portal's retrieval confidence, lowered when the passage holds little of what the article
// holds of the question. The same question always gets the same answer.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <utility>

#include "ai/answer_passage.hpp"
#include "selfservice/ai.hpp"

namespace selfservice {
namespace {

// The answer's length at most, in characters, lead included.
constexpr std::size_t kMaxAnswerChars = 600;
// A step or an action's text at most, in characters.
constexpr std::size_t kMaxStepChars = 200;
constexpr std::size_t kMaxActionChars = 60;
constexpr std::size_t kMaxFollowUps = 3;
// A passage holding none of the question's terms that its article holds keeps this share of the
// retrieval confidence; one holding them all keeps all of it. The retrieval confidence already
// says how much of the question the article covers; the passage can only lose some of it.
constexpr double kPassageFloor = 0.9;

double Clamp01(double value) {
  return std::isfinite(value) ? std::clamp(value, 0.0, 1.0) : 0.0;
}

std::string Lead(const AiQuestion& question, const std::string& title) {
  return question.lang == ArticleLang::zh ? "根据《" + title + "》：" : "From \"" + title + "\": ";
}

bool EndsWithCjk(const std::string& text) {
  return !text.empty() && (static_cast<unsigned char>(text.back()) & 0x80) != 0;
}

std::string AnswerText(const AiQuestion& question, const SearchHit& hit, const ai::AnswerPassage& passage) {
  std::string text = Lead(question, hit.title);
  if (passage.steps) {
    // The introducing sentence follows the lead; each step stands on its own line.
    for (std::size_t i = 0; i < passage.lines.size(); ++i) {
      if (i > 0 || !passage.introduced) {
        if (text.back() == ' ') text.pop_back();
        text += '\n';
      }
      text += ai::CutUtf8(passage.lines[i], kMaxStepChars);
    }
  } else {
    bool first = true;
    for (const std::string& sentence : passage.lines) {
      if (!first && !EndsWithCjk(text)) text += ' ';
      text += sentence;
      first = false;
    }
  }
  return ai::CutUtf8(text, kMaxAnswerChars);
}

// A numbered step without its number ("1. ", "2) ", "3、"): the priority already says it.
std::string_view WithoutNumber(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
  if (i == 0 || i == text.size()) return text;
  if (text[i] == '.' || text[i] == ')') {
    ++i;
  } else if (text.substr(i).starts_with("、")) {
    i += std::string_view("、").size();
  } else {
    return text;
  }
  while (i < text.size() && text[i] == ' ') ++i;
  return i < text.size() ? text.substr(i) : text;
}

// "Run apt-mark as root" / "以 root 身份运行 apt-mark"; a step in words is its own action, without
// its number.
AiSuggestedAction Action(const AiQuestion& question, const ai::AnswerStep& step, int priority) {
  AiSuggestedAction action;
  action.priority = priority;
  action.description = ai::CutUtf8(step.command.empty() ? step.text : step.command, kMaxStepChars);
  if (step.command.empty()) {
    action.action = ai::CutUtf8(std::string(WithoutNumber(step.text)), kMaxActionChars);
    return action;
  }
  const std::string name = ai::CutUtf8(step.command.substr(0, step.command.find(' ')), kMaxActionChars);
  if (question.lang == ArticleLang::zh) {
    action.action = (step.as_root ? "以 root 身份运行 " : "运行 ") + name;
  } else {
    action.action = "Run " + name + (step.as_root ? " as root" : "");
  }
  return action;
}

// A title that is a question already is asked as it is.
std::string FollowUp(const AiQuestion& question, const std::string& title) {
  if (title.ends_with("?") || title.ends_with("？")) return title;
  return question.lang == ArticleLang::zh ? "了解更多：" + title : "Learn more: " + title;
}

// 0 … 1 from the hit's coverage of the question and its score beside the best hit's.
double Relevance(const SearchHit& hit, double best_score) {
  const double score_share =
      best_score > 0 && std::isfinite(best_score) ? Clamp01(hit.score / best_score) : 0.0;
  return Clamp01(0.5 * Clamp01(hit.coverage) + 0.5 * score_share);
}

class ExtractiveAnswerer final : public AiProvider {
 public:
  std::string_view name() const override { return "local"; }

  Result<AiAnswer> Ask(const Scope&, const AiQuestion& question, AiFailure& failure) override {
    failure = AiFailure::kNone;
    AiAnswer answer;
    if (question.retrieved.empty()) return answer;

    const SearchHit& best = question.retrieved.front().hit;
    const auto wanted = static_cast<std::size_t>(std::clamp(question.max_results, 1, 20));
    for (std::size_t i = 0; i < question.retrieved.size() && i < wanted; ++i) {
      const SearchHit& hit = question.retrieved[i].hit;
      answer.related_articles.push_back(AiRelatedArticle{hit.id, hit.external_id, hit.title, hit.url,
                                                         Relevance(hit, best.score), hit.category});
    }

    const ai::AnswerPassage passage =
        ai::SelectPassage(question.question, best.title, question.retrieved.front().body);
    answer.answer = AnswerText(question, best, passage);
    answer.source_article_id = best.id;
    int priority = 1;
    for (const ai::AnswerStep& step : passage.actions)
      answer.suggested_actions.push_back(Action(question, step, priority++));

    for (std::size_t i = 1;
         i < answer.related_articles.size() && answer.follow_up_questions.size() < kMaxFollowUps; ++i) {
      const std::string& title = answer.related_articles[i].title;
      if (title.empty() || title == best.title) continue;
      std::string follow_up = FollowUp(question, title);
      if (std::find(answer.follow_up_questions.begin(), answer.follow_up_questions.end(), follow_up) ==
          answer.follow_up_questions.end()) {
        answer.follow_up_questions.push_back(std::move(follow_up));
      }
    }

    answer.confidence = Clamp01(question.retrieval_confidence) *
                        (kPassageFloor + (1.0 - kPassageFloor) * Clamp01(passage.coverage));
    return answer;
  }

  Status SendLearningFeedback(const Scope&, const LearningFeedback&) override { return Status::Ok(); }

  Result<std::vector<std::string>> RecommendedQuestions(const Scope&, ArticleLang, int) override {
    return std::vector<std::string>{};
  }

  Result<std::optional<double>> AnalyzeSentiment(const Scope&, std::string_view, ArticleLang) override {
    return std::optional<double>{};
  }
};

}  // namespace

std::unique_ptr<AiProvider> CreateExtractiveAnswerer() {
  return std::make_unique<ExtractiveAnswerer>();
}

}  // namespace selfservice
