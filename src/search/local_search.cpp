// Ranking, in two steps:
//  1. Candidates. The query's terms are OR-ed, but on a large index a common term matches most
//     articles, and ranking every one of them is what makes a search slow. So FTS5 is asked only
//     for the articles that hold one of the query's rarer terms: the rarest terms whose document
//     frequencies add up to at most kCandidatePostings (at least the rarest one). An article that
//     holds none of them matches only terms most articles hold, and would rank low anyway. A small
//     index, or a query of rare terms, keeps every match; wider sets are tried when a set cannot
//     fill the page (CandidateExpressions). Each candidate comes with its term occurrences
//     (selfservice_hits()).
//  2. Each candidate is scored from those occurrences: BM25 over the weighted columns (title >
//     tags > category > body) with each term's idf, plus a bonus for query terms that stand close
//     together in the article; that relevance is multiplied by a bonus for the share of the query
//     its headings hold (its title fully, its tags half), every term weighted by its rarity (idf),
//     and a mild prior from helpful votes and views. (Weighing the share of the query the whole
//     article covers scored worse on the dev set than BM25 alone; see docs/SEARCH.md.)
// A query that no candidate covers well enough answers suggest_ticket (spec 2.3); a word the
// knowledge base has never seen, and that is no misspelling of one it has, counts against it.
//
// Document frequencies come from FTS5's vocabulary, which counts a term's articles by reading its
// whole doclist; they are kept until the index changes (IndexStatistics). A Chinese term's rarity
// is measured among the Chinese articles, the only ones that can hold it.

#include "search/local_search.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "search/fts5_ranking.hpp"
#include "search/snippet.hpp"
#include "search/tokenizer.hpp"
#include "storage/sqlite/rows.hpp"

