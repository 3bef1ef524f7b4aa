// AI question answering: the AiProvider port, its three adapters and what they exchange
// (REQ-019-003, spec 4.2 and 5.3; docs/AI.md).
//
// The portal answers a customer's question (ai.chat) by searching its own knowledge first, then
// asking the configured provider with the question, the conversation so far and the retrieved
// articles. Three providers implement the port:
//   - "local" (the default): an extractive answerer over the retrieved articles. No model, no
//     network, deterministic: the answer is the most relevant sentences or numbered steps of the
//     best article, with a confidence calibrated from the retrieval scores.
//   - "req013": the platform's AI service (REQ-013) over its REST API (POST /api/v1/ai/chat and
//     the recommendations, sentiment-analysis and learning-feedback calls of spec 5.3).
//   - "openai": any OpenAI-compatible chat-completions server (llama.cpp server, vLLM, Ollama, a
//     hosted model), given the retrieved articles in its prompt and asked to cite them.
//
// A provider never decides what the customer sees when it fails: the portal's AI engine runs
// every call through a circuit breaker and answers from keyword search when the provider is
// unavailable, slow, answers garbage or is unsure (docs/AI.md, "Fallback").
//
// Every failure of a remote provider, including its refusal of our credentials, is a 20001
// (kAiUnavailable), retryable when it may answer later, so CountsAsFailure() counts it; the
// provider also says what kind of failure it was (AiFailure), which becomes the fallback_reason.
//
// Thread safety: providers are safe to use from many threads at once, and never throw.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/search.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// One article the portal found for the question, best first.
struct RetrievedArticle {
  SearchHit hit;
  // The article's whole body for the first few hits (the ones an answer may be drawn from or a
  // model may read); empty for the rest.
  std::string body;
};

// The question and what the portal knows around it (spec 4.2 request).
struct AiQuestion {
  std::string question;          // normalised: trimmed, whitespace runs collapsed
  ArticleLang lang = ArticleLang::zh;  // the language to answer in (the caller's locale)
  std::string session_id;
  std::vector<std::string> previous_questions;  // of the same session, oldest first
  std::string user_role;                        // spec 4.2 context.user_role, as given
  boost::json::object customer_context;         // spec 4.2 context.customer_context, as given
  bool include_recommendations = true;
  int max_results = 5;               // related articles wanted, 1 … 20
  double confidence_threshold = 0.7;  // below it the portal shows search results instead
  // The portal's own search for the question (and, when the question alone finds little, the
  // session's earlier questions), best first.
  std::vector<RetrievedArticle> retrieved;
  // How well the retrieved articles answer the question, judged from the search alone (the best
  // hit's coverage of the question and its margin over the next one): 0 … 1. The portal computes
  // it before asking; the local answerer and the OpenAI adapter build their confidence on it.
  double retrieval_confidence = 0;
};

struct AiRelatedArticle {
  std::optional<std::int64_t> id;  // the portal's article id; absent when the portal does not hold it
  std::optional<std::string> external_id;
  std::string title;
  std::optional<std::string> url;
  double relevance = 0;  // 0 … 1
  std::optional<std::string> category;
};

struct AiSuggestedAction {
  std::string action;
  int priority = 1;  // 1 is the first thing to do
  std::string description;
};

// A provider's answer (spec 4.2 response data).
struct AiAnswer {
  std::string answer;
  double confidence = 0;  // 0 … 1
  std::vector<AiRelatedArticle> related_articles;
  std::vector<AiSuggestedAction> suggested_actions;
  std::vector<std::string> follow_up_questions;
  // The portal's article the answer text was drawn from (local) or cites first (openai).
  std::optional<std::int64_t> source_article_id;
};

// What went wrong with a provider call; the portal reports it as the fallback_reason.
enum class AiFailure {
  kNone,
  kUnavailable,  // no connection, 5xx, 429, refused credentials: "unavailable"
  kTimeout,      // the call ran out of time: "timeout"
  kBadResponse,  // an answer that is not what the API promises (malformed, truncated): "bad_response"
};

