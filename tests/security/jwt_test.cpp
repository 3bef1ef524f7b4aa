// JWT signing and verification (security/jwt.hpp) and the base64url it is encoded with
// (core/base64.hpp): published vectors of RFC 4648 and RFC 7515, round trips with keys generated
// here, and the attacks RFC 8725 describes.

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.hpp"
#include "security/jwt.hpp"
#include "security/key_fixtures.hpp"

namespace selfservice::security {
namespace {

namespace json = boost::json;
using test::GenerateEc;
using test::GenerateRsa;
using test::Pem;
using test::Pkey;
using test::PrivateEcJwk;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr char kIssuer[] = "https://issuer.example";
constexpr char kAudience[] = "portal";
constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";  // 32 bytes: the HS256 minimum

// RFC 7515 appendix A.1: the HS256 example JWS and the JWK "k" of its key (A.1.1).
constexpr char kRfcHs256Token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kRfcHs256K[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
// RFC 7515 appendix A.3: the ES256 example JWS and the public part (x, y) of its JWK (A.3.1).
constexpr char kRfcEs256Token[] =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
constexpr char kRfcEs256X[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kRfcEs256Y[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
// The exp of both examples.
constexpr std::int64_t kRfcExp = 1300819380;

// ---- Helpers -----------------------------------------------------------------------------------

// One RSA key for the whole program: generating 2048-bit keys is slow.
EVP_PKEY* SharedRsa() {
  static const Pkey key = GenerateRsa(2048);
  return key.get();
}

JwtKey HsKey(const std::string& kid = "hs1", std::string_view secret = kSecret) {
  return JwtKey::FromSecret(kid, secret).value();
}

JwtKey EsKey(const std::string& kid, EVP_PKEY* pkey) {
  return JwtKey::FromPrivatePem(kid, JwtAlgorithm::kEs256, Pem(pkey, true)).value();
}

KeyRing RingOf(std::vector<JwtKey> keys) {
  KeyRing ring;
  for (JwtKey& key : keys) EXPECT_TRUE(ring.Add(std::move(key)).ok());
  return ring;
}

json::object Claims(std::int64_t exp = kNow + 600) {
  return json::object{{"iss", kIssuer}, {"aud", kAudience}, {"sub", "user-1"}, {"iat", kNow}, {"exp", exp}};
}

ValidationOptions At(std::int64_t now) {
  ValidationOptions options;
  options.now = now;
  return options;
}

ValidationOptions Options() {
  ValidationOptions options;
  options.issuer = kIssuer;
  options.audience = kAudience;
  options.now = kNow;
  return options;
}

std::string B64(std::string_view text) {
  return Base64UrlEncode(text);
}

// A token with any header, payload text and signature bytes, as an attacker would write it.
std::string Forge(std::string_view header_json, std::string_view payload_json, std::string_view signature) {
  return B64(header_json) + "." + B64(payload_json) + "." + B64(signature);
}

std::string Segment(const std::string& token, int index) {
  std::size_t begin = 0;
  for (int i = 0; i < index; ++i) begin = token.find('.', begin) + 1;
  return token.substr(begin, token.find('.', begin) - begin);
}

std::string Decoded(const std::string& token, int index) {
  return Base64UrlDecode(Segment(token, index)).value();
}

// A token of any header and payload texts with a valid HS256 MAC under `secret`, so a test reaches
// the checks behind the signature with content Sign would never produce.
std::string SignedHs(std::string_view header_json, std::string_view payload_json,
                     std::string_view secret = kSecret) {
  unsigned char mac[32];
  std::size_t length = 0;
  const std::string input = B64(header_json) + "." + B64(payload_json);
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &length);
  return input + "." + B64(std::string_view(reinterpret_cast<const char*>(mac), length));
}

constexpr char kHsHeader[] = R"({"alg":"HS256","typ":"JWT","kid":"hs1"})";

std::string ValidPayload() {
  return json::serialize(Claims());
}

::testing::AssertionResult Refused(const Result<json::object>& result, std::string_view reason) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted; expected " << reason;
  if (result.status().code() != ErrorCode::kUnauthenticated) {
    return ::testing::AssertionFailure() << "code " << static_cast<int>(result.status().code());
  }
  if (result.status().detail() != reason) {
    return ::testing::AssertionFailure() << "reason " << result.status().detail() << ", expected " << reason;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult KeyRefused(const Result<JwtKey>& result, std::string_view reason) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted; expected " << reason;
  if (result.status().code() != ErrorCode::kInvalidArgument || result.status().detail() != reason) {
    return ::testing::AssertionFailure() << "got " << result.status().detail() << ", expected " << reason;
  }
  return ::testing::AssertionSuccess();
}

Result<json::object> VerifyHs(const std::string& token, const ValidationOptions& options = Options()) {
  static const KeyRing ring = RingOf({HsKey()});
  return Verify(ring, token, options);
}

// ---- Base64url (RFC 4648 section 5) ------------------------------------------------------------

TEST(Base64Url, EncodesTheRfc4648TestVectorsWithoutPadding) {
  // RFC 4648 section 10, padding removed as RFC 7515 section 2 does.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, UsesDashAndUnderscore) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8").value(), "\xfb\xff");
}

TEST(Base64Url, DecodesEveryLengthItEncodes) {
  std::string bytes;
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)).value(), bytes) << i;
    bytes += static_cast<char>(i * 37 + 11);
  }
}

TEST(Base64Url, RefusesPadding) {
  EXPECT_FALSE(Base64UrlDecode("Zg=="));
  EXPECT_FALSE(Base64UrlDecode("Zm8="));
  EXPECT_FALSE(Base64UrlDecode("Zm9v="));
}

