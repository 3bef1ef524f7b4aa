// A portal whose options configure the platform's ticket service (REQ-003), against a stand-in
// service that creates one ticket per Idempotency-Key: tickets are mirrored through the outbox
// (healthy, failing, slow and garbage answers, duplicate deliveries), and tickets.sync applies the
// service's status changes from a webhook's body or a poll, within the caller's tenant only.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness.hpp"
#include "selfservice/portal.hpp"
#include "selfservice/ticket_system.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice::test {
namespace {

constexpr std::string_view kToken = "req003-secret-token";

// The ticket service: POST creates a ticket unless its key was seen (then 409 with that ticket),
// PUT records the update, GET /api/v1/tickets answers `changes`, GET .../history one event.
// `answer_first` replaces the answer of the next POSTs (the ticket is still created: an answer lost
// on the way back), `reply_delay_ms` delays every answer.
class Req003 {
 public:
  explicit Req003(FakeHttpServer& server) {
    server.SetHandler([this](const RecordedRequest& request) { return Handle(request); });
  }

  int created() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(ids_.size());
  }
  void AnswerNextPosts(int count, Reply reply) {
    std::lock_guard lock(mutex_);
    override_count_ = count;
    override_ = std::move(reply);
  }
  void SetDelay(std::int64_t ms) {
    std::lock_guard lock(mutex_);
    delay_ms_ = ms;
  }
  void SetChanges(std::string body) {
    std::lock_guard lock(mutex_);
    changes_ = std::move(body);
  }

 private:
  Reply Handle(const RecordedRequest& request) {
    std::lock_guard lock(mutex_);
    Reply reply = Answer(request);
    reply.delay_ms = delay_ms_;
    return reply;
  }

  Reply Answer(const RecordedRequest& request) {
    if (request.method == "POST" && request.target == "/api/v1/tickets") {
      const std::string key = request.header("idempotency-key");
      auto [it, fresh] = ids_.emplace(key, "T-" + std::to_string(ids_.size() + 1));
      if (override_count_ > 0) {
        --override_count_;
        return override_;
      }
      const std::string data = R"({"id":")" + it->second + R"(","status":"new"})";
      if (!fresh) return {409, R"({"code":10006,"message":"duplicate","data":)" + data + "}"};
      return {201, R"({"code":200,"message":"success","data":)" + data + "}"};
    }
    if (request.method == "PUT") return {200, R"({"code":200,"message":"success","data":null})"};
    if (request.target.starts_with("/api/v1/tickets/history")) {
      return {200,
              R"({"code":200,"message":"success","data":[{"event_type":"status_changed","from_status":"new",)"
              R"("to_status":"open","comment":"受理","created_at":"2025-08-15T10:00:00Z"}]})"};
    }
    if (request.target.starts_with("/api/v1/tickets?")) return {200, changes_};
    return {404, R"({"code":10004,"message":"not found"})"};
  }

  mutable std::mutex mutex_;
  std::map<std::string, std::string> ids_;  // idempotency key -> ticket id
  int override_count_ = 0;
  Reply override_;
  std::int64_t delay_ms_ = 0;
  std::string changes_ = R"({"code":200,"message":"success","data":[]})";
};

std::string State(const std::string& id, const std::string& status, const std::string& at) {
  return R"({"id":")" + id + R"(","status":")" + status + R"(","updated_at":")" + at + R"("})";
}

class TicketSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    portal_ = Open(R"("timeout_ms": 300)");
    ASSERT_NE(portal_, nullptr);
  }

  std::unique_ptr<Portal> Open(std::string_view extra) {
    const std::string text = R"({"log_level": "off", "ticket_system": {"base_url": ")" + server_.url() +
                             R"(", "api_token": ")" + std::string(kToken) + R"(", )" + std::string(extra) +
                             "}}";
    auto options = PortalOptions::FromJson(text);
    EXPECT_TRUE(options.ok()) << options.status().detail();
    if (!options.ok()) return nullptr;
    options->clock = clock_;
    auto portal = Portal::Open(std::move(options).value());
    EXPECT_TRUE(portal.ok()) << portal.status().detail();
    return portal.ok() ? std::move(portal).value() : nullptr;
  }

  json::object Call(std::string_view method, const Caller& caller, const json::value& request) {
    const std::string answer =
        portal_->Invoke(method, json::serialize(caller.ToJson()), json::serialize(request));
    json::value parsed = json::parse(answer);
    return parsed.is_object() ? std::move(parsed.get_object()) : json::object{};
  }
  json::object Data(std::string_view method, const Caller& caller, const json::value& request) {
    json::object answer = Call(method, caller, request);
    EXPECT_TRUE(IsSuccess(answer)) << method << " " << answer;
    const json::value* data = answer.if_contains("data");
    return data != nullptr && data->is_object() ? data->get_object() : json::object{};
  }

  std::int64_t CreateTicket(const Caller& caller = User(), std::string title = "VPN 连接失败") {
    return Data("tickets.create", caller,
                json::object{{"title", title},
                             {"description", "每天早上 VPN 断开"},
                             {"category", "network"},
                             {"priority", 1},
                             {"contact", json::object{{"email", "li@example.com"}}}})
        .at("id")
        .as_int64();
  }
  json::object Deliver(const Caller& admin = PlatformAdmin()) {
    return Data("outbox.deliver", admin, json::object{});
  }
  json::value ExternalId(std::int64_t id, const Caller& caller = User()) {
    return Data("tickets.get", caller, json::object{{"id", id}}).at("external_id");
  }
  std::vector<RecordedRequest> Sent(std::string_view method) const {
    std::vector<RecordedRequest> out;
    for (auto& request : server_.requests()) {
      if (request.method == method) out.push_back(request);
    }
    return out;
  }
  json::object Sync(json::value payload, const Caller& admin = PlatformAdmin()) {
    return Data("tickets.sync", admin, json::object{{"payload", std::move(payload)}});
  }
  // Lets the backoff of the next retry (at most 2 s after a second failure) pass.
  void AfterBackoff() { clock_->Advance(5'000); }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStartMillis);
  FakeHttpServer server_;
  Req003 service_{server_};
  std::unique_ptr<Portal> portal_;
};

TEST_F(TicketSystemTest, CreationIsDeliveredWithTheTokenAndTheTicketsIdempotencyKey) {
  const std::int64_t id = CreateTicket();
  EXPECT_TRUE(ExternalId(id).is_null());
  EXPECT_TRUE(Sent("POST").empty());  // the customer's call never waits for REQ-003

  const json::object delivered = Deliver();
  EXPECT_EQ(delivered.at("delivered").as_int64(), 1) << delivered;
  const auto posts = Sent("POST");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].target, "/api/v1/tickets");
  EXPECT_EQ(posts[0].header("authorization"), "Bearer " + std::string(kToken));
  EXPECT_EQ(posts[0].header("idempotency-key"), "ticket-" + std::to_string(id));
  EXPECT_EQ(posts[0].header("x-tenant-id"), "1");
  const json::object body = json::parse(posts[0].body).as_object();
  EXPECT_EQ(body.at("title"), "VPN 连接失败");
  EXPECT_EQ(body.at("description"), "每天早上 VPN 断开");
  EXPECT_EQ(body.at("priority").as_int64(), 1);
  EXPECT_EQ(body.at("source_ticket_id").as_int64(), id);
  EXPECT_EQ(body.at("contact").at("email"), "li@example.com");
  EXPECT_EQ(ExternalId(id), "T-1");
  EXPECT_EQ(Data("tickets.status", User(), json::object{{"id", id}}).at("status"), "new");
}

TEST_F(TicketSystemTest, AFailingServiceIsRetriedAfterTheBackoffAndCreatesOneTicket) {
  service_.AnswerNextPosts(1, {500, R"({"code":20004,"message":"down"})"});
  const std::int64_t id = CreateTicket();
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 0);
  EXPECT_TRUE(ExternalId(id).is_null());
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 0);  // not due before its backoff

  AfterBackoff();
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 1);
  EXPECT_EQ(service_.created(), 1);
  EXPECT_EQ(ExternalId(id), "T-1");
  const auto posts = Sent("POST");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].header("idempotency-key"), posts[1].header("idempotency-key"));
}

TEST_F(TicketSystemTest, ASlowServiceTimesOutAndTheRetryCreatesNoSecondTicket) {
  service_.SetDelay(800);  // beyond timeout_ms 300: the service creates it, the answer comes too late
  const std::int64_t id = CreateTicket();
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 0);
  EXPECT_TRUE(ExternalId(id).is_null());

  service_.SetDelay(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // the stand-in answers one call at a time
  AfterBackoff();
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 1);
  EXPECT_EQ(service_.created(), 1);
  EXPECT_EQ(ExternalId(id), "T-1");
}

