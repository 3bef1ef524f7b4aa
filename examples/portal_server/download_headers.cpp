#include "download_headers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace selfservice::server {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Splits `text` at `separator`s outside quoted strings (a parameter value may quote a comma).
std::vector<std::string_view> SplitOutsideQuotes(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (quoted && text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

// A qvalue of 0 ("0", "0.", "0.0" ... "0.000"). Any other value, well-formed or not, leaves the
// media range acceptable: a malformed weight is ignored rather than read as a refusal.
bool IsZeroQuality(std::string_view value) {
  if (value.empty() || value.front() != '0') return false;
  value.remove_prefix(1);
  if (value.empty()) return true;
  if (value.front() != '.' || value.size() > 4) return false;
  return std::all_of(value.begin() + 1, value.end(), [](char c) { return c == '0'; });
}

// A run of decimal digits (no sign) as a non-negative 64-bit number; nullopt on anything else or
// an overflow.
std::optional<std::int64_t> Decimal(std::string_view digits) {
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// RFC 8187 attr-char: what filename* carries unencoded.
bool IsAttrChar(unsigned char c) {
  return std::isalnum(c) != 0 ||
         std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

bool AcceptsOctetStream(std::string_view accept) {
  for (std::string_view element : SplitOutsideQuotes(accept, ',')) {
    const std::vector<std::string_view> parts = SplitOutsideQuotes(element, ';');
    if (!EqualsNoCase(Trim(parts.front()), "application/octet-stream")) continue;
    bool refused = false;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      const std::string_view parameter = Trim(parts[i]);
      const std::size_t equals = parameter.find('=');
      if (equals != std::string_view::npos && EqualsNoCase(Trim(parameter.substr(0, equals)), "q")) {
        refused = IsZeroQuality(Trim(parameter.substr(equals + 1)));
      }
    }
    if (!refused) return true;
  }
  return false;
}

std::optional<ByteRange> ParseByteRange(std::string_view range) {
  range = Trim(range);
  const std::size_t equals = range.find('=');
  if (equals == std::string_view::npos || !EqualsNoCase(Trim(range.substr(0, equals)), "bytes"))
    return std::nullopt;
  const std::string_view spec = Trim(range.substr(equals + 1));
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::optional<std::int64_t> first = Decimal(Trim(spec.substr(0, dash)));
  if (!first) return std::nullopt;  // also the suffix form "-n"
  ByteRange parsed{*first, std::nullopt};
  const std::string_view last_text = Trim(spec.substr(dash + 1));
  if (!last_text.empty()) {
    parsed.last = Decimal(last_text);
    if (!parsed.last || *parsed.last < parsed.first) return std::nullopt;
  }
  return parsed;
}

std::string ContentDisposition(std::string_view name) {
  std::string fallback;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 && byte < 0xC0) continue;  // a UTF-8 continuation byte: its character is one '_'
    const bool plain = byte >= 0x20 && byte < 0x7F && c != '"' && c != '\\';
    fallback.push_back(plain ? c : '_');
  }
  if (fallback.empty()) fallback = "download";
  std::string encoded;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (IsAttrChar(byte)) {
      encoded.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      encoded.push_back('%');
      encoded.push_back(kHex[byte >> 4]);
      encoded.push_back(kHex[byte & 0x0F]);
    }
  }
  std::string header = "attachment; filename=\"" + fallback + "\"";
  if (!encoded.empty()) header += "; filename*=UTF-8''" + encoded;
  return header;
}

}  // namespace selfservice::server
