#include "ai/platform_ai_json.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <boost/json/array.hpp>

#include "ai/ai_json.hpp"

namespace selfservice::ai::platform {
namespace json = boost::json;
namespace {

constexpr int kMaxRelated = 20;

Status Bad(std::string_view what, std::string_view reason) {
  return Unavailable(std::string(kName) + " " + std::string(what) + ": " + std::string(reason), true);
}

json::array Texts(const std::vector<std::string>& texts) {
  json::array out;
  out.reserve(texts.size());
  for (const std::string& text : texts) out.push_back(JsonText(text));
  return out;
}

// A list field: absent or null is an empty list; nullptr with `malformed` for any other non-array.
const json::array* List(const json::object& object, std::string_view key, bool& malformed) {
  static const json::array kEmpty;
  const json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return &kEmpty;
  if (!value->is_array()) malformed = true;
  return value->if_array();
}

std::optional<AiRelatedArticle> ReadArticle(const json::value& item) {
  const json::object* object = item.if_object();
  if (object == nullptr) return std::nullopt;
  std::optional<std::string> title = ReadText(object->if_contains("title"));
  if (!title || title->empty()) return std::nullopt;
  AiRelatedArticle article;
  article.external_id = ReadId(object->if_contains("id"));
  article.title = std::move(*title);
  article.url = ReadText(object->if_contains("url"));
  article.category = ReadText(object->if_contains("category"));
  article.relevance = std::clamp(ReadNumber(object->if_contains("relevance")).value_or(0.0), 0.0, 1.0);
  return article;
}

std::optional<AiSuggestedAction> ReadAction(const json::value& item, int position) {
  const json::object* object = item.if_object();
  if (object == nullptr) return std::nullopt;
  std::optional<std::string> action = ReadText(object->if_contains("action"));
  if (!action || action->empty()) return std::nullopt;
  const std::int64_t priority = ReadInteger(object->if_contains("priority")).value_or(position);
  return AiSuggestedAction{std::move(*action), static_cast<int>(std::clamp<std::int64_t>(priority, 1, 1000)),
                           ReadText(object->if_contains("description")).value_or("")};
}

}  // namespace

json::object ChatRequest(const AiQuestion& question) {
  json::object context;
  context["session_id"] = JsonText(question.session_id);
  context["previous_questions"] = Texts(question.previous_questions);
  context["user_role"] = JsonText(question.user_role);
  context["customer_context"] = question.customer_context;
  json::object options;
  options["include_recommendations"] = question.include_recommendations;
  options["max_results"] = question.max_results;
  options["confidence_threshold"] = question.confidence_threshold;
  json::object request;
  request["question"] = JsonText(question.question);
  request["context"] = std::move(context);
  request["options"] = std::move(options);
  return request;
}

json::object FeedbackRequest(const LearningFeedback& feedback) {
  json::object request;
  request["interaction_id"] = JsonText(feedback.interaction_id);
  request["session_id"] = JsonText(feedback.session_id);
  request["question"] = JsonText(feedback.question);
  request["answer"] = JsonText(feedback.answer);
  request["helpful_rating"] = feedback.helpful_rating;
  request["comment"] = feedback.comment ? JsonText(*feedback.comment) : json::value(nullptr);
  request["article_ids"] = Texts(feedback.article_ids);
  return request;
}

json::object SentimentRequest(std::string_view text, ArticleLang lang) {
  json::object request;
  request["text"] = JsonText(text);
  request["lang"] = lang == ArticleLang::en ? "en" : "zh";
  return request;
}

Result<json::value> ReadData(std::string_view what, std::string_view body, AiFailure& failure) {
  failure = AiFailure::kBadResponse;
  if (Trim(body).empty()) {
    failure = AiFailure::kNone;
    return json::value(nullptr);
  }
  std::string error;
  std::optional<json::value> parsed = ParseJson(body, error);
  if (!parsed) return Bad(what, "the answer is not JSON (" + error + ")");
  json::object* root = parsed->if_object();
  if (root == nullptr) return Bad(what, "the answer is not an object");
  const json::value* code_value = root->if_contains("code");
  json::value* data = root->if_contains("data");
  if (code_value == nullptr && data == nullptr) {
    failure = AiFailure::kNone;
    return std::move(*parsed);  // a bare data object
  }
  if (code_value != nullptr) {
    const std::optional<std::int64_t> code = ReadInteger(code_value);
    if (!code) return Bad(what, "the envelope's code is not a number");
    if (*code != 200) {
      failure = AiFailure::kUnavailable;
      std::string detail = std::string(kName) + " " + std::string(what) + ": code " + std::to_string(*code);
      if (*code == 10002 || *code == 10003)
        return Unavailable(detail + " (the platform refuses our key)", false);
      if (std::optional<std::string> message = ReadText(root->if_contains("message")))
        detail += " " + net::ClipForDetail(std::move(*message));
      return Unavailable(std::move(detail), *code == 10005 || *code >= 20000);
    }
  }
  failure = AiFailure::kNone;
  return data != nullptr ? std::move(*data) : json::value(nullptr);
}

Result<AiAnswer> ReadAnswer(const json::value& data, int max_results) {
  const json::object* object = data.if_object();
  if (object == nullptr) return Bad("chat", "data is not an object");
  AiAnswer answer;
  std::optional<std::string> text = ReadText(object->if_contains("answer"));
  if (!text || Trim(*text).empty()) return Bad("chat", "answer is missing or not a non-empty string");
  answer.answer = std::move(*text);
  const std::optional<double> confidence = ReadNumber(object->if_contains("confidence"));
  if (!confidence) return Bad("chat", "confidence is missing or not a number");
  answer.confidence = std::clamp(*confidence, 0.0, 1.0);

  bool malformed = false;
  const json::array* articles = List(*object, "related_articles", malformed);
  const json::array* actions = List(*object, "suggested_actions", malformed);
  const json::array* follow_ups = List(*object, "follow_up_questions", malformed);
  if (malformed)
    return Bad("chat", "related_articles, suggested_actions or follow_up_questions is not a list");

  const auto wanted = static_cast<std::size_t>(std::clamp(max_results, 1, kMaxRelated));
  for (const json::value& item : *articles) {
    if (answer.related_articles.size() == wanted) break;
    if (std::optional<AiRelatedArticle> article = ReadArticle(item))
      answer.related_articles.push_back(std::move(*article));
  }
  for (const json::value& item : *actions) {
    const int position = static_cast<int>(answer.suggested_actions.size()) + 1;
    if (std::optional<AiSuggestedAction> action = ReadAction(item, position))
      answer.suggested_actions.push_back(std::move(*action));
  }
  for (const json::value& item : *follow_ups) {
    std::optional<std::string> question = ReadText(&item);
    if (question && !Trim(*question).empty()) answer.follow_up_questions.push_back(std::move(*question));
  }
  return answer;
}

Result<std::vector<std::string>> ReadQuestions(const json::value& data, int limit) {
  const json::array* items = data.if_array();
  if (const json::object* object = data.if_object()) {
    for (const std::string_view key : {"questions", "items"}) {
      if (const json::value* list = object->if_contains(key); list != nullptr && list->is_array()) {
        items = &list->get_array();
        break;
      }
    }
  }
  if (items == nullptr) return Bad("recommendations", "data holds no question list");
  std::vector<std::string> questions;
  for (const json::value& item : *items) {
    if (questions.size() == static_cast<std::size_t>(std::max(limit, 0))) break;
    std::optional<std::string> question = ReadText(&item);
    if (const json::object* object = item.if_object()) {
      question = ReadText(object->if_contains("question"));
      if (!question) question = ReadText(object->if_contains("text"));
    }
    if (question && !Trim(*question).empty()) questions.push_back(std::move(*question));
  }
  return questions;
}

Result<double> ReadSentiment(const json::value& data) {
  const json::object* object = data.if_object();
  std::optional<double> score;
  if (object != nullptr) {
    score = ReadNumber(object->if_contains("sentiment_score"));
    if (!score) score = ReadNumber(object->if_contains("score"));
  }
  if (!score) return Bad("sentiment-analysis", "data holds no sentiment_score or score number");
  return std::clamp(*score, -1.0, 1.0);
}

Status ErrorFromResponse(std::string_view what, const net::HttpResponse& response) {
  const int code = response.status;
  std::string detail = std::string(kName) + " " + std::string(what) + ": HTTP " + std::to_string(code);
  if (code == 401 || code == 403) return Unavailable(detail + " (the platform refuses our key)", false);
  std::string ignored;
  if (std::optional<json::value> body = ParseJson(response.body, ignored); body && body->is_object()) {
    if (std::optional<std::string> message = ReadText(body->get_object().if_contains("message")))
      detail += " " + net::ClipForDetail(std::move(*message));
  }
  return Unavailable(std::move(detail), RetryableHttpStatus(code));
}

}  // namespace selfservice::ai::platform
