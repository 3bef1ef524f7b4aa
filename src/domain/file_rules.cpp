#include "domain/file_rules.hpp"

#include <algorithm>
#include <cctype>

namespace selfservice {
namespace {

constexpr std::size_t kMaxNameChars = 255;

// The length of the UTF-8 sequence starting at `text[i]`, 0 when it is not valid there. A
// sequence cut by the end of `text` is valid when `allow_cut` (a head ends anywhere).
std::size_t Utf8Length(std::string_view text, std::size_t i, bool allow_cut) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) length = 3;
  else if (lead >= 0xF0 && lead <= 0xF4) length = 4;
  else return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) return allow_cut ? text.size() - i : 0;
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
  }
  return length;
}

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool LooksLikeText(std::string_view head) {
  for (std::size_t i = 0; i < head.size();) {
    if (head[i] == '\0') return false;
    const std::size_t length = Utf8Length(head, i, true);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

bool IsZip(std::string_view head) {
  return StartsWith(head, std::string_view("PK\x03\x04", 4)) || StartsWith(head, std::string_view("PK\x05\x06", 4));
}

}  // namespace

std::optional<std::string> SanitizeFileName(std::string_view name) {
  if (const std::size_t slash = name.find_last_of("/\\"); slash != std::string_view::npos) {
    name = name.substr(slash + 1);
  }
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < name.size();) {
    const std::size_t length = Utf8Length(name, i, false);
    if (length == 0) return std::nullopt;
    const auto lead = static_cast<unsigned char>(name[i]);
    const bool c0 = lead < 0x20 || lead == 0x7F;
    const bool c1 = length == 2 && lead == 0xC2 && static_cast<unsigned char>(name[i + 1]) < 0xA0;
    if (!c0 && !c1 && chars < kMaxNameChars) {
      out.append(name.substr(i, length));
      ++chars;
    }
    i += length;
  }
  const auto trimmed = [](char c) { return c == ' ' || c == '.'; };
  while (!out.empty() && trimmed(out.back())) out.pop_back();
  const auto first = std::find_if_not(out.begin(), out.end(), trimmed);
  out.erase(out.begin(), first);
  if (out.empty()) return std::nullopt;
  return out;
}

const std::vector<std::string>& DefaultAllowedContentTypes() {
  static const std::vector<std::string> kTypes = {
      "image/png",
      "image/jpeg",
      "image/gif",
      "image/webp",
      "application/pdf",
      "application/zip",
      "application/gzip",
      "text/plain",
      "text/csv",
      "application/json",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  };
  return kTypes;
}

std::string BareContentType(std::string_view content_type) {
  std::string out(content_type.substr(0, content_type.find(';')));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool ContentMatches(std::string_view type, std::string_view head) {
  using namespace std::string_view_literals;
  if (type == "image/png") return StartsWith(head, "\x89PNG\r\n\x1a\n"sv);
  if (type == "image/jpeg") return StartsWith(head, "\xFF\xD8\xFF"sv);
  if (type == "image/gif") return StartsWith(head, "GIF87a"sv) || StartsWith(head, "GIF89a"sv);
  if (type == "image/webp") return StartsWith(head, "RIFF"sv) && head.substr(8, 4) == "WEBP"sv;
  if (type == "application/pdf") return StartsWith(head, "%PDF-"sv);
  if (type == "application/gzip") return StartsWith(head, "\x1F\x8B"sv);
  if (type == "application/zip" || StartsWith(type, "application/vnd.openxmlformats-officedocument."sv)) {
    return IsZip(head);
  }
  if (type == "text/plain" || type == "text/csv" || type == "text/markdown" || type == "application/json") {
    return LooksLikeText(head);
  }
  return false;
}

}  // namespace selfservice
