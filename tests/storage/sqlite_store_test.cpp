// What only the SQLite adapter promises: private in-memory databases, durable files that keep their
// data and schema version across reopenings, WAL and foreign keys, and the storage URI registry.

#include <sqlite3.h>

#include <atomic>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"
#include "storage/sqlite/schema.hpp"
#include "storage/storage_test_support.hpp"

namespace selfservice {
namespace {

using test::Describe;
using test::PlatformAdmin;
using test::User;

constexpr std::int64_t kT0 = 1'700'000'000'000;

// A plain SQLite connection beside the library's, to look at a database file from outside.
class RawDatabase {
 public:
  explicit RawDatabase(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db_);
    }
  }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;
  ~RawDatabase() { sqlite3_close_v2(db_); }

  // The first column of the first row of `sql`, as text.
  std::string Query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return {};
    }
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  void Exec(const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

std::unique_ptr<Store> Open(const std::string& uri) {
  auto opened = OpenStore(uri);
  EXPECT_TRUE(opened.ok()) << uri << ": " << Describe(opened);
  return opened.ok() ? std::move(opened).value() : nullptr;
}

using Pair = std::pair<std::string, std::string>;

// The value of a PRAGMA as the library's own connections see it, on the writer and on a reader.
Pair PragmaSeenByLibrary(sqlite::Database& db, const char* pragma_sql) {
  auto read = [&](sqlite::Connection& connection) -> Result<std::string> {
    sqlite::Statement stmt = connection.Prepare(pragma_sql);
    if (!stmt.Step()) return std::string();
    return stmt.Text(0);
  };
  auto on_writer = db.Write(read);
  auto on_reader = db.Read(read);
  EXPECT_TRUE(on_writer.ok() && on_reader.ok());
  return {on_writer.ok() ? *on_writer : "", on_reader.ok() ? *on_reader : ""};
}

// --- Memory and file stores ----------------------------------------------------------------------

TEST(SqliteStore, TwoMemoryStoresArePrivateToEachOther) {
  auto first = Open("sqlite::memory:");
  auto second = Open("sqlite::memory:");
  ASSERT_TRUE(first && second);
  const auto owner = User(1, 10, 100);
  ASSERT_TRUE(first->sessions().Create(Scope(owner), test::MinimalSession(owner, "sess_private", kT0)).ok());
  EXPECT_EQ(second->sessions().Get(Scope(owner), "sess_private").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(second->sessions().List(Scope(owner), SessionFilter{}, PageRequest{})->total, 0);
  // The same id is free in the other store.
  EXPECT_TRUE(second->sessions().Create(Scope(owner), test::MinimalSession(owner, "sess_private", kT0)).ok());
}

TEST(SqliteStore, NameIsSqlite) {
  auto store = Open("sqlite::memory:");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->name(), "sqlite");
}

TEST(SqliteStore, ReopenedFileKeepsEveryRepositorysData) {
  test::TempDir dir;
  const std::string uri = "sqlite:" + dir.File("portal.db");
  const auto owner = PlatformAdmin(1, 10, 100);
  Session session = test::FullSession(owner, "sess_kept", kT0);
  Feedback feedback = test::FullFeedback(owner, kT0);
  BehaviorEvent event = test::FullEvent(owner, kT0);
  PortalConfig config;
  Interaction interaction;
  {
    auto store = Open(uri);
    ASSERT_TRUE(store);
    auto created = store->sessions().Create(Scope(owner), session);
    ASSERT_TRUE(created.ok()) << Describe(created);
    session.id = created->id;
    auto updated =
        store->sessions().Update(Scope(owner), "sess_kept", [](Session&, std::vector<Interaction>& append) {
          append.push_back(test::FullInteraction(kT0 + 1));
          return Status::Ok();
        });
    ASSERT_TRUE(updated.ok()) << Describe(updated);
    interaction = updated->appended.at(0);
    auto stored_feedback = store->feedback().Create(Scope(owner), feedback);
    ASSERT_TRUE(stored_feedback.ok());
    feedback.id = stored_feedback->id;
    ASSERT_TRUE(store->analytics().Append(Scope(owner), {event}).ok());
    auto stored_config = store->portal_configs().Upsert(Scope(owner), 10, [](PortalConfig& c) {
      const auto tenant = c.tenant_id;
      const auto customer = c.customer_id;
      c = test::FullConfig(kT0);
      c.tenant_id = tenant;
      c.customer_id = customer;
      return Status::Ok();
    });
    ASSERT_TRUE(stored_config.ok()) << Describe(stored_config);
    config = *stored_config;
  }
  auto store = Open(uri);
  ASSERT_TRUE(store);
  auto got_session = store->sessions().Get(Scope(owner), "sess_kept");
  ASSERT_TRUE(got_session.ok());
  EXPECT_EQ(ToJson(*got_session), ToJson(session));
  auto got_interactions = store->sessions().ListInteractions(Scope(owner), "sess_kept", PageRequest{});
  ASSERT_TRUE(got_interactions.ok() && got_interactions->items.size() == 1u);
  EXPECT_EQ(ToJson(got_interactions->items[0]), ToJson(interaction));
  auto got_feedback = store->feedback().Get(Scope(owner), feedback.id);
  ASSERT_TRUE(got_feedback.ok());
  EXPECT_EQ(ToJson(*got_feedback), ToJson(feedback));
  auto got_events = store->analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{});
  ASSERT_TRUE(got_events.ok() && got_events->items.size() == 1u);
  event.id = got_events->items[0].id;
  EXPECT_EQ(ToJson(got_events->items[0]), ToJson(event));
  auto got_config = store->portal_configs().Find(Scope(owner), 10);
  ASSERT_TRUE(got_config.ok() && got_config->has_value());
  EXPECT_EQ(ToJson(**got_config), ToJson(config));
}