TEST(Base64Url, RefusesTheStandardAlphabetsExtraCharacters) {
  EXPECT_FALSE(Base64UrlDecode("+/8"));
  EXPECT_FALSE(Base64UrlDecode("Zm9v+A"));
  EXPECT_FALSE(Base64UrlDecode("Zm9v/A"));
}

TEST(Base64Url, RefusesWhiteSpaceAndOtherCharacters) {
  EXPECT_FALSE(Base64UrlDecode("Zm9v Zm9v"));
  EXPECT_FALSE(Base64UrlDecode("Zm9v\n"));
  EXPECT_FALSE(Base64UrlDecode("Zm.v"));
  EXPECT_FALSE(Base64UrlDecode(std::string("Zm\0v", 4)));
}

TEST(Base64Url, RefusesNonCanonicalTrailingBits) {
  EXPECT_TRUE(Base64UrlDecode("Zg"));
  EXPECT_FALSE(Base64UrlDecode("Zh"));  // "f" with a stray bit set after its 8 bits
  EXPECT_TRUE(Base64UrlDecode("Zm8"));
  EXPECT_FALSE(Base64UrlDecode("Zm9"));
}

TEST(Base64Url, RefusesALengthNoByteStringEncodesTo) {
  EXPECT_FALSE(Base64UrlDecode("Z"));
  EXPECT_FALSE(Base64UrlDecode("Zm9vY"));
}

TEST(Base64Url, LeavesPaddedBase64Unchanged) {
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Decode("Zm8=").value(), "fo");
  EXPECT_FALSE(Base64Decode("Zm8"));
}

// ---- Algorithms --------------------------------------------------------------------------------

TEST(JwtAlgorithm, NamesRoundTrip) {
  for (JwtAlgorithm algorithm : {JwtAlgorithm::kHs256, JwtAlgorithm::kEs256, JwtAlgorithm::kRs256}) {
    EXPECT_EQ(ParseJwtAlgorithm(JwtAlgorithmName(algorithm)), algorithm);
  }
}

TEST(JwtAlgorithm, ParsesExactRegisteredNamesOnly) {
  for (const char* name : {"none", "None", "NONE", "hs256", "HS384", "PS256", "EdDSA", "", "HS256 "}) {
    EXPECT_FALSE(ParseJwtAlgorithm(name)) << name;
  }
}

// ---- Keys --------------------------------------------------------------------------------------

TEST(JwtKey, SecretOf32BytesMakesAnHs256Key) {
  const Result<JwtKey> key = JwtKey::FromSecret("hs1", kSecret);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->kid(), "hs1");
  EXPECT_EQ(key->algorithm(), JwtAlgorithm::kHs256);
  EXPECT_TRUE(key->can_sign());
}

TEST(JwtKey, SecretShorterThan32BytesIsRefused) {
  EXPECT_TRUE(KeyRefused(JwtKey::FromSecret("hs1", std::string(31, 'x')), key_reason::kSecretTooShort));
  EXPECT_TRUE(KeyRefused(JwtKey::FromSecret("hs1", ""), key_reason::kSecretTooShort));
}

TEST(JwtKey, EmptyKidIsRefused) {
  EXPECT_TRUE(KeyRefused(JwtKey::FromSecret("", kSecret), key_reason::kMissingKid));
  const Pkey ec = GenerateEc();
  EXPECT_TRUE(KeyRefused(JwtKey::FromPublicPem("", JwtAlgorithm::kEs256, Pem(ec.get(), false)),
                         key_reason::kMissingKid));
}

TEST(JwtKey, PrivatePemSignsAndPublicPemOnlyVerifies) {
  const Pkey ec = GenerateEc();
  const Result<JwtKey> signer = JwtKey::FromPrivatePem("ec1", JwtAlgorithm::kEs256, Pem(ec.get(), true));
  const Result<JwtKey> verifier = JwtKey::FromPublicPem("ec1", JwtAlgorithm::kEs256, Pem(ec.get(), false));
  ASSERT_TRUE(signer.ok());
  ASSERT_TRUE(verifier.ok());
  EXPECT_TRUE(signer->can_sign());
  EXPECT_FALSE(verifier->can_sign());
  const Result<std::string> token = Sign(*signer, Claims());
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(Verify(RingOf({*verifier}), *token, Options()).ok());
}

TEST(JwtKey, RsaPemOf2048BitsMakesAnRs256Key) {
  const Result<JwtKey> key = JwtKey::FromPrivatePem("rsa1", JwtAlgorithm::kRs256, Pem(SharedRsa(), true));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->algorithm(), JwtAlgorithm::kRs256);
}

TEST(JwtKey, RsaModulusShorterThan2048BitsIsRefused) {
  const Pkey rsa = GenerateRsa(1024);
  EXPECT_TRUE(KeyRefused(JwtKey::FromPrivatePem("rsa", JwtAlgorithm::kRs256, Pem(rsa.get(), true)),
                         key_reason::kRsaTooShort));
  EXPECT_TRUE(KeyRefused(JwtKey::FromPublicPem("rsa", JwtAlgorithm::kRs256, Pem(rsa.get(), false)),
                         key_reason::kRsaTooShort));
}

TEST(JwtKey, PemOfAnotherKeyTypeIsRefused) {
  const Pkey ec = GenerateEc();
  EXPECT_TRUE(KeyRefused(JwtKey::FromPublicPem("k", JwtAlgorithm::kRs256, Pem(ec.get(), false)),
                         key_reason::kWrongKeyType));
  EXPECT_TRUE(KeyRefused(JwtKey::FromPublicPem("k", JwtAlgorithm::kEs256, Pem(SharedRsa(), false)),
                         key_reason::kWrongKeyType));
  EXPECT_TRUE(KeyRefused(JwtKey::FromPublicPem("k", JwtAlgorithm::kHs256, Pem(ec.get(), false)),
                         key_reason::kWrongKeyType));
  const Pkey p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  EXPECT_TRUE(KeyRefused(JwtKey::FromPublicPem("k", JwtAlgorithm::kEs256, Pem(p384.get(), false)),
                         key_reason::kWrongKeyType));
}

