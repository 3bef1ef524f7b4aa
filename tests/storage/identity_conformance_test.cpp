// UserRepository and SessionStore conformance: every adapter of kStorageUris keeps accounts unique
// per tenant ignoring case, applies the row-level scope, validates at its boundary and keeps the
// login state atomic; the SQLite files are checked to hold no personal data in clear.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/storage_test_support.hpp"

namespace selfservice::test {
namespace {

using Account = ::selfservice::User;  // test::User() names a caller

constexpr std::int64_t kT0 = 1'700'000'000'000;
const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

Scope Platform(std::int64_t tenant = 1) { return Scope(PlatformAdmin(tenant, 10, 900)); }

Account NewAccount(std::int64_t customer, std::string username, std::optional<std::string> email = std::nullopt) {
  Account u;
  u.customer_id = customer;
  u.username = std::move(username);
  u.email = std::move(email);
  u.display_name = "Some One";
  u.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  u.password_changed_at = Timestamp{kT0};
  u.created_at = u.updated_at = Timestamp{kT0};
  return u;
}

Account FullAccount() {
  Account u = NewAccount(10, "Zhang.San@corp", "Zhang.San@Example.COM");
  u.phone = "+86 138 0000 0000";
  u.display_name = "张三 Zhang San";
  u.roles = static_cast<unsigned>(Role::kCustomerUser) | static_cast<unsigned>(Role::kCustomerAdmin);
  u.status = UserStatus::disabled;
  u.mfa_method = "totp";
  u.mfa_enabled = true;
  u.totp_secret = "JBSWY3DPEHPK3PXP";
  u.totp_last_step = 56'666'666;
  u.recovery_code_hashes = {kHashA, kHashB};
  u.sso_subject = "https://idp.example.com 248289761001";
  u.last_login_at = Timestamp{kT0 + 5};
  u.updated_at = Timestamp{kT0 + 7};
  return u;
}

void ExpectSameAccount(const Account& a, const Account& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.tenant_id, b.tenant_id);
  EXPECT_EQ(a.customer_id, b.customer_id);
  EXPECT_EQ(a.username, b.username);
  EXPECT_EQ(a.email, b.email);
  EXPECT_EQ(a.phone, b.phone);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.roles, b.roles);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.password_hash, b.password_hash);
  EXPECT_EQ(a.password_changed_at, b.password_changed_at);
  EXPECT_EQ(a.mfa_method, b.mfa_method);
  EXPECT_EQ(a.mfa_enabled, b.mfa_enabled);
  EXPECT_EQ(a.totp_secret, b.totp_secret);
  EXPECT_EQ(a.totp_last_step, b.totp_last_step);
  EXPECT_EQ(a.recovery_code_hashes, b.recovery_code_hashes);
  EXPECT_EQ(a.sso_subject, b.sso_subject);
  EXPECT_EQ(a.last_login_at, b.last_login_at);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
}

bool HasFieldError(const Status& status, const std::string& field, const std::string& code) {
  for (const auto& error : status.field_errors()) {
    if (error.field == field && error.code == code) return true;
  }
  return false;
}

bool HasFieldError(const Status& status, const std::string& field) {
  for (const auto& error : status.field_errors()) {
    if (error.field == field) return true;
  }
  return false;
}

LoginSession NewLogin(std::string id, std::int64_t user_id = 100, std::int64_t customer_id = 10) {
  LoginSession v;
  v.id = std::move(id);
  v.customer_id = customer_id;
  v.user_id = user_id;
  v.refresh_id = "jti-0";
  v.created_at = v.refreshed_at = Timestamp{kT0};
  v.expires_at = Timestamp{kT0 + 1'000'000};
  v.ip_address = "203.0.113.9";
  v.user_agent = "Mozilla/5.0 (X11; Linux x86_64)";
  return v;
}

const std::string kSid1 = "0123456789abcdef0123456789abcdef";
const std::string kSid2 = "fedcba9876543210fedcba9876543210";
const std::string kSid3 = "00000000000000000000000000000003";

