#include <unordered_set>

#include "domain/keywords.hpp"
#include "engine/engines.hpp"

namespace selfservice {
namespace {

constexpr PublicationStatus kVisible = PublicationStatus::published;
// Past queries offered as completions: those of the last 30 days, a week-old search counting half.
constexpr std::int64_t kSuggestionWindowMillis = 30LL * 24 * 3600 * 1000;
constexpr std::int64_t kSuggestionHalfLifeMillis = 7LL * 24 * 3600 * 1000;

bool IsAdmin(const RequestContext& context) {
  return context.has(Role::kCustomerAdmin) || context.has(Role::kPlatformAdmin);
}

}  // namespace

Result<Page<KnowledgeArticle>> BrowseEngine::Category(const RequestContext& context, std::string category,
                                                      std::optional<ArticleLang> lang, PageRequest page) {
  return store_.knowledge().List(Scope(context), KnowledgeFilter{lang, std::move(category), kVisible}, page);
}

Result<std::vector<LabelCount>> BrowseEngine::CategoryCounts(const RequestContext& context,
                                                             std::optional<ArticleLang> lang) {
  return store_.knowledge().CategoryCounts(Scope(context), lang, kVisible);
}

Result<Page<KnowledgeArticle>> BrowseEngine::Tagged(const RequestContext& context,
                                                    const std::vector<std::string>& tags,
                                                    std::optional<ArticleLang> lang, PageRequest page) {
  return store_.knowledge().ListTagged(Scope(context), tags, KnowledgeFilter{lang, std::nullopt, kVisible},
                                       page);
}

Result<std::vector<LabelCount>> BrowseEngine::TagCounts(const RequestContext& context,
                                                        std::optional<ArticleLang> lang) {
  return store_.knowledge().TagCounts(Scope(context), lang, kVisible, kMaxTagCounts);
}

Result<std::vector<std::string>> BrowseEngine::Suggestions(const RequestContext& context,
                                                           std::string_view prefix,
                                                           std::optional<ArticleLang> lang) {
  const Scope scope(context);
  const std::string normalized = NormalizeKeywords(prefix);
  if (normalized.empty()) return std::vector<std::string>{};
  auto titles = store_.knowledge().TitlesContaining(scope, normalized, lang, kVisible, kMaxSuggestions);
  if (!titles.ok()) return titles.status();
  std::vector<std::string> out = std::move(titles).value();
  if (out.size() >= static_cast<std::size_t>(kMaxSuggestions)) return out;

  std::unordered_set<std::string> seen;
  for (const auto& title : out) seen.insert(NormalizeKeywords(title));
  TrendQuery query;
  query.now = Timestamp{clock_.NowMillis()};
  query.since = Timestamp{query.now.millis - kSuggestionWindowMillis};
  query.half_life_millis = kSuggestionHalfLifeMillis;
  query.prefix = normalized;
  query.limit = kMaxSuggestions;
  auto popular = store_.analytics().TopSearches(scope, query);
  if (!popular.ok()) return popular.status();
  for (auto& trend : *popular) {
    if (out.size() >= static_cast<std::size_t>(kMaxSuggestions)) break;
    if (seen.insert(trend.keywords).second) out.push_back(std::move(trend.keywords));
  }
  return out;
}

Result<std::vector<SearchTrend>> BrowseEngine::Trending(const RequestContext& context,
                                                        const TrendRequest& request) {
  TrendQuery query;
  query.now = Timestamp{clock_.NowMillis()};
  query.since = Timestamp{query.now.millis - request.window_millis};
  query.half_life_millis = request.half_life_millis;
  query.limit = request.size;
  return store_.analytics().TopSearches(Scope(context), query);
}

Result<std::vector<SearchHit>> BrowseEngine::RelatedToArticle(const RequestContext& context, std::int64_t id,
                                                              int size) {
  const Scope scope(context);
  auto article = store_.knowledge().Get(scope, id);
  if (!article.ok()) return article.status();
  if (article->status != kVisible && !IsAdmin(context))
    return Status::NotFound("unpublished knowledge article");
  SearchQuery query;
  query.text = article->title;
  for (const auto& tag : article->tags) query.text += " " + tag;
  query.lang = article->lang;
  query.size = size + 1;  // room for the article itself
  auto found = store_.search().Search(scope, query);
  if (!found.ok()) return found.status();
  std::vector<SearchHit> hits = std::move(found->hits);
  std::erase_if(hits, [id](const SearchHit& hit) { return hit.id == id; });
  if (hits.size() > static_cast<std::size_t>(size)) hits.resize(static_cast<std::size_t>(size));
  return hits;
}

Result<std::vector<SearchHit>> BrowseEngine::RelatedToQuery(const RequestContext& context,
                                                            const SearchQuery& query) {
  auto found = store_.search().Search(Scope(context), query);
  if (!found.ok()) return found.status();
  return std::move(found->hits);
}

}  // namespace selfservice
