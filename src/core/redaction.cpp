#include "core/redaction.hpp"

#include <array>
#include <cstdint>

namespace selfservice {
namespace {

constexpr std::string_view kMask = "***";
constexpr std::string_view kPhoneMask = "<phone>";
constexpr std::string_view kIpMask = "<ip>";
constexpr std::size_t kMaxKeySize = 64;

// Names whose values are secrets; a key matches one exactly or ends with '_' and one of them,
// after lowercasing and reading '-' and '.' as '_'.
constexpr std::array<std::string_view, 16> kSecretNames = {
    "password",      "passwd", "pwd",  "passphrase", "secret",   "token",      "api_key",     "apikey",
    "authorization", "otp",    "totp", "mfa_code",   "otp_code", "key_base64", "private_key", "cookie"};

// Character classes as bits of one table, so each test in the scanning loops is one load.
enum CharClass : std::uint8_t {
  kDigit = 1 << 0,
  kAlpha = 1 << 1,
  kWord = 1 << 2,        // [A-Za-z0-9_]
  kHex = 1 << 3,         // [0-9A-Fa-f]
  kBase64Url = 1 << 4,   // word and '-'
  kToken = 1 << 5,       // RFC 6750 b64token: base64url and ".~+/="
  kEmailLocal = 1 << 6,  // word and ".%+-"
  kEndsValue = 1 << 7,   // ends an unquoted value: white space and ",;&)}]\"'<>"
};

constexpr std::array<std::uint8_t, 256> MakeClasses() {
  std::array<std::uint8_t, 256> classes{};
  const auto add = [&](std::string_view chars, unsigned bits) {
    for (char c : chars) classes[static_cast<unsigned char>(c)] |= static_cast<std::uint8_t>(bits);
  };
  for (int c = 0; c < 256; ++c) {
    const bool digit = c >= '0' && c <= '9';
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (digit) classes[c] |= kDigit;
    if (alpha) classes[c] |= kAlpha;
    if (hex) classes[c] |= kHex;
    if (digit || alpha) classes[c] |= kWord | kBase64Url | kToken | kEmailLocal;
  }
  add("_", kWord | kBase64Url | kToken | kEmailLocal);
  add("-", kBase64Url | kToken | kEmailLocal);
  add(".~+/=", kToken);
  add(".%+", kEmailLocal);
  add(" \t\r\n,;&)}]\"'<>", kEndsValue);
  return classes;
}

constexpr std::array<std::uint8_t, 256> kClasses = MakeClasses();

bool Is(char c, CharClass cls) {
  return (kClasses[static_cast<unsigned char>(c)] & cls) != 0;
}
bool IsDigit(char c) {
  return Is(c, kDigit);
}
bool IsAlpha(char c) {
  return Is(c, kAlpha);
}
bool IsAlnum(char c) {
  return Is(c, static_cast<CharClass>(kDigit | kAlpha));
}
bool IsWordChar(char c) {
  return Is(c, kWord);
}
bool IsHex(char c) {
  return Is(c, kHex);
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t';
}
bool IsKeyChar(char c) {
  return IsWordChar(c) || c == '-' || c == '.';
}
bool IsBase64UrlChar(char c) {
  return Is(c, kBase64Url);
}
bool IsTokenChar(char c) {
  return Is(c, kToken);
}
bool IsEmailLocalChar(char c) {
  return Is(c, kEmailLocal);
}
bool EndsValue(char c) {
  return Is(c, kEndsValue);
}
char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsSecretKey(std::string_view key) {
  if (key.size() > kMaxKeySize) return false;
  std::array<char, kMaxKeySize> buffer;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = Lower(key[i]);
    buffer[i] = c == '-' || c == '.' ? '_' : c;
  }
  const std::string_view normal(buffer.data(), key.size());
  for (std::string_view name : kSecretNames) {
    if (normal.size() < name.size() || normal.substr(normal.size() - name.size()) != name) continue;
    if (normal.size() == name.size() || normal[normal.size() - name.size() - 1] == '_') return true;
  }
  return false;
}

bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (Lower(text[i]) != lower[i]) return false;
  }
  return true;
}

// One pass over a line. Each Try* looks at a word starting at `i` and, when it recognises
// something to mask, appends the masked form and returns how many bytes it consumed (0: not
// recognised, nothing appended). Text between matches is copied in spans.
class Scanner {
 public:
  explicit Scanner(std::string_view line)
      : line_(line),
        has_at_(line.find('@') != std::string_view::npos),
        has_separator_(line.find_first_of(":=") != std::string_view::npos) {}