namespace selfservice::search {
namespace {

constexpr int kMaxTerms = 63;  // phrases of one MATCH, bounding the work per candidate
// How many articles the candidate terms may hold between them (step 1 above).
constexpr double kCandidatePostings = 1000;
// Wider candidate sets, tried when the narrower one cannot fill the page (CandidateExpressions).
constexpr double kWiderCandidatePostings = 8 * kCandidatePostings;
// A hard bound on the rows step 1 reads, for a query whose every term is common.
constexpr int kMaxCandidateRows = 20000;
// Below this idf-weighted share of the query held by the article that covers most of it, suggest a
// ticket.
constexpr double kSuggestTicketCoverage = 0.3;
// In that share, an English or product word no article holds ("kubernetes", "outlook") counts
// against the best article as this many times the idf of a term in no article: it most likely
// names what the question is about, which the knowledge base does not cover. Measured on the dev
// set (docs/SEARCH.md): 1 and 1.5 leave "outlook keeps asking for my password" answered, 2 and 3
// alike suggest its ticket; no answerable query changes.
constexpr double kUnknownWordWeight = 2.0;
// Unless the word is one edit from a word the articles hold: then it cannot be told from a
// misspelling of that word ("automaticaly"), and counts for nothing. Only words of at least
// kMinMisspeltLetters letters are checked (an acronym such as "mfa" is one edit from many words),
// and a neighbour counts only when its stem keeps kMinNeighbourStem letters (removing the "e" of
// "eating" gives "ating", which stems to the unrelated "at").
constexpr std::size_t kMinMisspeltLetters = 4;
constexpr std::size_t kMinNeighbourStem = 3;
// A title that holds the query's (rarer) terms is the strongest sign that the article is about
// the question: score *= 1 + bonus * idf-weighted share of the query in the title. Measured on the
// dev set (docs/SEARCH.md): 5 beat 0.5-3 and 8-12.
constexpr double kTitleCoverageBonus = 5.0;
// The tags count half as much as the title towards that share: the share of the query in title
// and tags together adds kTagsCoverageShare of what it holds beyond the title's. (The tags of a
// section are often the titles of the sections around it, which say what a terse title such as
// "Recommended Procedure" is about.) Measured on the dev set (docs/SEARCH.md): 0.4-0.6 alike,
// 0.25 and 1 lower.
constexpr double kTagsCoverageShare = 0.5;

// BM25 over the columns title, tags, category, body: a term's frequency is the weighted sum of its
// occurrences in the columns, normalised by the length of the whole article (as FTS5's bm25()).
constexpr std::array<double, 4> kColumnWeights = {2.0, 1.0, 1.0, 1.0};
constexpr int kTitleColumn = 0;
constexpr int kTagsColumn = 1;
constexpr int kBodyColumn = 3;
constexpr double kBm25K1 = 1.2;
constexpr double kBm25B = 0.75;

// Two query terms found within kProximityWindow tokens of each other in a column add
// kProximityWeight * min(idf) * acc * 2 / (acc + 1), acc = sum over such pairs of occurrences of
// column weight / distance² (BM25TP, Rasolofo & Savoy 2003, with a bounded term frequency so that a
// pair repeated all over a long article cannot dominate).
constexpr int kProximityWindow = 10;
constexpr double kProximityWeight = 0.5;

struct Term {
  std::string token;   // as indexed (for an expansion: its rarest term)
  std::string phrase;  // the query's own text for it, quoted for MATCH
  double idf = 0;          // weighs it in the ranking
  double ticket_idf = 0;   // weighs it in the suggest_ticket rule: its idf among all articles
  double df = 0;           // articles holding it
  bool expansion = false;  // a synonym: counts when matched, not against the article when missing
  int start = -1;          // the byte span of the query it was made from; -1 for an expansion
  int end = -1;
};

struct Candidate {
  std::int64_t id = 0;
  double score = 0;
  double coverage = 0;
  int passage = 0;  // the first body term of its snippet
};

bool IsLatin(const std::string& token) {
  return std::all_of(token.begin(), token.end(), [](char c) { return (c & 0x80) == 0; });
}

// Two terms made from overlapping bytes of the query: the overlapping bigrams of one Chinese run
// ("服务器" -> 服务, 务器).
bool Overlap(const Term& a, const Term& b) {
  return !a.expansion && !b.expansion && a.start < b.end && b.start < a.end;
}

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
    terms.push_back(Term{std::string(token), std::move(phrase), 0, 0, 0, false, start, end});
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

// A Chinese bigram rarer than each bigram it overlaps in the query most likely straddles two words
// ("制每" in "限制每个用户"): it matches only articles where those two words stand side by side,
// so it says no more than they do, and as a rare term it would otherwise weigh most of all. Its idf
// is capped at the larger idf of its neighbours. It needs a neighbour on each side: a bigram at the
// edge of a run has nothing to straddle into.
void CapStraddlingBigrams(std::vector<Term>& terms) {
  std::vector<double> capped(terms.size(), -1), capped_ticket(terms.size(), -1);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const Term& term = terms[i];
    if (term.expansion || term.idf == 0 || IsLatin(term.token)) continue;
    int before = 0, after = 0;
    double cap = 0, ticket_cap = 0;
    bool rarest = true;
    for (std::size_t j = 0; j < terms.size(); ++j) {
      if (j == i || !Overlap(term, terms[j])) continue;
      (terms[j].start < term.start ? before : after) += 1;
      rarest = rarest && term.df < terms[j].df;
      cap = std::max(cap, terms[j].idf);
      ticket_cap = std::max(ticket_cap, terms[j].ticket_idf);
    }
    if (before > 0 && after > 0 && rarest && cap < term.idf) {
      capped[i] = cap;
      capped_ticket[i] = std::min(term.ticket_idf, ticket_cap);
    }
  }
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (capped[i] >= 0) terms[i].idf = capped[i];
    if (capped_ticket[i] >= 0) terms[i].ticket_idf = capped_ticket[i];
  }
}

// The occurrences of the query's terms in one article, decoded from selfservice_hits().
struct Hits {
  double average_tokens = 0;                  // per article, over the table
  double tokens = 0;                          // in this article
  std::vector<std::array<int, 4>> frequency;  // per term, per column
  struct Occurrence {
    int term, column, offset;
  };
  std::vector<Occurrence> occurrences;  // ordered by column, then offset
};

