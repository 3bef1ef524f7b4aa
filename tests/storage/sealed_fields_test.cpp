// Sealed (encrypted) columns of the SQLite store and the re-encryption pass
// (Store::ReencryptSensitiveFields): what the file holds, what the repositories answer, and how
// legacy plaintext, tampering, copying between tenants and key rotation come out.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "security/field_cipher.hpp"
#include "selfservice/context.hpp"
#include "selfservice/repository.hpp"
#include "storage/sqlite/sealed_fields.hpp"
#include "storage_test_support.hpp"

namespace selfservice {
namespace {

using test::Describe;
using test::User;

constexpr std::int64_t kT0 = 1'700'000'000'000;

const EncryptionKey kKey1{"k1", std::string(32, '\x11')};
const EncryptionKey kKey2{"k2", std::string(32, '\x22')};

// The plaintexts written by WriteEverything(); none may appear in the file.
constexpr const char* kTicketEmail = "li.ticket@example.com";
constexpr const char* kTicketPhone = "+86 10 1234 5678";
constexpr const char* kDraftEmail = "draft.owner@example.com";
constexpr const char* kDraftPhone = "13800138000";
constexpr const char* kIp = "2001:db8::77";
constexpr const char* kUserAgent = "Mozilla/5.0 (SealedTest)";
constexpr const char* kContactInfo = R"({"email":"help.sealed@example.com"})";
constexpr const char* kSsoConfig = R"({"idp":"https://idp.sealed.example.com"})";
constexpr const char* kSecuritySettings = R"({"mfa_sealed":true})";

// A plain sqlite3 connection to the store's file, to see and change what it holds.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << "cannot open " << path;
    sqlite3_busy_timeout(db_, 5000);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (error ? error : "?");
    }
    sqlite3_free(error);
  }

  // Every value of every row `sql` answers, NULL as nullopt.
  std::vector<std::vector<std::optional<std::string>>> Rows(const std::string& sql) {
    std::vector<std::vector<std::optional<std::string>>> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row.push_back(text ? std::optional<std::string>(text) : std::nullopt);
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return rows;
  }

  std::optional<std::string> Value(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() ? std::nullopt : rows[0][0];
  }

  bool HasTable(const std::string& table) {
    return !Rows("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '" + table + "'").empty();
  }

 private:
  sqlite3* db_ = nullptr;
};

bool IsSealed(const std::optional<std::string>& value) {
  return value && security::FieldCipher::IsEncrypted(*value);
}

// `sealed` with one character of its ciphertext changed (still canonical base64).
std::string Tampered(std::string sealed) {
  const std::size_t at = sealed.size() - 12;
  sealed[at] = sealed[at] == 'A' ? 'B' : 'A';
  return sealed;
}

void ExpectUnreadable(const Status& status, const char* reason) {
  EXPECT_EQ(status.code(), ErrorCode::kDatabaseUnavailable) << Describe(status);
  EXPECT_EQ(status.detail(), reason) << Describe(status);
}

bool SameReport(const Store::ReencryptionReport& a, const Store::ReencryptionReport& b) {
  return a.reencrypted == b.reencrypted && a.encrypted == b.encrypted && a.reindexed == b.reindexed &&
         a.unreadable == b.unreadable;
}

std::string Print(const Store::ReencryptionReport& r) {
  return "reencrypted " + std::to_string(r.reencrypted) + ", encrypted " + std::to_string(r.encrypted) +
         ", reindexed " + std::to_string(r.reindexed) + ", unreadable " + std::to_string(r.unreadable);
}

class SealedFieldsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open({kKey1}); }

  // (Re)opens the file store with `keys` (the current key first).
  void Open(std::vector<EncryptionKey> keys) {
    store_.reset();
    StoreOptions options;
    options.encryption_keys = std::move(keys);
    auto opened = OpenStore("sqlite:" + path_, options);
    ASSERT_TRUE(opened.ok()) << Describe(opened);
    store_ = std::move(opened).value();
  }

  void Close() { store_.reset(); }

  // A portal config, `events` events, a ticket and a draft of `owner`: 7 + 2 * `events` sealed values.
  void WriteEverything(const RequestContext& owner, int events = 1) {
    auto config = store_->portal_configs().Upsert(Scope(owner), owner.customer_id, [](PortalConfig& c) {
      c.contact_info = test::Json(kContactInfo);
      c.sso_config = test::Json(kSsoConfig);
      c.security_settings = test::Json(kSecuritySettings);
      c.created_at = c.updated_at = Timestamp{kT0};
      return Status::Ok();
    });
    ASSERT_TRUE(config.ok()) << Describe(config);
    BehaviorEvent event = test::MinimalEvent(owner, kT0);
    event.ip_address = kIp;
    event.user_agent = kUserAgent;
    ASSERT_TRUE(store_->analytics().Append(Scope(owner), std::vector<BehaviorEvent>(events, event)).ok());
    auto ticket = store_->tickets().Create(Scope(owner), ContactTicket(owner), std::nullopt);
    ASSERT_TRUE(ticket.ok()) << Describe(ticket);
    ticket_id_ = ticket->stored.ticket.id;
    TicketDraft draft;
    draft.title = "draft";
    draft.contact_email = kDraftEmail;
    draft.contact_phone = kDraftPhone;
    draft.created_at = draft.updated_at = Timestamp{kT0};
    auto saved = store_->tickets().SaveDraft(Scope(owner), draft);
    ASSERT_TRUE(saved.ok()) << Describe(saved);
    draft_id_ = saved->id;
  }

  static Ticket ContactTicket(const RequestContext& owner) {
    Ticket t;
    t.tenant_id = owner.tenant_id;
    t.customer_id = owner.customer_id;
    t.user_id = owner.user_id;
    t.title = "cannot log in";
    t.description = "d";
    t.contact_email = kTicketEmail;
    t.contact_phone = kTicketPhone;
    t.created_at = t.updated_at = Timestamp{kT0};
    return t;
  }

  // Every value WriteEverything() stored reads back as it was written.
  void ExpectEverythingReads(const RequestContext& owner) {
    auto config = store_->portal_configs().Find(Scope(owner), owner.customer_id);
    ASSERT_TRUE(config.ok()) << Describe(config);
    ASSERT_TRUE(config->has_value());
    EXPECT_EQ((*config)->contact_info, test::Json(kContactInfo));
    EXPECT_EQ((*config)->sso_config, test::Json(kSsoConfig));
    EXPECT_EQ((*config)->security_settings, test::Json(kSecuritySettings));
    auto events = store_->analytics().List(Scope(owner), {}, PageRequest{1, 1000});
    ASSERT_TRUE(events.ok()) << Describe(events);
    ASSERT_FALSE(events->items.empty());
    for (const auto& event : events->items) {
      EXPECT_EQ(event.ip_address, kIp);
      EXPECT_EQ(event.user_agent, kUserAgent);
    }
    auto ticket = store_->tickets().Get(Scope(owner), ticket_id_);
    ASSERT_TRUE(ticket.ok()) << Describe(ticket);
    EXPECT_EQ(ticket->contact_email, kTicketEmail);
    EXPECT_EQ(ticket->contact_phone, kTicketPhone);
    auto draft = store_->tickets().GetDraft(Scope(owner), draft_id_);
    ASSERT_TRUE(draft.ok()) << Describe(draft);
    EXPECT_EQ(draft->contact_email, kDraftEmail);
    EXPECT_EQ(draft->contact_phone, kDraftPhone);
  }

  Store::ReencryptionReport Pass() {
    auto report = store_->ReencryptSensitiveFields();
    EXPECT_TRUE(report.ok()) << Describe(report);
    return report.ok() ? report.value() : Store::ReencryptionReport{};
  }

  // A SealedFields with `keys`, to compute what the store should hold.
  static sqlite::SealedFields Fields(std::vector<EncryptionKey> keys) {
    StoreOptions options;
    options.encryption_keys = std::move(keys);
    auto fields = sqlite::SealedFields::Open(options, "", false);
    EXPECT_TRUE(fields.ok()) << Describe(fields.status());
    return std::move(fields).value();
  }

  test::TempDir dir_;
  const std::string path_ = dir_.File("portal.db");
  std::unique_ptr<Store> store_;
  std::int64_t ticket_id_ = 0;
  std::int64_t draft_id_ = 0;
  const RequestContext owner_ = User(1, 10, 100);
  const RequestContext stranger_ = User(2, 20, 200);
};

