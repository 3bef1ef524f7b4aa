#include "selfservice/context.hpp"

#include <algorithm>
#include <chrono>

#include "selfservice/clock.hpp"

namespace selfservice {

std::string_view LocaleName(Locale locale) { return locale == Locale::kEnUS ? "en-US" : "zh-CN"; }

bool IsTraceId(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
           return c > 0x20 && c < 0x7F && c != '"' && c != '\\';
         });
}

Scope::Scope(const RequestContext& context)
    : tenant_id_(context.tenant_id),
      customer_id_(context.customer_id),
      user_id_(context.user_id),
      visibility_(context.has(Role::kPlatformAdmin)   ? Visibility::kTenant
                  : context.has(Role::kCustomerAdmin) ? Visibility::kCustomer
                                                      : Visibility::kOwn) {}

bool Scope::Sees(std::int64_t customer_id, std::int64_t user_id) const {
  switch (visibility_) {
    case Visibility::kTenant: return true;
    case Visibility::kCustomer: return customer_id == customer_id_;
    case Visibility::kOwn: return customer_id == customer_id_ && user_id == user_id_;
  }
  return false;
}

namespace {
class SystemClock final : public Clock {
 public:
  std::int64_t NowMillis() const noexcept override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};
}  // namespace

std::shared_ptr<Clock> Clock::System() {
  static const std::shared_ptr<Clock> kClock = std::make_shared<SystemClock>();
  return kClock;
}

}  // namespace selfservice