TEST(SqliteStore, FileIsMigratedOnceToTheCurrentSchemaVersion) {
  test::TempDir dir;
  const std::string path = dir.File("portal.db");
  for (int opening = 0; opening < 3; ++opening) {
    // A second run of the migrations would fail on "table already exists" and refuse to open.
    auto store = Open("sqlite:" + path);
    ASSERT_TRUE(store) << "opening " << opening;
    const auto owner = User(1, 10, 100);
    ASSERT_TRUE(store->sessions()
                    .Create(Scope(owner), test::MinimalSession(owner, "sess_" + std::to_string(opening), kT0))
                    .ok());
    EXPECT_EQ(store->sessions().List(Scope(owner), SessionFilter{}, PageRequest{})->total, opening + 1);
  }
  RawDatabase raw(path);
  EXPECT_EQ(raw.Query("PRAGMA user_version"), std::to_string(sqlite::SchemaVersion()));
  EXPECT_EQ(raw.Query("SELECT count(*) FROM self_service_sessions"), "3");
}

// Migration 6 (the title index and the completion indexes) on a database of version 5: the
// titles already there are indexed, and later writes keep the index in step.
TEST(SqliteStore, MigrationSixIndexesTheTitlesOfAnExistingDatabase) {
  test::TempDir dir;
  const std::string path = dir.File("portal.db");
  const auto admin = test::CustomerAdmin(1, 10, 100);
  const auto titles = [&](Store& store, std::string_view fragment) {
    auto found = store.knowledge().TitlesContaining(Scope(admin), fragment, std::nullopt,
                                                    PublicationStatus::published, 10);
    EXPECT_TRUE(found.ok()) << Describe(found);
    return found.ok() ? *found : std::vector<std::string>{};
  };
  {
    auto store = Open("sqlite:" + path);
    ASSERT_TRUE(store);
    std::vector<KnowledgeArticle> articles(3);
    articles[0].title = "Nginx fails to start";
    articles[1].title = "Restart nginx";
    articles[2].title = "Restart nginx";
    articles[0].lang = ArticleLang::en;
    articles[1].lang = ArticleLang::en;
    articles[2].lang = ArticleLang::zh;
    for (auto& article : articles) {
      article.body = "body";
      article.updated_at = Timestamp{kT0};
    }
    ASSERT_TRUE(store->knowledge().UpsertMany(Scope(admin), articles).ok());
  }
  {
    // What a version-5 library left: no title index (nor the ranking index of migration 7), and an
    // article written without it.
    sqlite::Connection raw(path, 1000);
    raw.Exec(
        "DROP TRIGGER knowledge_articles_title_insert; DROP TRIGGER knowledge_articles_title_delete; "
        "DROP TRIGGER knowledge_articles_title_update; DROP TABLE knowledge_title_fts; DROP TABLE "
        "knowledge_titles; "
        "DROP INDEX knowledge_articles_tenant_status_lower_title; DROP INDEX "
        "knowledge_articles_tenant_status_views; "
        "DROP INDEX knowledge_articles_ranking; DROP TRIGGER user_behavior_analytics_search_count; "
        "DROP TABLE search_counts; DROP INDEX user_behavior_analytics_tenant_searches; "
        "DROP TABLE search_index_state; DROP TABLE search_index_pending_deletions; "
        "DROP TABLE knowledge_sync_cursors; "
        "DROP TRIGGER user_behavior_analytics_search_score; DROP TABLE search_counts_daily; "
        "DROP TABLE search_keyword_scores; DROP TABLE outbox; "
        "DROP TABLE service_incident_updates; DROP TABLE service_incidents; DROP TABLE service_status_changes; "
        "DROP TABLE service_maintenance; DROP TABLE service_components; "
        "DROP INDEX customer_feedback_tenant_created_at; ALTER TABLE customer_feedback DROP COLUMN ratings; "
        "ALTER TABLE customer_feedback DROP COLUMN sentiment_source; "
        "DROP TABLE ticket_counts; "
        "DROP TABLE tickets_fts; DROP TABLE ticket_events; DROP TABLE ticket_drafts; DROP TABLE tickets; "
        "DROP TABLE documents; DROP TABLE ticket_attachments; DROP TABLE uploads; "
        "DROP TABLE users; DROP TABLE login_sessions; DROP TABLE login_failures; DROP TABLE one_time_tokens; "
        "DROP TABLE audit_log; "
        "ALTER TABLE customer_portal_configs DROP COLUMN contact_info_sealed; "
        "ALTER TABLE customer_portal_configs DROP COLUMN sso_config_sealed; "
        "ALTER TABLE customer_portal_configs DROP COLUMN security_settings_sealed; "
        "ALTER TABLE user_behavior_analytics DROP COLUMN ip_address_sealed; "
        "ALTER TABLE user_behavior_analytics DROP COLUMN user_agent_sealed; "
        "PRAGMA user_version = 5");
    raw.Exec(
        "INSERT INTO knowledge_articles (tenant_id, title, body, lang, updated_at) "
        "VALUES (1, '配置 nginx 日志', 'body', 'zh', 0)");
  }
  auto store = Open("sqlite:" + path);
  ASSERT_TRUE(store);
  EXPECT_EQ(titles(*store, "ngin"),
            (std::vector<std::string>{"Nginx fails to start", "Restart nginx", "配置 nginx 日志"}));
  EXPECT_EQ(titles(*store, "配置"), (std::vector<std::string>{"配置 nginx 日志"}));
  auto listed = store->knowledge().List(
      Scope(admin), KnowledgeFilter{ArticleLang::zh, std::nullopt, std::nullopt, {}}, PageRequest{1, 10});
  ASSERT_TRUE(listed.ok());
  for (const auto& article : listed->items)
    ASSERT_TRUE(store->knowledge().Delete(Scope(admin), article.id).ok());
  EXPECT_EQ(titles(*store, "ngin"), (std::vector<std::string>{"Nginx fails to start", "Restart nginx"}));
  RawDatabase raw(path);
  EXPECT_EQ(raw.Query("PRAGMA user_version"), std::to_string(sqlite::SchemaVersion()));
  EXPECT_EQ(raw.Query("SELECT group_concat(title || ':' || articles, ', ') FROM knowledge_titles"),
            "Nginx fails to start:1, Restart nginx:1");
}

