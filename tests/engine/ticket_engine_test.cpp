// TicketEngine: the ticket lifecycle move by move and who may make each move, the history event of
// every change, escalating and closing the linked session, idempotent creation (also from racing
// threads), closed tickets' immutability, drafts (also the one a failed creation leaves), the
// observer, the list's filters and the row-level scope.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "domain/lifecycle.hpp"
#include "engine/engine_test_support.hpp"
#include "engine/ticket_engine.hpp"

namespace selfservice {
namespace {

using T = TicketStatus;
using test::CustomerAdmin;
using test::Describe;
using test::kMinute;
using test::kStart;
using test::PlatformAdmin;
using test::User;

const T kAll[] = {T::new_, T::open, T::in_progress, T::pending_customer, T::resolved, T::closed, T::reopened};

// The table of docs/TICKETS.md, written out again rather than read from lifecycle.hpp.
const std::set<std::pair<T, T>> kTable = {
    {T::new_, T::open},           {T::open, T::in_progress},             {T::in_progress, T::pending_customer},
    {T::in_progress, T::resolved}, {T::pending_customer, T::in_progress}, {T::pending_customer, T::resolved},
    {T::resolved, T::closed},     {T::resolved, T::reopened},            {T::reopened, T::in_progress}};

// How the support side brings a new ticket to each status.
const std::map<T, std::vector<T>> kPaths = {
    {T::new_, {}},
    {T::open, {T::open}},
    {T::in_progress, {T::open, T::in_progress}},
    {T::pending_customer, {T::open, T::in_progress, T::pending_customer}},
    {T::resolved, {T::open, T::in_progress, T::resolved}},
    {T::closed, {T::open, T::in_progress, T::resolved, T::closed}},
    {T::reopened, {T::open, T::in_progress, T::resolved, T::reopened}}};

// Remembers every change it hears of, and what the store held for the ticket at that moment.
class RecordingObserver final : public TicketObserver {
 public:
  explicit RecordingObserver(Store& store) : store_(store) {}

  void OnTicketChanged(const TicketChange& change) noexcept override {
    auto stored = store_.tickets().StatusOf(Scope(PlatformAdmin(change.tenant_id, 1, 1)), change.ticket_id);
    std::lock_guard lock(mutex_);
    changes.push_back(change);
    stored_status.push_back(stored.ok() ? std::optional(stored->status) : std::nullopt);
  }

  std::vector<TicketChange> changes;
  std::vector<std::optional<T>> stored_status;

 private:
  Store& store_;
  std::mutex mutex_;
};

// Owes one outbox item per change and per edit (topic "test.changes"), or throws while asked when
// `fail` is set, as an observer that cannot build its items would.
class OwingObserver final : public TicketObserver {
 public:
  void OnTicketChanged(const TicketChange& change) noexcept override { announced.push_back(change.ticket_id); }
  void AddOutboxItems(const TicketChange& change, std::vector<OutboxItem>& items) const override {
    if (fail) throw std::runtime_error("cannot build the item");
    items.push_back(Item("ticket-" + std::to_string(change.ticket_id) + "-" + std::string(EnumName(change.to)), change.at));
  }
  void AddOutboxItems(const TicketUpdate& stored, const TicketPatch&, std::vector<OutboxItem>& items) const override {
    if (fail) throw std::runtime_error("cannot build the item");
    items.push_back(Item("ticket-" + std::to_string(stored.ticket.id) + "-edit", stored.ticket.updated_at));
  }

  bool fail = false;
  std::vector<std::int64_t> announced;