// Decodes into `hits`, reusing its memory from the previous candidate.
void DecodeHits(std::string_view blob, std::size_t term_count, Hits& hits) {
  hits.average_tokens = 0;
  hits.tokens = 0;
  hits.frequency.assign(term_count, {0, 0, 0, 0});
  hits.occurrences.clear();
  const std::size_t count = blob.size() / sizeof(std::int64_t);
  const auto value = [&](std::size_t i) {
    std::int64_t v;
    std::memcpy(&v, blob.data() + i * sizeof(std::int64_t), sizeof v);
    return v;
  };
  if (count < kHitsColumnSizes) return;
  const auto columns = static_cast<std::size_t>(value(kHitsColumns));
  if (count < kHitsColumnSizes + columns) return;
  if (value(kHitsRows) > 0) {
    hits.average_tokens = static_cast<double>(value(kHitsTableTokens)) / static_cast<double>(value(kHitsRows));
  }
  for (std::size_t c = 0; c < columns; ++c) hits.tokens += static_cast<double>(value(kHitsColumnSizes + c));
  for (std::size_t i = kHitsColumnSizes + columns; i + 2 < count; i += 3) {
    const auto term = static_cast<std::size_t>(value(i));
    const auto column = static_cast<std::size_t>(value(i + 1));
    if (term >= term_count || column >= 4) continue;
    ++hits.frequency[term][column];
    hits.occurrences.push_back(
        Hits::Occurrence{static_cast<int>(term), static_cast<int>(column), static_cast<int>(value(i + 2))});
  }
  // FTS5 lists a row's instances in position order already; sort only if it ever does not.
  const auto before = [](const Hits::Occurrence& a, const Hits::Occurrence& b) {
    return a.column != b.column ? a.column < b.column : a.offset < b.offset;
  };
  if (!std::is_sorted(hits.occurrences.begin(), hits.occurrences.end(), before)) {
    std::sort(hits.occurrences.begin(), hits.occurrences.end(), before);
  }
}

double Bm25(const Hits& hits, const std::vector<Term>& terms) {
  const double length = hits.average_tokens > 0 ? hits.tokens / hits.average_tokens : 1.0;
  const double norm = kBm25K1 * (1.0 - kBm25B + kBm25B * length);
  double score = 0;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    double f = 0;
    for (std::size_t c = 0; c < kColumnWeights.size(); ++c) f += kColumnWeights[c] * hits.frequency[i][c];
    if (f > 0) score += terms[i].idf * f * (kBm25K1 + 1.0) / (f + norm);
  }
  return score;
}

// The customer's own terms that stand close together in the article. Pairs of overlapping Chinese
// bigrams are left out: they are pieces of one word and always stand together.
double Proximity(const Hits& hits, const std::vector<Term>& terms, std::vector<double>& pair) {
  const std::size_t n = terms.size();
  pair.assign(n * n, 0.0);
  const auto& occ = hits.occurrences;
  for (std::size_t i = 0; i < occ.size(); ++i) {
    for (std::size_t j = i + 1; j < occ.size() && occ[j].column == occ[i].column; ++j) {
      const int distance = occ[j].offset - occ[i].offset;
      if (distance > kProximityWindow) break;
      const auto a = static_cast<std::size_t>(std::min(occ[i].term, occ[j].term));
      const auto b = static_cast<std::size_t>(std::max(occ[i].term, occ[j].term));
      if (distance == 0 || a == b) continue;
      pair[a * n + b] += kColumnWeights[static_cast<std::size_t>(occ[i].column)] / (distance * distance);
    }
  }
  double score = 0;
  for (std::size_t a = 0; a < n; ++a) {
    const Term& first = terms[a];
    if (first.expansion || first.idf == 0) continue;
    for (std::size_t b = a + 1; b < n; ++b) {
      const Term& second = terms[b];
      const double acc = pair[a * n + b];
      if (acc == 0 || second.expansion || second.idf == 0 || Overlap(first, second)) continue;
      score += std::min(first.idf, second.idf) * acc * 2.0 / (acc + 1.0);
    }
  }
  return kProximityWeight * score;
}

