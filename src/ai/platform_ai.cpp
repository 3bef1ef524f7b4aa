// The REQ-013 adapter of the AiProvider port: HTTP calls through net::HttpClient, wire format
// from platform_ai_json.hpp, every failure of the platform mapped to 20001 with its AiFailure.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>

#include "ai/ai_json.hpp"
#include "ai/platform_ai_json.hpp"
#include "net/http_client.hpp"
#include "selfservice/ai.hpp"

namespace selfservice {
namespace {

namespace json = boost::json;

constexpr int kMaxRecommendedQuestions = 50;
constexpr std::string_view kApiPath = "/api/v1/ai";

Status Internal(std::string_view what) {
  return ai::Unavailable(std::string(ai::platform::kName) + " " + std::string(what) + ": internal error",
                         true);
}

class PlatformAi final : public AiProvider {
 public:
  explicit PlatformAi(PlatformAiOptions options)
      : options_(std::move(options)),
        client_(ai::ClientOptions(options_.timeout_ms, options_.connect_timeout_ms, options_.ca_file)) {
    while (options_.base_url.ends_with('/')) options_.base_url.pop_back();
  }

  std::string_view name() const override { return ai::platform::kName; }

  Result<AiAnswer> Ask(const Scope& scope, const AiQuestion& question, AiFailure& failure) override {
    failure = AiFailure::kNone;
    try {
      net::HttpRequest request = Request(scope, "POST", "/chat", question.lang);
      request.body = json::serialize(ai::platform::ChatRequest(question));
      Result<json::value> data = Call("chat", request, failure);
      if (!data.ok()) return data.status();
      Result<AiAnswer> answer = ai::platform::ReadAnswer(*data, question.max_results);
      if (!answer.ok()) failure = AiFailure::kBadResponse;
      return answer;
    } catch (...) {
      failure = AiFailure::kUnavailable;
      return Internal("chat");
    }
  }

  // Sent with the verdict's idempotency key (the interaction id when it has none), so the
  // portal's outbox may send it again.
  Status SendLearningFeedback(const Scope& scope, const LearningFeedback& feedback) override {
    if (feedback.interaction_id.empty() || !net::UsableHeaderValue(feedback.interaction_id))
      return Status::InvalidField(
          "interaction_id", feedback.interaction_id.empty() ? field_code::kRequired : field_code::kInvalid);
    const std::string& key = feedback.idempotency_key.empty() ? feedback.interaction_id : feedback.idempotency_key;
    if (!net::UsableHeaderValue(key)) return Status::InvalidField("idempotency_key", field_code::kInvalid);
    if (feedback.helpful_rating < 1 || feedback.helpful_rating > 5)
      return Status::Invalid({net::OutOfRange("helpful_rating", 1, 5)});
    try {
      net::HttpRequest request = Request(scope, "POST", "/learning-feedback", std::nullopt);
      request.headers.push_back("Idempotency-Key: " + key);
      request.body = json::serialize(ai::platform::FeedbackRequest(feedback));
      AiFailure ignored = AiFailure::kNone;
      return Call("learning-feedback", request, ignored).status();
    } catch (...) {
      return Internal("learning-feedback");
    }
  }

  Result<std::vector<std::string>> RecommendedQuestions(const Scope& scope, ArticleLang lang,
                                                        int limit) override {
    if (limit < 1 || limit > kMaxRecommendedQuestions)
      return Status::Invalid({net::OutOfRange("limit", 1, kMaxRecommendedQuestions)});
    try {
      const std::string query =
          std::string("?lang=") + (lang == ArticleLang::en ? "en" : "zh") + "&limit=" + std::to_string(limit);
      AiFailure ignored = AiFailure::kNone;
      Result<json::value> data =
          Call("recommendations", Request(scope, "GET", "/recommendations" + query, lang), ignored);
      if (!data.ok()) return data.status();
      return ai::platform::ReadQuestions(*data, limit);
    } catch (...) {
      return Internal("recommendations");
    }
  }

  Result<std::optional<double>> AnalyzeSentiment(const Scope& scope, std::string_view text,
                                                 ArticleLang lang) override {
    if (ai::Trim(text).empty()) return Status::InvalidField("text", field_code::kRequired);
    try {
      net::HttpRequest request = Request(scope, "POST", "/sentiment-analysis", lang);
      request.body = json::serialize(ai::platform::SentimentRequest(text, lang));
      AiFailure ignored = AiFailure::kNone;
      Result<json::value> data = Call("sentiment-analysis", request, ignored);
      if (!data.ok()) return data.status();
      Result<double> score = ai::platform::ReadSentiment(*data);
      if (!score.ok()) return score.status();
      return std::optional<double>(*score);
    } catch (...) {
      return Internal("sentiment-analysis");
    }
  }

 private:
  // Every call names the scope's tenant, customer and user: the platform answers per tenant and
  // recommends per user.
  net::HttpRequest Request(const Scope& scope, std::string method, std::string_view path,
                           std::optional<ArticleLang> lang) const {
    net::HttpRequest request;
    request.method = std::move(method);
    request.url = options_.base_url + std::string(kApiPath) + std::string(path);
    request.headers.push_back("X-Tenant-Id: " + std::to_string(scope.tenant_id()));
    request.headers.push_back("X-Customer-Id: " + std::to_string(scope.customer_id()));
    request.headers.push_back("X-User-Id: " + std::to_string(scope.user_id()));
    if (lang) request.headers.push_back("Accept-Language: " + std::string(ai::LanguageTag(*lang)));
    if (!options_.api_key.empty()) request.headers.push_back("Authorization: Bearer " + options_.api_key);
    return request;
  }

  // The `data` of the platform's answer, or its failure (with the kind in `failure`).
  Result<json::value> Call(std::string_view what, const net::HttpRequest& request, AiFailure& failure) const {
    net::TransportError transport = net::TransportError::kNone;
    Result<net::HttpResponse> response = client_.Send(request, &transport);
    if (!response.ok()) {
      failure = ai::TransportFailure(transport, response.status());
      const Status& status = response.status();
      return Scrub(
          ai::Unavailable(std::string(ai::platform::kName) + " " + std::string(what) + ": " + status.detail(),
                          status.retryable()));
    }
    if (!net::IsSuccessStatus(response->status)) {
      failure = AiFailure::kUnavailable;
      return Scrub(ai::platform::ErrorFromResponse(what, *response));
    }
    Result<json::value> data = ai::platform::ReadData(what, response->body, failure);
    if (!data.ok()) return Scrub(data.status());
    return data;
  }

  Status Scrub(const Status& status) const { return net::ScrubSecret(status, options_.api_key); }

  PlatformAiOptions options_;
  net::HttpClient client_;
};

}  // namespace

std::vector<FieldError> Validate(const PlatformAiOptions& options) {
  std::vector<FieldError> errors;
  net::ValidateEndpoint(options.base_url, "api_key", options.api_key, options.timeout_ms, options.connect_timeout_ms,
                       errors);
  return errors;
}

Result<std::unique_ptr<AiProvider>> CreatePlatformAi(PlatformAiOptions options) {
  if (std::vector<FieldError> errors = Validate(options); !errors.empty())
    return Status::Invalid(std::move(errors));
  return std::unique_ptr<AiProvider>(std::make_unique<PlatformAi>(std::move(options)));
}

}  // namespace selfservice