// Migration 8 (search_counts) on a database of version 7: the search events already there are
// counted, and later ones by the trigger.
TEST(SqliteStore, MigrationEightCountsTheSearchesOfAnExistingDatabase) {
  test::TempDir dir;
  const std::string path = dir.File("portal.db");
  {
    sqlite::Connection raw(path, 1000);
    ASSERT_TRUE(sqlite::Migrate(raw, 7).ok());
    raw.Exec(
        "INSERT INTO user_behavior_analytics (tenant_id, customer_id, user_id, page_path, action_type, "
        "action_target, search_keywords, created_at) VALUES "
        "(1, 10, 100, '/search', 'search', 'results:2', ' VPN  slow', 1700000000000), "
        "(1, 20, 200, '/search', 'search', NULL, 'vpn slow', 1700000001000), "
        "(1, 20, 200, '/search', 'search', 'results:0', 'vpn slow', 1700000002000), "
        "(1, 20, 200, '/search', 'click', 'article:1', 'vpn slow', 1700000003000), "
        "(1, 20, 200, '/search', 'search', 'results:1', '   ', 1700000004000), "
        "(2, 30, 300, '/search', 'search', 'results:1', 'vpn slow', 1700000005000)");
  }
  auto store = Open("sqlite:" + path);
  ASSERT_TRUE(store);
  RawDatabase raw(path);
  EXPECT_EQ(raw.Query("PRAGMA user_version"), std::to_string(sqlite::SchemaVersion()));
  EXPECT_EQ(raw.Query("SELECT group_concat(tenant_id || ':' || keywords || ':' || hour || ':' || searches || ':' || "
                      "offset_sum || ':' || first_at || ':' || last_at || ':' || min_customer || ':' || "
                      "max_customer, ', ') FROM search_counts"),
            "1:vpn slow:472222:2:1601000:1700000000000:1700000001000:10:20, "
            "2:vpn slow:472222:1:805000:1700000005000:1700000005000:30:30");
  BehaviorEvent later = test::MinimalEvent(test::User(1, 30, 300), 1700000006000);
  later.action_type = ActionType::search;
  later.action_target = "results:4";
  later.search_keywords = "Vpn slow";
  ASSERT_TRUE(store->analytics().Append(Scope(test::PlatformAdmin(1, 1, 1)), {later}).ok());
  EXPECT_EQ(raw.Query("SELECT searches || ':' || last_at || ':' || max_customer FROM search_counts "
                      "WHERE tenant_id = 1"),
            "3:1700000006000:30");
}

