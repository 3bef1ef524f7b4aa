// A tenant's rules for new passwords, read from its security_settings, and the check of a
// candidate password against them.
//
// Thread safety: values and pure functions; safe from any thread.

#pragma once

#include <string_view>

#include <boost/json/object.hpp>

#include "selfservice/status.hpp"

namespace selfservice::security {

// The codes of Check's field errors (field "password"); catalog messages are keyed on them.
namespace password_code {
inline constexpr const char* kTooShort = "PASSWORD_TOO_SHORT";  // {"min", n}
inline constexpr const char* kTooLong = "PASSWORD_TOO_LONG";    // {"max", n}
inline constexpr const char* kTooWeak = "PASSWORD_TOO_WEAK";    // {"min", classes}
inline constexpr const char* kContainsUsername = "PASSWORD_CONTAINS_USERNAME";
inline constexpr const char* kTooCommon = "PASSWORD_TOO_COMMON";
}  // namespace password_code

// Lengths count UTF-8 code points. The character classes are lowercase ASCII letters, uppercase
// ASCII letters, ASCII digits, and everything else (ASCII symbols, spaces and every non-ASCII
// character alike: without Unicode tables a letter of another script has no reliable case).
struct PasswordPolicy {
  int min_length = 12;
  int max_length = 128;
  int min_character_classes = 3;
  // Refuse a password containing the username or the e-mail's local part, ignoring ASCII case
  // (names shorter than 3 code points are not looked for: they would forbid too much).
  bool forbid_username = true;
  // Refuse one of about a hundred of the most common passwords, ignoring ASCII case.
  bool forbid_common = true;
};

// The policy in `security_settings["password_policy"]`, an object whose keys (all optional) are
// the members of PasswordPolicy; defaults where the key or a member is absent. Tenants move
// within fixed bounds: min_length 8 … 64, max_length 64 … 128, min_character_classes 1 … 4.
// Invalid field errors are named "password_policy.<member>": OUT_OF_RANGE ({"min", ..},
// {"max", ..}), FIELD_INVALID for a value of the wrong JSON type (or a password_policy that is
// not an object) and VALUE_NOT_ALLOWED for an unknown member.
Result<PasswordPolicy> ParsePasswordPolicy(const boost::json::object& security_settings);

// OK, or Invalid with one field error on "password" per rule broken (codes of password_code;
// FIELD_INVALID alone when `password` is not UTF-8). `email` may be empty.
Status CheckPassword(const PasswordPolicy& policy, std::string_view password, std::string_view username,
                     std::string_view email);

}  // namespace selfservice::security
