// The wire format of the platform's AI service (REQ-013) as the adapter writes and reads it: the
// request of spec 4.2, the unified envelope, the answer, recommended questions, sentiment and
// error answers. Pure functions, so the adapter's HTTP part stays small. The assumptions about
// the fields spec 4.2 does not show are listed in docs/AI.md.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "net/http_client.hpp"
#include "selfservice/ai.hpp"
#include "selfservice/status.hpp"

namespace selfservice::ai::platform {

// The adapter's name() and the first word of its status details.
inline constexpr std::string_view kName = "req013";

// The body of POST /api/v1/ai/chat (spec 4.2 request).
boost::json::object ChatRequest(const AiQuestion& question);
// The body of POST /api/v1/ai/learning-feedback.
boost::json::object FeedbackRequest(const LearningFeedback& feedback);
// The body of POST /api/v1/ai/sentiment-analysis.
boost::json::object SentimentRequest(std::string_view text, ArticleLang lang);

// The `data` of a 2xx answer: of the unified envelope {code: 200, message, data}, or the body
// itself when it is an object with neither `code` nor `data` (a bare data object). An empty body
// is null data. On failure, `failure` is kUnavailable when the envelope's code is not 200 (the
// platform's own error: retryable for 10005 and 2xxxx) and kBadResponse when the body is not a
// JSON object or its code not a number (retryable).
Result<boost::json::value> ReadData(std::string_view what, std::string_view body, AiFailure& failure);

// The answer in `data` (spec 4.2 response data), at most `max_results` related articles. The
// platform's article ids go to external_id; confidence and relevance are clamped into 0 … 1.
// 20001 (retryable) when `answer` is not a non-empty string, `confidence` is not a number, or a
// list field is not a list; a list item that cannot be read is left out.
Result<AiAnswer> ReadAnswer(const boost::json::value& data, int max_results);

// The questions of a recommendations answer: `data` as an array, or its `questions` or `items`
// array; each item a string or an object with a string `question` (or `text`). At most `limit`.
// 20001 (retryable) when `data` holds no list.
Result<std::vector<std::string>> ReadQuestions(const boost::json::value& data, int limit);

// `data.sentiment_score`, else `data.score`, clamped into -1 … 1; 20001 (retryable) when neither
// is a number.
Result<double> ReadSentiment(const boost::json::value& data);

// 20001 for a non-2xx answer: retryable for 408, 429 and 5xx, not for the rest (401/403: the
// platform refuses our key; other 4xx: it refuses our request, or the base URL is wrong). The
// detail names `what`, the HTTP status and the envelope's message (not for 401/403).
Status ErrorFromResponse(std::string_view what, const net::HttpResponse& response);

}  // namespace selfservice::ai::platform