 private:
  static OutboxItem Item(std::string key, Timestamp at) {
    OutboxItem item;
    item.topic = "test.changes";
    item.idempotency_key = std::move(key);
    item.payload = "{}";
    item.created_at = item.next_attempt_at = at;
    return item;
  }
};

// A ticket repository whose Create fails as a database that is down does; the rest delegates.
class FailingCreate final : public TicketRepository {
 public:
  explicit FailingCreate(TicketRepository& inner) : inner_(inner) {}
  Result<Created> Create(const Scope&, Ticket, const std::optional<std::string>&, const OutboxItems&) override {
    return Status::DatabaseUnavailable("disk I/O error", true);
  }
  Result<Ticket> Get(const Scope& s, std::int64_t id) override { return inner_.Get(s, id); }
  Result<Ticket> FindByExternalId(const Scope& s, std::string_view id) override {
    return inner_.FindByExternalId(s, id);
  }
  Result<Page<Ticket>> List(const Scope& s, const TicketFilter& f, PageRequest p) override {
    return inner_.List(s, f, p);
  }
  Result<TicketUpdate> Update(const Scope& s, std::int64_t id, const Mutation& m, const OutboxItems& o) override {
    return inner_.Update(s, id, m, o);
  }
  Result<Page<TicketEvent>> History(const Scope& s, std::int64_t id, PageRequest p) override {
    return inner_.History(s, id, p);
  }
  Result<TicketStatusView> StatusOf(const Scope& s, std::int64_t id) override { return inner_.StatusOf(s, id); }
  Result<TicketDraft> SaveDraft(const Scope& s, TicketDraft d) override { return inner_.SaveDraft(s, std::move(d)); }
  Result<TicketDraft> GetDraft(const Scope& s, std::int64_t id) override { return inner_.GetDraft(s, id); }
  Result<Page<TicketDraft>> ListDrafts(const Scope& s, PageRequest p) override { return inner_.ListDrafts(s, p); }
  Status DeleteDraft(const Scope& s, std::int64_t id) override { return inner_.DeleteDraft(s, id); }

 private:
  TicketRepository& inner_;
};

class TicketEngineTest : public test::EngineTest {
 protected:
  static NewTicket Request(std::string title = "VPN 连接失败", std::string description = "每天早上 VPN 断开") {
    NewTicket request;
    request.title = std::move(title);
    request.description = std::move(description);
    request.category = "network";
    request.priority = 2;
    request.contact.email = "li@example.com";
    return request;
  }

  Ticket Create(const RequestContext& who, NewTicket request) {
    auto created = engine_.Create(who, std::move(request));
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? *created : Ticket{};
  }
  Ticket Create() { return Create(user_, Request()); }

  // A new ticket of user_ brought to `status` by the support side.
  Ticket At(T status) {
    Ticket ticket = Create();
    for (T step : kPaths.at(status)) {
      auto moved = engine_.Transition(platform_, ticket.id, step, std::nullopt);
      EXPECT_TRUE(moved.ok()) << Describe(moved);
      if (moved.ok()) ticket = moved->ticket;
    }
    return ticket;
  }

  Ticket Stored(std::int64_t id) {
    auto ticket = store_->tickets().Get(Scope(platform_), id);
    EXPECT_TRUE(ticket.ok()) << Describe(ticket);
    return ticket.ok() ? *ticket : Ticket{};
  }

  std::vector<TicketEvent> History(std::int64_t id) {
    auto history = store_->tickets().History(Scope(platform_), id, PageRequest{1, 100});
    EXPECT_TRUE(history.ok()) << Describe(history);
    return history.ok() ? history->items : std::vector<TicketEvent>{};
  }

  Session StartSession(const RequestContext& who) {
    auto started = sessions_.Start(who, SessionType::ai_chat, "VPN 连不上", std::nullopt);
    EXPECT_TRUE(started.ok()) << Describe(started);
    return started.ok() ? *started : Session{};
  }

  Session StoredSession(const std::string& id) {
    auto session = store_->sessions().Get(Scope(platform_), id);
    EXPECT_TRUE(session.ok()) << Describe(session);
    return session.ok() ? *session : Session{};
  }

  std::int64_t Total(const RequestContext& who, const TicketFilter& filter = {}) {
    auto listed = engine_.List(who, filter, PageRequest{1, 100});
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    return listed.ok() ? listed->total : -1;
  }

