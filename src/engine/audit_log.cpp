#include "engine/audit_log.hpp"

#include <string>
#include <utility>

#include "core/logging.hpp"
#include "domain/rules.hpp"

namespace selfservice {
namespace {

std::optional<std::int64_t> PositiveId(std::int64_t id) {
  return id > 0 ? std::optional<std::int64_t>(id) : std::nullopt;
}

// The entry of `event` with where and when; who is the caller's to fill.
AuditEntry EntryOf(const RequestContext& caller, AuditEvent event, const Clock& clock) {
  AuditEntry entry;
  entry.action = std::move(event.action);
  entry.outcome = event.success ? "success" : "failure";
  entry.target = std::move(event.target);
  entry.details = std::move(event.details);
  // client_ip is what the host claims; a value that is no address is left out rather than
  // costing the whole entry (the store refuses it).
  if (IsIpAddress(caller.client_ip)) entry.ip_address = caller.client_ip;
  entry.trace_id = caller.trace_id;
  entry.at = Timestamp{clock.NowMillis()};
  return entry;
}

// Appends `entry` to the caller's tenant's chain. A refusal is logged with the action and the
// status code only: the details may name people, and the entry must never fail what it records.
void Append(Store& store, const RequestContext& caller, AuditEntry entry) {
  const std::string action = entry.action;
  auto appended = store.audit().Append(Scope(caller), std::move(entry));
  if (!appended.ok()) {
    Log().error("audit: entry \"{}\" not recorded ({})", action, static_cast<int>(appended.status().code()));
  }
}

}  // namespace

AuditLog::AuditLog(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

void AuditLog::Record(const RequestContext& actor, AuditEvent event) {
  AuditEntry entry = EntryOf(actor, std::move(event), clock_);
  entry.customer_id = PositiveId(actor.customer_id);
  entry.actor_user_id = PositiveId(actor.user_id);
  Append(store_, actor, std::move(entry));
}

void AuditLog::RecordAnonymous(const RequestContext& caller, std::optional<std::int64_t> customer_id,
                               AuditEvent event) {
  AuditEntry entry = EntryOf(caller, std::move(event), clock_);
  entry.customer_id = customer_id;
  Append(store_, caller, std::move(entry));
}

Result<Page<AuditEntry>> AuditLog::List(const RequestContext& context, const AuditFilter& filter, PageRequest page) {
  return store_.audit().List(Scope(context), filter, page);
}

Result<AuditVerification> AuditLog::Verify(const RequestContext& context) {
  return store_.audit().Verify(Scope(context));
}

}  // namespace selfservice
