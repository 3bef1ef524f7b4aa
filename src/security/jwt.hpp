// JSON Web Tokens (RFC 7519) in the JWS compact serialisation (RFC 7515), with the hardening of
// RFC 8725: keys of exactly one algorithm each (HS256, ES256 or RS256), found by the token's "kid"
// in a KeyRing and never taken from the token itself ("jwk", "jku" and "x5u" headers are ignored),
// so "alg":"none" and the HS256-with-a-public-key confusion are refused by construction.
//
// Failures are values: Verify answers Status::Unauthenticated whose detail() is exactly one of the
// jwt_reason constants; key constructors and Sign answer ErrorCode::kInvalidArgument whose detail()
// is one of the key_reason constants. Details never contain a token, a claim value or key material,
// and no type here can print its key material.
//
// Thread safety: JwtKey is immutable and cheap to copy (the material is shared). The const members
// of KeyRing, Sign and Verify may run on one KeyRing from several threads at once; Add, Remove and
// SetCurrent need exclusive access (rotate by building a new ring and swapping a
// std::shared_ptr<const KeyRing>, or guard the ring with a lock).

#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "selfservice/status.hpp"

namespace selfservice::security {

enum class JwtAlgorithm { kHs256, kEs256, kRs256 };

// "HS256", "ES256" or "RS256".
std::string_view JwtAlgorithmName(JwtAlgorithm algorithm);
// The algorithm whose registered name (RFC 7518 section 3.1) is exactly `name`, case included.
std::optional<JwtAlgorithm> ParseJwtAlgorithm(std::string_view name);

// Why Verify refused a token: the detail() of its Status::Unauthenticated, stable across versions.
namespace jwt_reason {
inline constexpr std::string_view kTooLarge = "token_too_large";
inline constexpr std::string_view kMalformed = "malformed_token";  // segments or base64url
inline constexpr std::string_view kMalformedHeader = "malformed_header";
inline constexpr std::string_view kMalformedClaims = "malformed_claims";
inline constexpr std::string_view kAlgNotAllowed = "alg_not_allowed";
inline constexpr std::string_view kMissingKid = "missing_kid";
inline constexpr std::string_view kUnknownKid = "unknown_kid";
inline constexpr std::string_view kUnsupportedType = "unsupported_typ";
inline constexpr std::string_view kUnsupportedCrit = "unsupported_crit";
inline constexpr std::string_view kBadSignature = "bad_signature";
inline constexpr std::string_view kWrongIssuer = "wrong_issuer";
inline constexpr std::string_view kWrongAudience = "wrong_audience";
inline constexpr std::string_view kMissingExp = "missing_exp";
inline constexpr std::string_view kExpired = "token_expired";
inline constexpr std::string_view kNotYetValid = "token_not_yet_valid";
inline constexpr std::string_view kIssuedInFuture = "issued_in_future";
inline constexpr std::string_view kMissingIat = "missing_iat";
inline constexpr std::string_view kLifetimeTooLong = "lifetime_too_long";
// OpenID Connect ID tokens (jwks.hpp).
inline constexpr std::string_view kWrongAuthorizedParty = "wrong_azp";
inline constexpr std::string_view kWrongNonce = "wrong_nonce";
inline constexpr std::string_view kMissingSubject = "missing_sub";
}  // namespace jwt_reason

// Why a key, a ring change, a Sign call or ValidationOptions were refused: the detail() of an
// ErrorCode::kInvalidArgument status.
namespace key_reason {
inline constexpr std::string_view kSecretTooShort = "hmac_secret_too_short";  // < 32 bytes
inline constexpr std::string_view kBadPem = "bad_pem";
inline constexpr std::string_view kWrongKeyType = "key_type_does_not_match_alg";
inline constexpr std::string_view kRsaTooShort = "rsa_modulus_too_short";  // < 2048 bits
inline constexpr std::string_view kNotOnCurve = "ec_point_not_on_curve";
inline constexpr std::string_view kBadJwk = "bad_jwk";  // a member missing, of the wrong type or size
inline constexpr std::string_view kUnsupportedJwk = "unsupported_jwk";  // kty, crv, use or alg
inline constexpr std::string_view kMissingKid = "missing_kid";
inline constexpr std::string_view kDuplicateKid = "duplicate_kid";
inline constexpr std::string_view kUnknownKid = "unknown_kid";
inline constexpr std::string_view kCannotSign = "key_cannot_sign";      // a public key
inline constexpr std::string_view kReservedHeader = "reserved_header";  // extras naming alg, kid, typ, crit
inline constexpr std::string_view kBadOptions = "bad_validation_options";
inline constexpr std::string_view kCryptoFailure = "crypto_failure";
}  // namespace key_reason

// The smallest HS256 secret accepted: the hash's output size (RFC 7518 section 3.2).
inline constexpr std::size_t kMinHmacSecretBytes = 32;
// The smallest RSA modulus accepted (RFC 7518 section 3.3).
inline constexpr int kMinRsaModulusBits = 2048;

// One key for one algorithm, named by its kid. The material (an HMAC secret or an OpenSSL key) is
// reachable only by Sign and Verify.
class JwtKey {
 public:
  // An HS256 key; `secret` must have at least kMinHmacSecretBytes bytes.
  static Result<JwtKey> FromSecret(std::string kid, std::string_view secret);
  // An ES256 (P-256) or RS256 (>= 2048-bit) private key in PEM (PKCS#8 or the traditional form);
  // it signs and verifies.
  static Result<JwtKey> FromPrivatePem(std::string kid, JwtAlgorithm algorithm, std::string_view pem);
  // An ES256 or RS256 public key in PEM (SubjectPublicKeyInfo); it verifies only.
  static Result<JwtKey> FromPublicPem(std::string kid, JwtAlgorithm algorithm, std::string_view pem);
  // A JWK (RFC 7517, 7518 section 6): kty "oct" (k, HS256), "EC" (crv "P-256", x, y and, for a
  // private key, d; ES256) or "RSA" (n, e; RS256, verify only: private RSA members are ignored).
  // "kid" is required; "alg" and "use", when present, must be the key's algorithm and "sig".
  static Result<JwtKey> FromJwk(const boost::json::object& jwk);
  // As FromJwk, for keys published by someone else (a JWKS): "oct" keys are refused and private
  // members ignored, so the key verifies only.
  static Result<JwtKey> FromPublicJwk(const boost::json::object& jwk);

