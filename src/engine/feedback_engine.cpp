#include "domain/lifecycle.hpp"
#include "engine/engines.hpp"

namespace selfservice {
namespace {

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
  draft.sentiment_score.reset();  // computed by the sentiment analysis, never supplied by the customer
  draft.created_at = draft.updated_at = Timestamp{now};
  if (auto errors = Validate(draft); !errors.empty()) return Status::Invalid(std::move(errors));
  const Scope scope(context);
  if (draft.related_type == RelatedType::session) {
    // Rule 3 of spec 3.3: the session must exist and be the caller's to rate.
    auto session = store_.sessions().Get(scope, *draft.related_id);
    if (!session.ok()) return session.status();
  }
  return store_.feedback().Create(scope, std::move(draft));
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
