#include "storage/sqlite/sealed_fields.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <openssl/crypto.h>

#include "core/random.hpp"

namespace selfservice::sqlite {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr const char* kOwnKeyId = "local";

// The store's own key in `key_path`: read when it exists, else created. The key is written to a
// private temporary file, synced, then linked to its name, which fails if the name exists: two
// processes opening one new database race, one key wins, and nobody ever reads a half-written one.
Result<std::string> OwnKey(const std::string& key_path) {
  for (int round = 0; round < 2; ++round) {
    std::ifstream in(key_path, std::ios::binary);
    if (in) {
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.size() != kKeyBytes) {
        OPENSSL_cleanse(bytes.data(), bytes.size());
        return Status::DatabaseUnavailable("the key file " + key_path + " is not 32 bytes", false);
      }
      return bytes;
    }
    const std::string temporary = key_path + "." + RandomHex(8) + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Status::DatabaseUnavailable("cannot create the key file " + key_path + ": " + std::strerror(errno),
                                         false);
    }
    std::string bytes = RandomBytes(kKeyBytes);
    const bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                         ::fsync(fd) == 0;
    ::close(fd);
    const bool linked = written && ::link(temporary.c_str(), key_path.c_str()) == 0;
    const int link_error = errno;
    ::unlink(temporary.c_str());
    if (linked) return bytes;
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (!written) return Status::DatabaseUnavailable("cannot write the key file " + key_path, false);
    if (link_error != EEXIST) {
      return Status::DatabaseUnavailable("cannot create the key file " + key_path + ": " + std::strerror(link_error),
                                         false);
    }
  }
  return Status::DatabaseUnavailable("the key file " + key_path + " vanished while opening", false);
}

}  // namespace

Result<SealedFields> SealedFields::Open(const StoreOptions& options, const std::string& path, bool memory) {
  std::vector<security::FieldKey> keys;
  for (const auto& key : options.encryption_keys) keys.push_back({key.id, key.key});
  if (keys.empty()) {
    auto own = memory ? Result<std::string>(RandomBytes(kKeyBytes)) : OwnKey(path + ".key");
    if (!own.ok()) return own.status();
    keys.push_back({kOwnKeyId, std::move(own).value()});
  }
  auto cipher = security::FieldCipher::Create(keys);
  for (auto& key : keys) OPENSSL_cleanse(key.bytes.data(), key.bytes.size());
  if (!cipher.ok()) {
    std::vector<FieldError> errors = cipher.status().field_errors();
    for (auto& error : errors) error.field = "encryption_" + error.field;
    return Status::Invalid(std::move(errors));
  }
  return SealedFields(std::move(cipher).value());
}

std::string SealedFields::AssociatedData(std::int64_t tenant_id, std::string_view column) {
  return std::to_string(tenant_id) + "|" + std::string(column);
}

std::string SealedFields::Seal(std::int64_t tenant_id, std::string_view column, std::string_view plaintext) const {
  return cipher_.Encrypt(plaintext, AssociatedData(tenant_id, column));
}

std::optional<std::string> SealedFields::SealOptional(std::int64_t tenant_id, std::string_view column,
                                              const std::optional<std::string>& plaintext) const {
  if (!plaintext) return std::nullopt;
  return Seal(tenant_id, column, *plaintext);
}

Result<std::string> SealedFields::Unseal(std::int64_t tenant_id, std::string_view column,
                                         std::string_view stored) const {
  if (!security::FieldCipher::IsEncrypted(stored)) return std::string(stored);
  return cipher_.Decrypt(stored, AssociatedData(tenant_id, column));
}

Result<std::optional<std::string>> SealedFields::UnsealOptional(std::int64_t tenant_id, std::string_view column,
                                                        const std::optional<std::string>& stored) const {
  if (!stored) return std::optional<std::string>();
  auto plaintext = Unseal(tenant_id, column, *stored);
  if (!plaintext.ok()) return plaintext.status();
  return std::optional<std::string>(std::move(plaintext).value());
}

std::string SealedFields::Index(std::int64_t tenant_id, std::string_view column, std::string_view value) const {
  return cipher_.BlindIndex(AssociatedData(tenant_id, column), value);
}

std::vector<std::string> SealedFields::Indexes(std::int64_t tenant_id, std::string_view column,
                                               std::string_view value) const {
  return cipher_.BlindIndexes(AssociatedData(tenant_id, column), value);
}

bool SealedFields::NeedsRewrite(std::string_view stored) const {
  return !security::FieldCipher::IsEncrypted(stored) || cipher_.NeedsReencryption(stored);
}

Result<std::string> SealedFields::Rewrite(std::int64_t tenant_id, std::string_view column,
                                          std::string_view stored) const {
  if (!security::FieldCipher::IsEncrypted(stored)) return Seal(tenant_id, column, stored);
  return cipher_.Reencrypt(stored, AssociatedData(tenant_id, column));
}

bool SealedFields::IndexIsStale(std::string_view index) const {
  const std::string& current = cipher_.current_key_id();
  return index.size() <= current.size() || index.substr(0, current.size()) != current ||
         index[current.size()] != ':';
}

}  // namespace selfservice::sqlite
