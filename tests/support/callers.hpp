// Test helpers shared across folders: callers of every role and readable Status descriptions.

#pragma once

#include <cstdint>
#include <string>

#include "selfservice/context.hpp"
#include "selfservice/status.hpp"

namespace selfservice::test {

// "10004 not found (detail) [field:CODE ...]", for assertion messages.
inline std::string Describe(const Status& status) {
  std::string text = std::to_string(static_cast<int>(status.code())) + " " + status.detail();
  for (const auto& error : status.field_errors()) text += " [" + error.field + ":" + error.code + "]";
  return text;
}
template <typename T>
std::string Describe(const Result<T>& result) {
  return Describe(result.status());
}

inline RequestContext Caller(std::int64_t tenant, std::int64_t customer, std::int64_t user, Role role) {
  RequestContext context;
  context.tenant_id = tenant;
  context.customer_id = customer;
  context.user_id = user;
  context.roles = static_cast<unsigned>(role);
  return context;
}
inline RequestContext User(std::int64_t tenant, std::int64_t customer, std::int64_t user) {
  return Caller(tenant, customer, user, Role::kCustomerUser);
}
inline RequestContext CustomerAdmin(std::int64_t tenant, std::int64_t customer, std::int64_t user) {
  return Caller(tenant, customer, user, Role::kCustomerAdmin);
}
inline RequestContext PlatformAdmin(std::int64_t tenant, std::int64_t customer, std::int64_t user) {
  return Caller(tenant, customer, user, Role::kPlatformAdmin);
}

}  // namespace selfservice::test
