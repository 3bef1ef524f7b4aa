// The host's own channel: a std::function called with each notification.

#include <utility>

#include "selfservice/notifier.hpp"

namespace selfservice {
namespace {

class CallbackNotifier final : public Notifier {
 public:
  CallbackNotifier(std::function<Status(const TicketNotification&)> send,
                   std::function<Status(const AccountMessage&)> send_account)
      : send_(std::move(send)), send_account_(std::move(send_account)) {}
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
  Status SendAccountMessage(const AccountMessage& message) noexcept override {
    if (!send_account_) return Status::NotConfigured("account messages");
    try {
      return send_account_(message);
    } catch (const std::exception& error) {
      return Status::Error(ErrorCode::kDatabaseUnavailable, std::string("host channel threw: ") + error.what(), true);
    } catch (...) {
      return Status::Error(ErrorCode::kDatabaseUnavailable, "host channel threw", true);
    }
  }

 private:
  std::function<Status(const TicketNotification&)> send_;
  std::function<Status(const AccountMessage&)> send_account_;
};

}  // namespace

std::unique_ptr<Notifier> CreateCallbackNotifier(std::function<Status(const TicketNotification&)> send,
                                                 std::function<Status(const AccountMessage&)> send_account) {
  return std::make_unique<CallbackNotifier>(std::move(send), std::move(send_account));
}

}  // namespace selfservice
