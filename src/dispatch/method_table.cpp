#include "dispatch/method_table.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <unordered_map>

#include "core/messages.hpp"
#include "core/random.hpp"
#include "dispatch/ai_methods.hpp"
#include "dispatch/attachment_methods.hpp"
#include "dispatch/audit_methods.hpp"
#include "dispatch/auth_methods.hpp"
#include "dispatch/document_methods.hpp"
#include "dispatch/request_reader.hpp"
#include "dispatch/status_methods.hpp"
#include "dispatch/ticket_methods.hpp"
#include "dispatch/ticket_sync_methods.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

template <typename T>
json::array JsonArray(const std::vector<T>& values) {
  json::array out;
  out.reserve(values.size());
  for (const auto& value : values) out.push_back(ToJson(value));
  return out;
}

template <typename T>
Reply Items(const Page<T>& page, PageRequest request) {
  return Reply{JsonArray(page.items), Pagination{request.page, request.size, page.total}};
}

template <typename T>
Result<Reply> One(Result<T> result) {
  if (!result.ok()) return result.status();
  return Reply{ToJson(*result), std::nullopt};
}

// --- portal.config.* / portal.theme.* -------------------------------------------------------

// Theme fields: what portal.theme.* reads and writes of the configuration.
constexpr std::string_view kThemeFields[] = {"portal_title", "logo_url", "theme_color", "custom_css"};

// platform_admin may name another customer of the tenant; everyone else gets their own.
Result<std::int64_t> TargetCustomer(const RequestContext& context, const json::object& request) {
  RequestReader reader(request);
  const auto customer_id = reader.OptionalId("customer_id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  if (!customer_id || *customer_id == context.customer_id) return context.customer_id;
  if (!context.has(Role::kPlatformAdmin)) return Status::NotFound("portal config of another customer");
  return *customer_id;
}

json::value ConfigJson(const PortalConfig& config) {
  json::value out = ToJson(config);
  if (!config.id) {  // defaults: never stored, so no audit times
    out.as_object()["created_at"] = nullptr;
    out.as_object()["updated_at"] = nullptr;
  }
  return out;
}

json::value ThemeJson(const PortalConfig& config) {
  json::object full = ConfigJson(config).as_object();
  json::object theme;
  for (auto field : kThemeFields) theme[field] = full[field];
  theme["customer_id"] = config.customer_id;
  return theme;
}

Result<Reply> ConfigGet(Engines& e, const RequestContext& c, const json::object& r) {
  auto customer = TargetCustomer(c, r);
  if (!customer.ok()) return customer.status();
  auto config = e.configs.Get(c, *customer);
  if (!config.ok()) return config.status();
  return Reply{ConfigJson(*config), std::nullopt};
}

Result<Reply> ConfigUpdate(Engines& e, const RequestContext& c, const json::object& r) {
  auto customer = TargetCustomer(c, r);
  if (!customer.ok()) return customer.status();
  auto config = e.configs.Update(c, *customer, r);
  if (!config.ok()) return config.status();
  return Reply{ConfigJson(*config), std::nullopt};
}

Result<Reply> ThemeGet(Engines& e, const RequestContext& c, const json::object& r) {
  auto customer = TargetCustomer(c, r);
  if (!customer.ok()) return customer.status();
  auto config = e.configs.Get(c, *customer);
  if (!config.ok()) return config.status();
  return Reply{ThemeJson(*config), std::nullopt};
}

Result<Reply> ThemeUpdate(Engines& e, const RequestContext& c, const json::object& r) {
  auto customer = TargetCustomer(c, r);
  if (!customer.ok()) return customer.status();
  json::object patch;
  for (auto field : kThemeFields) {
    if (const json::value* value = r.if_contains(field)) patch[field] = *value;
  }
  auto config = e.configs.Update(c, *customer, patch);
  if (!config.ok()) return config.status();
  return Reply{ThemeJson(*config), std::nullopt};
}

// --- sessions.* / satisfaction.submit ---------------------------------------------------------

Result<Reply> SessionStart(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto type = reader.OptionalEnum<SessionType>("session_type").value_or(SessionType::search);
  const auto question = reader.OptionalString("initial_question", kTextBytes).value_or("");
  std::optional<json::value> context = reader.OptionalObject("session_context");
  if (Status status = reader.Finish(); !status.ok()) return status;
  return One(e.sessions.Start(c, type, question, std::move(context)));
}

Result<Reply> SessionGet(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredString("session_id", 64);
  if (Status status = reader.Finish(); !status.ok()) return status;
  return One(e.sessions.Get(c, id));
}

Result<Reply> SessionList(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  SessionFilter filter;
  filter.state = reader.OptionalEnum<SessionState>("state");
  filter.session_type = reader.OptionalEnum<SessionType>("session_type");
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto result = e.sessions.List(c, filter, page);
  if (!result.ok()) return result.status();
  return Items(*result, page);
}

Result<Reply> SessionTransition(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  TransitionRequest request;
  request.session_id = reader.RequiredString("session_id", 64);
  request.to = reader.RequiredEnum<SessionState>("to", SessionState::in_progress);
  request.resolution_status = reader.Raw("resolution_status");
  request.initial_question = reader.Raw("initial_question");
  request.score = reader.Raw("score");
  request.comment = reader.Raw("comment");
  if (Status status = reader.Finish(); !status.ok()) return status;
  return One(e.sessions.Transition(c, request));
}

Result<Reply> SatisfactionSubmit(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  TransitionRequest request;
  request.session_id = reader.RequiredString("session_id", 64);
  request.to = SessionState::rated;
  request.score = reader.Raw("score");
  request.comment = reader.Raw("comment");
  if (Status status = reader.Finish(); !status.ok()) return status;
  return One(e.sessions.Transition(c, request));
}

Result<Reply> InteractionAdd(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  Interaction interaction;
  interaction.session_id = reader.RequiredString("session_id", 64);
  reader.RequiredEnum<InteractionType>("interaction_type", InteractionType::question);
  reader.Merge(interaction);
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto update = e.sessions.AddInteraction(c, std::move(interaction));
  if (!update.ok()) return update.status();
  json::object data{{"session", ToJson(update->session)}, {"interaction", nullptr}};
  if (!update->appended.empty()) data["interaction"] = ToJson(update->appended.front());
  return Reply{std::move(data), std::nullopt};
}

Result<Reply> InteractionList(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredString("session_id", 64);
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto result = e.sessions.ListInteractions(c, id, page);
  if (!result.ok()) return result.status();
  return Items(*result, page);
}

Result<Reply> SessionSweep(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto raw = reader.Raw("idle_timeout_seconds");
  if (Status status = reader.Finish(); !status.ok()) return status;
  std::int64_t idle = e.options.session_idle_timeout_seconds;
  if (raw && !raw->is_null()) {
    if (!raw->is_int64()) return Status::InvalidField("idle_timeout_seconds", field_code::kInvalid);
    if (raw->get_int64() < 0 || raw->get_int64() > 365LL * 24 * 3600) {
      return Status::InvalidField("idle_timeout_seconds", field_code::kOutOfRange, {{"min", "0"}, {"max", "31536000"}});
    }
    idle = raw->get_int64();
  }
  auto swept = e.sessions.Sweep(c, idle);
  if (!swept.ok()) return swept.status();
  return Reply{json::object{{"timed_out", *swept}, {"idle_timeout_seconds", idle}}, std::nullopt};
}

// --- feedback.* -------------------------------------------------------------------------------

Result<Reply> FeedbackSubmit(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  reader.RequiredEnum<FeedbackType>("feedback_type", FeedbackType::service);
  Feedback draft;
  reader.Merge(draft);
  if (Status status = reader.Finish(); !status.ok()) return status;
  return One(e.feedback.Submit(c, std::move(draft)));
}

Result<Reply> FeedbackGet(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  return One(e.feedback.Get(c, id));
}

Result<Reply> FeedbackList(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  FeedbackFilter filter{reader.OptionalEnum<FeedbackState>("state"), reader.OptionalEnum<FeedbackType>("feedback_type")};
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto result = e.feedback.List(c, filter, page);
  if (!result.ok()) return result.status();
  return Items(*result, page);
}

Result<Reply> FeedbackStatsMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  auto time = [&](const char* field) -> std::optional<Timestamp> {
    const json::value* raw = r.if_contains(field);
    if (raw == nullptr || raw->is_null()) return std::nullopt;
    if (raw->is_int64()) return Timestamp{raw->get_int64()};
    if (raw->is_string()) {
      if (auto parsed = ParseTimestamp(std::string_view(raw->get_string()))) return parsed;
    }
    errors.push_back({field, field_code::kInvalid, {}});
    return std::nullopt;
  };
  const auto from = time("from");
  const auto to = time("to");
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto stats = e.feedback.Stats(c, from, to);
  if (!stats.ok()) return stats.status();
  auto optional = [](const std::optional<double>& value) { return value ? json::value(*value) : json::value(nullptr); };
  auto groups = [&](const std::vector<FeedbackStats::Group>& items, const char* key_name) {
    json::array out;
    for (const auto& item : items) {
      out.push_back(json::object{{key_name, item.key},
                                 {"count", item.count},
                                 {"average_rating", optional(item.average_rating)},
                                 {"contact_required", item.contact_required}});
    }
    return out;
  };
  json::object distribution;
  for (int rating = 1; rating <= 5; ++rating) distribution[std::to_string(rating)] = stats->distribution[rating - 1];
  json::array dimensions;
  for (const auto& dimension : stats->dimensions) {
    dimensions.push_back(
        json::object{{"dimension", dimension.name}, {"count", dimension.count}, {"average", dimension.average}});
  }
  return Reply{json::object{{"from", FormatTimestamp(stats->from)},
                            {"to", FormatTimestamp(stats->to)},
                            {"total", stats->total},
                            {"rated", stats->rated},
                            {"average_rating", optional(stats->average_rating)},
                            {"distribution", std::move(distribution)},
                            {"by_type", groups(stats->by_type, "feedback_type")},
                            {"by_week", groups(stats->by_week, "week")},
                            {"contact_required", stats->contact_required},
                            {"contact_required_share", stats->contact_required_share},
                            {"dimensions", std::move(dimensions)}},
               std::nullopt};
}