  const RequestContext user_ = User(1, 10, 100);
  const RequestContext colleague_ = User(1, 10, 101);
  const RequestContext admin_ = CustomerAdmin(1, 10, 102);
  const RequestContext platform_ = PlatformAdmin(1, 1, 999);
  const RequestContext stranger_ = PlatformAdmin(2, 20, 200);
  RecordingObserver observer_{*store_};
  TicketEngine engine_{*store_, clock_, &observer_};
  SessionEngine sessions_{*store_, clock_};
};

// --- Creation -----------------------------------------------------------------------------------

TEST_F(TicketEngineTest, NewTicketStartsAsNewOwnedByTheCaller) {
  const Ticket ticket = Create();
  EXPECT_GT(ticket.id, 0);
  EXPECT_EQ(ticket.status, T::new_);
  EXPECT_EQ(ticket.tenant_id, 1);
  EXPECT_EQ(ticket.customer_id, 10);
  EXPECT_EQ(ticket.user_id, 100);
  EXPECT_EQ(ticket.created_at, Timestamp{kStart});
  EXPECT_EQ(ToJson(Stored(ticket.id)), ToJson(ticket));
  const auto history = History(ticket.id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].event_type, TicketEventType::created);
  EXPECT_EQ(history[0].to_status, T::new_);
  EXPECT_EQ(history[0].actor_id, 100);
}

TEST_F(TicketEngineTest, InvalidInputNamesTheFieldsAndStoresNothing) {
  NewTicket request = Request("", "   ");
  request.contact.email = "not-an-email";
  request.priority = 7;
  auto created = engine_.Create(user_, request);
  ASSERT_EQ(created.status().code(), ErrorCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& error : created.status().field_errors()) fields.insert(error.field);
  EXPECT_EQ(fields, (std::set<std::string>{"title", "description", "contact.email", "priority"}));
  EXPECT_EQ(Total(platform_), 0);
  EXPECT_TRUE(observer_.changes.empty());
}

TEST_F(TicketEngineTest, SameIdempotencyKeyAnswersTheSameTicket) {
  NewTicket request = Request();
  request.idempotency_key = "form-42";
  const Ticket first = Create(user_, request);
  clock_.Advance(kMinute);
  request.title = "changed";
  const Ticket again = Create(user_, request);
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.title, first.title);
  EXPECT_EQ(Total(platform_), 1);
  EXPECT_EQ(History(first.id).size(), 1u);
  EXPECT_EQ(observer_.changes.size(), 1u);
}

TEST_F(TicketEngineTest, IdempotencyKeyBelongsToOneUser) {
  NewTicket request = Request();
  request.idempotency_key = "form-42";
  const Ticket mine = Create(user_, request);
  const Ticket theirs = Create(colleague_, request);
  const Ticket other_tenant = Create(stranger_, request);
  EXPECT_NE(mine.id, theirs.id);
  EXPECT_NE(mine.id, other_tenant.id);
  EXPECT_EQ(Total(platform_), 2);
}

TEST_F(TicketEngineTest, ConcurrentCreatesWithOneKeyStoreOneTicket) {
  constexpr int kThreads = 8;
  std::vector<std::int64_t> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      NewTicket request = Request();
      request.idempotency_key = "double-click";
      auto created = engine_.Create(user_, request);
      ids[t] = created.ok() ? created->id : -1;
    });
  }
  for (auto& thread : threads) thread.join();
  for (auto id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_GT(ids[0], 0);
  EXPECT_EQ(Total(platform_), 1);
  EXPECT_EQ(History(ids[0]).size(), 1u);
  EXPECT_EQ(observer_.changes.size(), 1u);
}

TEST_F(TicketEngineTest, CreatingFromASessionEscalatesIt) {
  const Session session = StartSession(user_);
  NewTicket request = Request();
  request.session_id = session.session_id;
  const Ticket ticket = Create(user_, request);
  EXPECT_EQ(ticket.session_id, session.session_id);
  EXPECT_EQ(StoredSession(session.session_id).state, SessionState::escalated);
  EXPECT_EQ(StoredSession(session.session_id).resolution_status, ResolutionStatus::escalated);
}

TEST_F(TicketEngineTest, APausedSessionResumesAndIsEscalated) {
  const Session session = StartSession(user_);
  TransitionRequest pause;
  pause.session_id = session.session_id;
  pause.to = SessionState::paused;
  ASSERT_TRUE(sessions_.Transition(user_, pause).ok());
  NewTicket request = Request();
  request.session_id = session.session_id;
  Create(user_, request);
  EXPECT_EQ(StoredSession(session.session_id).state, SessionState::escalated);
}

