#include <algorithm>

#include "core/logging.hpp"
#include "domain/rules.hpp"
#include "engine/engines.hpp"
#include "search/synonyms.hpp"

namespace selfservice {

Result<SearchResult> SearchEngine::Query(const RequestContext& context, SearchQuery query) {
  std::string keywords = query.text;
  auto result = Find(context, std::move(query));
  if (!result.ok()) return result.status();

  // The answer matters more than its record: a failed record is logged, not returned.
  if (Status recorded = RecordSearchEvent(events_, context, ActionType::search, std::move(keywords),
                                          "results:" + std::to_string(result->total), clock_.NowMillis());
      !recorded.ok()) {
    Log().warn("search event not recorded: {}", recorded.detail());
  }
  return result;
}

Result<SearchResult> SearchEngine::Find(const RequestContext& context, SearchQuery query) {
  const Scope scope(context);
  query.expansions = search::BaseSynonyms().Expand(query.text);
  auto dictionary = store_.knowledge().ListSynonyms(scope, PageRequest{1, static_cast<int>(kMaxSynonymEntries)});
  if (!dictionary.ok()) return dictionary.status();
  if (!dictionary->items.empty()) {
    search::SynonymSet tenant;
    for (const auto& entry : dictionary->items) {
      std::vector<std::string> group = entry.synonyms;
      group.push_back(entry.term);
      tenant.AddGroup(group);
    }
    for (auto& expansion : tenant.Expand(query.text)) {
      if (std::find(query.expansions.begin(), query.expansions.end(), expansion) == query.expansions.end()) {
        query.expansions.push_back(std::move(expansion));
      }
    }
  }
  return backend_.Search(scope, query);
}

Result<SynonymEntry> SearchEngine::SetSynonyms(const RequestContext& context, SynonymEntry entry) {
  FieldChecker check;
  check.Required("term", entry.term, 100);
  if (entry.synonyms.size() > kMaxSynonymsPerEntry) {
    check.Add("synonyms", field_code::kTooLong, {{"max", std::to_string(kMaxSynonymsPerEntry)}});
  }
  for (std::size_t i = 0; i < entry.synonyms.size(); ++i) {
    check.Required("synonyms[" + std::to_string(i) + "]", entry.synonyms[i], 100);
  }
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));
  const Scope scope(context);
  if (!entry.synonyms.empty()) {
    auto existing = store_.knowledge().ListSynonyms(scope, PageRequest{1, 1});
    if (!existing.ok()) return existing.status();
    if (existing->total >= kMaxSynonymEntries) {
      return Status::InvalidField("term", field_code::kTooLong, {{"max", std::to_string(kMaxSynonymEntries)}});
    }
  }
  entry.updated_at = Timestamp{clock_.NowMillis()};
  if (Status status = store_.knowledge().SetSynonyms(scope, entry); !status.ok()) return status;
  return entry;
}

Result<Page<SynonymEntry>> SearchEngine::ListSynonyms(const RequestContext& context, PageRequest page) {
  return store_.knowledge().ListSynonyms(Scope(context), page);
}

}  // namespace selfservice