// The MATCH expressions of step 1, to try in turn until one finds enough candidates to fill the
// page, each wider than the one before. Each holds all the terms, so that every one is ranked,
// AND-ed with the candidate terms when those are fewer (the candidate terms come after all the
// terms, so phrase i of the expression is still term i):
//  - when even the rarest term is in more than kCandidatePostings articles (every word of the
//    query is common), the articles holding the two rarest of the customer's own words together;
//  - the rarest terms holding at most kCandidatePostings articles between them (at least one), then
//    kWiderCandidatePostings;
//  - every term: every article matching any.
// Frequencies count articles of every language. So under the English filter a Chinese synonym,
// which English articles hardly ever hold, never selects candidates; it still counts in the score.
std::vector<std::string> CandidateExpressions(const std::vector<Term>& terms, std::optional<ArticleLang> lang) {
  std::vector<std::size_t> matchable;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const bool other_script = lang == ArticleLang::en && terms[i].expansion && !IsLatin(terms[i].token);
    if (terms[i].df > 0 && !other_script) matchable.push_back(i);
  }
  std::stable_sort(matchable.begin(), matchable.end(),
                   [&](std::size_t a, std::size_t b) { return terms[a].df < terms[b].df; });
  const std::string all = MatchExpression(terms);
  std::vector<std::string> expressions;
  std::vector<std::size_t> own;
  for (std::size_t i : matchable) {
    if (!terms[i].expansion) own.push_back(i);
  }
  if (!matchable.empty() && terms[matchable[0]].df > kCandidatePostings && own.size() >= 2) {
    expressions.push_back("(" + all + ") AND " + terms[own[0]].phrase + " AND " + terms[own[1]].phrase);
  }
  for (const double budget : {kCandidatePostings, kWiderCandidatePostings}) {
    std::string candidates;
    double postings = 0;
    std::size_t chosen = 0;
    for (std::size_t i : matchable) {
      if (chosen > 0 && postings + terms[i].df > budget) break;
      postings += terms[i].df;
      ++chosen;
      if (!candidates.empty()) candidates += " OR ";
      candidates += terms[i].phrase;
    }
    if (chosen == 0 || chosen == matchable.size()) break;
    const std::string expression = "(" + all + ") AND (" + candidates + ")";
    if (expressions.empty() || expressions.back() != expression) expressions.push_back(expression);
  }
  expressions.push_back(all);
  return expressions;
}

// Where a candidate's snippet starts: kSnippetLead body terms before the passage of
// SnippetOptions::tokens terms that holds the most of the query (distinct terms weighted by idf);
// the body's start when the body holds none.
int BestPassage(const Hits& hits, const std::vector<Term>& terms) {
  constexpr int kSnippetLead = 4;
  const int window = SnippetOptions{}.tokens;
  const auto& occ = hits.occurrences;
  std::size_t lo = 0;
  while (lo < occ.size() && occ[lo].column != kBodyColumn) ++lo;
  std::array<int, kMaxTerms + 1> count{};
  double weight = 0, best = 0;
  int start = 0;
  for (std::size_t hi = lo; hi < occ.size(); ++hi) {
    const auto term = static_cast<std::size_t>(occ[hi].term);
    if (count[term]++ == 0) weight += terms[term].idf + 1e-3;
    while (occ[hi].offset - occ[lo].offset >= window) {
      const auto gone = static_cast<std::size_t>(occ[lo++].term);
      if (--count[gone] == 0) weight -= terms[gone].idf + 1e-3;
    }
    if (weight > best + 1e-9) {
      best = weight;
      start = occ[lo].offset;
    }
  }
  return std::max(0, start - kSnippetLead);
}

// The terms a snippet marks: the query's own, and every term of the synonyms it searched with.
std::unordered_set<std::string> HighlightedTerms(const std::vector<Term>& terms) {
  std::unordered_set<std::string> out;
  for (const auto& term : terms) {
    if (!term.expansion) {
      out.insert(term.token);
      continue;
    }
    for (auto& token : ExpansionTokens(term.phrase)) out.insert(std::move(token));
  }
  return out;
}

// The idf-weighted share of the query held by the columns [0, columns) of the article.
double IdfShare(const Hits& hits, const std::vector<Term>& terms, double total_weight, int columns,
                double Term::*idf = &Term::idf) {
  double weight = 0;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const auto& f = hits.frequency[i];
    if (std::any_of(f.begin(), f.begin() + columns, [](int n) { return n > 0; })) weight += terms[i].*idf;
  }
  return std::min(1.0, weight / total_weight);
}

// The share of the query the article's headings hold, for the bonus of kTitleCoverageBonus.
double HeadingShare(const Hits& hits, const std::vector<Term>& terms, double total_weight) {
  const double title = IdfShare(hits, terms, total_weight, kTitleColumn + 1);
  const double title_and_tags = IdfShare(hits, terms, total_weight, kTagsColumn + 1);
  return title + kTagsCoverageShare * (title_and_tags - title);
}

