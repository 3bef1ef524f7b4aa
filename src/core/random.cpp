#include "core/random.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

namespace selfservice {
namespace {

// Fills `data` from OpenSSL's DRBG, or the kernel's CSPRNG when it fails: never a weak generator.
void Fill(unsigned char* data, std::size_t count) {
  static constexpr std::size_t kChunk = 4096;  // RAND_bytes takes an int length
  for (std::size_t offset = 0; offset < count; offset += kChunk) {
    const std::size_t length = std::min(kChunk, count - offset);
    if (RAND_bytes(data + offset, static_cast<int>(length)) != 1) {
      std::size_t filled = 0;
      while (filled < length) {
        const ssize_t got = getrandom(data + offset + filled, length - filled, 0);
        if (got > 0) filled += static_cast<std::size_t>(got);
      }
    }
  }
}

// Bumped in a forked child, so that no thread there hands out bytes its parent also holds.
std::atomic<unsigned> g_fork_generation{0};

void OnFork() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

// Small requests (nonces, ids, salts) are served from a per-thread block drawn in one call:
// RAND_bytes costs about half a microsecond however few bytes it returns, which made it most of
// an encrypted column's cost (docs/PERFORMANCE.md). Bytes handed out are wiped from the block.
class Pool {
 public:
  static constexpr std::size_t kMaxRequest = 64;

  Pool() {
    static const bool registered = pthread_atfork(nullptr, nullptr, OnFork) == 0;
    static_cast<void>(registered);
  }
  ~Pool() { OPENSSL_cleanse(block_.data(), block_.size()); }

  void Take(unsigned char* out, std::size_t count) {
    const unsigned generation = g_fork_generation.load(std::memory_order_relaxed);
    if (used_ + count > block_.size() || generation != generation_) {
      Fill(block_.data(), block_.size());
      used_ = 0;
      generation_ = generation;
    }
    std::memcpy(out, block_.data() + used_, count);
    OPENSSL_cleanse(block_.data() + used_, count);
    used_ += count;
  }

 private:
  std::array<unsigned char, 4096> block_{};
  std::size_t used_ = block_.size();  // empty: the first request fills it
  unsigned generation_ = 0;
};

}  // namespace

std::string RandomBytes(std::size_t count) {
  std::string buffer(count, '\0');
  auto* data = reinterpret_cast<unsigned char*>(buffer.data());
  if (count <= Pool::kMaxRequest) {
    thread_local Pool pool;
    pool.Take(data, count);
  } else {
    Fill(data, count);
  }
  return buffer;
}

std::string RandomHex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string random = RandomBytes(bytes);
  std::string out(bytes * 2, '0');
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto byte = static_cast<unsigned char>(random[i]);
    out[2 * i] = kHex[byte >> 4];
    out[2 * i + 1] = kHex[byte & 0x0F];
  }
  return out;
}

}  // namespace selfservice