TEST_F(SealedFieldsTest, FileHoldsNoPlaintextOfASealedColumn) {
  WriteEverything(owner_);
  Close();
  RawDb raw(path_);
  std::string everything;
  for (const char* table : {"customer_portal_configs", "user_behavior_analytics", "tickets", "ticket_drafts"}) {
    for (const auto& row : raw.Rows(std::string("SELECT * FROM ") + table)) {
      for (const auto& value : row) everything += value.value_or("") + "\n";
    }
  }
  for (const char* plaintext : {kTicketEmail, kTicketPhone, kDraftEmail, kDraftPhone, kIp, kUserAgent,
                                "help.sealed@example.com", "idp.sealed.example.com", "mfa_sealed"}) {
    EXPECT_EQ(everything.find(plaintext), std::string::npos) << plaintext;
  }
  EXPECT_TRUE(IsSealed(raw.Value("SELECT contact_email_sealed FROM tickets")));
  EXPECT_TRUE(IsSealed(raw.Value("SELECT ip_address_sealed FROM user_behavior_analytics")));
  EXPECT_TRUE(IsSealed(raw.Value("SELECT sso_config_sealed FROM customer_portal_configs")));
  EXPECT_TRUE(IsSealed(raw.Value("SELECT contact_phone_sealed FROM ticket_drafts")));
}

TEST_F(SealedFieldsTest, RepositoriesReadBackPlaintext) {
  WriteEverything(owner_);
  ExpectEverythingReads(owner_);
  Open({kKey1});
  ExpectEverythingReads(owner_);
}

TEST_F(SealedFieldsTest, TicketListAndDraftListReadPlaintext) {
  WriteEverything(owner_);
  auto tickets = store_->tickets().List(Scope(owner_), {}, PageRequest{1, 10});
  ASSERT_TRUE(tickets.ok()) << Describe(tickets);
  ASSERT_EQ(tickets->items.size(), 1u);
  EXPECT_EQ(tickets->items[0].contact_email, kTicketEmail);
  auto drafts = store_->tickets().ListDrafts(Scope(owner_), PageRequest{1, 10});
  ASSERT_TRUE(drafts.ok()) << Describe(drafts);
  ASSERT_EQ(drafts->items.size(), 1u);
  EXPECT_EQ(drafts->items[0].contact_phone, kDraftPhone);
}

TEST_F(SealedFieldsTest, UpdatingATicketKeepsItsContactSealed) {
  WriteEverything(owner_);
  auto updated = store_->tickets().Update(Scope(owner_), ticket_id_, [](Ticket& t, std::vector<TicketEvent>&) {
    t.contact_phone = "+1 555 0100";
    return Status::Ok();
  }, nullptr);
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  auto ticket = store_->tickets().Get(Scope(owner_), ticket_id_);
  ASSERT_TRUE(ticket.ok()) << Describe(ticket);
  EXPECT_EQ(ticket->contact_phone, "+1 555 0100");
  EXPECT_EQ(ticket->contact_email, kTicketEmail);
  Close();
  RawDb raw(path_);
  EXPECT_TRUE(IsSealed(raw.Value("SELECT contact_phone_sealed FROM tickets")));
  EXPECT_FALSE(raw.Value("SELECT contact_phone FROM tickets").has_value());
}

TEST_F(SealedFieldsTest, TamperedTicketContactReadsAsUnreadableAndIsNotOverwritten) {
  WriteEverything(owner_);
  Close();
  std::string tampered;
  {
    RawDb raw(path_);
    tampered = Tampered(raw.Value("SELECT contact_email_sealed FROM tickets").value());
    raw.Exec("UPDATE tickets SET contact_email_sealed = '" + tampered + "'");
  }
  Open({kKey1});
  ExpectUnreadable(store_->tickets().Get(Scope(owner_), ticket_id_).status(),
                   security::field_cipher_error::kTampered);
  ExpectUnreadable(store_->tickets().List(Scope(owner_), {}, PageRequest{1, 10}).status(),
                   security::field_cipher_error::kTampered);
  auto updated = store_->tickets().Update(Scope(owner_), ticket_id_, [](Ticket& t, std::vector<TicketEvent>&) {
    t.title = "changed";
    return Status::Ok();
  }, nullptr);
  ExpectUnreadable(updated.status(), security::field_cipher_error::kTampered);
  Close();
  RawDb raw(path_);
  EXPECT_EQ(raw.Value("SELECT contact_email_sealed FROM tickets"), tampered);
  EXPECT_EQ(raw.Value("SELECT title FROM tickets"), "cannot log in");
}

