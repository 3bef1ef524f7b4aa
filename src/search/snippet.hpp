// The snippet of a search hit: a short passage of the article's body around the query's terms,
// with each matched term between highlight markers.
//
// The search already knows where in the body the query's terms stand (token offsets, from the
// index), so it asks only for the passage: the text is tokenized up to the passage's end, not
// whole, and no full-text query runs again per hit.

#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

namespace selfservice::search {

struct SnippetOptions {
  std::string_view open = "<mark>";
  std::string_view close = "</mark>";
  std::string_view ellipsis = "…";
  int tokens = 24;  // the passage's length, in terms of the tokenizer
};

// The `options.tokens` terms of `body` from term number `first_token` (0-based, clamped so the
// passage is full when the body is long enough), the text between them included. Terms in
// `matched` are marked; overlapping marked terms (the bigrams of one Chinese word) share one mark.
// An ellipsis stands for cut text at either end. A body without terms gives its first characters.
std::string MakeSnippet(std::string_view body, int first_token, const std::unordered_set<std::string>& matched,
                        const SnippetOptions& options = {});

}  // namespace selfservice::search
