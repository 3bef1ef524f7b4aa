// AuditLog: the security events of spec 7.3 ("合规审计") recorded in the store's hash-chained
// audit log (AuditRepository), and read back by audit.list / audit.verify (docs/SECURITY.md).
//
// Recording never fails the action it records: an entry the store refuses is logged as an error
// (without the entry's details), because refusing a sign-in or a role change because the log is
// unavailable would turn a storage fault into an outage. Hosts alert on that log line.
//
// Thread safety: safe from many threads.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/repository.hpp"

namespace selfservice {

// One event as an engine reports it; AuditLog adds who, where, when and the chain.
struct AuditEvent {
  std::string action;                 // "auth.login", "auth.login.failed", "users.roles.set", ...
  bool success = true;
  std::optional<std::string> target;  // "user:42"
  boost::json::object details;        // never secrets: no passwords, tokens, codes or keys
};

class AuditLog {
 public:
  AuditLog(Store& store, const Clock& clock);

  // Records `event` as done by the caller of `actor` (tenant, customer, user, client_ip, trace_id).
  void Record(const RequestContext& actor, AuditEvent event);
  // Records an event with no signed-in actor (a failed sign-in): tenant, optional customer,
  // client_ip and trace_id come from `caller`, whose user and customer ids are ignored.
  void RecordAnonymous(const RequestContext& caller, std::optional<std::int64_t> customer_id, AuditEvent event);

  // audit.list: the caller's visible entries (customer_admin: their customer's; platform_admin:
  // the tenant's), newest first.
  Result<Page<AuditEntry>> List(const RequestContext& context, const AuditFilter& filter, PageRequest page);
  // audit.verify: the tenant's chain recomputed (platform_admin).
  Result<AuditVerification> Verify(const RequestContext& context);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace selfservice