// Migration 10 (search_counts_daily, search_keyword_scores) on a database of version 9: the
// searches counted per hour are carried over per day and per keywords, and TopSearches answers
// from them what it answered before; later searches are added by the trigger.
TEST(SqliteStore, MigrationTenCarriesTheSearchCountsOfAnExistingDatabaseOver) {
  test::TempDir dir;
  const std::string path = dir.File("portal.db");
  constexpr std::int64_t kDay = 24 * 3600 * 1000LL;
  const std::int64_t day = kT0 / kDay * kDay;  // midnight before kT0
  {
    sqlite::Connection raw(path, 1000);
    ASSERT_TRUE(sqlite::Migrate(raw, 9).ok());
    raw.Exec(
        ("INSERT INTO user_behavior_analytics (tenant_id, customer_id, user_id, page_path, action_type, "
         "action_target, search_keywords, created_at) VALUES "
         "(1, 10, 100, '/search', 'search', 'results:2', ' VPN  slow', " + std::to_string(day + 1000) + "), "
         "(1, 20, 200, '/search', 'search', NULL, 'vpn slow', " + std::to_string(day + 5 * 3600000 + 3000) + "), "
         "(1, 20, 200, '/search', 'search', 'results:0', 'vpn slow', " + std::to_string(day + 6000) + "), "
         "(1, 20, 200, '/search', 'search', 'results:1', 'vpn slow', " + std::to_string(day - 2 * kDay) + "), "
         "(1, 30, 300, '/search', 'search', 'results:1', 'wifi', " + std::to_string(day + 7000) + "), "
         "(2, 30, 300, '/search', 'search', 'results:1', 'vpn slow', " + std::to_string(day + 8000) + ")")
            .c_str());
  }
  auto store = Open("sqlite:" + path);
  ASSERT_TRUE(store);
  RawDatabase raw(path);
  EXPECT_EQ(raw.Query("PRAGMA user_version"), std::to_string(sqlite::SchemaVersion()));
  const std::string d = std::to_string(day / kDay);
  EXPECT_EQ(raw.Query("SELECT group_concat(tenant_id || ':' || keywords || ':' || day || ':' || searches || ':' || "
                      "offset_sum || ':' || first_at || ':' || last_at || ':' || min_customer || ':' || "
                      "max_customer, ', ') FROM search_counts_daily"),
            "1:vpn slow:" + std::to_string(day / kDay - 2) + ":1:0:" + std::to_string(day - 2 * kDay) +
                ":" + std::to_string(day - 2 * kDay) + ":20:20, " +
                "1:vpn slow:" + d + ":2:" + std::to_string(1000 + 5 * 3600000 + 3000) + ":" +
                std::to_string(day + 1000) + ":" + std::to_string(day + 5 * 3600000 + 3000) + ":10:20, " +
                "1:wifi:" + d + ":1:7000:" + std::to_string(day + 7000) + ":" + std::to_string(day + 7000) +
                ":30:30, " + "2:vpn slow:" + d + ":1:8000:" + std::to_string(day + 8000) + ":" +
                std::to_string(day + 8000) + ":30:30");
  EXPECT_EQ(raw.Query("SELECT group_concat(tenant_id || ':' || keywords || ':' || searches || ':' || first_at || ':' || "
                      "last_at || ':' || min_customer || ':' || max_customer, ', ') FROM search_keyword_scores"),
            "1:vpn slow:3:" + std::to_string(day - 2 * kDay) + ":" + std::to_string(day + 5 * 3600000 + 3000) +
                ":10:20, 1:wifi:1:" + std::to_string(day + 7000) + ":" + std::to_string(day + 7000) +
                ":30:30, 2:vpn slow:1:" + std::to_string(day + 8000) + ":" + std::to_string(day + 8000) + ":30:30");
  // The scores: log2 of the sum of 2^(created_at / half-life) (each hour's searches at their mean).
  const auto score = [&](const std::vector<std::int64_t>& times, double half_life) {
    double sum = 0;
    for (std::int64_t at : times) sum += std::exp2(static_cast<double>(at - day) / half_life);
    return static_cast<double>(day) / half_life + std::log2(sum);
  };
  const std::vector<std::int64_t> vpn = {day - 2 * kDay, day + 1000, day + 5 * 3600000 + 3000};
  EXPECT_NEAR(std::stod(raw.Query("SELECT day_score FROM search_keyword_scores WHERE tenant_id = 1 AND keywords = 'vpn slow'")),
              score(vpn, static_cast<double>(kDay)), 1e-9);
  EXPECT_NEAR(std::stod(raw.Query("SELECT week_score FROM search_keyword_scores WHERE tenant_id = 1 AND keywords = 'vpn slow'")),
              score(vpn, 7.0 * static_cast<double>(kDay)), 1e-9);

  const auto top = [&](std::int64_t half_life, const RequestContext& who) {
    TrendQuery query;
    query.now = Timestamp{day + kDay - 1};
    query.since = Timestamp{query.now.millis - 30 * kDay};
    query.half_life_millis = half_life;
    auto found = store->analytics().TopSearches(Scope(who), query);
    EXPECT_TRUE(found.ok()) << Describe(found);
    std::string out;
    for (const auto& trend : found.ok() ? *found : std::vector<SearchTrend>{})
      out += trend.keywords + ":" + std::to_string(trend.count) + " ";
    return out;
  };
  for (const std::int64_t half_life : {kDay, 7 * kDay, kDay + 1}) {
    EXPECT_EQ(top(half_life, test::CustomerAdmin(1, 30, 300)), "vpn slow:3 wifi:1 ") << half_life;
    EXPECT_EQ(top(half_life, test::User(1, 40, 400)), "vpn slow:3 ") << half_life;
    EXPECT_EQ(top(half_life, test::User(2, 30, 300)), "vpn slow:1 ") << half_life;
  }
  // Later searches, in and out of order, are added to both tables.
  for (const std::int64_t at : {day + 3 * kDay / 4, day - kDay}) {
    BehaviorEvent later = test::MinimalEvent(test::User(1, 40, 400), at);
    later.action_type = ActionType::search;
    later.action_target = "results:4";
    later.search_keywords = "WIFI";
    ASSERT_TRUE(store->analytics().Append(Scope(PlatformAdmin(1, 1, 1)), {later}).ok());
  }
  EXPECT_EQ(raw.Query("SELECT group_concat(day || ':' || searches || ':' || max_customer, ', ') FROM search_counts_daily "
                      "WHERE tenant_id = 1 AND keywords = 'wifi'"),
            std::to_string(day / kDay - 1) + ":1:40, " + d + ":2:40");
  EXPECT_EQ(raw.Query("SELECT searches || ':' || first_at || ':' || last_at || ':' || max_customer "
                      "FROM search_keyword_scores WHERE tenant_id = 1 AND keywords = 'wifi'"),
            "3:" + std::to_string(day - kDay) + ":" + std::to_string(day + 3 * kDay / 4) + ":40");
  EXPECT_NEAR(std::stod(raw.Query("SELECT day_score FROM search_keyword_scores WHERE tenant_id = 1 AND keywords = 'wifi'")),
              score({day + 7000, day + 3 * kDay / 4, day - kDay}, static_cast<double>(kDay)), 1e-9);
  for (const std::int64_t half_life : {kDay, 7 * kDay, kDay + 1}) {
    EXPECT_EQ(top(half_life, test::User(1, 50, 500)), "wifi:3 vpn slow:3 ") << half_life;
  }
}

