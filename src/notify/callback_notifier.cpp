// The host's own channel: a std::function called with each notification.

#include <utility>

#include "selfservice/notifier.hpp"

namespace selfservice {
namespace {

class CallbackNotifier final : public Notifier {
 public:
  explicit CallbackNotifier(std::function<Status(const TicketNotification&)> send) : send_(std::move(send)) {}
  std::string_view name() const override { return "host"; }
  Status Send(const TicketNotification& notification) noexcept override {
    try {
      return send_(notification);
    } catch (const std::exception& error) {
      return Status::Error(ErrorCode::kDatabaseUnavailable, std::string("host channel threw: ") + error.what(), true);
    } catch (...) {
      return Status::Error(ErrorCode::kDatabaseUnavailable, "host channel threw", true);
    }
  }

 private:
  std::function<Status(const TicketNotification&)> send_;
};

}  // namespace

std::unique_ptr<Notifier> CreateCallbackNotifier(std::function<Status(const TicketNotification&)> send) {
  return std::make_unique<CallbackNotifier>(std::move(send));
}

}  // namespace selfservice