TEST_F(TicketEngineTest, AnEscalatedSessionIsLinkedToAFurtherTicketAsItIs) {
  const Session session = StartSession(user_);
  NewTicket request = Request();
  request.session_id = session.session_id;
  Create(user_, request);
  const Ticket second = Create(user_, request);
  EXPECT_EQ(second.session_id, session.session_id);
  EXPECT_EQ(StoredSession(session.session_id).state, SessionState::escalated);
}

TEST_F(TicketEngineTest, ASessionThatCannotBeEscalatedRefusesTheTicket) {
  auto started = sessions_.Start(user_, SessionType::search, "", std::nullopt);  // not_started
  ASSERT_TRUE(started.ok());
  NewTicket request = Request();
  request.session_id = started->session_id;
  auto created = engine_.Create(user_, request);
  EXPECT_EQ(created.status().code(), ErrorCode::kTransitionNotAllowed) << Describe(created);
  EXPECT_EQ(Total(platform_), 0);
  EXPECT_EQ(StoredSession(started->session_id).state, SessionState::not_started);
}

TEST_F(TicketEngineTest, AnotherUsersSessionIsNotFound) {
  const Session session = StartSession(colleague_);
  NewTicket request = Request();
  request.session_id = session.session_id;
  // Even a customer_admin, who sees the colleague's session, escalates only their own.
  for (const auto& who : {user_, admin_}) {
    auto created = engine_.Create(who, request);
    EXPECT_EQ(created.status().code(), ErrorCode::kNotFound) << Describe(created);
  }
  EXPECT_EQ(StoredSession(session.session_id).state, SessionState::in_progress);
  EXPECT_EQ(Total(platform_), 0);
}

