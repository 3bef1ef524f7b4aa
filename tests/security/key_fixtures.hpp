// Keys for tests: P-256 and RSA keys generated with OpenSSL, as PEM and as JWK (RFC 7518 6.2).

#pragma once

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/base64.hpp"

namespace selfservice::test {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline Pkey GenerateEc() {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}
inline Pkey GenerateRsa(std::size_t bits) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

inline std::string Pem(EVP_PKEY* key, bool is_private) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  const int written = is_private
                          ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                          : PEM_write_bio_PUBKEY(bio.get(), key);
  EXPECT_EQ(written, 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// The JWK (RFC 7518 section 6.2) of a generated P-256 key, private part included.
inline boost::json::object PrivateEcJwk(EVP_PKEY* key, const char* kid) {
  unsigned char point[65];
  std::size_t length = 0;
  EXPECT_EQ(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &length), 1);
  BIGNUM* d = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
  std::string d_bytes(32, '\0');
  BN_bn2binpad(d, reinterpret_cast<unsigned char*>(d_bytes.data()), 32);
  BN_clear_free(d);
  const std::string_view bytes(reinterpret_cast<const char*>(point), length);
  return boost::json::object{{"kty", "EC"},
                      {"kid", kid},
                      {"crv", "P-256"},
                      {"x", Base64UrlEncode(bytes.substr(1, 32))},
                      {"y", Base64UrlEncode(bytes.substr(33, 32))},
                      {"d", Base64UrlEncode(d_bytes)}};
}

}  // namespace selfservice::test
