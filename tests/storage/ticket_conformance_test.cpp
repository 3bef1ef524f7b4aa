// Ticket repository conformance: the TicketRepository contract of repository.hpp (round trips,
// idempotent creation, atomic updates with their history, the list's filters, row-level scope and
// drafts), run against every storage adapter (each URI of kStorageUris), and kept across a
// reopening of a file.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "selfservice/repository.hpp"
#include "storage/storage_test_support.hpp"

namespace selfservice {
namespace {

using test::CustomerAdmin;
using test::Describe;
using test::PlatformAdmin;
using test::User;

constexpr std::int64_t kT0 = 1'700'000'000'000;

Ticket FullTicket(const RequestContext& owner, std::int64_t created) {
  Ticket t;
  t.tenant_id = owner.tenant_id;
  t.customer_id = owner.customer_id;
  t.user_id = owner.user_id;
  t.external_id = "REQ003-77";
  t.session_id = "sess_0123456789abcdef01234567";
  t.title = "无法登录 cannot log in";
  t.description = "登录页报错 500 since this morning";
  t.category = "account";
  t.priority = 1;
  t.status = TicketStatus::pending_customer;
  t.contact_email = "li@example.com";
  t.contact_phone = "+86 10 1234 5678";
  t.created_at = Timestamp{created};
  t.updated_at = Timestamp{created + 5};
  t.closed_at = Timestamp{created + 9};
  return t;
}

Ticket MinimalTicket(const RequestContext& owner, std::int64_t created, std::string title = "t") {
  Ticket t;
  t.tenant_id = owner.tenant_id;
  t.customer_id = owner.customer_id;
  t.user_id = owner.user_id;
  t.title = std::move(title);
  t.description = "d";
  t.created_at = t.updated_at = Timestamp{created};
  return t;
}

class TicketConformance : public test::AdapterTest {
 protected:
  TicketRepository& tickets() { return store_->tickets(); }

  Ticket Create(const RequestContext& owner, Ticket ticket, std::optional<std::string> key = std::nullopt) {
    auto created = tickets().Create(Scope(owner), std::move(ticket), key);
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? created->stored.ticket : Ticket{};
  }

  std::int64_t Total(const RequestContext& who, const TicketFilter& filter = {}) {
    auto listed = tickets().List(Scope(who), filter, PageRequest{1, 100});
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    return listed.ok() ? listed->total : -1;
  }

  const RequestContext user_ = User(1, 10, 100);
  const RequestContext admin_ = CustomerAdmin(1, 10, 101);
  const RequestContext platform_ = PlatformAdmin(1, 1, 1);
};

TEST_P(TicketConformance, EveryFieldRoundTrips) {
  const Ticket full = Create(user_, FullTicket(user_, kT0));
  const Ticket minimal = Create(user_, MinimalTicket(user_, kT0));
  for (const Ticket& stored : {full, minimal}) {
    auto read = tickets().Get(Scope(user_), stored.id);
    ASSERT_TRUE(read.ok()) << Describe(read);
    EXPECT_EQ(ToJson(*read), ToJson(stored));
  }
  EXPECT_EQ(ToJson(full), [&] {
    Ticket expected = FullTicket(user_, kT0);
    expected.id = full.id;
    return ToJson(expected);
  }());
}

TEST_P(TicketConformance, CreationWritesTheCreatedEvent) {
  auto created = tickets().Create(Scope(user_), MinimalTicket(user_, kT0), std::nullopt);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->created);
  ASSERT_EQ(created->stored.appended.size(), 1u);
  auto history = tickets().History(Scope(user_), created->stored.ticket.id, PageRequest{});
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->total, 1);
  const TicketEvent& event = history->items[0];
  EXPECT_EQ(event.id, created->stored.appended[0].id);
  EXPECT_EQ(event.event_type, TicketEventType::created);
  EXPECT_EQ(event.from_status, std::nullopt);
  EXPECT_EQ(event.to_status, TicketStatus::new_);
  EXPECT_EQ(event.actor_id, 100);
  EXPECT_EQ(event.created_at, Timestamp{kT0});
}

