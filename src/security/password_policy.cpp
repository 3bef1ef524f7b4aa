#include "security/password_policy.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "net/endpoint.hpp"

namespace selfservice::security {
namespace {

constexpr int kMinLengthFloor = 8;
constexpr int kMinLengthCeiling = 64;
// NIST SP 800-63B asks verifiers to accept at least 64 characters, so passphrases always fit.
constexpr int kMaxLengthFloor = 64;
constexpr int kMaxLengthCeiling = 128;
constexpr int kClassCount = 4;
constexpr std::size_t kMinNameLength = 3;

// Among the most frequent passwords of public breach compilations, lowercase; only those of at
// least 8 characters, since no policy admits anything shorter.
constexpr std::string_view kCommonPasswords[] = {
    "password",    "password1",  "password12", "password123", "password!",  "passw0rd",    "p@ssw0rd",
    "p@ssword",    "password01", "password2",  "12345678",    "123456789",  "1234567890",  "12345678910",
    "87654321",    "987654321",  "11111111",   "00000000",    "88888888",   "66666666",    "55555555",
    "123123123",   "12341234",   "11223344",   "147258369",   "159753456",  "1q2w3e4r",    "1q2w3e4r5t",
    "1qaz2wsx",    "1qazxsw2",   "zaq12wsx",   "12qwaszx",    "qwertyuiop", "qwerty123",   "qwerty1234",
    "qwerty12345", "qwertyui",   "qazwsxedc",  "qweasdzxc",   "123qweasd",  "1234qwer",    "q1w2e3r4",
    "q1w2e3r4t5",  "asdfghjkl",  "asdfasdf",   "zxcvbnm1",    "abcd1234",   "abc12345",    "aa123456",
    "a1234567",    "123456789a", "iloveyou",   "iloveyou1",   "iloveu123",  "sunshine",    "sunshine1",
    "princess",    "princess1",  "football",   "football1",   "baseball",   "welcome1",    "welcome123",
    "superman",    "starwars",   "trustno1",   "whatever",    "jennifer",   "michelle",    "computer",
    "corvette",    "mercedes",   "letmein1",   "letmein123",  "changeme",   "changeme123", "administrator",
    "admin123",    "admin1234",  "passport",   "internet",    "samantha",   "liverpool",   "chelsea1",
    "arsenal1",    "blink182",   "charlie1",   "jordan23",    "pokemon1",   "monkey123",   "dragon123",
    "master123",   "shadow123",  "babygirl",   "lovely123",   "michael1",   "basketball",  "butterfly",
    "chocolate",   "qwerty123!",
};

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

// The number of code points of `text`, or nullopt unless it is well-formed UTF-8 (no overlong
// forms, no surrogates, nothing above U+10FFFF).
std::optional<std::size_t> CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t smallest = 0;
    if (lead < 0x80) {
      length = 1, code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, code_point = lead & 0x1F, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code_point = lead & 0x0F, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code_point = lead & 0x07, smallest = 0x10000;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < smallest || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    i += length;
    ++count;
  }
  return count;
}

int CharacterClasses(std::string_view password) {
  bool lower = false, upper = false, digit = false, other = false;
  for (const char c : password) {
    if (c >= 'a' && c <= 'z') {
      lower = true;
    } else if (c >= 'A' && c <= 'Z') {
      upper = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      other = true;
    }
  }
  return int{lower} + int{upper} + int{digit} + int{other};
}

bool ContainsName(const std::string& lower_password, std::string_view name) {
  const std::optional<std::size_t> length = CountCodePoints(name);
  if (!length || *length < kMinNameLength) return false;
  return lower_password.find(AsciiLower(name)) != std::string::npos;
}

// Reads one integer member of `policy` into `target` if present.
void ReadInt(const boost::json::object& policy, const char* key, int min, int max, int& target,
             std::vector<FieldError>& errors) {
  const boost::json::value* value = policy.if_contains(key);
  if (value == nullptr) return;
  const std::string field = std::string("password_policy.") + key;
  if (!value->is_int64() && !value->is_uint64()) {
    errors.push_back({field, field_code::kInvalid, {}});
    return;
  }
  const bool in_range = value->is_int64() ? value->as_int64() >= min && value->as_int64() <= max
                                          : value->as_uint64() <= static_cast<std::uint64_t>(max);
  if (!in_range) {
    errors.push_back(net::OutOfRange(field, min, max));
    return;
  }
  target =
      static_cast<int>(value->is_int64() ? value->as_int64() : static_cast<std::int64_t>(value->as_uint64()));
}

void ReadBool(const boost::json::object& policy, const char* key, bool& target,
              std::vector<FieldError>& errors) {
  const boost::json::value* value = policy.if_contains(key);
  if (value == nullptr) return;
  if (!value->is_bool()) {
    errors.push_back({std::string("password_policy.") + key, field_code::kInvalid, {}});
    return;
  }
  target = value->as_bool();
}

}  // namespace

