// JWKS parsing (RFC 7517 section 5, RFC 7518 section 6) and OpenID Connect ID token verification
// (OpenID Connect Core 1.0 section 3.1.3.7), with keys generated here.

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <memory>
#include <string>

#include <boost/json/serialize.hpp>

#include "core/base64.hpp"
#include "security/jwks.hpp"

namespace selfservice::security {
namespace {

namespace json = boost::json;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr char kIssuer[] = "https://login.example.com";
constexpr char kClientId[] = "portal-client";

// RFC 7515 appendix A.3.1: the public part of the ES256 example key.
constexpr char kRfcEcX[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kRfcEcY[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string PrivatePem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string BigEndian(EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &number), 1);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
  BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(number);
  return bytes;
}

json::object RsaJwk(EVP_PKEY* key, const char* kid) {
  return json::object{{"kty", "RSA"},
                      {"kid", kid},
                      {"use", "sig"},
                      {"alg", "RS256"},
                      {"n", Base64UrlEncode(BigEndian(key, OSSL_PKEY_PARAM_RSA_N))},
                      {"e", Base64UrlEncode(BigEndian(key, OSSL_PKEY_PARAM_RSA_E))}};
}

json::object EcJwk(EVP_PKEY* key, const char* kid) {
  unsigned char point[65];
  std::size_t length = 0;
  EXPECT_EQ(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &length), 1);
  EXPECT_EQ(length, 65u);  // uncompressed: 0x04 || x || y
  const std::string_view bytes(reinterpret_cast<const char*>(point), length);
  return json::object{{"kty", "EC"},
                      {"kid", kid},
                      {"crv", "P-256"},
                      {"x", Base64UrlEncode(bytes.substr(1, 32))},
                      {"y", Base64UrlEncode(bytes.substr(33, 32))}};
}

std::string Jwks(json::array keys) {
  return json::serialize(json::object{{"keys", std::move(keys)}});
}

// The identity provider of these tests: an RSA and an EC signing key and the JWKS publishing them.
struct Provider {
  Pkey rsa{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048})};
  Pkey ec{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  JwtKey rsa_signer = JwtKey::FromPrivatePem("rsa-2026", JwtAlgorithm::kRs256, PrivatePem(rsa.get())).value();
  JwtKey ec_signer = JwtKey::FromPrivatePem("ec-2026", JwtAlgorithm::kEs256, PrivatePem(ec.get())).value();
  KeyRing jwks =
      ParseJwks(Jwks(json::array{RsaJwk(rsa.get(), "rsa-2026"), EcJwk(ec.get(), "ec-2026")})).value();
};

const Provider& TheProvider() {
  static const Provider provider;
  return provider;
}

json::object IdClaims() {
  return json::object{
      {"iss", kIssuer},   {"sub", "248289761001"}, {"aud", kClientId},           {"nonce", "n-0S6"},
      {"iat", kNow - 10}, {"exp", kNow + 300},     {"email", "jane@example.com"}};
}

Result<IdToken> VerifySigned(const json::object& claims, bool with_ec = false,
                             std::optional<std::string_view> nonce = "n-0S6") {
  const Provider& provider = TheProvider();
  const std::string token = Sign(with_ec ? provider.ec_signer : provider.rsa_signer, claims).value();
  return VerifyIdToken(provider.jwks, token, kIssuer, kClientId, kNow, nonce);
}

::testing::AssertionResult Refused(const Result<IdToken>& result, std::string_view reason) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted; expected " << reason;
  if (result.status().code() != ErrorCode::kUnauthenticated || result.status().detail() != reason) {
    return ::testing::AssertionFailure() << "got " << result.status().detail() << ", expected " << reason;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult JwksRefused(const Result<KeyRing>& result, std::string_view reason) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted; expected " << reason;
  if (result.status().code() != ErrorCode::kInvalidArgument || result.status().detail() != reason) {
    return ::testing::AssertionFailure() << "got " << result.status().detail() << ", expected " << reason;
  }
  return ::testing::AssertionSuccess();
}

// ---- ParseJwks ---------------------------------------------------------------------------------

TEST(ParseJwks, ReadsRsaAndEcKeys) {
  const KeyRing& ring = TheProvider().jwks;
  EXPECT_EQ(ring.size(), 2u);
  ASSERT_NE(ring.Find("rsa-2026"), nullptr);
  ASSERT_NE(ring.Find("ec-2026"), nullptr);
  EXPECT_EQ(ring.Find("rsa-2026")->algorithm(), JwtAlgorithm::kRs256);
  EXPECT_EQ(ring.Find("ec-2026")->algorithm(), JwtAlgorithm::kEs256);
  EXPECT_FALSE(ring.Find("rsa-2026")->can_sign());
  EXPECT_EQ(ring.Current(), nullptr);
}

