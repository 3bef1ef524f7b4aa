// The cost of a login: one Argon2id hash or verification with the default parameters (OWASP's
// m=19456 KiB, t=2, p=1), the dummy verification spent on unknown users, and one TOTP check.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "security/password_hasher.hpp"
#include "security/totp.hpp"

namespace {

using selfservice::security::PasswordHasher;

const PasswordHasher& DefaultHasher() {
  static const PasswordHasher hasher = PasswordHasher::Create().value();
  return hasher;
}

void BM_PasswordHashDefault(benchmark::State& state) {
  const PasswordHasher& hasher = DefaultHasher();
  for (auto _ : state) {
    benchmark::DoNotOptimize(hasher.Hash("correct horse battery staple"));
  }
  state.counters["hashes_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PasswordHashDefault)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PasswordVerifyDefault(benchmark::State& state) {
  const PasswordHasher& hasher = DefaultHasher();
  const std::string phc = hasher.Hash("correct horse battery staple").value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(hasher.Verify("correct horse battery staple", phc));
  }
  state.counters["logins_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PasswordVerifyDefault)->Unit(benchmark::kMillisecond)->UseRealTime();

// Should match BM_PasswordVerifyDefault: the two must not be told apart by their time.
void BM_PasswordVerifyDummy(benchmark::State& state) {
  const PasswordHasher& hasher = DefaultHasher();
  for (auto _ : state) {
    hasher.VerifyDummy("correct horse battery staple");
  }
  state.counters["logins_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PasswordVerifyDummy)->Unit(benchmark::kMillisecond)->UseRealTime();

// A successful check with the default window of one step either side: three HMAC-SHA1s.
void BM_TotpVerify(benchmark::State& state) {
  const std::string secret = selfservice::security::GenerateTotpSecret();
  const std::int64_t now = 1'700'000'000;
  const std::string code = selfservice::security::Totp(secret, now).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(selfservice::security::VerifyTotp(secret, code, now));
  }
  state.counters["checks_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TotpVerify);

}  // namespace
