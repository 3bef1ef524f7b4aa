// One-time passwords: base32, HOTP, TOTP, the otpauth:// URI, verification with a window and
// replay refusal, and recovery codes.

#include "security/totp.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

namespace selfservice::security {
namespace {

// The seeds of RFC 6238 Appendix B (and, for SHA-1, RFC 4226 Appendix D).
const std::string kSeedSha1 = "12345678901234567890";
const std::string kSeedSha256 = "12345678901234567890123456789012";
const std::string kSeedSha512 = "1234567890123456789012345678901234567890123456789012345678901234";

TotpConfig Config(OtpAlgorithm algorithm, int digits) {
  TotpConfig config;
  config.algorithm = algorithm;
  config.digits = digits;
  return config;
}

// RFC 4648 section 10.
TEST(Base32, EncodesTheRfc4648TestVectorsWithoutPadding) {
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(Base32Encode("fo"), "MZXQ");
  EXPECT_EQ(Base32Encode("foo"), "MZXW6");
  EXPECT_EQ(Base32Encode("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32Encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
}

// RFC 4648 section 10, as written there (padded).
TEST(Base32, DecodesTheRfc4648TestVectors) {
  EXPECT_EQ(Base32Decode(""), "");
  EXPECT_EQ(Base32Decode("MY======"), "f");
  EXPECT_EQ(Base32Decode("MZXQ===="), "fo");
  EXPECT_EQ(Base32Decode("MZXW6==="), "foo");
  EXPECT_EQ(Base32Decode("MZXW6YQ="), "foob");
  EXPECT_EQ(Base32Decode("MZXW6YTB"), "fooba");
  EXPECT_EQ(Base32Decode("MZXW6YTBOI======"), "foobar");
}

TEST(Base32, DecodesWithoutPaddingAndInLowercase) {
  EXPECT_EQ(Base32Decode("MZXW6YTBOI"), "foobar");
  EXPECT_EQ(Base32Decode("mzxw6ytboi"), "foobar");
  EXPECT_EQ(Base32Decode("mZxW6yQ"), "foob");
}

TEST(Base32, RoundTripsEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (std::size_t length = 0; length <= bytes.size(); length += 7) {
    EXPECT_EQ(Base32Decode(Base32Encode(bytes.substr(0, length))), bytes.substr(0, length));
  }
}

TEST(Base32, RefusesInvalidCharacters) {
  for (const char* text :
       {"MZXW6YT1", "MZXW6YT0", "MZXW6YT8", "MZXW 6YTB", "MZXW6YTB\n", "MZXW-6YT", "MZXW6YT\xc3\xa9"}) {
    EXPECT_EQ(Base32Decode(text), std::nullopt) << text;
  }
}

TEST(Base32, RefusesWrongOrMisplacedPadding) {
  for (const char* text :
       {"MY=", "MY=====", "MZXW6YQ==", "M=Y=====", "MY======MY======", "========", "MZXW6YTB========"}) {
    EXPECT_EQ(Base32Decode(text), std::nullopt) << text;
  }
}

TEST(Base32, RefusesImpossibleLengths) {
  for (const char* text : {"M", "MZX", "MZXW6Y", "MZXW6YTBM"}) {
    EXPECT_EQ(Base32Decode(text), std::nullopt) << text;
  }
}

TEST(Base32, RefusesNonZeroTrailingBits) {
  EXPECT_EQ(Base32Decode("MZ"), std::nullopt);  // "MY" is the canonical encoding of "f"
}

// RFC 4226 Appendix D.
TEST(Hotp, MatchesTheRfc4226TestValues) {
  const std::vector<std::string> expected = {"755224", "287082", "359152", "969429", "338314",
                                             "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < expected.size(); ++counter) {
    EXPECT_EQ(*Hotp(kSeedSha1, counter), expected[counter]) << counter;
  }
}

TEST(Hotp, PadsWithLeadingZeros) {
  // RFC 6238 Appendix B: the SHA-1 TOTP at 1111111109 (step 37037036) is 07081804.
  EXPECT_EQ(*Hotp(kSeedSha1, 37037036, 8), "07081804");
}

TEST(Hotp, RefusesAnEmptySecret) {
  const Result<std::string> code = Hotp("", 0);
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.status().field_errors()[0], (FieldError{"secret", field_code::kRequired, {}}));
}

TEST(Hotp, RefusesDigitsOutsideSixToEight) {
  for (int digits : {0, 5, 9, 10}) {
    const Result<std::string> code = Hotp(kSeedSha1, 0, digits);
    ASSERT_FALSE(code.ok()) << digits;
    EXPECT_EQ(code.status().field_errors()[0],
              (FieldError{"digits", field_code::kOutOfRange, {{"min", "6"}, {"max", "8"}}}));
  }
}

// RFC 6238 Appendix B, every row.
TEST(Totp, MatchesEveryRfc6238TestVector) {
  struct Row {
    std::int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const std::vector<Row> rows = {
      {59, "94287082", "46119246", "90693936"},         {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"}, {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"}, {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(*Totp(kSeedSha1, row.time, Config(OtpAlgorithm::kSha1, 8)), row.sha1) << row.time;
    EXPECT_EQ(*Totp(kSeedSha256, row.time, Config(OtpAlgorithm::kSha256, 8)), row.sha256) << row.time;
    EXPECT_EQ(*Totp(kSeedSha512, row.time, Config(OtpAlgorithm::kSha512, 8)), row.sha512) << row.time;
  }
}

TEST(Totp, SixDigitsAreTheLastSixOfEight) {
  EXPECT_EQ(*Totp(kSeedSha1, 59), "287082");
}

TEST(Totp, HonoursThePeriod) {
  TotpConfig config;
  config.period_seconds = 60;
  EXPECT_EQ(*Totp(kSeedSha1, 119, config), *Hotp(kSeedSha1, 1));
  EXPECT_EQ(*Totp(kSeedSha1, 120, config), *Hotp(kSeedSha1, 2));
}

TEST(Totp, RefusesANegativeTimeAndABadConfig) {
  EXPECT_FALSE(Totp(kSeedSha1, -1).ok());
  TotpConfig config;
  config.period_seconds = 0;
  EXPECT_FALSE(Totp(kSeedSha1, 59, config).ok());
  EXPECT_FALSE(Totp("", 59).ok());
}

TEST(ValidateTotpConfig, AcceptsTheDefaults) {
  EXPECT_TRUE(ValidateTotpConfig({}).ok());
}

TEST(ValidateTotpConfig, RefusesDigitsAndPeriodsOutOfRange) {
  const Status status = ValidateTotpConfig({OtpAlgorithm::kSha1, 4, 5});
  const std::vector<FieldError> expected = {
      {"digits", field_code::kOutOfRange, {{"min", "6"}, {"max", "8"}}},
      {"period_seconds", field_code::kOutOfRange, {{"min", "15"}, {"max", "300"}}},
  };
  EXPECT_EQ(status.field_errors(), expected);
}

TEST(GenerateTotpSecret, IsAsLongAsTheHash) {
  EXPECT_EQ(GenerateTotpSecret().size(), 20u);
  EXPECT_EQ(GenerateTotpSecret(OtpAlgorithm::kSha256).size(), 32u);
  EXPECT_EQ(GenerateTotpSecret(OtpAlgorithm::kSha512).size(), 64u);
}

TEST(GenerateTotpSecret, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(GenerateTotpSecret());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(OtpauthUri, FollowsTheKeyUriFormat) {
  EXPECT_EQ(OtpauthUri("ACME Co", "john.doe@email.com", kSeedSha1),
            "otpauth://totp/ACME%20Co:john.doe%40email.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUri, NamesTheConfiguredAlgorithmDigitsAndPeriod) {
  const TotpConfig config{OtpAlgorithm::kSha512, 8, 60};
  const std::string uri = OtpauthUri("Example", "alice", kSeedSha1, config);
  EXPECT_NE(uri.find("&algorithm=SHA512&digits=8&period=60"), std::string::npos) << uri;
  EXPECT_NE(
      OtpauthUri("Example", "alice", kSeedSha1, {OtpAlgorithm::kSha256, 6, 30}).find("algorithm=SHA256"),
      std::string::npos);
}

TEST(OtpauthUri, EncodesColonsAndReservedCharactersInTheLabel) {
  const std::string uri = OtpauthUri("A:B&C", "x:y?z", "secret");
  EXPECT_EQ(uri.substr(0, uri.find('?')), "otpauth://totp/A%3AB%26C:x%3Ay%3Fz");
  EXPECT_NE(uri.find("&issuer=A%3AB%26C&"), std::string::npos) << uri;
}

TEST(VerifyTotp, AcceptsTheCurrentCodeAndReturnsItsStep) {
  EXPECT_EQ(VerifyTotp(kSeedSha1, "287082", 59), 1);
}

TEST(VerifyTotp, AcceptsEveryRfc6238VectorAtItsTime) {
  EXPECT_EQ(VerifyTotp(kSeedSha256, "46119246", 59, Config(OtpAlgorithm::kSha256, 8)), 1);
  EXPECT_EQ(VerifyTotp(kSeedSha512, "47863826", 20000000000, Config(OtpAlgorithm::kSha512, 8)), 666666666);
}

TEST(VerifyTotp, AcceptsTheNeighbouringStepsWithinTheWindow) {
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 0), 59), 0);
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 2), 59), 2);
}

TEST(VerifyTotp, RefusesStepsJustOutsideTheWindow) {
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 3), 59), std::nullopt);
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 3), 59, {}, 2), 3);
}

