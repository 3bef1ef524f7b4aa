// Unguessable identifiers (session ids, trace ids) and secrets from a CSPRNG; never throws.

#pragma once

#include <cstddef>
#include <string>

namespace selfservice {

// `count` bytes of cryptographically secure randomness (keys, salts, nonces).
std::string RandomBytes(std::size_t count);

// 2 * `bytes` lowercase hex digits of cryptographically secure randomness.
std::string RandomHex(std::size_t bytes);

}  // namespace selfservice
