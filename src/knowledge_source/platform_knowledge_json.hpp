// The wire format of the platform's knowledge base (REQ-005) as the adapter reads it: the unified
// envelope of spec 4.2, its article items, the change cursor, and error answers. Pure functions,
// so the adapter's HTTP part stays small and each rule is tested on its own. The assumptions about
// REQ-005's fields are listed in docs/KNOWLEDGE_SOURCE.md.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "net/http_client.hpp"
#include "selfservice/knowledge_source.hpp"
#include "selfservice/model.hpp"
#include "selfservice/status.hpp"

namespace selfservice::knowledge_source {

// What the adapter calls itself and stamps on the articles it reads.
inline constexpr std::string_view kSourceName = "req-005";

// A removal at the source: the item's id.
struct Deletion {
  std::string external_id;
};

// One item of a list, read tolerantly: unknown fields are ignored, a missing or malformed field the
// portal needs makes the item an ItemError. `updated_at` is the item's change time when it could be
// read, even for an ItemError, so the cursor moves past it.
struct ParsedItem {
  std::variant<KnowledgeArticle, Deletion, ItemError> item;
  std::optional<Timestamp> updated_at;
};
ParsedItem ParseItem(const boost::json::value& value, std::int64_t tenant_id);

// "…Z" as FormatTimestamp writes it, or with a numeric offset ("2025-08-15T18:00:00+08:00").
std::optional<Timestamp> ParseIsoTimestamp(std::string_view text);

// The `data` and `pagination` of a 2xx answer in the unified envelope {code, message, data,
// pagination}. 20002 (retryable) when the body is not such an envelope; an envelope code other than
// 200 is mapped as EnvelopeError() says.
struct Envelope {
  boost::json::value data;
  std::optional<std::int64_t> page, size, total, pages;
};
Result<Envelope> ParseEnvelope(std::string_view what, std::string_view body);

// The item list of `data`: the array itself, or its "items" array; nullptr when neither.
const boost::json::array* Items(const boost::json::value& data);

// Whether the list continues after this page: by `pages`, else by `total`, else by a full page.
bool HasMore(const Envelope& envelope, int page, int size, std::size_t items);

// Where a change feed stands: changes at or after `since` (none: from the beginning), page `page`
// of those. Written as "<ISO-8601>" for page 1 and "<ISO-8601>#<page>" after it, so a plain
// timestamp from a change notification is a cursor too.
struct Cursor {
  std::optional<Timestamp> since;
  int page = 1;
};
std::optional<Cursor> ParseCursor(std::string_view text);
std::string FormatCursor(const Cursor& cursor);

// 20002 for a non-2xx answer: retryable for 408, 429 and 5xx, not for the rest (401/403: the
// platform refuses our token; 400: it rejects our request). A 404 is 10004 when `missing_is_not_found`
// (the article the call names is unknown), else 20002 (the endpoint is missing: a wrong base URL).
// The detail names `what`, the HTTP status and the envelope's message, never the token.
Status ErrorFromResponse(std::string_view what, const net::HttpResponse& response, bool missing_is_not_found);

}  // namespace selfservice::knowledge_source
