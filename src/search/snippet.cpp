#include "search/snippet.hpp"

#include <algorithm>
#include <vector>

#include "search/tokenizer.hpp"

namespace selfservice::search {
namespace {

struct Span {
  int start = 0;
  int end = 0;
  bool matched = false;
};

// An ASCII byte that is neither a letter nor a digit ends every term of the tokenizer, so the
// terms of text cut just before it are exactly the first terms of the whole text.
bool IsBoundary(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

// The terms of `body` up to at least `wanted` of them (all when the body has fewer), tokenizing a
// growing prefix so that a passage near the start never costs a whole long article.
std::vector<Span> LeadingTerms(std::string_view body, int wanted, const std::unordered_set<std::string>& matched) {
  std::size_t prefix = std::min(body.size(), static_cast<std::size_t>(wanted) * 8 + 64);
  for (;;) {
    while (prefix < body.size() && !IsBoundary(body[prefix])) ++prefix;
    std::vector<Span> spans;
    Tokenize(body.substr(0, prefix), [&](std::string_view token, int start, int end) {
      spans.push_back(Span{start, end, matched.count(std::string(token)) > 0});
    });
    // The last term of a cut prefix may be the start of a longer one: want one more than needed.
    if (prefix >= body.size() || static_cast<int>(spans.size()) > wanted) return spans;
    prefix = std::min(body.size(), prefix * 2);
  }
}

// The first few characters of text with no terms at all (punctuation, symbols).
std::string_view Lead(std::string_view text, std::size_t characters) {
  std::size_t i = 0;
  for (std::size_t n = 0; i < text.size() && n < characters; ++n) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  }
  return text.substr(0, i);
}

}  // namespace

std::string MakeSnippet(std::string_view body, int first_token, const std::unordered_set<std::string>& matched,
                        const SnippetOptions& options) {
  const int length = std::max(1, options.tokens);
  first_token = std::max(0, first_token);
  const std::vector<Span> spans = LeadingTerms(body, first_token + length, matched);
  if (spans.empty()) return std::string(Lead(body, static_cast<std::size_t>(length) * 2));
  const int total = static_cast<int>(spans.size());
  const int first = std::max(0, std::min(first_token, total - length));
  const int last = std::min(total, first + length) - 1;

  std::string out;
  if (first > 0) out += options.ellipsis;
  // From the body's first byte when the passage starts at its first term, so no word is lost.
  int cursor = first == 0 ? 0 : spans[static_cast<std::size_t>(first)].start;
  const int stop = spans[static_cast<std::size_t>(last)].end;
  for (int i = first; i <= last; ++i) {
    if (!spans[static_cast<std::size_t>(i)].matched) continue;
    // Merge this term with the marked terms that overlap or touch it.
    int start = std::max(cursor, spans[static_cast<std::size_t>(i)].start);
    int end = spans[static_cast<std::size_t>(i)].end;
    while (i + 1 <= last && spans[static_cast<std::size_t>(i + 1)].matched &&
           spans[static_cast<std::size_t>(i + 1)].start < end) {
      end = std::max(end, spans[static_cast<std::size_t>(++i)].end);
    }
    end = std::min(end, stop);
    if (start >= end) continue;
    out.append(body.substr(static_cast<std::size_t>(cursor), static_cast<std::size_t>(start - cursor)));
    out += options.open;
    out.append(body.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)));
    out += options.close;
    cursor = end;
  }
  out.append(body.substr(static_cast<std::size_t>(cursor), static_cast<std::size_t>(stop - cursor)));
  // `spans` holds more terms than the passage whenever the body goes on with more terms.
  const bool more = last + 1 < total;
  if (more) out += options.ellipsis;
  return out;
}

}  // namespace selfservice::search
