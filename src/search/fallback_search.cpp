#include "search/fallback_search.hpp"

#include <string>
#include <utility>

namespace selfservice::search {

Result<SearchResult> FallbackSearch::Search(const Scope& scope, const SearchQuery& query) {
  Result<Guarded<SearchResult>> answer = Guard(
      breaker_, [&] { return primary_.Search(scope, query); },
      [&] { return fallback_.Search(scope, query); });
  if (!answer.ok()) return answer.status();
  Guarded<SearchResult>& guarded = answer.value();
  SearchResult result = std::move(guarded.value);
  result.backend = std::string(guarded.degraded ? fallback_.name() : primary_.name());
  result.degraded = guarded.degraded;
  if (guarded.degraded) {
    result.fallback_reason = std::move(guarded.fallback_reason);
  } else {
    result.fallback_reason.reset();
  }
  return result;
}

}  // namespace selfservice::search