TEST_F(SealedFieldsTest, TamperedPortalConfigReadsAsUnreadableAndIsNotOverwritten) {
  WriteEverything(owner_);
  Close();
  std::string tampered;
  {
    RawDb raw(path_);
    tampered = Tampered(raw.Value("SELECT sso_config_sealed FROM customer_portal_configs").value());
    raw.Exec("UPDATE customer_portal_configs SET sso_config_sealed = '" + tampered + "'");
  }
  Open({kKey1});
  ExpectUnreadable(store_->portal_configs().Find(Scope(owner_), owner_.customer_id).status(),
                   security::field_cipher_error::kTampered);
  auto upserted = store_->portal_configs().Upsert(Scope(owner_), owner_.customer_id, [](PortalConfig& c) {
    c.portal_title = "changed";
    return Status::Ok();
  });
  ExpectUnreadable(upserted.status(), security::field_cipher_error::kTampered);
  Close();
  RawDb raw(path_);
  EXPECT_EQ(raw.Value("SELECT sso_config_sealed FROM customer_portal_configs"), tampered);
}

TEST_F(SealedFieldsTest, TamperedEventAndDraftReadAsUnreadable) {
  WriteEverything(owner_);
  Close();
  {
    RawDb raw(path_);
    raw.Exec("UPDATE user_behavior_analytics SET user_agent_sealed = '" +
             Tampered(raw.Value("SELECT user_agent_sealed FROM user_behavior_analytics").value()) + "'");
    raw.Exec("UPDATE ticket_drafts SET contact_phone_sealed = 'enc:v1:k1:not-base64'");
  }
  Open({kKey1});
  ExpectUnreadable(store_->analytics().List(Scope(owner_), {}, PageRequest{1, 10}).status(),
                   security::field_cipher_error::kTampered);
  ExpectUnreadable(store_->tickets().GetDraft(Scope(owner_), draft_id_).status(),
                   security::field_cipher_error::kMalformed);
  ExpectUnreadable(store_->tickets().ListDrafts(Scope(owner_), PageRequest{1, 10}).status(),
                   security::field_cipher_error::kMalformed);
}

TEST_F(SealedFieldsTest, ValueCopiedToAnotherTenantDoesNotOpen) {
  WriteEverything(owner_);
  auto other = store_->tickets().Create(Scope(stranger_), ContactTicket(stranger_), std::nullopt);
  ASSERT_TRUE(other.ok()) << Describe(other);
  Close();
  {
    RawDb raw(path_);
    raw.Exec("UPDATE tickets SET contact_email_sealed = (SELECT contact_email_sealed FROM tickets WHERE "
             "tenant_id = 1) WHERE tenant_id = 2");
  }
  Open({kKey1});
  ExpectUnreadable(store_->tickets().Get(Scope(stranger_), other->stored.ticket.id).status(),
                   security::field_cipher_error::kTampered);
  EXPECT_TRUE(store_->tickets().Get(Scope(owner_), ticket_id_).ok());
}

TEST_F(SealedFieldsTest, ValueCopiedToAnotherColumnDoesNotOpen) {
  WriteEverything(owner_);
  Close();
  {
    RawDb raw(path_);
    raw.Exec("UPDATE tickets SET contact_phone_sealed = contact_email_sealed");
  }
  Open({kKey1});
  ExpectUnreadable(store_->tickets().Get(Scope(owner_), ticket_id_).status(),
                   security::field_cipher_error::kTampered);
}

// Turns every row WriteEverything() stored into what a store before migration 22 held: the
// plaintext in the old columns, the sealed ones NULL.
// --- Outbox payloads (migration 23) ----------------------------------------------------------------

