// The OpenAI-compatible adapter of the AiProvider port: one chat-completions call per question,
// retrieval-augmented with the portal's own articles (openai_prompt.hpp), every failure mapped to
// 20001 with its AiFailure.

#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "ai/ai_json.hpp"
#include "ai/openai_prompt.hpp"
#include "net/http_client.hpp"
#include "selfservice/ai.hpp"

namespace selfservice {
namespace {

namespace json = boost::json;
namespace oa = ai::openai;

constexpr int kMaxTokens = 32768;
constexpr int kMaxContextArticles = 10;

class OpenAiChat final : public AiProvider {
 public:
  explicit OpenAiChat(OpenAiOptions options)
      : options_(std::move(options)),
        client_(ai::ClientOptions(options_.timeout_ms, options_.connect_timeout_ms, options_.ca_file)) {
    while (options_.base_url.ends_with('/')) options_.base_url.pop_back();
  }

  std::string_view name() const override { return oa::kName; }

  Result<AiAnswer> Ask(const Scope&, const AiQuestion& question, AiFailure& failure) override {
    failure = AiFailure::kNone;
    try {
      // Told to answer only from the articles, the model has nothing to say without them.
      if (question.retrieved.empty()) return oa::NothingToAnswerFrom(question);
      const oa::Prompt prompt = oa::BuildPrompt(question, options_.context_articles);
      Result<net::HttpResponse> response = Send(prompt, failure);
      if (!response.ok()) return response.status();
      Result<oa::Completion> completion = oa::ReadCompletion(response->body);
      if (!completion.ok()) {
        failure = AiFailure::kBadResponse;
        return Scrub(completion.status());
      }
      Result<AiAnswer> answer =
          oa::BuildAnswer(question, oa::ReadReply(completion->content, prompt.article_ids), completion->cut);
      if (!answer.ok()) failure = AiFailure::kBadResponse;
      return answer;
    } catch (...) {
      failure = AiFailure::kUnavailable;
      return ai::Unavailable("openai chat: internal error", true);
    }
  }

  // A chat-completions server does not learn from verdicts, recommend or judge sentiment.
  Status SendLearningFeedback(const Scope&, const LearningFeedback&) override { return Status::Ok(); }
  Result<std::vector<std::string>> RecommendedQuestions(const Scope&, ArticleLang, int) override {
    return std::vector<std::string>{};
  }
  Result<std::optional<double>> AnalyzeSentiment(const Scope&, std::string_view, ArticleLang) override {
    return std::optional<double>{};
  }

 private:
  // The server's 2xx answer to the prompt, or the failure (with its kind in `failure`).
  Result<net::HttpResponse> Send(const oa::Prompt& prompt, AiFailure& failure) const {
    json::array messages;
    messages.push_back(json::object{{"role", "system"}, {"content", ai::JsonText(prompt.system)}});
    messages.push_back(json::object{{"role", "user"}, {"content", ai::JsonText(prompt.user)}});
    json::object body;
    body["model"] = ai::JsonText(options_.model);
    body["messages"] = std::move(messages);
    body["temperature"] = options_.temperature;
    body["max_tokens"] = options_.max_tokens;
    body["stream"] = false;

    net::HttpRequest request;
    request.method = "POST";
    request.url = options_.base_url + "/chat/completions";
    request.body = json::serialize(body);
    if (!options_.api_key.empty()) request.headers.push_back("Authorization: Bearer " + options_.api_key);

    net::TransportError transport = net::TransportError::kNone;
    Result<net::HttpResponse> response = client_.Send(request, &transport);
    if (!response.ok()) {
      failure = ai::TransportFailure(transport, response.status());
      return Scrub(
          ai::Unavailable("openai chat: " + response.status().detail(), response.status().retryable()));
    }
    if (!net::IsSuccessStatus(response->status)) {
      failure = AiFailure::kUnavailable;
      return Scrub(oa::ErrorFromResponse(*response));
    }
    return response;
  }

  Status Scrub(const Status& status) const { return net::ScrubSecret(status, options_.api_key); }

  OpenAiOptions options_;
  net::HttpClient client_;
};

}  // namespace

std::vector<FieldError> Validate(const OpenAiOptions& options) {
  std::vector<FieldError> errors;
  net::ValidateEndpoint(options.base_url, "api_key", options.api_key, options.timeout_ms, options.connect_timeout_ms,
                       errors);
  if (ai::Trim(options.model).empty()) errors.push_back(FieldError{"model", field_code::kRequired, {}});
  if (options.max_tokens < 1 || options.max_tokens > kMaxTokens)
    errors.push_back(net::OutOfRange("max_tokens", 1, kMaxTokens));
  if (!(options.temperature >= 0.0 && options.temperature <= 2.0))  // NaN too
    errors.push_back(net::OutOfRange("temperature", 0, 2));
  if (options.context_articles < 1 || options.context_articles > kMaxContextArticles)
    errors.push_back(net::OutOfRange("context_articles", 1, kMaxContextArticles));
  return errors;
}

Result<std::unique_ptr<AiProvider>> CreateOpenAiChat(OpenAiOptions options) {
  if (std::vector<FieldError> errors = Validate(options); !errors.empty())
    return Status::Invalid(std::move(errors));
  return std::unique_ptr<AiProvider>(std::make_unique<OpenAiChat>(std::move(options)));
}

}  // namespace selfservice