Result<PasswordPolicy> ParsePasswordPolicy(const boost::json::object& security_settings) {
  PasswordPolicy policy;
  const boost::json::value* value = security_settings.if_contains("password_policy");
  if (value == nullptr) return policy;
  if (!value->is_object()) return Status::InvalidField("password_policy", field_code::kInvalid);
  const boost::json::object& object = value->as_object();
  std::vector<FieldError> errors;
  for (const auto& member : object) {
    const std::string_view key = member.key();
    if (key != "min_length" && key != "max_length" && key != "min_character_classes" &&
        key != "forbid_username" && key != "forbid_common") {
      errors.push_back({"password_policy." + std::string(key), field_code::kNotAllowed, {}});
    }
  }
  ReadInt(object, "min_length", kMinLengthFloor, kMinLengthCeiling, policy.min_length, errors);
  ReadInt(object, "max_length", kMaxLengthFloor, kMaxLengthCeiling, policy.max_length, errors);
  ReadInt(object, "min_character_classes", 1, kClassCount, policy.min_character_classes, errors);
  ReadBool(object, "forbid_username", policy.forbid_username, errors);
  ReadBool(object, "forbid_common", policy.forbid_common, errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return policy;
}

Status CheckPassword(const PasswordPolicy& policy, std::string_view password, std::string_view username,
                     std::string_view email) {
  constexpr const char* kField = "password";
  const std::optional<std::size_t> length = CountCodePoints(password);
  if (!length) return Status::InvalidField(kField, field_code::kInvalid);
  std::vector<FieldError> errors;
  if (*length < static_cast<std::size_t>(policy.min_length)) {
    errors.push_back({kField, password_code::kTooShort, {{"min", std::to_string(policy.min_length)}}});
  }
  if (*length > static_cast<std::size_t>(policy.max_length)) {
    errors.push_back({kField, password_code::kTooLong, {{"max", std::to_string(policy.max_length)}}});
  }
  if (CharacterClasses(password) < policy.min_character_classes) {
    errors.push_back(
        {kField, password_code::kTooWeak, {{"min", std::to_string(policy.min_character_classes)}}});
  }
  const std::string lower = AsciiLower(password);
  if (policy.forbid_username) {
    const std::size_t at = email.rfind('@');
    const std::string_view local_part =
        at == std::string_view::npos ? std::string_view() : email.substr(0, at);
    if (ContainsName(lower, username) || ContainsName(lower, local_part)) {
      errors.push_back({kField, password_code::kContainsUsername, {}});
    }
  }
  if (policy.forbid_common && std::find(std::begin(kCommonPasswords), std::end(kCommonPasswords), lower) !=
                                  std::end(kCommonPasswords)) {
    errors.push_back({kField, password_code::kTooCommon, {}});
  }
  if (errors.empty()) return Status::Ok();
  return Status::Invalid(std::move(errors));
}

}  // namespace selfservice::security