OutboxItem NotifyItem(std::string key) {
  OutboxItem item;
  item.topic = "notify.email";
  item.idempotency_key = std::move(key);
  item.payload = std::string(R"({"user_id":100,"contact_email":")") + kTicketEmail + R"("})";
  item.next_attempt_at = item.created_at = Timestamp{kT0};
  return item;
}

TEST_F(SealedFieldsTest, OutboxPayloadsAreSealedAndLeasedAsWritten) {
  ASSERT_TRUE(store_->outbox().Enqueue(Scope(owner_), NotifyItem("a")).ok());
  auto leased = store_->outbox().Lease(Scope(owner_), Timestamp{kT0}, Timestamp{kT0 + 1000}, 10);
  ASSERT_TRUE(leased.ok()) << Describe(leased);
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ(leased->front().payload, NotifyItem("a").payload);
  Close();
  RawDb raw(path_);
  EXPECT_EQ(raw.Value("SELECT payload FROM outbox"), "");
  EXPECT_TRUE(IsSealed(raw.Value("SELECT payload_sealed FROM outbox")));
}

TEST_F(SealedFieldsTest, AnOutboxItemWhosePayloadDoesNotOpenIsAbandonedNotLeased) {
  ASSERT_TRUE(store_->outbox().Enqueue(Scope(owner_), NotifyItem("bad")).ok());
  ASSERT_TRUE(store_->outbox().Enqueue(Scope(owner_), NotifyItem("good")).ok());
  Close();
  {
    RawDb raw(path_);
    const auto sealed = raw.Value("SELECT payload_sealed FROM outbox WHERE idempotency_key = 'bad'");
    ASSERT_TRUE(sealed);
    raw.Exec("UPDATE outbox SET payload_sealed = '" + Tampered(*sealed) + "' WHERE idempotency_key = 'bad'");
  }
  Open({kKey1});
  auto leased = store_->outbox().Lease(Scope(owner_), Timestamp{kT0}, Timestamp{kT0 + 1000}, 10);
  ASSERT_TRUE(leased.ok()) << Describe(leased);
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ(leased->front().idempotency_key, "good");
  auto counts = store_->outbox().Counts(Scope(owner_), std::nullopt);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->abandoned, 1);
}

TEST_F(SealedFieldsTest, ThePassSealsOutboxPayloadsStoredBeforeMigration23) {
  ASSERT_TRUE(store_->outbox().Enqueue(Scope(owner_), NotifyItem("old")).ok());
  Close();
  {
    RawDb raw(path_);
    raw.Exec(std::string("UPDATE outbox SET payload = '") + NotifyItem("old").payload + "', payload_sealed = NULL");
  }
  Open({kKey1});
  EXPECT_EQ(Pass().encrypted, 1);
  auto leased = store_->outbox().Lease(Scope(owner_), Timestamp{kT0}, Timestamp{kT0 + 1000}, 10);
  ASSERT_TRUE(leased.ok() && leased->size() == 1u);
  EXPECT_EQ(leased->front().payload, NotifyItem("old").payload);
  Close();
  RawDb raw(path_);
  EXPECT_EQ(raw.Value("SELECT payload FROM outbox"), "");
}

void MakeLegacy(RawDb& raw) {
  raw.Exec(std::string("UPDATE customer_portal_configs SET contact_info = '") + kContactInfo + "', sso_config = '" +
           kSsoConfig + "', security_settings = '" + kSecuritySettings +
           "', contact_info_sealed = NULL, sso_config_sealed = NULL, security_settings_sealed = NULL");
  raw.Exec(std::string("UPDATE user_behavior_analytics SET ip_address = '") + kIp + "', user_agent = '" +
           kUserAgent + "', ip_address_sealed = NULL, user_agent_sealed = NULL");
  raw.Exec(std::string("UPDATE tickets SET contact_email = '") + kTicketEmail + "', contact_phone = '" +
           kTicketPhone + "', contact_email_sealed = NULL, contact_phone_sealed = NULL");
  raw.Exec(std::string("UPDATE ticket_drafts SET contact_email = '") + kDraftEmail + "', contact_phone = '" +
           kDraftPhone + "', contact_email_sealed = NULL, contact_phone_sealed = NULL");
}

constexpr int kLegacyEvents = 300;  // more than one batch of the pass
constexpr std::int64_t kLegacyValues = 3 + 2 * kLegacyEvents + 2 + 2;

