#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ai/sentiment_lexicon.hpp"
#include "core/logging.hpp"
#include "domain/lifecycle.hpp"
#include "domain/rules.hpp"
#include "engine/engines.hpp"

namespace selfservice {
namespace {

constexpr std::int64_t kDayMillis = 86'400'000;
constexpr const char* kLexicon = "lexicon";

// What the sentiment is read from: the customer's comment and suggestions.
std::string FeedbackText(const Feedback& feedback) {
  std::string text = feedback.feedback_content.value_or("");
  if (feedback.suggestions && !IsBlank(*feedback.suggestions)) {
    if (!text.empty()) text += "\n";
    text += *feedback.suggestions;
  }
  return text;
}

// Chinese when the text holds a CJK character (lead byte of U+2E80 and up), English otherwise.
ArticleLang TextLang(std::string_view text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (lead >= 0xE3 || (lead == 0xE2 && second >= 0xBA)) return ArticleLang::zh;
  }
  return ArticleLang::en;
}

double Round(double value, double scale) { return std::round(value * scale) / scale; }

// One provider call through the breaker: the score, nullopt when the provider has no sentiment
// service, or the failure (retryable when it may answer later).
Result<std::optional<double>> AskProvider(AiProvider& provider, CircuitBreaker& breaker, const Scope& scope,
                                          const std::string& text) {
  if (!breaker.TryAcquirePermission()) return Status::Error(ErrorCode::kAiUnavailable, "ai breaker open", true);
  const std::int64_t start = breaker.clock().NowMillis();
  auto score = provider.AnalyzeSentiment(scope, text, TextLang(text));
  const std::int64_t duration = breaker.clock().NowMillis() - start;
  if (!score.ok() && CountsAsFailure(score.status())) {
    breaker.OnFailure(duration);
  } else {
    breaker.OnSuccess(duration);
  }
  if (score.ok() && *score) return std::optional<double>(Round(std::clamp(**score, -1.0, 1.0), 100.0));
  return score;
}

// Days since 1970-01-01 -> the ISO 8601 week ("2025-W33"), after Howard Hinnant's public-domain
// civil_from_days.
std::string IsoWeek(std::int64_t day) {
  const std::int64_t weekday = ((day + 3) % 7 + 7) % 7;  // Monday 0; 1970-01-01 was a Thursday
  const std::int64_t thursday = day - weekday + 3;       // the week belongs to its Thursday's year
  const std::int64_t z = thursday + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  // January 4th is always in week 1.
  auto days_from_civil = [](std::int64_t y, std::int64_t m, std::int64_t d) {
    y -= m <= 2;
    const std::int64_t e = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t ye = y - e * 400;
    const std::int64_t dy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    return e * 146097 + ye * 365 + ye / 4 - ye / 100 + dy - 719468;
  };
  const std::int64_t week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-W%02lld", static_cast<long long>(year), static_cast<long long>(week));
  return buffer;
}

std::optional<double> Average(std::int64_t sum, std::int64_t count) {
  if (count == 0) return std::nullopt;
  return Round(static_cast<double>(sum) / static_cast<double>(count), 100.0);
}

// Who may make a feedback move (spec 5.2): the platform's staff assign and process feedback;
// the customer supplies missing information and confirms or rejects the result.
bool MayMove(const RequestContext& context, FeedbackState from, FeedbackState to) {
  if (context.has(Role::kPlatformAdmin)) return true;
  const bool customer_move = (from == FeedbackState::needs_info && to == FeedbackState::processing) ||
                             (from == FeedbackState::processed &&
                              (to == FeedbackState::closed || to == FeedbackState::reprocessing));
  return customer_move;
}

}  // namespace

struct FeedbackEngine::Sentiment {
  std::optional<double> score;
  std::optional<std::string> source;
  bool reanalyze = false;  // the provider failed and may answer later
};

FeedbackEngine::FeedbackEngine(Store& store, AiProvider& provider, CircuitBreaker& breaker, OutboxRelay& outbox,
                               const Clock& clock)
    : store_(store), provider_(provider), breaker_(breaker), outbox_(outbox), clock_(clock) {
  outbox_.Register(kSentimentTopic, [this](const Scope& scope, const OutboxItem& item) { return Reanalyze(scope, item); });
}

