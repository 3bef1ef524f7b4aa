#include "domain/rules.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include <boost/json/serialize.hpp>

namespace selfservice {
namespace {

// Not std::isalnum: a host's locale must not widen what a domain name or e-mail address may hold.
bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

namespace {

// The byte length of the character starting at `i`: a byte that does not start a complete
// sequence counts as one character of its own, so malformed input can never look shorter than it
// is and slip past a VARCHAR limit.
std::size_t CharBytes(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t length = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
  std::size_t end = i + 1;
  while (end < i + length && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  return end == i + length ? length : 1;
}

}  // namespace

std::size_t Utf8Length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); i += CharBytes(text, i)) ++count;
  return count;
}

std::string Utf8Prefix(std::string_view text, std::size_t max_chars) {
  std::size_t i = 0;
  for (std::size_t count = 0; i < text.size() && count < max_chars; ++count) i += CharBytes(text, i);
  return std::string(text.substr(0, i));
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

bool IsDomainName(std::string_view text) {
  // RFC 1035 host names: dot-separated labels of letters, digits and inner hyphens, with a dot.
  if (text.empty() || text.size() > 253 || text.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view label = text.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return IsAsciiAlnum(c) || c == '-'; })) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

bool IsEmail(std::string_view text) {
  // The practical subset of RFC 5321: dot-atom local part of at most 64 octets, a domain name.
  const std::size_t at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || text.size() > 254) return false;
  std::string_view local = text.substr(0, at);
  if (local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return false;
  }
  static constexpr std::string_view kAtext = "!#$%&'*+/=?^_`{|}~.-";
  if (!std::all_of(local.begin(), local.end(),
                   [](char c) { return IsAsciiAlnum(c) || kAtext.find(c) != std::string_view::npos; })) {
    return false;
  }
  return IsDomainName(text.substr(at + 1));
}

bool IsPhone(std::string_view text) {
  // E.164 numbers, optionally written with spaces, hyphens or parentheses: 5 to 15 digits.
  if (text.empty() || text.size() > 20) return false;
  int digits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '+' && i == 0) {
    } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits >= 5 && digits <= 15;
}

bool IsHttpUrl(std::string_view text) {
  std::string_view rest;
  const std::string lower = Lowercase(text.substr(0, 8));
  if (lower.rfind("https://", 0) == 0) {
    rest = text.substr(8);
  } else if (lower.rfind("http://", 0) == 0) {
    rest = text.substr(7);
  } else {
    return false;
  }
  // No whitespace, control characters, quotes or angle brackets anywhere.
  if (!std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u != 0x7F && c != '"' && c != '<' && c != '>' && c != '\\';
      })) {
    return false;
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return false;  // no credentials in URLs
  std::string_view host = authority;
  std::string_view after_host;
  if (!host.empty() && host.front() == '[') {  // IPv6 literal
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string inner(host.substr(1, close - 1));
    in6_addr addr{};
    if (inet_pton(AF_INET6, inner.c_str(), &addr) != 1) return false;
    after_host = host.substr(close + 1);
    host = {};
  } else {
    const std::size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      after_host = host.substr(colon);
      host = host.substr(0, colon);
    }
    if (host != "localhost" && !IsDomainName(host) && !IsIpAddress(host)) return false;
  }
  if (after_host.empty()) return true;
  if (after_host.front() != ':') return false;
  const std::string_view port = after_host.substr(1);
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         std::stoul(std::string(port)) <= 65535;
}

