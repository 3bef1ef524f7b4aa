// The SQLite service-status repository (service_components, service_status_changes,
// service_incidents, service_incident_updates, service_maintenance; migration 15).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<ServiceStatusRepository> MakeServiceStatusRepository(Database& db);

}  // namespace selfservice::sqlite
