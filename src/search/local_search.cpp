// Ranking, in two steps:
//  1. FTS5 finds the published articles of the tenant that contain any query term (terms OR-ed)
//     and orders them by bm25() with column weights title > tags > category > body; the best
//     kCandidates go on.
//  2. Each candidate's score multiplies its bm25 relevance by a bonus for the share of the query
//     its title holds, every term weighted by its rarity (idf), and a mild prior from helpful
//     votes and views. (Weighing the share of the query the whole article covers scored worse on
//     the dev set than bm25 alone; see docs/SEARCH.md.)
// A query whose best article covers too little of it answers suggest_ticket (spec 2.3).

#include "search/local_search.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "search/tokenizer.hpp"
#include "storage/sqlite/rows.hpp"

namespace selfservice::search {
namespace {

constexpr int kMaxTerms = 63;  // one bit each in selfservice_matched()'s mask
constexpr int kCandidates = 300;
// Below this idf-weighted share of the query matched by the best article, suggest a ticket.
constexpr double kSuggestTicketCoverage = 0.3;
// A title that holds the query's (rarer) terms is the strongest sign that the article is about
// the question: score *= 1 + bonus * idf-weighted share of the query in the title. Measured on the
// dev set (docs/SEARCH.md): 5 beat 0.5-3 and 8-12.
constexpr double kTitleCoverageBonus = 5.0;

struct Term {
  std::string token;   // as indexed (for an expansion: its rarest term)
  std::string phrase;  // the query's own text for it, quoted for MATCH
  double idf = 0;
  bool expansion = false;  // a synonym: counts when matched, not against the article when missing
};

struct Candidate {
  std::int64_t id = 0;
  double score = 0;
  double coverage = 0;
};

std::vector<Term> QueryTerms(std::string_view text) {
  std::vector<Term> terms;
  std::unordered_set<std::string> seen;
  Tokenize(text, [&](std::string_view token, int start, int end) {
    if (static_cast<int>(terms.size()) >= kMaxTerms || !seen.insert(std::string(token)).second) return;
    // The phrase is the source text, not the term: FTS5 tokenizes it again, and a stemmed term
    // need not stem to itself.
    std::string phrase = "\"";
    for (char c : text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start))) {
      phrase += c;
      if (c == '"') phrase += '"';
    }
    phrase += '"';
    terms.push_back(Term{std::string(token), std::move(phrase), 0, false});
  });
  return terms;
}

// Every term of an expansion, for looking up how rare it is.
std::vector<std::string> ExpansionTokens(std::string_view expansion) {
  std::vector<std::string> tokens;
  Tokenize(expansion, [&](std::string_view token, int, int) { tokens.emplace_back(token); });
  return tokens;
}

std::string MatchExpression(const std::vector<Term>& terms) {
  std::string expression;
  for (const auto& term : terms) {
    if (!expression.empty()) expression += " OR ";
    expression += term.phrase;
  }
  return expression;
}

double MaskWeight(std::uint64_t mask, const std::vector<Term>& terms) {
  double weight = 0;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (mask & (std::uint64_t{1} << i)) weight += terms[i].idf;
  }
  return weight;
}

bool HasAllTags(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  return std::all_of(want.begin(), want.end(),
                     [&](const std::string& tag) { return std::find(have.begin(), have.end(), tag) != have.end(); });
}

class LocalSearch final : public SearchBackend {
 public:
  explicit LocalSearch(sqlite::Database& db) : db_(db) {}

  std::string_view name() const override { return "local"; }

