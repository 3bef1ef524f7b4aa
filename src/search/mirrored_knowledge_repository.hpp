// MirroredKnowledgeRepository: a KnowledgeRepository decorator that keeps an Elasticsearch index
// in step with every write of the local store (knowledge.upsert, knowledge.delete,
// knowledge.import, knowledge.sync), as LevelDB's EnvWrapper adds behaviour to the Env it wraps.
//
// The local store stays the source of truth: a write is applied there first, and only a
// successful local write is mirrored, through the search circuit breaker. A mirror that fails or
// is refused by the breaker never fails the write and loses nothing locally: the tenant is marked
// behind, its unmirrored deletions are remembered, and Reindex() catches the index up
// (docs/ELASTICSEARCH.md, "Keeping the index up to date"). The marks are stored through the
// store's RemoteStateRepository, so they outlive the process; they are also kept in memory, which
// is all that is left when even the store refuses them (logged, the write still succeeds).
//
// Thread safety: as safe as the wrapped repository, the remote-state repository and the adapter,
// which their ports require to be; the in-memory marks are guarded by a mutex. Nothing throws.

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/circuit_breaker.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/elasticsearch.hpp"
#include "selfservice/repository.hpp"

namespace selfservice::search {

// What one Reindex() did.
struct ReindexReport {
  std::int64_t indexed = 0;  // articles sent (every status: the index filters at search time)
  std::int64_t removed = 0;  // remembered deletions sent
  bool was_behind = false;   // a mirror had failed since the tenant's last successful reindex
};

class MirroredKnowledgeRepository final : public KnowledgeRepository {
 public:
  // Articles sent per page of a reindex.
  static constexpr int kReindexPage = 500;

  // None is owned: each must outlive the decorator. `state` keeps the marks across restarts;
  // `clock` dates them.
  MirroredKnowledgeRepository(KnowledgeRepository& local, ElasticsearchSearch& index, CircuitBreaker& breaker,
                              RemoteStateRepository& state, const Clock& clock)
      : local_(local), index_(index), breaker_(breaker), state_(state), clock_(clock) {}

  // Writes: the local write's answer, mirrored to the index when it succeeded.
  Result<std::vector<UpsertOutcome>> UpsertMany(const Scope& scope, std::vector<KnowledgeArticle> articles) override;
  Status Delete(const Scope& scope, std::int64_t id) override;
  Status DeleteByExternalId(const Scope& scope, std::string_view external_id) override;

  // Reads and counters (votes and views are not indexed): the local repository's.
  Result<KnowledgeArticle> Get(const Scope& scope, std::int64_t id) override { return local_.Get(scope, id); }
  Result<Page<KnowledgeArticle>> List(const Scope& scope, const KnowledgeFilter& filter, PageRequest page) override {
    return local_.List(scope, filter, page);
  }
  Result<KnowledgeArticle> Vote(const Scope& scope, std::int64_t id, bool helpful) override {
    return local_.Vote(scope, id, helpful);
  }
  Result<KnowledgeArticle> RecordView(const Scope& scope, std::int64_t id) override {
    return local_.RecordView(scope, id);
  }
  Result<Page<KnowledgeArticle>> ListTagged(const Scope& scope, const std::vector<std::string>& tags,
                                            const KnowledgeFilter& filter, PageRequest page) override {
    return local_.ListTagged(scope, tags, filter, page);
  }
  Result<std::vector<LabelCount>> CategoryCounts(const Scope& scope, std::optional<ArticleLang> lang,
                                                 PublicationStatus status) override {
    return local_.CategoryCounts(scope, lang, status);
  }
  Result<std::vector<LabelCount>> TagCounts(const Scope& scope, std::optional<ArticleLang> lang,
                                            PublicationStatus status, int limit) override {
    return local_.TagCounts(scope, lang, status, limit);
  }
  Result<std::vector<std::string>> TitlesContaining(const Scope& scope, std::string_view fragment,
                                                    std::optional<ArticleLang> lang, PublicationStatus status,
                                                    int limit) override {
    return local_.TitlesContaining(scope, fragment, lang, status, limit);
  }
  Status SetSynonyms(const Scope& scope, const SynonymEntry& entry) override {
    return local_.SetSynonyms(scope, entry);
  }
  Result<Page<SynonymEntry>> ListSynonyms(const Scope& scope, PageRequest page) override {
    return local_.ListSynonyms(scope, page);
  }

  // Sends the scope tenant's remembered deletions (stored and in memory), then every article of
  // the tenant in pages of kReindexPage, straight to the index (an administrator asked: the
  // breaker is not consulted), and clears the marks this run covered. The index's first failure
  // is the answer (20002); the marks then stay. Stored marks that cannot be read are logged and
  // left for the next run. Writes made while it runs mirror as usual.
  Result<ReindexReport> Reindex(const Scope& scope);

  // Whether a mirror of the tenant has failed since its last successful Reindex(), in this
  // process or before it (stored marks); true when the stored marks cannot be read.
  bool Behind(const Scope& scope) const;

 private:
  struct Marks {
    std::uint64_t misses = 0;  // mirrors that failed, ever: a reindex clears `behind` only if none came meanwhile
    bool behind = false;
    std::set<std::int64_t> removed_ids;
    std::set<std::string> removed_external_ids;
  };

  // Sends one mirror through the breaker; when it does not reach the index, marks the tenant
  // behind, in memory and in the store, remembering the deletion `miss` names.
  void Mirror(const Scope& scope, std::string_view what, const std::function<Status()>& send,
              SearchIndexMiss miss);

  KnowledgeRepository& local_;
  ElasticsearchSearch& index_;
  CircuitBreaker& breaker_;
  RemoteStateRepository& state_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, Marks> marks_;  // by tenant; guarded by mutex_
};

}  // namespace selfservice::search