Result<Reply> FeedbackTransition(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  const auto to = reader.RequiredEnum<FeedbackState>("to", FeedbackState::pending);
  auto response = reader.OptionalString("response_content", kTextBytes);
  if (Status status = reader.Finish(); !status.ok()) return status;
  return One(e.feedback.Transition(c, id, to, std::move(response)));
}

// --- analytics.track --------------------------------------------------------------------------

Result<Reply> AnalyticsTrack(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<const json::object*> events;
  const json::value* batch = r.if_contains("events");
  if (batch != nullptr) {
    if (!batch->is_array()) return Status::InvalidField("events", field_code::kInvalid);
    const json::array& items = batch->get_array();
    if (items.size() > AnalyticsEngine::kMaxBatch) {  // before listing what may be thousands of errors
      return Status::InvalidField("events", field_code::kTooLong,
                                  {{"max", std::to_string(AnalyticsEngine::kMaxBatch)}});
    }
    events.reserve(items.size());
    std::vector<FieldError> errors;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].is_object()) {
        events.push_back(&items[i].get_object());
      } else {
        errors.push_back(FieldError{"events[" + std::to_string(i) + "]", field_code::kInvalid, {}});
      }
    }
    if (!errors.empty()) return Status::Invalid(std::move(errors));
  } else {
    events.push_back(&r);
  }
  auto accepted = e.analytics.Track(c, events, batch != nullptr);
  if (!accepted.ok()) return accepted.status();
  return Reply{json::object{{"accepted", static_cast<std::int64_t>(*accepted)}}, std::nullopt};
}

// --- knowledge.* ------------------------------------------------------------------------------

Result<Reply> KnowledgeUpsert(Engines& e, const RequestContext& c, const json::object& r) {
  auto outcome = e.knowledge.Upsert(c, r);
  if (!outcome.ok()) return outcome.status();
  json::value data = ToJson(outcome->article);
  data.as_object()["created"] = outcome->created;
  return Reply{std::move(data), std::nullopt};
}

Result<Reply> KnowledgeGet(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  const auto from_search = reader.OptionalString("from_search", 2000);
  if (Status status = reader.Finish(); !status.ok()) return status;
  return One(e.knowledge.Get(c, id, from_search));
}

Result<Reply> KnowledgeDelete(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  if (Status status = e.knowledge.Delete(c, id); !status.ok()) return status;
  return Reply{json::object{{"id", id}, {"deleted", true}}, std::nullopt};
}