int FeedbackEngine::PriorityLevel(std::optional<int> rating, std::optional<double> sentiment) {
  if ((rating && *rating <= 2) || (sentiment && *sentiment <= -0.5)) return 1;
  if (rating && *rating >= 4 && sentiment.value_or(0.0) >= 0) return 3;
  return 2;
}

bool FeedbackEngine::NeedsContact(std::optional<int> rating, std::optional<double> sentiment) {
  return (rating && *rating <= 2) || (sentiment && *sentiment <= -0.6);
}

FeedbackEngine::Sentiment FeedbackEngine::Analyze(const Scope& scope, const Feedback& feedback) {
  const std::string text = FeedbackText(feedback);
  if (IsBlank(text)) return {};
  auto remote = AskProvider(provider_, breaker_, scope, text);
  if (remote.ok() && *remote) return {*remote, std::string(provider_.name()), false};
  if (!remote.ok()) {
    Log().info("feedback: sentiment analysis by {} failed ({}), the lexicon scores it", provider_.name(),
               remote.status().detail());
  }
  return {ai::LexiconSentiment(text), std::string(kLexicon), !remote.ok() && remote.status().retryable()};
}

// The outbox deliverer of kSentimentTopic: asks the provider again and, when it answers, stores
// its score in place of the lexicon's and derives the priority again. A callback once required is
// kept (someone may already be calling back).
Status FeedbackEngine::Reanalyze(const Scope& scope, const OutboxItem& item) {
  boost::system::error_code ec;
  const boost::json::value payload = boost::json::parse(item.payload, ec);
  const boost::json::value* id = ec || !payload.is_object() ? nullptr : payload.get_object().if_contains("feedback_id");
  if (id == nullptr || !id->is_int64()) return Status::InvalidField("payload", field_code::kInvalid);  // abandoned
  auto feedback = store_.feedback().Get(scope, id->get_int64());
  if (!feedback.ok()) return feedback.status();
  auto remote = AskProvider(provider_, breaker_, scope, FeedbackText(*feedback));
  if (!remote.ok()) return remote.status();
  if (!*remote) return Status::Ok();  // the provider has no sentiment service (any more): the lexicon's stays
  auto stored = store_.feedback().Update(scope, feedback->id, [&](Feedback& row) -> Status {
    row.sentiment_score = *remote;
    row.sentiment_source = std::string(provider_.name());
    row.priority_level = PriorityLevel(row.rating, row.sentiment_score);
    row.contact_required = row.contact_required || NeedsContact(row.rating, row.sentiment_score);
    row.updated_at = Timestamp{clock_.NowMillis()};
    return Status::Ok();
  });
  return stored.status();
}

Result<Feedback> FeedbackEngine::Submit(const RequestContext& context, Feedback draft) {
  const std::int64_t now = clock_.NowMillis();
  draft.id = 0;
  draft.tenant_id = context.tenant_id;
  draft.customer_id = context.customer_id;
  draft.user_id = context.user_id;
  draft.state = FeedbackState::pending;
  draft.processed_by.reset();
  draft.processed_at.reset();
  draft.response_content.reset();
  // Computed here, never supplied by the customer.
  draft.sentiment_score.reset();
  draft.sentiment_source.reset();
  draft.priority_level = 2;
  draft.created_at = draft.updated_at = Timestamp{now};
  if (auto errors = Validate(draft); !errors.empty()) return Status::Invalid(std::move(errors));
  const Scope scope(context);
  if (draft.related_type == RelatedType::session) {
    // Rule 3 of spec 3.3: the session must exist and be the caller's to rate.
    auto session = store_.sessions().Get(scope, *draft.related_id);
    if (!session.ok()) return session.status();
  }
  const Sentiment sentiment = Analyze(scope, draft);
  draft.sentiment_score = sentiment.score;
  draft.sentiment_source = sentiment.source;
  draft.priority_level = PriorityLevel(draft.rating, draft.sentiment_score);
  draft.contact_required = draft.contact_required || NeedsContact(draft.rating, draft.sentiment_score);
  auto created = store_.feedback().Create(scope, std::move(draft));
  if (created.ok() && sentiment.reanalyze) {
    // Spec 8.2 "评价提交失败": the feedback is stored at once; its remote analysis waits in the outbox.
    const std::string key = "feedback:" + std::to_string(created->id);
    auto queued = outbox_.Enqueue(context, kSentimentTopic, key,
                                  boost::json::serialize(boost::json::object{{"feedback_id", created->id}}));
    if (!queued.ok()) Log().warn("feedback: sentiment re-analysis not queued: {}", queued.status().detail());
  }
  return created;
}

