#include "security/jwt.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.hpp"

namespace selfservice::security {

// The key material behind a JwtKey. HS256 keeps only an HMAC context already keyed with the secret
// (the secret itself is not retained); ES256 and RS256 keep an OpenSSL key. Both are only read after
// construction, which OpenSSL allows from several threads at once.
struct JwtKey::Material {
  EVP_MAC_CTX* hmac = nullptr;
  EVP_PKEY* pkey = nullptr;
  bool is_private = false;

  Material() = default;
  Material(const Material&) = delete;
  Material& operator=(const Material&) = delete;
  ~Material() {
    EVP_MAC_CTX_free(hmac);
    EVP_PKEY_free(pkey);
  }
};

// The one place outside JwtKey that reaches its constructor and material.
class JwtKeyAccess {
 public:
  static JwtKey Make(std::string kid, JwtAlgorithm algorithm,
                     std::shared_ptr<const JwtKey::Material> material) {
    return JwtKey(std::move(kid), algorithm, std::move(material));
  }
  static const JwtKey::Material& Of(const JwtKey& key) { return *key.material_; }
};

namespace {

namespace json = boost::json;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX, EVP_MAC_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

constexpr std::size_t kHs256Bytes = 32;
constexpr std::size_t kP256CoordinateBytes = 32;
constexpr std::size_t kEs256SignatureBytes = 2 * kP256CoordinateBytes;
// NumericDates beyond this (about year 33658) are refused, so adding a leeway cannot overflow.
constexpr double kMaxNumericDate = 1e12;

Status KeyError(std::string_view reason) {
  return Status::Error(ErrorCode::kInvalidArgument, std::string(reason));
}
Status Refuse(std::string_view reason) {
  return Status::Unauthenticated(std::string(reason));
}

// ---- JSON --------------------------------------------------------------------------------------

// A boost::json::basic_parser handler that builds nothing and records how many members the
// top-level object has as written, duplicates included.
class TopLevelMemberCounter {
 public:
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

  std::size_t members() const { return members_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    if (--depth_ == 0) members_ = n;
    return true;
  }
  bool on_array_begin(json::error_code&) {
    ++depth_;
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    --depth_;
    return true;
  }
  bool on_key_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  int depth_ = 0;
  std::size_t members_ = 0;
};

// The JSON object `text` holds, or nullopt if it is not exactly one object or repeats a top-level
// member name (RFC 7515 section 5.2 and RFC 7519 section 4 allow refusing duplicates; accepting
// them would let two parsers read different "alg" or "exp" values in the same token).
std::optional<json::object> ParseObject(std::string_view text, json::storage_ptr storage = {}) {
  json::error_code error;
  json::value value = json::parse(json::string_view(text.data(), text.size()), error, std::move(storage));
  if (error || !value.is_object()) return std::nullopt;
  json::basic_parser<TopLevelMemberCounter> counter{json::parse_options{}};
  counter.write_some(false, text.data(), text.size(), error);
  if (error || counter.handler().members() != value.get_object().size()) return std::nullopt;
  return std::move(value.get_object());
}

const json::string* StringMember(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(json::string_view(name.data(), name.size()));
  return value == nullptr ? nullptr : value->if_string();
}

std::string_view View(const json::string& s) {
  return {s.data(), s.size()};
}

// ---- OpenSSL helpers ---------------------------------------------------------------------------

bool IsP256(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) return false;
  std::array<char, 64> group{};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(pkey, group.data(), group.size(), &length) != 1) return false;
  const std::string_view name(group.data(), length);
  return name == "prime256v1" || name == "P-256";
}

// kOk, or why `pkey` cannot serve `algorithm`: its type, an RSA modulus under 2048 bits, or (for
// EC) a public point that fails OpenSSL's checks.
Status CheckAsymmetricKey(EVP_PKEY* pkey, JwtAlgorithm algorithm) {
  if (algorithm == JwtAlgorithm::kEs256) {
    if (!IsP256(pkey)) return KeyError(key_reason::kWrongKeyType);
  } else if (algorithm == JwtAlgorithm::kRs256) {
    if (EVP_PKEY_is_a(pkey, "RSA") != 1) return KeyError(key_reason::kWrongKeyType);
    if (EVP_PKEY_get_bits(pkey) < kMinRsaModulusBits) return KeyError(key_reason::kRsaTooShort);
  } else {
    return KeyError(key_reason::kWrongKeyType);
  }
  PkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (context == nullptr) return KeyError(key_reason::kCryptoFailure);
  if (EVP_PKEY_public_check(context.get()) != 1) {
    return KeyError(algorithm == JwtAlgorithm::kEs256 ? key_reason::kNotOnCurve : key_reason::kBadJwk);
  }
  return Status::Ok();
}

