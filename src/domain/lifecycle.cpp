#include "domain/lifecycle.hpp"

#include <algorithm>
#include <optional>

namespace selfservice {

bool SessionTransitionAllowed(SessionState from, SessionState to) {
  using S = SessionState;
  switch (from) {
    case S::not_started: return to == S::in_progress;
    case S::in_progress: return to == S::resolved || to == S::escalated || to == S::paused;
    case S::paused: return to == S::in_progress || to == S::timed_out;
    case S::resolved: return to == S::rated;
    case S::escalated: return to == S::closed;
    case S::rated:
    case S::closed:
    case S::timed_out: return false;
  }
  return false;
}

bool IsFinal(SessionState state) {
  return state == SessionState::rated || state == SessionState::closed || state == SessionState::timed_out;
}

ResolutionStatus ResolutionFor(SessionState state) {
  switch (state) {
    case SessionState::resolved:
    case SessionState::rated: return ResolutionStatus::resolved;
    case SessionState::escalated:
    case SessionState::closed: return ResolutionStatus::escalated;
    default: return ResolutionStatus::pending;
  }
}

bool AcceptsInteractions(SessionState state) {
  return state == SessionState::not_started || state == SessionState::in_progress ||
         state == SessionState::paused;
}

Status ApplySessionTransition(Session& session, SessionState to, std::int64_t now_millis) {
  if (!SessionTransitionAllowed(session.state, to)) {
    return Status::TransitionNotAllowed(EnumName(session.state), EnumName(to));
  }
  session.state = to;
  session.resolution_status = ResolutionFor(to);
  session.updated_at = Timestamp{now_millis};
  const bool ends = to == SessionState::resolved || to == SessionState::escalated || to == SessionState::timed_out;
  if (ends && !session.ended_at) {
    session.ended_at = Timestamp{now_millis};
    session.session_duration = std::max<std::int64_t>(0, (now_millis - session.created_at.millis) / 1000);
  }
  return Status::Ok();
}

bool FeedbackTransitionAllowed(FeedbackState from, FeedbackState to) {
  using F = FeedbackState;
  switch (from) {
    case F::pending: return to == F::processing;
    case F::processing: return to == F::processed || to == F::needs_info;
    case F::needs_info: return to == F::processing;
    case F::processed: return to == F::closed || to == F::reprocessing;
    case F::reprocessing: return to == F::processing;
    case F::closed: return false;
  }
  return false;
}

bool TicketTransitionAllowed(TicketStatus from, TicketStatus to) {
  using T = TicketStatus;
  switch (from) {
    case T::new_: return to == T::open;
    case T::open: return to == T::in_progress;
    case T::in_progress: return to == T::pending_customer || to == T::resolved;
    case T::pending_customer: return to == T::in_progress || to == T::resolved;
    case T::resolved: return to == T::closed || to == T::reopened;
    case T::reopened: return to == T::in_progress;
    case T::closed: return false;
  }
  return false;
}

bool IsFinal(TicketStatus status) { return status == TicketStatus::closed; }

std::vector<TicketStatus> TicketPath(TicketStatus from, TicketStatus to) {
  using T = TicketStatus;
  static constexpr T kAll[] = {T::new_, T::open, T::in_progress, T::pending_customer, T::resolved, T::closed,
                               T::reopened};
  constexpr std::size_t kCount = sizeof kAll / sizeof kAll[0];
  const auto index = [](T status) { return static_cast<std::size_t>(status); };
  // Breadth first over the seven statuses; `previous` marks the visited ones.
  std::optional<T> previous[kCount];
  std::vector<T> frontier{from};
  previous[index(from)] = from;
  for (std::size_t next = 0; next < frontier.size() && !previous[index(to)]; ++next) {
    for (T candidate : kAll) {
      if (!previous[index(candidate)] && TicketTransitionAllowed(frontier[next], candidate)) {
        previous[index(candidate)] = frontier[next];
        frontier.push_back(candidate);
      }
    }
  }
  std::vector<T> path;
  if (from == to || !previous[index(to)]) return path;
  for (T at = to; at != from; at = *previous[index(at)]) path.insert(path.begin(), at);
  return path;
}

bool CustomerMayMoveTicket(TicketStatus from, TicketStatus to) {
  return from == TicketStatus::resolved && (to == TicketStatus::closed || to == TicketStatus::reopened);
}

Status ApplyTicketTransition(Ticket& ticket, TicketStatus to, std::int64_t now_millis) {
  if (!TicketTransitionAllowed(ticket.status, to)) {
    return Status::TransitionNotAllowed(EnumName(ticket.status), EnumName(to));
  }
  ticket.status = to;
  ticket.updated_at = Timestamp{now_millis};
  if (to == TicketStatus::closed) ticket.closed_at = Timestamp{now_millis};
  return Status::Ok();
}

}  // namespace selfservice
