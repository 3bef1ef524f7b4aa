// The retrieval confidence, from two signals of the search:
//  - coverage: the share of the question the best hit holds, each term weighed by its rarity,
//    the words no article holds counted against it (SearchHit::coverage). It says whether the
//    knowledge base speaks of what was asked at all. Its scale is the suggest_ticket rule's, which
//    offers a ticket below 0.3.
//  - margin: how far the best hit stands above the second, 1 - score₂ / score₁ (scores compare
//    within one answer only, so only their ratio is used): 0 for a tie, 1 for a lone hit. It says
//    whether the search is sure which article it is.
//
//   confidence = A + kMarginWeight · margin · A · (1 - A),   A = √coverage
//
// A, the coverage's square root, makes a hit holding about half of the question's weight an
// answer at the portal's default threshold of 0.7 (√0.49), and one holding less than the ticket
// rule's 0.3 a clear "not sure" (≤ 0.55 before the margin). The margin then closes part of the
// remaining doubt, in proportion to A: a clear margin says the ranking is sure of its first
// article, which matters only as far as that article covers the question (a lone hit for one
// word of a long question proves little). Both terms rise with coverage and with margin, and the
// whole stays within [A, 1].
//
// On the knowledge-base dev set, with the default threshold 0.7: 5 of the 6 questions without an
// answer fall below (the one above names a Chinese product, whose bigrams the search cannot tell
// from bigrams that straddle two words, so they do not count against the coverage), and about 80%
// of the answerable ones reach it.

#include "ai/confidence.hpp"

#include <algorithm>
#include <cmath>

namespace selfservice::ai {
namespace {

// The share of the remaining doubt a full margin removes from a fully covering hit.
constexpr double kMarginWeight = 0.5;

double Clamp01(double value) {
  return std::isfinite(value) ? std::clamp(value, 0.0, 1.0) : 0.0;
}

}  // namespace

double RetrievalMargin(const std::vector<RetrievedArticle>& retrieved) {
  if (retrieved.empty()) return 0;
  const double best = retrieved.front().hit.score;
  if (!std::isfinite(best) || best <= 0) return 0;  // no usable score: no evidence either way
  if (retrieved.size() < 2) return 1;
  const double second = retrieved[1].hit.score;
  return 1.0 - (std::isfinite(second) ? std::clamp(second / best, 0.0, 1.0) : 1.0);
}

double RetrievalConfidence(const std::vector<RetrievedArticle>& retrieved) {
  if (retrieved.empty()) return 0;
  const double a = std::sqrt(Clamp01(retrieved.front().hit.coverage));
  return Clamp01(a + kMarginWeight * RetrievalMargin(retrieved) * a * (1.0 - a));
}

}  // namespace selfservice::ai