TEST(JwtKey, GarbagePemIsRefused) {
  EXPECT_TRUE(
      KeyRefused(JwtKey::FromPrivatePem("k", JwtAlgorithm::kEs256, "not a pem"), key_reason::kBadPem));
  EXPECT_TRUE(KeyRefused(JwtKey::FromPublicPem("k", JwtAlgorithm::kEs256, ""), key_reason::kBadPem));
  const Pkey ec = GenerateEc();
  // A public key is not a private one.
  EXPECT_TRUE(KeyRefused(JwtKey::FromPrivatePem("k", JwtAlgorithm::kEs256, Pem(ec.get(), false)),
                         key_reason::kBadPem));
}

TEST(JwtKey, OctJwkOfRfc7515A1MakesAnHs256Key) {
  const Result<JwtKey> key = JwtKey::FromJwk(json::object{{"kty", "oct"}, {"kid", "a1"}, {"k", kRfcHs256K}});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->algorithm(), JwtAlgorithm::kHs256);
  EXPECT_TRUE(Verify(*key, kRfcHs256Token, At(kRfcExp - 60)).ok());
}

TEST(JwtKey, JwkWithoutKidIsRefused) {
  EXPECT_TRUE(
      KeyRefused(JwtKey::FromJwk(json::object{{"kty", "oct"}, {"k", kRfcHs256K}}), key_reason::kMissingKid));
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(json::object{{"kty", "oct"}, {"kid", ""}, {"k", kRfcHs256K}}),
                         key_reason::kMissingKid));
}

TEST(JwtKey, JwkForEncryptionOrAnotherAlgorithmIsRefused) {
  json::object jwk{{"kty", "oct"}, {"kid", "a1"}, {"k", kRfcHs256K}};
  jwk["use"] = "enc";
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(jwk), key_reason::kUnsupportedJwk));
  jwk["use"] = "sig";
  jwk["alg"] = "HS512";
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(jwk), key_reason::kUnsupportedJwk));
  jwk["alg"] = "HS256";
  EXPECT_TRUE(JwtKey::FromJwk(jwk).ok());
}

TEST(JwtKey, JwkOfUnknownTypeIsRefused) {
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(json::object{{"kty", "OKP"}, {"kid", "k"}, {"crv", "Ed25519"}}),
                         key_reason::kUnsupportedJwk));
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(json::object{{"kid", "k"}}), key_reason::kBadJwk));
}

TEST(JwtKey, OctJwkWithAShortOrBadSecretIsRefused) {
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(json::object{{"kty", "oct"}, {"kid", "k"}, {"k", B64("short")}}),
                         key_reason::kSecretTooShort));
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(json::object{{"kty", "oct"}, {"kid", "k"}, {"k", "a+b/"}}),
                         key_reason::kBadJwk));
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(json::object{{"kty", "oct"}, {"kid", "k"}}), key_reason::kBadJwk));
}

TEST(JwtKey, EcJwkOfRfc7515A3VerifiesItsExample) {
  const Result<JwtKey> key = JwtKey::FromJwk(
      json::object{{"kty", "EC"}, {"kid", "a3"}, {"crv", "P-256"}, {"x", kRfcEs256X}, {"y", kRfcEs256Y}});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->algorithm(), JwtAlgorithm::kEs256);
  EXPECT_FALSE(key->can_sign());
}

TEST(JwtKey, EcJwkWithItsPrivateKeySigns) {
  const Pkey ec = GenerateEc();
  const Result<JwtKey> key = JwtKey::FromJwk(PrivateEcJwk(ec.get(), "ec"));
  ASSERT_TRUE(key.ok()) << key.status().detail();
  EXPECT_TRUE(key->can_sign());
  const JwtKey verifier = JwtKey::FromPublicPem("ec", JwtAlgorithm::kEs256, Pem(ec.get(), false)).value();
  EXPECT_TRUE(Verify(RingOf({verifier}), Sign(*key, Claims()).value(), Options()).ok());
}

TEST(JwtKey, EcJwkWhosePrivateKeyIsAnotherKeysIsRefused) {
  const Pkey ec = GenerateEc();
  const Pkey other = GenerateEc();
  json::object jwk = PrivateEcJwk(ec.get(), "ec");
  jwk["d"] = PrivateEcJwk(other.get(), "other").at("d");
  EXPECT_TRUE(KeyRefused(JwtKey::FromJwk(jwk), key_reason::kBadJwk));
}

TEST(JwtKey, EcJwkCoordinateOfTheWrongSizeIsRefused) {
  const std::string short_x = B64(Base64UrlDecode(kRfcEs256X)->substr(1));
  EXPECT_TRUE(
      KeyRefused(JwtKey::FromJwk(json::object{
                     {"kty", "EC"}, {"kid", "k"}, {"crv", "P-256"}, {"x", short_x}, {"y", kRfcEs256Y}}),
                 key_reason::kBadJwk));
}

TEST(JwtKey, PublicJwkRefusesSymmetricKeys) {
  EXPECT_TRUE(KeyRefused(JwtKey::FromPublicJwk(json::object{{"kty", "oct"}, {"kid", "k"}, {"k", kRfcHs256K}}),
                         key_reason::kUnsupportedJwk));
}

// ---- Key ring ----------------------------------------------------------------------------------

