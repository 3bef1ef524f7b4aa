#include "security/totp.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <new>

#include "core/random.hpp"
#include "core/sha256.hpp"
#include "net/endpoint.hpp"

namespace selfservice::security {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr int kMinDigits = 6;  // RFC 4226 section 5.3 requires at least 6
constexpr int kMaxDigits = 8;  // 10^8 still fits the 31 bits of the truncated value many times over
constexpr int kMinPeriod = 15;
constexpr int kMaxPeriod = 300;
constexpr int kMaxWindow = 10;
constexpr int kMaxRecoveryCodes = 100;
constexpr std::size_t kRecoveryCodeBytes = 10;  // 80 bits: 16 base32 characters
constexpr std::size_t kRecoveryCodeChars = 16;
constexpr std::size_t kRecoveryGroup = 4;

// The value of a base32 character in either case, or -1.
int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

const EVP_MD* Digest(OtpAlgorithm algorithm) {
  switch (algorithm) {
    case OtpAlgorithm::kSha256: return EVP_sha256();
    case OtpAlgorithm::kSha512: return EVP_sha512();
    case OtpAlgorithm::kSha1: break;
  }
  return EVP_sha1();
}

std::size_t DigestSize(OtpAlgorithm algorithm) {
  return static_cast<std::size_t>(EVP_MD_get_size(Digest(algorithm)));
}

const char* AlgorithmName(OtpAlgorithm algorithm) {
  switch (algorithm) {
    case OtpAlgorithm::kSha256: return "SHA256";
    case OtpAlgorithm::kSha512: return "SHA512";
    case OtpAlgorithm::kSha1: break;
  }
  return "SHA1";
}

// RFC 4226 section 5.3 with the secret and digits already checked.
std::string HotpUnchecked(std::string_view secret, std::uint64_t counter, int digits,
                          OtpAlgorithm algorithm) {
  unsigned char message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(Digest(algorithm), secret.data(), static_cast<int>(secret.size()), message, sizeof message, mac,
           &mac_size) == nullptr) {
    throw std::bad_alloc();  // HMAC only fails when it cannot allocate its context
  }
  const unsigned offset = mac[mac_size - 1] & 0x0F;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
  return code;
}

// `code` lowercase with dashes and spaces removed if that leaves 16 base32 characters.
std::optional<std::string> NormaliseRecoveryCode(std::string_view code) {
  std::string out;
  out.reserve(kRecoveryCodeChars);
  for (const char c : code) {
    if (c == '-' || c == ' ') continue;
    if (Base32Value(c) < 0 || out.size() == kRecoveryCodeChars) return std::nullopt;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (out.size() != kRecoveryCodeChars) return std::nullopt;
  return out;
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kBase32Alphabet[(buffer >> bits) & 0x1F];
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 0x1F];
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  // A complete padded group is 8 characters; the padding says how many of them carry data.
  const std::size_t padding_start = text.find('=');
  if (padding_start != std::string_view::npos) {
    if (text.size() % 8 != 0 || text.find_first_not_of('=', padding_start) != std::string_view::npos) {
      return std::nullopt;
    }
    text = text.substr(0, padding_start);
  }
  // 8 characters make 5 bytes; a partial group of 2, 4, 5 or 7 characters makes 1 to 4 bytes,
  // and no byte count leaves 1, 3 or 6.
  const std::size_t remainder = text.size() % 8;
  if (remainder == 1 || remainder == 3 || remainder == 6) return std::nullopt;
  if (padding_start != std::string_view::npos && remainder == 0) return std::nullopt;  // padding of nothing
  std::string out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = Base32Value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;  // only a canonical encoding decodes
  return out;
}

Result<std::string> Hotp(std::string_view secret, std::uint64_t counter, int digits, OtpAlgorithm algorithm) {
  if (secret.empty()) return Status::InvalidField("secret", field_code::kRequired);
  if (digits < kMinDigits || digits > kMaxDigits) {
    return Status::Invalid({net::OutOfRange("digits", kMinDigits, kMaxDigits)});
  }
  return HotpUnchecked(secret, counter, digits, algorithm);
}