OneTimeToken NewToken(const std::string& hash, std::int64_t user_id = 100, std::string purpose = "password_reset") {
  OneTimeToken t;
  t.purpose = std::move(purpose);
  t.token_hash = hash;
  t.user_id = user_id;
  t.customer_id = 10;
  t.payload = R"({"code_hash":"x"})";
  t.created_at = Timestamp{kT0};
  t.expires_at = Timestamp{kT0 + 600'000};
  return t;
}

const SessionStore::TokenCheck kAccept = [](const OneTimeToken&) { return true; };
const SessionStore::TokenCheck kRefuse = [](const OneTimeToken&) { return false; };

class IdentityTest : public AdapterTest {
 protected:
  UserRepository& users() { return store_->users(); }
  SessionStore& logins() { return store_->login_sessions(); }

  Account Create(Account account, const Scope& scope = Platform()) {
    auto created = users().Create(scope, std::move(account));
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? created.value() : Account{};
  }
};

// --- Accounts ----------------------------------------------------------------------------------

TEST_P(IdentityTest, CreateKeepsEveryFieldAndGetReadsItBack) {
  const Account stored = Create(FullAccount());
  EXPECT_GT(stored.id, 0);
  EXPECT_EQ(stored.tenant_id, 1);
  auto read = users().Get(Platform(), stored.id);
  ASSERT_TRUE(read.ok()) << Describe(read);
  ExpectSameAccount(read.value(), stored);
}

TEST_P(IdentityTest, CreateTakesTheTenantFromTheScope) {
  Account account = NewAccount(10, "alice");
  account.tenant_id = 2;
  const Account stored = Create(account);
  EXPECT_EQ(stored.tenant_id, 1);
  EXPECT_EQ(users().Get(Scope(PlatformAdmin(2, 10, 1)), stored.id).status().code(), ErrorCode::kNotFound);
}

TEST_P(IdentityTest, FindByLoginMatchesTheUsernameIgnoringCase) {
  const Account stored = Create(NewAccount(10, "Alice.W"));
  auto found = users().FindByLogin(Platform(), "aLICE.w");
  ASSERT_TRUE(found.ok()) << Describe(found);
  EXPECT_EQ(found->id, stored.id);
  EXPECT_EQ(found->username, "Alice.W");
}

TEST_P(IdentityTest, FindByLoginMatchesTheEmailIgnoringCase) {
  const Account stored = Create(NewAccount(10, "alice", "Alice@Example.com"));
  auto found = users().FindByLogin(Platform(), "ALICE@example.COM");
  ASSERT_TRUE(found.ok()) << Describe(found);
  EXPECT_EQ(found->id, stored.id);
  EXPECT_EQ(found->email, "Alice@Example.com");
}

TEST_P(IdentityTest, FindByLoginOfNoAccountIsNotFound) {
  Create(NewAccount(10, "alice", "alice@example.com"));
  EXPECT_EQ(users().FindByLogin(Platform(), "bob").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(users().FindByLogin(Platform(), "bob@example.com").status().code(), ErrorCode::kNotFound);
}

TEST_P(IdentityTest, FindBySsoSubjectFindsTheMappedAccount) {
  Account account = NewAccount(10, "alice");
  account.sso_subject = "https://idp.example.com 42";
  const Account stored = Create(account);
  auto found = users().FindBySsoSubject(Platform(), "https://idp.example.com 42");
  ASSERT_TRUE(found.ok()) << Describe(found);
  EXPECT_EQ(found->id, stored.id);
  EXPECT_EQ(users().FindBySsoSubject(Platform(), "https://idp.example.com 43").status().code(),
            ErrorCode::kNotFound);
}

TEST_P(IdentityTest, UsernameDuplicateIgnoringCaseIsRefused) {
  Create(NewAccount(10, "alice"));
  auto again = users().Create(Platform(), NewAccount(11, "ALICE"));
  ASSERT_EQ(again.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(HasFieldError(again.status(), "username", field_code::kDuplicate)) << Describe(again);
}

TEST_P(IdentityTest, EmailDuplicateIgnoringCaseIsRefused) {
  Create(NewAccount(10, "alice", "alice@example.com"));
  auto again = users().Create(Platform(), NewAccount(11, "bob", "Alice@EXAMPLE.com"));
  ASSERT_EQ(again.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(HasFieldError(again.status(), "email", field_code::kDuplicate)) << Describe(again);
  EXPECT_FALSE(HasFieldError(again.status(), "username"));
}

TEST_P(IdentityTest, SsoSubjectDuplicateIsRefused) {
  Account first = NewAccount(10, "alice");
  first.sso_subject = "iss sub";
  Create(first);
  Account second = NewAccount(10, "bob");
  second.sso_subject = "iss sub";
  auto again = users().Create(Platform(), second);
  EXPECT_TRUE(HasFieldError(again.status(), "sso_subject", field_code::kDuplicate)) << Describe(again);
}

TEST_P(IdentityTest, AnotherTenantMayHoldTheSameUsernameAndEmail) {
  Create(NewAccount(10, "alice", "alice@example.com"));
  auto other = users().Create(Platform(2), NewAccount(10, "alice", "alice@example.com"));
  EXPECT_TRUE(other.ok()) << Describe(other);
}

TEST_P(IdentityTest, CustomerUserSeesOnlyTheirOwnAccount) {
  const Account mine = Create(NewAccount(10, "alice"));
  const Account colleague = Create(NewAccount(10, "bob"));
  const Scope scope(User(1, 10, mine.id));
  EXPECT_TRUE(users().Get(scope, mine.id).ok());
  EXPECT_EQ(users().Get(scope, colleague.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(users().FindByLogin(scope, "bob").status().code(), ErrorCode::kNotFound);
  auto page = users().List(scope, {}, {});
  ASSERT_TRUE(page.ok()) << Describe(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, mine.id);
  EXPECT_EQ(page->total, 1);
}

TEST_P(IdentityTest, CustomerAdminSeesTheAccountsOfTheirCustomer) {
  const Account colleague = Create(NewAccount(10, "alice"));
  const Account stranger = Create(NewAccount(11, "bob"));
  const Scope scope(CustomerAdmin(1, 10, 900));
  EXPECT_TRUE(users().Get(scope, colleague.id).ok());
  EXPECT_EQ(users().Get(scope, stranger.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(users().FindByLogin(scope, "bob").status().code(), ErrorCode::kNotFound);
  auto page = users().List(scope, {}, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, colleague.id);
}

TEST_P(IdentityTest, PlatformAdminSeesTheTenantsAccounts) {
  Create(NewAccount(10, "alice"));
  Create(NewAccount(11, "bob"));
  auto page = users().List(Platform(), {}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
  EXPECT_TRUE(users().FindByLogin(Platform(), "bob").ok());
}

TEST_P(IdentityTest, AnotherTenantSeesNoAccount) {
  Account account = NewAccount(10, "alice", "alice@example.com");
  account.sso_subject = "iss sub";
  const Account stored = Create(account);
  const Scope other = Platform(2);
  EXPECT_EQ(users().Get(other, stored.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(users().FindByLogin(other, "alice").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(users().FindByLogin(other, "alice@example.com").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(users().FindBySsoSubject(other, "iss sub").status().code(), ErrorCode::kNotFound);
  auto updated = users().Update(other, stored.id, [](Account&) { return Status::Ok(); });
  EXPECT_EQ(updated.status().code(), ErrorCode::kNotFound);
  auto page = users().List(other, {}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(page->total, 0);
}

TEST_P(IdentityTest, CreateOutsideTheScopeIsNotFound) {
  EXPECT_EQ(users().Create(Scope(CustomerAdmin(1, 10, 900)), NewAccount(11, "bob")).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(users().Create(Scope(User(1, 10, 900)), NewAccount(10, "bob")).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(users().Create(Scope(CustomerAdmin(1, 10, 900)), NewAccount(10, "bob")).ok());
}

TEST_P(IdentityTest, ListFiltersByCustomerStatusRoleAndQuery) {
  Account admin = NewAccount(10, "alice");
  admin.roles = static_cast<unsigned>(Role::kCustomerAdmin);
  admin.display_name = "Alice Admin";
  const Account a = Create(admin);
  Account disabled = NewAccount(10, "bob");
  disabled.status = UserStatus::disabled;
  disabled.display_name = "Robert";
  const Account b = Create(disabled);
  const Account c = Create(NewAccount(11, "carol"));

  const auto ids = [&](const UserFilter& filter) {
    std::vector<std::int64_t> out;
    auto page = users().List(Platform(), filter, {});
    EXPECT_TRUE(page.ok()) << Describe(page);
    if (page.ok()) {
      for (const auto& u : page->items) out.push_back(u.id);
      EXPECT_EQ(page->total, static_cast<std::int64_t>(out.size()));
    }
    return out;
  };
  UserFilter by_customer;
  by_customer.customer_id = 11;
  EXPECT_EQ(ids(by_customer), std::vector<std::int64_t>{c.id});
  UserFilter by_status;
  by_status.status = UserStatus::disabled;
  EXPECT_EQ(ids(by_status), std::vector<std::int64_t>{b.id});
  UserFilter by_role;
  by_role.role = Role::kCustomerAdmin;
  EXPECT_EQ(ids(by_role), std::vector<std::int64_t>{a.id});
  UserFilter by_name;
  by_name.query = "ROB";
  EXPECT_EQ(ids(by_name), std::vector<std::int64_t>{b.id});
  UserFilter by_username;
  by_username.query = "CaR";
  EXPECT_EQ(ids(by_username), std::vector<std::int64_t>{c.id});
}

TEST_P(IdentityTest, ListOfAnotherCustomerIsEmptyBelowThePlatform) {
  Create(NewAccount(11, "bob"));
  UserFilter filter;
  filter.customer_id = 11;
  auto page = users().List(Scope(CustomerAdmin(1, 10, 900)), filter, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(page->total, 0);
}

TEST_P(IdentityTest, ListPagesInCreationOrder) {
  std::vector<std::int64_t> created;
  for (int i = 0; i < 5; ++i) created.push_back(Create(NewAccount(10, "user" + std::to_string(i))).id);
  auto second = users().List(Platform(), {}, PageRequest{2, 2});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->total, 5);
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->items[0].id, created[2]);
  EXPECT_EQ(second->items[1].id, created[3]);
  auto past = users().List(Platform(), {}, PageRequest{4, 2});
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->items.empty());
  EXPECT_EQ(past->total, 5);
}

TEST_P(IdentityTest, UpdateStoresTheMutationAndKeepsIdentity) {
  const Account stored = Create(NewAccount(10, "alice", "alice@example.com"));
  auto updated = users().Update(Platform(), stored.id, [](Account& u) {
    u.id = 999;
    u.tenant_id = 7;
    u.created_at = Timestamp{1};
    u.username = "alice2";
    u.email = "Alice2@example.com";
    u.phone = "+1 555 0100";
    u.mfa_method = "email";
    u.totp_last_step = 12;
    u.updated_at = Timestamp{kT0 + 100};
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->id, stored.id);
  EXPECT_EQ(updated->tenant_id, 1);
  EXPECT_EQ(updated->created_at, stored.created_at);
  auto read = users().Get(Platform(), stored.id);
  ASSERT_TRUE(read.ok());
  ExpectSameAccount(read.value(), updated.value());
  EXPECT_TRUE(users().FindByLogin(Platform(), "alice2@EXAMPLE.com").ok());
  EXPECT_EQ(users().FindByLogin(Platform(), "alice@example.com").status().code(), ErrorCode::kNotFound);
}

TEST_P(IdentityTest, UpdateKeepingItsOwnUsernameAndEmailIsNoConflict) {
  const Account stored = Create(NewAccount(10, "alice", "alice@example.com"));
  auto updated = users().Update(Platform(), stored.id, [](Account& u) {
    u.username = "ALICE";
    u.email = "ALICE@example.com";
    return Status::Ok();
  });
  EXPECT_TRUE(updated.ok()) << Describe(updated);
}

TEST_P(IdentityTest, UpdateToAnotherAccountsUsernameOrEmailIsRefused) {
  Create(NewAccount(10, "alice", "alice@example.com"));
  const Account bob = Create(NewAccount(10, "bob", "bob@example.com"));
  auto by_name = users().Update(Platform(), bob.id, [](Account& u) {
    u.username = "Alice";
    return Status::Ok();
  });
  EXPECT_TRUE(HasFieldError(by_name.status(), "username", field_code::kDuplicate)) << Describe(by_name);
  auto by_email = users().Update(Platform(), bob.id, [](Account& u) {
    u.email = "ALICE@example.com";
    return Status::Ok();
  });
  EXPECT_TRUE(HasFieldError(by_email.status(), "email", field_code::kDuplicate)) << Describe(by_email);
  auto read = users().Get(Platform(), bob.id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->username, "bob");
  EXPECT_EQ(read->email, "bob@example.com");
}

TEST_P(IdentityTest, UpdateWritesNothingWhenTheMutationFails) {
  const Account stored = Create(NewAccount(10, "alice"));
  auto updated = users().Update(Platform(), stored.id, [](Account& u) {
    u.display_name = "changed";
    return Status::TransitionNotAllowed("active", "erased");
  });
  EXPECT_EQ(updated.status().code(), ErrorCode::kTransitionNotAllowed);
  EXPECT_EQ(users().Get(Platform(), stored.id)->display_name, "Some One");
}

TEST_P(IdentityTest, UpdateValidatesTheMutatedAccount) {
  const Account stored = Create(NewAccount(10, "alice"));
  auto updated = users().Update(Platform(), stored.id, [](Account& u) {
    u.username = "a b";
    u.roles = 0;
    return Status::Ok();
  });
  EXPECT_TRUE(HasFieldError(updated.status(), "username", field_code::kInvalid)) << Describe(updated);
  EXPECT_TRUE(HasFieldError(updated.status(), "roles", field_code::kRequired));
}

TEST_P(IdentityTest, UpdateCannotMoveAnAccountOutOfTheScope) {
  const Account stored = Create(NewAccount(10, "alice"));
  auto moved = users().Update(Scope(CustomerAdmin(1, 10, 900)), stored.id, [](Account& u) {
    u.customer_id = 11;
    return Status::Ok();
  });
  EXPECT_EQ(moved.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(users().Get(Platform(), stored.id)->customer_id, 10);
}

TEST_P(IdentityTest, UpdateOfAnUnknownAccountIsNotFound) {
  auto updated = users().Update(Platform(), 12345, [](Account&) { return Status::Ok(); });
  EXPECT_EQ(updated.status().code(), ErrorCode::kNotFound);
}

struct BadAccount {
  const char* field;
  const char* code;
  void (*spoil)(Account&);
};

TEST_P(IdentityTest, CreateRefusesEveryBadField) {
  const BadAccount cases[] = {
      {"username", field_code::kRequired, [](Account& u) { u.username.clear(); }},
      {"username", field_code::kOutOfRange, [](Account& u) { u.username = "ab"; }},
      {"username", field_code::kTooLong, [](Account& u) { u.username = std::string(65, 'a'); }},
      {"username", field_code::kInvalid, [](Account& u) { u.username = "alice smith"; }},
      {"username", field_code::kInvalid, [](Account& u) { u.username = "álice"; }},
      {"display_name", field_code::kTooLong, [](Account& u) { u.display_name = std::string(101, 'x'); }},
      {"email", field_code::kInvalid, [](Account& u) { u.email = "alice.example.com"; }},
      {"email", field_code::kInvalid, [](Account& u) { u.email = "a@b@example.com"; }},
      {"email", field_code::kInvalid, [](Account& u) { u.email = ""; }},
      {"email", field_code::kTooLong, [](Account& u) { u.email = std::string(250, 'a') + "@b.com"; }},
      {"phone", field_code::kTooLong, [](Account& u) { u.phone = std::string(33, '1'); }},
      {"roles", field_code::kRequired, [](Account& u) { u.roles = 0; }},
      {"roles", field_code::kNotAllowed, [](Account& u) { u.roles = 8; }},
      {"customer_id", field_code::kOutOfRange, [](Account& u) { u.customer_id = 0; }},
      {"mfa_method", field_code::kNotAllowed, [](Account& u) { u.mfa_method = "sms"; }},
      {"recovery_code_hashes", field_code::kInvalid, [](Account& u) { u.recovery_code_hashes = {"abc"}; }},
      {"sso_subject", field_code::kRequired, [](Account& u) { u.sso_subject = ""; }},
      {"totp_last_step", field_code::kOutOfRange, [](Account& u) { u.totp_last_step = -2; }},
  };
  for (const auto& c : cases) {
    Account account = NewAccount(10, "alice", "alice@example.com");
    c.spoil(account);
    auto created = users().Create(Platform(), account);
    EXPECT_EQ(created.status().code(), ErrorCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(HasFieldError(created.status(), c.field, c.code)) << c.field << ": " << Describe(created);
  }
  auto page = users().List(Platform(), {}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 0);
}

TEST_P(IdentityTest, ReadsRefuseBadArguments) {
  EXPECT_TRUE(HasFieldError(users().Get(Platform(), 0).status(), "id"));
  EXPECT_TRUE(HasFieldError(users().FindByLogin(Platform(), "").status(), "login", field_code::kRequired));
  EXPECT_TRUE(HasFieldError(users().FindByLogin(Platform(), std::string(256, 'a')).status(), "login",
                            field_code::kTooLong));
  EXPECT_TRUE(HasFieldError(users().FindBySsoSubject(Platform(), "").status(), "subject", field_code::kRequired));
  EXPECT_TRUE(HasFieldError(users().List(Platform(), {}, PageRequest{0, 20}).status(), "page"));
  EXPECT_TRUE(HasFieldError(users().List(Platform(), {}, PageRequest{1, 0}).status(), "size"));
  UserFilter bad_customer;
  bad_customer.customer_id = -1;
  EXPECT_TRUE(HasFieldError(users().List(Platform(), bad_customer, {}).status(), "customer_id"));
  UserFilter long_query;
  long_query.query = std::string(101, 'q');
  EXPECT_TRUE(HasFieldError(users().List(Platform(), long_query, {}).status(), "query", field_code::kTooLong));
  EXPECT_TRUE(
      HasFieldError(users().Update(Platform(), 0, [](Account&) { return Status::Ok(); }).status(), "id"));
}

// --- Login sessions ----------------------------------------------------------------------------

TEST_P(IdentityTest, CreateSessionAndGetItBack) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  auto read = logins().GetSession(Platform(), kSid1);
  ASSERT_TRUE(read.ok()) << Describe(read);
  EXPECT_EQ(read->id, kSid1);
  EXPECT_EQ(read->tenant_id, 1);
  EXPECT_EQ(read->customer_id, 10);
  EXPECT_EQ(read->user_id, 100);
  EXPECT_EQ(read->refresh_id, "jti-0");
  EXPECT_EQ(read->generation, 0);
  EXPECT_EQ(read->created_at, Timestamp{kT0});
  EXPECT_EQ(read->refreshed_at, Timestamp{kT0});
  EXPECT_EQ(read->expires_at, Timestamp{kT0 + 1'000'000});
  EXPECT_FALSE(read->revoked_at);
  EXPECT_FALSE(read->revoked_reason);
  EXPECT_EQ(read->ip_address, "203.0.113.9");
  EXPECT_EQ(read->user_agent, "Mozilla/5.0 (X11; Linux x86_64)");
}

TEST_P(IdentityTest, CreateSessionTwiceWithOneIdIsADuplicate) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  Status again = logins().CreateSession(Platform(), NewLogin(kSid1));
  EXPECT_TRUE(HasFieldError(again, "id", field_code::kDuplicate)) << Describe(again);
}

TEST_P(IdentityTest, AnotherTenantsSessionIsNotFound) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  EXPECT_EQ(logins().GetSession(Platform(2), kSid1).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(logins().RotateRefresh(Platform(2), kSid1, "jti-0", "jti-1", Timestamp{kT0 + 1},
                                   Timestamp{kT0 + 2'000'000})
                .status()
                .code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(logins().RevokeSession(Platform(2), kSid1, "admin", Timestamp{kT0 + 1}).code(), ErrorCode::kNotFound);
  auto revoked = logins().RevokeUserSessions(Platform(2), 100, "admin", Timestamp{kT0 + 1});
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked.value(), 0);
  ASSERT_TRUE(logins().DeleteUserState(Platform(2), 100).ok());
  EXPECT_FALSE(logins().GetSession(Platform(), kSid1)->revoked_at);
}

TEST_P(IdentityTest, RotateRefreshReplacesTheRefreshIdAndMovesExpiry) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  auto rotated =
      logins().RotateRefresh(Platform(), kSid1, "jti-0", "jti-1", Timestamp{kT0 + 10}, Timestamp{kT0 + 2'000'000});
  ASSERT_TRUE(rotated.ok()) << Describe(rotated);
  EXPECT_EQ(rotated->refresh_id, "jti-1");
  EXPECT_EQ(rotated->generation, 1);
  EXPECT_EQ(rotated->refreshed_at, Timestamp{kT0 + 10});
  EXPECT_EQ(rotated->expires_at, Timestamp{kT0 + 2'000'000});
  EXPECT_EQ(rotated->ip_address, "203.0.113.9");
  auto read = logins().GetSession(Platform(), kSid1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->refresh_id, "jti-1");
  EXPECT_EQ(read->generation, 1);
  EXPECT_EQ(read->expires_at, Timestamp{kT0 + 2'000'000});
}

TEST_P(IdentityTest, ReusedRefreshIdRevokesTheWholeFamily) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  ASSERT_TRUE(logins()
                  .RotateRefresh(Platform(), kSid1, "jti-0", "jti-1", Timestamp{kT0 + 10}, Timestamp{kT0 + 2'000'000})
                  .ok());
  auto reused =
      logins().RotateRefresh(Platform(), kSid1, "jti-0", "jti-x", Timestamp{kT0 + 20}, Timestamp{kT0 + 2'000'000});
  EXPECT_EQ(reused.status().code(), ErrorCode::kUnauthenticated);
  auto read = logins().GetSession(Platform(), kSid1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->revoked_at, Timestamp{kT0 + 20});
  EXPECT_EQ(read->revoked_reason, "reuse");
  auto current =
      logins().RotateRefresh(Platform(), kSid1, "jti-1", "jti-2", Timestamp{kT0 + 30}, Timestamp{kT0 + 2'000'000});
  EXPECT_EQ(current.status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(IdentityTest, ExpiredSessionDoesNotRotate) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  auto late = logins().RotateRefresh(Platform(), kSid1, "jti-0", "jti-1", Timestamp{kT0 + 1'000'000},
                                     Timestamp{kT0 + 3'000'000});
  EXPECT_EQ(late.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(logins().GetSession(Platform(), kSid1)->refresh_id, "jti-0");
}

TEST_P(IdentityTest, RevokedSessionDoesNotRotateAndRevokingTwiceIsFine) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  ASSERT_TRUE(logins().RevokeSession(Platform(), kSid1, "logout", Timestamp{kT0 + 5}).ok());
  ASSERT_TRUE(logins().RevokeSession(Platform(), kSid1, "admin", Timestamp{kT0 + 6}).ok());
  auto read = logins().GetSession(Platform(), kSid1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->revoked_at, Timestamp{kT0 + 5});
  EXPECT_EQ(read->revoked_reason, "logout");
  auto rotated =
      logins().RotateRefresh(Platform(), kSid1, "jti-0", "jti-1", Timestamp{kT0 + 10}, Timestamp{kT0 + 2'000'000});
  EXPECT_EQ(rotated.status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(IdentityTest, RevokingAnUnknownSessionIsNotFound) {
  EXPECT_EQ(logins().RevokeSession(Platform(), kSid1, "logout", Timestamp{kT0}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(logins().GetSession(Platform(), kSid1).status().code(), ErrorCode::kNotFound);
}

TEST_P(IdentityTest, RevokeUserSessionsRevokesEveryLiveSessionOfTheUser) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid2)).ok());
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid3, 101)).ok());
  ASSERT_TRUE(logins().RevokeSession(Platform(), kSid2, "logout", Timestamp{kT0 + 1}).ok());
  auto revoked = logins().RevokeUserSessions(Platform(), 100, "password", Timestamp{kT0 + 2});
  ASSERT_TRUE(revoked.ok()) << Describe(revoked);
  EXPECT_EQ(revoked.value(), 1);
  EXPECT_EQ(logins().GetSession(Platform(), kSid1)->revoked_reason, "password");
  EXPECT_EQ(logins().GetSession(Platform(), kSid2)->revoked_reason, "logout");
  EXPECT_FALSE(logins().GetSession(Platform(), kSid3)->revoked_at);
}

TEST_P(IdentityTest, SessionMethodsRefuseBadArguments) {
  LoginSession bad = NewLogin("not-hex");
  bad.customer_id = 0;
  bad.user_id = 0;
  bad.refresh_id.clear();
  bad.expires_at = bad.created_at;
  bad.user_agent = std::string(513, 'u');
  Status created = logins().CreateSession(Platform(), bad);
  EXPECT_EQ(created.code(), ErrorCode::kInvalidArgument);
  for (const char* field : {"id", "customer_id", "user_id", "refresh_id", "expires_at", "user_agent"}) {
    EXPECT_TRUE(HasFieldError(created, field)) << field << ": " << Describe(created);
  }
  EXPECT_TRUE(HasFieldError(logins().GetSession(Platform(), "").status(), "session_id"));
  EXPECT_TRUE(HasFieldError(logins().GetSession(Platform(), "xyz").status(), "session_id"));
  auto rotated = logins().RotateRefresh(Platform(), kSid1, "", "", Timestamp{kT0}, Timestamp{kT0});
  EXPECT_TRUE(HasFieldError(rotated.status(), "presented"));
  EXPECT_TRUE(HasFieldError(rotated.status(), "next"));
  EXPECT_TRUE(HasFieldError(rotated.status(), "expires_at"));
  EXPECT_TRUE(HasFieldError(logins().RevokeSession(Platform(), kSid1, "", Timestamp{kT0}), "reason"));
  EXPECT_TRUE(HasFieldError(logins().RevokeUserSessions(Platform(), 0, "admin", Timestamp{kT0}).status(), "user_id"));
  EXPECT_TRUE(HasFieldError(logins().DeleteUserState(Platform(), 0), "user_id"));
}

// --- Failure counters --------------------------------------------------------------------------

constexpr std::int64_t kWindow = 900'000;
constexpr std::int64_t kLock = 1'800'000;

TEST_P(IdentityTest, FailuresReachingTheThresholdLockTheKey) {
  for (int i = 1; i <= 2; ++i) {
    auto state = logins().RecordFailure(Platform(), "user:100", Timestamp{kT0 + i}, kWindow, 3, kLock);
    ASSERT_TRUE(state.ok()) << Describe(state);
    EXPECT_EQ(state->failures, i);
    EXPECT_FALSE(state->locked_until);
  }
  auto locked = logins().RecordFailure(Platform(), "user:100", Timestamp{kT0 + 3}, kWindow, 3, kLock);
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(locked->failures, 3);
  EXPECT_EQ(locked->locked_until, Timestamp{kT0 + 3 + kLock});
  auto read = logins().Failures(Platform(), "user:100", Timestamp{kT0 + 4});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->failures, 3);
  EXPECT_EQ(read->locked_until, Timestamp{kT0 + 3 + kLock});
}

TEST_P(IdentityTest, FailuresOlderThanTheWindowAreForgotten) {
  ASSERT_TRUE(logins().RecordFailure(Platform(), "ip:203.0.113.9", Timestamp{kT0}, kWindow, 3, kLock).ok());
  ASSERT_TRUE(logins().RecordFailure(Platform(), "ip:203.0.113.9", Timestamp{kT0 + 1}, kWindow, 3, kLock).ok());
  auto later = logins().RecordFailure(Platform(), "ip:203.0.113.9", Timestamp{kT0 + kWindow}, kWindow, 3, kLock);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->failures, 1);
  EXPECT_FALSE(later->locked_until);
}

TEST_P(IdentityTest, AnExpiredLockReadsAsNone) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(logins().RecordFailure(Platform(), "user:100", Timestamp{kT0}, kWindow, 3, kLock).ok());
  }
  auto read = logins().Failures(Platform(), "user:100", Timestamp{kT0 + kLock});
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->locked_until);
  EXPECT_EQ(read->failures, 0);
  auto next = logins().RecordFailure(Platform(), "user:100", Timestamp{kT0 + kLock}, kWindow, 3, kLock);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->failures, 1);
  EXPECT_FALSE(next->locked_until);
}

TEST_P(IdentityTest, AFailureWhileLockedDoesNotMoveTheLock) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(logins().RecordFailure(Platform(), "user:100", Timestamp{kT0}, kWindow, 3, kLock).ok());
  }
  auto during = logins().RecordFailure(Platform(), "user:100", Timestamp{kT0 + kWindow + 1}, kWindow, 3, kLock);
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->failures, 4);
  EXPECT_EQ(during->locked_until, Timestamp{kT0 + kLock});
}

TEST_P(IdentityTest, ClearFailuresForgetsTheKey) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(logins().RecordFailure(Platform(), "user:100", Timestamp{kT0}, kWindow, 3, kLock).ok());
  }
  ASSERT_TRUE(logins().ClearFailures(Platform(), "user:100").ok());
  auto read = logins().Failures(Platform(), "user:100", Timestamp{kT0 + 1});
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->failures, 0);
  EXPECT_FALSE(read->locked_until);
}