// A customer's verdict on an answer (ai.feedback), passed on to a provider that learns (spec 5.3
// POST /api/v1/ai/learning-feedback).
struct LearningFeedback {
  // Sent as the Idempotency-Key of every attempt, so a retry from the outbox is never counted
  // twice; one key per verdict (a customer who changes their rating sends a second verdict).
  std::string idempotency_key;
  std::string interaction_id;
  std::string session_id;
  std::string question;
  std::string answer;
  int helpful_rating = 0;  // 1 … 5
  std::optional<std::string> comment;
  std::vector<std::string> article_ids;  // the answer's articles: external ids where known, else local ids
};

class AiProvider {
 public:
  AiProvider() = default;
  AiProvider(const AiProvider&) = delete;
  AiProvider& operator=(const AiProvider&) = delete;
  virtual ~AiProvider() = default;

  // "local", "req013" or "openai": the response's `backend`.
  virtual std::string_view name() const = 0;

  // Answers the question. On failure `failure` says which kind (kNone on success) and the status
  // is 20001, retryable unless the provider is misconfigured or cannot take this question (a
  // prompt too long for the model): either way the portal answers from keyword search.
  virtual Result<AiAnswer> Ask(const Scope& scope, const AiQuestion& question, AiFailure& failure) = 0;

  // Passes the customer's verdict on to the provider. Providers that do not learn accept it and
  // do nothing. A retryable failure is retried later from the portal's outbox.
  virtual Status SendLearningFeedback(const Scope& scope, const LearningFeedback& feedback) = 0;

  // Questions the provider recommends to the scope's user (spec 5.3 GET /api/v1/ai/recommendations),
  // at most `limit`. Providers without such a service answer an empty list.
  virtual Result<std::vector<std::string>> RecommendedQuestions(const Scope& scope, ArticleLang lang, int limit) = 0;

  // The sentiment of a customer's text (spec 5.3 POST /api/v1/ai/sentiment-analysis) from -1
  // (negative) to 1 (positive); nullopt from providers without such a service.
  virtual Result<std::optional<double>> AnalyzeSentiment(const Scope& scope, std::string_view text,
                                                         ArticleLang lang) = 0;
};

// --- The embedded default -------------------------------------------------------------------------

// The extractive answerer (name() "local"): answers from AiQuestion::retrieved alone.
std::unique_ptr<AiProvider> CreateExtractiveAnswerer();

// --- The platform's AI service (REQ-013) ----------------------------------------------------------

struct PlatformAiOptions {
  // The platform's API root ("https://platform.example.com"); /api/v1/ai/... is appended.
  std::string base_url;
  // Sent as "Authorization: Bearer <api_key>" when not empty. Never logged, never in a detail.
  std::string api_key;
  std::int64_t timeout_ms = 5000;          // spec 8.1; give the breaker the same slow-call duration
  std::int64_t connect_timeout_ms = 1000;  // capped at timeout_ms
  std::string ca_file;                     // PEM bundle for https; empty: the system's trusted CAs
};

std::vector<FieldError> Validate(const PlatformAiOptions& options);

// The adapter (name() "req013"), or 10001 with the errors of Validate(). Creating it sends nothing.
Result<std::unique_ptr<AiProvider>> CreatePlatformAi(PlatformAiOptions options);

// --- OpenAI-compatible chat completions -----------------------------------------------------------

struct OpenAiOptions {
  // The server's API root including its version prefix ("http://127.0.0.1:8080/v1",
  // "https://api.openai.com/v1"); /chat/completions is appended.
  std::string base_url;
  std::string api_key;  // "Authorization: Bearer <api_key>" when not empty
  std::string model;    // required: the model name the server expects
  std::int64_t timeout_ms = 5000;
  std::int64_t connect_timeout_ms = 1000;
  std::string ca_file;
  int max_tokens = 512;      // of the answer
  double temperature = 0.0;  // 0 keeps answers repeatable where the server allows it
  int context_articles = 3;  // retrieved articles put into the prompt, 1 … 10
};

std::vector<FieldError> Validate(const OpenAiOptions& options);

// The adapter (name() "openai"), or 10001 with the errors of Validate(). Creating it sends nothing.
Result<std::unique_ptr<AiProvider>> CreateOpenAiChat(OpenAiOptions options);

}  // namespace selfservice