TEST(ParseJwks, ReadsTheRfc7515A3PublicKey) {
  const Result<KeyRing> ring = ParseJwks(Jwks(json::array{
      json::object{{"kty", "EC"}, {"kid", "a3"}, {"crv", "P-256"}, {"x", kRfcEcX}, {"y", kRfcEcY}}}));
  ASSERT_TRUE(ring.ok());
  EXPECT_NE(ring->Find("a3"), nullptr);
}

TEST(ParseJwks, SkipsUnsupportedKeysAndKeepsTheOthers) {
  const Provider& provider = TheProvider();
  json::object encryption = EcJwk(provider.ec.get(), "enc");
  encryption["use"] = "enc";
  json::object other_alg = RsaJwk(provider.rsa.get(), "ps");
  other_alg["alg"] = "PS256";
  const Result<KeyRing> ring = ParseJwks(Jwks(json::array{
      json::object{{"kty", "oct"}, {"kid", "hmac"}, {"k", Base64UrlEncode(std::string(32, 'k'))}},
      json::object{{"kty", "OKP"},
                   {"kid", "ed"},
                   {"crv", "Ed25519"},
                   {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}},
      json::object{{"kty", "EC"}, {"kid", "p384"}, {"crv", "P-384"}, {"x", kRfcEcX}, {"y", kRfcEcY}},
      "not an object", encryption, other_alg, EcJwk(provider.ec.get(), "good")}));
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->size(), 1u);
  EXPECT_NE(ring->Find("good"), nullptr);
}

TEST(ParseJwks, KeepsTheFirstKeyOfARepeatedKid) {
  const Provider& provider = TheProvider();
  const Result<KeyRing> ring =
      ParseJwks(Jwks(json::array{EcJwk(provider.ec.get(), "same"), RsaJwk(provider.rsa.get(), "same")}));
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->size(), 1u);
  EXPECT_EQ(ring->Find("same")->algorithm(), JwtAlgorithm::kEs256);
}

TEST(ParseJwks, IgnoresPrivateMembers) {
  json::object jwk = EcJwk(TheProvider().ec.get(), "ec");
  jwk["d"] = Base64UrlEncode(std::string(32, '\x01'));  // not even the matching private key
  const Result<KeyRing> ring = ParseJwks(Jwks(json::array{jwk}));
  ASSERT_TRUE(ring.ok());
  EXPECT_FALSE(ring->Find("ec")->can_sign());
}

TEST(ParseJwks, RefusesAPointNotOnTheCurve) {
  json::object jwk = EcJwk(TheProvider().ec.get(), "ec");
  std::string y = Base64UrlDecode(jwk["y"].as_string()).value();
  y[31] = static_cast<char>(y[31] ^ 1);
  jwk["y"] = Base64UrlEncode(y);
  const Result<JwtKey> key = JwtKey::FromPublicJwk(jwk);
  EXPECT_EQ(key.status().detail(), key_reason::kNotOnCurve);
  EXPECT_TRUE(JwksRefused(ParseJwks(Jwks(json::array{jwk})), jwks_reason::kNoUsableKey));
}

TEST(ParseJwks, RefusesAShortRsaModulus) {
  const Pkey short_rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024}));
  const json::object jwk = RsaJwk(short_rsa.get(), "short");
  EXPECT_EQ(JwtKey::FromPublicJwk(jwk).status().detail(), key_reason::kRsaTooShort);
  EXPECT_TRUE(JwksRefused(ParseJwks(Jwks(json::array{jwk})), jwks_reason::kNoUsableKey));
}

TEST(ParseJwks, RefusesKeysWithAMissingMember) {
  const Provider& provider = TheProvider();
  for (const char* member : {"y", "x", "crv"}) {
    json::object jwk = EcJwk(provider.ec.get(), "ec");
    jwk.erase(member);
    EXPECT_EQ(JwtKey::FromPublicJwk(jwk).status().detail(), key_reason::kBadJwk) << member;
    EXPECT_TRUE(JwksRefused(ParseJwks(Jwks(json::array{jwk})), jwks_reason::kNoUsableKey)) << member;
  }
  for (const char* member : {"n", "e"}) {
    json::object jwk = RsaJwk(provider.rsa.get(), "rsa");
    jwk.erase(member);
    EXPECT_EQ(JwtKey::FromPublicJwk(jwk).status().detail(), key_reason::kBadJwk) << member;
  }
  json::object jwk = RsaJwk(provider.rsa.get(), "rsa");
  jwk.erase("kid");
  EXPECT_EQ(JwtKey::FromPublicJwk(jwk).status().detail(), key_reason::kMissingKid);
  EXPECT_TRUE(JwksRefused(ParseJwks(Jwks(json::array{jwk})), jwks_reason::kNoUsableKey));
}

TEST(ParseJwks, RefusesJunk) {
  for (const char* document : {"", "not json", "[]", "{}", R"({"keys":{}})", R"({"keys":"x"})",
                               R"({"keys":[)", R"({"keys":[]} trailing)"}) {
    EXPECT_TRUE(JwksRefused(ParseJwks(document), jwks_reason::kMalformed)) << document;
  }
}

