// Sign-in options: how the portal issues and checks its tokens, locks out brute force and hashes
// passwords ("auth" in the portal options; docs/SECURITY.md).
//
// Thread safety: values.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace selfservice {

// A key that signs the portal's tokens. HS256: `secret` holds at least 32 raw bytes. ES256:
// `private_key_pem` holds a P-256 private key (PKCS#8 or SEC1 PEM). The first key of
// AuthOptions::keys signs; every key verifies, so keys rotate by listing a new key first and
// dropping the old one once its tokens have expired (7 days for refresh tokens).
struct TokenKey {
  std::string kid;        // [A-Za-z0-9_-]{1,32}
  std::string algorithm;  // "HS256" or "ES256"
  std::string secret;
  std::string private_key_pem;
};

struct AuthOptions {
  std::string issuer = "libselfservice";
  std::string audience = "customer-portal";
  // Empty: the portal draws an HS256 key for its life, so tokens die with it and are not shared
  // between processes; hosts that restart or run several processes pass their keys.
  std::vector<TokenKey> keys;
  std::int64_t access_ttl_seconds = 2 * 3600;          // spec 7.1
  std::int64_t refresh_ttl_seconds = 7 * 24 * 3600;    // spec 7.1
  std::int64_t leeway_seconds = 30;                     // clock skew accepted on exp/nbf/iat, <= 300
  // Spec 8.2: this many failed sign-ins within the window lock the account, and the source
  // address, for lock_seconds.
  int max_failures = 5;
  std::int64_t failure_window_seconds = 30 * 60;
  std::int64_t lock_seconds = 30 * 60;
  std::int64_t reset_token_ttl_seconds = 3600;  // auth.password.reset.request's token
  std::int64_t mfa_token_ttl_seconds = 300;     // between a password and its second factor
  // Argon2id cost (OWASP's minimum by default); a weaker stored hash is upgraded at the next
  // sign-in. Bounded: memory 7-256 MiB, 1-10 passes, 1-8 lanes, and memory x passes at least
  // 35,840 KiB (OWASP's equivalent settings).
  std::uint32_t password_memory_kib = 19456;
  std::uint32_t password_iterations = 2;
  std::uint32_t password_parallelism = 1;
  // The issuer shown by authenticator apps for auth.mfa.enroll ("otpauth://totp/<issuer>:<user>").
  std::string mfa_issuer = "Customer Portal";
};

}  // namespace selfservice