TEST_P(TicketConformance, OneTicketPerUserAndIdempotencyKey) {
  auto first = tickets().Create(Scope(user_), MinimalTicket(user_, kT0, "first"), "k1");
  auto again = tickets().Create(Scope(user_), MinimalTicket(user_, kT0 + 1, "second"), "k1");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(again->created);
  EXPECT_TRUE(again->stored.appended.empty());
  EXPECT_EQ(ToJson(again->stored.ticket), ToJson(first->stored.ticket));
  // Another user's same key, and tickets without a key, are tickets of their own.
  auto other = tickets().Create(Scope(admin_), MinimalTicket(admin_, kT0), "k1");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->created);
  Create(user_, MinimalTicket(user_, kT0));
  Create(user_, MinimalTicket(user_, kT0));
  EXPECT_EQ(Total(platform_), 4);
}

TEST_P(TicketConformance, UpdateStoresTheTicketAndItsEventsOrNothing) {
  const Ticket ticket = Create(user_, MinimalTicket(user_, kT0));
  auto failed = tickets().Update(Scope(user_), ticket.id, [](Ticket& t, std::vector<TicketEvent>& append) {
    t.priority = 1;
    append.push_back(TicketEvent{});
    return Status::InvalidField("priority", field_code::kInvalid);
  });
  EXPECT_EQ(failed.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ToJson(*tickets().Get(Scope(user_), ticket.id)), ToJson(ticket));
  auto updated = tickets().Update(Scope(user_), ticket.id, [](Ticket& t, std::vector<TicketEvent>& append) {
    t.status = TicketStatus::open;
    t.user_id = 999;  // identity never changes
    t.updated_at = Timestamp{kT0 + 7};
    TicketEvent event;
    event.event_type = TicketEventType::status_changed;
    event.from_status = TicketStatus::new_;
    event.to_status = TicketStatus::open;
    event.actor_id = 1;
    event.created_at = Timestamp{kT0 + 7};
    append.push_back(event);
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->ticket.user_id, 100);
  EXPECT_EQ(ToJson(*tickets().Get(Scope(user_), ticket.id)), ToJson(updated->ticket));
  auto status = tickets().StatusOf(Scope(user_), ticket.id);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, TicketStatus::open);
  EXPECT_EQ(status->updated_at, Timestamp{kT0 + 7});
  auto history = tickets().History(Scope(user_), ticket.id, PageRequest{});
  ASSERT_EQ(history->total, 2);
  EXPECT_EQ(history->items[1].event_type, TicketEventType::status_changed);
  EXPECT_EQ(history->items[1].ticket_id, ticket.id);
  EXPECT_EQ(history->items[1].tenant_id, 1);
}