Result<Reply> KnowledgeList(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  KnowledgeFilter filter{reader.OptionalEnum<ArticleLang>("lang"), reader.OptionalString("category", 400),
                         reader.OptionalEnum<PublicationStatus>("status")};
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto result = e.knowledge.List(c, std::move(filter), page);
  if (!result.ok()) return result.status();
  return Items(*result, page);
}

Result<Reply> KnowledgeVote(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("article_id");
  const bool helpful = reader.RequiredBool("helpful");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto article = e.knowledge.Vote(c, id, helpful);
  if (!article.ok()) return article.status();
  json::value data = ToJson(*article);
  if (e.knowledge_source != nullptr) {  // the vote stands locally whatever the platform does
    const VoteForwarding forwarding = e.knowledge_source->Forward(c, *article, helpful);
    data.as_object()["forwarded"] = forwarding.forwarded;
    data.as_object()["forward_reason"] =
        forwarding.forwarded ? json::value(nullptr) : json::value(forwarding.reason);
  }
  return Reply{std::move(data), std::nullopt};
}

constexpr std::size_t kMaxCursorBytes = 200;

Result<Reply> KnowledgeSyncMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  auto cursor = reader.OptionalString("cursor", kMaxCursorBytes);
  if (Status status = reader.Finish(); !status.ok()) return status;
  if (e.knowledge_source == nullptr) return Status::NotConfigured("knowledge_source");
  auto report = e.knowledge_source->Sync(c, std::move(cursor));
  if (!report.ok()) return report.status();
  json::array errors;
  for (const auto& error : report->errors) {
    errors.push_back(json::object{{"external_id", error.external_id}, {"reason", error.reason}});
  }
  json::object data{{"fetched", report->fetched}, {"created", report->created}, {"updated", report->updated},
                    {"deleted", report->deleted}, {"failed", report->failed},   {"errors", std::move(errors)},
                    {"next_cursor", report->next_cursor}, {"more", report->more}};
  data["interrupted_by"] = report->interrupted_by.ok()
                               ? json::value(nullptr)
                               : json::value(json::object{
                                     {"code", static_cast<int>(report->interrupted_by.code())},
                                     {"message", CodeMessage(report->interrupted_by.code(), c.locale)},
                                     {"retryable", report->interrupted_by.retryable()}});
  return Reply{std::move(data), std::nullopt};
}

Result<Reply> KnowledgeImportWithProgress(Engines& e, const RequestContext& c, const json::object& r,
                                          const Progress& progress) {
  const json::value* path = r.if_contains("path");
  const json::value* articles = r.if_contains("articles");
  if (path != nullptr && path->is_null()) path = nullptr;
  if (articles != nullptr && articles->is_null()) articles = nullptr;
  if ((path == nullptr) == (articles == nullptr)) {
    return Status::InvalidField("path", field_code::kRequired);  // exactly one of path and articles
  }
  if (path != nullptr && !path->is_string()) return Status::InvalidField("path", field_code::kInvalid);
  // Reading a file of the host's file system is the platform's business, not a customer's.
  if (path != nullptr && !c.has(Role::kPlatformAdmin)) return Status::PermissionDenied("knowledge.import path");
  if (articles != nullptr && !articles->is_array()) return Status::InvalidField("articles", field_code::kInvalid);
  Result<ImportReport> report = path != nullptr
                                    ? e.knowledge.ImportFile(c, std::string(path->get_string()), progress)
                                    : e.knowledge.ImportArticles(c, articles->get_array(), progress);
  if (!report.ok()) return report.status();
  json::array errors;
  for (const auto& failure : report->errors) {
    json::array fields;
    for (const auto& error : failure.errors) {
      // The members of an envelope's errors[] entry, in its order.
      fields.push_back(json::object{{"field", error.field}, {"message", FieldMessage(error, c.locale)},
                                    {"code", error.code}});
    }
    json::object entry{{"line", failure.line}};
    entry["external_id"] = failure.external_id ? json::value(*failure.external_id) : json::value(nullptr);
    entry["errors"] = std::move(fields);
    errors.push_back(std::move(entry));
  }
  return Reply{json::object{{"imported", report->imported},
                            {"updated", report->updated},
                            {"failed", report->failed},
                            {"errors", std::move(errors)},
                            {"cancelled", report->cancelled}},
               std::nullopt};
}

Result<Reply> KnowledgeImport(Engines& e, const RequestContext& c, const json::object& r) {
  return KnowledgeImportWithProgress(e, c, r, nullptr);
}

// --- search.* ---------------------------------------------------------------------------------

constexpr int kMaxSearchPageSize = 50;

json::value HitJson(const SearchHit& hit) {
  json::array tags;
  for (const auto& tag : hit.tags) tags.emplace_back(tag);
  json::object out{{"id", hit.id},       {"title", hit.title},         {"snippet", hit.snippet},
                   {"tags", std::move(tags)}, {"lang", EnumName(hit.lang)}, {"score", hit.score}};
  out["external_id"] = hit.external_id ? json::value(*hit.external_id) : json::value(nullptr);
  out["category"] = hit.category ? json::value(*hit.category) : json::value(nullptr);
  out["url"] = hit.url ? json::value(*hit.url) : json::value(nullptr);
  return out;
}

// Hits of search.query and knowledge.recommendations.
json::array HitsJson(const std::vector<SearchHit>& hits) {
  json::array out;
  for (const auto& hit : hits) out.push_back(HitJson(hit));
  return out;
}

Result<Reply> SearchQueryMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  SearchQuery query;
  query.text = reader.RequiredString("q", 500);
  query.lang = reader.OptionalEnum<ArticleLang>("lang");
  query.category = reader.OptionalString("category", 400);
  query.tags = reader.StringList("tags");
  const PageRequest page = reader.Page(kMaxSearchPageSize);
  if (Status status = reader.Finish(); !status.ok()) return status;
  query.page = page.page;
  query.size = page.size;
  auto result = e.search.Query(c, query);
  if (!result.ok()) return result.status();
  json::object data{{"hits", HitsJson(result->hits)},
                    {"suggest_ticket", result->suggest_ticket},
                    {"backend", result->backend},
                    {"degraded", result->degraded}};
  data["fallback_reason"] = result->fallback_reason ? json::value(*result->fallback_reason) : json::value(nullptr);
  return Reply{std::move(data), Pagination{page.page, page.size, result->total}};
}

