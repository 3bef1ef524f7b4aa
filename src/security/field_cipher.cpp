#include "security/field_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <new>
#include <optional>

#include <boost/json.hpp>

#include "core/base64.hpp"
#include "core/random.hpp"
#include "domain/rules.hpp"

namespace selfservice::security {
namespace {

namespace json = boost::json;

constexpr std::string_view kPrefix = "enc:v1:";
constexpr std::size_t kKeySize = 32;
constexpr std::size_t kMaxKeyIdSize = 32;
// A 96-bit random nonce per value. NIST SP 800-38D section 8.3 bounds the number of invocations
// with random IVs to 2^32 per key, which keeps the chance of any nonce repeating below 2^-32;
// rotate the key well before a ring has encrypted four billion values. A field store never
// comes near that, and random nonces need no counter state shared between processes, which a
// deterministic construction (section 8.2.1) would.
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
// EVP takes int lengths; larger inputs go through in pieces of this size.
constexpr std::size_t kChunk = std::size_t{1} << 30;

bool IsValidKeyId(std::string_view id) { return id.size() <= kMaxKeyIdSize && IsAsciiToken(id); }

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}
unsigned char* Bytes(std::string& text) {
  return reinterpret_cast<unsigned char*>(text.data());
}

// Contexts that already hold one key's schedule, kept for reuse: creating a context and setting
// up AES-256 and GCM for a key costs more than sealing a short value, so each call only sets its
// nonce. The pool holds at most as many contexts as callers ever ran at once; OpenSSL wipes their
// key material when the pool (the ring) frees them.
class ContextPool {
 public:
  ContextPool(EVP_CIPHER* aes, const unsigned char* key, bool encrypt) : aes_(aes), key_(key), encrypt_(encrypt) {}
  ~ContextPool() {
    for (EVP_CIPHER_CTX* context : idle_) EVP_CIPHER_CTX_free(context);
  }
  ContextPool(const ContextPool&) = delete;
  ContextPool& operator=(const ContextPool&) = delete;

  // A keyed context, to be given back with Give() (Lease does both).
  EVP_CIPHER_CTX* Take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        EVP_CIPHER_CTX* context = idle_.back();
        idle_.pop_back();
        return context;
      }
    }
    EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
    const int keyed = context == nullptr ? 0
                      : encrypt_         ? EVP_EncryptInit_ex2(context, aes_, key_, nullptr, nullptr)
                                         : EVP_DecryptInit_ex2(context, aes_, key_, nullptr, nullptr);
    if (keyed != 1) {
      EVP_CIPHER_CTX_free(context);
      throw std::bad_alloc();  // with a valid key EVP fails only when it cannot allocate
    }
    return context;
  }
  void Give(EVP_CIPHER_CTX* context) {
    std::lock_guard lock(mutex_);
    idle_.push_back(context);
  }

 private:
  EVP_CIPHER* aes_;
  const unsigned char* key_;
  bool encrypt_;
  std::mutex mutex_;
  std::vector<EVP_CIPHER_CTX*> idle_;
};

