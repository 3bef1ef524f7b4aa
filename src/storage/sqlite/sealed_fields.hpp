// SealedFields: how the SQLite repositories encrypt sensitive columns (docs/SECURITY.md).
//
// A value is sealed with the store's FieldCipher (AES-256-GCM, "enc:v1:<key_id>:...") under the
// associated data "<tenant_id>|<table>.<column>", so a ciphertext copied into another tenant or
// column does not open there. Values stored before encryption (no "enc:v1:" prefix) read as they
// are until the re-encryption pass seals them. A value that does not open is an error (20004,
// field_cipher_error), never data.
//
// Thread safety: const methods, safe from many threads.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/field_cipher.hpp"
#include "selfservice/repository.hpp"

namespace selfservice::sqlite {

class SealedFields {
 public:
  // The ring of options.encryption_keys, or, when there are none, the store's own key: read from
  // (or created in, mode 0600) "<path>.key" for a file database, drawn at random for `memory`.
  // 10001 on "encryption_keys" for a bad ring; 20004 when the key file cannot be read or made.
  static Result<SealedFields> Open(const StoreOptions& options, const std::string& path, bool memory);

  // `column` is "<table>.<column>".
  std::string Seal(std::int64_t tenant_id, std::string_view column, std::string_view plaintext) const;
  std::optional<std::string> SealOptional(std::int64_t tenant_id, std::string_view column,
                                  const std::optional<std::string>& plaintext) const;
  Result<std::string> Unseal(std::int64_t tenant_id, std::string_view column, std::string_view stored) const;
  Result<std::optional<std::string>> UnsealOptional(std::int64_t tenant_id, std::string_view column,
                                            const std::optional<std::string>& stored) const;

  // Blind indexes (FieldCipher::BlindIndex) of a value normalised by the caller, per tenant and column.
  std::string Index(std::int64_t tenant_id, std::string_view column, std::string_view value) const;
  std::vector<std::string> Indexes(std::int64_t tenant_id, std::string_view column, std::string_view value) const;

  // For the re-encryption pass: whether `stored` is plaintext or under an older key, and its
  // rewrite under the current key.
  bool NeedsRewrite(std::string_view stored) const;
  Result<std::string> Rewrite(std::int64_t tenant_id, std::string_view column, std::string_view stored) const;
  // Whether a blind index was computed under an older key.
  bool IndexIsStale(std::string_view index) const;

 private:
  explicit SealedFields(security::FieldCipher cipher) : cipher_(std::move(cipher)) {}
  static std::string AssociatedData(std::int64_t tenant_id, std::string_view column);

  security::FieldCipher cipher_;
};

}  // namespace selfservice::sqlite
