// One-time passwords for second-factor login: HOTP (RFC 4226), TOTP (RFC 6238), the base32 of
// their shared secrets (RFC 4648 section 6), the otpauth:// URI authenticator apps scan, and
// single-use recovery codes.
//
// Secrets and codes are raw bytes in std::string; nothing here logs them.
// Thread safety: pure functions (the generators draw on a thread-safe CSPRNG); safe from any thread.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/status.hpp"

namespace selfservice::security {

// RFC 4648 section 6 base32 ("A"–"Z", "2"–"7"), without padding.
std::string Base32Encode(std::string_view bytes);
// The bytes of `text`, in either case, with or without its trailing "=" padding; nullopt for any
// other character, misplaced or wrong padding, an impossible length or non-zero trailing bits.
std::optional<std::string> Base32Decode(std::string_view text);

enum class OtpAlgorithm { kSha1, kSha256, kSha512 };

// The HOTP value (RFC 4226 section 5.3: HMAC, dynamic truncation, modulo 10^digits) of `counter`,
// zero-padded to `digits` ASCII digits. Invalid when the secret is empty (field "secret",
// FIELD_REQUIRED) or `digits` is outside 6 … 8 (field "digits", OUT_OF_RANGE).
Result<std::string> Hotp(std::string_view secret, std::uint64_t counter, int digits = 6,
                         OtpAlgorithm algorithm = OtpAlgorithm::kSha1);

struct TotpConfig {
  OtpAlgorithm algorithm = OtpAlgorithm::kSha1;
  int digits = 6;           // 6 … 8
  int period_seconds = 30;  // 15 … 300
};

// OK, or Invalid with OUT_OF_RANGE on "digits" or "period_seconds".
Status ValidateTotpConfig(const TotpConfig& config);

// The TOTP value (RFC 6238 section 4) for `unix_time`: the HOTP of floor(unix_time / period).
// Invalid for a bad config, an empty secret or a negative time.
Result<std::string> Totp(std::string_view secret, std::int64_t unix_time, const TotpConfig& config = {});

// A fresh secret as long as the HMAC's output (20, 32 or 64 bytes), as RFC 4226 section 4
// recommends at least 160 bits and RFC 6238's reference seeds match the hash size.
std::string GenerateTotpSecret(OtpAlgorithm algorithm = OtpAlgorithm::kSha1);

// The Key Uri Format of authenticator apps:
// otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
// with issuer and account percent-encoded (RFC 3986, so a ":" inside either cannot split the label).
std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view secret,
                       const TotpConfig& config = {});

// The time step whose code `code` is, among the steps within `window` of the one containing
// `unix_time`, skipping every step <= `last_used_step` (so a code once accepted, or an older one,
// is refused); the caller stores the returned step as the new last_used_step. nullopt when
// nothing matches, and also for a code that is not exactly `digits` ASCII digits, a bad config,
// an empty secret, a negative time or a window outside 0 … 10. Every candidate is computed and
// compared in constant time, so the time taken does not say which step matched.
std::optional<std::int64_t> VerifyTotp(std::string_view secret, std::string_view code, std::int64_t unix_time,
                                       const TotpConfig& config = {}, int window = 1,
                                       std::optional<std::int64_t> last_used_step = std::nullopt);

// `count` (1 … 100, else none) recovery codes, each 16 lowercase base32 characters (80 random
// bits) written in groups of four: "abcd-efgh-ijkl-mnop". Show them once and store only
// HashRecoveryCode of each.
std::vector<std::string> GenerateRecoveryCodes(int count = 10);

// The stored form of a recovery code: SHA-256 (64 lowercase hex digits) of its normalised form
// (lowercase, dashes and spaces removed), or nullopt when that is not 16 base32 characters. A fast
// unsalted hash suffices here, unlike for passwords: the code carries 80 random bits, so
// searching that space offline is infeasible whatever the hash rate, and no precomputed table can
// cover it.
std::optional<std::string> HashRecoveryCode(std::string_view code);

// Finds `code` (typed in any case, with or without dashes or spaces) among `stored_hashes` and
// removes its hash, so it works once; the caller persists the remaining hashes. Every stored hash
// is compared, in constant time. False (and `stored_hashes` untouched) when nothing matches.
bool ConsumeRecoveryCode(std::string_view code, std::vector<std::string>& stored_hashes);

}  // namespace selfservice::security
