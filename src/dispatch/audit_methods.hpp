// audit.list and audit.verify (docs/API.md, docs/SECURITY.md).

#pragma once

#include "dispatch/method_table.hpp"

namespace selfservice {

Result<Reply> AuditListMethod(Engines& engines, const RequestContext& context, const boost::json::object& request);
Result<Reply> AuditVerifyMethod(Engines& engines, const RequestContext& context, const boost::json::object& request);

}  // namespace selfservice
