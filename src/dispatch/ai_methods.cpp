#include "dispatch/ai_methods.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>

#include "dispatch/request_reader.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::size_t kRoleChars = 50;
constexpr std::size_t kMaxPreviousQuestions = 20;

// A nested object of the request ("context", "options"): nullptr when absent or null,
// FIELD_INVALID when it is something else.
const json::object* Nested(const json::object& r, std::string_view field, FieldChecker& check) {
  const json::value* value = r.if_contains(field);
  if (value == nullptr || value->is_null()) return nullptr;
  if (!value->is_object()) {
    check.Add(field, field_code::kInvalid);
    return nullptr;
  }
  return &value->get_object();
}

const json::value* Member(const json::object* object, std::string_view key) {
  if (object == nullptr) return nullptr;
  const json::value* value = object->if_contains(key);
  return value == nullptr || value->is_null() ? nullptr : value;
}

json::value OptionalString(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::array RelatedJson(const std::vector<AiRelatedArticle>& related) {
  json::array out;
  for (const auto& article : related) {
    out.push_back(json::object{{"id", article.id ? json::value(*article.id) : json::value(nullptr)},
                               {"external_id", OptionalString(article.external_id)},
                               {"title", article.title},
                               {"url", OptionalString(article.url)},
                               {"relevance", article.relevance},
                               {"category", OptionalString(article.category)}});
  }
  return out;
}

}  // namespace

Result<Reply> AiChatMethod(Engines& e, const RequestContext& c, const json::object& r) {
  FieldChecker check;
  ChatRequest request;
  if (const json::value* question = r.if_contains("question"); question == nullptr || question->is_null()) {
    check.Add("question", field_code::kRequired);
  } else if (!question->is_string()) {
    check.Add("question", field_code::kInvalid);
  } else {
    request.question = std::string(question->get_string());
  }
  const json::object* context = Nested(r, "context", check);
  if (const json::value* session_id = Member(context, "session_id")) {
    if (session_id->is_string()) {
      request.session_id = std::string(session_id->get_string());
    } else {
      check.Add("context.session_id", field_code::kInvalid);
    }
  }
  if (const json::value* previous = Member(context, "previous_questions")) {
    if (!previous->is_array()) {
      check.Add("context.previous_questions", field_code::kInvalid);
    } else if (previous->get_array().size() > kMaxPreviousQuestions) {
      check.Add("context.previous_questions", field_code::kTooLong, {{"max", std::to_string(kMaxPreviousQuestions)}});
    } else {
      for (std::size_t i = 0; i < previous->get_array().size(); ++i) {
        const json::value& item = previous->get_array()[i];
        const std::string field = "context.previous_questions[" + std::to_string(i) + "]";
        if (!item.is_string()) {
          check.Add(field, field_code::kInvalid);
          continue;
        }
        std::string text(item.get_string());
        check.MaxChars(field, text, AiEngine::kMaxQuestionChars);
        if (!IsBlank(text)) request.previous_questions.push_back(std::move(text));
      }
    }
  }
  if (const json::value* role = Member(context, "user_role")) {
    if (role->is_string()) {
      request.user_role = std::string(role->get_string());
      check.MaxChars("context.user_role", request.user_role, kRoleChars);
    } else {
      check.Add("context.user_role", field_code::kInvalid);
    }
  }
  if (const json::value* customer = Member(context, "customer_context")) {
    check.JsonObject("context.customer_context", std::optional<json::value>(*customer));
    if (customer->is_object()) request.customer_context = customer->get_object();
  }
  const json::object* options = Nested(r, "options", check);
  if (const json::value* include = Member(options, "include_recommendations")) {
    if (include->is_bool()) {
      request.include_recommendations = include->get_bool();
    } else {
      check.Add("options.include_recommendations", field_code::kInvalid);
    }
  }
  if (const json::value* max = Member(options, "max_results")) {
    if (!max->is_int64()) {
      check.Add("options.max_results", field_code::kInvalid);
    } else if (max->get_int64() < 1 || max->get_int64() > AiEngine::kMaxResults) {
      check.Add("options.max_results", field_code::kOutOfRange,
                {{"min", "1"}, {"max", std::to_string(AiEngine::kMaxResults)}});
    } else {
      request.max_results = static_cast<int>(max->get_int64());
    }
  }
  if (const json::value* threshold = Member(options, "confidence_threshold")) {
    if (!threshold->is_number()) {
      check.Add("options.confidence_threshold", field_code::kInvalid);
    } else if (const double value = threshold->to_number<double>(); !(value >= 0.0 && value <= 1.0)) {
      check.Add("options.confidence_threshold", field_code::kOutOfRange, {{"min", "0"}, {"max", "1"}});
    } else {
      request.confidence_threshold = value;
    }
  }
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));

  auto reply = e.ai.Chat(c, std::move(request));
  if (!reply.ok()) return reply.status();
  const bool answered = reply->mode == ChatReply::Mode::kAnswer;
  json::array actions;
  for (const auto& action : reply->answer.suggested_actions) {
    actions.push_back(json::object{
        {"action", action.action}, {"priority", action.priority}, {"description", action.description}});
  }
  json::array follow_ups;
  for (const auto& question : reply->answer.follow_up_questions) follow_ups.emplace_back(question);
  json::object data{{"answer", answered ? json::value(reply->answer.answer) : json::value(nullptr)},
                    {"confidence", reply->answer.confidence},
                    {"session_id", reply->session_id},
                    {"interaction_id", reply->interaction_id},
                    {"response_time", reply->response_time_ms},
                    {"related_articles", RelatedJson(reply->answer.related_articles)},
                    {"source_article_id", answered && reply->answer.source_article_id
                                              ? json::value(*reply->answer.source_article_id)
                                              : json::value(nullptr)},
                    {"suggested_actions", std::move(actions)},
                    {"follow_up_questions", std::move(follow_ups)},
                    {"mode", answered ? "answer" : "search_results"},
                    {"degraded", reply->degraded},
                    {"fallback_reason", OptionalString(reply->fallback_reason)},
                    {"backend", reply->backend},
                    {"suggest_ticket", reply->suggest_ticket}};
  return Reply{std::move(data), std::nullopt};
}

