#include "security/jwks.hpp"

#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace selfservice::security {
namespace {

namespace json = boost::json;

Status Refuse(std::string_view reason) {
  return Status::Unauthenticated(std::string(reason));
}

Status JwksError(std::string_view reason) {
  return Status::Error(ErrorCode::kInvalidArgument, std::string(reason));
}

const json::string* StringClaim(const json::object& claims, std::string_view name) {
  const json::value* value = claims.if_contains(json::string_view(name.data(), name.size()));
  return value == nullptr ? nullptr : value->if_string();
}

bool Equals(const json::string* value, std::string_view expected) {
  return value != nullptr && std::string_view(value->data(), value->size()) == expected;
}

}  // namespace

Result<KeyRing> ParseJwks(std::string_view document) {
  if (document.size() > kMaxJwksBytes) return JwksError(jwks_reason::kMalformed);
  json::error_code error;
  const json::value parsed = json::parse(json::string_view(document.data(), document.size()), error);
  const json::object* set = error ? nullptr : parsed.if_object();
  const json::value* keys = set == nullptr ? nullptr : set->if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return JwksError(jwks_reason::kMalformed);
  KeyRing ring;
  for (const json::value& entry : keys->get_array()) {
    if (!entry.is_object()) continue;
    Result<JwtKey> key = JwtKey::FromPublicJwk(entry.get_object());
    // A refused key or a repeated kid is skipped (see the header); Add keeps the first of a kid.
    if (key.ok()) (void)ring.Add(std::move(key.value()));
  }
  if (ring.size() == 0) return JwksError(jwks_reason::kNoUsableKey);
  return ring;
}

Result<IdToken> VerifyIdToken(const KeyRing& jwks, std::string_view token, std::string_view issuer,
                              std::string_view client_id, std::int64_t now,
                              std::optional<std::string_view> nonce) {
  ValidationOptions options;
  options.issuer = std::string(issuer);
  options.audience = std::string(client_id);
  options.now = now;
  options.algorithms = {JwtAlgorithm::kRs256, JwtAlgorithm::kEs256};
  Result<json::object> verified = Verify(jwks, token, options);
  if (!verified.ok()) return verified.status();
  json::object& claims = verified.value();

  if (!claims.contains("iat")) return Refuse(jwt_reason::kMissingIat);
  // Verify has checked that aud is a string or an array of strings containing client_id.
  const json::value& audience = claims.at("aud");
  const bool several_audiences = audience.is_array() && audience.get_array().size() > 1;
  if (const json::value* azp = claims.if_contains("azp"); azp != nullptr || several_audiences) {
    if (azp == nullptr || !Equals(azp->if_string(), client_id))
      return Refuse(jwt_reason::kWrongAuthorizedParty);
  }
  if (nonce && !Equals(StringClaim(claims, "nonce"), *nonce)) return Refuse(jwt_reason::kWrongNonce);
  const json::string* subject = StringClaim(claims, "sub");
  if (subject == nullptr || subject->empty()) return Refuse(jwt_reason::kMissingSubject);
  const json::value* email = claims.if_contains("email");
  if (email != nullptr && !email->is_string()) return Refuse(jwt_reason::kMalformedClaims);

  IdToken id_token;
  id_token.subject = std::string(subject->data(), subject->size());
  if (email != nullptr) id_token.email = std::string(email->get_string().data(), email->get_string().size());
  id_token.claims = std::move(claims);
  return id_token;
}

}  // namespace selfservice::security