// A context of a pool for one call. Setting a new nonce (Init with no cipher and no key) resets
// the context's GCM state, so a context is reusable whatever the call before it did.
class Lease {
 public:
  explicit Lease(ContextPool& pool) : pool_(pool), context_(pool.Take()) {}
  ~Lease() { pool_.Give(context_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  EVP_CIPHER_CTX* get() const { return context_; }

 private:
  ContextPool& pool_;
  EVP_CIPHER_CTX* context_;
};

// Feeds `input` to an initialised context in EVP-sized pieces; `output` is null for associated
// data, else receives input.size() bytes (GCM is a stream mode).
bool Update(EVP_CIPHER_CTX* context, bool encrypt, std::string_view input, unsigned char* output) {
  for (std::size_t offset = 0; offset < input.size(); offset += kChunk) {
    const int size = static_cast<int>(std::min(kChunk, input.size() - offset));
    int written = 0;
    const unsigned char* in = Bytes(input) + offset;
    unsigned char* out = output == nullptr ? nullptr : output + offset;
    const int ok = encrypt ? EVP_EncryptUpdate(context, out, &written, in, size)
                           : EVP_DecryptUpdate(context, out, &written, in, size);
    if (ok != 1) return false;
  }
  return true;
}

// "enc:v1:<key_id>:<payload>" split into its key id and base64 payload; nullopt otherwise.
struct StoredParts {
  std::string_view key_id;
  std::string_view payload;
};

std::optional<StoredParts> Split(std::string_view stored) {
  if (stored.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  stored.remove_prefix(kPrefix.size());
  const std::size_t colon = stored.find(':');
  if (colon == std::string_view::npos || !IsValidKeyId(stored.substr(0, colon))) return std::nullopt;
  return StoredParts{stored.substr(0, colon), stored.substr(colon + 1)};
}

Status DecryptError(const char* reason) {
  return Status::Error(ErrorCode::kDatabaseUnavailable, reason, /*retryable=*/false);
}

// Wipes key bytes the host handed over once they are copied into a ring.
struct WipedKeys {
  std::vector<FieldKey> keys;
  ~WipedKeys() {
    for (auto& key : keys) OPENSSL_cleanse(key.bytes.data(), key.bytes.size());
  }
};

}  // namespace

struct FieldCipher::Ring {
  struct Key {
    std::string id;
    std::array<unsigned char, kKeySize> bytes{};
    // Keyed contexts (ContextPool), made once the bytes are in place; declared after them.
    std::unique_ptr<ContextPool> sealers;
    std::unique_ptr<ContextPool> openers;
  };

  // keys[0] is current. Reserved once and never grown, so no reallocation leaves copies of key
  // bytes in freed memory.
  std::vector<Key> keys;
  // Fetched once: an implicit fetch on every EVP_EncryptInit_ex2 would cost a method-store
  // lookup per value.
  EVP_CIPHER* aes = nullptr;

  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring() {
    for (auto& key : keys) {
      key.sealers.reset();
      key.openers.reset();
      OPENSSL_cleanse(key.bytes.data(), key.bytes.size());
    }
    EVP_CIPHER_free(aes);
  }

  const Key* Find(std::string_view id) const {
    for (const auto& key : keys) {
      if (key.id == id) return &key;
    }
    return nullptr;
  }

  // nonce || ciphertext || tag.
  std::string Seal(const Key& key, std::string_view nonce, std::string_view plaintext,
                   std::string_view associated_data) const {
    Lease context(*key.sealers);
    std::string sealed(kNonceSize + plaintext.size() + kTagSize, '\0');
    std::copy(nonce.begin(), nonce.end(), sealed.begin());
    unsigned char* body = Bytes(sealed) + kNonceSize;
    int final_size = 0;
    if (EVP_EncryptInit_ex2(context.get(), nullptr, nullptr, Bytes(nonce), nullptr) != 1 ||
        !Update(context.get(), true, associated_data, nullptr) ||
        !Update(context.get(), true, plaintext, body) ||
        EVP_EncryptFinal_ex(context.get(), body + plaintext.size(), &final_size) != 1 ||
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                            body + plaintext.size()) != 1) {
      // With a valid key and nonce size EVP fails only when it cannot allocate.
      throw std::bad_alloc();
    }
    return sealed;
  }

  // The plaintext of `sealed` (nonce || ciphertext || tag, at least nonce and tag long), or
  // nullopt when authentication fails.
  std::optional<std::string> Open(const Key& key, std::string_view sealed,
                                  std::string_view associated_data) const {
    const std::string_view nonce = sealed.substr(0, kNonceSize);
    const std::string_view ciphertext = sealed.substr(kNonceSize, sealed.size() - kNonceSize - kTagSize);
    std::string tag(sealed.substr(sealed.size() - kTagSize));
    Lease context(*key.openers);
    std::string plaintext(ciphertext.size(), '\0');
    int final_size = 0;
    if (EVP_DecryptInit_ex2(context.get(), nullptr, nullptr, Bytes(nonce), nullptr) == 1 &&
        Update(context.get(), false, associated_data, nullptr) &&
        Update(context.get(), false, ciphertext, Bytes(plaintext)) &&
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), Bytes(tag)) ==
            1 &&
        EVP_DecryptFinal_ex(context.get(), Bytes(plaintext) + plaintext.size(), &final_size) == 1) {
      return plaintext;
    }
    // Unauthenticated output must not survive in memory either.
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return std::nullopt;
  }
};

