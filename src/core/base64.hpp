// Standard base64 (RFC 4648 section 4, with padding), for binary payloads inside JSON requests, and
// unpadded base64url (RFC 4648 section 5), the encoding of JOSE (RFC 7515 section 2).

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace selfservice {

std::string Base64Encode(std::string_view bytes);
// nullopt unless `text` is canonical padded base64 (white space is not allowed).
std::optional<std::string> Base64Decode(std::string_view text);

// base64url without padding, as JWS and JWK use it.
std::string Base64UrlEncode(std::string_view bytes);
// nullopt unless `text` is canonical unpadded base64url: only A-Z a-z 0-9 '-' '_', no '=', a length
// that is not 1 modulo 4, and zero bits after the last byte (so every byte string has exactly one
// accepted encoding).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace selfservice
