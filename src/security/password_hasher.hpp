// Password storage with Argon2id (RFC 9106) over libargon2, in the PHC string format
// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>" (unpadded standard base64).
//
// Thread safety: a PasswordHasher is immutable after Create; its const methods may be called from
// any number of threads at once. Each Hash or Verify allocates `memory_kib` KiB for its duration.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "selfservice/status.hpp"

namespace selfservice::security {

// Passwords longer than this many bytes are refused, which bounds the work one request can cause.
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// The cost of one hash. The defaults are OWASP's recommended Argon2id configuration (19 MiB,
// 2 passes, 1 lane).
struct PasswordHashParams {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
  std::uint32_t salt_bytes = 16;
  std::uint32_t hash_bytes = 32;
};

// OK, or Invalid with OUT_OF_RANGE field errors ({"min", ..}, {"max", ..}) naming the members.
// The bounds keep a configuration between "no cheaper than OWASP's weakest recommended Argon2id
// setting" (memory_kib >= 7168 and memory_kib * iterations >= 35840, which admits every line of
// OWASP's table) and "not a denial of service" (memory_kib <= 262144, iterations <= 10,
// parallelism <= 8); salt_bytes 16 … 64 and hash_bytes 16 … 64.
Status ValidatePasswordHashParams(const PasswordHashParams& params);

// What Verify found.
enum class PasswordMatch {
  kMatch,
  kMismatch,
  // The stored string is not an Argon2id v19 PHC string within the accepted bounds; it never matches.
  kMalformedHash,
};

class PasswordHasher {
 public:
  // Validates `params` (ValidatePasswordHashParams) and computes, once, the fixed hash behind
  // VerifyDummy, so Create costs one hash.
  static Result<PasswordHasher> Create(PasswordHashParams params = {});

  // A fresh PHC string for `password` with a random salt. Invalid (field "password") when the
  // password is empty (FIELD_REQUIRED) or longer than kMaxPasswordBytes (FIELD_TOO_LONG, {"max", ..}).
  Result<std::string> Hash(std::string_view password) const;

  // Whether `password` is the one `phc` was made from. The stored parameters may be weaker than
  // the current ones, but a string naming another Argon2 variant or version, or asking for more
  // than the upper bounds of ValidatePasswordHashParams (so a planted hash cannot make one login
  // a denial of service), or with a salt outside 8 … 64 bytes or a hash outside 16 … 64 bytes, is
  // kMalformedHash. An empty or over-long password is kMismatch. Digests compare in constant time.
  PasswordMatch Verify(std::string_view password, std::string_view phc) const;

  // Spends what Verify spends for a real account and returns nothing: call it when the user does
  // not exist, so an unknown user and a wrong password cannot be told apart by the time taken.
  void VerifyDummy(std::string_view password) const;

  // True when `phc` was made with less memory, fewer passes, a shorter salt or a shorter hash than
  // the current parameters (or cannot be read): after a successful Verify, store a fresh Hash.
  bool NeedsRehash(std::string_view phc) const;

  const PasswordHashParams& params() const { return params_; }

 private:
  PasswordHasher(PasswordHashParams params, std::string dummy_phc)
      : params_(params), dummy_phc_(std::move(dummy_phc)) {}

  PasswordHashParams params_;
  std::string dummy_phc_;
};

}  // namespace selfservice::security
