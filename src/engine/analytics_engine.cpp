#include "domain/rules.hpp"
#include "engine/engines.hpp"

namespace selfservice {
namespace {

// Events recorded offline (the mobile cache) keep their own time, unless it lies in the future.
constexpr std::int64_t kClockSkewMillis = 5 * 60 * 1000;
constexpr std::size_t kKeywordChars = 500;  // user_behavior_analytics.search_keywords VARCHAR(500)

}  // namespace

Status RecordSearchEvent(EventRecorder& events, const RequestContext& context, ActionType action, std::string keywords,
                         std::string target, std::int64_t now_millis, std::string page_path) {
  BehaviorEvent event;
  event.tenant_id = context.tenant_id;
  event.customer_id = context.customer_id;
  event.user_id = context.user_id;
  event.page_path = std::move(page_path);
  event.action_type = action;
  event.search_keywords = Utf8Prefix(keywords, kKeywordChars);
  event.action_target = std::move(target);
  event.created_at = Timestamp{now_millis};
  if (auto errors = Validate(event); !errors.empty()) return Status::Invalid(std::move(errors));
  return events.Record(context, std::move(event));
}

Result<std::size_t> AnalyticsEngine::Track(const RequestContext& context,
                                           const std::vector<const boost::json::object*>& events,
                                           bool as_batch) {
  if (events.empty()) return Status::InvalidField("events", field_code::kRequired);
  if (events.size() > kMaxBatch) {
    return Status::InvalidField("events", field_code::kTooLong, {{"max", std::to_string(kMaxBatch)}});
  }
  const std::int64_t now = clock_.NowMillis();
  std::vector<BehaviorEvent> parsed(events.size());
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < events.size(); ++i) {
    BehaviorEvent& event = parsed[i];
    event.created_at = Timestamp{now};
    std::vector<FieldError> found = MergeJson(*events[i], event);
    event.id = 0;
    event.tenant_id = context.tenant_id;
    event.customer_id = context.customer_id;
    event.user_id = context.user_id;
    if (event.created_at.millis > now + kClockSkewMillis || event.created_at.millis <= 0) {
      found.push_back(FieldError{"created_at", field_code::kOutOfRange, {{"min", "1970-01-01T00:00:00Z"}, {"max", "now"}}});
    }
    if (found.empty()) found = Validate(event);
    for (auto& error : found) {
      if (as_batch) error.field = "events[" + std::to_string(i) + "]." + error.field;
      errors.push_back(std::move(error));
    }
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  if (Status status = store_.analytics().Append(Scope(context), parsed); !status.ok()) return status;
  return parsed.size();
}

}  // namespace selfservice