Result<Reply> AiHistoryMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  auto session_id = reader.OptionalString("session_id", 64);
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  json::array items;
  std::int64_t total = 0;
  if (session_id) {
    auto interactions = e.ai.Conversation(c, *session_id, page);
    if (!interactions.ok()) return interactions.status();
    for (const auto& interaction : interactions->items) items.push_back(ToJson(interaction));
    total = interactions->total;
  } else {
    auto sessions = e.ai.Conversations(c, page);
    if (!sessions.ok()) return sessions.status();
    for (const auto& session : sessions->items) items.push_back(ToJson(session));
    total = sessions->total;
  }
  return Reply{std::move(items), Pagination{page.page, page.size, total}};
}

Result<Reply> AiFeedbackMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::int64_t interaction_id = reader.RequiredId("interaction_id");
  auto comment = reader.OptionalString("comment", 65535);
  std::vector<FieldError> errors;
  int rating = 0;
  if (const json::value* raw = r.if_contains("helpful_rating"); raw == nullptr || raw->is_null()) {
    errors.push_back(FieldError{"helpful_rating", field_code::kRequired, {}});
  } else if (!raw->is_int64()) {
    errors.push_back(FieldError{"helpful_rating", field_code::kInvalid, {}});
  } else if (raw->get_int64() < 1 || raw->get_int64() > 5) {
    errors.push_back(FieldError{"helpful_rating", field_code::kOutOfRange, {{"min", "1"}, {"max", "5"}}});
  } else {
    rating = static_cast<int>(raw->get_int64());
  }
  if (Status status = reader.Finish(); !status.ok()) {
    std::vector<FieldError> all = status.field_errors();
    all.insert(all.end(), errors.begin(), errors.end());
    return Status::Invalid(std::move(all));
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto outcome = e.ai.Feedback(c, interaction_id, rating, std::move(comment));
  if (!outcome.ok()) return outcome.status();
  json::object data{{"interaction", ToJson(outcome->rated)},
                    {"voted_article_id", outcome->voted_article ? json::value(*outcome->voted_article)
                                                                : json::value(nullptr)},
                    {"learning_feedback",
                     json::object{{"sent", outcome->learning_feedback_sent},
                                  {"queued", outcome->learning_feedback_queued},
                                  {"reason", OptionalString(outcome->learning_feedback_reason)}}}};
  return Reply{std::move(data), std::nullopt};
}

Result<Reply> AiRecommendationsMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto lang = reader.OptionalEnum<ArticleLang>("lang");
  std::vector<FieldError> errors;
  int size = 5;
  if (const json::value* raw = r.if_contains("size"); raw != nullptr && !raw->is_null()) {
    if (!raw->is_int64()) {
      errors.push_back(FieldError{"size", field_code::kInvalid, {}});
    } else if (raw->get_int64() < 1 || raw->get_int64() > 20) {
      errors.push_back(FieldError{"size", field_code::kOutOfRange, {{"min", "1"}, {"max", "20"}}});
    } else {
      size = static_cast<int>(raw->get_int64());
    }
  }
  if (Status status = reader.Finish(); !status.ok()) {
    std::vector<FieldError> all = status.field_errors();
    all.insert(all.end(), errors.begin(), errors.end());
    return Status::Invalid(std::move(all));
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  const ArticleLang wanted = lang.value_or(c.locale == Locale::kEnUS ? ArticleLang::en : ArticleLang::zh);
  auto recommendations = e.ai.Recommend(c, wanted, size);
  if (!recommendations.ok()) return recommendations.status();
  json::array questions;
  for (const auto& question : recommendations->questions) {
    questions.push_back(json::object{{"text", question.text}, {"source", question.source}});
  }
  json::array articles;
  for (const auto& article : recommendations->articles) {
    articles.push_back(json::object{{"id", article.id},
                                    {"external_id", OptionalString(article.external_id)},
                                    {"title", article.title},
                                    {"url", OptionalString(article.url)},
                                    {"category", OptionalString(article.category)},
                                    {"views", article.views},
                                    {"helpful_votes", article.helpful_votes}});
  }
  return Reply{json::object{{"questions", std::move(questions)}, {"articles", std::move(articles)}}, std::nullopt};
}

}  // namespace selfservice