TEST_P(IdentityTest, FailuresAreCountedPerTenant) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(logins().RecordFailure(Platform(), "user:100", Timestamp{kT0}, kWindow, 3, kLock).ok());
  }
  auto other = logins().Failures(Platform(2), "user:100", Timestamp{kT0 + 1});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->failures, 0);
  EXPECT_FALSE(other->locked_until);
}

TEST_P(IdentityTest, FailureMethodsRefuseBadArguments) {
  auto recorded = logins().RecordFailure(Platform(), "", Timestamp{kT0}, 0, 0, 0);
  for (const char* field : {"key", "window_millis", "threshold", "lock_for_millis"}) {
    EXPECT_TRUE(HasFieldError(recorded.status(), field)) << field << ": " << Describe(recorded);
  }
  EXPECT_TRUE(HasFieldError(logins().Failures(Platform(), std::string(201, 'k'), Timestamp{kT0}).status(), "key",
                            field_code::kTooLong));
  EXPECT_TRUE(HasFieldError(logins().ClearFailures(Platform(), ""), "key", field_code::kRequired));
}

// --- One-time tokens ---------------------------------------------------------------------------

TEST_P(IdentityTest, ATokenIsUsedOnce) {
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA)).ok());
  auto used = logins().UseToken(Platform(), "password_reset", kHashA, Timestamp{kT0 + 1}, 5, kAccept);
  ASSERT_TRUE(used.ok()) << Describe(used);
  EXPECT_EQ(used->user_id, 100);
  EXPECT_EQ(used->customer_id, 10);
  EXPECT_EQ(used->payload, R"({"code_hash":"x"})");
  EXPECT_EQ(used->used_at, Timestamp{kT0 + 1});
  auto again = logins().UseToken(Platform(), "password_reset", kHashA, Timestamp{kT0 + 2}, 5, kAccept);
  EXPECT_EQ(again.status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(IdentityTest, TheCheckSeesTheStoredToken) {
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA)).ok());
  std::string seen_payload;
  auto used = logins().UseToken(Platform(), "password_reset", kHashA, Timestamp{kT0 + 1}, 5,
                                [&](const OneTimeToken& token) {
                                  seen_payload = token.payload;
                                  return true;
                                });
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(seen_payload, R"({"code_hash":"x"})");
}