TEST(VerifyTotp, WindowZeroAcceptsOnlyTheCurrentStep) {
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 1), 59, {}, 0), 1);
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 0), 59, {}, 0), std::nullopt);
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 2), 59, {}, 0), std::nullopt);
}

TEST(VerifyTotp, StepBoundariesFollowThePeriod) {
  // 29 is the last second of step 0, 30 the first of step 1.
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 0), 29, {}, 0), 0);
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 1), 30, {}, 0), 1);
}

TEST(VerifyTotp, HandlesTheFirstStepWithoutAPrevious) {
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 0), 0), 0);
}

TEST(VerifyTotp, RefusesAReplayOfTheUsedStep) {
  const std::optional<std::int64_t> step = VerifyTotp(kSeedSha1, "287082", 59);
  ASSERT_EQ(step, 1);
  EXPECT_EQ(VerifyTotp(kSeedSha1, "287082", 59, {}, 1, step), std::nullopt);
}

TEST(VerifyTotp, RefusesACodeOlderThanTheUsedStep) {
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 0), 59, {}, 1, 1), std::nullopt);
}

TEST(VerifyTotp, AcceptsALaterCodeAfterAUsedStep) {
  EXPECT_EQ(VerifyTotp(kSeedSha1, *Hotp(kSeedSha1, 2), 59, {}, 1, 1), 2);
}

