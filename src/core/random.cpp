#include "core/random.hpp"

#include <openssl/rand.h>

#include <array>
#include <random>
#include <stdexcept>

namespace selfservice {

std::string RandomHex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<unsigned char, 64> buffer{};
  if (bytes > buffer.size()) bytes = buffer.size();
  if (RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
    // The CSPRNG never fails once seeded; if it does, refuse rather than hand out guessable ids.
    throw std::runtime_error("RAND_bytes failed");
  }
  std::string out(bytes * 2, '0');
  for (std::size_t i = 0; i < bytes; ++i) {
    out[2 * i] = kHex[buffer[i] >> 4];
    out[2 * i + 1] = kHex[buffer[i] & 0x0F];
  }
  return out;
}

}  // namespace selfservice