Status ValidateTotpConfig(const TotpConfig& config) {
  std::vector<FieldError> errors;
  if (config.digits < kMinDigits || config.digits > kMaxDigits) {
    errors.push_back(net::OutOfRange("digits", kMinDigits, kMaxDigits));
  }
  if (config.period_seconds < kMinPeriod || config.period_seconds > kMaxPeriod) {
    errors.push_back(net::OutOfRange("period_seconds", kMinPeriod, kMaxPeriod));
  }
  if (errors.empty()) return Status::Ok();
  return Status::Invalid(std::move(errors));
}

Result<std::string> Totp(std::string_view secret, std::int64_t unix_time, const TotpConfig& config) {
  if (Status valid = ValidateTotpConfig(config); !valid.ok()) return valid;
  if (unix_time < 0) return Status::Invalid({net::OutOfRange("unix_time", 0, INT64_MAX)});
  return Hotp(secret, static_cast<std::uint64_t>(unix_time / config.period_seconds), config.digits,
              config.algorithm);
}

std::string GenerateTotpSecret(OtpAlgorithm algorithm) {
  return RandomBytes(DigestSize(algorithm));
}

std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view secret,
                       const TotpConfig& config) {
  const std::string encoded_issuer = net::PercentEncode(issuer);
  return "otpauth://totp/" + encoded_issuer + ":" + net::PercentEncode(account) +
         "?secret=" + Base32Encode(secret) + "&issuer=" + encoded_issuer +
         "&algorithm=" + AlgorithmName(config.algorithm) + "&digits=" + std::to_string(config.digits) +
         "&period=" + std::to_string(config.period_seconds);
}

std::optional<std::int64_t> VerifyTotp(std::string_view secret, std::string_view code, std::int64_t unix_time,
                                       const TotpConfig& config, int window,
                                       std::optional<std::int64_t> last_used_step) {
  if (!ValidateTotpConfig(config).ok() || secret.empty() || unix_time < 0 || window < 0 ||
      window > kMaxWindow) {
    return std::nullopt;
  }
  if (code.size() != static_cast<std::size_t>(config.digits) ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::int64_t current = unix_time / config.period_seconds;
  std::optional<std::int64_t> matched;
  for (std::int64_t step = current - window; step <= current + window; ++step) {
    if (step < 0) continue;
    const std::string expected =
        HotpUnchecked(secret, static_cast<std::uint64_t>(step), config.digits, config.algorithm);
    const bool equal = CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0;
    const bool fresh = !last_used_step || step > *last_used_step;
    // The earliest fresh match: a later one would needlessly burn the steps in between.
    if (equal && fresh && !matched) matched = step;
  }
  return matched;
}

std::vector<std::string> GenerateRecoveryCodes(int count) {
  std::vector<std::string> codes;
  if (count < 1 || count > kMaxRecoveryCodes) return codes;
  codes.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    std::string plain = Base32Encode(RandomBytes(kRecoveryCodeBytes));
    std::transform(plain.begin(), plain.end(), plain.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    std::string grouped;
    for (std::size_t k = 0; k < plain.size(); k += kRecoveryGroup) {
      if (k > 0) grouped += '-';
      grouped.append(plain, k, kRecoveryGroup);
    }
    codes.push_back(std::move(grouped));
  }
  return codes;
}

std::optional<std::string> HashRecoveryCode(std::string_view code) {
  const std::optional<std::string> normalised = NormaliseRecoveryCode(code);
  if (!normalised) return std::nullopt;
  return Sha256Hex(*normalised);
}

bool ConsumeRecoveryCode(std::string_view code, std::vector<std::string>& stored_hashes) {
  const std::optional<std::string> hash = HashRecoveryCode(code);
  if (!hash) return false;
  std::optional<std::size_t> matched;
  for (std::size_t i = 0; i < stored_hashes.size(); ++i) {
    const std::string& stored = stored_hashes[i];
    const bool equal =
        stored.size() == hash->size() && CRYPTO_memcmp(stored.data(), hash->data(), hash->size()) == 0;
    if (equal && !matched) matched = i;
  }
  if (!matched) return false;
  stored_hashes.erase(stored_hashes.begin() + static_cast<std::ptrdiff_t>(*matched));
  return true;
}

}  // namespace selfservice::security
