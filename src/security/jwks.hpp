// JSON Web Key Sets (RFC 7517 section 5) and OpenID Connect ID tokens (OpenID Connect Core 1.0
// section 3.1.3.7): the keys an identity provider publishes, and the checks a relying party makes
// on the ID token it receives from that provider.
//
// Thread safety: ParseJwks is a pure function; VerifyIdToken only reads the ring (see jwt.hpp).

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "security/jwt.hpp"
#include "selfservice/status.hpp"

namespace selfservice::security {

// Why ParseJwks refused a document: the detail() of an ErrorCode::kInvalidArgument status.
namespace jwks_reason {
inline constexpr std::string_view kMalformed = "malformed_jwks";  // not {"keys": [...]} or too large
inline constexpr std::string_view kNoUsableKey = "no_usable_key";
}  // namespace jwks_reason

// The largest JWKS document ParseJwks reads.
inline constexpr std::size_t kMaxJwksBytes = 256 * 1024;

// The verification keys of a JWKS document {"keys": [...]}: RSA (RS256, modulus >= 2048 bits) and
// EC P-256 (ES256, the point checked to be on the curve) keys with a "kid", "use" absent or "sig"
// and "alg" absent or matching. Other keys (symmetric, encryption, other curves, malformed, off the
// curve, too short, a kid seen before) are skipped, so one odd key does not lose the whole set;
// a set left without any key is an error. Private members are ignored: the ring only verifies.
Result<KeyRing> ParseJwks(std::string_view document);

// What a verified ID token says about the user.
struct IdToken {
  std::string subject;               // "sub"
  std::optional<std::string> email;  // "email"; check claims["email_verified"] before trusting it
  boost::json::object claims;        // every claim, registered ones included
};

// The ID token `token` once OpenID Connect Core 1.0 section 3.1.3.7 holds: signed with RS256 or
// ES256 by a key of `jwks` (HS256 is refused: its secret would be shared with the provider), "iss"
// exactly `issuer`, "aud" containing `client_id`, "azp" equal to `client_id` when present and
// required when "aud" has several values, "exp" and "iat" present and valid at `now` (unix seconds,
// with the default 30 s leeway), "nonce" equal to `nonce` when one is given, and a non-empty "sub".
// Failures are Status::Unauthenticated with a jwt_reason detail.
Result<IdToken> VerifyIdToken(const KeyRing& jwks, std::string_view token, std::string_view issuer,
                              std::string_view client_id, std::int64_t now,
                              std::optional<std::string_view> nonce = std::nullopt);

}  // namespace selfservice::security
