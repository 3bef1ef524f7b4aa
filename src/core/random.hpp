// Unguessable identifiers (session ids, trace ids) from a CSPRNG; never throws.

#pragma once

#include <cstddef>
#include <string>

namespace selfservice {

// 2 * `bytes` lowercase hex digits of cryptographically secure randomness.
std::string RandomHex(std::size_t bytes);

}  // namespace selfservice
