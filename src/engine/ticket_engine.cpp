#include "engine/ticket_engine.hpp"

#include <utility>
#include <vector>

#include "core/logging.hpp"
#include "domain/lifecycle.hpp"
#include "domain/rules.hpp"

namespace selfservice {
namespace {

// The caller as a customer_user: the scope of what the caller owns, whatever its roles (a
// customer_admin escalates its own sessions, not a colleague's).
Scope OwnScope(const RequestContext& context) {
  RequestContext own = context;
  own.roles = static_cast<unsigned>(Role::kCustomerUser);
  return Scope(own);
}

Status CheckComment(const std::optional<std::string>& comment) {
  if (comment && comment->size() > kTextBytes) {
    return Status::InvalidField("comment", field_code::kTooLong, {{"max", std::to_string(kTextBytes)}});
  }
  return Status::Ok();
}

std::vector<FieldError> ValidateDraft(const TicketDraft& d) {
  FieldChecker check;
  check.MaxChars("title", d.title, 200);
  check.MaxBytes("description", d.description, kTextBytes);
  check.MaxChars("category", d.category, 100);
  check.Range("priority", d.priority, 1, 3);
  check.MaxChars("contact.email", d.contact_email, 255);
  check.Format("contact.email", d.contact_email, IsEmail);
  check.MaxChars("contact.phone", d.contact_phone, 20);
  check.Format("contact.phone", d.contact_phone, IsPhone);
  check.MaxChars("session_id", d.session_id, 64);
  return check.Take();
}

// Validate(Ticket) names the columns; the API names the contact's parts inside `contact`.
Status InvalidTicket(std::vector<FieldError> errors) {
  for (auto& error : errors) {
    if (error.field == "contact_email") error.field = "contact.email";
    if (error.field == "contact_phone") error.field = "contact.phone";
  }
  return Status::Invalid(std::move(errors));
}

TicketChange ChangeOf(const Ticket& ticket, std::optional<TicketStatus> from, const std::optional<std::string>& comment,
                      std::int64_t actor_id) {
  TicketChange change;
  change.tenant_id = ticket.tenant_id;
  change.customer_id = ticket.customer_id;
  change.user_id = ticket.user_id;
  change.ticket_id = ticket.id;
  change.external_id = ticket.external_id;
  change.title = ticket.title;
  change.from = from;
  change.to = ticket.status;
  change.comment = comment;
  change.actor_id = actor_id;
  change.at = ticket.updated_at;
  change.contact_email = ticket.contact_email;
  change.contact_phone = ticket.contact_phone;
  change.locale = ticket.locale.value_or(Locale::kZhCN);
  return change;
}

TicketEvent Event(TicketEventType type, const RequestContext& context, std::int64_t now) {
  TicketEvent event;
  event.event_type = type;
  event.actor_id = context.user_id;
  event.created_at = Timestamp{now};
  return event;
}

}  // namespace

Status TicketEngine::CheckEscalation(const RequestContext& context, const std::string& session_id) {
  auto session = store_.sessions().Get(OwnScope(context), session_id);
  if (!session.ok()) return session.status();
  const SessionState state = session->state;
  if (state == SessionState::in_progress || state == SessionState::paused || state == SessionState::escalated) {
    return Status::Ok();
  }
  return Status::TransitionNotAllowed(EnumName(state), EnumName(SessionState::escalated));
}

void TicketEngine::Escalate(const RequestContext& context, const std::string& session_id, std::int64_t now) {
  auto escalated = store_.sessions().Update(
      OwnScope(context), session_id, [&](Session& session, std::vector<Interaction>&) -> Status {
        if (session.state == SessionState::escalated) return Status::Ok();
        // A paused session resumes first: the diagram has no paused -> escalated.
        if (session.state == SessionState::paused) {
          if (Status resumed = ApplySessionTransition(session, SessionState::in_progress, now); !resumed.ok()) {
            return resumed;
          }
        }
        return ApplySessionTransition(session, SessionState::escalated, now);
      });
  if (!escalated.ok()) {
    // The session moved between the check and the ticket's commit; the ticket stands.
    Log().warn("ticket escalation of session {} failed: {}", session_id, escalated.status().detail());
  }
}

void TicketEngine::CloseSession(const RequestContext& context, const std::string& session_id, std::int64_t now) {
  auto closed = store_.sessions().Update(
      Scope(context), session_id, [&](Session& session, std::vector<Interaction>&) -> Status {
        // Spec 5.2 "工单完成": escalated -> closed. A session closed by another ticket of it, or
        // never escalated, stays as it is.
        if (session.state != SessionState::escalated) return Status::Ok();
        return ApplySessionTransition(session, SessionState::closed, now);
      });
  if (!closed.ok() && closed.status().code() != ErrorCode::kNotFound) {
    Log().warn("closing session {} of a closed ticket failed: {}", session_id, closed.status().detail());
  }
}

std::vector<OutboxItem> TicketEngine::OutboxItemsOf(const TicketChange& change) const {
  std::vector<OutboxItem> items;
  if (observer_ != nullptr) observer_->AddOutboxItems(change, items);
  return items;
}

void TicketEngine::Notify(const TicketChange& change) const {
  if (observer_ != nullptr) observer_->OnTicketChanged(change);
}

Result<Ticket> TicketEngine::Create(const RequestContext& context, NewTicket request) {
  const std::int64_t now = clock_.NowMillis();
  Ticket ticket;
  ticket.tenant_id = context.tenant_id;
  ticket.customer_id = context.customer_id;
  ticket.user_id = context.user_id;
  ticket.session_id = request.session_id;
  ticket.title = std::move(request.title);
  ticket.description = std::move(request.description);
  ticket.category = std::move(request.category);
  ticket.priority = request.priority;
  ticket.status = TicketStatus::new_;
  ticket.contact_email = std::move(request.contact.email);
  ticket.contact_phone = std::move(request.contact.phone);
  ticket.created_at = ticket.updated_at = Timestamp{now};
  ticket.locale = context.locale;
  if (auto errors = Validate(ticket); !errors.empty()) return InvalidTicket(std::move(errors));
  if (ticket.session_id) {
    if (Status status = CheckEscalation(context, *ticket.session_id); !status.ok()) return status;
  }
  auto created = store_.tickets().Create(Scope(context), ticket, request.idempotency_key, [&](const TicketUpdate& stored) {
    return OutboxItemsOf(ChangeOf(stored.ticket, std::nullopt, std::nullopt, context.user_id));
  });
  if (!created.ok()) {
    if (created.status().code() != ErrorCode::kDatabaseUnavailable) return created.status();
    // Spec 8.2: the customer's input is not lost; the answer names the draft to retry from.
    TicketDraft draft;
    draft.title = ticket.title;
    draft.description = ticket.description;
    draft.category = ticket.category;
    draft.priority = ticket.priority;
    draft.contact_email = ticket.contact_email;
    draft.contact_phone = ticket.contact_phone;
    draft.session_id = ticket.session_id;
    auto saved = SaveDraft(context, std::move(draft));
    if (!saved.ok()) return created.status();
    return created.status().WithFieldError(
        FieldError{"draft_id", field_code::kDraftSaved, {{"draft_id", std::to_string(saved->id)}}});
  }
  const Ticket& stored = created->stored.ticket;
  if (stored.session_id) Escalate(context, *stored.session_id, now);
  if (created->created) Notify(ChangeOf(stored, std::nullopt, std::nullopt, context.user_id));
  return stored;
}

Result<Ticket> TicketEngine::Get(const RequestContext& context, std::int64_t id) {
  return store_.tickets().Get(Scope(context), id);
}

Result<Page<Ticket>> TicketEngine::List(const RequestContext& context, const TicketFilter& filter,
                                        PageRequest page) {
  return store_.tickets().List(Scope(context), filter, page);
}

Result<TicketUpdate> TicketEngine::Update(const RequestContext& context, std::int64_t id, const TicketPatch& patch) {
  if (Status status = CheckComment(patch.comment); !status.ok()) return status;
  const std::int64_t now = clock_.NowMillis();
  const auto mutate = [&](Ticket& ticket, std::vector<TicketEvent>& append) -> Status {
    if (IsFinal(ticket.status)) return Status::Error(ErrorCode::kTransitionNotAllowed, "a closed ticket is immutable");
    bool changed = false;
    if (patch.priority && *patch.priority != ticket.priority) {
      ticket.priority = *patch.priority;
      changed = true;
    }
    if (patch.contact) {
      changed = changed || patch.contact->email != ticket.contact_email || patch.contact->phone != ticket.contact_phone;
      ticket.contact_email = patch.contact->email;
      ticket.contact_phone = patch.contact->phone;
    }
    if (auto errors = Validate(ticket); !errors.empty()) return InvalidTicket(std::move(errors));
    if (patch.comment && !IsBlank(*patch.comment)) {
      TicketEvent comment = Event(TicketEventType::comment, context, now);
      comment.comment = patch.comment;
      append.push_back(std::move(comment));
      changed = true;
    }
    if (changed) ticket.updated_at = Timestamp{now};
    return Status::Ok();
  };
  return store_.tickets().Update(Scope(context), id, mutate, [&](const TicketUpdate& stored) {
    std::vector<OutboxItem> items;
    if (observer_ != nullptr) observer_->AddOutboxItems(stored, patch, items);
    return items;
  });
}

Result<TicketStatusView> TicketEngine::StatusOf(const RequestContext& context, std::int64_t id) {
  return store_.tickets().StatusOf(Scope(context), id);
}

Result<Page<TicketEvent>> TicketEngine::History(const RequestContext& context, std::int64_t id, PageRequest page) {
  return store_.tickets().History(Scope(context), id, page);
}

Result<TicketUpdate> TicketEngine::Transition(const RequestContext& context, std::int64_t id, TicketStatus to,
                                              std::optional<std::string> comment) {
  if (Status status = CheckComment(comment); !status.ok()) return status;
  if (comment && IsBlank(*comment)) comment.reset();
  const std::int64_t now = clock_.NowMillis();
  std::optional<TicketStatus> from;
  auto update = store_.tickets().Update(
      Scope(context), id, [&](Ticket& ticket, std::vector<TicketEvent>& append) -> Status {
        if (!TicketTransitionAllowed(ticket.status, to)) {
          return Status::TransitionNotAllowed(EnumName(ticket.status), EnumName(to));
        }
        if (!context.has(Role::kPlatformAdmin) && !CustomerMayMoveTicket(ticket.status, to)) {
          return Status::PermissionDenied("ticket move reserved to the support side");
        }
        from = ticket.status;
        TicketEvent moved = Event(TicketEventType::status_changed, context, now);
        moved.from_status = ticket.status;
        moved.to_status = to;
        moved.comment = comment;
        append.push_back(std::move(moved));
        return ApplyTicketTransition(ticket, to, now);
      },
      [&](const TicketUpdate& stored) { return OutboxItemsOf(ChangeOf(stored.ticket, from, comment, context.user_id)); });
  if (!update.ok()) return update.status();
  const Ticket& ticket = update->ticket;
  if (to == TicketStatus::closed && ticket.session_id) CloseSession(context, *ticket.session_id, now);
  Notify(ChangeOf(ticket, from, comment, context.user_id));
  return update;
}

Result<TicketDraft> TicketEngine::SaveDraft(const RequestContext& context, TicketDraft draft) {
  if (auto errors = ValidateDraft(draft); !errors.empty()) return Status::Invalid(std::move(errors));
  draft.updated_at = Timestamp{clock_.NowMillis()};
  return store_.tickets().SaveDraft(Scope(context), std::move(draft));
}

Result<Page<TicketDraft>> TicketEngine::ListDrafts(const RequestContext& context, PageRequest page) {
  return store_.tickets().ListDrafts(Scope(context), page);
}

Status TicketEngine::DeleteDraft(const RequestContext& context, std::int64_t id) {
  return store_.tickets().DeleteDraft(Scope(context), id);
}

}  // namespace selfservice