TEST_F(TicketEngineTest, StoreFailureKeepsTheInputAsADraftAndSaysSo) {
  FailingCreate failing(store_->tickets());
  test::ForwardingStore store(*store_);
  store.tickets_override = &failing;
  TicketEngine engine(store, clock_, &observer_);
  auto created = engine.Create(user_, Request());
  ASSERT_EQ(created.status().code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_TRUE(created.status().retryable());
  ASSERT_EQ(created.status().field_errors().size(), 1u);
  const FieldError& note = created.status().field_errors()[0];
  EXPECT_EQ(note.field, "draft_id");
  EXPECT_EQ(note.code, field_code::kDraftSaved);
  auto drafts = engine_.ListDrafts(user_, PageRequest{});
  ASSERT_TRUE(drafts.ok());
  ASSERT_EQ(drafts->total, 1);
  const TicketDraft& draft = drafts->items[0];
  EXPECT_EQ(note.args, (std::vector<std::pair<std::string, std::string>>{{"draft_id", std::to_string(draft.id)}}));
  EXPECT_EQ(draft.title, "VPN 连接失败");
  EXPECT_EQ(draft.description, "每天早上 VPN 断开");
  EXPECT_EQ(draft.category, "network");
  EXPECT_EQ(draft.priority, 2);
  EXPECT_EQ(draft.contact_email, "li@example.com");
  EXPECT_TRUE(observer_.changes.empty());
}

// --- The lifecycle --------------------------------------------------------------------------------

TEST_F(TicketEngineTest, SupportSideMakesExactlyTheTablesMoves) {
  for (T from : kAll) {
    for (T to : kAll) {
      const Ticket ticket = At(from);
      const std::size_t events = History(ticket.id).size();
      auto moved = engine_.Transition(platform_, ticket.id, to, std::nullopt);
      if (kTable.contains({from, to})) {
        ASSERT_TRUE(moved.ok()) << EnumName(from) << " -> " << EnumName(to) << ": " << Describe(moved);
        EXPECT_EQ(Stored(ticket.id).status, to);
        EXPECT_EQ(History(ticket.id).size(), events + 1);
      } else {
        EXPECT_EQ(moved.status().code(), ErrorCode::kTransitionNotAllowed) << EnumName(from) << " -> " << EnumName(to);
        EXPECT_EQ(ToJson(Stored(ticket.id)), ToJson(ticket));
        EXPECT_EQ(History(ticket.id).size(), events);
      }
    }
  }
}

TEST_F(TicketEngineTest, CustomersOnlyCloseOrReopenAResolvedTicket) {
  for (const RequestContext& customer : {user_, admin_}) {
    for (T from : kAll) {
      for (T to : kAll) {
        const Ticket ticket = At(from);
        auto moved = engine_.Transition(customer, ticket.id, to, std::nullopt);
        const bool customers = from == T::resolved && (to == T::closed || to == T::reopened);
        if (customers) {
          EXPECT_TRUE(moved.ok()) << EnumName(from) << " -> " << EnumName(to) << ": " << Describe(moved);
        } else {
          const ErrorCode expected =
              kTable.contains({from, to}) ? ErrorCode::kPermissionDenied : ErrorCode::kTransitionNotAllowed;
          EXPECT_EQ(moved.status().code(), expected) << EnumName(from) << " -> " << EnumName(to);
          EXPECT_EQ(Stored(ticket.id).status, from);
        }
      }
    }
  }
}

TEST_F(TicketEngineTest, EveryMoveIsAHistoryEventWithItsActorAndComment) {
  const Ticket ticket = At(T::resolved);
  clock_.Advance(kMinute);
  auto closed = engine_.Transition(user_, ticket.id, T::closed, "谢谢，已解决");
  ASSERT_TRUE(closed.ok()) << Describe(closed);
  ASSERT_EQ(closed->appended.size(), 1u);
  const auto history = History(ticket.id);
  ASSERT_EQ(history.size(), 5u);  // created, open, in_progress, resolved, closed
  const TicketEvent& last = history.back();
  EXPECT_EQ(last.id, closed->appended[0].id);
  EXPECT_EQ(last.event_type, TicketEventType::status_changed);
  EXPECT_EQ(last.from_status, T::resolved);
  EXPECT_EQ(last.to_status, T::closed);
  EXPECT_EQ(last.comment, "谢谢，已解决");
  EXPECT_EQ(last.actor_id, 100);
  EXPECT_EQ(last.created_at, Timestamp{kStart + kMinute});
  EXPECT_EQ(history[1].actor_id, 999);
  EXPECT_EQ(closed->ticket.closed_at, Timestamp{kStart + kMinute});
}

TEST_F(TicketEngineTest, ClosingTheTicketClosesItsEscalatedSession) {
  const Session session = StartSession(user_);
  NewTicket request = Request();
  request.session_id = session.session_id;
  const Ticket ticket = Create(user_, request);
  for (T step : kPaths.at(T::resolved)) ASSERT_TRUE(engine_.Transition(platform_, ticket.id, step, std::nullopt).ok());
  EXPECT_EQ(StoredSession(session.session_id).state, SessionState::escalated);
  clock_.Advance(kMinute);
  ASSERT_TRUE(engine_.Transition(user_, ticket.id, T::closed, std::nullopt).ok());
  const Session closed = StoredSession(session.session_id);
  EXPECT_EQ(closed.state, SessionState::closed);
  EXPECT_EQ(closed.updated_at, Timestamp{kStart + kMinute});
}

TEST_F(TicketEngineTest, ClosedTicketIsImmutable) {
  const Ticket ticket = At(T::closed);
  TicketPatch patch;
  patch.comment = "one more thing";
  patch.priority = 1;
  auto updated = engine_.Update(user_, ticket.id, patch);
  EXPECT_EQ(updated.status().code(), ErrorCode::kTransitionNotAllowed);
  for (T to : kAll) {
    EXPECT_EQ(engine_.Transition(platform_, ticket.id, to, std::nullopt).status().code(),
              ErrorCode::kTransitionNotAllowed);
  }
  EXPECT_EQ(ToJson(Stored(ticket.id)), ToJson(ticket));
}

// --- Updates --------------------------------------------------------------------------------------

TEST_F(TicketEngineTest, UpdateChangesPriorityAndContactAndRecordsTheComment) {
  const Ticket ticket = Create();
  clock_.Advance(kMinute);
  TicketPatch patch;
  patch.comment = "截图见附件";
  patch.priority = 1;
  patch.contact = TicketContact{std::nullopt, "+86 138 0000 0000"};
  auto updated = engine_.Update(user_, ticket.id, patch);
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->ticket.priority, 1);
  EXPECT_EQ(updated->ticket.contact_email, std::nullopt);
  EXPECT_EQ(updated->ticket.contact_phone, "+86 138 0000 0000");
  EXPECT_EQ(updated->ticket.updated_at, Timestamp{kStart + kMinute});
  EXPECT_EQ(updated->ticket.status, T::new_);
  EXPECT_EQ(ToJson(Stored(ticket.id)), ToJson(updated->ticket));
  const auto history = History(ticket.id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].event_type, TicketEventType::comment);
  EXPECT_EQ(history[1].comment, "截图见附件");
  EXPECT_EQ(history[1].actor_id, 100);
  EXPECT_EQ(history[1].from_status, std::nullopt);
  EXPECT_EQ(observer_.changes.size(), 1u);  // the creation only
}

