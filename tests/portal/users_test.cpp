// users.*: accounts of a customer (customer_admin) or of the tenant (platform_admin), roles and
// who may grant them, and bad input for every method (issue 6).

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/base64.hpp"
#include "core/random.hpp"
#include "core/sha256.hpp"
#include "harness.hpp"

namespace selfservice::test {
namespace {

class UsersTest : public PortalTest {
 protected:
  json::object Create(const Caller& caller, json::object request) {
    if (!request.contains("password")) request["password"] = "Correct-Horse-42";
    return Call("users.create", caller, request);
  }
  std::int64_t CreateOk(const Caller& caller, json::object request) {
    const json::object answer = Create(caller, std::move(request));
    EXPECT_TRUE(IsSuccess(answer)) << json::serialize(answer);
    return answer.at("data").at("id").as_int64();
  }
};

TEST_F(UsersTest, APlatformAdminBootstrapsTheFirstAdministratorOfACustomer) {
  const json::object answer = Create(PlatformAdmin(), json::object{{"customer_id", 10},
                                                                   {"username", "admin10"},
                                                                   {"email", "Admin@Example.com"},
                                                                   {"display_name", "第一位管理员"},
                                                                   {"roles", json::array{"customer_admin"}}});
  ASSERT_TRUE(IsSuccess(answer)) << json::serialize(answer);
  const json::object& user = answer.at("data").as_object();
  EXPECT_EQ(user.at("customer_id"), 10);
  EXPECT_EQ(user.at("roles"), (json::array{"customer_admin"}));
  EXPECT_EQ(user.at("status"), "active");
  EXPECT_EQ(user.at("has_password"), true);
  // Secrets are never part of an answer.
  EXPECT_FALSE(user.contains("password_hash"));
  EXPECT_FALSE(user.contains("password"));
  EXPECT_EQ(json::serialize(answer).find("argon2"), std::string::npos);
}

TEST_F(UsersTest, ACustomerAdminCreatesAccountsOfTheirOwnCustomerOnly) {
  const std::int64_t id = CreateOk(CustomerAdmin(), json::object{{"username", "bob"}});
  EXPECT_EQ(Call("users.get", CustomerAdmin(), json::object{{"id", id}}).at("data").at("customer_id"), 10);
  EXPECT_TRUE(IsError(Create(CustomerAdmin(), json::object{{"customer_id", 11}, {"username", "eve"}}), 10004));
}

TEST_F(UsersTest, OnlyAPlatformAdminGrantsPlatformAdmin) {
  EXPECT_TRUE(IsError(Create(CustomerAdmin(), json::object{{"username", "eve"}, {"roles", json::array{"platform_admin"}}}),
                      10003));
  const std::int64_t id = CreateOk(CustomerAdmin(), json::object{{"username", "bob"}});
  EXPECT_TRUE(IsError(Call("users.roles.set", CustomerAdmin(), json::object{{"id", id}, {"roles", json::array{"platform_admin"}}}),
                      10003));
  const json::object granted =
      Call("users.roles.set", CustomerAdmin(), json::object{{"id", id}, {"roles", json::array{"customer_user", "customer_admin"}}});
  ASSERT_TRUE(IsSuccess(granted)) << json::serialize(granted);
  EXPECT_EQ(granted.at("data").at("roles"), (json::array{"customer_user", "customer_admin"}));
  const std::int64_t root = CreateOk(PlatformAdmin(), json::object{{"customer_id", 10}, {"username", "root"},
                                                                   {"roles", json::array{"platform_admin"}}});
  EXPECT_TRUE(IsError(Call("users.update", CustomerAdmin(), json::object{{"id", root}, {"status", "disabled"}}), 10003));
}

TEST_F(UsersTest, ACustomerUserCannotManageAccounts) {
  EXPECT_TRUE(IsError(Call("users.create", User(), json::object{{"username", "x"}}), 10003));
  EXPECT_TRUE(IsError(Call("users.list", User(), json::object{}), 10003));
  EXPECT_TRUE(IsError(Call("users.get", User(), json::object{{"id", 1}}), 10003));
  EXPECT_TRUE(IsError(Call("users.update", User(), json::object{{"id", 1}}), 10003));
  EXPECT_TRUE(IsError(Call("users.roles.set", User(), json::object{{"id", 1}, {"roles", json::array{"customer_user"}}}), 10003));
}

TEST_F(UsersTest, AnotherCustomersOrTenantsAccountIsNotFound) {
  const std::int64_t id = CreateOk(CustomerAdmin(), json::object{{"username", "bob"}});
  EXPECT_TRUE(IsError(Call("users.get", CustomerAdmin(1, 11), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(IsError(Call("users.get", PlatformAdmin(2), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(IsError(Call("users.update", CustomerAdmin(1, 11), json::object{{"id", id}, {"display_name", "x"}}), 10004));
  EXPECT_TRUE(IsError(Call("users.roles.set", PlatformAdmin(2), json::object{{"id", id}, {"roles", json::array{"customer_user"}}}),
                      10004));
  EXPECT_EQ(Total("users.list", CustomerAdmin(1, 11)), 0);
  EXPECT_EQ(Total("users.list", PlatformAdmin(2)), 0);
  EXPECT_EQ(Total("users.list", PlatformAdmin()), 1);
}

TEST_F(UsersTest, UsernamesAndEmailsAreUniquePerTenantIgnoringCase) {
  CreateOk(CustomerAdmin(), json::object{{"username", "bob"}, {"email", "bob@example.com"}});
  EXPECT_TRUE(HasFieldError(Create(CustomerAdmin(), json::object{{"username", "BOB"}}), "username", "FIELD_DUPLICATE"));
  EXPECT_TRUE(HasFieldError(Create(CustomerAdmin(1, 11), json::object{{"username", "bobby"}, {"email", "BOB@example.com"}}),
                            "email", "FIELD_DUPLICATE"));
  // Another tenant may use the same name.
  CreateOk(PlatformAdmin(2), json::object{{"customer_id", 20}, {"username", "bob"}, {"email", "bob@example.com"}});
}

TEST_F(UsersTest, ListFiltersByStatusRoleAndText) {
  const std::int64_t bob = CreateOk(CustomerAdmin(), json::object{{"username", "bob"}, {"display_name", "Bob Builder"}});
  CreateOk(CustomerAdmin(), json::object{{"username", "ann"}, {"roles", json::array{"customer_admin"}}});
  ASSERT_TRUE(IsSuccess(Call("users.update", CustomerAdmin(), json::object{{"id", bob}, {"status", "disabled"}})));
  EXPECT_EQ(Total("users.list", CustomerAdmin(), json::object{{"status", "disabled"}}), 1);
  EXPECT_EQ(Total("users.list", CustomerAdmin(), json::object{{"role", "customer_admin"}}), 1);
  EXPECT_EQ(Total("users.list", CustomerAdmin(), json::object{{"query", "builder"}}), 1);
  const json::object bad = Call("users.list", CustomerAdmin(), json::object{{"status", "gone"}, {"role", "root"}, {"size", 0}});
  ASSERT_TRUE(IsError(bad, 10001));
  EXPECT_TRUE(HasFieldError(bad, "status", "VALUE_NOT_ALLOWED"));
  EXPECT_TRUE(HasFieldError(bad, "role", "VALUE_NOT_ALLOWED"));
}

TEST_F(UsersTest, UpdateChangesOnlyTheFieldsItNames) {
  const std::int64_t id = CreateOk(CustomerAdmin(), json::object{{"username", "bob"}, {"phone", "+86 138 0000 0000"}});
  const json::object updated = Call("users.update", CustomerAdmin(), json::object{{"id", id}, {"display_name", "Robert"}});
  ASSERT_TRUE(IsSuccess(updated)) << json::serialize(updated);
  EXPECT_EQ(updated.at("data").at("display_name"), "Robert");
  EXPECT_EQ(updated.at("data").at("phone"), "+86 138 0000 0000");
  EXPECT_EQ(updated.at("data").at("username"), "bob");
}

TEST_F(UsersTest, AnAccountCannotDisableItself) {
  const std::int64_t id = CreateOk(PlatformAdmin(), json::object{{"customer_id", 10}, {"username", "ann"},
                                                                 {"roles", json::array{"customer_admin"}}});
  EXPECT_TRUE(IsError(Call("users.update", CustomerAdmin(1, 10, id), json::object{{"id", id}, {"status", "disabled"}}), 10003));
}

TEST_F(UsersTest, EveryMethodRefusesBadInputWithFieldErrors) {
  const json::object create = Call("users.create", CustomerAdmin(),
                                   json::object{{"username", ""}, {"email", 5}, {"roles", json::array{"god"}}, {"password", 7}});
  ASSERT_TRUE(IsError(create, 10001));
  EXPECT_TRUE(HasFieldError(create, "username", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(create, "email", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(create, "roles", "VALUE_NOT_ALLOWED"));
  EXPECT_TRUE(HasFieldError(create, "password", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(Create(CustomerAdmin(), json::object{{"username", "no spaces"}}), "username", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(Create(CustomerAdmin(), json::object{{"username", "bob"}, {"password", "short"}}), "password",
                            "PASSWORD_TOO_SHORT"));
  EXPECT_TRUE(HasFieldError(Create(CustomerAdmin(), json::object{{"username", "bob"}, {"email", "not-an-address"}}), "email",
                            "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(Call("users.get", CustomerAdmin(), json::object{{"id", "x"}}), "id", "FIELD_INVALID"));
  const std::int64_t id = CreateOk(CustomerAdmin(), json::object{{"username", "bob"}});
  const json::object update =
      Call("users.update", CustomerAdmin(), json::object{{"id", id}, {"status", "gone"}, {"roles", json::array{}}, {"display_name", 3}});
  ASSERT_TRUE(IsError(update, 10001));
  EXPECT_TRUE(HasFieldError(update, "status", "VALUE_NOT_ALLOWED"));
  EXPECT_TRUE(HasFieldError(update, "roles", "VALUE_NOT_ALLOWED"));
  EXPECT_TRUE(HasFieldError(update, "display_name", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(Call("users.roles.set", CustomerAdmin(), json::object{{"id", id}}), "roles", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(Call("users.roles.set", CustomerAdmin(), json::object{{"id", id}, {"roles", json::array{}}}),
                            "roles", "FIELD_REQUIRED"));
  EXPECT_TRUE(IsError(Call("users.get", CustomerAdmin(), json::object{{"id", id + 100}}), 10004));
}

// users.erase on a file database, so that the test can read every stored byte afterwards.
class EraseTest : public UsersTest {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("selfservice-erase-" + RandomHex(6));
    std::filesystem::create_directories(directory_);
    Reopen();
  }
  void Reopen() {
    portal_.reset();
    clock_ = std::make_shared<ManualClock>(kStartMillis);
    PortalOptions options;
    options.clock = clock_;
    options.storage = "sqlite:" + (directory_ / "portal.db").string();
    // A webhook nobody answers: each ticket change leaves an outbox item naming the user.
    WebhookOptions webhook;
    webhook.url = "http://127.0.0.1:9/hook";
    webhook.secret = "webhook-secret";
    webhook.timeout_ms = 200;
    options.notifications.webhook = webhook;
    auto portal = Portal::Open(std::move(options));
    ASSERT_TRUE(portal.ok()) << portal.status().detail();
    portal_ = std::move(portal).value();
  }
  void TearDown() override {
    portal_.reset();
    std::filesystem::remove_all(directory_);
  }

  // Every text and blob value of every table, and every file under the blob directory, joined.
  std::string EverythingStored() {
    std::string all;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2((directory_ / "portal.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    std::vector<std::string> tables;
    sqlite3_stmt* list = nullptr;
    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &list, nullptr);
    while (sqlite3_step(list) == SQLITE_ROW) tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(list, 0)));
    sqlite3_finalize(list);
    for (const auto& table : tables) {
      sqlite3_stmt* rows = nullptr;
      if (sqlite3_prepare_v2(db, ("SELECT * FROM \"" + table + "\"").c_str(), -1, &rows, nullptr) != SQLITE_OK) continue;
      while (sqlite3_step(rows) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(rows); ++i) {
          const auto* text = sqlite3_column_blob(rows, i);
          if (text != nullptr) all.append(static_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(rows, i)));
          all += '\n';
        }
      }
      sqlite3_finalize(rows);
    }
    sqlite3_close(db);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory_)) {
      if (!entry.is_regular_file() || entry.path().extension() == ".db" || entry.path().filename() == "portal.db-wal") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  std::filesystem::path directory_;
};

TEST_F(EraseTest, NothingIdentifyingRemainsAfterErasure) {
  const std::int64_t id = CreateOk(CustomerAdmin(), json::object{{"username", "zhangsan7731"},
                                                                 {"email", "zhangsan7731@example.com"},
                                                                 {"phone", "+86 139 7731 7731"},
                                                                 {"display_name", "张三七七三一"}});
  const Caller user = User(1, 10, id);
  const std::string marker = "MARKER7731";
  StartSession(user, "我的 VPN 账号 " + marker + " 无法登录");
  const json::object ticket = Call("tickets.create", user,
                                   json::object{{"title", "VPN " + marker},
                                                {"description", "工号 " + marker},
                                                {"category", "network"},
                                                {"priority", 2},
                                                {"contact", json::object{{"email", "zhangsan7731@example.com"},
                                                                         {"phone", "+86 139 7731 7731"}}}});
  ASSERT_TRUE(IsSuccess(ticket)) << json::serialize(ticket);
  const std::int64_t ticket_id = ticket.at("data").at("id").as_int64();
  std::string pdf = "%PDF-1.7\n" + marker + std::string(2000, 'x');
  const json::object begun = Call("tickets.attachments.begin", user,
                                  json::object{{"ticket_id", ticket_id}, {"filename", marker + ".pdf"},
                                               {"size", static_cast<std::int64_t>(pdf.size())},
                                               {"content_type", "application/pdf"}, {"sha256", Sha256Hex(pdf)}});
  ASSERT_TRUE(IsSuccess(begun)) << json::serialize(begun);
  const std::string upload = std::string(begun.at("data").at("upload_id").as_string());
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.append", user,
                             json::object{{"upload_id", upload}, {"offset", 0}, {"data_base64", Base64Encode(pdf)}})));
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.complete", user, json::object{{"upload_id", upload}})));
  ASSERT_TRUE(IsSuccess(Call("tickets.drafts.save", user, json::object{{"title", "草稿 " + marker}})));
  ASSERT_TRUE(IsSuccess(Call("feedback.submit", user,
                             json::object{{"feedback_type", "service"}, {"related_type", "knowledge"},
                                          {"related_id", "KB-1"}, {"rating", 2}, {"feedback_content", "差评 " + marker}})));
  ASSERT_TRUE(IsSuccess(Call("analytics.track", user,
                             json::object{{"page_path", "/faq"}, {"action_type", "search"},
                                          {"search_keywords", marker}, {"device_type", "desktop"}})));
  const std::string before = EverythingStored();
  ASSERT_NE(before.find(marker), std::string::npos);  // the scan sees what is there
  // Contact data is sealed everywhere, the outbox's payloads included, even before the erasure.
  EXPECT_EQ(before.find("zhangsan7731@example.com"), std::string::npos);
  EXPECT_EQ(before.find("7731 7731"), std::string::npos);
  const json::object queued = Call("outbox.status", PlatformAdmin(), json::object{});
  ASSERT_TRUE(IsSuccess(queued)) << json::serialize(queued);
  EXPECT_GE(queued.at("data").at("pending").as_int64() + queued.at("data").at("abandoned").as_int64(), 1);

  const json::object erased = Call("users.erase", CustomerAdmin(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(erased)) << json::serialize(erased);
  EXPECT_GE(erased.at("data").at("files").as_int64(), 1);
  const json::object outbox = Call("outbox.status", PlatformAdmin(), json::object{});
  EXPECT_EQ(outbox.at("data").at("pending"), 0) << json::serialize(outbox);
  EXPECT_EQ(outbox.at("data").at("abandoned"), 0) << json::serialize(outbox);
  portal_.reset();  // every connection closed, the WAL checkpointed into the file

  const std::string stored = EverythingStored();
  for (const std::string& identifying : {marker, std::string("zhangsan7731"), std::string("7731 7731"),
                                         std::string("张三七七三一")}) {
    EXPECT_EQ(stored.find(identifying), std::string::npos) << identifying;
  }
  Reopen();
  const json::object account = Call("users.get", CustomerAdmin(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(account)) << json::serialize(account);
  EXPECT_EQ(account.at("data").at("status"), "erased");
  EXPECT_EQ(account.at("data").at("email"), nullptr);
  const json::object kept = Call("tickets.get", PlatformAdmin(), json::object{{"id", ticket_id}});
  ASSERT_TRUE(IsSuccess(kept)) << json::serialize(kept);
  EXPECT_EQ(kept.at("data").at("title"), "[erased]");
}

TEST_F(UsersTest, EraseChecksWhoAsksAndWhatIsNamed) {
  const std::int64_t id = CreateOk(CustomerAdmin(), json::object{{"username", "bob"}});
  EXPECT_TRUE(IsError(Call("users.erase", User(1, 10, id), json::object{{"id", id}}), 10003));
  EXPECT_TRUE(IsError(Call("users.erase", CustomerAdmin(1, 11), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(IsError(Call("users.erase", PlatformAdmin(2), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(HasFieldError(Call("users.erase", CustomerAdmin(), json::object{{"id", -1}}), "id", "FIELD_INVALID"));
  ASSERT_TRUE(IsSuccess(Call("users.erase", CustomerAdmin(), json::object{{"id", id}})));
  EXPECT_TRUE(IsError(Call("users.erase", CustomerAdmin(), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(IsError(Call("users.update", CustomerAdmin(), json::object{{"id", id}, {"display_name", "x"}}), 10004));
}

}  // namespace
}  // namespace selfservice::test
