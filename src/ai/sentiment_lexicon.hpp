// The local sentiment fallback (docs/API.md, "feedback.submit"): a small zh/en lexicon of our own
// that scores a customer's text when the AI provider has no sentiment service or cannot be reached.
// Deterministic: the same text always gets the same score.
//
// Thread safety: pure functions over constant tables.

#pragma once

#include <string_view>

namespace selfservice::ai {

// The sentiment of `text` from -1 (negative) to 1 (positive), rounded to two decimals; 0 when it
// holds no word of the lexicon. Chinese is matched longest word first ("不错" before "不"),
// English by lowercased words. A negation ("不", "没", "not", "never", "n't") flips and weakens
// the next sentiment word of its clause, an intensifier ("很", "非常", "very") strengthens it, and
// after a contrast ("但是", "but") the clause counts more than what came before it.
double LexiconSentiment(std::string_view text);

}  // namespace selfservice::ai