TEST_F(TicketSystemTest, ADuplicateDeliveryIsAnsweredWithTheFirstTicket) {
  // The first answer is lost on the way back: the service holds the ticket, the portal retries.
  service_.AnswerNextPosts(1, {502, "Bad Gateway"});
  const std::int64_t first = CreateTicket(User(), "第一张");
  const std::int64_t second = CreateTicket(User(), "第二张");
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 1);
  AfterBackoff();
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 1);

  EXPECT_EQ(service_.created(), 2);  // one per local ticket, however often each was sent
  EXPECT_EQ(Sent("POST").size(), 3u);
  EXPECT_EQ(ExternalId(first), "T-1");
  EXPECT_EQ(ExternalId(second), "T-2");
}

TEST_F(TicketSystemTest, AGarbageAnswerIsRetried) {
  service_.AnswerNextPosts(2, {200, "<html>maintenance</html>", "text/html"});
  const std::int64_t id = CreateTicket();
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 0);
  AfterBackoff();
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 0);
  AfterBackoff();
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 1);
  EXPECT_EQ(ExternalId(id), "T-1");
  EXPECT_EQ(service_.created(), 1);
}

TEST_F(TicketSystemTest, UpdatesAndACustomersCloseAreForwardedAfterTheCreation) {
  const std::int64_t id = CreateTicket();
  Data("tickets.update", User(), json::object{{"id", id}, {"comment", "补充：重启无效"}, {"priority", 2}});
  // Both wait for the creation, which comes first.
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 2);
  auto puts = Sent("PUT");
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].target, "/api/v1/tickets/T-1");
  EXPECT_FALSE(puts[0].header("idempotency-key").empty());
  EXPECT_EQ(json::parse(puts[0].body), json::parse(R"({"comment":"补充：重启无效","priority":2})"));

  Sync(json::parse("[" + State("T-1", "open", "2025-08-15T10:00:00Z") + "," +
                   State("T-1", "in_progress", "2025-08-15T10:01:00Z") + "," +
                   State("T-1", "resolved", "2025-08-15T10:02:00Z") + "]"));
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 0);  // the service's own moves are not sent back
  Data("tickets.transition", User(), json::object{{"id", id}, {"to", "closed"}, {"comment", "已解决，谢谢"}});
  EXPECT_EQ(Deliver().at("delivered").as_int64(), 1);
  puts = Sent("PUT");
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(json::parse(puts[1].body), json::parse(R"({"comment":"已解决，谢谢","status":"closed"})"));
  EXPECT_NE(puts[1].header("idempotency-key"), puts[0].header("idempotency-key"));
}