constexpr std::size_t kMaxSearchTags = 10;
constexpr std::size_t kTagChars = 100;

// An optional integer between `min` and `max`, `fallback` when absent or null; a problem goes to
// `errors` (RequestReader reads only the integers every method shares).
int BoundedInt(const json::object& r, std::string_view field, int min, int max, int fallback,
               std::vector<FieldError>& errors) {
  const json::value* value = r.if_contains(field);
  if (value == nullptr || value->is_null()) return fallback;
  if (!value->is_int64()) {
    errors.push_back(FieldError{std::string(field), field_code::kInvalid, {}});
    return fallback;
  }
  if (value->get_int64() < min || value->get_int64() > max) {
    errors.push_back(FieldError{std::string(field), field_code::kOutOfRange,
                                {{"min", std::to_string(min)}, {"max", std::to_string(max)}}});
    return fallback;
  }
  return static_cast<int>(value->get_int64());
}

// The field errors `reader` collected, to be joined by checks of its caller's own.
std::vector<FieldError> ReaderErrors(RequestReader& reader) {
  Status status = reader.Finish();
  return status.field_errors();
}

bool IsGiven(const json::object& r, std::string_view field) {
  const json::value* value = r.if_contains(field);
  return value != nullptr && !value->is_null();
}

json::array CountsJson(const std::vector<LabelCount>& counts, std::string_view label) {
  json::array out;
  for (const auto& count : counts) out.push_back(json::object{{label, count.label}, {"count", count.count}});
  return out;
}

Result<Reply> SearchCategory(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  auto category = reader.OptionalString("category", 400);
  const auto lang = reader.OptionalEnum<ArticleLang>("lang");
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto counts = e.browse.CategoryCounts(c, lang);
  if (!counts.ok()) return counts.status();
  Page<KnowledgeArticle> articles;
  if (category) {
    auto listed = e.browse.Category(c, *category, lang, page);
    if (!listed.ok()) return listed.status();
    articles = std::move(listed).value();
  }
  json::object data{{"category", category ? json::value(*category) : json::value(nullptr)},
                    {"items", JsonArray(articles.items)},
                    {"categories", CountsJson(*counts, "category")}};
  return Reply{std::move(data), Pagination{page.page, page.size, articles.total}};
}

