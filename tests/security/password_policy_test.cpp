// PasswordPolicy: a tenant's password rules from its security_settings, and the check of a
// candidate password.

#include "security/password_policy.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

namespace selfservice::security {
namespace {

boost::json::object Settings(const char* json) {
  return boost::json::parse(json).as_object();
}

std::vector<std::string> CodesOf(const Status& status) {
  std::vector<std::string> codes;
  for (const FieldError& error : status.field_errors()) codes.push_back(error.code);
  return codes;
}

Status CheckDefault(std::string_view password, std::string_view username = "jdoe",
                    std::string_view email = "jane.doe@example.com") {
  return CheckPassword(PasswordPolicy{}, password, username, email);
}

TEST(ParsePasswordPolicy, DefaultsWhenTheKeyIsAbsent) {
  const Result<PasswordPolicy> policy = ParsePasswordPolicy(Settings(R"({"session_minutes": 30})"));
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->min_length, 12);
  EXPECT_EQ(policy->max_length, 128);
  EXPECT_EQ(policy->min_character_classes, 3);
  EXPECT_TRUE(policy->forbid_username);
  EXPECT_TRUE(policy->forbid_common);
}

TEST(ParsePasswordPolicy, DefaultsForAbsentMembers) {
  const Result<PasswordPolicy> policy =
      ParsePasswordPolicy(Settings(R"({"password_policy": {"min_length": 16}})"));
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->min_length, 16);
  EXPECT_EQ(policy->max_length, 128);
  EXPECT_EQ(policy->min_character_classes, 3);
}

TEST(ParsePasswordPolicy, ReadsEveryMember) {
  const Result<PasswordPolicy> policy = ParsePasswordPolicy(Settings(
      R"({"password_policy": {"min_length": 8, "max_length": 64, "min_character_classes": 4,
                              "forbid_username": false, "forbid_common": false}})"));
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->min_length, 8);
  EXPECT_EQ(policy->max_length, 64);
  EXPECT_EQ(policy->min_character_classes, 4);
  EXPECT_FALSE(policy->forbid_username);
  EXPECT_FALSE(policy->forbid_common);
}

TEST(ParsePasswordPolicy, RefusesAMinimumLengthBelowTheFloor) {
  const Result<PasswordPolicy> policy =
      ParsePasswordPolicy(Settings(R"({"password_policy": {"min_length": 7}})"));
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(policy.status().field_errors().size(), 1u);
  EXPECT_EQ(
      policy.status().field_errors()[0],
      (FieldError{"password_policy.min_length", field_code::kOutOfRange, {{"min", "8"}, {"max", "64"}}}));
}

TEST(ParsePasswordPolicy, RefusesOutOfRangeValues) {
  const Result<PasswordPolicy> policy = ParsePasswordPolicy(
      Settings(R"({"password_policy": {"min_length": 65, "max_length": 1000, "min_character_classes": 0}})"));
  ASSERT_FALSE(policy.ok());
  const std::vector<FieldError> expected = {
      {"password_policy.min_length", field_code::kOutOfRange, {{"min", "8"}, {"max", "64"}}},
      {"password_policy.max_length", field_code::kOutOfRange, {{"min", "64"}, {"max", "128"}}},
      {"password_policy.min_character_classes", field_code::kOutOfRange, {{"min", "1"}, {"max", "4"}}},
  };
  EXPECT_EQ(policy.status().field_errors(), expected);
}

TEST(ParsePasswordPolicy, RefusesNegativeAndHugeNumbers) {
  const Result<PasswordPolicy> policy = ParsePasswordPolicy(
      Settings(R"({"password_policy": {"min_length": -12, "max_length": 18446744073709551615}})"));
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(CodesOf(policy.status()),
            (std::vector<std::string>{field_code::kOutOfRange, field_code::kOutOfRange}));
}

TEST(ParsePasswordPolicy, RefusesValuesOfTheWrongType) {
  const Result<PasswordPolicy> policy = ParsePasswordPolicy(Settings(
      R"({"password_policy": {"min_length": "12", "min_character_classes": 2.5, "forbid_common": 1}})"));
  ASSERT_FALSE(policy.ok());
  const std::vector<FieldError> expected = {
      {"password_policy.min_length", field_code::kInvalid, {}},
      {"password_policy.min_character_classes", field_code::kInvalid, {}},
      {"password_policy.forbid_common", field_code::kInvalid, {}},
  };
  EXPECT_EQ(policy.status().field_errors(), expected);
}

TEST(ParsePasswordPolicy, RefusesAPolicyThatIsNotAnObject) {
  const Result<PasswordPolicy> policy = ParsePasswordPolicy(Settings(R"({"password_policy": [12]})"));
  ASSERT_FALSE(policy.ok());
  ASSERT_EQ(policy.status().field_errors().size(), 1u);
  EXPECT_EQ(policy.status().field_errors()[0], (FieldError{"password_policy", field_code::kInvalid, {}}));
}

TEST(ParsePasswordPolicy, RefusesUnknownMembers) {
  const Result<PasswordPolicy> policy =
      ParsePasswordPolicy(Settings(R"({"password_policy": {"min_lenght": 16}})"));
  ASSERT_FALSE(policy.ok());
  ASSERT_EQ(policy.status().field_errors().size(), 1u);
  EXPECT_EQ(policy.status().field_errors()[0],
            (FieldError{"password_policy.min_lenght", field_code::kNotAllowed, {}}));
}

TEST(CheckPassword, AcceptsAStrongPassword) {
  EXPECT_TRUE(CheckDefault("Tr0ubadour-Horse").ok());
  EXPECT_TRUE(CheckDefault("correct horse battery staple 7").ok());  // lower, digit, other
}

