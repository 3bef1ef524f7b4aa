#include "security/password_hasher.hpp"

#include <argon2.h>
#include <openssl/crypto.h>

#include <charconv>
#include <new>
#include <optional>
#include <vector>

#include "core/base64.hpp"
#include "core/random.hpp"
#include "net/endpoint.hpp"

namespace selfservice::security {
namespace {

// Lower bounds of a configuration: OWASP's Argon2id table trades memory for passes down to
// m=7168 KiB, t=5; its weakest line costs 35840 KiB-passes.
constexpr std::uint32_t kMinMemoryKib = 7168;
constexpr std::uint64_t kMinMemoryPasses = 35840;
// Upper bounds, for configurations and stored hashes alike: one login must not be a denial of service.
constexpr std::uint32_t kMaxMemoryKib = 262144;
constexpr std::uint32_t kMaxIterations = 10;
constexpr std::uint32_t kMaxParallelism = 8;
constexpr std::uint32_t kMinSaltBytes = 16;
constexpr std::uint32_t kMaxSaltBytes = 64;
constexpr std::uint32_t kMinHashBytes = 16;
constexpr std::uint32_t kMaxHashBytes = 64;
// Stored salts down to libargon2's own minimum still verify (other libraries used 8 bytes).
constexpr std::size_t kMinStoredSaltBytes = ARGON2_MIN_SALT_LENGTH;

constexpr std::string_view kPrefix = "$argon2id$v=19$";

// What a PHC string says; only what this file writes (and libargon2 writes) is understood.
struct Phc {
  std::uint32_t memory_kib = 0;
  std::uint32_t iterations = 0;
  std::uint32_t parallelism = 0;
  std::string salt;
  std::string hash;
};

// `text` starts with `key` followed by an unsigned decimal number; consumes both.
std::optional<std::uint32_t> TakeNumber(std::string_view& text, std::string_view key) {
  if (!text.starts_with(key)) return std::nullopt;
  text.remove_prefix(key.size());
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

// PHC strings carry base64 without padding; Base64Decode wants it canonical and padded.
std::optional<std::string> DecodeUnpaddedBase64(std::string_view text) {
  if (text.empty() || text.find('=') != std::string_view::npos || text.size() % 4 == 1) return std::nullopt;
  std::string padded(text);
  padded.append((4 - text.size() % 4) % 4, '=');
  return Base64Decode(padded);
}

std::optional<Phc> ParsePhc(std::string_view text) {
  if (!text.starts_with(kPrefix)) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  Phc phc;
  const auto memory = TakeNumber(text, "m=");
  const auto iterations = TakeNumber(text, ",t=");
  const auto parallelism = TakeNumber(text, ",p=");
  if (!memory || !iterations || !parallelism || !text.starts_with('$')) return std::nullopt;
  text.remove_prefix(1);
  const std::size_t dollar = text.find('$');
  if (dollar == std::string_view::npos) return std::nullopt;
  auto salt = DecodeUnpaddedBase64(text.substr(0, dollar));
  auto hash = DecodeUnpaddedBase64(text.substr(dollar + 1));
  if (!salt || !hash) return std::nullopt;
  phc.memory_kib = *memory;
  phc.iterations = *iterations;
  phc.parallelism = *parallelism;
  phc.salt = std::move(*salt);
  phc.hash = std::move(*hash);
  const bool within_bounds = phc.memory_kib <= kMaxMemoryKib && phc.iterations >= 1 &&
                             phc.iterations <= kMaxIterations && phc.parallelism >= 1 &&
                             phc.parallelism <= kMaxParallelism && phc.salt.size() >= kMinStoredSaltBytes &&
                             phc.salt.size() <= kMaxSaltBytes && phc.hash.size() >= kMinHashBytes &&
                             phc.hash.size() <= kMaxHashBytes;
  if (!within_bounds) return std::nullopt;
  return phc;
}

bool AcceptablePassword(std::string_view password) {
  return !password.empty() && password.size() <= kMaxPasswordBytes;
}

// libargon2 reports an allocation failure like any other error; the rest of the library lets
// std::bad_alloc propagate, so it does here too.
void ThrowIfOutOfMemory(int result) {
  if (result == ARGON2_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
}

}  // namespace

Status ValidatePasswordHashParams(const PasswordHashParams& params) {
  std::vector<FieldError> errors;
  const auto check = [&errors](const char* field, std::uint32_t value, std::uint32_t min, std::uint32_t max) {
    if (value < min || value > max) errors.push_back(net::OutOfRange(field, min, max));
  };
  check("memory_kib", params.memory_kib, kMinMemoryKib, kMaxMemoryKib);
  check("iterations", params.iterations, 1, kMaxIterations);
  check("parallelism", params.parallelism, 1, kMaxParallelism);
  check("salt_bytes", params.salt_bytes, kMinSaltBytes, kMaxSaltBytes);
  check("hash_bytes", params.hash_bytes, kMinHashBytes, kMaxHashBytes);
  if (errors.empty() && std::uint64_t{params.memory_kib} * params.iterations < kMinMemoryPasses) {
    // Too cheap as a whole: more passes would make up for the memory (OWASP's table).
    const std::uint32_t min_iterations =
        static_cast<std::uint32_t>((kMinMemoryPasses + params.memory_kib - 1) / params.memory_kib);
    errors.push_back(net::OutOfRange("iterations", min_iterations, kMaxIterations));
  }
  if (errors.empty()) return Status::Ok();
  return Status::Invalid(std::move(errors));
}

Result<PasswordHasher> PasswordHasher::Create(PasswordHashParams params) {
  if (Status valid = ValidatePasswordHashParams(params); !valid.ok()) return valid;
  // Nobody knows this password, so the dummy hash can only ever be a mismatch.
  const PasswordHasher unarmed(params, std::string());
  Result<std::string> dummy = unarmed.Hash(RandomHex(16));
  if (!dummy.ok()) return dummy.status();
  return PasswordHasher(params, std::move(dummy).value());
}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  if (password.empty()) return Status::InvalidField("password", field_code::kRequired);
  if (password.size() > kMaxPasswordBytes) {
    return Status::InvalidField("password", field_code::kTooLong,
                                {{"max", std::to_string(kMaxPasswordBytes)}});
  }
  const std::string salt = RandomBytes(params_.salt_bytes);
  std::string encoded(argon2_encodedlen(params_.iterations, params_.memory_kib, params_.parallelism,
                                        params_.salt_bytes, params_.hash_bytes, Argon2_id),
                      '\0');
  const int result = argon2id_hash_encoded(params_.iterations, params_.memory_kib, params_.parallelism,
                                           password.data(), password.size(), salt.data(), salt.size(),
                                           params_.hash_bytes, encoded.data(), encoded.size());
  ThrowIfOutOfMemory(result);
  if (result != ARGON2_OK) {
    // Unreachable with validated parameters; reported rather than assumed.
    return Status::Error(ErrorCode::kInvalidArgument, std::string("argon2: ") + argon2_error_message(result));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

PasswordMatch PasswordHasher::Verify(std::string_view password, std::string_view phc) const {
  const std::optional<Phc> stored = ParsePhc(phc);
  if (!stored) return PasswordMatch::kMalformedHash;
  if (!AcceptablePassword(password)) return PasswordMatch::kMismatch;
  std::string computed(stored->hash.size(), '\0');
  const int result = argon2id_hash_raw(stored->iterations, stored->memory_kib, stored->parallelism,
                                       password.data(), password.size(), stored->salt.data(),
                                       stored->salt.size(), computed.data(), computed.size());
  ThrowIfOutOfMemory(result);
  // For instance less than 8 KiB per lane: the string could not have come from libargon2.
  if (result != ARGON2_OK) return PasswordMatch::kMalformedHash;
  return CRYPTO_memcmp(computed.data(), stored->hash.data(), computed.size()) == 0 ? PasswordMatch::kMatch
                                                                                   : PasswordMatch::kMismatch;
}

void PasswordHasher::VerifyDummy(std::string_view password) const {
  // The same path as a real Verify, including its early refusals of empty and over-long passwords.
  static_cast<void>(Verify(password, dummy_phc_));
}

bool PasswordHasher::NeedsRehash(std::string_view phc) const {
  const std::optional<Phc> stored = ParsePhc(phc);
  if (!stored) return true;
  return stored->memory_kib < params_.memory_kib || stored->iterations < params_.iterations ||
         stored->salt.size() < params_.salt_bytes || stored->hash.size() < params_.hash_bytes;
}

}  // namespace selfservice::security
