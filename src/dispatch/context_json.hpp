// Parses the C ABI's context_json into a RequestContext.

#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "selfservice/context.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// What every context_json may say, whoever the caller is: {"locale": "zh-CN" | "en-US" (default
// zh-CN; "en*" means en-US); "trace_id": up to 128 printable ASCII characters; "client_ip": the
// caller's address as the host saw it (an IPv4 or IPv6 literal, up to 45 characters);
// "user_agent": up to 512 printable characters}. A malformed value answers kUnauthenticated
// (10002). `locale` receives the requested locale even when the rest is bad, so the error can be
// given in the caller's language. The ids stay unset.
Result<RequestContext> ParseCaller(const boost::json::object& json, Locale& locale);

// ParseCaller's fields and the caller named by raw ids: {"tenant_id", "customer_id", "user_id":
// positive integers; "roles": [names] (default ["customer_user"])}. Anything missing or
// malformed answers kUnauthenticated (10002).
Result<RequestContext> ParseContext(const boost::json::object& json, Locale& locale);

// The context's trace_id when it is a well-formed one, else "": lets the answer to a context
// that is refused for another reason still carry the caller's trace id.
std::string TraceIdOf(const boost::json::object& json);

// True when a context a host built itself names a tenant, customer and user and holds only known
// roles, at least one: what ParseContext guarantees for a parsed one.
bool IsComplete(const RequestContext& context);

}  // namespace selfservice