Result<FieldCipher> FieldCipher::Create(const std::vector<FieldKey>& keys) {
  return Build(keys, "key");
}

Result<FieldCipher> FieldCipher::Build(const std::vector<FieldKey>& keys, std::string_view key_member) {
  if (keys.empty()) return Status::InvalidField("keys", field_code::kRequired);
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string path = "keys[" + std::to_string(i) + "].";
    const bool duplicate = std::any_of(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(i),
                                       [&](const FieldKey& earlier) { return earlier.id == keys[i].id; });
    if (!IsValidKeyId(keys[i].id) || duplicate)
      errors.push_back(FieldError{path + "id", field_code::kInvalid, {}});
    if (keys[i].bytes.size() != kKeySize) {
      errors.push_back(FieldError{path + std::string(key_member), field_code::kInvalid, {}});
    }
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));

  auto ring = std::make_unique<Ring>();
  ring->aes = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (ring->aes == nullptr) throw std::bad_alloc();
  ring->keys.reserve(keys.size());
  for (const auto& key : keys) {
    auto& entry = ring->keys.emplace_back();
    entry.id = key.id;
    std::copy(key.bytes.begin(), key.bytes.end(), entry.bytes.begin());
    entry.sealers = std::make_unique<ContextPool>(ring->aes, entry.bytes.data(), true);
    entry.openers = std::make_unique<ContextPool>(ring->aes, entry.bytes.data(), false);
  }
  return FieldCipher(std::move(ring));
}

Result<FieldCipher> FieldCipher::FromJson(const json::value& keys) {
  if (!keys.is_array()) return Status::InvalidField("keys", field_code::kInvalid);
  const json::array& entries = keys.get_array();
  WipedKeys decoded;
  decoded.keys.reserve(entries.size());
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string path = "keys[" + std::to_string(i) + "]";
    const json::object* entry = entries[i].if_object();
    if (entry == nullptr) {
      errors.push_back(FieldError{path, field_code::kInvalid, {}});
      continue;
    }
    FieldKey& key = decoded.keys.emplace_back();
    const json::value* id = entry->if_contains("id");
    const json::value* key_base64 = entry->if_contains("key_base64");
    if (id == nullptr || key_base64 == nullptr) {
      if (id == nullptr) errors.push_back(FieldError{path + ".id", field_code::kRequired, {}});
      if (key_base64 == nullptr)
        errors.push_back(FieldError{path + ".key_base64", field_code::kRequired, {}});
      continue;
    }
    if (id->is_string()) key.id = std::string(id->get_string());
    // A value that is not canonical base64 is left empty, so Build reports it as the wrong size.
    if (key_base64->is_string()) {
      if (auto bytes = Base64Decode(key_base64->get_string())) key.bytes = std::move(*bytes);
    }
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return Build(decoded.keys, "key_base64");
}

FieldCipher::FieldCipher(std::unique_ptr<Ring> ring) : ring_(std::move(ring)) {}
FieldCipher::FieldCipher(FieldCipher&&) noexcept = default;
FieldCipher& FieldCipher::operator=(FieldCipher&&) noexcept = default;
FieldCipher::~FieldCipher() = default;

std::string FieldCipher::Encrypt(std::string_view plaintext, std::string_view associated_data) const {
  return EncryptWithNonce(RandomBytes(kNonceSize), plaintext, associated_data);
}

