#include "core/logging.hpp"
#include "domain/rules.hpp"
#include "engine/engines.hpp"
#include "search/synonyms.hpp"

namespace selfservice {

Result<SearchResult> SearchEngine::Query(const RequestContext& context, SearchQuery query) {
  const Scope scope(context);
  query.expansions = search::BaseSynonyms().Expand(query.text);
  auto result = store_.search().Search(scope, query);
  if (!result.ok()) return result.status();

  BehaviorEvent event;
  event.tenant_id = context.tenant_id;
  event.customer_id = context.customer_id;
  event.user_id = context.user_id;
  event.page_path = "/search";
  event.action_type = ActionType::search;
  event.search_keywords = query.text;
  event.action_target = "results:" + std::to_string(result->total);
  event.created_at = Timestamp{clock_.NowMillis()};
  if (Validate(event).empty()) {
    // The answer matters more than its record: a failed record is logged, not returned.
    if (Status recorded = store_.analytics().Append(scope, {event}); !recorded.ok()) {
      Log().warn("search event not recorded: {}", recorded.detail());
    }
  }
  return result;
}

}  // namespace selfservice