  const std::string& kid() const { return kid_; }
  JwtAlgorithm algorithm() const { return algorithm_; }
  // False for public keys.
  bool can_sign() const;

  // Opaque: defined and used only in jwt.cpp, so nothing else can read or print the material.
  struct Material;

 private:
  friend class JwtKeyAccess;  // jwt.cpp's bridge to the constructor and the material
  JwtKey(std::string kid, JwtAlgorithm algorithm, std::shared_ptr<const Material> material);

  std::string kid_;
  JwtAlgorithm algorithm_;
  std::shared_ptr<const Material> material_;
};

// Keys by kid, one of them the current signing key. Tokens name their key by kid, so rotating is:
// Add the new key, SetCurrent to it, and Remove the old one once its tokens have expired.
class KeyRing {
 public:
  // kDuplicateKid if a key of that kid is already there.
  Status Add(JwtKey key);
  // False if there was no such key. Removing the current key leaves the ring without one.
  bool Remove(std::string_view kid);
  // The key must be in the ring and able to sign.
  Status SetCurrent(std::string_view kid);

  // Null if absent; the pointer is valid until the ring changes.
  const JwtKey* Find(std::string_view kid) const;
  // Null when no current key is set.
  const JwtKey* Current() const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, JwtKey, std::less<>> keys_;
  std::string current_;
};

// A compact JWS of `claims` signed by `key`, with the header {"alg", "typ":"JWT", "kid"} plus
// `header_extras` (which must not name alg, typ, kid or crit). ES256 signatures are the raw 64-byte
// r||s of RFC 7518 section 3.4.
Result<std::string> Sign(const JwtKey& key, const boost::json::object& claims,
                         const boost::json::object& header_extras = {});
// Signed by the ring's current key (kUnknownKid when there is none).
Result<std::string> Sign(const KeyRing& ring, const boost::json::object& claims,
                         const boost::json::object& header_extras = {});

// The largest leeway ValidationOptions accept: clock skew, not a grace period.
inline constexpr std::int64_t kMaxLeewaySeconds = 300;

struct ValidationOptions {
  // When set, "iss" must equal it exactly.
  std::optional<std::string> issuer;
  // When set, "aud" (a string or an array of strings) must contain it.
  std::optional<std::string> audience;
  // Unix seconds; the system clock when unset.
  std::optional<std::int64_t> now;
  // Clock skew tolerated on exp, nbf and iat: 0 to kMaxLeewaySeconds.
  std::int64_t leeway_seconds = 30;
  std::size_t max_token_bytes = 8 * 1024;
  bool require_exp = true;
  // When set, "iat" is required and exp - iat may not exceed it.
  std::optional<std::int64_t> max_lifetime_seconds;
  // When not empty, the token's alg must be one of these (besides being its key's).
  std::vector<JwtAlgorithm> algorithms;
};

// The claims of `token` once its key (by kid), algorithm, signature and registered claims check out.
// Checks run from cheap to expensive so no crypto work is spent on malformed input: size, three
// non-empty segments of strict base64url, the header (a JSON object without duplicate members, a
// known "alg", a "kid" in the ring whose key has that alg, "typ" absent or "JWT" in any case, no
// "crit"), the signature (constant time), then the claims (a JSON object without duplicate
// members; iss, aud, exp, nbf, iat with the leeway; NumericDates must be numbers).
Result<boost::json::object> Verify(const KeyRing& ring, std::string_view token,
                                   const ValidationOptions& options);
// As above with one key chosen by the caller: the token's kid may be absent, and if present must be
// the key's (the examples of RFC 7515 appendix A carry none).
Result<boost::json::object> Verify(const JwtKey& key, std::string_view token,
                                   const ValidationOptions& options);

}  // namespace selfservice::security