TEST(VerifyTotp, RefusesAWrongCode) {
  EXPECT_EQ(VerifyTotp(kSeedSha1, "000000", 59), std::nullopt);
  EXPECT_EQ(VerifyTotp("another secret", "287082", 59), std::nullopt);
}

TEST(VerifyTotp, RefusesMalformedCodes) {
  for (const char* code : {"", "28708", "2870820", "28708a", " 287082", "287082 ", "+28708", "-28708",
                           "\xef\xbc\x92\xef\xbc\x98\xef\xbc\x97\xef\xbc\x90\xef\xbc\x98\xef\xbc\x92"}) {
    EXPECT_EQ(VerifyTotp(kSeedSha1, code, 59), std::nullopt) << code;
  }
  // Eight digits are malformed under a six-digit config even when their tail is right.
  EXPECT_EQ(VerifyTotp(kSeedSha1, "94287082", 59), std::nullopt);
}

TEST(VerifyTotp, RefusesBadArguments) {
  EXPECT_EQ(VerifyTotp("", "287082", 59), std::nullopt);
  EXPECT_EQ(VerifyTotp(kSeedSha1, "287082", -1), std::nullopt);
  EXPECT_EQ(VerifyTotp(kSeedSha1, "287082", 59, {}, -1), std::nullopt);
  EXPECT_EQ(VerifyTotp(kSeedSha1, "287082", 59, {}, 11), std::nullopt);
  EXPECT_EQ(VerifyTotp(kSeedSha1, "287082", 59, {OtpAlgorithm::kSha1, 6, 0}), std::nullopt);
}

