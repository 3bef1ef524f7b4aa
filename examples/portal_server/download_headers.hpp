// The HTTP headers of portal_server's raw downloads (docs/SERVER.md, "Downloads"): whether a
// request asks for the bytes (Accept), which range it asks for (Range, RFC 9110 section 14), and
// how the answer names its file (Content-Disposition, RFC 6266 with RFC 8187's filename*).
// Pure functions of header values: no I/O, safe from any thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace selfservice::server {

// Whether an Accept header names application/octet-stream as one of its media ranges with a
// quality other than 0. Wildcards (*/*, application/*) do not count: a client that does not ask
// for the bytes by name gets the JSON envelope, as before raw downloads existed.
bool AcceptsOctetStream(std::string_view accept);

// One byte range of a Range header: `first` and, when the range is closed, `last` (inclusive).
struct ByteRange {
  std::int64_t first = 0;
  std::optional<std::int64_t> last;
};

// The range of a Range header the server honours: exactly one "bytes=first-last" or
// "bytes=first-" (whitespace around the parts allowed, the unit in any case). nullopt for any other
// header, which the server ignores by sending the whole file (RFC 9110 lets a server ignore
// Range): several ranges, a suffix range "bytes=-n", another unit, last < first, a malformed one.
std::optional<ByteRange> ParseByteRange(std::string_view range);

// The Content-Disposition of a file named `name` (UTF-8): attachment with a quoted ASCII fallback
// filename (each non-ASCII character, control character, quote or backslash becomes '_'; "download"
// when nothing is left) and filename*=UTF-8''<name percent-encoded as RFC 8187 attr-chars>.
std::string ContentDisposition(std::string_view name);

}  // namespace selfservice::server
