// JWT signing and verification (src/security/jwt.hpp) on one thread, against the target of issue 6:
// at least 100,000 HS256 verifications per second on one core. Every iteration verifies (or signs)
// a realistic access token of about 300 bytes: iss, aud, sub, iat, exp, a scope and a tenant.
// Verification runs the full path: size and segment checks, base64url, both JSON parses, the key
// lookup by kid, the signature and the registered claims. items_per_second is the figure to read.

#include <benchmark/benchmark.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "security/jwt.hpp"

namespace {

namespace json = boost::json;
using selfservice::security::JwtAlgorithm;
using selfservice::security::JwtKey;
using selfservice::security::KeyRing;
using selfservice::security::ValidationOptions;

constexpr std::int64_t kNow = 1'700'000'000;

json::object Claims() {
  return json::object{{"iss", "https://portal.example.com"},
                      {"aud", "selfservice"},
                      {"sub", "customer-000184467"},
                      {"iat", kNow},
                      {"exp", kNow + 900},
                      {"scope", "tickets:read tickets:write kb:read"},
                      {"tenant", "acme-emea"}};
}

ValidationOptions Options() {
  ValidationOptions options;
  options.issuer = "https://portal.example.com";
  options.audience = "selfservice";
  options.now = kNow;
  return options;
}

JwtKey HsKey() {
  return JwtKey::FromSecret("hs-2026", "0123456789abcdef0123456789abcdef").value();
}

JwtKey EsKey() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"),
                                                           &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return JwtKey::FromPrivatePem("es-2026", JwtAlgorithm::kEs256,
                                std::string(data, static_cast<std::size_t>(size)))
      .value();
}

void VerifyLoop(benchmark::State& state, const JwtKey& key) {
  KeyRing ring;
  (void)ring.Add(key);
  // A second key in the ring, as during a rotation.
  (void)ring.Add(JwtKey::FromSecret("hs-2025", "fedcba9876543210fedcba9876543210").value());
  const std::string token = Sign(key, Claims()).value();
  const ValidationOptions options = Options();
  for (auto _ : state) {
    auto claims = Verify(ring, token, options);
    if (!claims.ok()) {
      state.SkipWithError("verification failed");
      break;
    }
    benchmark::DoNotOptimize(claims);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["token_bytes"] = static_cast<double>(token.size());
}

void SignLoop(benchmark::State& state, const JwtKey& key) {
  const json::object claims = Claims();
  for (auto _ : state) {
    auto token = Sign(key, claims);
    if (!token.ok()) {
      state.SkipWithError("signing failed");
      break;
    }
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_JwtVerifyHs256(benchmark::State& state) {
  VerifyLoop(state, HsKey());
}
BENCHMARK(BM_JwtVerifyHs256);

void BM_JwtVerifyEs256(benchmark::State& state) {
  VerifyLoop(state, EsKey());
}
BENCHMARK(BM_JwtVerifyEs256);

void BM_JwtSignHs256(benchmark::State& state) {
  SignLoop(state, HsKey());
}
BENCHMARK(BM_JwtSignHs256);

void BM_JwtSignEs256(benchmark::State& state) {
  SignLoop(state, EsKey());
}
BENCHMARK(BM_JwtSignEs256);

}  // namespace
