// How sure an answer built on the portal's own search can be, from the search alone.

#pragma once

#include <vector>

#include "selfservice/ai.hpp"

namespace selfservice::ai {

// How well `retrieved` (best first) answers its question: 0 … 1, from the best hit's coverage of
// the question and its margin over the next hit. 0 when nothing was retrieved. Rises with the
// coverage and with the margin; NaN, infinite or negative scores and coverages count as no
// evidence.
double RetrievalConfidence(const std::vector<RetrievedArticle>& retrieved);

// How far the best hit's score stands above the second's: 1 - second / best, 0 … 1; 1 for a lone
// hit, 0 when nothing was retrieved or the best score is not a positive number.
double RetrievalMargin(const std::vector<RetrievedArticle>& retrieved);

}  // namespace selfservice::ai
