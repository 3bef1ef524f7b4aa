#include "dispatch/audit_methods.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dispatch/request_reader.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::size_t kActionBytes = 64;  // the store checks the characters ([a-z0-9._])

// An ISO-8601 time such as "2025-08-15T10:00:00Z", as tickets.list reads its range.
std::optional<Timestamp> Time(const json::object& request, std::string_view field, FieldChecker& check) {
  const json::value* value = request.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  std::optional<Timestamp> parsed =
      value->is_string() ? ParseTimestamp(std::string_view(value->get_string())) : std::nullopt;
  if (!parsed) check.Add(field, field_code::kInvalid);
  return parsed;
}

json::value OptionalJson(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::value OptionalJson(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object EntryJson(const AuditEntry& e) {
  return json::object{{"id", e.id},
                      {"tenant_id", e.tenant_id},
                      {"customer_id", OptionalJson(e.customer_id)},
                      {"actor_user_id", OptionalJson(e.actor_user_id)},
                      {"action", e.action},
                      {"outcome", e.outcome},
                      {"target", OptionalJson(e.target)},
                      {"details", e.details},
                      {"ip_address", OptionalJson(e.ip_address)},
                      {"trace_id", e.trace_id},
                      {"at", FormatTimestamp(e.at)},
                      {"prev_hash", e.prev_hash},
                      {"hash", e.hash}};
}

}  // namespace

Result<Reply> AuditListMethod(Engines& engines, const RequestContext& context, const json::object& request) {
  RequestReader reader(request);
  FieldChecker check;
  AuditFilter filter;
  filter.action = reader.OptionalString("action", kActionBytes);
  filter.actor_user_id = reader.OptionalId("actor_user_id");
  filter.from = Time(request, "from", check);
  filter.to = Time(request, "to", check);
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(check.Take()); !status.ok()) return status;
  auto result = engines.audit.List(context, filter, page);
  if (!result.ok()) return result.status();
  json::array items;
  items.reserve(result->items.size());
  for (const auto& entry : result->items) items.push_back(EntryJson(entry));
  return Reply{std::move(items), Pagination{page.page, page.size, result->total}};
}

// The whole chain of the caller's tenant: the request has nothing to choose.
Result<Reply> AuditVerifyMethod(Engines& engines, const RequestContext& context, const json::object& /*request*/) {
  auto result = engines.audit.Verify(context);
  if (!result.ok()) return result.status();
  return Reply{json::object{{"entries", result->entries},
                            {"intact", !result->first_broken_id.has_value()},
                            {"first_broken_id", OptionalJson(result->first_broken_id)}},
               std::nullopt};
}

}  // namespace selfservice
