#include <map>
#include <mutex>
#include <utility>

#include "core/logging.hpp"
#include "engine/engines.hpp"

namespace selfservice {
namespace {

// A KnowledgeSource whose Changes() goes through the breaker, so that a sync counts one outcome
// per request (each bounded by the source's timeout, which is the breaker's slow-call duration),
// exactly as a forwarded vote does; a sync of many pages is never mistaken for one slow call.
class GuardedChanges final : public KnowledgeSource {
 public:
  GuardedChanges(KnowledgeSource& source, CircuitBreaker& breaker) : source_(source), breaker_(breaker) {}

  std::string_view name() const override { return source_.name(); }

  Result<ChangeBatch> Changes(const Scope& scope, std::optional<std::string> cursor, int limit) override {
    Status failure;
    Result<Guarded<ChangeBatch>> answer = Guard(
        breaker_,
        [&]() -> Result<ChangeBatch> {
          Result<ChangeBatch> batch = source_.Changes(scope, cursor, limit);
          if (!batch.ok()) failure = batch.status();
          return batch;
        },
        // Not a substitute answer: the source's own failure, or the breaker's refusal.
        [&]() -> Result<ChangeBatch> {
          if (!failure.ok()) return failure;
          return Status::Error(ErrorCode::kSearchUnavailable,
                               "knowledge source: circuit breaker " + std::string(breaker_.name()) + " is open",
                               true);
        });
    if (!answer.ok()) return answer.status();
    return std::move(answer->value);
  }

  Result<std::vector<KnowledgeArticle>> Recommendations(const Scope& scope,
                                                        const RecommendationRequest& request) override {
    return source_.Recommendations(scope, request);
  }

  // ForwardVote() guards feedback itself.
  Status SendFeedback(const Scope& scope, std::string_view external_id, bool helpful) override {
    return source_.SendFeedback(scope, external_id, helpful);
  }

 private:
  KnowledgeSource& source_;
  CircuitBreaker& breaker_;
};

}  // namespace

struct KnowledgeSourceEngine::State {
  State(KnowledgeSource& source, CircuitBreaker& breaker) : guarded(source, breaker) {}

  GuardedChanges guarded;
  std::mutex mutex;
  // The cursor each tenant's last sync in this process ended at, by tenant: the stored one, or
  // the only one when the store refused it. Guarded by mutex.
  std::map<std::int64_t, std::string> cursors;
};

KnowledgeSourceEngine::KnowledgeSourceEngine(KnowledgeSource& source, CircuitBreaker& breaker,
                                             KnowledgeRepository& articles, RemoteStateRepository& cursors,
                                             const Clock& clock, SyncOptions options)
    : source_(source),
      breaker_(breaker),
      articles_(articles),
      cursors_(cursors),
      clock_(clock),
      sync_(options),
      state_(std::make_unique<State>(source, breaker)) {}

KnowledgeSourceEngine::~KnowledgeSourceEngine() = default;

Result<SyncReport> KnowledgeSourceEngine::Sync(const RequestContext& context, std::optional<std::string> cursor) {
  const Scope scope(context);
  if (!cursor) {
    std::lock_guard lock(state_->mutex);
    if (auto found = state_->cursors.find(scope.tenant_id()); found != state_->cursors.end()) cursor = found->second;
  }
  if (!cursor) {
    Result<std::optional<SyncCursor>> stored = cursors_.FindSyncCursor(scope, source_.name());
    if (!stored.ok()) return stored.status();
    if (*stored) cursor = std::move((*stored)->cursor);
  }
  Result<SyncReport> report = sync_.SyncOnce(scope, state_->guarded, articles_, std::move(cursor));
  if (!report.ok()) return report;
  if (!report->interrupted_by.ok()) {
    Log().warn("knowledge sync of tenant {} interrupted: {}", scope.tenant_id(), report->interrupted_by.detail());
  }
  {
    std::lock_guard lock(state_->mutex);
    state_->cursors[scope.tenant_id()] = report->next_cursor;
  }
  const SyncCursor next{std::string(source_.name()), report->next_cursor, Timestamp{clock_.NowMillis()}};
  if (Status saved = cursors_.SaveSyncCursor(scope, next); !saved.ok()) {
    Log().error("knowledge sync of tenant {}: cursor kept in memory only, not stored ({})", scope.tenant_id(),
                saved.detail());
  }
  return report;
}

VoteForwarding KnowledgeSourceEngine::Forward(const RequestContext& context, const KnowledgeArticle& article,
                                              bool helpful) {
  return ForwardVote(breaker_, source_, Scope(context), article, helpful);
}

}  // namespace selfservice