TEST(KeyRing, RefusesASecondKeyOfTheSameKid) {
  KeyRing ring;
  ASSERT_TRUE(ring.Add(HsKey("a")).ok());
  const Status again = ring.Add(HsKey("a", "another secret of at least 32 bytes!"));
  EXPECT_EQ(again.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(again.detail(), key_reason::kDuplicateKid);
  EXPECT_EQ(ring.size(), 1u);
}

TEST(KeyRing, FindsKeysByKid) {
  const KeyRing ring = RingOf({HsKey("a"), HsKey("b")});
  ASSERT_NE(ring.Find("a"), nullptr);
  EXPECT_EQ(ring.Find("a")->kid(), "a");
  EXPECT_EQ(ring.Find("c"), nullptr);
}

TEST(KeyRing, CurrentKeyMustExistAndBeAbleToSign) {
  const Pkey ec = GenerateEc();
  KeyRing ring =
      RingOf({HsKey("a"), JwtKey::FromPublicPem("pub", JwtAlgorithm::kEs256, Pem(ec.get(), false)).value()});
  EXPECT_EQ(ring.Current(), nullptr);
  EXPECT_EQ(ring.SetCurrent("missing").detail(), key_reason::kUnknownKid);
  EXPECT_EQ(ring.SetCurrent("pub").detail(), key_reason::kCannotSign);
  ASSERT_TRUE(ring.SetCurrent("a").ok());
  EXPECT_EQ(ring.Current()->kid(), "a");
}

TEST(KeyRing, RemovingTheCurrentKeyLeavesNone) {
  KeyRing ring = RingOf({HsKey("a")});
  ASSERT_TRUE(ring.SetCurrent("a").ok());
  EXPECT_TRUE(ring.Remove("a"));
  EXPECT_FALSE(ring.Remove("a"));
  EXPECT_EQ(ring.Current(), nullptr);
  EXPECT_EQ(Sign(ring, Claims()).status().detail(), key_reason::kUnknownKid);
}

TEST(KeyRing, RotationKeepsOldTokensValidUntilTheirKeyIsRemoved) {
  KeyRing ring = RingOf({HsKey("2025")});
  ASSERT_TRUE(ring.SetCurrent("2025").ok());
  const std::string old_token = Sign(ring, Claims()).value();

  ASSERT_TRUE(ring.Add(HsKey("2026", "the next secret, also 32 bytes long")).ok());
  ASSERT_TRUE(ring.SetCurrent("2026").ok());
  const std::string new_token = Sign(ring, Claims()).value();
  EXPECT_EQ(json::parse(Decoded(new_token, 0)).at("kid"), "2026");
  EXPECT_TRUE(Verify(ring, old_token, Options()).ok());
  EXPECT_TRUE(Verify(ring, new_token, Options()).ok());

  ASSERT_TRUE(ring.Remove("2025"));
  EXPECT_TRUE(Refused(Verify(ring, old_token, Options()), jwt_reason::kUnknownKid));
  EXPECT_TRUE(Verify(ring, new_token, Options()).ok());
}

// ---- Sign --------------------------------------------------------------------------------------

TEST(JwtSign, HeaderNamesAlgTypAndKid) {
  const std::string token = Sign(HsKey(), Claims()).value();
  EXPECT_EQ(json::parse(Decoded(token, 0)), json::parse(R"({"alg":"HS256","typ":"JWT","kid":"hs1"})"));
  EXPECT_EQ(json::parse(Decoded(token, 1)), Claims());
}

TEST(JwtSign, AddsHeaderExtras) {
  const std::string token = Sign(HsKey(), Claims(), json::object{{"cty", "example"}}).value();
  EXPECT_EQ(json::parse(Decoded(token, 0)).at("cty"), "example");
  EXPECT_TRUE(VerifyHs(token).ok());
}

TEST(JwtSign, RefusesExtrasThatOverrideReservedHeaders) {
  for (const char* name : {"alg", "typ", "kid", "crit"}) {
    const Result<std::string> token = Sign(HsKey(), Claims(), json::object{{name, "x"}});
    EXPECT_EQ(token.status().detail(), key_reason::kReservedHeader) << name;
  }
}

TEST(JwtSign, PublicKeyCannotSign) {
  const Pkey ec = GenerateEc();
  const JwtKey key = JwtKey::FromPublicPem("ec", JwtAlgorithm::kEs256, Pem(ec.get(), false)).value();
  const Result<std::string> token = Sign(key, Claims());
  EXPECT_EQ(token.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(token.status().detail(), key_reason::kCannotSign);
}

TEST(JwtSign, Es256SignatureIsRawRAndSOf64Bytes) {
  const Pkey ec = GenerateEc();
  const std::string token = Sign(EsKey("ec", ec.get()), Claims()).value();
  EXPECT_EQ(Decoded(token, 2).size(), 64u);
}

TEST(JwtSign, Rs256SignatureIsTheModulusSize) {
  const JwtKey key = JwtKey::FromPrivatePem("rsa", JwtAlgorithm::kRs256, Pem(SharedRsa(), true)).value();
  const std::string token = Sign(key, Claims()).value();
  EXPECT_EQ(Decoded(token, 2).size(), 256u);
}

// ---- Verify: round trips and published vectors --------------------------------------------------

TEST(JwtVerify, Hs256RoundTripReturnsTheClaims) {
  const Result<json::object> claims = VerifyHs(Sign(HsKey(), Claims()).value());
  ASSERT_TRUE(claims.ok()) << claims.status().detail();
  EXPECT_EQ(*claims, Claims());
}

TEST(JwtVerify, Es256RoundTrip) {
  // ECDSA signatures are randomised (RFC 7515 A.3.1), so sign-then-verify stands in for a vector.
  const Pkey ec = GenerateEc();
  const JwtKey key = EsKey("ec", ec.get());
  const std::string first = Sign(key, Claims()).value();
  const std::string second = Sign(key, Claims()).value();
  EXPECT_NE(Segment(first, 2), Segment(second, 2));
  EXPECT_TRUE(Verify(RingOf({key}), first, Options()).ok());
  EXPECT_TRUE(Verify(RingOf({key}), second, Options()).ok());
}

TEST(JwtVerify, Rs256RoundTrip) {
  const JwtKey key = JwtKey::FromPrivatePem("rsa", JwtAlgorithm::kRs256, Pem(SharedRsa(), true)).value();
  const JwtKey public_key =
      JwtKey::FromPublicPem("rsa", JwtAlgorithm::kRs256, Pem(SharedRsa(), false)).value();
  EXPECT_TRUE(Verify(RingOf({public_key}), Sign(key, Claims()).value(), Options()).ok());
}

TEST(JwtVerify, AcceptsTheHs256ExampleOfRfc7515A1) {
  // RFC 7515 appendix A.1: the exact token, before its exp of 1300819380.
  const JwtKey key = JwtKey::FromSecret("a1", Base64UrlDecode(kRfcHs256K).value()).value();
  ValidationOptions options;
  options.now = kRfcExp - 60;
  const Result<json::object> claims = Verify(key, kRfcHs256Token, options);
  ASSERT_TRUE(claims.ok()) << claims.status().detail();
  EXPECT_EQ(claims->at("iss"), "joe");
  EXPECT_EQ(claims->at("exp"), kRfcExp);
  EXPECT_EQ(claims->at("http://example.com/is_root"), true);
}

TEST(JwtVerify, RefusesTheRfc7515A1ExampleAfterItsExp) {
  const JwtKey key = JwtKey::FromSecret("a1", Base64UrlDecode(kRfcHs256K).value()).value();
  ValidationOptions options;
  options.now = kRfcExp + 31;
  EXPECT_TRUE(Refused(Verify(key, kRfcHs256Token, options), jwt_reason::kExpired));
}

TEST(JwtVerify, AcceptsTheEs256ExampleOfRfc7515A3) {
  // RFC 7515 appendix A.3: the example signature, checked with the public part of its JWK.
  const JwtKey key =
      JwtKey::FromJwk(
          json::object{{"kty", "EC"}, {"kid", "a3"}, {"crv", "P-256"}, {"x", kRfcEs256X}, {"y", kRfcEs256Y}})
          .value();
  ValidationOptions options;
  options.now = kRfcExp - 60;
  const Result<json::object> claims = Verify(key, kRfcEs256Token, options);
  ASSERT_TRUE(claims.ok()) << claims.status().detail();
  EXPECT_EQ(claims->at("iss"), "joe");
}

TEST(JwtVerify, SingleKeyRefusesAnotherKid) {
  EXPECT_TRUE(Refused(Verify(HsKey("other"), Sign(HsKey("hs1"), Claims()).value(), Options()),
                      jwt_reason::kUnknownKid));
}

TEST(JwtVerify, ManyThreadsMayVerifyOnOneRing) {
  const Pkey ec = GenerateEc();
  const KeyRing ring = RingOf({HsKey(), EsKey("ec", ec.get())});
  const std::string hs_token = Sign(*ring.Find("hs1"), Claims()).value();
  const std::string es_token = Sign(*ring.Find("ec"), Claims()).value();
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        accepted += Verify(ring, hs_token, Options()).ok();
        accepted += Verify(ring, es_token, Options()).ok();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 800);
}

// ---- Verify: algorithm and key attacks (RFC 8725 sections 2.1 and 3.1) -------------------------

TEST(JwtVerify, RefusesAlgNoneInAnyCase) {
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"(","typ":"JWT","kid":"hs1"})";
    // With the empty signature of an unsecured JWS (RFC 7519 section 6.1), and with some bytes.
    EXPECT_TRUE(Refused(VerifyHs(B64(header) + "." + B64(ValidPayload()) + "."), jwt_reason::kMalformed))
        << alg;
    EXPECT_TRUE(Refused(VerifyHs(Forge(header, ValidPayload(), "x")), jwt_reason::kAlgNotAllowed)) << alg;
  }
}