TEST_F(TicketSystemTest, AWebhookMovesTheTicketThroughTheLifecycleAsActorZero) {
  const std::int64_t id = CreateTicket();
  Deliver();
  json::object report = Sync(json::parse(State("T-1", "open", "2025-08-15T10:00:00Z")));
  EXPECT_EQ(report.at("applied").as_int64(), 1) << report;
  // A list, as the envelope's data; a state already reached is skipped.
  report = Sync(json::parse(
      R"({"code":200,"data":[)" + State("T-1", "open", "2025-08-15T10:00:00Z") + "," +
      State("T-1", "in_progress", "2025-08-15T10:01:00Z") + "," +
      R"({"id":"T-1","status":"resolved","updated_at":"2025-08-15T10:02:00Z","comment":"已修复"}]})"));
  EXPECT_EQ(report.at("applied").as_int64(), 2) << report;
  EXPECT_EQ(report.at("skipped").as_int64(), 1);
  EXPECT_EQ(report.at("failed").as_int64(), 0);

  EXPECT_EQ(Data("tickets.status", User(), json::object{{"id", id}}).at("status"), "resolved");
  const json::object history = Call("tickets.history", User(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(history)) << history;
  std::vector<std::string> moves;
  for (const auto& event : history.at("data").as_array()) {
    if (event.at("event_type") != "status_changed") continue;
    moves.push_back(std::string(event.at("to_status").as_string()));
    EXPECT_EQ(event.at("actor_id").as_int64(), 0) << event;
  }
  EXPECT_EQ(moves, (std::vector<std::string>{"open", "in_progress", "resolved"}));
}

TEST_F(TicketSystemTest, UnreachableStatusesUnknownStatusesAndUnknownTicketsAreItemErrors) {
  const std::int64_t id = CreateTicket();
  Deliver();
  const json::object report =
      Sync(json::parse("[" + State("T-1", "closed", "2025-08-15T10:00:00Z") + "," +
                       State("T-1", "escalated_to_mars", "2025-08-15T10:00:00Z") + "," +
                       State("T-404", "open", "2025-08-15T10:00:00Z") + R"(,{"status":"open"},)" +
                       State("T-1", "已受理", "2025-08-15T10:01:00Z") + "]"));
  EXPECT_EQ(report.at("applied").as_int64(), 1) << report;  // closed, reached move by move
  EXPECT_EQ(report.at("failed").as_int64(), 4);
  std::vector<std::string> codes;
  for (const auto& error : report.at("errors").as_array())
    codes.push_back(std::string(error.at("code").as_string()));
  // 已受理 is open: nothing leads out of closed.
  EXPECT_EQ(codes, (std::vector<std::string>{"INVALID_ITEM", "UNKNOWN_STATUS", "NOT_FOUND", "TRANSITION_NOT_ALLOWED"}));
  EXPECT_EQ(Data("tickets.status", User(), json::object{{"id", id}}).at("status"), "closed");
}

TEST_F(TicketSystemTest, AStatusSeveralMovesAwayIsReachedMoveByMove) {
  const std::int64_t id = CreateTicket();
  Deliver();
  const json::object report = Sync(
      json::parse(R"({"id":"T-1","status":"已解决","updated_at":"2025-08-15T10:02:00Z","comment":"已修复"})"));
  EXPECT_EQ(report.at("applied").as_int64(), 1) << report;
  const json::object history = Call("tickets.history", User(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(history)) << history;
  std::vector<std::string> moves;
  std::vector<std::string> comments;
  for (const auto& event : history.at("data").as_array()) {
    if (event.at("event_type") != "status_changed") continue;
    moves.push_back(std::string(event.at("to_status").as_string()));
    comments.push_back(event.at("comment").is_string() ? std::string(event.at("comment").as_string()) : "");
  }
  EXPECT_EQ(moves, (std::vector<std::string>{"open", "in_progress", "resolved"}));
  EXPECT_EQ(comments, (std::vector<std::string>{"", "", "已修复"}));  // the state's comment, on its move
}

TEST_F(TicketSystemTest, ALateWebhookDoesNotMoveTheTicketBack) {
  const std::int64_t id = CreateTicket();
  Deliver();
  Sync(json::parse(State("T-1", "resolved", "2025-08-15T10:02:00Z")));
  json::object report = Sync(json::parse(State("T-1", "in_progress", "2025-08-15T10:01:00Z")));
  EXPECT_EQ(report.at("stale").as_int64(), 1) << report;
  EXPECT_EQ(report.at("applied").as_int64(), 0);
  EXPECT_EQ(Data("tickets.status", User(), json::object{{"id", id}}).at("status"), "resolved");
  // The same state again is a repeat, and a newer one applies.
  report = Sync(json::parse("[" + State("T-1", "resolved", "2025-08-15T10:02:00Z") + "," +
                            State("T-1", "reopened", "2025-08-15T10:05:00Z") + "]"));
  EXPECT_EQ(report.at("skipped").as_int64(), 1) << report;
  EXPECT_EQ(report.at("applied").as_int64(), 1);
  EXPECT_EQ(Data("tickets.status", User(), json::object{{"id", id}}).at("status"), "reopened");
}

TEST_F(TicketSystemTest, APayloadTouchesOnlyTheCallersTenant) {
  const std::int64_t id = CreateTicket();
  Deliver();
  const json::object report =
      Sync(json::parse(State("T-1", "open", "2025-08-15T10:00:00Z")), PlatformAdmin(2));
  EXPECT_EQ(report.at("failed").as_int64(), 1) << report;
  EXPECT_EQ(report.at("errors").at(0).at("code"), "NOT_FOUND");
  EXPECT_EQ(Data("tickets.status", User(), json::object{{"id", id}}).at("status"), "new");
}

TEST_F(TicketSystemTest, SyncIsForThePlatformAndNeedsExactlyOneOfPayloadAndPoll) {
  EXPECT_TRUE(IsError(Call("tickets.sync", CustomerAdmin(), json::object{{"poll", true}}), 10003));
  EXPECT_TRUE(IsError(Call("tickets.sync", PlatformAdmin(), json::object{}), 10001));
  EXPECT_TRUE(
      IsError(Call("tickets.sync", PlatformAdmin(), json::object{{"poll", true}, {"payload", json::array{}}}),
              10001));
}

TEST_F(TicketSystemTest, APollAppliesTheChangesSinceTheStoredCursor) {
  const std::int64_t id = CreateTicket();
  Deliver();
  service_.SetChanges(R"({"code":200,"message":"success","data":{"items":[)" +
                      State("T-1", "open", "2025-08-15T10:00:00Z") + "," +
                      State("T-1", "in_progress", "2025-08-15T10:05:00Z") +
                      R"(]},"pagination":{"page":1,"size":100,"total":2,"pages":1}})");
  json::object report = Data("tickets.sync", PlatformAdmin(), json::object{{"poll", true}});
  EXPECT_EQ(report.at("applied").as_int64(), 2) << report;
  EXPECT_EQ(report.at("next_cursor"), "2025-08-15T10:05:00.000Z");
  EXPECT_EQ(Data("tickets.status", User(), json::object{{"id", id}}).at("status"), "in_progress");

  report = Data("tickets.sync", PlatformAdmin(), json::object{{"poll", true}});
  EXPECT_EQ(report.at("skipped").as_int64(), 1) << report;  // the change at the cursor, again
  std::vector<std::string> targets;
  for (const auto& request : Sent("GET")) targets.push_back(request.target);
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].find("updated_since"), std::string::npos);
  EXPECT_NE(targets[1].find("updated_since=2025-08-15T10%3A05%3A00.000Z"), std::string::npos) << targets[1];
}