bool HasAllTags(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  return std::all_of(want.begin(), want.end(), [&](const std::string& tag) {
    return std::find(have.begin(), have.end(), tag) != have.end();
  });
}

// The number of articles and the document frequency of each term, over the whole index, kept
// between searches until the index changes. FTS5 counts a term's articles by reading its whole
// doclist, which for a common term on a large index costs milliseconds; the index changes far
// less often than it is searched.
//
// The version is FTS5's structure record (row 10 of the %_data shadow table): FTS5 writes every
// change to the index as new segments, or merges segments, and either rewrites that record. So an
// unchanged record means unchanged contents, whichever connection or process wrote them.
class IndexStatistics {
 public:
  // Forgets everything when the index changed since the last call. Call before the others in each
  // read.
  void Refresh(sqlite::Connection& db) {
    sqlite::Statement s = db.Prepare("SELECT block FROM knowledge_fts_data WHERE id = 10");
    std::string version = s.Step() ? s.Text(0) : std::string();
    std::lock_guard lock(mutex_);
    if (version == version_ && !version.empty()) return;
    version_ = std::move(version);
    documents_.reset();
    chinese_documents_.reset();
    frequencies_.clear();
    misspellings_.clear();
  }

  // Whether `word` is a misspelling of a word the index holds, as `check` finds, remembered until
  // the index changes: the check costs hundreds of vocabulary lookups.
  template <typename Check>
  bool IsMisspelling(const std::string& word, Check&& check) {
    {
      std::lock_guard lock(mutex_);
      if (auto found = misspellings_.find(word); found != misspellings_.end()) return found->second;
    }
    const bool misspelling = check();
    std::lock_guard lock(mutex_);
    if (misspellings_.size() >= kMaxCachedTerms) misspellings_.clear();
    misspellings_.emplace(word, misspelling);
    return misspelling;
  }

  double Documents(sqlite::Connection& db) {
    return Count(db, "SELECT count(*) FROM knowledge_articles", documents_);
  }

  // The Chinese articles: a Chinese term's rarity is measured among these. English articles
  // hardly ever hold one, and counting them would make every Chinese term look rarer than an
  // English word typed in the same query.
  double ChineseDocuments(sqlite::Connection& db) {
    return Count(db, "SELECT count(*) FROM knowledge_articles WHERE lang = 'zh'", chinese_documents_);
  }

  double DocumentFrequency(sqlite::Connection& db, const std::string& token) {
    {
      std::lock_guard lock(mutex_);
      if (auto found = frequencies_.find(token); found != frequencies_.end()) return found->second;
    }
    sqlite::Statement s = db.Prepare("SELECT doc FROM knowledge_vocab WHERE term = ?1");
    s.Bind(1, token);
    const double df = s.Step() ? static_cast<double>(s.Int(0)) : 0.0;
    std::lock_guard lock(mutex_);
    if (frequencies_.size() >= kMaxCachedTerms) frequencies_.clear();
    frequencies_.emplace(token, df);
    return df;
  }

 private:
  static constexpr std::size_t kMaxCachedTerms = 200000;

  double Count(sqlite::Connection& db, const char* sql, std::optional<double>& cached) {
    {
      std::lock_guard lock(mutex_);
      if (cached) return *cached;
    }
    sqlite::Statement s = db.Prepare(sql);
    const double count = s.Step() ? static_cast<double>(s.Int(0)) : 0.0;
    std::lock_guard lock(mutex_);
    cached = count;
    return count;
  }

