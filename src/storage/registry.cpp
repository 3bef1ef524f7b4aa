// Storage URI scheme -> adapter factory (OpenStore / RegisterStoreScheme).

#include <map>
#include <mutex>

#include "selfservice/repository.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace selfservice {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, StoreFactory, std::less<>> factories{{"sqlite", sqlite::OpenSqliteStore}};
};

Registry& GetRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace

void RegisterStoreScheme(std::string scheme, StoreFactory factory) {
  Registry& registry = GetRegistry();
  std::lock_guard lock(registry.mutex);
  registry.factories[std::move(scheme)] = std::move(factory);
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view uri, const StoreOptions& options) {
  const std::size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return Status::InvalidField("storage", field_code::kInvalid);
  StoreFactory factory;
  {
    Registry& registry = GetRegistry();
    std::lock_guard lock(registry.mutex);
    auto found = registry.factories.find(uri.substr(0, colon));
    if (found == registry.factories.end()) {
      return Status::InvalidField("storage", field_code::kNotAllowed, {{"allowed", "sqlite::memory:, sqlite:<path>"}});
    }
    factory = found->second;
  }
  return factory(uri, options);
}

}  // namespace selfservice
