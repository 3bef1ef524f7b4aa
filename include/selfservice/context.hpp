// Who is calling: the request context and the tenant scope derived from it.
//
// Every repository call takes a Scope, and a Scope can only be made from a RequestContext, so no
// query without a tenant can be written (REQ-019 3.3 rule 1, 7.2). The Scope also carries the
// row-level visibility of the caller's strongest role:
//   customer_user  -> what this user created            (tenant, customer, user)
//   customer_admin -> everything of the user's customer (tenant, customer)
//   platform_admin -> the whole tenant                  (tenant)
//
// Thread safety: values.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace selfservice {

enum class Locale { kZhCN, kEnUS };

// "zh-CN" or "en-US".
std::string_view LocaleName(Locale locale);

// Whether `id` may be a request's trace_id (context_json "trace_id"): 1-128 printable ASCII
// characters without space, quote or backslash, so it can go into a log line or an HTTP header as
// it is. Hosts check an inbound X-Request-Id with it.
bool IsTraceId(std::string_view id);

// Roles as a bit set; a context may hold several.
enum class Role : unsigned { kCustomerUser = 1u, kCustomerAdmin = 2u, kPlatformAdmin = 4u };

struct RequestContext {
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  unsigned roles = static_cast<unsigned>(Role::kCustomerUser);
  Locale locale = Locale::kZhCN;
  std::string trace_id;
  // Who is on the other end, as the host saw it (context_json "client_ip", "user_agent"): sign-in
  // lockouts count per source address, and the audit log records it. Empty when unknown.
  std::string client_ip;
  std::string user_agent;
  // The login (LoginSession::id) the caller's access token belongs to; empty for a context the
  // host built from raw ids. auth.logout ends it.
  std::string login_session_id;

  bool has(Role role) const { return (roles & static_cast<unsigned>(role)) != 0; }
};

// How far a caller sees inside its tenant.
enum class Visibility { kOwn, kCustomer, kTenant };

class Scope {
 public:
  explicit Scope(const RequestContext& context);

  std::int64_t tenant_id() const { return tenant_id_; }
  std::int64_t customer_id() const { return customer_id_; }
  std::int64_t user_id() const { return user_id_; }
  Visibility visibility() const { return visibility_; }

  // True when an object owned by (customer_id, user_id) of this tenant is visible.
  bool Sees(std::int64_t customer_id, std::int64_t user_id) const;

 private:
  std::int64_t tenant_id_;
  std::int64_t customer_id_;
  std::int64_t user_id_;
  Visibility visibility_;
};

}  // namespace selfservice