TEST_F(SealedFieldsTest, LegacyPlaintextRowsReadAsTheyAre) {
  WriteEverything(owner_);
  Close();
  {
    RawDb raw(path_);
    MakeLegacy(raw);
  }
  Open({kKey1});
  ExpectEverythingReads(owner_);
}

TEST_F(SealedFieldsTest, PassMovesLegacyPlaintextIntoSealedColumns) {
  WriteEverything(owner_, kLegacyEvents);
  Close();
  {
    RawDb raw(path_);
    MakeLegacy(raw);
  }
  Open({kKey1});
  const auto report = Pass();
  EXPECT_EQ(report.encrypted, kLegacyValues) << Print(report);
  EXPECT_EQ(report.reencrypted, 0) << Print(report);
  EXPECT_EQ(report.unreadable, 0) << Print(report);
  Close();
  RawDb raw(path_);
  EXPECT_EQ(raw.Value("SELECT count(*) FROM user_behavior_analytics WHERE ip_address IS NOT NULL OR "
                      "user_agent IS NOT NULL OR ip_address_sealed NOT LIKE 'enc:v1:k1:%' OR "
                      "user_agent_sealed NOT LIKE 'enc:v1:k1:%'"),
            "0");
  EXPECT_EQ(raw.Value("SELECT count(*) FROM customer_portal_configs WHERE contact_info IS NULL AND sso_config IS "
                      "NULL AND security_settings IS NULL AND contact_info_sealed LIKE 'enc:v1:%' AND "
                      "sso_config_sealed LIKE 'enc:v1:%' AND security_settings_sealed LIKE 'enc:v1:%'"),
            "1");
  EXPECT_EQ(raw.Value("SELECT count(*) FROM tickets WHERE contact_email IS NULL AND contact_phone IS NULL AND "
                      "contact_email_sealed LIKE 'enc:v1:%' AND contact_phone_sealed LIKE 'enc:v1:%'"),
            "1");
  EXPECT_EQ(raw.Value("SELECT count(*) FROM ticket_drafts WHERE contact_email IS NULL AND contact_phone IS NULL "
                      "AND contact_email_sealed LIKE 'enc:v1:%' AND contact_phone_sealed LIKE 'enc:v1:%'"),
            "1");
}

TEST_F(SealedFieldsTest, LegacyRowsReadTheSameAfterThePass) {
  WriteEverything(owner_, kLegacyEvents);
  Close();
  {
    RawDb raw(path_);
    MakeLegacy(raw);
  }
  Open({kKey1});
  Pass();
  ExpectEverythingReads(owner_);
  EXPECT_TRUE(SameReport(Pass(), {})) << "a second pass finds nothing";
}

TEST_F(SealedFieldsTest, StoreKeepsServingWhileThePassRuns) {
  WriteEverything(owner_, kLegacyEvents);
  Close();
  {
    RawDb raw(path_);
    MakeLegacy(raw);
  }
  Open({kKey2, kKey1});
  constexpr int kCreated = 40;
  std::vector<std::int64_t> created;
  std::thread writer([&] {
    for (int i = 0; i < kCreated; ++i) {
      auto ticket = store_->tickets().Create(Scope(owner_), ContactTicket(owner_), std::nullopt);
      EXPECT_TRUE(ticket.ok()) << Describe(ticket);
      if (ticket.ok()) created.push_back(ticket->stored.ticket.id);
    }
  });
  const auto report = Pass();
  writer.join();
  EXPECT_EQ(report.encrypted, kLegacyValues) << Print(report);
  EXPECT_EQ(report.unreadable, 0) << Print(report);
  ASSERT_EQ(created.size(), static_cast<std::size_t>(kCreated));
  for (std::int64_t id : created) {
    auto ticket = store_->tickets().Get(Scope(owner_), id);
    ASSERT_TRUE(ticket.ok()) << Describe(ticket);
    EXPECT_EQ(ticket->contact_email, kTicketEmail);
  }
  ExpectEverythingReads(owner_);
}

TEST_F(SealedFieldsTest, PassOverSealedValuesUnderTheCurrentKeyFindsNothing) {
  WriteEverything(owner_);
  EXPECT_TRUE(SameReport(Pass(), {}));
}

