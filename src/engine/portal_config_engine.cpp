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
  return store_.portal_configs().Upsert(Scope(context), customer_id, [&](PortalConfig& config) -> Status {
    const PortalConfig before = config;
    std::vector<FieldError> errors = MergeJson(patch, config);
    // Identity and audit fields belong to the server, whatever the request says.
    config.id = before.id;
    config.tenant_id = before.tenant_id;
    config.customer_id = before.customer_id;
    config.created_at = before.id ? before.created_at : Timestamp{now};
    config.created_by = before.id ? before.created_by : std::optional(context.user_id);
    config.updated_at = Timestamp{now};
    config.updated_by = context.user_id;
    if (errors.empty()) errors = Validate(config);
    return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
  });
}

}  // namespace selfservice