  std::string Run() {
    std::size_t i = 0;
    while (i < line_.size()) {
      if (i == 0 || !IsWordChar(line_[i - 1])) {
        masked_.clear();
        if (const std::size_t consumed = TryAll(i)) {
          out_.append(line_.substr(copied_, i - copied_)).append(masked_);
          i += consumed;
          copied_ = i;
          continue;
        }
      }
      ++i;
    }
    if (copied_ == 0) return std::string(line_);
    out_.append(line_.substr(copied_));
    return std::move(out_);
  }

 private:
  char At(std::size_t i) const { return i < line_.size() ? line_[i] : '\0'; }
  char Before(std::size_t i) const { return i == 0 ? ' ' : line_[i - 1]; }

  std::size_t TryAll(std::size_t i) {
    const char c = line_[i];
    if (c == '"' || c == '\'') return has_separator_ ? TryKeyValue(i) : 0;
    if (c == '+') return TryInternationalPhone(i);
    if (c == ':') return Before(i) == ':' ? 0 : TryIpv6(i);  // judged from the first ':' of a run
    if (!IsWordChar(c)) return 0;
    if (std::size_t n = TryJwt(i)) return n;
    if (std::size_t n = TryBearer(i)) return n;
    if (has_separator_) {
      if (std::size_t n = TryKeyValue(i)) return n;
    }
    if (has_at_) {
      if (std::size_t n = TryUrlPassword(i)) return n;
      if (std::size_t n = TryEmail(i)) return n;
    }
    if (!IsHex(c)) return 0;
    // Dotted numbers ("1.2.3.4.5") and hex runs ("1:2:3:4:5:6:7:8:9") are judged from their start
    // only, so no tail of one passes for an address.
    const char before = Before(i);
    if (before == '.') return 0;
    if (std::size_t n = TryIpv4(i)) return n;
    if (std::size_t n = TryMobilePhone(i)) return n;
    return before == ':' ? 0 : TryIpv6(i);
  }

  // "eyJ" (base64url of '{"') then at least three dot-separated base64url segments (a JWS; a JWE
  // has five); the last may be empty (an unsecured JWT).
  std::size_t TryJwt(std::size_t i) {
    if (line_.substr(i, 3) != "eyJ" || i < jwt_checked_until_) return 0;
    std::size_t j = i;
    std::size_t segments = 0;
    bool empty_inside = false;
    for (;;) {
      const std::size_t segment = j;
      while (IsBase64UrlChar(At(j))) ++j;
      ++segments;
      if (At(j) != '.') break;
      empty_inside = empty_inside || j == segment;
      ++j;
    }
    if (segments < 3 || empty_inside) {
      jwt_checked_until_ = j;
      return 0;
    }
    masked_.append(kMask);
    return j - i;
  }

  // "Bearer <token>", in any letter case.
  std::size_t TryBearer(std::size_t i) {
    if (!EqualsIgnoreCase(line_.substr(i, 6), "bearer") || !IsSpace(At(i + 6))) return 0;
    std::size_t j = i + 6;
    while (IsSpace(At(j))) ++j;
    const std::size_t token = j;
    while (IsTokenChar(At(j))) ++j;
    if (j == token) return 0;
    masked_.append(line_.substr(i, token - i)).append(kMask);
    return j - i;
  }

  // key=value, key: value, "key": "value", 'key'='value' and \"key\":\"value\" (JSON inside a
  // JSON string) for the secret keys.
  std::size_t TryKeyValue(std::size_t i) {
    std::string_view quote;
    if (line_[i] == '"' || line_[i] == '\'') quote = line_.substr(i, 1);
    const std::size_t key_start = i + quote.size();
    if (quote.empty() && key_start < key_checked_until_) return 0;
    std::size_t j = key_start;
    // A '.' or '-' belongs to the key only inside it, not at its end ("the password.").
    while (IsWordChar(At(j)) || ((At(j) == '.' || At(j) == '-') && IsKeyChar(At(j + 1)))) ++j;
    const std::string_view key = line_.substr(key_start, j - key_start);
    if (quote.empty()) key_checked_until_ = j;
    if (key.empty()) return 0;
    if (!quote.empty()) {
      if (At(j) == '\\' && At(j + 1) == quote[0] && Before(i) == '\\') {
        ++j;
      } else if (At(j) != quote[0]) {
        return 0;
      }
      ++j;
    }
    while (IsSpace(At(j))) ++j;
    const char separator = At(j);
    if ((separator != ':' && separator != '=') || At(j + 1) == ':' || !IsSecretKey(key)) return 0;
    ++j;
    while (IsSpace(At(j))) ++j;
    masked_.append(line_.substr(i, j - i));
    return j - i + MaskValue(j, EndsWithAuthorization(key));
  }

  static bool EndsWithAuthorization(std::string_view key) {
    constexpr std::string_view kName = "authorization";
    return key.size() >= kName.size() && EqualsIgnoreCase(key.substr(key.size() - kName.size()), kName);
  }