TEST_P(IdentityTest, WrongAnswersBurnTheTokenAtMaxAttempts) {
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA, 100, "mfa_email")).ok());
  for (int i = 0; i < 3; ++i) {
    auto wrong = logins().UseToken(Platform(), "mfa_email", kHashA, Timestamp{kT0 + 1}, 3, kRefuse);
    EXPECT_EQ(wrong.status().code(), ErrorCode::kUnauthenticated);
  }
  auto right = logins().UseToken(Platform(), "mfa_email", kHashA, Timestamp{kT0 + 2}, 3, kAccept);
  EXPECT_EQ(right.status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(IdentityTest, AWrongAnswerBelowMaxAttemptsLeavesTheTokenUsable) {
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA, 100, "mfa_email")).ok());
  auto wrong = logins().UseToken(Platform(), "mfa_email", kHashA, Timestamp{kT0 + 1}, 3, kRefuse);
  EXPECT_EQ(wrong.status().code(), ErrorCode::kUnauthenticated);
  auto right = logins().UseToken(Platform(), "mfa_email", kHashA, Timestamp{kT0 + 2}, 3, kAccept);
  ASSERT_TRUE(right.ok()) << Describe(right);
  EXPECT_EQ(right->attempts, 1);
}

TEST_P(IdentityTest, AnExpiredTokenIsRefused) {
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA)).ok());
  auto late = logins().UseToken(Platform(), "password_reset", kHashA, Timestamp{kT0 + 600'000}, 5, kAccept);
  EXPECT_EQ(late.status().code(), ErrorCode::kUnauthenticated);
}

TEST_P(IdentityTest, AnUnknownTokenOrPurposeOrTenantIsRefused) {
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA)).ok());
  EXPECT_EQ(logins().UseToken(Platform(), "password_reset", kHashB, Timestamp{kT0 + 1}, 5, kAccept).status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(logins().UseToken(Platform(), "mfa_login", kHashA, Timestamp{kT0 + 1}, 5, kAccept).status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(logins().UseToken(Platform(2), "password_reset", kHashA, Timestamp{kT0 + 1}, 5, kAccept).status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(logins().UseToken(Platform(), "password_reset", kHashA, Timestamp{kT0 + 1}, 5, kAccept).ok());
}

TEST_P(IdentityTest, IssuingOneTokenTwiceIsADuplicate) {
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA)).ok());
  EXPECT_TRUE(HasFieldError(logins().IssueToken(Platform(), NewToken(kHashA)), "token_hash", field_code::kDuplicate));
}

