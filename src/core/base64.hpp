// Standard base64 (RFC 4648 section 4, with padding), for binary payloads inside JSON requests.

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace selfservice {

std::string Base64Encode(std::string_view bytes);
// nullopt unless `text` is canonical padded base64 (white space is not allowed).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace selfservice
