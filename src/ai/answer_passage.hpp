// The extractive answerer's reading of one article: its body cut into sentences, commands and
// numbered steps, and the passage of it that best answers a question.
//
// A body is read line by line. A line is a command when it starts with a shell prompt ("$ ", or
// "# " before something that looks like a command) or with a well-known command name
// ("apt-get install foo"); a numbered step when it starts with a number ("1. ", "2) ", "3、") or
// with "第N步" / "Step N"; otherwise it is prose, cut into sentences after 。！？；and after . ! ?
// followed by a space. Units are matched with the question on the terms of the search tokenizer
// (search::Tokenize: Chinese bigrams, stemmed English words), so Chinese and English alike.
//
// Thread safety: pure functions; call from any thread. Never throws but std::bad_alloc.

#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace selfservice::ai {

// A command or numbered step found in a body.
struct AnswerStep {
  std::string text;      // the line as the body gives it
  std::string command;   // the command without its prompt; empty for a step in words
  bool as_root = false;  // given with the root prompt "# "
};

struct AnswerPassage {
  // What to show, in body order: an introducing sentence and the steps (one per line), or the
  // sentences that best match the question.
  std::vector<std::string> lines;
  bool steps = false;       // `lines` are steps: show one per line
  bool introduced = false;  // steps only: the first line is the sentence introducing them
  // The commands and steps worth doing, the passage's own first, then the body's other ones that
  // match the question. At most kMaxAnswerSteps.
  std::vector<AnswerStep> actions;
  // The share of the question's terms the article holds (title and body) that the passage and
  // the title hold: 0 … 1, 0 when the article holds none.
  double coverage = 0;
};

// Steps an answer shows at most, and actions it suggests at most.
inline constexpr std::size_t kMaxAnswerSteps = 6;

// The passage of `body` (an article titled `title`) that best answers `question`. A body that
// matches nothing of the question gives its opening sentences.
AnswerPassage SelectPassage(std::string_view question, std::string_view title, std::string_view body);

// `text` cut to at most `max_chars` characters on a character boundary, "…" ending a cut text.
// Invalid UTF-8 is never split further than it already is.
std::string CutUtf8(std::string_view text, std::size_t max_chars);

}  // namespace selfservice::ai