TEST_F(SealedFieldsTest, RotationRewritesEveryValueUnderTheNewKey) {
  WriteEverything(owner_);
  Open({kKey2, kKey1});
  ExpectEverythingReads(owner_);
  const auto report = Pass();
  EXPECT_EQ(report.reencrypted, 9) << Print(report);
  EXPECT_EQ(report.encrypted, 0) << Print(report);
  EXPECT_EQ(report.unreadable, 0) << Print(report);
  Open({kKey2});
  ExpectEverythingReads(owner_);
  EXPECT_TRUE(SameReport(Pass(), {})) << "a second pass finds nothing";
}

TEST_F(SealedFieldsTest, ValueUnderADroppedKeyCountsAsUnreadableAndStays) {
  WriteEverything(owner_);
  Close();
  std::optional<std::string> before = RawDb(path_).Value("SELECT contact_email_sealed FROM tickets");
  Open({kKey2});
  const auto report = Pass();
  EXPECT_EQ(report.unreadable, 9) << Print(report);
  EXPECT_EQ(report.reencrypted, 0) << Print(report);
  ExpectUnreadable(store_->tickets().Get(Scope(owner_), ticket_id_).status(),
                   security::field_cipher_error::kUnknownKey);
  Close();
  EXPECT_EQ(RawDb(path_).Value("SELECT contact_email_sealed FROM tickets"), before);
}

TEST_F(SealedFieldsTest, PassWorksWithoutTheIdentityAndAuditTables) {
  WriteEverything(owner_);
  Close();
  {
    RawDb raw(path_);
    for (const char* table : {"users", "login_sessions", "audit_log"}) {
      raw.Exec(std::string("DROP TABLE IF EXISTS ") + table);
    }
  }
  Open({kKey2, kKey1});
  const auto report = Pass();
  EXPECT_EQ(report.reencrypted, 9) << Print(report);
  ExpectEverythingReads(owner_);
}

TEST_F(SealedFieldsTest, InMemoryStorePassSucceeds) {
  auto memory = OpenStore("sqlite::memory:");
  ASSERT_TRUE(memory.ok()) << Describe(memory);
  auto report = (*memory)->ReencryptSensitiveFields();
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_TRUE(SameReport(report.value(), {}));
}

// The identity and audit tables (migrations 20 and 21) hold sealed values in place.
class SealedIdentityTest : public SealedFieldsTest {
 protected:
  void SetUp() override {
    SealedFieldsTest::SetUp();
    Close();
    RawDb raw(path_);
    if (!raw.HasTable("users") || !raw.HasTable("login_sessions") || !raw.HasTable("audit_log")) {
      GTEST_SKIP() << "this build has no identity or audit tables";
    }
  }

  // A user with `email`, `phone` and `totp` stored as they are, and `index` as its email_index.
  static void InsertUser(RawDb& raw, const std::string& email, const std::string& phone, const std::string& totp,
                         const std::string& index) {
    raw.Exec("INSERT INTO users (id, tenant_id, customer_id, username, username_key, email, email_index, phone, "
             "roles, password_changed_at, totp_secret, created_at, updated_at) VALUES (1, 1, 10, 'Li.Wang', 'li.wang', '" +
             email + "', '" + index + "', '" + phone + "', 1, 1, '" + totp + "', 1, 1)");
  }
};