  // Masks the value starting at `j`; returns the bytes consumed.
  std::size_t MaskValue(std::size_t j, bool authorization) {
    std::string_view open;
    if (At(j) == '"' || At(j) == '\'') {
      open = line_.substr(j, 1);
    } else if (At(j) == '\\' && (At(j + 1) == '"' || At(j + 1) == '\'')) {
      open = line_.substr(j, 2);
    }
    if (!open.empty()) {
      const std::size_t body = j + open.size();
      std::size_t end = body;
      while (end < line_.size() && line_.substr(end, open.size()) != open) {
        end += open.size() == 1 && line_[end] == '\\' ? 2 : 1;  // skip an escaped character
      }
      end = std::min(end, line_.size());
      masked_.append(open);
      if (end > body) AppendMasked(line_.substr(body, end - body), authorization);
      if (end < line_.size()) masked_.append(open);
      return std::min(end + open.size(), line_.size()) - j;
    }
    if (At(j) == '{' || At(j) == '[') return 0;  // a structure: its members are scanned on their own
    std::size_t end = j;
    while (end < line_.size() && !EndsValue(line_[end])) ++end;
    if (authorization && end > j && IsSpace(At(end))) {
      // "Basic <credentials>": the credentials are the next word.
      std::size_t next = end;
      while (IsSpace(At(next))) ++next;
      const std::size_t credentials = next;
      while (next < line_.size() && !EndsValue(line_[next])) ++next;
      if (next > credentials) end = next;
    }
    if (end > j) AppendMasked(line_.substr(j, end - j), authorization);
    return end - j;
  }

  // An authorization value keeps its scheme word.
  void AppendMasked(std::string_view value, bool authorization) {
    if (authorization) {
      std::size_t k = 0;
      while (k < value.size() && IsAlpha(value[k])) ++k;
      if (k > 0 && k < value.size() && IsSpace(value[k])) {
        masked_.append(value.substr(0, k + 1));
      }
    }
    masked_.append(kMask);
  }

  // scheme://user:password@host: the password.
  std::size_t TryUrlPassword(std::size_t i) {
    if (i < 3 || line_.substr(i - 3, 3) != "://") return 0;
    const auto ends_part = [](char c) {
      return c == '\0' || c == '@' || c == '/' || c == '?' || c == '#' || IsSpace(c);
    };
    std::size_t j = i;
    while (!ends_part(At(j)) && At(j) != ':') ++j;
    if (At(j) != ':') return 0;
    const std::size_t password = j + 1;
    std::size_t k = password;
    while (!ends_part(At(k))) ++k;
    if (At(k) != '@' || k == password) return 0;
    masked_.append(line_.substr(i, password - i)).append(kMask);
    return k - i;
  }

  // local@domain.tld: the local part.
  std::size_t TryEmail(std::size_t i) {
    if (i < email_checked_until_) return 0;
    std::size_t j = i;
    while (IsEmailLocalChar(At(j))) ++j;
    email_checked_until_ = j;
    if (At(j) != '@' || j == i) return 0;
    const std::size_t domain = j + 1;
    std::size_t end = domain;
    std::size_t labels = 0;
    std::size_t last_label = domain;
    for (std::size_t k = domain;;) {
      const std::size_t label = k;
      while (IsAlnum(At(k)) || At(k) == '-') ++k;
      if (k == label) break;
      ++labels;
      last_label = label;
      end = k;
      if (At(k) != '.') break;
      ++k;
    }
    if (labels < 2 || end - last_label < 2) return 0;
    for (std::size_t k = last_label; k < end; ++k) {
      if (!IsAlpha(line_[k])) return 0;
    }
    masked_.append(kMask).append(line_.substr(j, end - j));
    return end - i;
  }

  // Four decimals 0-255 joined by dots, not part of a longer dotted number or word.
  std::size_t TryIpv4(std::size_t i) {
    std::size_t j = i;
    for (int part = 0; part < 4; ++part) {
      if (part > 0) {
        if (At(j) != '.') return 0;
        ++j;
      }
      const std::size_t digits = j;
      int value = 0;
      while (IsDigit(At(j)) && j - digits < 3) value = value * 10 + (line_[j++] - '0');
      if (j == digits || value > 255) return 0;
    }
    if (IsWordChar(At(j)) || (At(j) == '.' && IsDigit(At(j + 1)))) return 0;
    masked_.append(kIpMask);
    return j - i;
  }