TEST(ParseJwks, RefusesASetWithoutKeys) {
  EXPECT_TRUE(JwksRefused(ParseJwks(R"({"keys":[]})"), jwks_reason::kNoUsableKey));
}

TEST(ParseJwks, RefusesAnOversizedDocument) {
  const std::string document = R"({"keys":[],"pad":")" + std::string(kMaxJwksBytes, 'a') + "\"}";
  EXPECT_TRUE(JwksRefused(ParseJwks(document), jwks_reason::kMalformed));
}

// ---- VerifyIdToken -----------------------------------------------------------------------------

TEST(VerifyIdToken, AcceptsAnRs256TokenAndReturnsItsSubjectAndEmail) {
  const Result<IdToken> id_token = VerifySigned(IdClaims());
  ASSERT_TRUE(id_token.ok()) << id_token.status().detail();
  EXPECT_EQ(id_token->subject, "248289761001");
  EXPECT_EQ(id_token->email, "jane@example.com");
  EXPECT_EQ(id_token->claims, IdClaims());
}

TEST(VerifyIdToken, AcceptsAnEs256Token) {
  json::object claims = IdClaims();
  claims.erase("email");
  const Result<IdToken> id_token = VerifySigned(claims, true);
  ASSERT_TRUE(id_token.ok()) << id_token.status().detail();
  EXPECT_FALSE(id_token->email.has_value());
}

TEST(VerifyIdToken, NonceIsCheckedOnlyWhenGiven) {
  json::object claims = IdClaims();
  claims.erase("nonce");
  EXPECT_TRUE(VerifySigned(claims, false, std::nullopt).ok());
}

TEST(VerifyIdToken, RefusesTheWrongIssuer) {
  json::object claims = IdClaims();
  claims["iss"] = "https://login.example.com/";  // exact match: a trailing slash is another issuer
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kWrongIssuer));
}

TEST(VerifyIdToken, RefusesATokenForAnotherClient) {
  json::object claims = IdClaims();
  claims["aud"] = "another-client";
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kWrongAudience));
}

TEST(VerifyIdToken, SeveralAudiencesRequireAzpOfTheClient) {
  json::object claims = IdClaims();
  claims["aud"] = json::array{kClientId, "another-client"};
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kWrongAuthorizedParty));
  claims["azp"] = "another-client";
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kWrongAuthorizedParty));
  claims["azp"] = kClientId;
  EXPECT_TRUE(VerifySigned(claims).ok());
}

TEST(VerifyIdToken, RefusesAzpOfAnotherClientEvenWithOneAudience) {
  json::object claims = IdClaims();
  claims["azp"] = "another-client";
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kWrongAuthorizedParty));
}

TEST(VerifyIdToken, RefusesAWrongOrMissingNonce) {
  json::object claims = IdClaims();
  claims["nonce"] = "replayed";
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kWrongNonce));
  claims.erase("nonce");
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kWrongNonce));
}

TEST(VerifyIdToken, RefusesHs256EvenWithAKnownSymmetricKey) {
  // A ring that (wrongly) holds a shared secret must still not accept HS256 ID tokens.
  const JwtKey secret = JwtKey::FromSecret("shared", "a secret shared with the provider!").value();
  KeyRing ring;
  ASSERT_TRUE(ring.Add(secret).ok());
  const std::string token = Sign(secret, IdClaims()).value();
  EXPECT_TRUE(
      Refused(VerifyIdToken(ring, token, kIssuer, kClientId, kNow, "n-0S6"), jwt_reason::kAlgNotAllowed));
}

TEST(VerifyIdToken, RefusesAnExpiredToken) {
  json::object claims = IdClaims();
  claims["exp"] = kNow - 3600;
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kExpired));
}

TEST(VerifyIdToken, RequiresIat) {
  json::object claims = IdClaims();
  claims.erase("iat");
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kMissingIat));
}

TEST(VerifyIdToken, RequiresASubject) {
  json::object claims = IdClaims();
  claims["sub"] = "";
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kMissingSubject));
  claims.erase("sub");
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kMissingSubject));
}

TEST(VerifyIdToken, RefusesANonStringEmail) {
  json::object claims = IdClaims();
  claims["email"] = json::array{"jane@example.com"};
  EXPECT_TRUE(Refused(VerifySigned(claims), jwt_reason::kMalformedClaims));
}

TEST(VerifyIdToken, RefusesATokenSignedByAKeyOutsideTheSet) {
  const Pkey stranger(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  const JwtKey impostor =
      JwtKey::FromPrivatePem("ec-2026", JwtAlgorithm::kEs256, PrivatePem(stranger.get())).value();
  const std::string token = Sign(impostor, IdClaims()).value();
  EXPECT_TRUE(Refused(VerifyIdToken(TheProvider().jwks, token, kIssuer, kClientId, kNow, "n-0S6"),
                      jwt_reason::kBadSignature));
}

}  // namespace
}  // namespace selfservice::security