Result<JwtKey> MakeAsymmetricKey(std::string kid, JwtAlgorithm algorithm, PkeyPtr pkey, bool is_private) {
  if (kid.empty()) return KeyError(key_reason::kMissingKid);
  if (Status checked = CheckAsymmetricKey(pkey.get(), algorithm); !checked.ok()) return checked;
  auto material = std::make_shared<JwtKey::Material>();
  material->pkey = pkey.release();
  material->is_private = is_private;
  return JwtKeyAccess::Make(std::move(kid), algorithm, std::move(material));
}

// Never prompts for a passphrase: an encrypted PEM is simply refused.
int NoPassphrase(char*, int, int, void*) {
  return 0;
}

Result<JwtKey> FromPem(std::string kid, JwtAlgorithm algorithm, std::string_view pem, bool is_private) {
  if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return KeyError(key_reason::kBadPem);
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return KeyError(key_reason::kCryptoFailure);
  PkeyPtr pkey(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr)
                          : PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (pkey == nullptr) return KeyError(key_reason::kBadPem);
  return MakeAsymmetricKey(std::move(kid), algorithm, std::move(pkey), is_private);
}

// The bytes of base64url member `name`, or nullopt when absent, not a string or not canonical.
std::optional<std::string> Base64UrlMember(const json::object& jwk, std::string_view name) {
  const json::string* text = StringMember(jwk, name);
  if (text == nullptr) return std::nullopt;
  return Base64UrlDecode(View(*text));
}

Result<PkeyPtr> FromParams(const char* type, OSSL_PARAM_BLD* builder, int selection) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(builder));
  PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (params == nullptr || context == nullptr || EVP_PKEY_fromdata_init(context.get()) != 1) {
    return KeyError(key_reason::kCryptoFailure);
  }
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(context.get(), &pkey, selection, params.get()) != 1) {
    // The members were well-formed, so OpenSSL refused the key itself (an EC point off the curve).
    return KeyError(std::string_view(type) == "EC" ? key_reason::kNotOnCurve : key_reason::kBadJwk);
  }
  return PkeyPtr(pkey);
}

// An EC P-256 key from x, y and, when `with_private` and present, d (RFC 7518 section 6.2).
Result<JwtKey> EcFromJwk(std::string kid, const json::object& jwk, bool with_private) {
  const json::string* curve = StringMember(jwk, "crv");
  if (curve == nullptr) return KeyError(key_reason::kBadJwk);
  if (*curve != "P-256") return KeyError(key_reason::kUnsupportedJwk);
  const std::optional<std::string> x = Base64UrlMember(jwk, "x");
  const std::optional<std::string> y = Base64UrlMember(jwk, "y");
  // Coordinates must be the full size of one (RFC 7518 section 6.2.1.2 and 6.2.1.3).
  if (!x || !y || x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
    return KeyError(key_reason::kBadJwk);
  }
  std::optional<std::string> d;
  if (with_private && jwk.contains("d")) {
    d = Base64UrlMember(jwk, "d");
    if (!d || d->size() != kP256CoordinateBytes) return KeyError(key_reason::kBadJwk);
  }
  const std::string point = '\x04' + *x + *y;  // SEC 1 uncompressed form
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  BnPtr secret;
  if (d) {
    // A secure-heap number makes OSSL_PARAM_BLD keep its copy there too, cleared when freed.
    secret.reset(BN_secure_new());
    if (secret != nullptr && BN_bin2bn(reinterpret_cast<const unsigned char*>(d->data()),
                                       static_cast<int>(d->size()), secret.get()) == nullptr) {
      secret.reset();
    }
    OPENSSL_cleanse(d->data(), d->size());
  }
  if (builder == nullptr || (d && secret == nullptr) ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) !=
          1 ||
      (d && OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, secret.get()) != 1)) {
    return KeyError(key_reason::kCryptoFailure);
  }
  Result<PkeyPtr> pkey = FromParams("EC", builder.get(), d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY);
  if (!pkey.ok()) return pkey.status();
  if (d) {
    // d must be the private key of (x, y).
    PkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
    if (context == nullptr || EVP_PKEY_pairwise_check(context.get()) != 1) {
      return KeyError(key_reason::kBadJwk);
    }
  }
  return MakeAsymmetricKey(std::move(kid), JwtAlgorithm::kEs256, std::move(pkey.value()), d.has_value());
}