TEST_F(SealedIdentityTest, PassSealsLegacyIdentityValuesAndIndexesTheEmail) {
  {
    RawDb raw(path_);
    InsertUser(raw, "Li.Legacy@Example.com", "+8613800000000", "JBSWY3DPEHPK3PXP", "stale:index");
    raw.Exec(std::string("INSERT INTO login_sessions (tenant_id, id, customer_id, user_id, refresh_id, created_at, "
                         "refreshed_at, expires_at, ip_address, user_agent) VALUES (1, '") +
             std::string(32, 'a') + "', 10, 1, 'r', 1, 1, 2, '" + kIp + "', '" + kUserAgent + "')");
    raw.Exec(std::string("INSERT INTO audit_log (tenant_id, action, outcome, details, ip_address, trace_id, at, "
                         "prev_hash, hash) VALUES (1, 'auth.login', 'success', '{}', '") +
             kIp + "', 't', 1, '" + std::string(64, '0') + "', '" + std::string(64, '1') + "')");
  }
  Open({kKey1});
  const auto report = Pass();
  EXPECT_EQ(report.encrypted, 6) << Print(report);
  EXPECT_EQ(report.reindexed, 1) << Print(report);
  EXPECT_EQ(report.unreadable, 0) << Print(report);
  Close();
  RawDb raw(path_);
  const auto fields = Fields({kKey1});
  auto user = raw.Rows("SELECT email, email_index, phone, totp_secret FROM users");
  ASSERT_EQ(user.size(), 1u);
  auto email = fields.Unseal(1, "users.email", user[0][0].value_or(""));
  ASSERT_TRUE(IsSealed(user[0][0]));
  ASSERT_TRUE(email.ok()) << Describe(email.status());
  EXPECT_EQ(email.value(), "Li.Legacy@Example.com");
  EXPECT_EQ(user[0][1], fields.Index(1, "users.email", "li.legacy@example.com"));
  EXPECT_TRUE(IsSealed(user[0][2]));
  EXPECT_TRUE(IsSealed(user[0][3]));
  auto session = raw.Rows("SELECT ip_address, user_agent FROM login_sessions");
  ASSERT_EQ(session.size(), 1u);
  EXPECT_TRUE(IsSealed(session[0][0]));
  auto agent = fields.Unseal(1, "login_sessions.user_agent", session[0][1].value_or(""));
  ASSERT_TRUE(agent.ok()) << Describe(agent.status());
  EXPECT_EQ(agent.value(), kUserAgent);
  auto ip = fields.Unseal(1, "audit_log.ip_address", raw.Value("SELECT ip_address FROM audit_log").value_or(""));
  ASSERT_TRUE(ip.ok()) << Describe(ip.status());
  EXPECT_EQ(ip.value(), kIp);
}

TEST_F(SealedIdentityTest, RotationReencryptsIdentityValuesAndReindexesTheEmail) {
  {
    const auto old_fields = Fields({kKey1});
    RawDb raw(path_);
    InsertUser(raw, old_fields.Seal(1, "users.email", "li@example.com"), old_fields.Seal(1, "users.phone", "+1"),
               old_fields.Seal(1, "users.totp_secret", "JBSWY3DPEHPK3PXP"),
               old_fields.Index(1, "users.email", "li@example.com"));
  }
  Open({kKey2, kKey1});
  const auto report = Pass();
  EXPECT_EQ(report.reencrypted, 3) << Print(report);
  EXPECT_EQ(report.reindexed, 1) << Print(report);
  EXPECT_TRUE(SameReport(Pass(), {})) << "a second pass finds nothing";
  Close();
  RawDb raw(path_);
  const auto fields = Fields({kKey2});
  auto user = raw.Rows("SELECT email, email_index, phone, totp_secret FROM users");
  ASSERT_EQ(user.size(), 1u);
  auto email = fields.Unseal(1, "users.email", user[0][0].value_or(""));
  ASSERT_TRUE(email.ok()) << Describe(email.status());
  EXPECT_EQ(email.value(), "li@example.com");
  EXPECT_EQ(user[0][1], fields.Index(1, "users.email", "li@example.com"));
  EXPECT_TRUE(fields.Unseal(1, "users.totp_secret", user[0][3].value_or("")).ok());
}

TEST_F(SealedIdentityTest, UnreadableEmailIsCountedAndKeepsItsIndex) {
  {
    const auto dropped = Fields({kKey1});
    RawDb raw(path_);
    InsertUser(raw, dropped.Seal(1, "users.email", "li@example.com"), dropped.Seal(1, "users.phone", "+1"),
               dropped.Seal(1, "users.totp_secret", "JBSWY3DPEHPK3PXP"),
               dropped.Index(1, "users.email", "li@example.com"));
  }
  Open({kKey2});
  const auto report = Pass();
  EXPECT_EQ(report.unreadable, 3) << Print(report);
  EXPECT_EQ(report.reindexed, 0) << Print(report);
  Close();
  RawDb raw(path_);
  EXPECT_EQ(raw.Value("SELECT email_index FROM users"), Fields({kKey1}).Index(1, "users.email", "li@example.com"));
}

}  // namespace
}  // namespace selfservice