  Result<SearchResult> Search(const Scope& scope, const SearchQuery& query) override {
    SearchResult result;
    result.backend = "local";
    std::vector<Term> terms = QueryTerms(query.text);
    if (terms.empty()) {
      result.suggest_ticket = true;
      return result;
    }
    return db_.Read([&](sqlite::Connection& db) -> Result<SearchResult> {
      const double documents = WeighTerms(db, terms);
      AddExpansions(db, query.expansions, documents, terms);
      double total_weight = 0;
      for (const auto& term : terms) {
        if (!term.expansion) total_weight += term.idf;
      }
      if (total_weight <= 0) {
        // None of the customer's own words is in any article: the synonyms carry the query.
        for (const auto& term : terms) total_weight += term.idf;
      }
      if (total_weight <= 0) {
        result.suggest_ticket = true;
        return result;
      }
      const std::string match = MatchExpression(terms);
      const std::optional<std::string_view> lang = query.lang ? std::optional(EnumName(*query.lang)) : std::nullopt;

      std::vector<Candidate> candidates;
      {
        sqlite::Statement s = db.Prepare(
            "SELECT a.id, bm25(knowledge_fts, 2.0, 1.0, 1.0, 1.0), selfservice_matched(knowledge_fts, -1), "
            "selfservice_matched(knowledge_fts, 0), a.helpful_votes, a.unhelpful_votes, a.views, a.tags "
            "FROM knowledge_fts JOIN knowledge_articles a ON a.id = knowledge_fts.rowid "
            "WHERE knowledge_fts MATCH ?1 AND a.tenant_id = ?2 AND a.status = 'published' "
            "AND (?3 IS NULL OR a.lang = ?3) AND (?4 IS NULL OR a.category = ?4) "
            "ORDER BY 2 LIMIT ?5");
        s.Bind(1, match).Bind(2, scope.tenant_id()).Bind(3, lang).Bind(4, query.category).Bind(5, kCandidates);
        while (s.Step()) {
          if (!query.tags.empty() && !HasAllTags(sqlite::StringArrayColumn(s, 7), query.tags)) continue;
          const double relevance = -s.Double(1);
          const double coverage = std::min(1.0, MaskWeight(static_cast<std::uint64_t>(s.Int(2)), terms) / total_weight);
          const double title = std::min(1.0, MaskWeight(static_cast<std::uint64_t>(s.Int(3)), terms) / total_weight);
          const double quality = 1.0 + 0.05 * std::log1p(static_cast<double>(s.Int(4))) -
                                 0.05 * std::log1p(static_cast<double>(s.Int(5))) +
                                 0.02 * std::log1p(static_cast<double>(s.Int(6)));
          candidates.push_back(
              Candidate{s.Int(0), relevance * (1.0 + kTitleCoverageBonus * title) * quality, coverage});
        }
      }
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
      result.total = static_cast<std::int64_t>(candidates.size());
      // An English or product word the knowledge base has never seen ("kubernetes", "ORA-12541")
      // says the question is about something the articles do not cover: it counts against the best
      // article as the rarest possible term. (A Chinese bigram in no article says little: most are
      // bigrams straddling two words.)
      double unknown_weight = 0;
      for (const auto& term : terms) {
        const bool latin = std::all_of(term.token.begin(), term.token.end(), [](char c) { return (c & 0x80) == 0; });
        if (!term.expansion && term.idf == 0 && latin) unknown_weight += Idf(documents, 0);
      }
      const double answered_share =
          candidates.empty() ? 0.0 : candidates.front().coverage * total_weight / (total_weight + unknown_weight);
      result.suggest_ticket = answered_share < kSuggestTicketCoverage;

      const std::size_t first = static_cast<std::size_t>(query.page - 1) * static_cast<std::size_t>(query.size);
      for (std::size_t i = first; i < candidates.size() && i < first + static_cast<std::size_t>(query.size); ++i) {
        sqlite::Statement s = db.Prepare(
            "SELECT a.external_id, a.title, a.category, a.tags, a.url, a.lang, "
            "snippet(knowledge_fts, 3, '<mark>', '</mark>', '…', 24) "
            "FROM knowledge_fts JOIN knowledge_articles a ON a.id = knowledge_fts.rowid "
            "WHERE knowledge_fts MATCH ?1 AND knowledge_fts.rowid = ?2");
        s.Bind(1, match).Bind(2, candidates[i].id);
        if (!s.Step()) continue;
        SearchHit hit;
        hit.id = candidates[i].id;
        hit.external_id = s.OptionalText(0);
        hit.title = s.Text(1);
        hit.category = s.OptionalText(2);
        hit.tags = sqlite::StringArrayColumn(s, 3);
        hit.url = s.OptionalText(4);
        hit.lang = sqlite::EnumColumn(s, 5, ArticleLang::zh);
        hit.snippet = s.Text(6);
        hit.score = candidates[i].score;
        result.hits.push_back(std::move(hit));
      }
      return result;
    });
  }

 private:
  static double DocumentFrequency(sqlite::Connection& db, const std::string& token) {
    sqlite::Statement s = db.Prepare("SELECT doc FROM knowledge_vocab WHERE term = ?1");
    s.Bind(1, token);
    return s.Step() ? static_cast<double>(s.Int(0)) : 0.0;
  }

  static double Idf(double documents, double df) { return std::log(1.0 + (documents - df + 0.5) / (df + 0.5)); }

  // Sets the idf of every term over the whole index (all tenants: the statistics only shape the
  // ranking) and returns the number of articles.
  static double WeighTerms(sqlite::Connection& db, std::vector<Term>& terms) {
    double documents = 0;
    {
      sqlite::Statement s = db.Prepare("SELECT count(*) FROM knowledge_articles");
      if (s.Step()) documents = static_cast<double>(s.Int(0));
    }
    for (auto& term : terms) {
      const double df = DocumentFrequency(db, term.token);
      // A term no article contains cannot tell articles apart; often it is a bigram straddling
      // two Chinese words ("器连" in "服务器连不上"), and weighing it would only shrink every
      // article's coverage.
      term.idf = df == 0 ? 0.0 : Idf(documents, df);
    }
    return documents;
  }

  // Adds the synonyms as phrases. One that cannot match (a term in no article) or that is too
  // common to tell articles apart (in more than kMaxExpansionShare of them) is left out.
  static void AddExpansions(sqlite::Connection& db, const std::vector<std::string>& expansions, double documents,
                            std::vector<Term>& terms) {
    constexpr double kMaxExpansionShare = 0.05;
    for (const auto& expansion : expansions) {
      if (static_cast<int>(terms.size()) >= kMaxTerms) break;
      const std::vector<std::string> tokens = ExpansionTokens(expansion);
      if (tokens.empty()) continue;
      double rarest = documents;
      for (const auto& token : tokens) rarest = std::min(rarest, DocumentFrequency(db, token));
      // "Too common" needs enough articles to mean anything: a small knowledge base keeps them all.
      constexpr double kMinCommonDocuments = 50;
      if (rarest == 0 || rarest > std::max(kMinCommonDocuments, kMaxExpansionShare * documents)) continue;
      std::string phrase = "\"";
      for (char c : expansion) {
        phrase += c;
        if (c == '"') phrase += '"';
      }
      phrase += '"';
      terms.push_back(Term{tokens.front(), std::move(phrase), Idf(documents, rarest), true});
    }
  }

  sqlite::Database& db_;
};

}  // namespace

std::unique_ptr<SearchBackend> MakeLocalSearch(sqlite::Database& db) { return std::make_unique<LocalSearch>(db); }

}  // namespace selfservice::search