// An RSA public key from n and e (RFC 7518 section 6.3.1).
Result<JwtKey> RsaFromJwk(std::string kid, const json::object& jwk) {
  const std::optional<std::string> n = Base64UrlMember(jwk, "n");
  const std::optional<std::string> e = Base64UrlMember(jwk, "e");
  // Bounds keep absurd sizes away from OpenSSL: 16384-bit moduli and 64-bit exponents at most.
  if (!n || !e || n->empty() || e->empty() || n->size() > 2048 || e->size() > 8) {
    return KeyError(key_reason::kBadJwk);
  }
  BnPtr modulus(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  BnPtr exponent(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
  if (modulus == nullptr || exponent == nullptr) return KeyError(key_reason::kCryptoFailure);
  // Checked before OpenSSL sees the key so the reason is the size, not a generic refusal.
  if (BN_num_bits(modulus.get()) < kMinRsaModulusBits) return KeyError(key_reason::kRsaTooShort);
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return KeyError(key_reason::kCryptoFailure);
  }
  Result<PkeyPtr> pkey = FromParams("RSA", builder.get(), EVP_PKEY_PUBLIC_KEY);
  if (!pkey.ok()) return pkey.status();
  return MakeAsymmetricKey(std::move(kid), JwtAlgorithm::kRs256, std::move(pkey.value()), false);
}

Result<JwtKey> KeyFromJwk(const json::object& jwk, bool public_only) {
  const json::string* type = StringMember(jwk, "kty");
  if (type == nullptr) return KeyError(key_reason::kBadJwk);
  std::optional<JwtAlgorithm> algorithm;
  if (*type == "oct" && !public_only) algorithm = JwtAlgorithm::kHs256;
  if (*type == "EC") algorithm = JwtAlgorithm::kEs256;
  if (*type == "RSA") algorithm = JwtAlgorithm::kRs256;
  if (!algorithm) return KeyError(key_reason::kUnsupportedJwk);
  // RFC 7517 sections 4.2 and 4.4: a key meant for encryption, or for another algorithm, is not ours.
  if (const json::value* use = jwk.if_contains("use");
      use != nullptr && !(use->is_string() && *use == "sig")) {
    return KeyError(key_reason::kUnsupportedJwk);
  }
  if (const json::value* alg = jwk.if_contains("alg");
      alg != nullptr && !(alg->is_string() && View(alg->get_string()) == JwtAlgorithmName(*algorithm))) {
    return KeyError(key_reason::kUnsupportedJwk);
  }
  const json::string* kid = StringMember(jwk, "kid");
  if (kid == nullptr || kid->empty()) return KeyError(key_reason::kMissingKid);
  switch (*algorithm) {
    case JwtAlgorithm::kHs256: {
      std::optional<std::string> secret = Base64UrlMember(jwk, "k");
      if (!secret) return KeyError(key_reason::kBadJwk);
      Result<JwtKey> key = JwtKey::FromSecret(std::string(View(*kid)), *secret);
      OPENSSL_cleanse(secret->data(), secret->size());
      return key;
    }
    case JwtAlgorithm::kEs256: return EcFromJwk(std::string(View(*kid)), jwk, !public_only);
    case JwtAlgorithm::kRs256: return RsaFromJwk(std::string(View(*kid)), jwk);
  }
  return KeyError(key_reason::kUnsupportedJwk);
}

// ---- Signatures --------------------------------------------------------------------------------

bool Hs256(const JwtKey::Material& material, std::string_view input,
           std::array<unsigned char, kHs256Bytes>& mac) {
  // Duplicating the keyed context skips re-deriving the HMAC pads from the secret on every call.
  MacCtxPtr context(EVP_MAC_CTX_dup(material.hmac));
  std::size_t length = 0;
  return context != nullptr &&
         EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(input.data()), input.size()) ==
             1 &&
         EVP_MAC_final(context.get(), mac.data(), &length, mac.size()) == 1 && length == kHs256Bytes;
}