TEST_F(TicketSystemTest, APollFailsWithTheServicesCodeWhenItIsDown) {
  service_.SetChanges("garbage");
  const json::object answer = Call("tickets.sync", PlatformAdmin(), json::object{{"poll", true}});
  EXPECT_TRUE(IsError(answer, 20004)) << answer;
  EXPECT_EQ(json::serialize(answer).find(kToken), std::string::npos);
}

TEST(TicketSystemOptionsTest, BadOptionsAreNamedByTheirPathWithoutTheirValues) {
  const std::string ts = R"({"ticket_system": {"base_url": "https://p.example", )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"ticket_system": "https://p.example"})", "ticket_system"},
      {R"({"ticket_system": {}})", "ticket_system.base_url"},
      {R"({"ticket_system": {"base_url": "p.example"}})", "ticket_system.base_url"},
      {ts + R"("api_token": "tok s3cret"}})", "ticket_system.api_token"},
      {ts + R"("timeout_ms": 0}})", "ticket_system.timeout_ms"},
      {ts + R"("breaker": []}})", "ticket_system.breaker"},
  };
  for (const auto& [text, field] : cases) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    ASSERT_EQ(options.status().field_errors().size(), 1U) << text;
    EXPECT_EQ(options.status().field_errors().front().field, field) << text;
    std::string everything = options.status().detail();
    for (const auto& [name, value] : options.status().field_errors().front().args) everything += name + value;
    EXPECT_EQ(everything.find("s3cret"), std::string::npos);
  }
}

TEST(TicketSystemOptionsTest, WithoutTheOptionTicketsStayEmbedded) {
  auto portal = Portal::Open(PortalOptions{});
  ASSERT_TRUE(portal.ok());
  const auto call = [&](std::string_view method, const Caller& caller, const json::object& request) {
    return json::parse((*portal)->Invoke(method, json::serialize(caller.ToJson()), json::serialize(request)))
        .as_object();
  };
  const json::object created =
      call("tickets.create", User(),
           json::object{{"title", "VPN"}, {"description", "断开"}, {"category", "network"}, {"priority", 2}});
  ASSERT_TRUE(IsSuccess(created)) << created;
  const json::object outbox = call("outbox.status", PlatformAdmin(), json::object{});
  EXPECT_EQ(outbox.at("data").at("pending").as_int64(), 0) << outbox;
  EXPECT_TRUE(IsError(call("tickets.sync", PlatformAdmin(), json::object{{"poll", true}}), 10004));
}

TEST(PlatformTicketSystemTest, HistoryReadsTheServicesEvents) {
  FakeHttpServer server;
  Req003 service(server);
  auto system = CreatePlatformTicketSystem({server.url(), std::string(kToken), 300, 300, ""});
  ASSERT_TRUE(system.ok());
  RequestContext context;
  context.tenant_id = 1;
  auto events = (*system)->History(Scope(context), "T 1");
  ASSERT_TRUE(events.ok()) << events.status().detail();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].to_status, "open");
  EXPECT_EQ(server.requests().at(0).target, "/api/v1/tickets/history?ticket_id=T%201");
}

TEST(PlatformTicketSystemTest, BadOptionsAreNamed) {
  auto system = CreatePlatformTicketSystem({"ftp://x", "a b", 0, 1, ""});
  ASSERT_FALSE(system.ok());
  std::vector<std::string> fields;
  for (const auto& error : system.status().field_errors()) fields.push_back(error.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"base_url", "api_token", "timeout_ms"}));
}

}  // namespace
}  // namespace selfservice::test