TEST_P(IdentityTest, RevokeTokensUsesUpTheUsersTokensOfThePurpose) {
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA)).ok());
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashB, 100, "mfa_login")).ok());
  ASSERT_TRUE(logins().RevokeTokens(Platform(), 100, "password_reset", Timestamp{kT0 + 1}).ok());
  EXPECT_EQ(logins().UseToken(Platform(), "password_reset", kHashA, Timestamp{kT0 + 2}, 5, kAccept).status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(logins().UseToken(Platform(), "mfa_login", kHashB, Timestamp{kT0 + 2}, 5, kAccept).ok());
}

TEST_P(IdentityTest, TokenMethodsRefuseBadArguments) {
  OneTimeToken bad = NewToken("abc");
  bad.purpose = std::string(33, 'p');
  bad.user_id = 0;
  bad.customer_id = 0;
  bad.payload = "{not json";
  bad.expires_at = bad.created_at;
  Status issued = logins().IssueToken(Platform(), bad);
  for (const char* field : {"purpose", "token_hash", "user_id", "customer_id", "payload", "expires_at"}) {
    EXPECT_TRUE(HasFieldError(issued, field)) << field << ": " << Describe(issued);
  }
  auto used = logins().UseToken(Platform(), "", std::string(64, 'g'), Timestamp{kT0}, 0, nullptr);
  for (const char* field : {"purpose", "token_hash", "max_attempts", "check"}) {
    EXPECT_TRUE(HasFieldError(used.status(), field)) << field << ": " << Describe(used);
  }
  Status revoked = logins().RevokeTokens(Platform(), 0, "", Timestamp{kT0});
  EXPECT_TRUE(HasFieldError(revoked, "user_id"));
  EXPECT_TRUE(HasFieldError(revoked, "purpose"));
}

