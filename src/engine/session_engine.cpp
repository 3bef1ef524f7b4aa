#include <algorithm>

#include "core/random.hpp"
#include "domain/lifecycle.hpp"
#include "domain/rules.hpp"
#include "engine/engines.hpp"

namespace selfservice {
namespace {

// A rating read from a raw request value: an integer from 1 to 5.
Status ReadScore(const std::optional<boost::json::value>& raw, int& score) {
  if (!raw || raw->is_null()) return Status::InvalidField("score", field_code::kRequired);
  if (!raw->is_int64()) return Status::InvalidField("score", field_code::kInvalid);
  const std::int64_t value = raw->get_int64();
  if (value < 1 || value > 5) {
    return Status::InvalidField("score", field_code::kOutOfRange, {{"min", "1"}, {"max", "5"}});
  }
  score = static_cast<int>(value);
  return Status::Ok();
}

Status ReadComment(const std::optional<boost::json::value>& raw, std::optional<std::string>& comment) {
  if (!raw || raw->is_null()) return Status::Ok();
  if (!raw->is_string()) return Status::InvalidField("comment", field_code::kInvalid);
  if (raw->get_string().size() > 65535) {
    return Status::InvalidField("comment", field_code::kTooLong, {{"max", "65535"}});
  }
  comment = std::string(raw->get_string());
  return Status::Ok();
}

}  // namespace

Session SessionEngine::Live(Session session) const {
  // While a session is open its duration grows; once ended it is fixed at ended_at - created_at.
  if (!session.ended_at) {
    session.session_duration = std::max<std::int64_t>(0, (clock_.NowMillis() - session.created_at.millis) / 1000);
  }
  return session;
}

Result<Session> SessionEngine::Start(const RequestContext& context, SessionType type,
                                     std::string initial_question,
                                     std::optional<boost::json::value> session_context) {
  const std::int64_t now = clock_.NowMillis();
  Session session;
  session.session_id = "sess_" + RandomHex(12);
  session.tenant_id = context.tenant_id;
  session.customer_id = context.customer_id;
  session.user_id = context.user_id;
  session.session_type = type;
  session.initial_question = std::move(initial_question);
  session.session_context = std::move(session_context);
  // A question asked at the start is the diagram's "user asks": the session is under way.
  session.state = session.initial_question.empty() ? SessionState::not_started : SessionState::in_progress;
  session.resolution_status = ResolutionStatus::pending;
  session.created_at = session.updated_at = Timestamp{now};
  if (auto errors = Validate(session); !errors.empty()) return Status::Invalid(std::move(errors));
  return store_.sessions().Create(Scope(context), std::move(session));
}

Result<Session> SessionEngine::Get(const RequestContext& context, const std::string& session_id) {
  auto session = store_.sessions().Get(Scope(context), session_id);
  if (!session.ok()) return session.status();
  return Live(std::move(session).value());
}

Result<Page<Session>> SessionEngine::List(const RequestContext& context, const SessionFilter& filter,
                                          PageRequest page) {
  auto result = store_.sessions().List(Scope(context), filter, page);
  if (!result.ok()) return result.status();
  for (auto& session : result->items) session = Live(std::move(session));
  return result;
}

Result<Session> SessionEngine::Transition(const RequestContext& context, const TransitionRequest& request) {
  const std::int64_t now = clock_.NowMillis();
  auto update = store_.sessions().Update(
      Scope(context), request.session_id, [&](Session& session, std::vector<Interaction>&) -> Status {
        if (!SessionTransitionAllowed(session.state, request.to)) {
          return Status::TransitionNotAllowed(EnumName(session.state), EnumName(request.to));
        }
        // Timing out (sessions.sweep) and closing an escalated session (its ticket is done) are the
        // system's moves, made by the host as platform_admin, not the customer's.
        const bool system_move = request.to == SessionState::timed_out || request.to == SessionState::closed;
        if (system_move && !context.has(Role::kPlatformAdmin)) {
          return Status::PermissionDenied("session move reserved to the platform");
        }
        if (request.resolution_status && !request.resolution_status->is_null()) {
          const auto& raw = *request.resolution_status;
          auto parsed = raw.is_string() ? ParseEnum<ResolutionStatus>(std::string_view(raw.get_string())) : std::nullopt;
          if (!parsed || *parsed != ResolutionFor(request.to)) {
            return Status::InvalidField("resolution_status", field_code::kInvalid);
          }
        }
        if (request.to == SessionState::in_progress && session.initial_question.empty()) {
          const auto& raw = request.initial_question;
          if (!raw || raw->is_null()) return Status::InvalidField("initial_question", field_code::kRequired);
          if (!raw->is_string()) return Status::InvalidField("initial_question", field_code::kInvalid);
          if (IsBlank(raw->get_string())) return Status::InvalidField("initial_question", field_code::kRequired);
          session.initial_question = std::string(raw->get_string());
        }
        if (request.to == SessionState::rated) {
          int score = 0;
          std::optional<std::string> comment;
          if (Status status = ReadScore(request.score, score); !status.ok()) return status;
          if (Status status = ReadComment(request.comment, comment); !status.ok()) return status;
          session.satisfaction_score = score;
          if (comment) session.feedback_content = std::move(comment);
        }
        if (auto errors = Validate(session); !errors.empty()) return Status::Invalid(std::move(errors));
        return ApplySessionTransition(session, request.to, now);
      });
  if (!update.ok()) return update.status();
  return Live(std::move(update->session));
}

Result<SessionUpdate> SessionEngine::AddInteraction(const RequestContext& context, Interaction interaction) {
  const std::int64_t now = clock_.NowMillis();
  interaction.tenant_id = context.tenant_id;
  interaction.created_at = Timestamp{now};
  interaction.id = 0;
  if (auto errors = Validate(interaction); !errors.empty()) return Status::Invalid(std::move(errors));
  const std::string session_id = interaction.session_id;
  auto update = store_.sessions().Update(
      Scope(context), session_id, [&](Session& session, std::vector<Interaction>& append) -> Status {
        if (!AcceptsInteractions(session.state)) {
          return Status::TransitionNotAllowed(EnumName(session.state), EnumName(SessionState::in_progress));
        }
        if (session.state == SessionState::not_started) {
          if (interaction.interaction_type != InteractionType::question) {
            return Status::InvalidField("interaction_type", field_code::kNotAllowed, {{"allowed", "question"}});
          }
          session.initial_question = *interaction.user_input;
          return ApplySessionTransition(session, SessionState::in_progress, now);
        }
        if (session.state == SessionState::paused) {
          // The user came back: paused -> in_progress, then the interaction.
          if (Status status = ApplySessionTransition(session, SessionState::in_progress, now); !status.ok()) {
            return status;
          }
        }
        session.interaction_count += 1;
        session.updated_at = Timestamp{now};
        append.push_back(interaction);
        return Status::Ok();
      });
  if (!update.ok()) return update.status();
  update->session = Live(std::move(update->session));
  return update;
}

Result<Page<Interaction>> SessionEngine::ListInteractions(const RequestContext& context,
                                                          const std::string& session_id, PageRequest page) {
  return store_.sessions().ListInteractions(Scope(context), session_id, page);
}

Result<std::int64_t> SessionEngine::Sweep(const RequestContext& context, std::int64_t idle_seconds) {
  const Scope scope(context);
  const std::int64_t now = clock_.NowMillis();
  const Timestamp idle_since{now - idle_seconds * 1000};
  std::int64_t timed_out = 0;
  constexpr int kBatch = 500;
  while (true) {
    auto ids = store_.sessions().ListIdlePaused(scope, idle_since, kBatch);
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      auto update = store_.sessions().Update(scope, id, [&](Session& session, std::vector<Interaction>&) {
        // Re-checked inside the transaction: the user may have come back since the listing.
        if (session.state != SessionState::paused || session.updated_at > idle_since) return Status::Ok();
        ++timed_out;
        return ApplySessionTransition(session, SessionState::timed_out, now);
      });
      if (!update.ok()) return update.status();
    }
    if (static_cast<int>(ids->size()) < kBatch) break;
  }
  return timed_out;
}

}  // namespace selfservice