TEST(GenerateRecoveryCodes, GivesTenGroupedBase32CodesByDefault) {
  const std::vector<std::string> codes = GenerateRecoveryCodes();
  ASSERT_EQ(codes.size(), 10u);
  for (const std::string& code : codes) {
    EXPECT_TRUE(std::regex_match(code, std::regex("[a-z2-7]{4}(-[a-z2-7]{4}){3}"))) << code;
  }
}

TEST(GenerateRecoveryCodes, DoesNotRepeat) {
  const std::vector<std::string> codes = GenerateRecoveryCodes(100);
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 100u);
}

TEST(GenerateRecoveryCodes, GivesNoneForACountOutOfRange) {
  EXPECT_TRUE(GenerateRecoveryCodes(0).empty());
  EXPECT_TRUE(GenerateRecoveryCodes(-1).empty());
  EXPECT_TRUE(GenerateRecoveryCodes(101).empty());
}

TEST(HashRecoveryCode, IsTheSha256OfTheNormalisedCode) {
  // sha256("abcdefghijklmnop"), computed with Python's hashlib.
  EXPECT_EQ(HashRecoveryCode("abcd-efgh-ijkl-mnop"),
            "f39dac6cbaba535e2c207cd0cd8f154974223c848f727f98b3564cea569b41cf");
}

TEST(HashRecoveryCode, IgnoresCaseDashesAndSpaces) {
  const std::optional<std::string> expected = HashRecoveryCode("abcd-efgh-ijkl-mnop");
  EXPECT_EQ(HashRecoveryCode("ABCD-EFGH-IJKL-MNOP"), expected);
  EXPECT_EQ(HashRecoveryCode("abcdefghijklmnop"), expected);
  EXPECT_EQ(HashRecoveryCode("abcd efgh ijkl mnop"), expected);
  EXPECT_EQ(HashRecoveryCode("ab-cd-ef-gh-ij-kl-mn-op"), expected);
}

TEST(HashRecoveryCode, RefusesCodesThatCannotBeRecoveryCodes) {
  for (const char* code : {"", "abcd-efgh-ijkl-mno", "abcd-efgh-ijkl-mnopq", "abcd-efgh-ijkl-mn0p",
                           "abcd-efgh-ijkl-mn1p", "abcd_efgh_ijkl_mnop", "----"}) {
    EXPECT_EQ(HashRecoveryCode(code), std::nullopt) << code;
  }
}

TEST(ConsumeRecoveryCode, WorksOnceAndRemovesTheHash) {
  const std::vector<std::string> codes = GenerateRecoveryCodes(3);
  std::vector<std::string> stored;
  for (const std::string& code : codes) stored.push_back(*HashRecoveryCode(code));
  EXPECT_TRUE(ConsumeRecoveryCode(codes[1], stored));
  EXPECT_EQ(stored, (std::vector<std::string>{*HashRecoveryCode(codes[0]), *HashRecoveryCode(codes[2])}));
  EXPECT_FALSE(ConsumeRecoveryCode(codes[1], stored));
  EXPECT_EQ(stored.size(), 2u);
}

TEST(ConsumeRecoveryCode, AcceptsTheCodeAsAUserMightTypeIt) {
  std::vector<std::string> stored = {*HashRecoveryCode("abcd-efgh-ijkl-mnop")};
  EXPECT_TRUE(ConsumeRecoveryCode(" ABCD EFGH-ijkl mnop ", stored));
  EXPECT_TRUE(stored.empty());
}

TEST(ConsumeRecoveryCode, LeavesTheHashesUntouchedOnAMismatch) {
  std::vector<std::string> stored = {*HashRecoveryCode("abcd-efgh-ijkl-mnop"), "not a hash"};
  const std::vector<std::string> before = stored;
  EXPECT_FALSE(ConsumeRecoveryCode("abcd-efgh-ijkl-mnoq", stored));
  EXPECT_FALSE(ConsumeRecoveryCode("garbage", stored));
  EXPECT_FALSE(ConsumeRecoveryCode("", stored));
  EXPECT_EQ(stored, before);
}

TEST(ConsumeRecoveryCode, FindsNothingInAnEmptyList) {
  std::vector<std::string> stored;
  EXPECT_FALSE(ConsumeRecoveryCode("abcd-efgh-ijkl-mnop", stored));
}

}  // namespace
}  // namespace selfservice::security
