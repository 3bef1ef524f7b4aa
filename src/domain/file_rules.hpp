// The rules for files customers hand in (attachments, documents): what name is stored and which
// content types are accepted, judged by the bytes themselves (magic numbers), never by the name.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace selfservice {

// The largest file an answer carries inline (data_base64: documents.download,
// tickets.attachments.get); a bigger one is read from its `path` or by the host's own download.
inline constexpr std::int64_t kMaxInlineFileBytes = 16LL * 1024 * 1024;

// The name to store for a file a client called `name`: the last component of any path (after
// '/' or '\\'), without control characters (C0, DEL, C1) and without leading or trailing spaces
// and dots, cut to 255 characters. nullopt when nothing is left, or `name` is not UTF-8.
std::optional<std::string> SanitizeFileName(std::string_view name);

// The content types accepted when the options name none.
const std::vector<std::string>& DefaultAllowedContentTypes();

// Whether the first bytes of a file (`head`, the first 512 bytes or the whole file when shorter)
// may be of `content_type` (lowercase type/subtype, without parameters): the magic number of
// PNG, JPEG, GIF, WebP, PDF, ZIP (and the Office Open XML types, which are ZIP files) or gzip
// when the type has one; UTF-8 text without NUL bytes for text/plain, text/csv, text/markdown
// and application/json. A type this table does not know never matches.
bool ContentMatches(std::string_view content_type, std::string_view head);

// The media type without parameters and lowercased ("Text/Plain; charset=utf-8" -> "text/plain").
std::string BareContentType(std::string_view content_type);

}  // namespace selfservice