TEST_P(IdentityTest, DeleteUserStateRemovesSessionsFailuresAndTokensOfTheUser) {
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid1)).ok());
  ASSERT_TRUE(logins().CreateSession(Platform(), NewLogin(kSid2, 101)).ok());
  ASSERT_TRUE(logins().RecordFailure(Platform(), "user:100", Timestamp{kT0}, kWindow, 3, kLock).ok());
  ASSERT_TRUE(logins().RecordFailure(Platform(), "user:101", Timestamp{kT0}, kWindow, 3, kLock).ok());
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashA)).ok());
  ASSERT_TRUE(logins().IssueToken(Platform(), NewToken(kHashB, 101)).ok());

  ASSERT_TRUE(logins().DeleteUserState(Platform(), 100).ok());

  EXPECT_EQ(logins().GetSession(Platform(), kSid1).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(logins().Failures(Platform(), "user:100", Timestamp{kT0})->failures, 0);
  EXPECT_EQ(logins().UseToken(Platform(), "password_reset", kHashA, Timestamp{kT0 + 1}, 5, kAccept).status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(logins().GetSession(Platform(), kSid2).ok());
  EXPECT_EQ(logins().Failures(Platform(), "user:101", Timestamp{kT0})->failures, 1);
  EXPECT_TRUE(logins().UseToken(Platform(), "password_reset", kHashB, Timestamp{kT0 + 1}, 5, kAccept).ok());
}

INSTANTIATE_TEST_SUITE_P(Adapters, IdentityTest, ::testing::ValuesIn(kStorageUris), AdapterName);

// --- The SQLite file: what a stolen database shows -----------------------------------------------

// A raw connection to the store's file, beside the store (the store keeps serving).
class RawFile {
 public:
  explicit RawFile(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
    sqlite3_busy_timeout(db_, 5000);
  }
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;
  ~RawFile() { sqlite3_close(db_); }

  // The first row's text columns of `sql` (NULL as "").
  std::vector<std::string> Row(const char* sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_);
      return out;
    }
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
    }
    sqlite3_finalize(stmt);
    return out;
  }

  void Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      ADD_FAILURE() << (error ? error : "exec failed");
      sqlite3_free(error);
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