TEST(JwtVerify, RefusesUnknownAlgorithms) {
  for (const char* alg : {"HS512", "PS256", "hs256", "EdDSA"}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"(","kid":"hs1"})";
    EXPECT_TRUE(Refused(VerifyHs(Forge(header, ValidPayload(), "sig")), jwt_reason::kAlgNotAllowed)) << alg;
  }
}

TEST(JwtVerify, RefusesMissingOrNonStringAlg) {
  EXPECT_TRUE(
      Refused(VerifyHs(Forge(R"({"kid":"hs1"})", ValidPayload(), "sig")), jwt_reason::kAlgNotAllowed));
  EXPECT_TRUE(Refused(VerifyHs(Forge(R"({"alg":["HS256"],"kid":"hs1"})", ValidPayload(), "sig")),
                      jwt_reason::kMalformedHeader));
}

TEST(JwtVerify, RefusesHs256SignedWithThePublicKeyOfAnEs256Key) {
  // The confusion attack: the verifier holds an ES256 public key; the attacker MACs a token with
  // that key's public bytes as the HS256 secret and names it with the key's kid.
  const Pkey ec = GenerateEc();
  const std::string public_pem = Pem(ec.get(), false);
  const KeyRing ring = RingOf({JwtKey::FromPublicPem("ec", JwtAlgorithm::kEs256, public_pem).value()});
  const std::string forged = Sign(JwtKey::FromSecret("ec", public_pem).value(), Claims()).value();
  EXPECT_TRUE(Refused(Verify(ring, forged, Options()), jwt_reason::kAlgNotAllowed));
}