TEST_P(TicketConformance, OutsideTheScopeIsNotFound) {
  const Ticket ticket = Create(user_, MinimalTicket(user_, kT0));
  const auto noop = [](Ticket&, std::vector<TicketEvent>&) { return Status::Ok(); };
  for (const RequestContext& who : {User(1, 10, 102), CustomerAdmin(1, 11, 110), PlatformAdmin(2, 1, 1)}) {
    const Scope scope(who);
    EXPECT_EQ(tickets().Get(scope, ticket.id).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(tickets().StatusOf(scope, ticket.id).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(tickets().History(scope, ticket.id, PageRequest{}).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(tickets().Update(scope, ticket.id, noop).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(Total(who), 0);
  }
  EXPECT_EQ(tickets().Create(Scope(PlatformAdmin(2, 1, 1)), MinimalTicket(user_, kT0), std::nullopt).status().code(),
            ErrorCode::kNotFound);
  EXPECT_TRUE(tickets().Get(Scope(admin_), ticket.id).ok());
}

TEST_P(TicketConformance, ListFiltersAndOrdersNewestFirst) {
  Ticket a = MinimalTicket(user_, kT0, "Printer on floor 3");
  a.category = "hardware";
  Ticket b = MinimalTicket(user_, kT0 + 10, "打印机卡纸");
  b.status = TicketStatus::open;
  Ticket c = MinimalTicket(admin_, kT0 + 20, "VPN");
  c.description = "100% 掉线 under_load";
  const std::int64_t ia = Create(user_, a).id, ib = Create(user_, b).id, ic = Create(admin_, c).id;
  auto all = tickets().List(Scope(platform_), {}, PageRequest{1, 2});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 3);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0].id, ic);
  EXPECT_EQ(all->items[1].id, ib);
  TicketFilter f;
  f.status = TicketStatus::open;
  EXPECT_EQ(Total(platform_, f), 1);
  f = {};
  f.category = "hardware";
  EXPECT_EQ(Total(user_, f), 1);
  f = {};
  f.created_from = Timestamp{kT0 + 5};
  f.created_to = Timestamp{kT0 + 15};
  auto ranged = tickets().List(Scope(platform_), f, PageRequest{});
  ASSERT_EQ(ranged->items.size(), 1u);
  EXPECT_EQ(ranged->items[0].id, ib);
  const std::vector<std::pair<std::string, std::int64_t>> keywords = {
      {"printer", ia}, {"FLOOR 3", ia}, {"卡纸", ib}, {"打印机卡", ib}, {"100%", ic}, {"_load", ic}, {"%", ic}};
  for (const auto& [keyword, id] : keywords) {
    f = {};
    f.keyword = keyword;
    auto found = tickets().List(Scope(platform_), f, PageRequest{});
    ASSERT_TRUE(found.ok()) << keyword;
    ASSERT_EQ(found->total, 1) << keyword;
    EXPECT_EQ(found->items[0].id, id) << keyword;
  }
  f = {};
  f.keyword = "printer";
  auto past_the_end = tickets().List(Scope(platform_), f, PageRequest{2, 1});
  ASSERT_TRUE(past_the_end.ok());
  EXPECT_TRUE(past_the_end->items.empty());
  EXPECT_EQ(past_the_end->total, 1);
  f.keyword = "VPN";
  EXPECT_EQ(Total(user_, f), 0);  // the admin's ticket is not the user's
  EXPECT_EQ(Total(admin_, f), 1);
}

// The totals of a filter of status and visibility alone (which the SQLite adapter reads from its
// counts rather than the tickets) stay exact across tenants, customers, users and status moves.
TEST_P(TicketConformance, StatusTotalsFollowCreationsAndMovesInEveryScope) {
  const RequestContext owners[] = {User(1, 10, 100), User(1, 10, 102), User(1, 11, 110), User(2, 10, 100)};
  std::vector<Ticket> created;
  for (int i = 0; i < 12; ++i) {
    const RequestContext& owner = owners[i % 4];
    created.push_back(Create(owner, MinimalTicket(owner, kT0 + i), "key-" + std::to_string(i)));
  }
  Create(owners[0], MinimalTicket(owners[0], kT0), "key-0");  // a replayed key counts once
  const auto move = [&](const Ticket& ticket, TicketStatus to) {
    auto moved = tickets().Update(Scope(PlatformAdmin(ticket.tenant_id, 1, 1)), ticket.id,
                                  [to](Ticket& t, std::vector<TicketEvent>&) {
                                    t.status = to;
                                    return Status::Ok();
                                  });
    EXPECT_TRUE(moved.ok()) << Describe(moved);
  };
  move(created[0], TicketStatus::open);    // owners[0]
  move(created[0], TicketStatus::closed);  // owners[0], moved twice
  move(created[5], TicketStatus::open);    // owners[1]
  move(created[6], TicketStatus::open);    // owners[2]
  move(created[7], TicketStatus::closed);  // owners[3], tenant 2
  move(created[4], TicketStatus::new_);    // owners[0], a move to the status it has
  TicketFilter open;
  open.status = TicketStatus::open;
  TicketFilter fresh;
  fresh.status = TicketStatus::new_;
  TicketFilter closed;
  closed.status = TicketStatus::closed;
  EXPECT_EQ(Total(owners[0]), 3);
  EXPECT_EQ(Total(owners[0], fresh), 2);
  EXPECT_EQ(Total(owners[0], closed), 1);
  EXPECT_EQ(Total(owners[0], open), 0);
  EXPECT_EQ(Total(owners[1], open), 1);
  EXPECT_EQ(Total(CustomerAdmin(1, 10, 101)), 6);
  EXPECT_EQ(Total(CustomerAdmin(1, 10, 101), open), 1);
  EXPECT_EQ(Total(CustomerAdmin(1, 11, 111), open), 1);
  EXPECT_EQ(Total(PlatformAdmin(1, 1, 1)), 9);
  EXPECT_EQ(Total(PlatformAdmin(1, 1, 1), open), 2);
  EXPECT_EQ(Total(PlatformAdmin(1, 1, 1), fresh), 6);
  EXPECT_EQ(Total(PlatformAdmin(1, 1, 1), closed), 1);
  EXPECT_EQ(Total(PlatformAdmin(2, 1, 1)), 3);
  EXPECT_EQ(Total(PlatformAdmin(2, 1, 1), closed), 1);
  EXPECT_EQ(Total(PlatformAdmin(3, 1, 1)), 0);
}

TEST_P(TicketConformance, DraftsBelongToTheirUser) {
  TicketDraft draft;
  draft.title = "半成品";
  draft.priority = 2;
  draft.updated_at = Timestamp{kT0};
  auto saved = tickets().SaveDraft(Scope(user_), draft);
  ASSERT_TRUE(saved.ok()) << Describe(saved);
  EXPECT_EQ(saved->user_id, 100);
  EXPECT_EQ(saved->customer_id, 10);
  EXPECT_EQ(saved->created_at, Timestamp{kT0});
  EXPECT_EQ(saved->description, std::nullopt);
  TicketDraft edit = *saved;
  edit.description = "more";
  edit.updated_at = Timestamp{kT0 + 1};
  auto replaced = tickets().SaveDraft(Scope(user_), edit);
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->id, saved->id);
  EXPECT_EQ(replaced->created_at, Timestamp{kT0});
  EXPECT_EQ(replaced->updated_at, Timestamp{kT0 + 1});
  EXPECT_EQ(tickets().GetDraft(Scope(admin_), saved->id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(tickets().SaveDraft(Scope(admin_), edit).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(tickets().DeleteDraft(Scope(platform_), saved->id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(tickets().ListDrafts(Scope(admin_), PageRequest{})->total, 0);
  EXPECT_TRUE(tickets().DeleteDraft(Scope(user_), saved->id).ok());
  EXPECT_EQ(tickets().ListDrafts(Scope(user_), PageRequest{})->total, 0);
}

INSTANTIATE_TEST_SUITE_P(Adapters, TicketConformance, ::testing::ValuesIn(test::kStorageUris), test::AdapterName);

TEST(TicketFile, TicketsHistoryAndDraftsOutliveTheStore) {
  test::TempDir dir;
  const std::string uri = "sqlite:" + dir.File("portal.db");
  const RequestContext user = User(1, 10, 100);
  std::int64_t id = 0;
  {
    auto store = OpenStore(uri);
    ASSERT_TRUE(store.ok());
    auto created = (*store)->tickets().Create(Scope(user), MinimalTicket(user, kT0), "k");
    ASSERT_TRUE(created.ok());
    id = created->stored.ticket.id;
    ASSERT_TRUE((*store)->tickets().SaveDraft(Scope(user), TicketDraft{}).ok());
  }
  auto store = OpenStore(uri);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->tickets().Get(Scope(user), id).ok());
  EXPECT_EQ((*store)->tickets().History(Scope(user), id, PageRequest{})->total, 1);
  EXPECT_EQ((*store)->tickets().ListDrafts(Scope(user), PageRequest{})->total, 1);
  auto again = (*store)->tickets().Create(Scope(user), MinimalTicket(user, kT0), "k");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->stored.ticket.id, id);
}

}  // namespace
}  // namespace selfservice