bool IsAsciiToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool IsHexColor(std::string_view text) {
  if (text.size() != 4 && text.size() != 7) return false;  // #RGB or #RRGGBB
  return text.front() == '#' && std::all_of(text.begin() + 1, text.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

bool IsIpAddress(std::string_view text) {
  // inet_pton reads a C string: an embedded NUL would hide whatever follows it.
  if (text.size() > 45 || text.find('\0') != std::string_view::npos) return false;
  const std::string copy(text);
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, copy.c_str(), &v4) == 1 || inet_pton(AF_INET6, copy.c_str(), &v6) == 1;
}

bool IsSafeCss(std::string_view text) {
  // Custom CSS is embedded in the portal's pages: refuse what ends a <style> element or runs code.
  // The HTML parser ends the element at "</style" even inside a CSS comment, so '<' is refused
  // anywhere. Browsers ignore comments and whitespace inside the scripting constructs
  // ("expression (", "java\tscript:", "expr/**/ession("), so those are removed before looking.
  if (text.find('<') != std::string_view::npos) return false;
  std::string squeezed;
  squeezed.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 2) == "/*") {
      const std::size_t close = text.find("*/", i + 2);
      if (close == std::string_view::npos) break;
      i = close + 1;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c == 0x7F) continue;
    squeezed += static_cast<char>(std::tolower(c));
  }
  for (std::string_view banned :
       {"javascript:", "vbscript:", "expression(", "@import", "behavior:", "-moz-binding", "\\"}) {
    if (squeezed.find(banned) != std::string::npos) return false;
  }
  return true;
}

void FieldChecker::Add(std::string_view field, const char* code,
                       std::vector<std::pair<std::string, std::string>> args) {
  errors_.push_back(FieldError{std::string(field), code, std::move(args)});
}

bool FieldChecker::HasErrorFor(std::string_view field) const {
  return std::any_of(errors_.begin(), errors_.end(), [&](const FieldError& e) { return e.field == field; });
}

void FieldChecker::Required(std::string_view field, const std::string& value, std::size_t max_chars) {
  if (IsBlank(value)) {
    Add(field, field_code::kRequired);
    return;
  }
  MaxChars(field, value, max_chars);
}

void FieldChecker::RequiredText(std::string_view field, const std::string& value, std::size_t max_bytes) {
  if (IsBlank(value)) {
    Add(field, field_code::kRequired);
    return;
  }
  MaxBytes(field, value, max_bytes);
}

void FieldChecker::MaxChars(std::string_view field, const std::string& value, std::size_t max_chars) {
  if (Utf8Length(value) > max_chars) Add(field, field_code::kTooLong, {{"max", std::to_string(max_chars)}});
}

void FieldChecker::MaxChars(std::string_view field, const std::optional<std::string>& value,
                            std::size_t max_chars) {
  if (value) MaxChars(field, *value, max_chars);
}

void FieldChecker::MaxBytes(std::string_view field, const std::string& value, std::size_t max_bytes) {
  if (value.size() > max_bytes) Add(field, field_code::kTooLong, {{"max", std::to_string(max_bytes)}});
}

void FieldChecker::MaxBytes(std::string_view field, const std::optional<std::string>& value,
                            std::size_t max_bytes) {
  if (value) MaxBytes(field, *value, max_bytes);
}

void FieldChecker::Range(std::string_view field, std::int64_t value, std::int64_t min, std::int64_t max) {
  if (value < min || value > max) {
    Add(field, field_code::kOutOfRange, {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
  }
}

void FieldChecker::Range(std::string_view field, const std::optional<int>& value, std::int64_t min,
                         std::int64_t max) {
  if (value) Range(field, *value, min, max);
}

void FieldChecker::Range(std::string_view field, const std::optional<std::int64_t>& value,
                         std::int64_t min, std::int64_t max) {
  if (value) Range(field, *value, min, max);
}

void FieldChecker::Range(std::string_view field, const std::optional<double>& value, double min, double max) {
  if (value && !(*value >= min && *value <= max)) {  // NaN is out of every range
    auto text = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
      return s;
    };
    Add(field, field_code::kOutOfRange, {{"min", text(min)}, {"max", text(max)}});
  }
}

void FieldChecker::Format(std::string_view field, bool ok) {
  if (!ok) Add(field, field_code::kInvalid);
}

void FieldChecker::Format(std::string_view field, const std::optional<std::string>& value,
                          bool (*rule)(std::string_view)) {
  if (value && !HasErrorFor(field)) Format(field, rule(*value));
}

void FieldChecker::JsonObject(std::string_view field, const std::optional<boost::json::value>& value) {
  if (!value || value->is_null()) return;
  if (!value->is_object()) {
    Add(field, field_code::kInvalid);
    return;
  }
  if (boost::json::serialize(*value).size() > kTextBytes) {
    Add(field, field_code::kTooLong, {{"max", std::to_string(kTextBytes)}});
  }
}

}  // namespace selfservice
