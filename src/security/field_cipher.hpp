// FieldCipher: AES-256-GCM encryption of single database values (personal data at rest).
//
// A value is stored as the text "enc:v1:<key_id>:<base64(nonce || ciphertext || tag)>" (12-byte
// nonce, 16-byte tag), so it fits a TEXT column and names the key that sealed it. Every call
// takes `associated_data`: bytes that are authenticated but not stored, which bind the value to
// its place. Callers pass e.g. "tenant_id|table|column|row_id"; a ciphertext copied into another
// row, column or tenant then fails to decrypt instead of disclosing or forging data there.
//
// Keys form a ring: one current key encrypts, every key decrypts, so keys rotate by adding a new
// current key, re-encrypting stored values (NeedsReencryption / Reencrypt), then dropping the
// old key. Key bytes are wiped when the cipher is destroyed and are never printable.
//
// Thread safety: every method is const and safe to call from many threads at once.

#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "selfservice/status.hpp"

namespace selfservice::security {

// The stable reasons a Decrypt reports, in the detail of its Status (code 20004: the stored data
// cannot be read, retrying does not help, and the caller is not at fault, so neither 10001 nor an
// authentication code fits). Tests and callers compare the detail with these constants.
namespace field_cipher_error {
// Not "enc:v1:<key_id>:<base64>", not canonical base64, or shorter than a nonce and a tag.
inline constexpr const char* kMalformed = "field_malformed";
// The key id is not in the ring (the key was dropped before every value was re-encrypted).
inline constexpr const char* kUnknownKey = "field_unknown_key";
// Authentication failed: the nonce, ciphertext, tag, key id or associated data were changed.
inline constexpr const char* kTampered = "field_tampered";
}  // namespace field_cipher_error

// One key of a ring as the host gives it: `id` matches [A-Za-z0-9_-]{1,32}; `bytes` are the 32
// raw key bytes. Create copies them; the caller wipes its own copy.
struct FieldKey {
  std::string id;
  std::string bytes;
};

class FieldCipher {
 public:
  // The ring of `keys`; the first one is current. Status::Invalid with FIELD_REQUIRED on "keys"
  // for an empty ring, and FIELD_INVALID on "keys[i].id" / "keys[i].key" for a malformed or
  // duplicate id or a key that is not 32 bytes. Throws std::bad_alloc only if OpenSSL cannot
  // provide AES-256-GCM at all (no memory, or a provider configuration without it).
  static Result<FieldCipher> Create(const std::vector<FieldKey>& keys);
  // The ring from host options: an array [{"id": "k2026", "key_base64": "..."}, ...] whose first
  // entry is current (list a new key first to rotate). The same errors as Create, on
  // "keys[i].key_base64" for a value that is not canonical base64 of 32 bytes, and FIELD_INVALID
  // on "keys" for a value that is not an array of objects.
  static Result<FieldCipher> FromJson(const boost::json::value& keys);

  // Move-only; a moved-from cipher may only be destroyed or assigned to.
  FieldCipher(FieldCipher&&) noexcept;
  FieldCipher& operator=(FieldCipher&&) noexcept;
  ~FieldCipher();

  // The stored form of `plaintext` (any bytes, including empty) under the current key, with a
  // fresh random nonce. Never fails short of memory exhaustion (std::bad_alloc).
  std::string Encrypt(std::string_view plaintext, std::string_view associated_data) const;
  // The plaintext of a value Encrypt produced with the same `associated_data`, or a 20004 Status
  // whose detail is one of field_cipher_error (never partially decrypted data).
  Result<std::string> Decrypt(std::string_view stored, std::string_view associated_data) const;

  // Whether `stored` has the "enc:v1:" prefix (a cheap test for the rotation pass: it does not
  // validate the rest).
  static bool IsEncrypted(std::string_view stored);
  // Whether `stored` has the prefix and a well-formed key id that is not the current key's.
  bool NeedsReencryption(std::string_view stored) const;
  // `stored` decrypted and encrypted again under the current key; Decrypt's errors.
  Result<std::string> Reencrypt(std::string_view stored, std::string_view associated_data) const;

  // A keyed blind index of `value` (already normalised by the caller, e.g. a lowercased e-mail):
  // "<key_id>:<64 hex digits of HMAC-SHA256>", under a subkey derived from the current key. A
  // column stores it to find rows by a value it keeps encrypted; without the key, a stolen
  // database does not confirm a guessed value. `domain` ("users.email") keeps the indexes of
  // different columns apart.
  std::string BlindIndex(std::string_view domain, std::string_view value) const;
  // The index of `value` under every key of the ring, the current key's first: a lookup matches
  // rows indexed before a rotation until the re-encryption pass rewrites them.
  std::vector<std::string> BlindIndexes(std::string_view domain, std::string_view value) const;

  // The id of the current key (ids are not secret).
  const std::string& current_key_id() const;

 private:
  struct Ring;
  friend struct FieldCipherTestPeer;  // tests only: fixes the nonce to check published vectors

  explicit FieldCipher(std::unique_ptr<Ring> ring);
  // Create and FromJson, which name the key member of field errors `key_member`.
  static Result<FieldCipher> Build(const std::vector<FieldKey>& keys, std::string_view key_member);
  // Encrypt with a caller-chosen 12-byte nonce. Private because reusing a nonce under one key
  // reveals the XOR of two plaintexts and lets anyone forge tags.
  std::string EncryptWithNonce(std::string_view nonce, std::string_view plaintext,
                               std::string_view associated_data) const;

  std::unique_ptr<Ring> ring_;
};

}  // namespace selfservice::security