  std::mutex mutex_;
  std::string version_;
  std::optional<double> documents_;
  std::optional<double> chinese_documents_;
  std::unordered_map<std::string, double> frequencies_;
  std::unordered_map<std::string, bool> misspellings_;
};

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
      statistics_.Refresh(db);
      const double documents = WeighTerms(db, terms);
      CapStraddlingBigrams(terms);
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
      // The ticket rule weighs the query by rarity among all articles: a question is answered
      // when an article holds what is rare in the whole knowledge base, in either language.
      double ticket_weight = 0;
      for (const auto& term : terms) {
        if (!term.expansion) ticket_weight += term.ticket_idf;
      }
      if (ticket_weight <= 0) {
        for (const auto& term : terms) ticket_weight += term.ticket_idf;
      }
      const std::optional<std::string_view> lang =
          query.lang ? std::optional(EnumName(*query.lang)) : std::nullopt;

      const std::size_t page_end = static_cast<std::size_t>(query.page) * static_cast<std::size_t>(query.size);
      std::vector<Candidate> candidates;
      Hits hits;                  // of one candidate at a time
      std::vector<double> pairs;  // Proximity()'s
      for (const std::string& expression : CandidateExpressions(terms, query.lang)) {
        if (candidates.size() >= page_end) break;
        candidates.clear();
        // CROSS JOIN: the index finds the rows; the other order would probe it once per article.
        // The ranking index holds every column read here (but tags), so the articles' rows, one
        // page each with their bodies, are read only when the query filters by tag.
        sqlite::Statement s = db.Prepare(
            query.tags.empty()
                ? "SELECT a.id, selfservice_hits(knowledge_fts), a.helpful_votes, a.unhelpful_votes, a.views "
                  "FROM knowledge_fts CROSS JOIN knowledge_articles a INDEXED BY knowledge_articles_ranking "
                  "ON a.id = knowledge_fts.rowid "
                  "WHERE knowledge_fts MATCH ?1 AND a.tenant_id = ?2 AND a.status = 'published' "
                  "AND (?3 IS NULL OR a.lang = ?3) AND (?4 IS NULL OR a.category = ?4) LIMIT ?5"
                : "SELECT a.id, selfservice_hits(knowledge_fts), a.helpful_votes, a.unhelpful_votes, a.views, "
                  "a.tags FROM knowledge_fts CROSS JOIN knowledge_articles a ON a.id = knowledge_fts.rowid "
                  "WHERE knowledge_fts MATCH ?1 AND a.tenant_id = ?2 AND a.status = 'published' "
                  "AND (?3 IS NULL OR a.lang = ?3) AND (?4 IS NULL OR a.category = ?4) LIMIT ?5");
        s.Bind(1, expression)
            .Bind(2, scope.tenant_id())
            .Bind(3, lang)
            .Bind(4, query.category)
            .Bind(5, kMaxCandidateRows);
        while (s.Step()) {
          if (!query.tags.empty() && !HasAllTags(sqlite::StringArrayColumn(s, 5), query.tags)) continue;
          DecodeHits(s.Text(1), terms.size(), hits);  // Text() hands over the blob's bytes
          const double relevance = Bm25(hits, terms) + Proximity(hits, terms, pairs);
          const double headings = HeadingShare(hits, terms, total_weight);
          const double quality = 1.0 + 0.05 * std::log1p(static_cast<double>(s.Int(2))) -
                                 0.05 * std::log1p(static_cast<double>(s.Int(3))) +
                                 0.02 * std::log1p(static_cast<double>(s.Int(4)));
          candidates.push_back(Candidate{s.Int(0), relevance * (1.0 + kTitleCoverageBonus * headings) * quality,
                                         IdfShare(hits, terms, ticket_weight, static_cast<int>(kColumnWeights.size()),
                                                  &Term::ticket_idf),
                                         BestPassage(hits, terms)});
        }
      }
      result.total = static_cast<std::int64_t>(candidates.size());
      const std::size_t first =
          static_cast<std::size_t>(query.page - 1) * static_cast<std::size_t>(query.size);
      const std::size_t last = std::min(candidates.size(), first + static_cast<std::size_t>(query.size));
      // The page, and the best candidate for suggest_ticket below.
      const auto sorted = static_cast<std::ptrdiff_t>(std::min(candidates.size(), std::max<std::size_t>(last, 1)));
      std::partial_sort(candidates.begin(), candidates.begin() + sorted, candidates.end(),
                        [](const Candidate& a, const Candidate& b) {
                          return a.score != b.score ? a.score > b.score : a.id < b.id;
                        });
      const double best_coverage = candidates.empty() ? 0.0 : candidates.front().coverage;
      result.suggest_ticket = SuggestTicket(db, query.text, terms, best_coverage, ticket_weight, documents);

      // Each hit's coverage: the share of the query the suggest_ticket rule weighs, computed for
      // every candidate already, with the words the knowledge base has never seen counted against
      // it as that rule counts them (an answer cannot be sure of a question about "outlook").
      const double unknown_weight = first < last ? UnknownWordsWeight(db, query.text, terms, documents) : 0.0;
      const double coverage_scale = ticket_weight / (ticket_weight + unknown_weight);
      const std::unordered_set<std::string> highlight = HighlightedTerms(terms);
      for (std::size_t i = first; i < last; ++i) {
        sqlite::Statement s = db.Prepare(
            "SELECT external_id, title, category, tags, url, lang, body FROM knowledge_articles WHERE id = ?1");
        s.Bind(1, candidates[i].id);
        if (!s.Step()) continue;
        SearchHit hit;
        hit.id = candidates[i].id;
        hit.external_id = s.OptionalText(0);
        hit.title = s.Text(1);
        hit.category = s.OptionalText(2);
        hit.tags = sqlite::StringArrayColumn(s, 3);
        hit.url = s.OptionalText(4);
        hit.lang = sqlite::EnumColumn(s, 5, ArticleLang::zh);
        hit.snippet = MakeSnippet(s.Text(6), candidates[i].passage, highlight);
        hit.score = candidates[i].score;
        hit.coverage = candidates[i].coverage * coverage_scale;
        result.hits.push_back(std::move(hit));
      }
      return result;
    });
  }

 private:
  static double Idf(double documents, double df) {
    return std::log(1.0 + (documents - df + 0.5) / (df + 0.5));
  }

  // The idf of a term held by `df` articles: among all articles for an English word, among the
  // Chinese articles for a Chinese term (the frequency of a Chinese term counts Chinese articles
  // anyway). Measured on the dev set (docs/SEARCH.md): Chinese nDCG@10 0.643 -> 0.656, English
  // unchanged.
  double TermIdf(sqlite::Connection& db, const std::string& token, double df) {
    const double documents = IsLatin(token) ? statistics_.Documents(db) : statistics_.ChineseDocuments(db);
    return Idf(documents, std::min(df, documents));
  }

  // Sets the df and idf of every term over the whole index (all tenants: the statistics only shape
  // the ranking) and returns the number of articles.
  double WeighTerms(sqlite::Connection& db, std::vector<Term>& terms) {
    const double documents = statistics_.Documents(db);
    for (auto& term : terms) {
      term.df = statistics_.DocumentFrequency(db, term.token);
      // A term no article contains cannot tell articles apart; often it is a bigram straddling
      // two Chinese words ("器连" in "服务器连不上"), and weighing it would only shrink every
      // article's coverage.
      term.idf = term.df == 0 ? 0.0 : TermIdf(db, term.token, term.df);
      term.ticket_idf = term.df == 0 ? 0.0 : Idf(documents, term.df);
    }
    return documents;
  }

  // Whether no article answers the query: the share of it (by ticket_idf) that the best candidate
  // holds, `coverage`, is below kSuggestTicketCoverage once the words the knowledge base has never
  // seen count against it (kUnknownWordWeight). A Chinese bigram in no article does not count:
  // most are bigrams straddling two words. Whether an unknown word is a misspelling costs a
  // vocabulary lookup per variant, so it is checked only while the answer still depends on it.
  bool SuggestTicket(sqlite::Connection& db, std::string_view text, const std::vector<Term>& terms,
                     double coverage, double ticket_weight, double documents) {
    const auto below = [&](double unknown_weight) {
      return coverage * ticket_weight / (ticket_weight + unknown_weight) < kSuggestTicketCoverage;
    };
    std::vector<const Term*> unknown;
    for (const auto& term : terms) {
      if (!term.expansion && term.idf == 0 && IsLatin(term.token)) unknown.push_back(&term);
    }
    const double word_weight = kUnknownWordWeight * Idf(documents, 0);
    if (below(0) || !below(word_weight * static_cast<double>(unknown.size()))) return below(0);
    double unknown_weight = 0;
    for (const Term* term : unknown) {
      const auto start = static_cast<std::size_t>(term->start);
      if (IsMisspelling(db, text.substr(start, static_cast<std::size_t>(term->end) - start))) continue;
      unknown_weight += word_weight;
      if (below(unknown_weight)) return true;
    }
    return false;
  }

  // The weight SuggestTicket() gives the query's words that no article holds and that are no
  // misspelling of a word one holds (whose checks it caches).
  double UnknownWordsWeight(sqlite::Connection& db, std::string_view text, const std::vector<Term>& terms,
                            double documents) {
    double weight = 0;
    for (const auto& term : terms) {
      if (term.expansion || term.idf != 0 || !IsLatin(term.token)) continue;
      const auto start = static_cast<std::size_t>(term.start);
      if (!IsMisspelling(db, text.substr(start, static_cast<std::size_t>(term.end) - start))) {
        weight += kUnknownWordWeight * Idf(documents, 0);
      }
    }
    return weight;
  }

  // Whether `word`, which no article holds, is one edit (a letter deleted, inserted or replaced, or
  // two neighbours swapped) from a word the articles hold. About 850 lookups for a word of 16
  // letters that is no misspelling (15 ms on the dev corpus; one that is stops at the first), so the
  // answer is kept until the index changes (IndexStatistics).
  bool IsMisspelling(sqlite::Connection& db, std::string_view word) {
    std::string lower;
    for (char c : word) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c < 'a' || c > 'z') return false;
      lower += c;
    }
    if (lower.size() < kMinMisspeltLetters) return false;
    return statistics_.IsMisspelling(lower, [&] { return HasKnownNeighbour(db, lower); });
  }

  bool HasKnownNeighbour(sqlite::Connection& db, const std::string& lower) {
    std::unordered_set<std::string> tried;
    const auto known = [&](const std::string& variant) {
      std::string stem;  // as the index holds the variant; none for a stop word
      Tokenize(variant, [&](std::string_view token, int, int) { stem = token; });
      if (stem.size() < kMinNeighbourStem || !tried.insert(stem).second) return false;
      sqlite::Statement s = db.Prepare("SELECT 1 FROM knowledge_vocab WHERE term = ?1 AND doc > 0");
      s.Bind(1, stem);
      return s.Step();
    };
    const std::size_t n = lower.size();
    for (std::size_t i = 0; i < n; ++i) {
      std::string variant = lower;
      if (known(variant.erase(i, 1))) return true;
      if (i + 1 < n) {
        variant = lower;
        std::swap(variant[i], variant[i + 1]);
        if (known(variant)) return true;
      }
    }
    for (std::size_t i = 0; i <= n; ++i) {
      for (char c = 'a'; c <= 'z'; ++c) {
        std::string variant = lower;
        if (known(variant.insert(i, 1, c))) return true;
        if (i < n && c != lower[i]) {
          variant = lower;
          variant[i] = c;
          if (known(variant)) return true;
        }
      }
    }
    return false;
  }

  // Adds the synonyms as phrases. One that cannot match (a term in no article) or that is too
  // common to tell articles apart (in more than kMaxExpansionShare of them) is left out.
  void AddExpansions(sqlite::Connection& db, const std::vector<std::string>& expansions,
                            double documents, std::vector<Term>& terms) {
    constexpr double kMaxExpansionShare = 0.05;
    for (const auto& expansion : expansions) {
      if (static_cast<int>(terms.size()) >= kMaxTerms) break;
      const std::vector<std::string> tokens = ExpansionTokens(expansion);
      if (tokens.empty()) continue;
      double rarest = documents;
      const std::string* rarest_token = &tokens.front();
      for (const auto& token : tokens) {
        const double df = statistics_.DocumentFrequency(db, token);
        if (df < rarest) {
          rarest = df;
          rarest_token = &token;
        }
      }
      // "Too common" needs enough articles to mean anything: a small knowledge base keeps them all.
      constexpr double kMinCommonDocuments = 50;
      if (rarest == 0 || rarest > std::max(kMinCommonDocuments, kMaxExpansionShare * documents)) continue;
      std::string phrase = "\"";
      for (char c : expansion) {
        phrase += c;
        if (c == '"') phrase += '"';
      }
      phrase += '"';
      terms.push_back(
          Term{tokens.front(), std::move(phrase), TermIdf(db, *rarest_token, rarest), Idf(documents, rarest), rarest, true});
    }
  }

  sqlite::Database& db_;
  IndexStatistics statistics_;
};

}  // namespace

std::unique_ptr<SearchBackend> MakeLocalSearch(sqlite::Database& db) {
  return std::make_unique<LocalSearch>(db);
}

}  // namespace selfservice::search