StoreOptions Keys(std::vector<EncryptionKey> keys) {
  StoreOptions options;
  options.encryption_keys = std::move(keys);
  return options;
}

const EncryptionKey kKey1{"k1", std::string(32, '\x11')};
const EncryptionKey kKey2{"k2", std::string(32, '\x22')};

class IdentityFileTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(const StoreOptions& options) {
    auto opened = OpenStore("sqlite:" + path_, options);
    EXPECT_TRUE(opened.ok()) << Describe(opened);
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  TempDir dir_;
  std::string path_ = dir_.File("portal.db");
};

TEST_F(IdentityFileTest, SensitiveColumnsHoldNoPlaintext) {
  auto store = Open(Keys({kKey1}));
  ASSERT_TRUE(store);
  auto created = store->users().Create(Platform(), FullAccount());
  ASSERT_TRUE(created.ok()) << Describe(created);
  ASSERT_TRUE(store->login_sessions().CreateSession(Platform(), NewLogin(kSid1)).ok());

  RawFile raw(path_);
  const auto user = raw.Row("SELECT email, email_index, phone, totp_secret, password_hash FROM users");
  ASSERT_EQ(user.size(), 5u);
  for (const std::string& sealed : {user[0], user[2], user[3]}) EXPECT_EQ(sealed.rfind("enc:v1:k1:", 0), 0u) << sealed;
  for (const std::string& column : user) {
    EXPECT_EQ(column.find("Example.COM"), std::string::npos);
    EXPECT_EQ(column.find("example.com"), std::string::npos);
    EXPECT_EQ(column.find("138 0000"), std::string::npos);
    EXPECT_EQ(column.find("JBSWY3DP"), std::string::npos);
  }
  EXPECT_EQ(user[1].rfind("k1:", 0), 0u) << user[1];
  const auto session = raw.Row("SELECT ip_address, user_agent FROM login_sessions");
  ASSERT_EQ(session.size(), 2u);
  for (const std::string& sealed : session) {
    EXPECT_EQ(sealed.rfind("enc:v1:k1:", 0), 0u) << sealed;
    EXPECT_EQ(sealed.find("203.0.113"), std::string::npos);
    EXPECT_EQ(sealed.find("Mozilla"), std::string::npos);
  }
}

