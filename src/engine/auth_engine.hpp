// AuthEngine: sign-in and everything around it (spec 7.1, 8.2; docs/SECURITY.md).
//
//   auth.login            password (Argon2id), lockout per account and per source address
//   auth.mfa.verify       the second factor: TOTP (RFC 6238), a recovery code or an e-mailed code
//   auth.refresh          refresh-token rotation with reuse detection (a reused token revokes its login)
//   auth.logout           ends the caller's login (or all of them)
//   auth.password.*       change, and reset with single-use, expiring tokens sent to the user
//   auth.mfa.enroll       TOTP (confirmed by a first code) or e-mail codes; recovery codes
//   auth.mfa.disable
//   auth.sso.login        an OIDC ID token verified against the customer's sso_config JWKS
//   Authenticate()        an access token -> the RequestContext every other method runs with
//
// Failures of the sign-in methods are one generic 10002 whatever the cause (unknown user, wrong
// password, locked, disabled), and an unknown user costs the same Argon2id work as a known one,
// so neither the answer nor its time tells whether an account exists. A locked caller's 10002
// carries retry_after.
//
// Access tokens are JWTs (HS256 or ES256, AuthOptions::keys) naming the tenant, customer, user,
// roles and login ("sid"); every call checks that the login is still live, so logout, a password
// change, a role change or an administrator's revocation takes effect at once.
//
// Thread safety: safe from many threads.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "engine/audit_log.hpp"
#include "selfservice/auth.hpp"
#include "selfservice/blob_store.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/notifier.hpp"
#include "selfservice/repository.hpp"

namespace selfservice {

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;          // seconds, the access token's
  std::int64_t refresh_expires_in = 0;  // seconds
};

// What a correct password leads to: tokens, or a second factor to ask for.
struct LoginOutcome {
  std::optional<TokenPair> tokens;
  std::string mfa_token;   // set when a second factor is required
  std::string mfa_method;  // "totp" or "email"
};

// What auth.mfa.enroll answers: the first step gives the secret to enter in an authenticator (or
// sends an e-mail code); the second, with the first code, enables MFA and gives the recovery
// codes, shown once.
struct MfaEnrollment {
  bool enabled = false;
  std::string method;
  std::optional<std::string> secret;       // TOTP, first step
  std::optional<std::string> otpauth_uri;  // TOTP, first step
  std::optional<std::string> enrollment_token;  // e-mail, first step: sent back with the e-mailed code
  std::vector<std::string> recovery_codes;  // second step
};

// The fields of users.create.
struct NewUser {
  std::int64_t customer_id = 0;
  std::string username;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::string display_name;
  unsigned roles = static_cast<unsigned>(Role::kCustomerUser);
  std::optional<std::string> password;  // none: an SSO-only account
};

class AuthEngine {
 public:
  // 10001 naming "auth.keys[i]" for a key that cannot sign; `channels` send account messages.
  static Result<std::unique_ptr<AuthEngine>> Create(const AuthOptions& options, Store& store, const Clock& clock,
                                                    AuditLog& audit, std::vector<std::shared_ptr<Notifier>> channels);
  ~AuthEngine();

  // `caller` carries locale, trace_id, client_ip and user_agent; its ids are ignored.
  Result<LoginOutcome> Login(const RequestContext& caller, std::int64_t tenant_id, std::string_view login,
                             std::string_view password);
  // Exactly one of `code` (TOTP or e-mailed) and `recovery_code`.
  Result<TokenPair> VerifyMfa(const RequestContext& caller, std::string_view mfa_token,
                              const std::optional<std::string>& code, const std::optional<std::string>& recovery_code);
  Result<TokenPair> Refresh(const RequestContext& caller, std::string_view refresh_token);
  Result<TokenPair> SsoLogin(const RequestContext& caller, std::int64_t tenant_id, std::int64_t customer_id,
                             std::string_view id_token, const std::optional<std::string>& nonce);

  // The caller of a valid access token whose login is live; `base` gives locale, trace_id,
  // client_ip and user_agent. 10002 otherwise.
  Result<RequestContext> Authenticate(std::string_view access_token, RequestContext base);

  // Ends the caller's login, or every login of the caller when `everywhere`; returns how many.
  Result<std::int64_t> Logout(const RequestContext& context, bool everywhere);
  Status ChangePassword(const RequestContext& context, std::string_view current, std::string_view next);
  // Always OK for a well-formed request, whether or not the account exists (no enumeration).
  Status RequestPasswordReset(const RequestContext& caller, std::int64_t tenant_id, std::string_view login);
  Status ConfirmPasswordReset(const RequestContext& caller, std::string_view token, std::string_view password);
  // Without `code`, the first step; with it (and, for e-mail, the first step's enrollment_token),
  // the second.
  Result<MfaEnrollment> EnrollMfa(const RequestContext& context, std::string_view method,
                                  const std::optional<std::string>& code,
                                  const std::optional<std::string>& enrollment_token);
  Status DisableMfa(const RequestContext& context, std::string_view password);

  // users.*: accounts of the caller's customer (customer_admin) or tenant (platform_admin).
  Result<User> CreateUser(const RequestContext& context, NewUser user);
  Result<User> GetUser(const RequestContext& context, std::int64_t id);
  Result<Page<User>> ListUsers(const RequestContext& context, const UserFilter& filter, PageRequest page);
  // `patch` names display_name, email, phone, status ("active" | "disabled").
  Result<User> UpdateUser(const RequestContext& context, std::int64_t id, const boost::json::object& patch);
  Result<User> SetRoles(const RequestContext& context, std::int64_t id, unsigned roles);
  // users.erase: removes or anonymises the account's personal data everywhere (Store::EraseUser)
  // and deletes its files from `blobs`.
  Result<Store::ErasureReport> EraseUser(const RequestContext& context, std::int64_t id, BlobStore& blobs);
  // Revokes every login of the account (an administrator's revocation); returns how many.
  Result<std::int64_t> RevokeSessions(const RequestContext& context, std::int64_t id);

 private:
  struct Impl;
  explicit AuthEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The JSON of an account as the API shows it: never its password hash, TOTP secret or recovery codes.
boost::json::object UserJson(const User& user);

}  // namespace selfservice
