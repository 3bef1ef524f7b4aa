#include "engine/engines.hpp"

namespace selfservice {

Result<PortalConfig> PortalConfigEngine::Get(const RequestContext& context, std::int64_t customer_id) {
  auto stored = store_.portal_configs().Find(Scope(context), customer_id);
  if (!stored.ok()) return stored.status();
  if (*stored) return std::move(**stored);
  PortalConfig defaults;
  defaults.tenant_id = context.tenant_id;
  defaults.customer_id = customer_id;
  return defaults;
}

Result<PortalConfig> PortalConfigEngine::Update(const RequestContext& context, std::int64_t customer_id,
                                                const boost::json::object& patch) {
  const std::int64_t now = clock_.NowMillis();
  // Identity and audit fields belong to the server, whatever the request says, so they are not
  // even read: a value of the wrong type there must not refuse the fields the client may set.
  boost::json::object client_fields = patch;
  for (const char* owned :
       {"id", "tenant_id", "customer_id", "created_at", "created_by", "updated_at", "updated_by"}) {
    client_fields.erase(owned);
  }
  return store_.portal_configs().Upsert(Scope(context), customer_id, [&](PortalConfig& config) -> Status {
    const PortalConfig before = config;
    std::vector<FieldError> errors = MergeJson(client_fields, config);
    config.created_at = before.id ? before.created_at : Timestamp{now};
    config.created_by = before.id ? before.created_by : std::optional(context.user_id);
    config.updated_at = Timestamp{now};
    config.updated_by = context.user_id;
    if (errors.empty()) errors = Validate(config);
    return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
  });
}

}  // namespace selfservice