// The DER signature EVP_DigestSign makes (ASN.1 for ECDSA, raw for RSA) over SHA-256 of `input`.
std::optional<std::string> DigestSign(EVP_PKEY* pkey, std::string_view input) {
  MdCtxPtr context(EVP_MD_CTX_new());
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (context == nullptr || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, pkey) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, data, input.size()) != 1) {
    return std::nullopt;
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                     input.size()) != 1) {
    return std::nullopt;
  }
  signature.resize(length);
  return signature;
}

bool DigestVerify(EVP_PKEY* pkey, std::string_view input, std::string_view signature) {
  MdCtxPtr context(EVP_MD_CTX_new());
  return context != nullptr &&
         EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
         EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

// DER ECDSA-Sig-Value to the JOSE form: r and s as 32-byte big-endian integers (RFC 7518 section 3.4).
std::optional<std::string> EcdsaDerToRaw(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (signature == nullptr) return std::nullopt;
  std::string raw(kEs256SignatureBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), out, kP256CoordinateBytes) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), out + kP256CoordinateBytes, kP256CoordinateBytes) < 0) {
    return std::nullopt;
  }
  return raw;
}

std::optional<std::string> EcdsaRawToDer(std::string_view raw) {
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  EcdsaSigPtr signature(ECDSA_SIG_new());
  BnPtr r(BN_bin2bn(in, kP256CoordinateBytes, nullptr));
  BnPtr s(BN_bin2bn(in + kP256CoordinateBytes, kP256CoordinateBytes, nullptr));
  if (signature == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(signature.get(), r.get(), s.get()) != 1) {
    return std::nullopt;
  }
  r.release();  // owned by the signature now
  s.release();
  const int length = i2d_ECDSA_SIG(signature.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(signature.get(), &out) != length) return std::nullopt;
  return der;
}

std::optional<std::string> SignInput(const JwtKey& key, std::string_view input) {
  const JwtKey::Material& material = JwtKeyAccess::Of(key);
  switch (key.algorithm()) {
    case JwtAlgorithm::kHs256: {
      std::array<unsigned char, kHs256Bytes> mac{};
      if (!Hs256(material, input, mac)) return std::nullopt;
      return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
    }
    case JwtAlgorithm::kEs256: {
      const std::optional<std::string> der = DigestSign(material.pkey, input);
      return der ? EcdsaDerToRaw(*der) : std::nullopt;
    }
    case JwtAlgorithm::kRs256: return DigestSign(material.pkey, input);
  }
  return std::nullopt;
}

// Whether `signature` is the key's over `input`; the HMAC comparison takes constant time.
bool VerifyInput(const JwtKey& key, std::string_view input, std::string_view signature) {
  const JwtKey::Material& material = JwtKeyAccess::Of(key);
  switch (key.algorithm()) {
    case JwtAlgorithm::kHs256: {
      std::array<unsigned char, kHs256Bytes> mac{};
      return signature.size() == kHs256Bytes && Hs256(material, input, mac) &&
             CRYPTO_memcmp(mac.data(), signature.data(), kHs256Bytes) == 0;
    }
    case JwtAlgorithm::kEs256: {
      if (signature.size() != kEs256SignatureBytes) return false;
      const std::optional<std::string> der = EcdsaRawToDer(signature);
      return der && DigestVerify(material.pkey, input, *der);
    }
    case JwtAlgorithm::kRs256:
      return signature.size() == static_cast<std::size_t>(EVP_PKEY_get_size(material.pkey)) &&
             DigestVerify(material.pkey, input, signature);
  }
  return false;
}

// ---- Claims ------------------------------------------------------------------------------------

enum class Rounding { kDown, kUp };

// A NumericDate (RFC 7519 section 2) in whole seconds, rounded the way that makes the check
// stricter; nullopt if it is not a finite number within +-kMaxNumericDate.
std::optional<std::int64_t> NumericDate(const json::value& value, Rounding rounding) {
  double seconds = 0;
  if (value.is_int64()) {
    seconds = static_cast<double>(value.get_int64());
  } else if (value.is_double()) {
    seconds = value.get_double();
  } else {
    return std::nullopt;  // strings, booleans, and uint64 (only values above INT64_MAX are stored so)
  }
  if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxNumericDate) return std::nullopt;
  return static_cast<std::int64_t>(rounding == Rounding::kDown ? std::floor(seconds) : std::ceil(seconds));
}

