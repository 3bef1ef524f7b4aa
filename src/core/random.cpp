#include "core/random.hpp"

#include <openssl/rand.h>
#include <sys/random.h>

#include <algorithm>
#include <vector>

namespace selfservice {

std::string RandomHex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr std::size_t kChunk = 4096;  // RAND_bytes takes an int length
  std::vector<unsigned char> buffer(bytes);
  for (std::size_t offset = 0; offset < bytes; offset += kChunk) {
    const std::size_t length = std::min(kChunk, bytes - offset);
    if (RAND_bytes(buffer.data() + offset, static_cast<int>(length)) != 1) {
      // OpenSSL's DRBG is the fast path; the kernel's CSPRNG is the fallback, never a weak generator.
      std::size_t filled = 0;
      while (filled < length) {
        const ssize_t got = getrandom(buffer.data() + offset + filled, length - filled, 0);
        if (got > 0) filled += static_cast<std::size_t>(got);
      }
    }
  }
  std::string out(bytes * 2, '0');
  for (std::size_t i = 0; i < bytes; ++i) {
    out[2 * i] = kHex[buffer[i] >> 4];
    out[2 * i + 1] = kHex[buffer[i] & 0x0F];
  }
  return out;
}

}  // namespace selfservice