std::string FieldCipher::EncryptWithNonce(std::string_view nonce, std::string_view plaintext,
                                          std::string_view associated_data) const {
  const Ring::Key& key = ring_->keys.front();
  const std::string sealed = ring_->Seal(key, nonce, plaintext, associated_data);
  std::string stored;
  stored.reserve(kPrefix.size() + key.id.size() + 1 + (sealed.size() + 2) / 3 * 4);
  stored.append(kPrefix).append(key.id).append(1, ':').append(Base64Encode(sealed));
  return stored;
}

Result<std::string> FieldCipher::Decrypt(std::string_view stored, std::string_view associated_data) const {
  const auto parts = Split(stored);
  if (!parts) return DecryptError(field_cipher_error::kMalformed);
  const Ring::Key* key = ring_->Find(parts->key_id);
  if (key == nullptr) return DecryptError(field_cipher_error::kUnknownKey);
  const auto sealed = Base64Decode(parts->payload);
  if (!sealed || sealed->size() < kNonceSize + kTagSize) return DecryptError(field_cipher_error::kMalformed);
  auto plaintext = ring_->Open(*key, *sealed, associated_data);
  if (!plaintext) return DecryptError(field_cipher_error::kTampered);
  return std::move(*plaintext);
}

bool FieldCipher::IsEncrypted(std::string_view stored) {
  return stored.substr(0, kPrefix.size()) == kPrefix;
}

bool FieldCipher::NeedsReencryption(std::string_view stored) const {
  const auto parts = Split(stored);
  return parts && parts->key_id != current_key_id();
}

Result<std::string> FieldCipher::Reencrypt(std::string_view stored, std::string_view associated_data) const {
  auto plaintext = Decrypt(stored, associated_data);
  if (!plaintext.ok()) return plaintext.status();
  std::string reencrypted = Encrypt(*plaintext, associated_data);
  OPENSSL_cleanse(plaintext->data(), plaintext->size());
  return reencrypted;
}

namespace {

// HMAC-SHA256(HMAC-SHA256(key, "selfservice blind index v1|" + domain), value) as hex: the
// derived subkey means the index never uses the encryption key itself.
std::string IndexUnder(const unsigned char* key, std::size_t key_size, std::string_view domain,
                       std::string_view value) {
  const std::string label = "selfservice blind index v1|" + std::string(domain);
  unsigned char subkey[EVP_MAX_MD_SIZE];
  unsigned int subkey_size = 0;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(key_size), reinterpret_cast<const unsigned char*>(label.data()),
           label.size(), subkey, &subkey_size) == nullptr ||
      HMAC(EVP_sha256(), subkey, static_cast<int>(subkey_size),
           reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, &mac_size) == nullptr) {
    OPENSSL_cleanse(subkey, sizeof subkey);
    throw std::bad_alloc();
  }
  OPENSSL_cleanse(subkey, sizeof subkey);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(mac_size * 2, '0');
  for (unsigned int i = 0; i < mac_size; ++i) {
    hex[2 * i] = kHex[mac[i] >> 4];
    hex[2 * i + 1] = kHex[mac[i] & 0x0F];
  }
  return hex;
}

}  // namespace

std::string FieldCipher::BlindIndex(std::string_view domain, std::string_view value) const {
  const Ring::Key& key = ring_->keys.front();
  return key.id + ":" + IndexUnder(key.bytes.data(), key.bytes.size(), domain, value);
}

std::vector<std::string> FieldCipher::BlindIndexes(std::string_view domain, std::string_view value) const {
  std::vector<std::string> indexes;
  indexes.reserve(ring_->keys.size());
  for (const auto& key : ring_->keys) {
    indexes.push_back(key.id + ":" + IndexUnder(key.bytes.data(), key.bytes.size(), domain, value));
  }
  return indexes;
}

const std::string& FieldCipher::current_key_id() const {
  return ring_->keys.front().id;
}

}  // namespace selfservice::security