std::int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool AudienceContains(const json::value& audience, std::string_view expected) {
  if (const json::string* single = audience.if_string()) return View(*single) == expected;
  for (const json::value& entry : audience.get_array()) {
    if (View(entry.get_string()) == expected) return true;
  }
  return false;
}

// The registered claims Verify reads, each checked for its type before any is compared.
struct RegisteredClaims {
  const json::value* issuer = nullptr;
  const json::value* audience = nullptr;
  std::optional<std::int64_t> expires;
  std::optional<std::int64_t> not_before;
  std::optional<std::int64_t> issued_at;
};

std::optional<RegisteredClaims> ReadRegisteredClaims(const json::object& claims) {
  RegisteredClaims out;
  out.issuer = claims.if_contains("iss");
  if (out.issuer != nullptr && !out.issuer->is_string()) return std::nullopt;
  out.audience = claims.if_contains("aud");
  if (out.audience != nullptr && !out.audience->is_string()) {
    if (!out.audience->is_array()) return std::nullopt;
    for (const json::value& entry : out.audience->get_array()) {
      if (!entry.is_string()) return std::nullopt;
    }
  }
  const auto date = [&](const char* name, Rounding rounding, std::optional<std::int64_t>& target) {
    const json::value* value = claims.if_contains(name);
    if (value == nullptr) return true;
    target = NumericDate(*value, rounding);
    return target.has_value();
  };
  if (!date("exp", Rounding::kDown, out.expires) || !date("nbf", Rounding::kUp, out.not_before) ||
      !date("iat", Rounding::kUp, out.issued_at)) {
    return std::nullopt;
  }
  return out;
}