// Rows of ticket_counts (migration 17) that differ from a full count of the tickets, either way;
// a count of zero may stay as a row.
std::string TicketCountsOffByFullCount(RawDatabase& raw) {
  return raw.Query(
      "WITH full AS (SELECT tenant_id, customer_id, user_id, status, count(*) AS n FROM tickets "
      "              GROUP BY tenant_id, customer_id, user_id, status), "
      "     kept AS (SELECT tenant_id, customer_id, user_id, status, tickets AS n FROM ticket_counts WHERE "
      "tickets > 0) "
      "SELECT (SELECT count(*) FROM (SELECT * FROM full EXCEPT SELECT * FROM kept)) + "
      "       (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM full))");
}

// Migration 17 counts the tickets of a database of version 16; its triggers then keep the counts
// equal to a full count through creations, status moves, moves of owner and deletions in several
// tenants, customers and users.
TEST(SqliteStore, TicketCountsAgreeWithAFullCountThroughEveryChange) {
  test::TempDir dir;
  const std::string path = dir.File("portal.db");
  {
    sqlite::Connection raw(path, 1000);
    ASSERT_TRUE(sqlite::Migrate(raw, 16).ok());
    raw.Exec(
        "INSERT INTO tickets (tenant_id, customer_id, user_id, title, description, status, created_at, "
        "updated_at) "
        "VALUES (1, 10, 100, 't', 'd', 'new', 1, 1), (1, 10, 100, 't', 'd', 'new', 2, 2), "
        "(1, 10, 100, 't', 'd', 'closed', 3, 3), (1, 11, 110, 't', 'd', 'open', 4, 4), "
        "(2, 10, 100, 't', 'd', 'new', 5, 5)");
  }
  auto store = Open("sqlite:" + path);
  ASSERT_TRUE(store);
  RawDatabase raw(path);
  EXPECT_EQ(
      raw.Query("SELECT group_concat(tenant_id || ':' || customer_id || ':' || user_id || ':' || status || "
                "':' || tickets, ' ') FROM ticket_counts"),
      "1:10:100:closed:1 1:10:100:new:2 1:11:110:open:1 2:10:100:new:1");
  TicketRepository& tickets = store->tickets();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 35; ++i) {  // the last 5 replay the first 5 keys
    const int form = i % 30;
    const RequestContext owner = User(1 + form % 3, 10 + form % 2, 100 + form % 5);
    Ticket t;
    t.tenant_id = owner.tenant_id;
    t.customer_id = owner.customer_id;
    t.user_id = owner.user_id;
    t.title = "t";
    t.description = "d";
    t.created_at = t.updated_at = Timestamp{kT0 + i};
    auto created = tickets.Create(Scope(owner), t, "key-" + std::to_string(form));
    ASSERT_TRUE(created.ok()) << Describe(created);
    EXPECT_EQ(created->created, i < 30);
    if (created->created) ids.push_back(created->stored.ticket.id);
  }
  EXPECT_EQ(TicketCountsOffByFullCount(raw), "0");
  const TicketStatus moves[] = {TicketStatus::open, TicketStatus::in_progress, TicketStatus::resolved,
                                TicketStatus::closed};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (std::size_t m = 0; m <= i % 4; ++m) {
      auto moved = tickets.Update(Scope(PlatformAdmin(1 + static_cast<std::int64_t>(i % 3), 1, 1)), ids[i],
                                  [&](Ticket& t, std::vector<TicketEvent>&) {
                                    t.status = moves[m];
                                    return Status::Ok();
                                  });
      ASSERT_TRUE(moved.ok()) << Describe(moved);
    }
  }
  EXPECT_EQ(TicketCountsOffByFullCount(raw), "0");
  raw.Exec("UPDATE tickets SET customer_id = 12, user_id = 120 WHERE id % 4 = 0");
  EXPECT_EQ(TicketCountsOffByFullCount(raw), "0");
  raw.Exec("DELETE FROM ticket_events WHERE ticket_id % 3 = 0; DELETE FROM tickets WHERE id % 3 = 0");
  EXPECT_EQ(TicketCountsOffByFullCount(raw), "0");
  EXPECT_EQ(raw.Query("SELECT count(*) FROM ticket_counts WHERE tickets < 0"), "0");
  EXPECT_EQ(raw.Query("SELECT sum(tickets) FROM ticket_counts"), raw.Query("SELECT count(*) FROM tickets"));
}