Result<FeedbackStats> FeedbackEngine::Stats(const RequestContext& context, std::optional<Timestamp> from,
                                            std::optional<Timestamp> to) {
  FeedbackStats stats;
  stats.to = to.value_or(Timestamp{clock_.NowMillis() + 1});
  stats.from = from.value_or(Timestamp{stats.to.millis - 90 * kDayMillis});
  if (stats.to <= stats.from) return Status::InvalidField("to", field_code::kOutOfRange, {{"min", "from"}, {"max", "-"}});
  auto totals = store_.feedback().Totals(Scope(context), stats.from, stats.to);
  if (!totals.ok()) return totals.status();
  stats.total = totals->all.count;
  stats.rated = totals->all.rated;
  stats.average_rating = Average(totals->all.rating_sum, totals->all.rated);
  std::copy(std::begin(totals->distribution), std::end(totals->distribution), std::begin(stats.distribution));
  stats.contact_required = totals->all.contact_required;
  stats.contact_required_share =
      stats.total == 0 ? 0.0 : Round(static_cast<double>(stats.contact_required) / static_cast<double>(stats.total), 10000.0);
  auto group = [](std::string key, const FeedbackTotals::Group& sums) {
    return FeedbackStats::Group{std::move(key), sums.count, Average(sums.rating_sum, sums.rated), sums.contact_required};
  };
  for (const auto& [type, sums] : totals->by_type) stats.by_type.push_back(group(std::string(EnumName(type)), sums));
  std::map<std::string, FeedbackTotals::Group> weeks;  // "YYYY-Www" sorts as time does
  for (const auto& [day, sums] : totals->by_day) {
    auto& week = weeks[IsoWeek(day)];
    week.count += sums.count;
    week.rated += sums.rated;
    week.rating_sum += sums.rating_sum;
    week.contact_required += sums.contact_required;
  }
  for (const auto& [key, sums] : weeks) stats.by_week.push_back(group(key, sums));
  for (const auto& dimension : totals->dimensions) {
    stats.dimensions.push_back({dimension.name, dimension.count, Average(dimension.sum, dimension.count).value_or(0)});
  }
  return stats;
}

Result<Feedback> FeedbackEngine::Get(const RequestContext& context, std::int64_t id) {
  return store_.feedback().Get(Scope(context), id);
}

Result<Page<Feedback>> FeedbackEngine::List(const RequestContext& context, const FeedbackFilter& filter,
                                            PageRequest page) {
  return store_.feedback().List(Scope(context), filter, page);
}

Result<Feedback> FeedbackEngine::Transition(const RequestContext& context, std::int64_t id, FeedbackState to,
                                            std::optional<std::string> response_content) {
  const std::int64_t now = clock_.NowMillis();
  return store_.feedback().Update(Scope(context), id, [&](Feedback& feedback) -> Status {
    if (!FeedbackTransitionAllowed(feedback.state, to)) {
      return Status::TransitionNotAllowed(EnumName(feedback.state), EnumName(to));
    }
    if (!MayMove(context, feedback.state, to)) return Status::PermissionDenied("feedback move");
    if (response_content) feedback.response_content = std::move(response_content);
    if (to == FeedbackState::processed) {
      feedback.processed_by = context.user_id;
      feedback.processed_at = Timestamp{now};
    }
    feedback.state = to;
    feedback.updated_at = Timestamp{now};
    auto errors = Validate(feedback);
    return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
  });
}

}  // namespace selfservice
