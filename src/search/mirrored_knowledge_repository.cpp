#include "search/mirrored_knowledge_repository.hpp"

#include <utility>

#include "core/logging.hpp"

namespace selfservice::search {

void MirroredKnowledgeRepository::Mirror(const Scope& scope, std::string_view what,
                                         const std::function<Status()>& send,
                                         const std::function<void(Marks&)>& remember) {
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
  std::lock_guard lock(mutex_);
  Marks& marks = marks_[scope.tenant_id()];
  ++marks.misses;
  marks.behind = true;
  remember(marks);
}

Result<std::vector<UpsertOutcome>> MirroredKnowledgeRepository::UpsertMany(const Scope& scope,
                                                                           std::vector<KnowledgeArticle> articles) {
  Result<std::vector<UpsertOutcome>> outcomes = local_.UpsertMany(scope, std::move(articles));
  if (!outcomes.ok() || outcomes->empty()) return outcomes;
  std::vector<KnowledgeArticle> stored;
  stored.reserve(outcomes->size());
  for (const auto& outcome : *outcomes) stored.push_back(outcome.article);
  Mirror(
      scope, "upsert", [&] { return index_.Index(scope, stored); }, [](Marks&) {});
  return outcomes;
}

Status MirroredKnowledgeRepository::Delete(const Scope& scope, std::int64_t id) {
  Status deleted = local_.Delete(scope, id);
  if (!deleted.ok()) return deleted;
  Mirror(
      scope, "delete", [&] { return index_.Remove(scope, {id}); },
      [id](Marks& marks) { marks.removed_ids.insert(id); });
  return deleted;
}

Status MirroredKnowledgeRepository::DeleteByExternalId(const Scope& scope, std::string_view external_id) {
  Status deleted = local_.DeleteByExternalId(scope, external_id);
  if (!deleted.ok()) return deleted;
  std::string id(external_id);
  Mirror(
      scope, "delete", [&] { return index_.RemoveByExternalId(scope, {id}); },
      [&id](Marks& marks) { marks.removed_external_ids.insert(id); });
  return deleted;
}

Result<ReindexReport> MirroredKnowledgeRepository::Reindex(const Scope& scope) {
  Marks before;
  {
    std::lock_guard lock(mutex_);
    if (auto found = marks_.find(scope.tenant_id()); found != marks_.end()) before = found->second;
  }
  ReindexReport report;
  report.was_behind = before.behind;
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

  std::lock_guard lock(mutex_);
  Marks& marks = marks_[scope.tenant_id()];
  for (std::int64_t id : ids) marks.removed_ids.erase(id);
  for (const auto& id : external_ids) marks.removed_external_ids.erase(id);
  if (marks.misses == before.misses) marks.behind = false;  // no mirror failed while this ran
  return report;
}

bool MirroredKnowledgeRepository::Behind(std::int64_t tenant_id) const {
  std::lock_guard lock(mutex_);
  auto found = marks_.find(tenant_id);
  return found != marks_.end() && found->second.behind;
}

}  // namespace selfservice::search