TEST(CheckPassword, RefusesAShortPassword) {
  const Status status = CheckDefault("Tr0ub4dor&3");  // 11 characters
  ASSERT_EQ(status.code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(status.field_errors().size(), 1u);
  EXPECT_EQ(status.field_errors()[0], (FieldError{"password", password_code::kTooShort, {{"min", "12"}}}));
}

TEST(CheckPassword, CountsCodePointsNotBytes) {
  // 13 code points of 3 bytes each, plus "A1": long enough, and non-ASCII counts as "other".
  EXPECT_TRUE(CheckDefault("正確馬電池釘書針正確馬電池A1").ok());
  // Ten code points in 26 bytes: too short, although a byte count would pass it.
  EXPECT_EQ(CodesOf(CheckDefault("正確馬電池釘書針A1")), std::vector<std::string>{password_code::kTooShort});
}

TEST(CheckPassword, RefusesALongPassword) {
  const Status status = CheckDefault(std::string(120, 'a') + "Bcdefgh12");  // 129 characters
  ASSERT_EQ(status.field_errors().size(), 1u);
  EXPECT_EQ(status.field_errors()[0], (FieldError{"password", password_code::kTooLong, {{"max", "128"}}}));
}

TEST(CheckPassword, AcceptsExactlyTheBoundaryLengths) {
  EXPECT_TRUE(CheckDefault("Abcdefghij1k").ok());                       // 12
  EXPECT_TRUE(CheckDefault(std::string(119, 'a') + "Bcdefgh12").ok());  // 128
}

TEST(CheckPassword, RefusesTooFewCharacterClasses) {
  const Status status = CheckDefault("abcdefghijkl1");  // lower and digit
  ASSERT_EQ(status.field_errors().size(), 1u);
  EXPECT_EQ(status.field_errors()[0], (FieldError{"password", password_code::kTooWeak, {{"min", "3"}}}));
}

TEST(CheckPassword, CountsSymbolsSpacesAndNonAsciiAsOneClass) {
  PasswordPolicy policy;
  policy.min_character_classes = 2;
  EXPECT_TRUE(CheckPassword(policy, "abcdefghijkl!", "", "").ok());
  // "!", " " and "é" are all the class "other": with lowercase that is two classes, not four.
  policy.min_character_classes = 3;
  EXPECT_EQ(CodesOf(CheckPassword(policy, "abcdefghijkl! é", "", "")),
            std::vector<std::string>{password_code::kTooWeak});
}

TEST(CheckPassword, RefusesAPasswordContainingTheUsernameInAnyCase) {
  EXPECT_EQ(CodesOf(CheckDefault("Xx-JDoe-2024-xX", "jdoe", "")),
            std::vector<std::string>{password_code::kContainsUsername});
}

TEST(CheckPassword, RefusesAPasswordContainingTheEmailLocalPart) {
  EXPECT_EQ(CodesOf(CheckDefault("My-Jane.Doe-2024", "someone", "jane.doe@example.com")),
            std::vector<std::string>{password_code::kContainsUsername});
}

TEST(CheckPassword, IgnoresTheEmailDomain) {
  EXPECT_TRUE(CheckDefault("Example.com-2024", "someone", "jane.doe@example.com").ok());
}

TEST(CheckPassword, IgnoresNamesShorterThanThreeCharacters) {
  EXPECT_TRUE(CheckDefault("Blueberry-Jam-42", "je", "ja@example.com").ok());
}

TEST(CheckPassword, MayAllowTheUsername) {
  PasswordPolicy policy;
  policy.forbid_username = false;
  EXPECT_TRUE(CheckPassword(policy, "Xx-JDoe-2024-xX", "jdoe", "").ok());
}

TEST(CheckPassword, RefusesACommonPasswordInAnyCase) {
  PasswordPolicy policy;
  policy.min_length = 8;
  policy.min_character_classes = 1;
  EXPECT_EQ(CodesOf(CheckPassword(policy, "PassWord123", "jdoe", "")),
            std::vector<std::string>{password_code::kTooCommon});
  EXPECT_EQ(CodesOf(CheckPassword(policy, "qwertyuiop", "jdoe", "")),
            std::vector<std::string>{password_code::kTooCommon});
}

TEST(CheckPassword, MayAllowACommonPassword) {
  PasswordPolicy policy;
  policy.min_length = 8;
  policy.min_character_classes = 1;
  policy.forbid_common = false;
  EXPECT_TRUE(CheckPassword(policy, "password123", "jdoe", "").ok());
}

TEST(CheckPassword, ReportsEveryBrokenRule) {
  EXPECT_EQ(CodesOf(CheckDefault("password", "password", "")),
            (std::vector<std::string>{password_code::kTooShort, password_code::kTooWeak,
                                      password_code::kContainsUsername, password_code::kTooCommon}));
}

TEST(CheckPassword, RefusesAnEmptyPassword) {
  EXPECT_EQ(CodesOf(CheckDefault("")),
            (std::vector<std::string>{password_code::kTooShort, password_code::kTooWeak}));
}

TEST(CheckPassword, RefusesMalformedUtf8) {
  for (const std::string& password :
       {std::string("Abcdefghijk1\xff"), std::string("Abcdefghijk1\xc3"), std::string("Abcdefghijk1\xc0\xaf"),
        std::string("Abcdefghijk1\xed\xa0\x80"), std::string("Abcdefghijk1\xf4\x90\x80\x80")}) {
    const Status status = CheckDefault(password);
    ASSERT_EQ(status.field_errors().size(), 1u);
    EXPECT_EQ(status.field_errors()[0], (FieldError{"password", field_code::kInvalid, {}}));
  }
}

}  // namespace
}  // namespace selfservice::security
