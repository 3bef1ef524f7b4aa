// Data protection on the hot path: AES-256-GCM of one 64-byte field (FieldCipher), one rate
// limiter check (one thread and two on different keys), and redaction of a typical 150-character
// log line with and without secrets. bytes_per_second is reported where it means something.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/redaction.hpp"
#include "security/field_cipher.hpp"
#include "security/rate_limiter.hpp"

namespace selfservice::security {
namespace {

const std::string kPlace = "tenant-7|users|phone|42";

FieldCipher BenchCipher() {
  return std::move(FieldCipher::Create({{"k2026", std::string(32, 'k')}, {"k2025", std::string(32, 'o')}}))
      .value();
}

void BM_FieldCipherEncrypt(benchmark::State& state) {
  const FieldCipher cipher = BenchCipher();
  const std::string field(64, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(cipher.Encrypt(field, kPlace));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
}
BENCHMARK(BM_FieldCipherEncrypt);

void BM_FieldCipherDecrypt(benchmark::State& state) {
  const FieldCipher cipher = BenchCipher();
  const std::string stored = cipher.Encrypt(std::string(64, 'x'), kPlace);
  for (auto _ : state) benchmark::DoNotOptimize(cipher.Decrypt(stored, kPlace));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
}
BENCHMARK(BM_FieldCipherDecrypt);

// 1,000 users of one tenant in turn, so checks hit warm buckets spread over the shards (the case
// of a busy portal); each thread has its own tenant, so two threads share shards but not keys.
void BM_RateLimiterCheck(benchmark::State& state) {
  static RateLimiter* limiter = nullptr;
  if (state.thread_index() == 0) {
    RateLimitOptions config;
    config.default_limit = {1e6, 1e6};
    limiter = new RateLimiter(config);
  }
  std::vector<std::string> users;
  for (int i = 0; i < 1000; ++i) users.push_back("user-" + std::to_string(i));
  const std::string tenant = "tenant-" + std::to_string(state.thread_index());
  std::size_t next = 0;
  const auto now = std::chrono::steady_clock::now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter->Check({tenant, users[next], "search"}, now));
    next = next + 1 == users.size() ? 0 : next + 1;
  }
  if (state.thread_index() == 0) {
    delete limiter;
    limiter = nullptr;
  }
}
BENCHMARK(BM_RateLimiterCheck);
BENCHMARK(BM_RateLimiterCheck)->Threads(2);

void RedactLine(benchmark::State& state, const std::string& line) {
  for (auto _ : state) benchmark::DoNotOptimize(Redact(line));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * line.size()));
}

void BM_RedactLineClean(benchmark::State& state) {
  RedactLine(state,
             "2026-11-26 01:54:07.123 tickets.create: ticket 1234567 created for tenant 42 by user 9001 "
             "in 150ms (category network, priority high, channel web)");
}
BENCHMARK(BM_RedactLineClean);

void BM_RedactLineWithSecrets(benchmark::State& state) {
  RedactLine(state,
             "login failed for zhang.wei@example.com from 203.0.113.9 phone 13800138000 password=hunter2 "
             "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc");
}
BENCHMARK(BM_RedactLineWithSecrets);

}  // namespace
}  // namespace selfservice::security
