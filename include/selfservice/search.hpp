// Knowledge search: the SearchBackend port, its query and its answer.
//
// The embedded default is the SQLite FTS5 engine of the SQLite store (Store::search()), with a
// tokenizer that reads Chinese as overlapping bigrams and English as stemmed words. Other engines
// (Elasticsearch) implement the same port; a circuit breaker can put a remote one in front of the
// local one and report the fallback as data (`degraded`, `fallback_reason`), never as an error.
//
// Thread safety: backends must be safe to use from many threads at once, and must not throw.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

struct SearchQuery {
  std::string text;                    // what the customer typed, any mix of Chinese and English
  std::optional<ArticleLang> lang;     // only articles in this language
  std::optional<std::string> category;  // only articles of this category
  std::vector<std::string> tags;       // only articles carrying every one of these tags
  // Other expressions for what the text says (synonyms), matched as well; filled by the engine
  // from the bundled list and the tenant's dictionary.
  std::vector<std::string> expansions;
  int page = 1;                        // 1-based
  int size = 10;
};

struct SearchHit {
  std::int64_t id = 0;
  std::optional<std::string> external_id;
  std::string title;
  std::string snippet;  // body text around the matches, matched terms wrapped in <mark></mark>
  std::optional<std::string> category;
  std::vector<std::string> tags;
  std::optional<std::string> url;
  ArticleLang lang = ArticleLang::zh;
  double score = 0;  // higher is better; comparable within one answer only
  // The share of the query the article holds, each term weighed by its rarity: 0 … 1. Set by the
  // local engine; 0 from engines that do not compute it.
  double coverage = 0;
};

struct SearchResult {
  std::vector<SearchHit> hits;  // best first, the requested page
  std::int64_t total = 0;       // matching articles across all pages
  // Nothing relevant enough was found: offer the customer a ticket (spec 2.3 "search no result").
  bool suggest_ticket = false;
  std::string backend;  // which engine answered: "local", "elasticsearch"
  bool degraded = false;  // a fallback engine answered instead of the configured one
  std::optional<std::string> fallback_reason;
};

class SearchBackend {
 public:
  SearchBackend() = default;
  SearchBackend(const SearchBackend&) = delete;
  SearchBackend& operator=(const SearchBackend&) = delete;
  virtual ~SearchBackend() = default;

  // For diagnostics and SearchResult::backend.
  virtual std::string_view name() const = 0;

  // Published articles of the scope's tenant that match `query`, best first.
  virtual Result<SearchResult> Search(const Scope& scope, const SearchQuery& query) = 0;
};

}  // namespace selfservice