TEST_F(IdentityFileTest, ATamperedSealedValueIsADatabaseErrorNotData) {
  auto store = Open(Keys({kKey1}));
  ASSERT_TRUE(store);
  auto created = store->users().Create(Platform(), NewAccount(10, "alice", "alice@example.com"));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(store->login_sessions().CreateSession(Platform(), NewLogin(kSid1)).ok());
  {
    RawFile raw(path_);
    // Another column's ciphertext (well formed, but sealed for another place), and a changed tag.
    raw.Exec("UPDATE users SET email = (SELECT ip_address FROM login_sessions)");
    raw.Exec("UPDATE login_sessions SET user_agent = substr(user_agent, 1, length(user_agent) - 4) || "
             "CASE WHEN substr(user_agent, -4, 1) = 'A' THEN 'BAAA' ELSE 'AAAA' END");
  }
  auto read = store->users().Get(Platform(), created->id);
  EXPECT_EQ(read.status().code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_EQ(store->users().List(Platform(), {}, {}).status().code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_EQ(store->login_sessions().GetSession(Platform(), kSid1).status().code(), ErrorCode::kDatabaseUnavailable);
}

TEST_F(IdentityFileTest, AnAccountIndexedBeforeAKeyRotationIsStillFoundAndUnique) {
  std::int64_t id = 0;
  {
    auto store = Open(Keys({kKey1}));
    ASSERT_TRUE(store);
    auto created = store->users().Create(Platform(), NewAccount(10, "alice", "Alice@Example.com"));
    ASSERT_TRUE(created.ok());
    id = created->id;
  }
  auto store = Open(Keys({kKey2, kKey1}));
  ASSERT_TRUE(store);
  auto found = store->users().FindByLogin(Platform(), "alice@example.COM");
  ASSERT_TRUE(found.ok()) << Describe(found);
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->email, "Alice@Example.com");
  auto duplicate = store->users().Create(Platform(), NewAccount(10, "bob", "ALICE@example.com"));
  EXPECT_TRUE(HasFieldError(duplicate.status(), "email", field_code::kDuplicate)) << Describe(duplicate);

  auto fresh = store->users().Create(Platform(), NewAccount(10, "carol", "carol@example.com"));
  ASSERT_TRUE(fresh.ok());
  RawFile raw(path_);
  const auto carol = raw.Row("SELECT email, email_index FROM users WHERE username = 'carol'");
  ASSERT_EQ(carol.size(), 2u);
  EXPECT_EQ(carol[0].rfind("enc:v1:k2:", 0), 0u) << carol[0];
  EXPECT_EQ(carol[1].rfind("k2:", 0), 0u) << carol[1];
}

TEST_F(IdentityFileTest, UpdatingAnAccountAfterARotationSealsItUnderTheCurrentKey) {
  std::int64_t id = 0;
  {
    auto store = Open(Keys({kKey1}));
    ASSERT_TRUE(store);
    auto created = store->users().Create(Platform(), NewAccount(10, "alice", "alice@example.com"));
    ASSERT_TRUE(created.ok());
    id = created->id;
  }
  auto store = Open(Keys({kKey2, kKey1}));
  ASSERT_TRUE(store);
  auto updated = store->users().Update(Platform(), id, [](Account& u) {
    u.display_name = "Alice";
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  RawFile raw(path_);
  const auto row = raw.Row("SELECT email, email_index FROM users");
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0].rfind("enc:v1:k2:", 0), 0u) << row[0];
  EXPECT_EQ(row[1].rfind("k2:", 0), 0u) << row[1];
  EXPECT_TRUE(store->users().FindByLogin(Platform(), "alice@example.com").ok());
}

}  // namespace
}  // namespace selfservice::test
