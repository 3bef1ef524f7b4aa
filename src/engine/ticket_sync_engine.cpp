#include "engine/ticket_sync_engine.hpp"

#include <utility>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"
#include "domain/lifecycle.hpp"
#include "ticket_system/ticket_json.hpp"

namespace selfservice {
namespace {

namespace json = boost::json;

// The portal's side of the sync: the support side of the ticket's tenant, as actor 0.
RequestContext SyncActor(std::int64_t tenant_id) {
  RequestContext context;
  context.tenant_id = tenant_id;
  context.user_id = 0;
  context.roles = static_cast<unsigned>(Role::kPlatformAdmin);
  return context;
}

// Not a failure of the service (CountsAsFailure is false): the relay abandons the item at once.
Status BadPayload() {
  return Status::InvalidField("payload", field_code::kInvalid);
}

std::optional<json::object> ParsePayload(const OutboxItem& item) {
  boost::system::error_code ec;
  json::value payload = json::parse(item.payload, ec);
  if (ec || !payload.is_object()) return std::nullopt;
  return std::move(payload.get_object());
}

std::optional<std::string> Text(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::string ItemCode(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kTransitionNotAllowed: return "TRANSITION_NOT_ALLOWED";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kInvalidArgument: return "INVALID_ITEM";
    default: return "FAILED";
  }
}

// The status of either kind of outcome, for ThroughBreaker.
const Status& StatusOf(const Status& status) {
  return status;
}
template <typename T>
Status StatusOf(const Result<T>& result) {
  return result.status();
}

// `call` through the breaker: refused at once while it is open; the outcome counted as
// CountsAsFailure() says.
template <typename Call>
auto ThroughBreaker(CircuitBreaker& breaker, Call call) -> decltype(call()) {
  if (!breaker.TryAcquirePermission()) {
    return Status::Error(ErrorCode::kDatabaseUnavailable, "req-003 breaker open", true);
  }
  const std::int64_t start = breaker.clock().NowMillis();
  auto outcome = call();
  const std::int64_t duration = breaker.clock().NowMillis() - start;
  if (!outcome.ok() && CountsAsFailure(StatusOf(outcome))) {
    breaker.OnFailure(duration);
  } else {
    breaker.OnSuccess(duration);
  }
  return outcome;
}

}  // namespace

std::optional<TicketStatus> MapRemoteStatus(std::string_view status) {
  if (auto own = ParseEnum<TicketStatus>(status)) return own;
  static constexpr std::pair<std::string_view, TicketStatus> kChinese[] = {
      {"新建", TicketStatus::new_},          {"已受理", TicketStatus::open},
      {"处理中", TicketStatus::in_progress}, {"等待客户", TicketStatus::pending_customer},
      {"已解决", TicketStatus::resolved},    {"已关闭", TicketStatus::closed},
      {"重新打开", TicketStatus::reopened},
  };
  for (const auto& [name, value] : kChinese) {
    if (name == status) return value;
  }
  return std::nullopt;
}

TicketSyncEngine::TicketSyncEngine(Store& store, TicketSystem& system, CircuitBreaker& breaker,
                                   OutboxRelay& outbox, const Clock& clock)
    : store_(store), system_(system), breaker_(breaker), outbox_(outbox), clock_(clock) {
  outbox_.Register(kCreateTopic,
                   [this](const Scope& scope, const OutboxItem& item) { return DeliverCreate(scope, item); });
  outbox_.Register(kUpdateTopic,
                   [this](const Scope& scope, const OutboxItem& item) { return DeliverUpdate(scope, item); });
}

void TicketSyncEngine::AddOutboxItems(const TicketChange& change, std::vector<OutboxItem>& items) const {
  if (change.actor_id == 0) return;  // the sync's own move: the service made it
  OutboxItem item;
  item.topic = kCreateTopic;
  item.idempotency_key = "ticket-" + std::to_string(change.ticket_id);
  json::object payload{{"ticket_id", change.ticket_id}};
  if (change.from) {
    // One key per move: the ticket, the status it entered and when.
    item.topic = kUpdateTopic;
    item.idempotency_key += "-" + std::string(EnumName(change.to)) + "-" + std::to_string(change.at.millis);
    payload["status"] = EnumName(change.to);
    if (change.comment) payload["comment"] = *change.comment;
  }
  item.payload = json::serialize(payload);
  item.created_at = item.next_attempt_at = change.at;
  items.push_back(std::move(item));
}

void TicketSyncEngine::AddOutboxItems(const TicketUpdate& stored, const TicketPatch& patch,
                                      std::vector<OutboxItem>& items) const {
  json::object payload{{"ticket_id", stored.ticket.id}};
  if (patch.comment && !stored.appended.empty()) payload["comment"] = *patch.comment;
  if (patch.priority) payload["priority"] = *patch.priority;
  if (patch.contact) {
    payload["contact"] = json::object{
        {"email", patch.contact->email ? json::value(*patch.contact->email) : json::value(nullptr)},
        {"phone", patch.contact->phone ? json::value(*patch.contact->phone) : json::value(nullptr)}};
  }
  if (payload.size() == 1) return;
  OutboxItem item;
  item.topic = kUpdateTopic;
  // The comment's event id when there is one, else the moment of the change.
  item.idempotency_key = "ticket-" + std::to_string(stored.ticket.id) + "-update-" +
                         (stored.appended.empty() ? std::to_string(stored.ticket.updated_at.millis)
                                                  : "event-" + std::to_string(stored.appended.front().id));
  item.payload = json::serialize(payload);
  item.created_at = item.next_attempt_at = Timestamp{clock_.NowMillis()};
  items.push_back(std::move(item));
}

Status TicketSyncEngine::DeliverCreate(const Scope& scope, const OutboxItem& item) {
  const std::optional<json::object> payload = ParsePayload(item);
  const json::value* id = payload ? payload->if_contains("ticket_id") : nullptr;
  if (id == nullptr || !id->is_int64()) return BadPayload();
  const RequestContext sync = SyncActor(scope.tenant_id());
  auto ticket = store_.tickets().Get(Scope(sync), id->get_int64());
  if (!ticket.ok()) return ticket.status();
  if (ticket->external_id) return Status::Ok();  // delivered before; the mark was lost
  RemoteTicketDraft draft;
  draft.local_id = ticket->id;
  draft.customer_id = ticket->customer_id;
  draft.user_id = ticket->user_id;
  draft.title = ticket->title;
  draft.description = ticket->description;
  draft.category = ticket->category;
  draft.priority = ticket->priority;
  draft.contact_email = ticket->contact_email;
  draft.contact_phone = ticket->contact_phone;
  Result<std::string> external_id =
      ThroughBreaker(breaker_, [&] { return system_.CreateTicket(scope, draft, item.idempotency_key); });
  if (!external_id.ok()) return external_id.status();
  auto stored = store_.tickets().Update(Scope(sync), ticket->id, [&](Ticket& row, std::vector<TicketEvent>&) {
    if (!row.external_id) row.external_id = *external_id;
    return Status::Ok();
  });
  return stored.status();
}

Status TicketSyncEngine::DeliverUpdate(const Scope& scope, const OutboxItem& item) {
  const std::optional<json::object> payload = ParsePayload(item);
  const json::value* id = payload ? payload->if_contains("ticket_id") : nullptr;
  if (id == nullptr || !id->is_int64()) return BadPayload();
  auto ticket = store_.tickets().Get(Scope(SyncActor(scope.tenant_id())), id->get_int64());
  if (!ticket.ok()) return ticket.status();
  // The creation is still in the outbox: wait for it (the backoff spaces the attempts).
  if (!ticket->external_id) {
    return Status::Error(ErrorCode::kDatabaseUnavailable,
                         "req-003 update: the ticket is not created there yet", true);
  }
  RemoteTicketChanges changes;
  changes.comment = Text(*payload, "comment");
  if (const json::value* priority = payload->if_contains("priority"); priority && priority->is_int64()) {
    changes.priority = static_cast<int>(priority->get_int64());
  }
  if (const json::value* contact = payload->if_contains("contact"); contact && contact->is_object()) {
    changes.contact = RemoteTicketChanges::Contact{Text(contact->get_object(), "email"),
                                                   Text(contact->get_object(), "phone")};
  }
  if (auto status = Text(*payload, "status")) changes.status = ParseEnum<TicketStatus>(*status);
  return ThroughBreaker(breaker_, [&] {
    return system_.UpdateTicket(scope, *ticket->external_id, changes, item.idempotency_key);
  });
}

void TicketSyncEngine::ApplyOne(const RequestContext& sync, TicketEngine& tickets,
                                const RemoteTicketState& state, TicketSyncReport& report) {
  const auto fail = [&](std::string code, std::string reason) {
    ++report.failed;
    report.errors.push_back({state.external_id, std::move(code), std::move(reason)});
  };
  const std::optional<TicketStatus> to = MapRemoteStatus(state.status);
  if (!to) return fail("UNKNOWN_STATUS", "status '" + state.status + "' has no counterpart");
  auto ticket = store_.tickets().FindByExternalId(Scope(sync), state.external_id);
  if (!ticket.ok()) return fail(ItemCode(ticket.status()), "no ticket of this tenant has this external id");
  if (ticket->remote_updated_at && state.updated_at.millis < ticket->remote_updated_at->millis) {
    ++report.stale;  // a late webhook: a newer state was applied already
    return;
  }
  if (ticket->status == *to) {
    ++report.skipped;
  } else {
    // The service is the record: a status the lifecycle reaches in several moves (webhooks that
    // were lost, or a poll that sees only the latest state) is reached move by move.
    const std::vector<TicketStatus> path = TicketPath(ticket->status, *to);
    if (path.empty()) {
      return fail("TRANSITION_NOT_ALLOWED", "the lifecycle has no way from " + std::string(EnumName(ticket->status)) +
                                                " to " + std::string(EnumName(*to)));
    }
    for (TicketStatus step : path) {
      auto moved = tickets.Transition(sync, ticket->id, step, step == *to ? state.comment : std::nullopt);
      if (!moved.ok()) return fail(ItemCode(moved.status()), moved.status().detail());
    }
    ++report.applied;
  }
  auto remembered = store_.tickets().Update(Scope(sync), ticket->id, [&](Ticket& row, std::vector<TicketEvent>&) {
    if (!row.remote_updated_at || row.remote_updated_at->millis < state.updated_at.millis) {
      row.remote_updated_at = state.updated_at;
    }
    return Status::Ok();
  });
  if (!remembered.ok()) {
    Log().warn("req-003: could not record the state time of ticket {}: {}", ticket->id,
               remembered.status().detail());
  }
}

TicketSyncReport TicketSyncEngine::Apply(const RequestContext& context, TicketEngine& tickets,
                                         const std::vector<RemoteTicketState>& states) {
  TicketSyncReport report;
  const RequestContext sync = SyncActor(context.tenant_id);
  for (const RemoteTicketState& state : states) ApplyOne(sync, tickets, state, report);
  return report;
}

Result<TicketSyncReport> TicketSyncEngine::Poll(const RequestContext& context, TicketEngine& tickets) {
  const Scope scope(context);
  auto stored = store_.remote_state().FindSyncCursor(scope, ticket_system::kSourceName);
  if (!stored.ok()) return stored.status();
  std::optional<std::string> cursor;
  if (*stored) cursor = (*stored)->cursor;
  TicketSyncReport report;
  const RequestContext sync = SyncActor(context.tenant_id);
  for (int page = 0; page < kMaxPollPages; ++page) {
    auto batch = ThroughBreaker(breaker_, [&] { return system_.Changes(scope, cursor, kPollPageSize); });
    if (!batch.ok()) {
      if (page == 0) return batch.status();
      Log().warn("req-003 poll stopped after {} pages: {}", page, batch.status().detail());
      break;
    }
    for (const RemoteTicketError& error : batch->errors) {
      ++report.failed;
      report.errors.push_back({error.external_id, "INVALID_ITEM", error.reason});
    }
    for (const RemoteTicketState& state : batch->tickets) ApplyOne(sync, tickets, state, report);
    cursor = batch->next_cursor;
    if (!cursor->empty()) {
      SyncCursor saved{std::string(ticket_system::kSourceName), *cursor, Timestamp{clock_.NowMillis()}};
      if (Status status = store_.remote_state().SaveSyncCursor(scope, saved); !status.ok()) return status;
    }
    report.more = batch->more;
    if (!batch->more) break;
  }
  report.next_cursor = cursor.value_or("");
  return report;
}

}  // namespace selfservice
