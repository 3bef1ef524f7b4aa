// PasswordHasher: Argon2id PHC strings, verification, rehash decisions and parameter bounds.

#include "security/password_hasher.hpp"

#include <argon2.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

namespace selfservice::security {
namespace {

// Made with the Debian `argon2` CLI (package argon2 0~20171227-0.3+deb12u1):
//   echo -n "correct horse battery staple" | argon2 saltsaltsaltsalt -id -t 2 -k 19456 -p 1 -l 32 -e
constexpr const char* kCliDefaultHash =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM";
//   echo -n "password" | argon2 somesalt -id -t 2 -k 8192 -p 1 -l 16 -e   (8-byte salt, 16-byte hash)
constexpr const char* kCliWeakHash = "$argon2id$v=19$m=8192,t=2,p=1$c29tZXNhbHQ$t3SREvUD+1GMtrpWSKs9sQ";
//   echo -n "password" | argon2 somesaltsomesalt -i -t 2 -k 19456 -p 1 -l 32 -e
constexpr const char* kCliArgon2iHash =
    "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8pDKuQWnVyn1WubqZygCiwFvgGZldOecJANYh9ZnKbA";
//   echo -n "password" | argon2 somesaltsomesalt -id -v 10 -t 2 -k 19456 -p 1 -l 32 -e
constexpr const char* kCliVersion16Hash =
    "$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$E1C1eTwcpnnkZsf6N06hCehEk0IbxvVj0JCTVmy7eK8";
//   echo -n "password" | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e
constexpr const char* kCliPasswordHash =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";

PasswordHasher DefaultHasher() {
  Result<PasswordHasher> hasher = PasswordHasher::Create();
  EXPECT_TRUE(hasher.ok());
  return std::move(hasher).value();
}

std::vector<std::string> FieldsOf(const Status& status) {
  std::vector<std::string> fields;
  for (const FieldError& error : status.field_errors()) fields.push_back(error.field);
  return fields;
}

// RFC 9106 section 5.3 (Argon2id test vector): proves the libargon2 this library links computes
// Argon2id version 0x13 as the RFC specifies. The PHC API has no secret or associated data, so
// the raw context API is used.
TEST(Argon2id, LinkedLibraryMatchesRfc9106Section5_3) {
  std::vector<std::uint8_t> password(32, 0x01);
  std::vector<std::uint8_t> salt(16, 0x02);
  std::vector<std::uint8_t> secret(8, 0x03);
  std::vector<std::uint8_t> associated(12, 0x04);
  std::vector<std::uint8_t> tag(32);
  argon2_context context{};
  context.out = tag.data();
  context.outlen = static_cast<std::uint32_t>(tag.size());
  context.pwd = password.data();
  context.pwdlen = static_cast<std::uint32_t>(password.size());
  context.salt = salt.data();
  context.saltlen = static_cast<std::uint32_t>(salt.size());
  context.secret = secret.data();
  context.secretlen = static_cast<std::uint32_t>(secret.size());
  context.ad = associated.data();
  context.adlen = static_cast<std::uint32_t>(associated.size());
  context.t_cost = 3;
  context.m_cost = 32;
  context.lanes = 4;
  context.threads = 4;
  context.version = ARGON2_VERSION_13;
  context.flags = ARGON2_DEFAULT_FLAGS;
  ASSERT_EQ(argon2_ctx(&context, Argon2_id), ARGON2_OK);
  const std::vector<std::uint8_t> expected = {
      0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b, 0x53, 0xc9,
      0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9, 0x6b, 0x01, 0xe6, 0x59};
  EXPECT_EQ(tag, expected);
}

TEST(PasswordHashParams, DefaultsAreOwaspsRecommendation) {
  const PasswordHashParams params;
  EXPECT_EQ(params.memory_kib, 19456u);
  EXPECT_EQ(params.iterations, 2u);
  EXPECT_EQ(params.parallelism, 1u);
  EXPECT_EQ(params.salt_bytes, 16u);
  EXPECT_EQ(params.hash_bytes, 32u);
  EXPECT_TRUE(ValidatePasswordHashParams(params).ok());
}

TEST(PasswordHashParams, AcceptsEveryLineOfOwaspsTable) {
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> lines = {
      {47104, 1}, {19456, 2}, {12288, 3}, {9216, 4}, {7168, 5}};
  for (const auto& [memory, iterations] : lines) {
    PasswordHashParams params;
    params.memory_kib = memory;
    params.iterations = iterations;
    EXPECT_TRUE(ValidatePasswordHashParams(params).ok()) << memory << " KiB, t=" << iterations;
  }
}

TEST(PasswordHashParams, RefusesTooLittleMemory) {
  PasswordHashParams params;
  params.memory_kib = 4096;
  const Status status = ValidatePasswordHashParams(params);
  ASSERT_EQ(status.code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(status.field_errors().size(), 1u);
  EXPECT_EQ(status.field_errors()[0],
            (FieldError{"memory_kib", field_code::kOutOfRange, {{"min", "7168"}, {"max", "262144"}}}));
}

TEST(PasswordHashParams, RefusesTooFewPassesForTheMemory) {
  PasswordHashParams params;
  params.memory_kib = 9216;
  params.iterations = 3;  // OWASP asks for 4 passes at 9 MiB
  const Status status = ValidatePasswordHashParams(params);
  ASSERT_EQ(status.field_errors().size(), 1u);
  EXPECT_EQ(status.field_errors()[0],
            (FieldError{"iterations", field_code::kOutOfRange, {{"min", "4"}, {"max", "10"}}}));
}

TEST(PasswordHashParams, RefusesDenialOfServiceSettings) {
  PasswordHashParams params;
  params.memory_kib = 4u * 1024 * 1024;
  params.iterations = 100;
  params.parallelism = 64;
  EXPECT_EQ(FieldsOf(ValidatePasswordHashParams(params)),
            (std::vector<std::string>{"memory_kib", "iterations", "parallelism"}));
}

TEST(PasswordHashParams, RefusesShortSaltsAndHashes) {
  PasswordHashParams params;
  params.salt_bytes = 8;
  params.hash_bytes = 8;
  EXPECT_EQ(FieldsOf(ValidatePasswordHashParams(params)),
            (std::vector<std::string>{"salt_bytes", "hash_bytes"}));
}

TEST(PasswordHashParams, RefusesZeroes) {
  EXPECT_EQ(
      FieldsOf(ValidatePasswordHashParams({0, 0, 0, 0, 0})),
      (std::vector<std::string>{"memory_kib", "iterations", "parallelism", "salt_bytes", "hash_bytes"}));
}

TEST(PasswordHasher, CreateRefusesInvalidParams) {
  PasswordHashParams params;
  params.iterations = 0;
  const Result<PasswordHasher> hasher = PasswordHasher::Create(params);
  ASSERT_FALSE(hasher.ok());
  EXPECT_EQ(FieldsOf(hasher.status()), std::vector<std::string>{"iterations"});
}

TEST(PasswordHasher, HashIsAnArgon2idPhcStringWithTheCurrentParameters) {
  const Result<std::string> phc = DefaultHasher().Hash("correct horse battery staple");
  ASSERT_TRUE(phc.ok());
  // 16 bytes of salt are 22 unpadded base64 characters, 32 bytes of hash are 43.
  EXPECT_TRUE(std::regex_match(
      *phc, std::regex(R"(\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})")))
      << *phc;
}

TEST(PasswordHasher, HashUsesAFreshSaltEachTime) {
  const PasswordHasher hasher = DefaultHasher();
  EXPECT_NE(*hasher.Hash("same password"), *hasher.Hash("same password"));
}

TEST(PasswordHasher, HashHonoursNonDefaultParameters) {
  const Result<PasswordHasher> hasher = PasswordHasher::Create({9216, 4, 2, 24, 48});
  ASSERT_TRUE(hasher.ok());
  const Result<std::string> phc = hasher->Hash("correct horse battery staple");
  ASSERT_TRUE(phc.ok());
  EXPECT_TRUE(std::regex_match(
      *phc, std::regex(R"(\$argon2id\$v=19\$m=9216,t=4,p=2\$[A-Za-z0-9+/]{32}\$[A-Za-z0-9+/]{64})")))
      << *phc;
  EXPECT_EQ(hasher->Verify("correct horse battery staple", *phc), PasswordMatch::kMatch);
}

TEST(PasswordHasher, HashRefusesAnEmptyPassword) {
  const Result<std::string> phc = DefaultHasher().Hash("");
  ASSERT_FALSE(phc.ok());
  ASSERT_EQ(phc.status().field_errors().size(), 1u);
  EXPECT_EQ(phc.status().field_errors()[0], (FieldError{"password", field_code::kRequired, {}}));
}

TEST(PasswordHasher, HashAcceptsThePasswordOfMaximumLength) {
  const PasswordHasher hasher = DefaultHasher();
  const std::string longest(kMaxPasswordBytes, 'x');
  const Result<std::string> phc = hasher.Hash(longest);
  ASSERT_TRUE(phc.ok());
  EXPECT_EQ(hasher.Verify(longest, *phc), PasswordMatch::kMatch);
}

TEST(PasswordHasher, HashRefusesAnOverlongPassword) {
  const Result<std::string> phc = DefaultHasher().Hash(std::string(kMaxPasswordBytes + 1, 'x'));
  ASSERT_FALSE(phc.ok());
  ASSERT_EQ(phc.status().field_errors().size(), 1u);
  EXPECT_EQ(phc.status().field_errors()[0],
            (FieldError{"password", field_code::kTooLong, {{"max", "1024"}}}));
}

TEST(PasswordHasher, VerifyMatchesItsOwnHash) {
  const PasswordHasher hasher = DefaultHasher();
  const std::string phc = *hasher.Hash("correct horse battery staple");
  EXPECT_EQ(hasher.Verify("correct horse battery staple", phc), PasswordMatch::kMatch);
}

TEST(PasswordHasher, VerifyRejectsAWrongPassword) {
  const PasswordHasher hasher = DefaultHasher();
  const std::string phc = *hasher.Hash("correct horse battery staple");
  EXPECT_EQ(hasher.Verify("correct horse battery stapler", phc), PasswordMatch::kMismatch);
  EXPECT_EQ(hasher.Verify("Correct horse battery staple", phc), PasswordMatch::kMismatch);
}

TEST(PasswordHasher, VerifyMatchesAHashFromTheArgon2Cli) {
  const PasswordHasher hasher = DefaultHasher();
  EXPECT_EQ(hasher.Verify("correct horse battery staple", kCliDefaultHash), PasswordMatch::kMatch);
  EXPECT_EQ(hasher.Verify("password", kCliPasswordHash), PasswordMatch::kMatch);
  EXPECT_EQ(hasher.Verify("wrong", kCliDefaultHash), PasswordMatch::kMismatch);
}

TEST(PasswordHasher, VerifyMatchesAWeakerStoredHash) {
  EXPECT_EQ(DefaultHasher().Verify("password", kCliWeakHash), PasswordMatch::kMatch);
}

TEST(PasswordHasher, VerifyTreatsAnEmptyOrOverlongPasswordAsAMismatch) {
  const PasswordHasher hasher = DefaultHasher();
  EXPECT_EQ(hasher.Verify("", kCliDefaultHash), PasswordMatch::kMismatch);
  EXPECT_EQ(hasher.Verify(std::string(kMaxPasswordBytes + 1, 'x'), kCliDefaultHash),
            PasswordMatch::kMismatch);
}

TEST(PasswordHasher, VerifyRefusesOtherArgon2VariantsAndVersions) {
  const PasswordHasher hasher = DefaultHasher();
  EXPECT_EQ(hasher.Verify("password", kCliArgon2iHash), PasswordMatch::kMalformedHash);
  EXPECT_EQ(hasher.Verify("password", kCliVersion16Hash), PasswordMatch::kMalformedHash);
}

TEST(PasswordHasher, VerifyRefusesMalformedStrings) {
  const PasswordHasher hasher = DefaultHasher();
  const std::string good = kCliPasswordHash;
  const std::vector<std::string> malformed = {
      "",
      "password",
      "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  // bcrypt
      "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA",         // no hash
      "$argon2id$v=19$m=19456,t=2$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
      "$argon2id$v=19$t=2,m=19456,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
      "$argon2id$v=19$m=x,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
      "$argon2id$v=19$m=99999999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+"
      "9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
      "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA==$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
      "$argon2id$v=19$m=19456,t=2,p=1$c29t*XNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
      "$argon2id$v=19$m=19456,t=2,p=1$$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
      good + "$extra",
      good.substr(0, good.size() - 1) + "F",  // non-zero trailing bits: not canonical base64
  };
  for (const std::string& phc : malformed) {
    EXPECT_EQ(hasher.Verify("password", phc), PasswordMatch::kMalformedHash) << phc;
  }
}

TEST(PasswordHasher, VerifyRefusesStoredParametersBeyondTheDenialOfServiceBounds) {
  // Well-formed but asking for 1 GiB, 11 passes or 16 lanes: a planted hash must not cost that.
  const PasswordHasher hasher = DefaultHasher();
  for (const char* phc :
       {"$argon2id$v=19$m=1048576,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
        "$argon2id$v=19$m=19456,t=11,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
        "$argon2id$v=19$m=19456,t=2,p=16$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+"
        "9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE"}) {
    EXPECT_EQ(hasher.Verify("password", phc), PasswordMatch::kMalformedHash) << phc;
  }
}

TEST(PasswordHasher, VerifyRefusesStoredParametersLibargon2CannotHaveWritten) {
  const PasswordHasher hasher = DefaultHasher();
  for (const char* phc :
       {"$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
        "$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",  // 4-byte salt
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9Zxz"}) {          // 12-byte hash
    EXPECT_EQ(hasher.Verify("password", phc), PasswordMatch::kMalformedHash) << phc;
  }
}

TEST(PasswordHasher, VerifyDummyAcceptsAnyInput) {
  // It returns nothing by design; this checks it neither crashes nor refuses odd input. Its
  // timing is measured in bench/password_bench.cpp, never asserted here.
  const PasswordHasher hasher = DefaultHasher();
  hasher.VerifyDummy("correct horse battery staple");
  hasher.VerifyDummy("");
  hasher.VerifyDummy(std::string(kMaxPasswordBytes + 1, 'x'));
}

TEST(PasswordHasher, NeedsNoRehashForTheCurrentParameters) {
  const PasswordHasher hasher = DefaultHasher();
  EXPECT_FALSE(hasher.NeedsRehash(*hasher.Hash("correct horse battery staple")));
  EXPECT_FALSE(hasher.NeedsRehash(kCliDefaultHash));
}

TEST(PasswordHasher, NeedsRehashWhenTheStoredParametersAreWeaker) {
  const PasswordHasher hasher = DefaultHasher();
  EXPECT_TRUE(hasher.NeedsRehash(kCliWeakHash));
  const Result<PasswordHasher> stronger = PasswordHasher::Create({47104, 2, 1, 16, 32});
  ASSERT_TRUE(stronger.ok());
  EXPECT_TRUE(stronger->NeedsRehash(kCliDefaultHash));
  const Result<PasswordHasher> more_passes = PasswordHasher::Create({19456, 3, 1, 16, 32});
  ASSERT_TRUE(more_passes.ok());
  EXPECT_TRUE(more_passes->NeedsRehash(kCliDefaultHash));
}

TEST(PasswordHasher, NeedsNoRehashWhenTheStoredParametersAreStronger) {
  const Result<PasswordHasher> weaker = PasswordHasher::Create({9216, 4, 1, 16, 32});
  ASSERT_TRUE(weaker.ok());
  EXPECT_FALSE(
      weaker->NeedsRehash("$argon2id$v=19$m=19456,t=4,p=1$c29tZXNhbHRzb21lc2FsdA$"
                          "K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE"));
}

TEST(PasswordHasher, NeedsRehashForMalformedOrForeignStrings) {
  const PasswordHasher hasher = DefaultHasher();
  EXPECT_TRUE(hasher.NeedsRehash(""));
  EXPECT_TRUE(hasher.NeedsRehash(kCliArgon2iHash));
}

}  // namespace
}  // namespace selfservice::security