TEST(SqliteStore, DatabaseOfANewerSchemaIsRefused) {
  test::TempDir dir;
  const std::string path = dir.File("future.db");
  {
    RawDatabase raw(path);
    raw.Exec("CREATE TABLE from_the_future (x INTEGER)");
    raw.Exec("PRAGMA user_version = " + std::to_string(sqlite::SchemaVersion() + 1));
  }
  auto opened = OpenStore("sqlite:" + path);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_FALSE(opened.status().retryable());
  RawDatabase raw(path);
  EXPECT_EQ(raw.Query("PRAGMA user_version"), std::to_string(sqlite::SchemaVersion() + 1));
  EXPECT_EQ(raw.Query("SELECT count(*) FROM sqlite_schema WHERE name = 'self_service_sessions'"), "0");
}

TEST(SqliteStore, UnopenableFileAnswersDatabaseUnavailable) {
  test::TempDir dir;
  auto opened = OpenStore("sqlite:" + dir.File("missing-dir/portal.db"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kDatabaseUnavailable);
}

TEST(SqliteStore, FileUsesWriteAheadLogging) {
  test::TempDir dir;
  const std::string path = dir.File("portal.db");
  auto store = Open("sqlite:" + path);
  ASSERT_TRUE(store);
  RawDatabase raw(path);
  EXPECT_EQ(raw.Query("PRAGMA journal_mode"), "wal");
}

TEST(SqliteStore, EveryConnectionOfAFileHasWalAndForeignKeys) {
  test::TempDir dir;
  auto db = sqlite::Database::Open(dir.File("portal.db"), false, StoreOptions{});
  ASSERT_TRUE(db.ok()) << Describe(db);
  EXPECT_EQ(PragmaSeenByLibrary(**db, "PRAGMA journal_mode"), (Pair{"wal", "wal"}));
  EXPECT_EQ(PragmaSeenByLibrary(**db, "PRAGMA foreign_keys"), (Pair{"1", "1"}));
}

TEST(SqliteStore, EveryConnectionOfAMemoryDatabaseHasForeignKeys) {
  auto db = sqlite::Database::Open("file:/selfservice-fk-test?vfs=memdb", true, StoreOptions{});
  ASSERT_TRUE(db.ok()) << Describe(db);
  EXPECT_EQ(PragmaSeenByLibrary(**db, "PRAGMA foreign_keys"), (Pair{"1", "1"}));
}

// The WAL is checkpointed on a thread of its own, which catches up with back-to-back writes
// (holding the writer for one pass) so the WAL restarts: left behind, it would grow by every write.
TEST(SqliteStore, TheWalStaysBoundedUnderBackToBackWrites) {
  test::TempDir dir;
  const std::string path = dir.File("portal.db");
  auto db = sqlite::Database::Open(path, false, StoreOptions{});
  ASSERT_TRUE(db.ok()) << Describe(db);
  ASSERT_TRUE((*db)->Write([](sqlite::Connection& c) -> Status {
                     c.Exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB)");
                     return Status::Ok();
                   }).ok());
  // 40,000 pages of 4 KiB written (160 MiB) in 5,000 commits of 8 pages each.
  for (int i = 0; i < 5000; ++i) {
    Status written = (*db)->Write([&](sqlite::Connection& c) -> Status {
      c.Prepare("INSERT INTO filler (body) VALUES (zeroblob(32768))").Run();
      return Status::Ok();
    });
    ASSERT_TRUE(written.ok()) << Describe(written);
  }
  const auto wal_bytes = std::filesystem::file_size(path + "-wal");
  EXPECT_LT(wal_bytes, 64u << 20) << wal_bytes;
}