TEST(JwtVerify, RefusesAnAlgorithmOutsideTheAllowedList) {
  ValidationOptions options = Options();
  options.algorithms = {JwtAlgorithm::kEs256};
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), Claims()).value(), options), jwt_reason::kAlgNotAllowed));
}

TEST(JwtVerify, RefusesAnUnknownKid) {
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey("other"), Claims()).value()), jwt_reason::kUnknownKid));
}

TEST(JwtVerify, RefusesATokenWithoutKid) {
  // The RFC 7515 A.1 example carries no kid, so a ring cannot pick its key.
  const KeyRing ring = RingOf({JwtKey::FromSecret("a1", Base64UrlDecode(kRfcHs256K).value()).value()});
  ValidationOptions options;
  options.now = kRfcExp - 60;
  EXPECT_TRUE(Refused(Verify(ring, kRfcHs256Token, options), jwt_reason::kMissingKid));
}

TEST(JwtVerify, RefusesANonStringKid) {
  EXPECT_TRUE(Refused(VerifyHs(SignedHs(R"({"alg":"HS256","kid":1})", ValidPayload())),
                      jwt_reason::kMalformedHeader));
}

TEST(JwtVerify, RefusesATokenSignedByAnotherKeyUnderAKnownKid) {
  const std::string token = Sign(HsKey("hs1", "an attacker's secret of 32 bytes!!"), Claims()).value();
  EXPECT_TRUE(Refused(VerifyHs(token), jwt_reason::kBadSignature));
}

TEST(JwtVerify, AcceptsTypJwtInAnyCase) {
  EXPECT_TRUE(VerifyHs(SignedHs(R"({"alg":"HS256","typ":"jwt","kid":"hs1"})", ValidPayload())).ok());
  EXPECT_TRUE(VerifyHs(SignedHs(R"({"alg":"HS256","kid":"hs1"})", ValidPayload())).ok());
}

TEST(JwtVerify, RefusesAnotherTyp) {
  EXPECT_TRUE(Refused(VerifyHs(SignedHs(R"({"alg":"HS256","typ":"at+jwt","kid":"hs1"})", ValidPayload())),
                      jwt_reason::kUnsupportedType));
  EXPECT_TRUE(Refused(VerifyHs(SignedHs(R"({"alg":"HS256","typ":7,"kid":"hs1"})", ValidPayload())),
                      jwt_reason::kMalformedHeader));
}

TEST(JwtVerify, RefusesCritHeaders) {
  EXPECT_TRUE(
      Refused(VerifyHs(SignedHs(R"({"alg":"HS256","kid":"hs1","crit":["b64"],"b64":false})", ValidPayload())),
              jwt_reason::kUnsupportedCrit));
}

// ---- Verify: tampering and malformed tokens ----------------------------------------------------

TEST(JwtVerify, RefusesAPayloadAlteredByOneByte) {
  const std::string token = Sign(HsKey(), Claims()).value();
  std::string payload = Decoded(token, 1);
  payload[payload.find("user-1") + 5] = '2';
  EXPECT_TRUE(Refused(VerifyHs(Segment(token, 0) + "." + B64(payload) + "." + Segment(token, 2)),
                      jwt_reason::kBadSignature));
}

TEST(JwtVerify, RefusesAnAlteredHeader) {
  const std::string token = Sign(HsKey(), Claims()).value();
  const std::string header = R"({"alg":"HS256","typ":"JWT","kid":"hs1","x":1})";
  EXPECT_TRUE(Refused(VerifyHs(B64(header) + "." + Segment(token, 1) + "." + Segment(token, 2)),
                      jwt_reason::kBadSignature));
}

TEST(JwtVerify, RefusesAnAlteredSignature) {
  const std::string token = Sign(HsKey(), Claims()).value();
  std::string signature = Decoded(token, 2);
  signature[0] = static_cast<char>(signature[0] ^ 1);
  EXPECT_TRUE(Refused(VerifyHs(Segment(token, 0) + "." + Segment(token, 1) + "." + B64(signature)),
                      jwt_reason::kBadSignature));
}

TEST(JwtVerify, RefusesAnAlteredEs256Signature) {
  const Pkey ec = GenerateEc();
  const JwtKey key = EsKey("ec", ec.get());
  const std::string token = Sign(key, Claims()).value();
  std::string signature = Decoded(token, 2);
  signature[40] = static_cast<char>(signature[40] ^ 0x80);
  const std::string prefix = Segment(token, 0) + "." + Segment(token, 1) + ".";
  EXPECT_TRUE(Refused(Verify(RingOf({key}), prefix + B64(signature), Options()), jwt_reason::kBadSignature));
  // The DER form OpenSSL produces is not the JOSE form.
  EXPECT_TRUE(Refused(Verify(RingOf({key}), prefix + B64(std::string(70, '\x30')), Options()),
                      jwt_reason::kBadSignature));
}

TEST(JwtVerify, RefusesEveryTruncation) {
  const std::string token = Sign(HsKey(), Claims()).value();
  for (std::size_t length = 0; length < token.size(); ++length) {
    const Result<json::object> result = VerifyHs(token.substr(0, length));
    EXPECT_FALSE(result.ok()) << length;
    EXPECT_EQ(result.status().code(), ErrorCode::kUnauthenticated) << length;
  }
}

TEST(JwtVerify, RefusesEmptySegments) {
  const std::string token = Sign(HsKey(), Claims()).value();
  const std::string header = Segment(token, 0);
  const std::string payload = Segment(token, 1);
  const std::string signature = Segment(token, 2);
  for (const std::string& bad : {std::string(".."), std::string(""), "." + payload + "." + signature,
                                 header + ".." + signature, header + "." + payload + "."}) {
    EXPECT_TRUE(Refused(VerifyHs(bad), jwt_reason::kMalformed)) << bad;
  }
}