TEST_F(TicketEngineTest, InvalidUpdateWritesNothing) {
  const Ticket ticket = Create();
  TicketPatch patch;
  patch.comment = "ok";
  patch.contact = TicketContact{"broken", std::nullopt};
  auto updated = engine_.Update(user_, ticket.id, patch);
  ASSERT_EQ(updated.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(updated.status().field_errors()[0].field, "contact.email");
  EXPECT_EQ(ToJson(Stored(ticket.id)), ToJson(ticket));
  EXPECT_EQ(History(ticket.id).size(), 1u);
}

// --- The observer -------------------------------------------------------------------------------

TEST_F(TicketEngineTest, ObserverHearsEachCreationAndMoveOnceAfterCommit) {
  const Ticket ticket = Create();
  ASSERT_TRUE(engine_.Transition(platform_, ticket.id, T::open, "acknowledged").ok());
  EXPECT_FALSE(engine_.Transition(platform_, ticket.id, T::closed, std::nullopt).ok());
  TicketPatch patch;
  patch.comment = "note";
  ASSERT_TRUE(engine_.Update(user_, ticket.id, patch).ok());
  ASSERT_EQ(observer_.changes.size(), 2u);
  EXPECT_EQ(observer_.changes[0].from, std::nullopt);
  EXPECT_EQ(observer_.changes[0].to, T::new_);
  EXPECT_EQ(observer_.changes[0].actor_id, 100);
  EXPECT_EQ(observer_.changes[0].title, "VPN 连接失败");
  EXPECT_EQ(observer_.changes[0].contact_email, "li@example.com");
  EXPECT_EQ(observer_.changes[1].from, T::new_);
  EXPECT_EQ(observer_.changes[1].to, T::open);
  EXPECT_EQ(observer_.changes[1].comment, "acknowledged");
  EXPECT_EQ(observer_.changes[1].actor_id, 999);
  EXPECT_EQ(observer_.changes[1].customer_id, 10);
  // What the observer read from the store is already the new status: the change was committed.
  EXPECT_EQ(observer_.stored_status, (std::vector<std::optional<T>>{T::new_, T::open}));
}

TEST_F(TicketEngineTest, TheOutboxItemsOfAChangeAreStoredWithIt) {
  OwingObserver owing;
  TicketEngine engine(*store_, clock_, &owing);
  auto created = engine.Create(user_, Request());
  ASSERT_TRUE(created.ok()) << Describe(created);
  ASSERT_TRUE(engine.Transition(platform_, created->id, T::open, std::nullopt).ok());
  TicketPatch patch;
  patch.priority = 1;
  ASSERT_TRUE(engine.Update(user_, created->id, patch).ok());
  auto counts = store_->outbox().Counts(Scope(platform_), "test.changes");
  ASSERT_TRUE(counts.ok()) << Describe(counts);
  EXPECT_EQ(counts->pending, 3);
  EXPECT_EQ(owing.announced.size(), 2u);  // the creation and the move, after their commits
}

TEST_F(TicketEngineTest, AChangeWhoseOutboxItemsCannotBeBuiltIsNotWritten) {
  OwingObserver owing;
  TicketEngine engine(*store_, clock_, &owing);
  auto created = engine.Create(user_, Request());
  ASSERT_TRUE(created.ok()) << Describe(created);
  owing.fail = true;
  auto moved = engine.Transition(platform_, created->id, T::open, std::nullopt);
  EXPECT_EQ(moved.status().code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_EQ(Stored(created->id).status, T::new_);
  EXPECT_EQ(History(created->id).size(), 1u);
  TicketPatch patch;
  patch.priority = 1;
  EXPECT_EQ(engine.Update(user_, created->id, patch).status().code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_EQ(Stored(created->id).priority, 2);
  auto again = engine.Create(user_, Request("another"));
  EXPECT_EQ(again.status().code(), ErrorCode::kDatabaseUnavailable);  // kept as a draft instead
  EXPECT_EQ(Total(platform_), 1);
  auto counts = store_->outbox().Counts(Scope(platform_), "test.changes");
  ASSERT_TRUE(counts.ok()) << Describe(counts);
  EXPECT_EQ(counts->pending, 1);  // the first creation's only
  EXPECT_EQ(owing.announced.size(), 1u);
}

TEST_F(TicketEngineTest, EngineWorksWithoutAnObserver) {
  TicketEngine engine(*store_, clock_, nullptr);
  auto created = engine.Create(user_, Request());
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(engine.Transition(platform_, created->id, T::open, std::nullopt).ok());
}

// --- Scope ----------------------------------------------------------------------------------------

TEST_F(TicketEngineTest, OtherTenantsAndUsersDoNotSeeTheTicket) {
  const Ticket ticket = Create();
  TicketPatch patch;
  patch.comment = "x";
  for (const RequestContext& who : {stranger_, colleague_}) {
    EXPECT_EQ(engine_.Get(who, ticket.id).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(engine_.StatusOf(who, ticket.id).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(engine_.History(who, ticket.id, PageRequest{}).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(engine_.Update(who, ticket.id, patch).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(engine_.Transition(who, ticket.id, T::open, std::nullopt).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(Total(who), 0);
  }
  EXPECT_EQ(ToJson(Stored(ticket.id)), ToJson(ticket));
  EXPECT_TRUE(engine_.Get(admin_, ticket.id).ok());  // the customer's administrator sees it
}

TEST_F(TicketEngineTest, StatusAnswersIdStatusAndUpdatedAt) {
  const Ticket ticket = Create();
  clock_.Advance(kMinute);
  ASSERT_TRUE(engine_.Transition(platform_, ticket.id, T::open, std::nullopt).ok());
  auto status = engine_.StatusOf(user_, ticket.id);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(status->id, ticket.id);
  EXPECT_EQ(status->status, T::open);
  EXPECT_EQ(status->updated_at, Timestamp{kStart + kMinute});
}

// --- The list -------------------------------------------------------------------------------------

TEST_F(TicketEngineTest, ListFiltersByStatusCategoryCreationAndKeyword) {
  NewTicket vpn = Request("VPN drops every morning", "The tunnel closes at 9:00");
  const Ticket first = Create(user_, vpn);
  clock_.Advance(kMinute);
  NewTicket printer = Request("Printer jam", "打印机卡纸，型号 HP-4200");
  printer.category = "hardware";
  const Ticket second = Create(user_, printer);
  clock_.Advance(kMinute);
  const Ticket third = Create(colleague_, Request("邮件收不到", "Outlook 无法同步"));
  ASSERT_TRUE(engine_.Transition(platform_, second.id, T::open, std::nullopt).ok());

  TicketFilter by_status;
  by_status.status = T::open;
  EXPECT_EQ(Total(platform_, by_status), 1);
  TicketFilter by_category;
  by_category.category = "network";
  EXPECT_EQ(Total(platform_, by_category), 2);
  TicketFilter by_time;
  by_time.created_from = Timestamp{kStart + kMinute};
  by_time.created_to = Timestamp{kStart + kMinute};
  auto in_range = engine_.List(platform_, by_time, PageRequest{});
  ASSERT_TRUE(in_range.ok());
  ASSERT_EQ(in_range->items.size(), 1u);
  EXPECT_EQ(in_range->items[0].id, second.id);
  for (const char* keyword : {"vpn", "TUNNEL", "卡纸", "hp-4200", "纸", "9:", "收不到"}) {
    TicketFilter by_keyword;
    by_keyword.keyword = keyword;
    EXPECT_EQ(Total(platform_, by_keyword), 1) << keyword;
  }
  TicketFilter wildcard;
  wildcard.keyword = "%";
  EXPECT_EQ(Total(platform_, wildcard), 0);
  // Newest first, and each caller sees what the scope lets it.
  auto all = engine_.List(platform_, {}, PageRequest{1, 2});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 3);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0].id, third.id);
  EXPECT_EQ(all->items[1].id, second.id);
  EXPECT_EQ(Total(user_), 2);
  EXPECT_EQ(Total(colleague_), 1);
  EXPECT_EQ(Total(admin_), 3);
  EXPECT_EQ(Total(stranger_), 0);
  (void)first;
}

// --- Drafts ---------------------------------------------------------------------------------------

TEST_F(TicketEngineTest, DraftsAreSavedReplacedListedAndDeleted) {
  TicketDraft draft;
  draft.title = "半成品";
  auto saved = engine_.SaveDraft(user_, draft);
  ASSERT_TRUE(saved.ok()) << Describe(saved);
  EXPECT_GT(saved->id, 0);
  EXPECT_EQ(saved->user_id, 100);
  clock_.Advance(kMinute);
  TicketDraft edit = *saved;
  edit.description = "更多细节";
  edit.priority = 3;
  auto replaced = engine_.SaveDraft(user_, edit);
  ASSERT_TRUE(replaced.ok()) << Describe(replaced);
  EXPECT_EQ(replaced->id, saved->id);
  EXPECT_EQ(replaced->description, "更多细节");
  EXPECT_EQ(replaced->created_at, Timestamp{kStart});
  EXPECT_EQ(replaced->updated_at, Timestamp{kStart + kMinute});
  auto listed = engine_.ListDrafts(user_, PageRequest{});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total, 1);
  EXPECT_TRUE(engine_.DeleteDraft(user_, saved->id).ok());
  EXPECT_EQ(engine_.DeleteDraft(user_, saved->id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(engine_.ListDrafts(user_, PageRequest{})->total, 0);
}

TEST_F(TicketEngineTest, DraftsAreTheCallersOwnWhateverTheRole) {
  auto saved = engine_.SaveDraft(user_, TicketDraft{});
  ASSERT_TRUE(saved.ok());
  for (const RequestContext& who : {colleague_, admin_, platform_, stranger_}) {
    EXPECT_EQ(engine_.ListDrafts(who, PageRequest{})->total, 0);
    EXPECT_EQ(engine_.DeleteDraft(who, saved->id).code(), ErrorCode::kNotFound);
    TicketDraft overwrite;
    overwrite.id = saved->id;
    EXPECT_EQ(engine_.SaveDraft(who, overwrite).status().code(), ErrorCode::kNotFound);
  }
  EXPECT_EQ(engine_.ListDrafts(user_, PageRequest{})->total, 1);
}

TEST_F(TicketEngineTest, InvalidDraftIsRefused) {
  TicketDraft draft;
  draft.priority = 0;
  draft.contact_email = "nope";
  draft.title = std::string(201, 'x');
  auto saved = engine_.SaveDraft(user_, draft);
  ASSERT_EQ(saved.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(saved.status().field_errors().size(), 3u) << Describe(saved);
}

TEST_F(TicketEngineTest, AUserKeepsTheNewestDraftsOnly) {
  std::int64_t first = 0;
  for (int i = 0; i < TicketRepository::kMaxDrafts + 1; ++i) {
    clock_.Advance(1);
    auto saved = engine_.SaveDraft(user_, TicketDraft{});
    ASSERT_TRUE(saved.ok());
    if (i == 0) first = saved->id;
  }
  EXPECT_EQ(engine_.ListDrafts(user_, PageRequest{})->total, TicketRepository::kMaxDrafts);
  EXPECT_EQ(store_->tickets().GetDraft(Scope(user_), first).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace selfservice
