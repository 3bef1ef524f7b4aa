#include "core/random.hpp"

#include <openssl/rand.h>
#include <sys/random.h>

#include <algorithm>

namespace selfservice {

std::string RandomBytes(std::size_t count) {
  static constexpr std::size_t kChunk = 4096;  // RAND_bytes takes an int length
  std::string buffer(count, '\0');
  auto* data = reinterpret_cast<unsigned char*>(buffer.data());
  for (std::size_t offset = 0; offset < count; offset += kChunk) {
    const std::size_t length = std::min(kChunk, count - offset);
    if (RAND_bytes(data + offset, static_cast<int>(length)) != 1) {
      // OpenSSL's DRBG is the fast path; the kernel's CSPRNG is the fallback, never a weak generator.
      std::size_t filled = 0;
      while (filled < length) {
        const ssize_t got = getrandom(data + offset + filled, length - filled, 0);
        if (got > 0) filled += static_cast<std::size_t>(got);
      }
    }
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