TEST(JwtVerify, RefusesAnyOtherNumberOfSegments) {
  const std::string token = Sign(HsKey(), Claims()).value();
  EXPECT_TRUE(Refused(VerifyHs(token + ".e30"), jwt_reason::kMalformed));
  EXPECT_TRUE(Refused(VerifyHs(token + "."), jwt_reason::kMalformed));
  EXPECT_TRUE(Refused(VerifyHs(Segment(token, 0) + "." + Segment(token, 1)), jwt_reason::kMalformed));
  EXPECT_TRUE(Refused(VerifyHs("no-dots-at-all"), jwt_reason::kMalformed));
}

TEST(JwtVerify, RefusesCharactersOutsideBase64Url) {
  const std::string token = Sign(HsKey(), Claims()).value();
  for (const char bad : {'+', '/', '*', ' ', '\0'}) {
    std::string altered = token;
    altered[token.find('.') + 3] = bad;
    EXPECT_TRUE(Refused(VerifyHs(altered), jwt_reason::kMalformed)) << static_cast<int>(bad);
  }
}

TEST(JwtVerify, RefusesPadding) {
  const std::string token = Sign(HsKey(), Claims()).value();
  EXPECT_TRUE(Refused(VerifyHs(token + "="), jwt_reason::kMalformed));
  EXPECT_TRUE(Refused(VerifyHs(Segment(token, 0) + "==." + Segment(token, 1) + "." + Segment(token, 2)),
                      jwt_reason::kMalformed));
}

TEST(JwtVerify, RefusesATokenLargerThanTheLimit) {
  json::object claims = Claims();
  claims["junk"] = std::string(9000, 'a');
  const std::string token = Sign(HsKey(), claims).value();
  EXPECT_TRUE(Refused(VerifyHs(token), jwt_reason::kTooLarge));
  ValidationOptions options = Options();
  options.max_token_bytes = 16 * 1024;
  EXPECT_TRUE(VerifyHs(token, options).ok());
  options.max_token_bytes = 10;
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), Claims()).value(), options), jwt_reason::kTooLarge));
}

TEST(JwtVerify, RefusesAHeaderThatIsNotAJsonObject) {
  for (const char* header : {"[]", "\"HS256\"", "null", "{\"alg\":\"HS256\"", "{} {}", "{'alg':'HS256'}"}) {
    EXPECT_TRUE(Refused(VerifyHs(SignedHs(header, ValidPayload())), jwt_reason::kMalformedHeader)) << header;
  }
}

TEST(JwtVerify, RefusesAPayloadThatIsNotAJsonObject) {
  for (const char* payload : {"[]", "42", "\"claims\"", "{\"exp\":", "{\"a\":1,}"}) {
    EXPECT_TRUE(Refused(VerifyHs(SignedHs(kHsHeader, payload)), jwt_reason::kMalformedClaims)) << payload;
  }
}

TEST(JwtVerify, RefusesDuplicateHeaderMembers) {
  const std::string header = R"({"alg":"ES256","kid":"hs1","alg":"HS256"})";
  EXPECT_TRUE(Refused(VerifyHs(SignedHs(header, ValidPayload())), jwt_reason::kMalformedHeader));
}

TEST(JwtVerify, RefusesDuplicateClaims) {
  const std::string payload = std::string(R"({"iss":"https://issuer.example","aud":"portal","exp":)") +
                              std::to_string(kNow - 100) + ",\"exp\":" + std::to_string(kNow + 100) + "}";
  EXPECT_TRUE(Refused(VerifyHs(SignedHs(kHsHeader, payload)), jwt_reason::kMalformedClaims));
}

TEST(JwtVerify, AcceptsDuplicateMembersInsideNestedClaims) {
  json::object claims = Claims();
  std::string payload = json::serialize(claims);
  payload.insert(payload.size() - 1, R"(,"profile":{"a":1,"a":2})");
  EXPECT_TRUE(VerifyHs(SignedHs(kHsHeader, payload)).ok());
}

TEST(JwtVerify, RefusesRegisteredClaimsOfTheWrongType) {
  const auto refused = [](const char* name, json::value value) {
    json::object claims = Claims();
    claims[name] = std::move(value);
    return Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kMalformedClaims);
  };
  EXPECT_TRUE(refused("exp", json::string(std::to_string(kNow + 600))));
  EXPECT_TRUE(refused("exp", true));
  EXPECT_TRUE(refused("exp", nullptr));
  EXPECT_TRUE(refused("exp", 1e300));
  EXPECT_TRUE(refused("exp", std::uint64_t{18'000'000'000'000'000'000u}));
  EXPECT_TRUE(refused("nbf", json::array{kNow}));
  EXPECT_TRUE(refused("iat", "yesterday"));
  EXPECT_TRUE(refused("iss", 1));
  EXPECT_TRUE(refused("aud", 1));
  EXPECT_TRUE(refused("aud", json::array{kAudience, 2}));
}

// ---- Verify: registered claims (RFC 7519 section 4.1) ------------------------------------------

TEST(JwtVerify, RefusesAnExpiredToken) {
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), Claims(kNow - 3600)).value()), jwt_reason::kExpired));
}

TEST(JwtVerify, ExpiryLeewayEdges) {
  // Valid while now < exp + leeway (30 s by default).
  EXPECT_TRUE(VerifyHs(Sign(HsKey(), Claims(kNow - 29)).value()).ok());
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), Claims(kNow - 30)).value()), jwt_reason::kExpired));
  ValidationOptions strict = Options();
  strict.leeway_seconds = 0;
  EXPECT_TRUE(VerifyHs(Sign(HsKey(), Claims(kNow + 1)).value(), strict).ok());
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), Claims(kNow)).value(), strict), jwt_reason::kExpired));
}

