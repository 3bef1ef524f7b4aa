// Issue 5 section 6 for tickets.create: a child process creating tickets on a file database is
// killed (SIGKILL) between and during its commits. After reopening, every ticket it had been
// answered for is there with its `created` event, nothing half-written is visible, every stored
// ticket has the outbox items it owes (its REQ-003 creation and its webhook notification, written
// in its own transaction), and its idempotency keys still answer the tickets they made.

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "harness.hpp"
#include "support/fake_http_server.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {
namespace {

// What the child writes to the pipe once tickets.create has answered 200.
struct Ack {
  std::int64_t key = 0;  // the form's number: its idempotency key is "crash-<key>"
  std::int64_t id = 0;
};

json::object Form(std::int64_t key) {
  return json::object{{"title", "VPN 断开 #" + std::to_string(key)},
                      {"description", "重连后正常；出现 ERR-0417"},
                      {"category", "network"},
                      {"priority", 2},
                      {"idempotency_key", "crash-" + std::to_string(key)}};
}

// The first column of the first row of `sql` on a plain connection to `path`, as text.
std::string Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    } else {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
  } else {
    ADD_FAILURE() << "cannot open " << path;
  }
  sqlite3_close_v2(db);
  return out;
}

json::object Invoke(Portal& portal, std::string_view method, const Caller& caller,
                    const json::object& request) {
  return json::parse(portal.Invoke(method, json::serialize(caller.ToJson()), json::serialize(request)))
      .as_object();
}

TEST(TicketsCrash, AKilledCreatorLosesNoAcknowledgedTicketAndShowsNoHalfTicket) {
  TempDir dir;
  const std::string path = dir.File("portal.db");
  // Neither remote system answers (a closed port): what they are owed stays in the outbox.
  auto parsed = PortalOptions::FromJson(
      R"({"log_level": "off", "ticket_system": {"base_url": ")" + ClosedPortUrl() +
      R"(", "api_token": "t"}, "notifications": {"webhook": {"url": ")" + ClosedPortUrl() +
      R"(/hook", "secret": "s"}}})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().detail();
  PortalOptions options = std::move(parsed).value();
  options.storage = "sqlite:" + path;
  const Caller user = User();
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(acks[0]);
    auto portal = Portal::Open(options);
    if (!portal.ok()) _exit(2);
    for (std::int64_t key = 0; key < 1'000'000; ++key) {
      const json::object answer = Invoke(**portal, "tickets.create", user, Form(key));
      if (answer.at("code").as_int64() != 200) _exit(3);
      const Ack ack{key, answer.at("data").at("id").as_int64()};
      if (write(acks[1], &ack, sizeof ack) != sizeof ack) _exit(4);
    }
    _exit(0);
  }
  close(acks[1]);
  std::vector<Ack> acknowledged;
  Ack ack;
  while (acknowledged.size() < 200 && read(acks[0], &ack, sizeof ack) == sizeof ack)
    acknowledged.push_back(ack);
  kill(child, SIGKILL);
  while (read(acks[0], &ack, sizeof ack) == sizeof ack) acknowledged.push_back(ack);
  close(acks[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended before it was killed: " << status;
  ASSERT_GE(acknowledged.size(), 200u);

  auto portal = Portal::Open(options);
  ASSERT_TRUE(portal.ok());
  std::set<std::int64_t> ids;
  for (const Ack& a : acknowledged) {
    EXPECT_TRUE(ids.insert(a.id).second) << "ticket " << a.id << " acknowledged twice";
    const json::object got = Invoke(**portal, "tickets.get", user, json::object{{"id", a.id}});
    ASSERT_TRUE(IsSuccess(got)) << got;
    EXPECT_EQ(got.at("data").at("title").as_string(), "VPN 断开 #" + std::to_string(a.key));
    const json::object history = Invoke(**portal, "tickets.history", user, json::object{{"id", a.id}});
    ASSERT_TRUE(IsSuccess(history)) << history;
    ASSERT_FALSE(history.at("data").as_array().empty()) << a.id;
    EXPECT_EQ(history.at("data").as_array().front().at("event_type"), "created") << a.id;
  }

  // At most the one creation in flight was committed without its answer reaching the pipe.
  const std::int64_t stored = std::stoll(Query(path, "SELECT count(*) FROM tickets"));
  EXPECT_GE(stored, static_cast<std::int64_t>(acknowledged.size()));
  EXPECT_LE(stored, static_cast<std::int64_t>(acknowledged.size()) + 1);
  EXPECT_EQ(Query(path,
                  "SELECT count(*) FROM tickets WHERE NOT EXISTS (SELECT 1 FROM ticket_events e "
                  "WHERE e.ticket_id = tickets.id AND e.event_type = 'created')"),
            "0");
  EXPECT_EQ(Query(path, "SELECT count(*) - count(DISTINCT idempotency_key) FROM tickets"), "0");
  for (const char* topic : {"tickets.create", "notify.webhook"}) {
    EXPECT_EQ(Query(path, std::string("SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM outbox o "
                                      "WHERE o.tenant_id = t.tenant_id AND o.topic = '") +
                              topic + "' AND o.idempotency_key LIKE 'ticket-' || t.id || '%')"),
              "0")
        << topic;
    EXPECT_EQ(Query(path, std::string("SELECT count(*) - (SELECT count(*) FROM tickets) FROM outbox WHERE topic = '") +
                              topic + "'"),
              "0")
        << topic;
  }
  EXPECT_EQ(
      Query(path,
            "SELECT (SELECT coalesce(sum(tickets), 0) FROM ticket_counts) - (SELECT count(*) FROM tickets)"),
      "0");
  EXPECT_EQ(Query(path, "PRAGMA integrity_check"), "ok");

  // The last acknowledged key and the one in flight each answer one ticket, whatever is asked again.
  const Ack& last = acknowledged.back();
  const json::object again = Invoke(**portal, "tickets.create", user, Form(last.key));
  ASSERT_TRUE(IsSuccess(again)) << again;
  EXPECT_EQ(again.at("data").at("id"), last.id);
  const json::object in_flight = Invoke(**portal, "tickets.create", user, Form(last.key + 1));
  ASSERT_TRUE(IsSuccess(in_flight)) << in_flight;
  EXPECT_EQ(Invoke(**portal, "tickets.create", user, Form(last.key + 1)).at("data").at("id"),
            in_flight.at("data").at("id"));
  EXPECT_EQ(std::stoll(Query(path, "SELECT count(*) FROM tickets")),
            static_cast<std::int64_t>(acknowledged.size()) + 1);
}

}  // namespace
}  // namespace selfservice::test