Result<Reply> SearchTags(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::vector<std::string> tags = reader.StringList("tags");
  const auto lang = reader.OptionalEnum<ArticleLang>("lang");
  const PageRequest page = reader.Page();
  std::vector<FieldError> errors = ReaderErrors(reader);
  const json::value* raw = r.if_contains("tags");
  if (!IsGiven(r, "tags") || (raw->is_array() && raw->get_array().empty())) {
    errors.push_back(FieldError{"tags", field_code::kRequired, {}});
  } else if (tags.size() > kMaxSearchTags) {
    errors.push_back(FieldError{"tags", field_code::kTooLong, {{"max", std::to_string(kMaxSearchTags)}}});
  }
  for (std::size_t i = 0; i < tags.size() && tags.size() <= kMaxSearchTags; ++i) {
    const std::string field = "tags[" + std::to_string(i) + "]";
    if (IsBlank(tags[i])) {
      errors.push_back(FieldError{field, field_code::kRequired, {}});
    } else if (Utf8Length(tags[i]) > kTagChars) {
      errors.push_back(FieldError{field, field_code::kTooLong, {{"max", std::to_string(kTagChars)}}});
    }
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto articles = e.browse.Tagged(c, tags, lang, page);
  if (!articles.ok()) return articles.status();
  auto counts = e.browse.TagCounts(c, lang);
  if (!counts.ok()) return counts.status();
  json::array wanted;
  for (const auto& tag : tags) wanted.emplace_back(tag);
  json::object data{{"tags", std::move(wanted)},
                    {"items", JsonArray(articles->items)},
                    {"tag_counts", CountsJson(*counts, "tag")}};
  return Reply{std::move(data), Pagination{page.page, page.size, articles->total}};
}

Result<Reply> SearchSuggestions(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::string prefix = reader.RequiredString("prefix", 100);
  const auto lang = reader.OptionalEnum<ArticleLang>("lang");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto suggestions = e.browse.Suggestions(c, prefix, lang);
  if (!suggestions.ok()) return suggestions.status();
  json::array items;
  for (const auto& suggestion : *suggestions) items.emplace_back(suggestion);
  return Reply{json::object{{"items", std::move(items)}}, std::nullopt};
}

Result<Reply> SearchTrending(Engines& e, const RequestContext& c, const json::object& r) {
  constexpr std::int64_t kHourMillis = 3600LL * 1000;
  std::vector<FieldError> errors;
  const int window_hours = BoundedInt(r, "window_hours", 1, 90 * 24, 7 * 24, errors);
  const int half_life_hours = BoundedInt(r, "half_life_hours", 1, 30 * 24, 24, errors);
  const int size = BoundedInt(r, "size", 1, 50, 10, errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto trends = e.browse.Trending(c, TrendRequest{window_hours * kHourMillis, half_life_hours * kHourMillis, size});
  if (!trends.ok()) return trends.status();
  json::array items;
  for (const auto& trend : *trends) {
    items.push_back(json::object{{"keywords", trend.keywords},
                                 {"weight", std::round(trend.weight * 1e4) / 1e4},
                                 {"count", trend.count}});
  }
  return Reply{json::object{{"items", std::move(items)},
                            {"window_hours", window_hours},
                            {"half_life_hours", half_life_hours}},
               std::nullopt};
}

Result<Reply> KnowledgeRecommendations(Engines& e, const RequestContext& c, const json::object& r) {
  constexpr int kDefaultSize = 5;
  constexpr int kMaxSize = 20;
  RequestReader reader(r);
  const auto article_id = reader.OptionalId("article_id");
  const bool has_q = IsGiven(r, "q");
  SearchQuery query;
  if (has_q) query.text = reader.RequiredString("q", 500);
  query.lang = reader.OptionalEnum<ArticleLang>("lang");
  std::vector<FieldError> errors = ReaderErrors(reader);
  const int size = BoundedInt(r, "size", 1, kMaxSize, kDefaultSize, errors);
  const bool has_id = IsGiven(r, "article_id");
  const bool q_ok = std::none_of(errors.begin(), errors.end(), [](const FieldError& error) { return error.field == "q"; });
  if (!has_id && !has_q) {
    errors.push_back(FieldError{"article_id", field_code::kRequired, {}});  // exactly one of article_id and q
  } else if (has_id && has_q && q_ok) {
    errors.push_back(FieldError{"q", field_code::kInvalid, {}});
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  query.size = size;
  auto hits = article_id ? e.browse.RelatedToArticle(c, *article_id, size) : e.browse.RelatedToQuery(c, query);
  if (!hits.ok()) return hits.status();
  return Reply{json::object{{"items", HitsJson(*hits)}}, std::nullopt};
}

// --- search.reindex ----------------------------------------------------------------------------

Result<Reply> SearchReindex(Engines& e, const RequestContext& c, const json::object& r) {
  const json::value* only_if_behind = r.if_contains("only_if_behind");
  if (only_if_behind != nullptr && !only_if_behind->is_null() && !only_if_behind->is_bool()) {
    return Status::InvalidField("only_if_behind", field_code::kInvalid);
  }
  if (e.search_index == nullptr) return Status::NotConfigured("search.elasticsearch");
  const bool lazy = only_if_behind != nullptr && only_if_behind->is_bool() && only_if_behind->get_bool();
  if (lazy && !e.search_index->Behind(Scope(c))) {
    return Reply{json::object{{"reindexed", false}, {"indexed", 0}, {"removed", 0}, {"was_behind", false}},
                 std::nullopt};
  }
  auto report = e.search_index->Reindex(Scope(c));
  if (!report.ok()) return report.status();
  return Reply{json::object{{"reindexed", true},
                            {"indexed", report->indexed},
                            {"removed", report->removed},
                            {"was_behind", report->was_behind}},
               std::nullopt};
}

// --- search.synonyms.* -------------------------------------------------------------------------

json::value SynonymJson(const SynonymEntry& entry) {
  json::array synonyms;
  for (const auto& synonym : entry.synonyms) synonyms.emplace_back(synonym);
  return json::object{{"term", entry.term}, {"synonyms", std::move(synonyms)},
                      {"updated_at", FormatTimestamp(entry.updated_at)}};
}

Result<Reply> SynonymsSet(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  SynonymEntry entry;
  entry.term = reader.RequiredString("term", 100);
  entry.synonyms = reader.StringList("synonyms", /*required=*/true);
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto stored = e.search.SetSynonyms(c, std::move(entry));
  if (!stored.ok()) return stored.status();
  return Reply{SynonymJson(*stored), std::nullopt};
}

Result<Reply> SynonymsList(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto result = e.search.ListSynonyms(c, page);
  if (!result.ok()) return result.status();
  json::array items;
  for (const auto& entry : result->items) items.push_back(SynonymJson(entry));
  return Reply{std::move(items), Pagination{page.page, page.size, result->total}};
}

// --- outbox.* ----------------------------------------------------------------------------------

json::object OutboxCountsJson(const OutboxCounts& counts) {
  return json::object{{"pending", counts.pending},
                      {"delivered", counts.delivered},
                      {"abandoned", counts.abandoned},
                      {"oldest_pending_at", counts.oldest_pending ? json::value(FormatTimestamp(*counts.oldest_pending))
                                                                  : json::value(nullptr)}};
}

Result<Reply> OutboxDeliver(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const int limit = BoundedInt(r, "limit", 1, 1000, 100, errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto report = e.outbox.Deliver(c, limit);
  if (!report.ok()) return report.status();
  return Reply{json::object{{"delivered", report->delivered},
                            {"retried", report->retried},
                            {"abandoned", report->abandoned},
                            {"outbox", OutboxCountsJson(report->counts)}},
               std::nullopt};
}

Result<Reply> OutboxStatus(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  auto topic = reader.OptionalString("topic", 64);
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto counts = e.outbox.Counts(c, topic);
  if (!counts.ok()) return counts.status();
  return Reply{OutboxCountsJson(*counts), std::nullopt};
}

// admin.backup: a copy of the whole database into the options' backup_dir, named by the time,
// the caller's label and a random suffix, so two backups never share a file.
Result<Reply> AdminBackup(Engines& e, const RequestContext& c, const json::object& r) {
  static_cast<void>(c);
  RequestReader reader(r);
  std::optional<std::string> label = reader.OptionalString("label", 64);
  std::vector<FieldError> more;
  if (label && !IsAsciiToken(*label)) more.push_back({"label", field_code::kInvalid, {}});
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  if (e.options.backup_dir.empty()) return Status::NotConfigured("backup_dir");
  std::error_code made;
  std::filesystem::create_directories(e.options.backup_dir, made);
  if (made) return Status::DatabaseUnavailable("backup_dir cannot be created: " + made.message(), false);
  const std::int64_t started = e.clock.NowMillis();
  std::string stamp = EnvelopeTimestamp(started);  // 2025-08-15T10:00:00Z
  stamp.erase(std::remove_if(stamp.begin(), stamp.end(), [](char ch) { return ch == '-' || ch == ':'; }),
              stamp.end());
  const std::string file = "selfservice-" + stamp + (label ? "-" + *label : "") + "-" + RandomHex(4) + ".db";
  const std::string path = (std::filesystem::path(e.options.backup_dir) / file).string();
  auto report = e.store.Backup(path);
  if (!report.ok()) return report.status();
  return Reply{json::object{{"file", file},
                            {"path", path},
                            {"bytes", report->bytes},
                            {"pages", report->pages},
                            {"taken_at", FormatTimestamp(Timestamp{started})}},
               std::nullopt};
}

// admin.reencrypt: every sensitive value of the store moved to the current encryption key (after a
// key rotation; docs/SECURITY.md "Encryption at rest").
Result<Reply> AdminReencrypt(Engines& e, const RequestContext& c, const json::object& r) {
  static_cast<void>(c);
  RequestReader reader(r);
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto report = e.store.ReencryptSensitiveFields();
  if (!report.ok()) return report.status();
  return Reply{json::object{{"reencrypted", report->reencrypted},
                            {"encrypted", report->encrypted},
                            {"reindexed", report->reindexed},
                            {"unreadable", report->unreadable}},
               std::nullopt};
}

// What the table below leaves out, set by name (or, for the least role, from the permission):
// - the rate-limit class (MethodInfo::rate_class): logins, AI answers and searches have their own
//   buckets, since they cost the most or are what an attacker repeats; other reads and writes
//   share one each;
// - whether the method has a binary twin (MethodInfo::binary);
// - whether the portal audits a call (Method::audited): the changes of configuration, keys and
//   data that spec 7.3's compliance audit asks about.
std::vector<Method> Annotated(std::vector<Method> methods) {
  static constexpr std::string_view kAudited[] = {
      "portal.config.update", "portal.theme.update", "search.synonyms.set", "admin.backup", "admin.reencrypt",
      "tickets.sync",         "knowledge.import",    "knowledge.delete",
  };
  for (Method& method : methods) {
    const std::string_view name = method.info.name;
    switch (method.permission) {
      case Permission::kAnyone: method.info.least_role = "anyone"; break;
      case Permission::kCustomerUser: method.info.least_role = "customer_user"; break;
      case Permission::kCustomerAdmin: method.info.least_role = "customer_admin"; break;
      case Permission::kPlatformAdmin: method.info.least_role = "platform_admin"; break;
    }
    method.audited = std::find(std::begin(kAudited), std::end(kAudited), name) != std::end(kAudited);
    if (method.with_download != nullptr) method.info.binary = "download";
    if (name == "tickets.attachments.append") method.info.binary = "upload";
    if (name.starts_with("auth.")) {
      method.info.rate_class = "auth";
    } else if (name.starts_with("ai.")) {
      method.info.rate_class = "ai";
    } else if (name.starts_with("search.")) {
      method.info.rate_class = "search";
    } else {
      method.info.rate_class = method.info.http_method == "GET" ? "read" : "write";
    }
  }
  return methods;
}

#define ROUTE "/api/v1/customer-portal"

const std::vector<Method> kMethods = Annotated({
    {{"auth.login", "POST", ROUTE "/auth/login", "", "", "", ""}, Permission::kAnyone, AuthLoginMethod},
    {{"auth.mfa.verify", "POST", ROUTE "/auth/mfa/verify", "", "", "", ""}, Permission::kAnyone, AuthMfaVerifyMethod},
    {{"auth.refresh", "POST", ROUTE "/auth/refresh", "", "", "", ""}, Permission::kAnyone, AuthRefreshMethod},
    {{"auth.logout", "POST", ROUTE "/auth/logout", "", "", "", ""}, Permission::kCustomerUser, AuthLogoutMethod},
    {{"auth.password.change", "POST", ROUTE "/auth/password", "", "", "", ""}, Permission::kCustomerUser,
     AuthPasswordChangeMethod},
    {{"auth.password.reset.request", "POST", ROUTE "/auth/password/reset", "", "", "", ""}, Permission::kAnyone,
     AuthPasswordResetRequestMethod},
    {{"auth.password.reset.confirm", "POST", ROUTE "/auth/password/reset/confirm", "", "", "", ""}, Permission::kAnyone,
     AuthPasswordResetConfirmMethod},
    {{"auth.mfa.enroll", "POST", ROUTE "/auth/mfa/enroll", "", "", "", ""}, Permission::kCustomerUser, AuthMfaEnrollMethod},
    {{"auth.mfa.disable", "POST", ROUTE "/auth/mfa/disable", "", "", "", ""}, Permission::kCustomerUser, AuthMfaDisableMethod},
    {{"auth.sso.login", "POST", ROUTE "/auth/sso/login", "", "", "", ""}, Permission::kAnyone, AuthSsoLoginMethod},
    {{"users.create", "POST", ROUTE "/users", "", "", "", ""}, Permission::kCustomerAdmin, UsersCreateMethod},
    {{"users.get", "GET", ROUTE "/users/{id}", "", "", "", ""}, Permission::kCustomerAdmin, UsersGetMethod},
    {{"users.list", "GET", ROUTE "/users", "", "", "", ""}, Permission::kCustomerAdmin, UsersListMethod},
    {{"users.update", "PUT", ROUTE "/users/{id}", "", "", "", ""}, Permission::kCustomerAdmin, UsersUpdateMethod},
    {{"users.roles.set", "PUT", ROUTE "/users/{id}/roles", "", "", "", ""}, Permission::kCustomerAdmin, UsersRolesSetMethod},
    {{"users.sessions.revoke", "DELETE", ROUTE "/users/{id}/sessions", "", "", "", ""}, Permission::kCustomerAdmin,
     UsersSessionsRevokeMethod},
    {{"users.erase", "DELETE", ROUTE "/users/{id}", "", "", "", ""}, Permission::kCustomerAdmin, UsersEraseMethod},
    {{"portal.config.get", "GET", ROUTE "/config", "", "", "", ""}, Permission::kCustomerUser, ConfigGet},
    {{"portal.config.update", "PUT", ROUTE "/config", "", "", "", ""}, Permission::kCustomerAdmin, ConfigUpdate},
    {{"portal.theme.get", "GET", ROUTE "/theme", "", "", "", ""}, Permission::kCustomerUser, ThemeGet},
    {{"portal.theme.update", "PUT", ROUTE "/theme", "", "", "", ""}, Permission::kCustomerAdmin, ThemeUpdate},
    {{"sessions.start", "POST", ROUTE "/sessions", "", "", "", ""}, Permission::kCustomerUser, SessionStart},
    {{"sessions.get", "GET", ROUTE "/sessions/{session_id}", "", "", "", ""}, Permission::kCustomerUser, SessionGet},
    {{"sessions.list", "GET", ROUTE "/sessions", "", "", "", ""}, Permission::kCustomerUser, SessionList},
    {{"sessions.transition", "POST", ROUTE "/sessions/{session_id}/transitions", "", "", "", ""}, Permission::kCustomerUser,
     SessionTransition},
    {{"sessions.interactions.add", "POST", ROUTE "/sessions/{session_id}/interactions", "", "", "", ""},
     Permission::kCustomerUser, InteractionAdd},
    {{"sessions.interactions.list", "GET", ROUTE "/sessions/{session_id}/interactions", "", "", "", ""},
     Permission::kCustomerUser, InteractionList},
    {{"sessions.sweep", "POST", ROUTE "/sessions/sweep", "", "", "", ""}, Permission::kPlatformAdmin, SessionSweep},
    {{"satisfaction.submit", "POST", ROUTE "/satisfaction", "feedback", "", "", ""}, Permission::kCustomerUser,
     SatisfactionSubmit},
    {{"feedback.submit", "POST", ROUTE "/feedback", "feedback", "", "", ""}, Permission::kCustomerUser, FeedbackSubmit},
    {{"feedback.get", "GET", ROUTE "/feedback/{id}", "feedback", "", "", ""}, Permission::kCustomerUser, FeedbackGet},
    {{"feedback.list", "GET", ROUTE "/feedback", "feedback", "", "", ""}, Permission::kCustomerUser, FeedbackList},
    {{"feedback.transition", "POST", ROUTE "/feedback/{id}/transitions", "feedback", "", "", ""}, Permission::kCustomerUser,
     FeedbackTransition},
    {{"feedback.stats", "GET", ROUTE "/analytics/feedback", "feedback", "", "", ""}, Permission::kCustomerAdmin, FeedbackStatsMethod},
    {{"analytics.track", "POST", ROUTE "/analytics/events", "analytics", "", "", ""}, Permission::kCustomerUser,
     AnalyticsTrack},
    {{"knowledge.upsert", "POST", ROUTE "/knowledge", "faq_search", "", "", ""}, Permission::kCustomerAdmin, KnowledgeUpsert},
    {{"knowledge.get", "GET", ROUTE "/knowledge/{id}", "faq_search", "", "", ""}, Permission::kCustomerUser, KnowledgeGet},
    {{"knowledge.delete", "DELETE", ROUTE "/knowledge/{id}", "faq_search", "", "", ""}, Permission::kCustomerAdmin,
     KnowledgeDelete},
    {{"knowledge.list", "GET", ROUTE "/knowledge", "faq_search", "", "", ""}, Permission::kCustomerUser, KnowledgeList},
    {{"knowledge.vote", "POST", ROUTE "/knowledge/{article_id}/votes", "faq_search", "", "", ""}, Permission::kCustomerUser,
     KnowledgeVote},
    {{"knowledge.import", "POST", ROUTE "/knowledge/import", "faq_search", "", "", ""}, Permission::kCustomerAdmin,
     KnowledgeImport, KnowledgeImportWithProgress},
    {{"knowledge.sync", "POST", ROUTE "/knowledge/sync", "faq_search", "", "", ""}, Permission::kCustomerAdmin,
     KnowledgeSyncMethod},
    {{"search.query", "GET", ROUTE "/search", "faq_search", "", "", ""}, Permission::kCustomerUser, SearchQueryMethod},
    {{"search.synonyms.set", "PUT", ROUTE "/search/synonyms", "faq_search", "", "", ""}, Permission::kCustomerAdmin,
     SynonymsSet},
    {{"search.synonyms.list", "GET", ROUTE "/search/synonyms", "faq_search", "", "", ""}, Permission::kCustomerAdmin,
     SynonymsList},
    {{"search.reindex", "POST", ROUTE "/search/reindex", "faq_search", "", "", ""}, Permission::kCustomerAdmin, SearchReindex},
    {{"search.category", "GET", ROUTE "/search/category", "faq_search", "", "", ""}, Permission::kCustomerUser, SearchCategory},
    {{"search.tags", "GET", ROUTE "/search/tags", "faq_search", "", "", ""}, Permission::kCustomerUser, SearchTags},
    {{"search.suggestions", "GET", ROUTE "/search/suggestions", "faq_search", "", "", ""}, Permission::kCustomerUser,
     SearchSuggestions},
    {{"search.trending", "GET", ROUTE "/search/trending", "faq_search", "", "", ""}, Permission::kCustomerUser, SearchTrending},
    {{"knowledge.recommendations", "GET", ROUTE "/search/recommendations", "faq_search", "", "", ""},
     Permission::kCustomerUser, KnowledgeRecommendations},
    {{"ai.chat", "POST", ROUTE "/ai-chat", "ai_chat", "", "", ""}, Permission::kCustomerUser, AiChatMethod},
    {{"ai.history", "GET", ROUTE "/ai-chat/history", "ai_chat", "", "", ""}, Permission::kCustomerUser, AiHistoryMethod},
    {{"ai.feedback", "POST", ROUTE "/ai-chat/feedback", "ai_chat", "", "", ""}, Permission::kCustomerUser, AiFeedbackMethod},
    {{"ai.recommendations", "GET", ROUTE "/ai-chat/recommendations", "ai_chat", "", "", ""}, Permission::kCustomerUser,
     AiRecommendationsMethod},
    {{"status.summary", "GET", ROUTE "/status", "service_status", "", "", ""}, Permission::kCustomerUser, StatusSummaryMethod},
    {{"status.components", "GET", ROUTE "/status/components", "service_status", "", "", ""}, Permission::kCustomerUser,
     StatusComponentsMethod},
    {{"status.incidents", "GET", ROUTE "/status/incidents", "service_status", "", "", ""}, Permission::kCustomerUser,
     StatusIncidentsMethod},
    {{"status.maintenance", "GET", ROUTE "/status/maintenance", "service_status", "", "", ""}, Permission::kCustomerUser,
     StatusMaintenanceMethod},
    {{"status.uptime", "GET", ROUTE "/status/uptime", "service_status", "", "", ""}, Permission::kCustomerUser,
     StatusUptimeMethod},
    {{"status.ingest.alertmanager", "POST", ROUTE "/status/alertmanager", "service_status", "", "", ""},
     Permission::kPlatformAdmin, StatusIngestAlertmanagerMethod},
    {{"status.components.upsert", "PUT", ROUTE "/status/components", "service_status", "", "", ""}, Permission::kPlatformAdmin,
     StatusComponentUpsertMethod},
    {{"status.incidents.create", "POST", ROUTE "/status/incidents", "service_status", "", "", ""}, Permission::kPlatformAdmin,
     StatusIncidentCreateMethod},
    {{"status.incidents.update", "POST", ROUTE "/status/incidents/{id}/updates", "service_status", "", "", ""},
     Permission::kPlatformAdmin, StatusIncidentUpdateMethod},
    {{"status.maintenance.schedule", "POST", ROUTE "/status/maintenance", "service_status", "", "", ""},
     Permission::kPlatformAdmin, StatusMaintenanceScheduleMethod},
    {{"status.maintenance.update", "PUT", ROUTE "/status/maintenance/{id}", "service_status", "", "", ""},
     Permission::kPlatformAdmin, StatusMaintenanceUpdateMethod},
    {{"outbox.deliver", "POST", ROUTE "/outbox/deliver", "", "", "", ""}, Permission::kPlatformAdmin, OutboxDeliver},
    {{"outbox.status", "GET", ROUTE "/outbox", "", "", "", ""}, Permission::kPlatformAdmin, OutboxStatus},
    {{"admin.backup", "POST", ROUTE "/admin/backups", "", "", "", ""}, Permission::kPlatformAdmin, AdminBackup},
    {{"admin.reencrypt", "POST", ROUTE "/admin/reencryption", "", "", "", ""}, Permission::kPlatformAdmin, AdminReencrypt},
    {{"audit.list", "GET", ROUTE "/audit", "", "", "", ""}, Permission::kCustomerAdmin, AuditListMethod},
    {{"audit.verify", "POST", ROUTE "/audit/verify", "", "", "", ""}, Permission::kPlatformAdmin, AuditVerifyMethod},
    {{"tickets.attachments.begin", "POST", ROUTE "/tickets/{ticket_id}/attachments", "tickets", "", "", ""},
     Permission::kCustomerUser, AttachmentBeginMethod},
    {{"tickets.attachments.append", "PATCH", ROUTE "/attachments/uploads/{upload_id}", "tickets", "", "", ""},
     Permission::kCustomerUser, AttachmentAppendMethod},
    {{"tickets.attachments.status", "GET", ROUTE "/attachments/uploads/{upload_id}", "tickets", "", "", ""},
     Permission::kCustomerUser, AttachmentStatusMethod},
    {{"tickets.attachments.complete", "POST", ROUTE "/attachments/uploads/{upload_id}/complete", "tickets", "", "", ""},
     Permission::kCustomerUser, AttachmentCompleteMethod},
    {{"tickets.attachments.abort", "DELETE", ROUTE "/attachments/uploads/{upload_id}", "tickets", "", "", ""},
     Permission::kCustomerUser, AttachmentAbortMethod},
    {{"tickets.attachments.sweep", "POST", ROUTE "/attachments/uploads/sweep", "tickets", "", "", ""}, Permission::kPlatformAdmin,
     AttachmentSweepMethod},
    {{"tickets.attachments.list", "GET", ROUTE "/tickets/{ticket_id}/attachments", "tickets", "", "", ""},
     Permission::kCustomerUser, AttachmentListMethod},
    {{"tickets.attachments.get", "GET", ROUTE "/attachments/{id}", "tickets", "", "", ""}, Permission::kCustomerUser,
     AttachmentGetMethod, nullptr, AttachmentGetFile},
    {{"documents.publish", "POST", ROUTE "/documents", "documents", "", "", ""}, Permission::kCustomerAdmin,
     DocumentPublishMethod},
    {{"documents.uploads.begin", "POST", ROUTE "/documents/uploads", "documents", "", "", ""}, Permission::kCustomerAdmin,
     DocumentUploadBeginMethod},
    {{"documents.list", "GET", ROUTE "/documents", "documents", "", "", ""}, Permission::kCustomerUser, DocumentListMethod},
    {{"documents.get", "GET", ROUTE "/documents/{id}", "documents", "", "", ""}, Permission::kCustomerUser, DocumentGetMethod},
    {{"documents.download", "GET", ROUTE "/documents/{id}/download", "documents", "", "", ""}, Permission::kCustomerUser,
     DocumentDownloadMethod, nullptr, DocumentDownloadFile},
    {{"documents.stats", "GET", ROUTE "/stats/documents", "documents", "", "", ""}, Permission::kCustomerAdmin,
     DocumentStatsMethod},
    {{"tickets.create", "POST", ROUTE "/tickets", "tickets", "", "", ""}, Permission::kCustomerUser, TicketCreateMethod},
    {{"tickets.list", "GET", ROUTE "/tickets", "tickets", "", "", ""}, Permission::kCustomerUser, TicketListMethod},
    {{"tickets.get", "GET", ROUTE "/tickets/{id}", "tickets", "", "", ""}, Permission::kCustomerUser, TicketGetMethod},
    {{"tickets.update", "PUT", ROUTE "/tickets/{id}", "tickets", "", "", ""}, Permission::kCustomerUser, TicketUpdateMethod},
    {{"tickets.status", "GET", ROUTE "/tickets/{id}/status", "tickets", "", "", ""}, Permission::kCustomerUser,
     TicketStatusMethod},
    {{"tickets.history", "GET", ROUTE "/tickets/{id}/history", "tickets", "", "", ""}, Permission::kCustomerUser,
     TicketHistoryMethod},
    {{"tickets.sync", "POST", ROUTE "/tickets/sync", "tickets", "", "", ""}, Permission::kPlatformAdmin,
     TicketSyncMethod},
    {{"tickets.transition", "POST", ROUTE "/tickets/{id}/transitions", "tickets", "", "", ""}, Permission::kCustomerUser,
     TicketTransitionMethod},
    {{"tickets.drafts.save", "POST", ROUTE "/ticket-drafts", "tickets", "", "", ""}, Permission::kCustomerUser,
     TicketDraftSaveMethod},
    {{"tickets.drafts.list", "GET", ROUTE "/ticket-drafts", "tickets", "", "", ""}, Permission::kCustomerUser,
     TicketDraftListMethod},
    {{"tickets.drafts.delete", "DELETE", ROUTE "/ticket-drafts/{draft_id}", "tickets", "", "", ""}, Permission::kCustomerUser,
     TicketDraftDeleteMethod},
});

#undef ROUTE

}  // namespace

bool Permits(const RequestContext& context, Permission permission) {
  switch (permission) {
    case Permission::kAnyone:
    case Permission::kCustomerUser: return true;
    case Permission::kCustomerAdmin:
      return context.has(Role::kCustomerAdmin) || context.has(Role::kPlatformAdmin);
    case Permission::kPlatformAdmin: return context.has(Role::kPlatformAdmin);
  }
  return false;
}

const std::vector<Method>& MethodTable() { return kMethods; }

const Method* FindMethod(std::string_view name) {
  static const auto kIndex = [] {
    std::unordered_map<std::string_view, const Method*> index;
    for (const auto& method : kMethods) index.emplace(method.info.name, &method);
    return index;
  }();
  auto found = kIndex.find(name);
  return found == kIndex.end() ? nullptr : found->second;
}

}  // namespace selfservice
