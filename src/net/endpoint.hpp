// What every adapter of a remote service shares about its endpoint options and its errors.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/status.hpp"

namespace selfservice::net {

// The option errors every remote adapter shares, appended to `errors`: base_url required and
// usable (IsUsableBaseUrl), the secret (named `secret_field`: "api_key", "api_token") fit for one
// header line, both timeouts 1 … 600000 ms.
void ValidateEndpoint(std::string_view base_url, std::string_view secret_field, std::string_view secret,
                      std::int64_t timeout_ms, std::int64_t connect_timeout_ms, std::vector<FieldError>& errors);

// Printable ASCII without spaces: fits in one header line.
bool UsableHeaderValue(std::string_view value);

// OUT_OF_RANGE for `field` with its "min" and "max".
FieldError OutOfRange(std::string field, std::int64_t min, std::int64_t max);

// RFC 3986 percent-encoding (everything but the unreserved characters) of a query parameter's
// value or a path segment.
std::string PercentEncode(std::string_view text);

// `status` with every occurrence of `secret` in its detail replaced by "***" (services echo
// credentials back in their messages).
Status ScrubSecret(const Status& status, std::string_view secret);

}  // namespace selfservice::net
