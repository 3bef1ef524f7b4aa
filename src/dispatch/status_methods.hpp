// The handlers of the status.* methods (docs/API.md, "Service status"; docs/STATUS.md);
// method_table.cpp lists them.

#pragma once

#include "dispatch/method_table.hpp"

namespace selfservice {

Result<Reply> StatusSummaryMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusComponentsMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusIncidentsMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusMaintenanceMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusUptimeMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusIngestAlertmanagerMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusComponentUpsertMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusIncidentCreateMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusIncidentUpdateMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusMaintenanceScheduleMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> StatusMaintenanceUpdateMethod(Engines& e, const RequestContext& c, const boost::json::object& r);

}  // namespace selfservice
