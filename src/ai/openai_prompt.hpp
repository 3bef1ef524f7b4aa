// What the OpenAI-compatible adapter says to the model and how it reads the reply: the prompt
// built from the retrieved articles, the chat-completions answer, the citations [#id] in the
// model's text, the answer's confidence, and error answers. Pure functions; docs/AI.md explains
// each rule.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.hpp"
#include "selfservice/ai.hpp"
#include "selfservice/status.hpp"

namespace selfservice::ai::openai {

// The adapter's name() and the first word of its status details.
inline constexpr std::string_view kName = "openai";

// What the model is told to answer, alone, when the articles do not answer the question.
inline constexpr std::string_view kNoAnswerMarker = "NO_ANSWER";

// An article's text in the prompt is cut to this many bytes (on a UTF-8 character boundary).
inline constexpr std::size_t kArticleBytes = 3000;
// The session's questions in the prompt: the latest few, each cut to a bounded length.
inline constexpr std::size_t kPreviousQuestions = 5;
inline constexpr std::size_t kQuestionBytes = 1000;

struct Prompt {
  std::string system;                     // the instructions, in the question's language
  std::string user;                       // the articles, the earlier questions and the question
  std::vector<std::int64_t> article_ids;  // the portal ids of the articles in `user`, in order
};

// The prompt for `question` with its first `context_articles` retrieved articles, each labelled
// [#<portal id>].
Prompt BuildPrompt(const AiQuestion& question, int context_articles);

// The text of choices[0].message.content and whether the model stopped at max_tokens.
struct Completion {
  std::string content;
  bool cut = false;  // finish_reason "length"
};

// The completion of a 2xx chat-completions answer; 20001 (retryable) when the body is not JSON,
// has no choices, or its first choice has no non-empty string content. A leading <think>…</think>
// block (reasoning models) is not part of the content.
Result<Completion> ReadCompletion(std::string_view body);

// The model's text read for the customer.
struct Reply {
  std::string text;                 // without citation markers and the no-answer marker
  std::vector<std::int64_t> cited;  // ids of `known` cited as [#id], in first-citation order, once each
  bool no_answer = false;           // the model said kNoAnswerMarker
};

// Reads citations written [#12], [#12, #13], [#12][#13] (or with full-width 【】，、), keeping
// only ids in `known`; every citation marker is removed from the text, known or not.
Reply ReadReply(std::string_view content, const std::vector<std::int64_t>& known);

// How sure the answer is, from the portal's retrieval confidence r (0 … 1) and the reply:
// said it does not know: 0.1·r; cited nothing it was given: 0.5·r; else r + (1 − r)·0.5·s with s
// the best relevance (0 … 1) of the articles it cites. An answer cut at max_tokens keeps 80 %.
double Confidence(double retrieval_confidence, const Reply& reply, bool cut, double best_cited_relevance);

// The answer to `question` from the model's reply: the text (or a fixed sentence in the question's
// language when the model does not know), the related articles (cited first in citation order,
// then the other retrieved ones, at most max_results), the first cited article as the source,
// and the confidence above. 20001 (retryable) when the reply holds nothing but citations.
Result<AiAnswer> BuildAnswer(const AiQuestion& question, const Reply& reply, bool cut);

// The answer when no article was retrieved: the fixed "not found" sentence, confidence 0.
AiAnswer NothingToAnswerFrom(const AiQuestion& question);

// 20001 for a non-2xx answer: retryable for 408, 429 and 5xx, not for the rest (401/403: the
// server refuses our key; 400 with a context-length error: the prompt is too long for the model;
// 404: no such model or path). The detail names the status and the server's error message
// (not for 401/403).
Status ErrorFromResponse(const net::HttpResponse& response);

}  // namespace selfservice::ai::openai