Status CheckClaims(const json::object& claims, const ValidationOptions& options) {
  const std::optional<RegisteredClaims> registered = ReadRegisteredClaims(claims);
  if (!registered) return Refuse(jwt_reason::kMalformedClaims);
  if (options.issuer &&
      (registered->issuer == nullptr || View(registered->issuer->get_string()) != *options.issuer)) {
    return Refuse(jwt_reason::kWrongIssuer);
  }
  if (options.audience &&
      (registered->audience == nullptr || !AudienceContains(*registered->audience, *options.audience))) {
    return Refuse(jwt_reason::kWrongAudience);
  }
  const std::int64_t now = options.now ? *options.now : SystemNow();
  const std::int64_t leeway = options.leeway_seconds;
  // RFC 7519 section 4.1.4: the current time must be before exp.
  if (!registered->expires) {
    if (options.require_exp) return Refuse(jwt_reason::kMissingExp);
  } else if (now >= *registered->expires + leeway) {
    return Refuse(jwt_reason::kExpired);
  }
  if (registered->not_before && now + leeway < *registered->not_before)
    return Refuse(jwt_reason::kNotYetValid);
  if (registered->issued_at && *registered->issued_at > now + leeway)
    return Refuse(jwt_reason::kIssuedInFuture);
  if (options.max_lifetime_seconds) {
    if (!registered->issued_at) return Refuse(jwt_reason::kMissingIat);
    if (!registered->expires ||
        *registered->expires - *registered->issued_at > *options.max_lifetime_seconds) {
      return Refuse(jwt_reason::kLifetimeTooLong);
    }
  }
  return Status::Ok();
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The key the header names, once the header passes every check that needs no crypto. With a ring
// the header must name its key by kid; with a `single` key a kid is optional but must be that key's.
Result<const JwtKey*> KeyForHeader(const json::object& header, const ValidationOptions& options,
                                   const KeyRing* ring, const JwtKey* single) {
  const json::string* alg_name = StringMember(header, "alg");
  if (alg_name == nullptr) {
    return Refuse(header.contains("alg") ? jwt_reason::kMalformedHeader : jwt_reason::kAlgNotAllowed);
  }
  // Exact names only: "none", "None", "hs256" and unknown algorithms all stop here.
  const std::optional<JwtAlgorithm> algorithm = ParseJwtAlgorithm(View(*alg_name));
  if (!algorithm) return Refuse(jwt_reason::kAlgNotAllowed);
  if (!options.algorithms.empty() && std::find(options.algorithms.begin(), options.algorithms.end(),
                                               *algorithm) == options.algorithms.end()) {
    return Refuse(jwt_reason::kAlgNotAllowed);
  }
  const json::value* kid = header.if_contains("kid");
  if (kid != nullptr && !kid->is_string()) return Refuse(jwt_reason::kMalformedHeader);
  const JwtKey* key = single;
  if (ring != nullptr) {
    if (kid == nullptr) return Refuse(jwt_reason::kMissingKid);
    key = ring->Find(View(kid->get_string()));
  } else if (kid != nullptr && View(kid->get_string()) != single->kid()) {
    key = nullptr;
  }
  if (key == nullptr) return Refuse(jwt_reason::kUnknownKid);
  // RFC 8725 section 3.1: a key is used with its own algorithm only (no HS256 with a public key).
  if (key->algorithm() != *algorithm) return Refuse(jwt_reason::kAlgNotAllowed);
  if (const json::value* type = header.if_contains("typ"); type != nullptr) {
    if (!type->is_string()) return Refuse(jwt_reason::kMalformedHeader);
    if (!EqualsIgnoringCase(View(type->get_string()), "JWT")) return Refuse(jwt_reason::kUnsupportedType);
  }
  // RFC 7515 section 4.1.11: we understand no extension, so any "crit" must be refused.
  if (header.contains("crit")) return Refuse(jwt_reason::kUnsupportedCrit);
  return key;
}

// Verify, with a ring or a single key (exactly one of them not null).
Result<json::object> VerifyToken(std::string_view token, const ValidationOptions& options,
                                 const KeyRing* ring, const JwtKey* single) {
  if (options.leeway_seconds < 0 || options.leeway_seconds > kMaxLeewaySeconds ||
      (options.max_lifetime_seconds && *options.max_lifetime_seconds <= 0)) {
    return KeyError(key_reason::kBadOptions);
  }
  if (token.size() > options.max_token_bytes) return Refuse(jwt_reason::kTooLarge);
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    return Refuse(jwt_reason::kMalformed);
  }
  const std::string_view signing_input = token.substr(0, second_dot);
  const std::string_view header_text = token.substr(0, first_dot);
  const std::string_view payload_text = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_text = token.substr(second_dot + 1);
  if (header_text.empty() || payload_text.empty() || signature_text.empty())
    return Refuse(jwt_reason::kMalformed);
  const std::optional<std::string> header_json = Base64UrlDecode(header_text);
  const std::optional<std::string> payload_json = Base64UrlDecode(payload_text);
  const std::optional<std::string> signature = Base64UrlDecode(signature_text);
  if (!header_json || !payload_json || !signature) return Refuse(jwt_reason::kMalformed);

  // The header lives only for this call: parse it into a stack buffer.
  std::array<unsigned char, 1024> header_buffer;
  json::monotonic_resource header_memory(header_buffer.data(), header_buffer.size());
  const std::optional<json::object> header = ParseObject(*header_json, &header_memory);
  if (!header) return Refuse(jwt_reason::kMalformedHeader);
  const Result<const JwtKey*> key = KeyForHeader(*header, options, ring, single);
  if (!key.ok()) return key.status();

  if (!VerifyInput(**key, signing_input, *signature)) return Refuse(jwt_reason::kBadSignature);

  std::optional<json::object> claims = ParseObject(*payload_json);
  if (!claims) return Refuse(jwt_reason::kMalformedClaims);
  if (Status checked = CheckClaims(*claims, options); !checked.ok()) return checked;
  return std::move(*claims);
}

}  // namespace

// ---- Public API --------------------------------------------------------------------------------

std::string_view JwtAlgorithmName(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kHs256: return "HS256";
    case JwtAlgorithm::kEs256: return "ES256";
    case JwtAlgorithm::kRs256: return "RS256";
  }
  return "";
}

std::optional<JwtAlgorithm> ParseJwtAlgorithm(std::string_view name) {
  if (name == "HS256") return JwtAlgorithm::kHs256;
  if (name == "ES256") return JwtAlgorithm::kEs256;
  if (name == "RS256") return JwtAlgorithm::kRs256;
  return std::nullopt;
}

JwtKey::JwtKey(std::string kid, JwtAlgorithm algorithm, std::shared_ptr<const Material> material)
    : kid_(std::move(kid)), algorithm_(algorithm), material_(std::move(material)) {}

