// Helpers shared by the engine tests: a private in-memory store, a manual clock, callers of every
// role, and status descriptions for assertion messages.

#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include <boost/json/parse.hpp>

#include "engine/engines.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/repository.hpp"
#include "support/callers.hpp"

namespace selfservice::test {

// 2023-11-14T22:13:20Z.
inline constexpr std::int64_t kStart = 1'700'000'000'000;
inline constexpr std::int64_t kSecond = 1000;
inline constexpr std::int64_t kMinute = 60 * kSecond;

inline boost::json::value Json(const char* text) {
  return boost::json::parse(text);
}
inline boost::json::object JsonObject(const char* text) {
  return boost::json::parse(text).as_object();
}

inline std::unique_ptr<Store> OpenMemoryStore() {
  auto opened = OpenStore("sqlite::memory:");
  if (!opened.ok()) throw std::runtime_error("cannot open sqlite::memory: " + Describe(opened));
  return std::move(opened).value();
}

// A store that forwards to `inner`, except for the repositories a test puts in its place (to race
// or fail a step). Every repository a Store has is listed here once.
class ForwardingStore final : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}
  SessionRepository* sessions_override = nullptr;
  TicketRepository* tickets_override = nullptr;

  std::string_view name() const override { return "test"; }
  PortalConfigRepository& portal_configs() override { return inner_.portal_configs(); }
  SessionRepository& sessions() override { return sessions_override ? *sessions_override : inner_.sessions(); }
  FeedbackRepository& feedback() override { return inner_.feedback(); }
  AnalyticsRepository& analytics() override { return inner_.analytics(); }
  KnowledgeRepository& knowledge() override { return inner_.knowledge(); }
  RemoteStateRepository& remote_state() override { return inner_.remote_state(); }
  OutboxRepository& outbox() override { return inner_.outbox(); }
  ServiceStatusRepository& service_status() override { return inner_.service_status(); }
  TicketRepository& tickets() override { return tickets_override ? *tickets_override : inner_.tickets(); }
  AttachmentRepository& attachments() override { return inner_.attachments(); }
  DocumentRepository& documents() override { return inner_.documents(); }
  UserRepository& users() override { return inner_.users(); }
  SessionStore& login_sessions() override { return inner_.login_sessions(); }
  AuditRepository& audit() override { return inner_.audit(); }
  SearchBackend& search() override { return inner_.search(); }
  Result<BackupReport> Backup(const std::string& path) override { return inner_.Backup(path); }
  Result<Vitals> ReadVitals() override { return inner_.ReadVitals(); }
  Result<ReencryptionReport> ReencryptSensitiveFields() override { return inner_.ReencryptSensitiveFields(); }
  Result<ErasureReport> EraseUser(const Scope& scope, std::int64_t user_id) override {
    return inner_.EraseUser(scope, user_id);
  }

 private:
  Store& inner_;
};

// A fresh in-memory store and a clock standing at kStart for every test.
class EngineTest : public ::testing::Test {
 protected:
  ManualClock clock_{kStart};
  std::unique_ptr<Store> store_ = OpenMemoryStore();
};

}  // namespace selfservice::test
