#include "domain/keywords.hpp"

namespace selfservice {
namespace {

constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string NormalizeKeywords(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space_pending = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool ideographic = text.substr(i).starts_with(kIdeographicSpace);
    if (ideographic || IsAsciiSpace(text[i])) {
      if (ideographic) i += kIdeographicSpace.size() - 1;
      space_pending = !out.empty();
      continue;
    }
    if (space_pending) out += ' ';
    space_pending = false;
    const char c = text[i];
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

}  // namespace selfservice