bool JwtKey::can_sign() const {
  return algorithm_ == JwtAlgorithm::kHs256 || material_->is_private;
}

Result<JwtKey> JwtKey::FromSecret(std::string kid, std::string_view secret) {
  if (kid.empty()) return KeyError(key_reason::kMissingKid);
  if (secret.size() < kMinHmacSecretBytes) return KeyError(key_reason::kSecretTooShort);
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (hmac == nullptr) return KeyError(key_reason::kCryptoFailure);
  auto material = std::make_shared<Material>();
  material->hmac = EVP_MAC_CTX_new(hmac);
  EVP_MAC_free(hmac);  // the context keeps its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (material->hmac == nullptr ||
      EVP_MAC_init(material->hmac, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                   params) != 1) {
    return KeyError(key_reason::kCryptoFailure);
  }
  return JwtKeyAccess::Make(std::move(kid), JwtAlgorithm::kHs256, std::move(material));
}

Result<JwtKey> JwtKey::FromPrivatePem(std::string kid, JwtAlgorithm algorithm, std::string_view pem) {
  return FromPem(std::move(kid), algorithm, pem, true);
}

Result<JwtKey> JwtKey::FromPublicPem(std::string kid, JwtAlgorithm algorithm, std::string_view pem) {
  return FromPem(std::move(kid), algorithm, pem, false);
}

Result<JwtKey> JwtKey::FromJwk(const json::object& jwk) {
  return KeyFromJwk(jwk, false);
}

Result<JwtKey> JwtKey::FromPublicJwk(const json::object& jwk) {
  return KeyFromJwk(jwk, true);
}

Status KeyRing::Add(JwtKey key) {
  std::string kid = key.kid();
  if (!keys_.emplace(std::move(kid), std::move(key)).second) return KeyError(key_reason::kDuplicateKid);
  return Status::Ok();
}

bool KeyRing::Remove(std::string_view kid) {
  const auto found = keys_.find(kid);
  if (found == keys_.end()) return false;
  if (current_ == kid) current_.clear();
  keys_.erase(found);
  return true;
}

Status KeyRing::SetCurrent(std::string_view kid) {
  const JwtKey* key = Find(kid);
  if (key == nullptr) return KeyError(key_reason::kUnknownKid);
  if (!key->can_sign()) return KeyError(key_reason::kCannotSign);
  current_ = kid;
  return Status::Ok();
}

const JwtKey* KeyRing::Find(std::string_view kid) const {
  const auto found = keys_.find(kid);
  return found == keys_.end() ? nullptr : &found->second;
}

const JwtKey* KeyRing::Current() const {
  return current_.empty() ? nullptr : Find(current_);
}

Result<std::string> Sign(const JwtKey& key, const json::object& claims, const json::object& header_extras) {
  if (!key.can_sign()) return KeyError(key_reason::kCannotSign);
  json::object header;
  header.reserve(3 + header_extras.size());
  const std::string_view alg = JwtAlgorithmName(key.algorithm());
  header["alg"] = json::string_view(alg.data(), alg.size());
  header["typ"] = "JWT";
  header["kid"] = key.kid();
  for (const auto& [name, value] : header_extras) {
    if (name == "alg" || name == "typ" || name == "kid" || name == "crit")
      return KeyError(key_reason::kReservedHeader);
    header[name] = value;
  }
  std::string token = Base64UrlEncode(json::serialize(header));
  token += '.';
  token += Base64UrlEncode(json::serialize(claims));
  const std::optional<std::string> signature = SignInput(key, token);
  if (!signature) return KeyError(key_reason::kCryptoFailure);
  token += '.';
  token += Base64UrlEncode(*signature);
  return token;
}

Result<std::string> Sign(const KeyRing& ring, const json::object& claims, const json::object& header_extras) {
  const JwtKey* key = ring.Current();
  if (key == nullptr) return KeyError(key_reason::kUnknownKid);
  return Sign(*key, claims, header_extras);
}

Result<json::object> Verify(const KeyRing& ring, std::string_view token, const ValidationOptions& options) {
  return VerifyToken(token, options, &ring, nullptr);
}

Result<json::object> Verify(const JwtKey& key, std::string_view token, const ValidationOptions& options) {
  return VerifyToken(token, options, nullptr, &key);
}

}  // namespace selfservice::security