TEST(SqliteStore, ForeignKeysAreEnforced) {
  test::TempDir dir;
  auto db = sqlite::Database::Open(dir.File("portal.db"), false, StoreOptions{});
  ASSERT_TRUE(db.ok()) << Describe(db);
  Status status = (*db)->Write([](sqlite::Connection& connection) -> Status {
    connection
        .Prepare(
            "INSERT INTO session_interactions (session_id, tenant_id, interaction_type, created_at) "
            "VALUES ('sess_missing', 1, 'question', 0)")
        .Run();
    return Status::Ok();
  });
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << Describe(status);
  auto count = (*db)->Read([](sqlite::Connection& connection) -> Result<std::int64_t> {
    sqlite::Statement stmt = connection.Prepare("SELECT count(*) FROM session_interactions");
    stmt.Step();
    return stmt.Int(0);
  });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
}

TEST(SqliteStore, TwoStoresOnOneFileSeeEachOthersWrites) {
  test::TempDir dir;
  const std::string uri = "sqlite:" + dir.File("shared.db");
  auto first = Open(uri);
  auto second = Open(uri);
  ASSERT_TRUE(first && second);
  const auto owner = User(1, 10, 100);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (Store* store : {first.get(), second.get()}) {
    threads.emplace_back([&, store] {
      for (int i = 0; i < 50; ++i) {
        const std::string id =
            "sess_" + std::to_string(reinterpret_cast<std::uintptr_t>(store)) + "_" + std::to_string(i);
        if (!store->sessions().Create(Scope(owner), test::MinimalSession(owner, id, kT0)).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(first->sessions().List(Scope(owner), SessionFilter{}, PageRequest{})->total, 100);
  EXPECT_EQ(second->sessions().List(Scope(owner), SessionFilter{}, PageRequest{})->total, 100);
}

TEST(SqliteStore, StoresOpenedTogetherOnANewFileAllSucceed) {
  // Several portals (or processes) may open a fresh file at the same moment; exactly one migrates it.
  test::TempDir dir;
  const std::string uri = "sqlite:" + dir.File("fresh.db");
  constexpr int kOpeners = 6;
  std::vector<std::unique_ptr<Store>> stores(kOpeners);
  std::vector<Status> statuses(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      auto opened = OpenStore(uri);
      if (opened.ok()) {
        stores[i] = std::move(opened).value();
      } else {
        statuses[i] = opened.status();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kOpeners; ++i)
    EXPECT_TRUE(stores[i] != nullptr) << "opener " << i << ": " << Describe(statuses[i]);
}

// Opens a store on a fresh file while another connection holds it under `lock_sql`, releasing the
// lock a moment later; answers whether the store opened and the file ended up in WAL mode.
void ExpectOpeningWaitsForTheLock(const char* lock_sql) {
  test::TempDir dir;
  const std::string path = dir.File("fresh.db");
  RawDatabase other(path);
  other.Exec("CREATE TABLE other_app (x INTEGER)");
  other.Exec(lock_sql);
  EXPECT_EQ(other.Query("SELECT count(*) FROM other_app"), "0");
  std::thread opener([&] {
    auto store = OpenStore("sqlite:" + path);
    EXPECT_TRUE(store.ok()) << lock_sql << ": " << Describe(store);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  other.Exec("COMMIT");
  opener.join();
  RawDatabase after(path);
  EXPECT_EQ(after.Query("PRAGMA journal_mode"), "wal") << lock_sql;
  EXPECT_EQ(after.Query("PRAGMA user_version"), std::to_string(sqlite::SchemaVersion())) << lock_sql;
}

TEST(SqliteStore, OpeningAFreshFileWaitsForAReaderOfIt) {
  ExpectOpeningWaitsForTheLock("BEGIN");
}

TEST(SqliteStore, OpeningAFreshFileWaitsForAWriterOfIt) {
  // Switching to WAL upgrades a read lock to a write lock, and for such an upgrade SQLite answers
  // SQLITE_BUSY at once instead of calling the busy handler: the store must still wait its turn.
  ExpectOpeningWaitsForTheLock("BEGIN IMMEDIATE");
}

// --- The storage URI registry --------------------------------------------------------------------

TEST(OpenStore, RefusesUnknownSchemesOnTheStorageField) {
  for (const char* uri : {"postgresql://localhost/portal", "mysql:portal", "memory:"}) {
    auto opened = OpenStore(uri);
    ASSERT_FALSE(opened.ok()) << uri;
    EXPECT_EQ(opened.status().code(), ErrorCode::kInvalidArgument) << uri;
    ASSERT_EQ(opened.status().field_errors().size(), 1u) << uri;
    EXPECT_EQ(opened.status().field_errors()[0].field, "storage") << uri;
  }
}

TEST(OpenStore, RefusesUrisWithoutSchemeOrPath) {
  for (const char* uri : {"", "sqlite", ":memory:", "sqlite:", "/tmp/portal.db"}) {
    auto opened = OpenStore(uri);
    ASSERT_FALSE(opened.ok()) << "'" << uri << "'";
    EXPECT_EQ(opened.status().code(), ErrorCode::kInvalidArgument) << "'" << uri << "'";
    ASSERT_FALSE(opened.status().field_errors().empty()) << "'" << uri << "'";
    EXPECT_EQ(opened.status().field_errors()[0].field, "storage") << "'" << uri << "'";
  }
}

TEST(OpenStore, RegisteredSchemeOpensThroughItsFactory) {
  std::string received_uri;
  int received_pool = 0;
  RegisterStoreScheme("conformance-test", [&](std::string_view uri, const StoreOptions& options) {
    received_uri = std::string(uri);
    received_pool = options.pool_size;
    return OpenStore("sqlite::memory:", options);
  });
  StoreOptions options;
  options.pool_size = 2;
  auto opened = OpenStore("conformance-test://anything/at?all", options);
  ASSERT_TRUE(opened.ok()) << Describe(opened);
  EXPECT_EQ(received_uri, "conformance-test://anything/at?all");
  EXPECT_EQ(received_pool, 2);
  const auto owner = User(1, 10, 100);
  EXPECT_TRUE((*opened)->sessions().Create(Scope(owner), test::MinimalSession(owner, "sess_r", kT0)).ok());
  EXPECT_TRUE((*opened)->sessions().Get(Scope(owner), "sess_r").ok());
}

TEST(OpenStore, RegisteringAgainReplacesTheFactory) {
  int first_calls = 0;
  int second_calls = 0;
  RegisterStoreScheme("replaced-test", [&](std::string_view, const StoreOptions& options) {
    ++first_calls;
    return OpenStore("sqlite::memory:", options);
  });
  RegisterStoreScheme("replaced-test",
                      [&](std::string_view, const StoreOptions&) -> Result<std::unique_ptr<Store>> {
                        ++second_calls;
                        return Status::DatabaseUnavailable("down for the test", true);
                      });
  auto opened = OpenStore("replaced-test:x");
  EXPECT_EQ(opened.status().code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_TRUE(opened.status().retryable());
  EXPECT_EQ(first_calls, 0);
  EXPECT_EQ(second_calls, 1);
}

}  // namespace
}  // namespace selfservice
