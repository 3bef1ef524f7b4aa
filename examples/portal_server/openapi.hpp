// The OpenAPI 3.0.3 document of portal_server's REST API, generated from the dispatch table
// (Portal::Methods()) so that the routes are never listed a second time. portal_server serves it
// at GET /api/v1/customer-portal/openapi.json.
//
// Thread safety: a pure function of its arguments; call it from any thread.
#pragma once

#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "selfservice/portal.hpp"

namespace selfservice::server {

// The document: one operation per method, under its route and HTTP method, with
// operationId = the method's name and the extension fields x-method, x-least-role, x-feature
// (empty: not gated by a feature) and x-rate-class; tags by the name's first segment; bearer
// security except for least role "anyone"; path parameters from the route's `{name}` segments;
// GET and DELETE take the request fields as a free-form query, the others a JSON object body
// (the raw chunk upload of tickets.attachments.append also as application/octet-stream);
// the success and error envelopes as components.schemas, with one response per HTTP status the
// error codes map to. The server's own routes (/healthz, /metrics, the document itself and the
// WebSocket of ticket status events) are added, tagged "server".
//
// A method that cannot be documented is left out and named in info["x-skipped-methods"] as
// {"method", "reason"} (present only when some were): a route that does not start with "/",
// has unbalanced or nested braces, or an empty or non [A-Za-z0-9_] parameter name; an HTTP method
// other than GET, POST, PUT, PATCH and DELETE; a name or a (route, HTTP method) pair already taken.
// Never throws for any table (only std::bad_alloc).
boost::json::object OpenApiDocument(const std::vector<MethodInfo>& methods, std::string_view library_version);

}  // namespace selfservice::server