  // 1[3-9] and nine more digits, contiguous or 3-4-4 with one kind of separator (' ' or '-').
  std::size_t TryMobilePhone(std::size_t i) {
    if (line_[i] != '1' || At(i + 1) < '3' || At(i + 1) > '9') return 0;
    const auto digits = [&](std::size_t from, std::size_t count) {
      for (std::size_t k = from; k < from + count; ++k) {
        if (!IsDigit(At(k))) return false;
      }
      return true;
    };
    std::size_t end = 0;
    if (digits(i, 11)) {
      end = i + 11;
    } else if (const char separator = At(i + 3); (separator == ' ' || separator == '-') && digits(i, 3) &&
                                                 digits(i + 4, 4) && At(i + 8) == separator &&
                                                 digits(i + 9, 4)) {
      end = i + 13;
    }
    if (end == 0 || IsWordChar(At(end)) || (At(end) == '.' && IsDigit(At(end + 1)))) return 0;
    masked_.append(kPhoneMask);
    return end - i;
  }

  // '+' and 8 to 15 digits (E.164), with at most two separators (space, '-', '.', parentheses)
  // between digits.
  std::size_t TryInternationalPhone(std::size_t i) {
    if (IsWordChar(Before(i)) || Before(i) == '+' || !IsDigit(At(i + 1))) return 0;
    const auto is_separator = [](char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; };
    std::size_t j = i + 1;
    std::size_t digits = 0;
    for (;;) {
      while (IsDigit(At(j))) {
        if (++digits > 15) return 0;
        ++j;
      }
      std::size_t next = j;
      while (next - j < 3 && is_separator(At(next))) ++next;
      if (next == j || next - j > 2 || !IsDigit(At(next))) break;
      j = next;
    }
    if (digits < 8 || IsWordChar(At(j))) return 0;
    masked_.append(kPhoneMask);
    return j - i;
  }

  // RFC 4291 section 2.2 text forms: eight groups of 1-4 hex digits, or fewer with one "::",
  // optionally ending in a dotted IPv4 address (which counts as two groups).
  std::size_t TryIpv6(std::size_t i) {
    std::size_t end = i;
    std::size_t colons = 0;
    for (char c = At(end); IsHex(c) || c == ':' || c == '.'; c = At(++end)) colons += c == ':' ? 1 : 0;
    if (colons < 2) return 0;
    // Trailing punctuation of the sentence, not of the address ("fe80::" keeps its "::").
    while (end > i &&
           (line_[end - 1] == '.' || (line_[end - 1] == ':' && (end - i < 2 || line_[end - 2] != ':')))) {
      --end;
    }
    if (IsWordChar(At(end))) return 0;
    const std::string_view text = line_.substr(i, end - i);
    const std::size_t gap = text.find("::");
    std::size_t groups = 0;
    if (gap == std::string_view::npos) {
      if (!CountGroups(text, true, groups) || groups != 8) return 0;
    } else {
      if (text.find("::", gap + 1) != std::string_view::npos) return 0;
      const std::string_view tail = text.substr(gap + 2);
      if (!CountGroups(text.substr(0, gap), tail.empty(), groups) || !CountGroups(tail, true, groups))
        return 0;
      if (groups == 0 || groups > 7) return 0;
    }
    masked_.append(kIpMask);
    return end - i;
  }

  // Adds the groups of `part` (colon-separated, no empty group) to `groups`; false if a group is
  // not 1-4 hex digits or, at the very end of the address (`last`), an IPv4 address.
  static bool CountGroups(std::string_view part, bool last, std::size_t& groups) {
    if (part.empty()) return true;
    for (std::size_t start = 0;;) {
      const std::size_t colon = part.find(':', start);
      const bool final_group = colon == std::string_view::npos;
      const std::string_view group = part.substr(start, final_group ? std::string_view::npos : colon - start);
      if (group.empty()) return false;
      if (group.find('.') != std::string_view::npos) {
        if (!final_group || !last || Scanner(group).TryIpv4(0) != group.size()) return false;
        groups += 2;
      } else {
        if (group.size() > 4) return false;
        groups += 1;
      }
      if (final_group) return true;
      start = colon + 1;
    }
  }

  std::string_view line_;
  std::string out_;
  std::string masked_;  // what the Try* that is running appends
  std::size_t copied_ = 0;
  // Where the last failed unquoted key, e-mail and JWT scans ended: a scan starting inside one
  // would end at the same place and fail the same way, so it is skipped, keeping a line of many
  // dotted segments linear rather than quadratic.
  std::size_t key_checked_until_ = 0;
  // Whether the line has an '@' (e-mail, URL user info) and a ':' or '=' (key-value, IPv6) at
  // all: one memchr each spares most words the scans that need them.
  bool has_at_;
  bool has_separator_;
  std::size_t email_checked_until_ = 0;
  std::size_t jwt_checked_until_ = 0;
};

}  // namespace

std::string Redact(std::string_view line) {
  return Scanner(line).Run();
}

}  // namespace selfservice