TEST(JwtVerify, FractionalDatesRoundTowardTheStricterSecond) {
  // NumericDates may have fractions (RFC 7519 section 2); exp rounds down, nbf and iat up.
  const auto verify = [](const char* name, double date) {
    json::object claims{{"iss", kIssuer}, {"aud", kAudience}, {"exp", kNow + 600}};
    claims[name] = date;
    return VerifyHs(Sign(HsKey(), claims).value());
  };
  EXPECT_TRUE(verify("exp", kNow - 28.5).ok());
  EXPECT_TRUE(Refused(verify("exp", kNow - 29.5), jwt_reason::kExpired));
  EXPECT_TRUE(verify("nbf", kNow + 29.5).ok());
  EXPECT_TRUE(Refused(verify("nbf", kNow + 30.5), jwt_reason::kNotYetValid));
  EXPECT_TRUE(Refused(verify("iat", kNow + 30.5), jwt_reason::kIssuedInFuture));
}

TEST(JwtVerify, RefusesATokenWithoutExpUnlessNotRequired) {
  json::object claims = Claims();
  claims.erase("exp");
  const std::string token = Sign(HsKey(), claims).value();
  EXPECT_TRUE(Refused(VerifyHs(token), jwt_reason::kMissingExp));
  ValidationOptions options = Options();
  options.require_exp = false;
  EXPECT_TRUE(VerifyHs(token, options).ok());
}

TEST(JwtVerify, NotBeforeLeewayEdges) {
  json::object claims = Claims();
  claims["nbf"] = kNow + 30;
  EXPECT_TRUE(VerifyHs(Sign(HsKey(), claims).value()).ok());
  claims["nbf"] = kNow + 31;
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kNotYetValid));
}

TEST(JwtVerify, IssuedAtInTheFutureLeewayEdges) {
  json::object claims = Claims();
  claims["iat"] = kNow + 30;
  EXPECT_TRUE(VerifyHs(Sign(HsKey(), claims).value()).ok());
  claims["iat"] = kNow + 31;
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kIssuedInFuture));
}

TEST(JwtVerify, LeewayIsBounded) {
  const std::string token = Sign(HsKey(), Claims()).value();
  for (const std::int64_t leeway : {std::int64_t{-1}, kMaxLeewaySeconds + 1, std::int64_t{86'400}}) {
    ValidationOptions options = Options();
    options.leeway_seconds = leeway;
    const Result<json::object> result = VerifyHs(token, options);
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument) << leeway;
    EXPECT_EQ(result.status().detail(), key_reason::kBadOptions) << leeway;
  }
  ValidationOptions options = Options();
  options.leeway_seconds = kMaxLeewaySeconds;
  EXPECT_TRUE(VerifyHs(Sign(HsKey(), Claims(kNow - kMaxLeewaySeconds + 1)).value(), options).ok());
}

TEST(JwtVerify, MaxLifetimeRequiresIatAndBoundsExpMinusIat) {
  ValidationOptions options = Options();
  options.max_lifetime_seconds = 600;
  EXPECT_TRUE(VerifyHs(Sign(HsKey(), Claims(kNow + 600)).value(), options).ok());
  EXPECT_TRUE(
      Refused(VerifyHs(Sign(HsKey(), Claims(kNow + 601)).value(), options), jwt_reason::kLifetimeTooLong));
  json::object claims = Claims();
  claims.erase("iat");
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value(), options), jwt_reason::kMissingIat));
}

TEST(JwtVerify, UsesTheSystemClockWhenNowIsUnset) {
  ValidationOptions options = Options();
  options.now.reset();
  // Claims() dates from 2023, long before any clock this test runs on.
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), Claims()).value(), options), jwt_reason::kExpired));
}

TEST(JwtVerify, RefusesTheWrongIssuer) {
  json::object claims = Claims();
  claims["iss"] = "https://issuer.example.evil";
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kWrongIssuer));
  claims.erase("iss");
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kWrongIssuer));
}

TEST(JwtVerify, SkipsIssuerAndAudienceWhenNotExpected) {
  ValidationOptions options = Options();
  options.issuer.reset();
  options.audience.reset();
  EXPECT_TRUE(VerifyHs(Sign(HsKey(), json::object{{"exp", kNow + 60}}).value(), options).ok());
}

TEST(JwtVerify, RefusesTheWrongAudience) {
  json::object claims = Claims();
  claims["aud"] = "another-service";
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kWrongAudience));
  claims["aud"] = json::array{};
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kWrongAudience));
  claims.erase("aud");
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kWrongAudience));
}

TEST(JwtVerify, AcceptsAnAudienceArrayContainingTheAudience) {
  json::object claims = Claims();
  claims["aud"] = json::array{"another-service", kAudience};
  EXPECT_TRUE(VerifyHs(Sign(HsKey(), claims).value()).ok());
  claims["aud"] = json::array{"another-service", "a-third"};
  EXPECT_TRUE(Refused(VerifyHs(Sign(HsKey(), claims).value()), jwt_reason::kWrongAudience));
}

TEST(JwtVerify, DetailIsOnlyTheReason) {
  const std::string token = Sign(HsKey(), Claims(kNow - 3600)).value();
  const Result<json::object> result = VerifyHs(token);
  EXPECT_EQ(result.status().detail(), jwt_reason::kExpired);
  EXPECT_EQ(result.status().detail().find(Segment(token, 2)), std::string::npos);
}

}  // namespace
}  // namespace selfservice::security
