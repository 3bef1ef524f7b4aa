#include "dispatch/ticket_sync_methods.hpp"

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dispatch/request_reader.hpp"
#include "domain/rules.hpp"
#include "ticket_system/ticket_json.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxPayloadTickets = 1000;

// The tickets of a webhook's body: one ticket, a list of them, {"items": [...]}, or any of these
// as the `data` of the unified envelope.
const json::value* Unwrap(const json::value& payload) {
  const json::value* body = &payload;
  if (const json::object* object = body->if_object()) {
    if (const json::value* data = object->if_contains("data"); data && !data->is_null()) body = data;
  }
  if (const json::object* object = body->if_object()) {
    if (const json::value* items = object->if_contains("items"); items && items->is_array()) body = items;
  }
  return body;
}

json::object ReportJson(const TicketSyncReport& report) {
  json::array errors;
  for (const auto& error : report.errors) {
    errors.push_back(
        json::object{{"external_id", error.external_id}, {"code", error.code}, {"reason", error.reason}});
  }
  json::object data{{"applied", report.applied},
                    {"skipped", report.skipped},
                    {"stale", report.stale},
                    {"failed", report.failed},
                    {"errors", std::move(errors)}};
  if (report.next_cursor) {
    data["next_cursor"] = *report.next_cursor;
    data["more"] = report.more;
  }
  return data;
}

}  // namespace

Result<Reply> TicketSyncMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  std::optional<json::value> payload = reader.Raw("payload");
  if (payload && payload->is_null()) payload.reset();
  const json::value* poll_value = r.if_contains("poll");
  bool poll = false;
  FieldChecker check;
  if (poll_value != nullptr && !poll_value->is_null()) {
    if (poll_value->is_bool()) {
      poll = poll_value->get_bool();
    } else {
      check.Add("poll", field_code::kInvalid);
    }
  }
  const json::value* tickets = payload ? Unwrap(*payload) : nullptr;
  if (tickets != nullptr && !tickets->is_object() && !tickets->is_array()) {
    check.Add("payload", field_code::kInvalid);
  } else if (tickets != nullptr && tickets->is_array() && tickets->get_array().size() > kMaxPayloadTickets) {
    check.Add("payload", field_code::kOutOfRange,
              {{"min", "1"}, {"max", std::to_string(kMaxPayloadTickets)}});
  }
  if (std::vector<FieldError> errors = check.Take(); !errors.empty())
    return Status::Invalid(std::move(errors));
  if (Status status = reader.Finish(); !status.ok()) return status;
  if (e.ticket_sync == nullptr) return Status::NotConfigured("ticket_system");
  if ((tickets != nullptr) == poll)
    return Status::InvalidField("payload", field_code::kRequired);  // exactly one

  if (poll) {
    auto report = e.ticket_sync->Poll(c, e.tickets);
    if (!report.ok()) return report.status();
    return Reply{ReportJson(*report), std::nullopt};
  }
  std::vector<RemoteTicketState> states;
  TicketSyncReport unreadable;
  const auto read = [&](const json::value& item) {
    auto parsed = ticket_system::ParseTicketState(item);
    if (auto* state = std::get_if<RemoteTicketState>(&parsed)) {
      states.push_back(std::move(*state));
    } else {
      const auto& error = std::get<RemoteTicketError>(parsed);
      ++unreadable.failed;
      unreadable.errors.push_back({error.external_id, "INVALID_ITEM", error.reason});
    }
  };
  if (tickets->is_array()) {
    for (const json::value& item : tickets->get_array()) read(item);
  } else {
    read(*tickets);
  }
  TicketSyncReport report = e.ticket_sync->Apply(c, e.tickets, states);
  report.failed += unreadable.failed;
  report.errors.insert(report.errors.begin(), unreadable.errors.begin(), unreadable.errors.end());
  return Reply{ReportJson(report), std::nullopt};
}

}  // namespace selfservice
