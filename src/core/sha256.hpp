// SHA-256 over OpenSSL's EVP interface (which uses the CPU's SHA extensions where there are any).

#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace selfservice {

// An incremental SHA-256. Not thread-safe: one per computation.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // 64 lowercase hex digits; the object must not be updated afterwards.
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The digest of `bytes` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view bytes);

}  // namespace selfservice
