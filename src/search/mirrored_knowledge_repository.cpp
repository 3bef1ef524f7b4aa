#include "search/mirrored_knowledge_repository.hpp"

#include <utility>

#include "core/logging.hpp"

namespace selfservice::search {

void MirroredKnowledgeRepository::Mirror(const Scope& scope, std::string_view what,
                                         const std::function<Status()>& send, SearchIndexMiss miss) {
  std::string failure;
  try {
    Result<Guarded<bool>> answer = Guard(
        breaker_,
        [&]() -> Result<bool> {
          Status sent = send();
          if (!sent.ok()) return sent;
          return true;
        },
        []() -> Result<bool> { return false; });
    if (answer.ok() && !answer->degraded) return;
    failure = answer.ok() ? answer->fallback_reason : answer.status().detail();
  } catch (...) {
    failure = "internal error";
  }
  // Adapter details name the operation and the cluster's answer, never credentials.
  Log().warn("search index of tenant {} is behind: {} not mirrored ({})", scope.tenant_id(), what, failure);
  {
    std::lock_guard lock(mutex_);
    Marks& marks = marks_[scope.tenant_id()];
    ++marks.misses;
    marks.behind = true;
    if (miss.removed_id) marks.removed_ids.insert(*miss.removed_id);
    if (miss.removed_external_id) marks.removed_external_ids.insert(*miss.removed_external_id);
  }
  // The customer's write has succeeded: a store that cannot keep the mark costs only its
  // durability, the mark above stays until a reindex or a restart.
  miss.at = Timestamp{clock_.NowMillis()};
  Status stored;
  try {
    stored = state_.MarkSearchIndexBehind(scope, miss);
  } catch (...) {
    stored = Status::DatabaseUnavailable("internal error", false);
  }
  if (!stored.ok()) {
    Log().error("search index of tenant {}: the mark of it behind is kept in memory only, not stored ({})",
                scope.tenant_id(), stored.detail());
  }
}

Result<std::vector<UpsertOutcome>> MirroredKnowledgeRepository::UpsertMany(const Scope& scope,
                                                                           std::vector<KnowledgeArticle> articles) {
  Result<std::vector<UpsertOutcome>> outcomes = local_.UpsertMany(scope, std::move(articles));
  if (!outcomes.ok() || outcomes->empty()) return outcomes;
  std::vector<KnowledgeArticle> stored;
  stored.reserve(outcomes->size());
  for (const auto& outcome : *outcomes) stored.push_back(outcome.article);
  Mirror(scope, "upsert", [&] { return index_.Index(scope, stored); }, SearchIndexMiss{});
  return outcomes;
}

Status MirroredKnowledgeRepository::Delete(const Scope& scope, std::int64_t id) {
  Status deleted = local_.Delete(scope, id);
  if (!deleted.ok()) return deleted;
  SearchIndexMiss miss;
  miss.removed_id = id;
  Mirror(scope, "delete", [&] { return index_.Remove(scope, {id}); }, std::move(miss));
  return deleted;
}

Status MirroredKnowledgeRepository::DeleteByExternalId(const Scope& scope, std::string_view external_id) {
  Status deleted = local_.DeleteByExternalId(scope, external_id);
  if (!deleted.ok()) return deleted;
  std::string id(external_id);
  SearchIndexMiss miss;
  miss.removed_external_id = id;
  Mirror(scope, "delete", [&] { return index_.RemoveByExternalId(scope, {id}); }, std::move(miss));
  return deleted;
}

Result<ReindexReport> MirroredKnowledgeRepository::Reindex(const Scope& scope) {
  Marks before;
  {
    std::lock_guard lock(mutex_);
    if (auto found = marks_.find(scope.tenant_id()); found != marks_.end()) before = found->second;
  }
  // Stored marks that cannot be read stay stored, for the next reindex: this one sends what the
  // process remembers and every article.
  Result<SearchIndexMarks> stored = state_.FindSearchIndexMarks(scope);
  if (!stored.ok()) {
    Log().warn("search index of tenant {}: stored marks unreadable, reindexing without them ({})",
               scope.tenant_id(), stored.status().detail());
  }
  ReindexReport report;
  report.was_behind = before.behind || (stored.ok() && stored->behind);
  if (stored.ok()) {
    before.removed_ids.insert(stored->removed_ids.begin(), stored->removed_ids.end());
    before.removed_external_ids.insert(stored->removed_external_ids.begin(), stored->removed_external_ids.end());
  }
  // Deletions first: an external id deleted and later pulled again is then indexed anew below.
  const std::vector<std::int64_t> ids(before.removed_ids.begin(), before.removed_ids.end());
  const std::vector<std::string> external_ids(before.removed_external_ids.begin(),
                                              before.removed_external_ids.end());
  if (Status removed = index_.Remove(scope, ids); !removed.ok()) return removed;
  if (Status removed = index_.RemoveByExternalId(scope, external_ids); !removed.ok()) return removed;
  report.removed = static_cast<std::int64_t>(ids.size() + external_ids.size());

  for (int page = 1;; ++page) {
    Result<Page<KnowledgeArticle>> articles = local_.List(scope, KnowledgeFilter{}, PageRequest{page, kReindexPage});
    if (!articles.ok()) return articles.status();
    if (articles->items.empty()) break;
    if (Status sent = index_.Index(scope, articles->items); !sent.ok()) return sent;
    report.indexed += static_cast<std::int64_t>(articles->items.size());
    if (static_cast<std::int64_t>(page) * kReindexPage >= articles->total) break;
  }

  {
    std::lock_guard lock(mutex_);
    Marks& marks = marks_[scope.tenant_id()];
    for (std::int64_t id : ids) marks.removed_ids.erase(id);
    for (const auto& id : external_ids) marks.removed_external_ids.erase(id);
    if (marks.misses == before.misses) marks.behind = false;  // no mirror failed while this ran
  }
  // The index is caught up whatever happens here: stored marks that stay only make the next lazy
  // reindex run again.
  if (!stored.ok()) return report;
  if (Status cleared = state_.ClearSearchIndexMarks(scope, stored->misses, Timestamp{clock_.NowMillis()});
      !cleared.ok()) {
    Log().warn("search index of tenant {} reindexed, but its stored marks stay ({})", scope.tenant_id(),
               cleared.detail());
  }
  return report;
}

bool MirroredKnowledgeRepository::Behind(const Scope& scope) const {
  {
    std::lock_guard lock(mutex_);
    auto found = marks_.find(scope.tenant_id());
    if (found != marks_.end() && found->second.behind) return true;
  }
  Result<SearchIndexMarks> stored = state_.FindSearchIndexMarks(scope);
  if (!stored.ok()) {
    Log().warn("search index of tenant {}: stored marks unreadable, taken as behind ({})", scope.tenant_id(),
               stored.status().detail());
    return true;
  }
  return stored->behind;
}

}  // namespace selfservice::search
