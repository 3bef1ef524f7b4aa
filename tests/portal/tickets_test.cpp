// tickets.* through the string API: the wire names of the statuses, creation with its session and
// idempotency key, the list's filters, the fast status read, history, who may move a ticket, closed
// tickets, drafts, and the row-level scope.

#include <map>
#include <string>

#include "harness.hpp"

namespace selfservice::test {
namespace {

class TicketsTest : public PortalTest {
 protected:
  static json::object Form(std::string_view title = "VPN 连接失败") {
    return json::object{{"title", title},
                        {"description", "每天早上 9 点 VPN 自动断开"},
                        {"category", "network"},
                        {"priority", 2},
                        {"contact", json::object{{"email", "li@example.com"}, {"phone", "+86 138 0000 0000"}}}};
  }

  json::object Create(const Caller& caller = User(), json::object form = Form()) {
    const json::object answer = Call("tickets.create", caller, form);
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return IsSuccess(answer) ? answer.at("data").as_object() : json::object{};
  }

  json::object Move(std::int64_t id, std::string_view to, const Caller& caller = PlatformAdmin()) {
    return Call("tickets.transition", caller, json::object{{"id", id}, {"to", to}});
  }

  std::string StatusOf(std::int64_t id) {
    const json::object answer = Call("tickets.status", PlatformAdmin(), json::object{{"id", id}});
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return IsSuccess(answer) ? std::string(answer.at("data").at("status").as_string()) : std::string();
  }
};

TEST_F(TicketsTest, CreateAnswersTheNewTicket) {
  const json::object ticket = Create();
  EXPECT_GT(ticket.at("id").as_int64(), 0);
  EXPECT_EQ(ticket.at("status"), "new");
  EXPECT_EQ(ticket.at("title"), "VPN 连接失败");
  EXPECT_EQ(ticket.at("category"), "network");
  EXPECT_EQ(ticket.at("priority"), 2);
  EXPECT_EQ(ticket.at("contact_email"), "li@example.com");
  EXPECT_EQ(ticket.at("contact_phone"), "+86 138 0000 0000");
  EXPECT_EQ(ticket.at("user_id"), 100);
  EXPECT_EQ(ticket.at("created_at"), "2025-08-15T10:00:00.000Z");
  EXPECT_EQ(ticket.at("closed_at"), nullptr);
}

TEST_F(TicketsTest, CreateRefusesBadValuesFieldByField) {
  json::object form = Form("");
  form["priority"] = 4;
  form["contact"] = json::object{{"email", "nobody"}, {"phone", "call me"}};
  const json::object answer = Call("tickets.create", User(), form);
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "title", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(answer, "priority", "OUT_OF_RANGE"));
  EXPECT_TRUE(HasFieldError(answer, "contact.email", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(answer, "contact.phone", "FIELD_INVALID"));
  EXPECT_EQ(Total("tickets.list", PlatformAdmin()), 0);
}

TEST_F(TicketsTest, TheSameIdempotencyKeyAnswersTheSameTicket) {
  json::object form = Form();
  form["idempotency_key"] = "form-7f3a";
  const json::object first = Create(User(), form);
  const json::object again = Create(User(), form);
  EXPECT_EQ(again.at("id"), first.at("id"));
  EXPECT_EQ(Total("tickets.list", PlatformAdmin()), 1);
}

TEST_F(TicketsTest, CreatingFromASessionEscalatesIt) {
  const std::string session_id = StartSession(User());
  json::object form = Form();
  form["session_id"] = session_id;
  const json::object ticket = Create(User(), form);
  EXPECT_EQ(ticket.at("session_id"), json::value(session_id));
  const json::object session = Call("sessions.get", User(), json::object{{"session_id", session_id}});
  EXPECT_EQ(session.at("data").at("state"), "escalated");
}

TEST_F(TicketsTest, StatusAnswersOnlyIdStatusAndUpdatedAt) {
  const std::int64_t id = Create().at("id").as_int64();
  clock_->Advance(60'000);
  ASSERT_TRUE(IsSuccess(Move(id, "open")));
  const json::object answer = Call("tickets.status", User(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data"),
            (json::object{{"id", id}, {"status", "open"}, {"updated_at", "2025-08-15T10:01:00.000Z"}}));
}

TEST_F(TicketsTest, TheLifecycleUsesTheWireNames) {
  const std::int64_t id = Create().at("id").as_int64();
  for (const char* to : {"open", "in_progress", "pending_customer", "in_progress", "resolved", "reopened",
                         "in_progress", "resolved"}) {
    const json::object answer = Move(id, to);
    ASSERT_TRUE(IsSuccess(answer)) << to << " " << answer;
    EXPECT_EQ(answer.at("data").at("status"), to);
  }
  const json::object closed = Move(id, "closed", User());
  ASSERT_TRUE(IsSuccess(closed)) << closed;
  EXPECT_EQ(closed.at("data").at("closed_at"), "2025-08-15T10:00:00.000Z");
  const json::object again = Move(id, "reopened", PlatformAdmin());
  ASSERT_TRUE(IsError(again, 10006));
  EXPECT_TRUE(HasFieldError(again, "to", "TRANSITION_NOT_ALLOWED"));
}

TEST_F(TicketsTest, UnknownStatusNamesAreNotAllowed) {
  const std::int64_t id = Create().at("id").as_int64();
  for (const char* to : {"pending", "new_", "NEW", "done"}) {
    const json::object answer = Move(id, to);
    ASSERT_TRUE(IsError(answer, 10001)) << to;
    EXPECT_TRUE(HasFieldError(answer, "to", "VALUE_NOT_ALLOWED")) << to;
  }
  EXPECT_EQ(StatusOf(id), "new");
}

TEST_F(TicketsTest, CustomersCannotWorkTheirOwnTicket) {
  const std::int64_t id = Create().at("id").as_int64();
  EXPECT_TRUE(IsError(Move(id, "open", User()), 10003));
  EXPECT_TRUE(IsError(Move(id, "open", CustomerAdmin()), 10003));
  EXPECT_TRUE(IsError(Move(id, "closed", User()), 10006));
  EXPECT_EQ(StatusOf(id), "new");
}

TEST_F(TicketsTest, HistoryListsEveryChangeOldestFirst) {
  const std::int64_t id = Create().at("id").as_int64();
  ASSERT_TRUE(IsSuccess(Call("tickets.transition", PlatformAdmin(),
                             json::object{{"id", id}, {"to", "open"}, {"comment", "已受理"}})));
  ASSERT_TRUE(IsSuccess(Call("tickets.update", User(), json::object{{"id", id}, {"comment", "补充：只在办公室"}})));
  const json::object answer = Call("tickets.history", User(), json::object{{"id", id}, {"size", 2}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("pagination").at("total"), 3);
  const json::array& events = answer.at("data").as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("event_type"), "created");
  EXPECT_EQ(events[0].at("to_status"), "new");
  EXPECT_EQ(events[1].at("event_type"), "status_changed");
  EXPECT_EQ(events[1].at("from_status"), "new");
  EXPECT_EQ(events[1].at("to_status"), "open");
  EXPECT_EQ(events[1].at("comment"), "已受理");
  EXPECT_EQ(events[1].at("actor_id"), 1);
  const json::object rest = Call("tickets.history", User(), json::object{{"id", id}, {"page", 2}, {"size", 2}});
  EXPECT_EQ(rest.at("data").at(0).at("event_type"), "comment");
}

TEST_F(TicketsTest, UpdateOfAClosedTicketIsRefused) {
  const std::int64_t id = Create().at("id").as_int64();
  for (const char* to : {"open", "in_progress", "resolved", "closed"}) ASSERT_TRUE(IsSuccess(Move(id, to)));
  const json::object answer = Call("tickets.update", User(), json::object{{"id", id}, {"priority", 1}});
  EXPECT_TRUE(IsError(answer, 10006));
}

TEST_F(TicketsTest, ListFiltersAndPaginates) {
  Create(User(), Form("VPN drops"));
  clock_->Advance(3'600'000);
  json::object printer = Form("Printer jam");
  printer["category"] = "hardware";
  printer["description"] = "打印机卡纸";
  const std::int64_t jam = Create(User(), printer).at("id").as_int64();
  ASSERT_TRUE(IsSuccess(Move(jam, "open")));
  EXPECT_EQ(Total("tickets.list", User(), json::object{{"status", "open"}}), 1);
  EXPECT_EQ(Total("tickets.list", User(), json::object{{"category", "network"}}), 1);
  EXPECT_EQ(Total("tickets.list", User(), json::object{{"keyword", "卡纸"}}), 1);
  EXPECT_EQ(Total("tickets.list", User(), json::object{{"keyword", "vpn drops"}}), 1);
  EXPECT_EQ(Total("tickets.list", User(), json::object{{"created_from", "2025-08-15T10:30:00Z"}}), 1);
  EXPECT_EQ(Total("tickets.list", User(), json::object{{"created_to", "2025-08-15T10:30:00Z"}}), 1);
  const json::object page = Call("tickets.list", User(), json::object{{"size", 1}});
  ASSERT_TRUE(IsSuccess(page));
  EXPECT_EQ(page.at("data").at(0).at("id"), jam);
  EXPECT_EQ(page.at("pagination").at("pages"), 2);
  const json::object bad = Call("tickets.list", User(), json::object{{"created_from", "yesterday"}, {"keyword", ""}});
  EXPECT_TRUE(HasFieldError(bad, "created_from", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(bad, "keyword", "FIELD_INVALID"));
}

TEST_F(TicketsTest, EachRoleSeesWhatItsScopeAllows) {
  const std::int64_t id = Create(User()).at("id").as_int64();
  Create(User(1, 10, 103));
  Create(User(1, 11, 110));
  Create(User(2, 20, 200));
  EXPECT_EQ(Total("tickets.list", User()), 1);
  EXPECT_EQ(Total("tickets.list", CustomerAdmin()), 2);
  EXPECT_EQ(Total("tickets.list", PlatformAdmin()), 3);
  for (const char* method : {"tickets.get", "tickets.status", "tickets.history"}) {
    EXPECT_TRUE(IsError(Call(method, User(1, 10, 103), json::object{{"id", id}}), 10004)) << method;
    EXPECT_TRUE(IsError(Call(method, PlatformAdmin(2, 1, 1), json::object{{"id", id}}), 10004)) << method;
    EXPECT_TRUE(IsSuccess(Call(method, CustomerAdmin(), json::object{{"id", id}}))) << method;
  }
}

TEST_F(TicketsTest, DraftsRoundTrip) {
  json::object form{{"title", "写了一半"}, {"priority", 1}, {"contact", json::object{{"email", "li@example.com"}}}};
  const json::object saved = Call("tickets.drafts.save", User(), form);
  ASSERT_TRUE(IsSuccess(saved)) << saved;
  const std::int64_t draft_id = saved.at("data").at("id").as_int64();
  EXPECT_EQ(saved.at("data").at("title"), "写了一半");
  EXPECT_EQ(saved.at("data").at("description"), nullptr);
  EXPECT_EQ(saved.at("data").at("contact_email"), "li@example.com");
  form["draft_id"] = draft_id;
  form["description"] = "现在写完了";
  const json::object replaced = Call("tickets.drafts.save", User(), form);
  EXPECT_EQ(replaced.at("data").at("id"), draft_id);
  EXPECT_EQ(replaced.at("data").at("description"), "现在写完了");
  EXPECT_EQ(Total("tickets.drafts.list", User()), 1);
  EXPECT_EQ(Total("tickets.drafts.list", CustomerAdmin()), 0);
  EXPECT_TRUE(IsError(Call("tickets.drafts.delete", CustomerAdmin(), json::object{{"draft_id", draft_id}}), 10004));
  const json::object deleted = Call("tickets.drafts.delete", User(), json::object{{"draft_id", draft_id}});
  ASSERT_TRUE(IsSuccess(deleted));
  EXPECT_EQ(deleted.at("data"), (json::object{{"draft_id", draft_id}, {"deleted", true}}));
  EXPECT_EQ(Total("tickets.drafts.list", User()), 0);
}

TEST_F(TicketsTest, TheMethodsAreListedWithTheirRoutes) {
  std::map<std::string, std::string> routes;
  for (const auto& method : Portal::Methods()) {
    if (std::string_view(method.name).starts_with("tickets.")) {
      EXPECT_EQ(method.feature, "tickets") << method.name;
      routes[std::string(method.name)] = std::string(method.http_method) + " " + std::string(method.route);
    }
  }
  EXPECT_EQ(routes["tickets.create"], "POST /api/v1/customer-portal/tickets");
  EXPECT_EQ(routes["tickets.list"], "GET /api/v1/customer-portal/tickets");
  EXPECT_EQ(routes["tickets.get"], "GET /api/v1/customer-portal/tickets/{id}");
  EXPECT_EQ(routes["tickets.update"], "PUT /api/v1/customer-portal/tickets/{id}");
  EXPECT_EQ(routes["tickets.status"], "GET /api/v1/customer-portal/tickets/{id}/status");
}

}  // namespace
}  // namespace selfservice::test
