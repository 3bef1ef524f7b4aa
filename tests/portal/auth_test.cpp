// Sign-in through the portal's string API: passwords and lockout, tokens and their rotation,
// access tokens as the caller's identity, trust_host_context, password change and reset, TOTP and
// e-mail MFA, OIDC single sign-on, feature gating (issue 6; docs/SECURITY.md).

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "harness.hpp"
#include "security/jwt.hpp"
#include "security/key_fixtures.hpp"
#include "security/totp.hpp"

namespace selfservice::test {
namespace {

constexpr char kPassword[] = "Correct-Horse-42";
constexpr char kAddress[] = "203.0.113.7";

// A portal whose host channel keeps the account messages it is asked to send.
class AuthTest : public PortalTest {
 protected:
  void SetUp() override { Open(true); }

  void Open(bool trust_host_context) {
    portal_.reset();
    clock_ = std::make_shared<ManualClock>(kStartMillis);
    PortalOptions options;
    options.clock = clock_;
    options.trust_host_context = trust_host_context;
    options.notifications.host = CreateCallbackNotifier(
        [](const TicketNotification&) { return Status::Ok(); },
        [this](const AccountMessage& message) {
          std::lock_guard lock(mutex_);
          messages_.push_back(message);
          return Status::Ok();
        });
    auto portal = Portal::Open(std::move(options));
    ASSERT_TRUE(portal.ok()) << portal.status().detail();
    portal_ = std::move(portal).value();
  }

  // An account of tenant 1, customer 10, created by a platform_admin the trusted host names.
  std::int64_t CreateAccount(std::string username, json::object extra = {}) {
    json::object request{{"customer_id", 10}, {"username", username}, {"password", kPassword},
                         {"email", username + "@example.com"}};
    for (auto& [key, value] : extra) request[key] = value;
    const json::object answer = Call("users.create", PlatformAdmin(), request);
    EXPECT_TRUE(IsSuccess(answer)) << json::serialize(answer);
    return answer.at("data").at("id").as_int64();
  }

  static std::string Anonymous(std::string_view address = kAddress) {
    return json::serialize(json::object{{"locale", "en-US"}, {"client_ip", address}});
  }
  static std::string WithToken(std::string_view token) {
    return json::serialize(json::object{{"access_token", token}, {"locale", "en-US"}});
  }

  json::object Login(std::string_view username, std::string_view password = kPassword,
                     std::string_view address = kAddress) {
    return CallText("auth.login", Anonymous(address),
                    json::serialize(json::object{{"tenant_id", 1}, {"username", username}, {"password", password}}));
  }
  json::object Public(std::string_view method, const json::object& request) {
    return CallText(method, Anonymous(), json::serialize(request));
  }
  json::object AsToken(std::string_view method, std::string_view token, const json::object& request = {}) {
    return CallText(method, WithToken(token), json::serialize(request));
  }
  std::string AccessToken(std::string_view username) {
    const json::object answer = Login(username);
    EXPECT_TRUE(IsSuccess(answer)) << json::serialize(answer);
    return std::string(answer.at("data").at("access_token").as_string());
  }

  // The actions of audit.list entries matching `filter`, as "action:outcome", newest first, as a
  // platform_admin reads them.
  std::vector<std::string> AuditActions(json::object filter = {}) {
    filter["size"] = 100;
    const json::object answer = Call("audit.list", PlatformAdmin(1, 1, 999), filter);
    std::vector<std::string> actions;
    for (const auto& entry : answer.at("data").as_array()) {
      actions.push_back(std::string(entry.at("action").as_string()) + ":" +
                        std::string(entry.at("outcome").as_string()));
    }
    return actions;
  }

  std::vector<AccountMessage> Messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }

  std::mutex mutex_;
  std::vector<AccountMessage> messages_;
};

std::string CurrentTotp(std::string_view base32_secret, std::int64_t unix_seconds) {
  return security::Totp(*security::Base32Decode(base32_secret), unix_seconds).value();
}

// --- passwords and tokens --------------------------------------------------------------------------

TEST_F(AuthTest, LoginWithTheRightPasswordAnswersBearerTokens) {
  CreateAccount("alice");
  const json::object answer = Login("alice");
  ASSERT_TRUE(IsSuccess(answer)) << json::serialize(answer);
  const json::object& data = answer.at("data").as_object();
  EXPECT_EQ(data.at("token_type"), "Bearer");
  EXPECT_EQ(data.at("expires_in"), 7200);
  EXPECT_EQ(data.at("refresh_expires_in"), 7 * 24 * 3600);
  EXPECT_FALSE(data.at("access_token").as_string().empty());
  EXPECT_FALSE(data.at("refresh_token").as_string().empty());
}

TEST_F(AuthTest, LoginAcceptsTheEmailInAnyCase) {
  CreateAccount("alice");
  EXPECT_TRUE(IsSuccess(CallText("auth.login", Anonymous(),
                                 R"({"tenant_id":1,"email":"ALICE@example.com","password":"Correct-Horse-42"})")));
}

TEST_F(AuthTest, TheAccessTokenIsTheCallersIdentity) {
  const std::int64_t id = CreateAccount("alice");
  const std::string token = AccessToken("alice");
  const json::object started = AsToken("sessions.start", token, json::object{{"initial_question", "VPN down"}});
  ASSERT_TRUE(IsSuccess(started)) << json::serialize(started);
  EXPECT_EQ(started.at("data").at("user_id"), id);
  EXPECT_EQ(started.at("data").at("customer_id"), 10);
  EXPECT_EQ(started.at("data").at("tenant_id"), 1);
}

TEST_F(AuthTest, AuthenticateNamesTheCallerOfAnAccessToken) {
  const std::int64_t id = CreateAccount("alice");
  const std::string token = AccessToken("alice");
  auto who = portal_->Authenticate(token);
  ASSERT_TRUE(who.ok()) << who.status().detail();
  EXPECT_EQ(who->tenant_id, 1);
  EXPECT_EQ(who->customer_id, 10);
  EXPECT_EQ(who->user_id, id);
  EXPECT_TRUE(who->has(Role::kCustomerUser));
  EXPECT_FALSE(who->has(Role::kCustomerAdmin));
  EXPECT_FALSE(who->login_session_id.empty());
  EXPECT_TRUE(who->client_ip.empty());
}

TEST_F(AuthTest, AuthenticateRefusesBadAndEndedTokens) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  for (std::string_view bad : {std::string_view(), std::string_view("not-a-jwt"), std::string_view("a.b.c"),
                               std::string_view(token).substr(0, token.size() - 2)}) {
    auto who = portal_->Authenticate(bad);
    ASSERT_FALSE(who.ok()) << bad;
    EXPECT_EQ(who.status().code(), ErrorCode::kUnauthenticated) << bad;
  }
  ASSERT_TRUE(IsSuccess(AsToken("auth.logout", token)));
  auto after_logout = portal_->Authenticate(token);
  ASSERT_FALSE(after_logout.ok());
  EXPECT_EQ(after_logout.status().code(), ErrorCode::kUnauthenticated);
}

TEST_F(AuthTest, AuthenticateRefusesAnExpiredToken) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  clock_->Advance(3 * 3600 * 1000);  // past the 2 h lifetime and its leeway
  auto who = portal_->Authenticate(token);
  ASSERT_FALSE(who.ok());
  EXPECT_EQ(who.status().code(), ErrorCode::kUnauthenticated);
}

TEST_F(AuthTest, AWrongPasswordAndAnUnknownUserGetTheSameAnswer) {
  CreateAccount("alice");
  const json::object wrong = Login("alice", "Wrong-Horse-42");
  const json::object unknown = Login("nobody", "Wrong-Horse-42");
  ASSERT_TRUE(IsError(wrong, 10002));
  ASSERT_TRUE(IsError(unknown, 10002));
  EXPECT_EQ(wrong.at("message"), unknown.at("message"));
  EXPECT_EQ(wrong.at("errors"), unknown.at("errors"));
  EXPECT_FALSE(wrong.contains("retry_after"));
  EXPECT_FALSE(unknown.contains("retry_after"));
}

TEST_F(AuthTest, FiveFailuresLockTheAccountForThirtyMinutesEvenForTheRightPassword) {
  CreateAccount("alice");
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(Login("alice", "Wrong-Horse-42", "198.51.100." + std::to_string(i)).contains("retry_after"));
  const json::object fifth = Login("alice", "Wrong-Horse-42", "198.51.100.9");
  ASSERT_TRUE(IsError(fifth, 10002));
  EXPECT_EQ(fifth.at("retry_after"), 1800);
  const json::object right = Login("alice", kPassword, "192.0.2.1");
  ASSERT_TRUE(IsError(right, 10002));
  EXPECT_TRUE(right.contains("retry_after"));
  clock_->Advance(30 * 60 * 1000);
  EXPECT_TRUE(IsSuccess(Login("alice", kPassword, "192.0.2.1")));
}

TEST_F(AuthTest, AnUnknownNameLocksExactlyAsAKnownOne) {
  for (int i = 0; i < 4; ++i) Login("nobody", "Wrong-Horse-42", "198.51.100." + std::to_string(i));
  const json::object fifth = Login("nobody", "Wrong-Horse-42", "198.51.100.9");
  ASSERT_TRUE(IsError(fifth, 10002));
  EXPECT_EQ(fifth.at("retry_after"), 1800);
}

TEST_F(AuthTest, FailuresFromOneAddressLockThatAddressForEveryAccount) {
  CreateAccount("alice");
  for (int i = 0; i < 5; ++i) Login("user" + std::to_string(i), "Wrong-Horse-42");
  const json::object answer = Login("alice");
  ASSERT_TRUE(IsError(answer, 10002));
  EXPECT_TRUE(answer.contains("retry_after"));
  EXPECT_TRUE(IsSuccess(Login("alice", kPassword, "192.0.2.44")));
}

TEST_F(AuthTest, ASuccessfulLoginResetsTheAccountsFailures) {
  CreateAccount("alice");
  for (int i = 0; i < 4; ++i) Login("alice", "Wrong-Horse-42", "198.51.100." + std::to_string(i));
  ASSERT_TRUE(IsSuccess(Login("alice", kPassword, "192.0.2.1")));
  for (int i = 0; i < 4; ++i) Login("alice", "Wrong-Horse-42", "198.51.100." + std::to_string(i));
  EXPECT_TRUE(IsSuccess(Login("alice", kPassword, "192.0.2.1")));
}

TEST_F(AuthTest, ADisabledAccountCannotSignIn) {
  const std::int64_t id = CreateAccount("alice");
  ASSERT_TRUE(IsSuccess(Call("users.update", PlatformAdmin(1, 1, 999), json::object{{"id", id}, {"status", "disabled"}})));
  EXPECT_TRUE(IsError(Login("alice"), 10002));
}

TEST_F(AuthTest, LoginRefusesBadInputWithFieldErrors) {
  const json::object answer = Public("auth.login", json::object{{"tenant_id", "one"}, {"password", 5}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "tenant_id", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(answer, "username", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(answer, "password", "FIELD_INVALID"));
  const json::object long_name =
      Public("auth.login", json::object{{"tenant_id", 1}, {"username", std::string(300, 'a')}, {"password", "x"}});
  EXPECT_TRUE(HasFieldError(long_name, "username", "FIELD_TOO_LONG"));
}

TEST_F(AuthTest, AnAccessTokenExpiresAfterTwoHours) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  clock_->Advance((2 * 3600 - 60) * 1000LL);
  EXPECT_TRUE(IsSuccess(AsToken("sessions.list", token)));
  clock_->Advance(120 * 1000LL);
  EXPECT_TRUE(IsError(AsToken("sessions.list", token), 10002));
}

TEST_F(AuthTest, RefreshRotatesAndAReusedRefreshTokenEndsTheLogin) {
  CreateAccount("alice");
  const json::object login = Login("alice");
  const std::string first = std::string(login.at("data").at("refresh_token").as_string());
  const json::object refreshed = Public("auth.refresh", json::object{{"refresh_token", first}});
  ASSERT_TRUE(IsSuccess(refreshed)) << json::serialize(refreshed);
  const std::string second = std::string(refreshed.at("data").at("refresh_token").as_string());
  const std::string access = std::string(refreshed.at("data").at("access_token").as_string());
  EXPECT_NE(first, second);
  EXPECT_TRUE(IsSuccess(AsToken("sessions.list", access)));
  // The first token again: a thief's copy. The whole login ends, the rightful holder's too.
  EXPECT_TRUE(IsError(Public("auth.refresh", json::object{{"refresh_token", first}}), 10002));
  EXPECT_TRUE(IsError(Public("auth.refresh", json::object{{"refresh_token", second}}), 10002));
  EXPECT_TRUE(IsError(AsToken("sessions.list", access), 10002));
}

TEST_F(AuthTest, TokensOfOneKindAreNotAcceptedAsTheOther) {
  CreateAccount("alice");
  const json::object login = Login("alice");
  const std::string access = std::string(login.at("data").at("access_token").as_string());
  const std::string refresh = std::string(login.at("data").at("refresh_token").as_string());
  EXPECT_TRUE(IsError(AsToken("sessions.list", refresh), 10002));
  EXPECT_TRUE(IsError(Public("auth.refresh", json::object{{"refresh_token", access}}), 10002));
}

TEST_F(AuthTest, AlteredForgedAndMalformedTokensAreRefused) {
  CreateAccount("alice");
  std::string token = AccessToken("alice");
  std::string altered = token;
  altered[token.find('.') + 5] ^= 1;  // a character of the claims
  EXPECT_TRUE(IsError(AsToken("sessions.list", altered), 10002));
  EXPECT_TRUE(IsError(AsToken("sessions.list", token.substr(0, token.size() - 3)), 10002));
  EXPECT_TRUE(IsError(AsToken("sessions.list", "not.a.token"), 10002));
  EXPECT_TRUE(IsError(AsToken("sessions.list", std::string(20000, 'a')), 10002));
  // Signed by a key the portal does not hold, with the portal's claims.
  const auto foreign = security::JwtKey::FromSecret("ephemeral", std::string(32, 'k')).value();
  const json::object claims{{"iss", "libselfservice"}, {"aud", "customer-portal"}, {"sub", "1"}, {"tid", 1},
                            {"cid", 10},  {"roles", json::array{"platform_admin"}}, {"sid", std::string(32, 'a')},
                            {"typ", "access"}, {"iat", kStartMillis / 1000}, {"exp", kStartMillis / 1000 + 600}};
  EXPECT_TRUE(IsError(AsToken("sessions.list", security::Sign(foreign, claims).value()), 10002));
  // alg "none" (RFC 8725 2.1).
  const std::string none = "eyJhbGciOiJub25lIn0." + token.substr(token.find('.') + 1, token.rfind('.') - token.find('.'));
  EXPECT_TRUE(IsError(AsToken("sessions.list", none), 10002));
  EXPECT_TRUE(IsError(CallText("sessions.list", R"({"access_token": 42})", "{}"), 10002));
}

TEST_F(AuthTest, LogoutEndsTheLoginAndEverywhereEndsThemAll) {
  CreateAccount("alice");
  const std::string one = AccessToken("alice");
  const std::string two = AccessToken("alice");
  const std::string three = AccessToken("alice");
  const json::object out = AsToken("auth.logout", one);
  ASSERT_TRUE(IsSuccess(out)) << json::serialize(out);
  EXPECT_TRUE(IsError(AsToken("sessions.list", one), 10002));
  EXPECT_TRUE(IsSuccess(AsToken("sessions.list", two)));
  const json::object all = AsToken("auth.logout", two, json::object{{"all", true}});
  ASSERT_TRUE(IsSuccess(all));
  EXPECT_EQ(all.at("data").at("revoked"), 2);
  EXPECT_TRUE(IsError(AsToken("sessions.list", three), 10002));
  EXPECT_TRUE(IsError(AsToken("auth.logout", two, json::object{{"all", "yes"}}), 10002));
  const std::string four = AccessToken("alice");
  EXPECT_TRUE(HasFieldError(AsToken("auth.logout", four, json::object{{"all", "yes"}}), "all", "FIELD_INVALID"));
}

TEST_F(AuthTest, AnAdministratorRevokesAnAccountsLogins) {
  const std::int64_t id = CreateAccount("alice");
  const std::string token = AccessToken("alice");
  const json::object revoked = Call("users.sessions.revoke", CustomerAdmin(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(revoked)) << json::serialize(revoked);
  EXPECT_EQ(revoked.at("data").at("revoked"), 1);
  EXPECT_TRUE(IsError(AsToken("sessions.list", token), 10002));
  EXPECT_TRUE(IsError(Call("users.sessions.revoke", CustomerAdmin(1, 11), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(HasFieldError(Call("users.sessions.revoke", CustomerAdmin(), json::object{}), "id", "FIELD_REQUIRED"));
}

// --- the audit log ---------------------------------------------------------------------------------

TEST_F(AuthTest, SignInsFailuresAndLockoutsAreAudited) {
  const std::int64_t id = CreateAccount("alice");
  ASSERT_TRUE(IsSuccess(Login("alice")));
  for (int i = 0; i < 5; ++i) Login("alice", "Wrong-Horse-42");
  const auto actions = AuditActions(json::object{{"action", "auth."}});
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "auth.login:success"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "auth.login:failure"), 5);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "auth.lockout:failure"), 1);
  const json::object entries = Call("audit.list", PlatformAdmin(1, 1, 999), json::object{{"action", "auth.lockout"}});
  ASSERT_EQ(entries.at("data").as_array().size(), 1u);
  const json::object& lockout = entries.at("data").at(0).as_object();
  EXPECT_EQ(lockout.at("target").as_string(), "user:" + std::to_string(id));
  EXPECT_EQ(lockout.at("ip_address"), kAddress);
  // Nothing secret is recorded.
  EXPECT_EQ(json::serialize(entries).find("Wrong-Horse"), std::string::npos);
  EXPECT_TRUE(IsSuccess(Call("audit.verify", PlatformAdmin(1, 1, 999), json::object{})));
  EXPECT_EQ(Call("audit.verify", PlatformAdmin(1, 1, 999), json::object{}).at("data").at("intact"), true);
}

TEST_F(AuthTest, AccountRoleMfaAndConfigurationChangesAreAudited) {
  const std::int64_t id = CreateAccount("alice");
  ASSERT_TRUE(IsSuccess(Call("users.roles.set", CustomerAdmin(), json::object{{"id", id}, {"roles", json::array{"customer_admin"}}})));
  const std::string token = AccessToken("alice");
  ASSERT_TRUE(IsSuccess(AsToken("auth.mfa.enroll", token, json::object{{"method", "totp"}})));
  ASSERT_TRUE(IsSuccess(Call("portal.config.update", CustomerAdmin(), json::object{{"portal_title", "ACME"}})));
  ASSERT_TRUE(IsSuccess(AsToken("auth.logout", token)));
  const auto actions = AuditActions();
  for (const char* expected : {"users.create:success", "users.roles.set:success", "auth.login:success",
                               "portal.config.update:success", "auth.logout:success"}) {
    EXPECT_EQ(std::count(actions.begin(), actions.end(), expected), 1) << expected;
  }
  // A customer_admin of the account's customer reads them too; another customer's does not.
  EXPECT_GE(Total("audit.list", CustomerAdmin()), 4);
  EXPECT_EQ(Total("audit.list", CustomerAdmin(1, 11)), 0);
}

// --- who may call ----------------------------------------------------------------------------------

TEST_F(AuthTest, SignInMethodsNeedNoIdentity) {
  CreateAccount("alice");
  EXPECT_TRUE(IsSuccess(CallText("auth.login", "{}", R"({"tenant_id":1,"username":"alice","password":"Correct-Horse-42"})")));
  EXPECT_TRUE(IsError(CallText("auth.login", R"({"client_ip": "not an address!"})", "{}"), 10002));
}

TEST_F(AuthTest, RawIdsAreRefusedWhenTheHostContextIsNotTrusted) {
  Open(false);
  EXPECT_TRUE(IsError(Call("sessions.list", User(), json::object{}), 10002));
  EXPECT_TRUE(IsError(Call("users.create", PlatformAdmin(), json::object{{"username", "bob"}}), 10002));
  // Sign-in still works, and its token is the way in.
  EXPECT_TRUE(IsError(Login("nobody"), 10002));
}

TEST_F(AuthTest, EachMethodNeedsItsRole) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  EXPECT_TRUE(IsError(AsToken("users.list", token), 10003));
  EXPECT_TRUE(IsError(AsToken("audit.list", token), 10003));
  EXPECT_TRUE(IsError(AsToken("portal.config.update", token, json::object{{"portal_title", "x"}}), 10003));
  EXPECT_TRUE(IsError(AsToken("tickets.sync", token), 10003));
  EXPECT_TRUE(IsSuccess(AsToken("tickets.list", token)));
}

TEST_F(AuthTest, ADisabledFeatureAnswers10003UntilItIsEnabledAgain) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  ASSERT_TRUE(IsSuccess(AsToken("tickets.list", token)));
  ASSERT_TRUE(IsSuccess(Call("portal.config.update", CustomerAdmin(), json::object{{"enabled_features", json::array{"faq_search"}}})));
  EXPECT_TRUE(IsError(AsToken("tickets.list", token), 10003));
  EXPECT_TRUE(IsError(AsToken("ai.chat", token, json::object{{"question", "vpn"}}), 10003));
  EXPECT_TRUE(IsSuccess(AsToken("search.query", token, json::object{{"q", "vpn"}})));
  // Methods of no feature stay.
  EXPECT_TRUE(IsSuccess(AsToken("portal.config.get", token)));
  // Another customer of the tenant keeps everything.
  EXPECT_TRUE(IsSuccess(Call("tickets.list", User(1, 11, 200), json::object{})));
  ASSERT_TRUE(IsSuccess(Call("portal.config.update", CustomerAdmin(), json::object{{"enabled_features", json::array{}}})));
  EXPECT_TRUE(IsSuccess(AsToken("tickets.list", token)));
}

// --- passwords ------------------------------------------------------------------------------------

TEST_F(AuthTest, ChangingThePasswordEndsEveryLogin) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  const std::string other = AccessToken("alice");
  const json::object changed = AsToken("auth.password.change", token,
                                       json::object{{"current_password", kPassword}, {"new_password", "Battery-Staple-77"}});
  ASSERT_TRUE(IsSuccess(changed)) << json::serialize(changed);
  EXPECT_TRUE(IsError(AsToken("sessions.list", other), 10002));
  EXPECT_TRUE(IsError(Login("alice"), 10002));
  EXPECT_TRUE(IsSuccess(Login("alice", "Battery-Staple-77")));
}

TEST_F(AuthTest, PasswordChangeChecksTheCurrentPasswordAndThePolicy) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  EXPECT_TRUE(HasFieldError(AsToken("auth.password.change", token,
                                    json::object{{"current_password", "Wrong-Horse-42"}, {"new_password", "Battery-Staple-77"}}),
                            "current_password", "FIELD_INVALID"));
  const json::object weak =
      AsToken("auth.password.change", token, json::object{{"current_password", kPassword}, {"new_password", "short"}});
  ASSERT_TRUE(IsError(weak, 10001));
  EXPECT_TRUE(HasFieldError(weak, "new_password", "PASSWORD_TOO_SHORT"));
  EXPECT_TRUE(HasFieldError(AsToken("auth.password.change", token,
                                    json::object{{"current_password", kPassword}, {"new_password", "alice-Password-1"}}),
                            "new_password", "PASSWORD_CONTAINS_USERNAME"));
  const json::object missing = AsToken("auth.password.change", token, json::object{});
  EXPECT_TRUE(HasFieldError(missing, "current_password", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(missing, "new_password", "FIELD_REQUIRED"));
}

TEST_F(AuthTest, ACustomersSecuritySettingsSetThePasswordPolicy) {
  ASSERT_TRUE(IsSuccess(Call("portal.config.update", CustomerAdmin(),
                             json::object{{"security_settings", json::object{{"password_policy", json::object{{"min_length", 20}}}}}})));
  const json::object answer = Call("users.create", CustomerAdmin(),
                                   json::object{{"username", "bob"}, {"password", "Correct-Horse-42"}});
  EXPECT_TRUE(HasFieldError(answer, "password", "PASSWORD_TOO_SHORT")) << json::serialize(answer);
}

TEST_F(AuthTest, APasswordResetTokenReachesTheUserAndWorksOnce) {
  const std::int64_t id = CreateAccount("alice");
  const std::string token = AccessToken("alice");
  ASSERT_TRUE(IsSuccess(Public("auth.password.reset.request", json::object{{"tenant_id", 1}, {"username", "alice"}})));
  const auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].kind, AccountMessage::Kind::kPasswordReset);
  EXPECT_EQ(messages[0].user_id, id);
  EXPECT_EQ(messages[0].email, "alice@example.com");
  EXPECT_EQ(messages[0].locale, Locale::kEnUS);
  const std::string reset = messages[0].secret;
  EXPECT_TRUE(HasFieldError(Public("auth.password.reset.confirm", json::object{{"token", reset}, {"new_password", "weak"}}),
                            "new_password", "PASSWORD_TOO_SHORT"));
  ASSERT_TRUE(IsSuccess(Public("auth.password.reset.confirm",
                               json::object{{"token", reset}, {"new_password", "Battery-Staple-77"}})));
  EXPECT_TRUE(IsError(Public("auth.password.reset.confirm",
                             json::object{{"token", reset}, {"new_password", "Another-Staple-88"}}),
                      10002));
  EXPECT_TRUE(IsError(AsToken("sessions.list", token), 10002));
  EXPECT_TRUE(IsSuccess(Login("alice", "Battery-Staple-77")));
}

TEST_F(AuthTest, AResetRequestAnswersTheSameForUnknownAccountsAndSendsNothing) {
  const json::object answer = Public("auth.password.reset.request", json::object{{"tenant_id", 1}, {"username", "nobody"}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("accepted"), true);
  EXPECT_TRUE(Messages().empty());
  EXPECT_TRUE(HasFieldError(Public("auth.password.reset.request", json::object{{"username", "x"}}), "tenant_id",
                            "FIELD_REQUIRED"));
}

TEST_F(AuthTest, AResetTokenExpiresAndANewOneSupersedesTheOld) {
  CreateAccount("alice");
  const json::object request{{"tenant_id", 1}, {"username", "alice"}};
  ASSERT_TRUE(IsSuccess(Public("auth.password.reset.request", request)));
  ASSERT_TRUE(IsSuccess(Public("auth.password.reset.request", request)));
  const auto messages = Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_TRUE(IsError(Public("auth.password.reset.confirm",
                             json::object{{"token", messages[0].secret}, {"new_password", "Battery-Staple-77"}}),
                      10002));
  clock_->Advance(3601 * 1000LL);
  EXPECT_TRUE(IsError(Public("auth.password.reset.confirm",
                             json::object{{"token", messages[1].secret}, {"new_password", "Battery-Staple-77"}}),
                      10002));
  EXPECT_TRUE(IsError(Public("auth.password.reset.confirm",
                             json::object{{"token", "1.1.nothex"}, {"new_password", "Battery-Staple-77"}}),
                      10002));
}

// --- MFA ------------------------------------------------------------------------------------------

TEST_F(AuthTest, TotpEnrolmentNeedsAFirstCodeAndThenSignInAsksForTheSecondFactor) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  const json::object first = AsToken("auth.mfa.enroll", token, json::object{{"method", "totp"}});
  ASSERT_TRUE(IsSuccess(first)) << json::serialize(first);
  const std::string secret = std::string(first.at("data").at("secret").as_string());
  EXPECT_EQ(first.at("data").at("enabled"), false);
  EXPECT_TRUE(first.at("data").at("otpauth_uri").as_string().starts_with("otpauth://totp/"));
  // Not enabled until confirmed: sign-in still needs the password only.
  ASSERT_TRUE(IsSuccess(Login("alice")));
  const std::int64_t now = kStartMillis / 1000;
  EXPECT_TRUE(HasFieldError(AsToken("auth.mfa.enroll", token, json::object{{"method", "totp"}, {"code", "000000"}}),
                            "code", "FIELD_INVALID"));
  const json::object confirmed =
      AsToken("auth.mfa.enroll", token, json::object{{"method", "totp"}, {"code", CurrentTotp(secret, now)}});
  ASSERT_TRUE(IsSuccess(confirmed)) << json::serialize(confirmed);
  EXPECT_EQ(confirmed.at("data").at("recovery_codes").as_array().size(), 10u);

  clock_->Advance(60 * 1000);
  const json::object login = Login("alice");
  ASSERT_TRUE(IsSuccess(login));
  EXPECT_EQ(login.at("data").at("mfa_required"), true);
  EXPECT_FALSE(login.at("data").as_object().contains("access_token"));
  const std::string mfa = std::string(login.at("data").at("mfa_token").as_string());
  const std::string code = CurrentTotp(secret, now + 60);
  const json::object verified = Public("auth.mfa.verify", json::object{{"mfa_token", mfa}, {"code", code}});
  ASSERT_TRUE(IsSuccess(verified)) << json::serialize(verified);
  EXPECT_TRUE(IsSuccess(AsToken("sessions.list", std::string(verified.at("data").at("access_token").as_string()))));
  // The same code again, with a new password step: a replay.
  const std::string again = std::string(Login("alice").at("data").at("mfa_token").as_string());
  EXPECT_TRUE(IsError(Public("auth.mfa.verify", json::object{{"mfa_token", again}, {"code", code}}), 10002));
  // The mfa token is single-use.
  EXPECT_TRUE(IsError(Public("auth.mfa.verify", json::object{{"mfa_token", mfa}, {"code", code}}), 10002));
}

TEST_F(AuthTest, ARecoveryCodeSignsInOnce) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  const std::string secret =
      std::string(AsToken("auth.mfa.enroll", token, json::object{{"method", "totp"}}).at("data").at("secret").as_string());
  const json::object confirmed = AsToken("auth.mfa.enroll", token,
                                         json::object{{"method", "totp"}, {"code", CurrentTotp(secret, kStartMillis / 1000)}});
  const std::string recovery = std::string(confirmed.at("data").at("recovery_codes").at(0).as_string());
  const std::string mfa = std::string(Login("alice").at("data").at("mfa_token").as_string());
  EXPECT_TRUE(IsSuccess(Public("auth.mfa.verify", json::object{{"mfa_token", mfa}, {"recovery_code", recovery}})));
  const std::string mfa2 = std::string(Login("alice").at("data").at("mfa_token").as_string());
  EXPECT_TRUE(IsError(Public("auth.mfa.verify", json::object{{"mfa_token", mfa2}, {"recovery_code", recovery}}), 10002));
  const json::object both = Public("auth.mfa.verify", json::object{{"mfa_token", mfa2}, {"code", "1"}, {"recovery_code", "2"}});
  EXPECT_TRUE(HasFieldError(both, "recovery_code", "VALUE_NOT_ALLOWED"));
  EXPECT_TRUE(HasFieldError(Public("auth.mfa.verify", json::object{{"mfa_token", mfa2}}), "code", "FIELD_REQUIRED"));
}

TEST_F(AuthTest, FiveWrongCodesBurnTheMfaToken) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  const std::string secret =
      std::string(AsToken("auth.mfa.enroll", token, json::object{{"method", "totp"}}).at("data").at("secret").as_string());
  ASSERT_TRUE(IsSuccess(AsToken("auth.mfa.enroll", token,
                                json::object{{"method", "totp"}, {"code", CurrentTotp(secret, kStartMillis / 1000)}})));
  clock_->Advance(60 * 1000);
  const std::string mfa = std::string(Login("alice").at("data").at("mfa_token").as_string());
  for (int i = 0; i < 5; ++i) Public("auth.mfa.verify", json::object{{"mfa_token", mfa}, {"code", "000000"}});
  EXPECT_TRUE(IsError(Public("auth.mfa.verify",
                             json::object{{"mfa_token", mfa}, {"code", CurrentTotp(secret, kStartMillis / 1000 + 60)}}),
                      10002));
}

TEST_F(AuthTest, EmailCodesAreASecondFactor) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  const json::object first = AsToken("auth.mfa.enroll", token, json::object{{"method", "email"}});
  ASSERT_TRUE(IsSuccess(first)) << json::serialize(first);
  ASSERT_EQ(Messages().size(), 1u);
  EXPECT_EQ(Messages()[0].kind, AccountMessage::Kind::kSignInCode);
  const std::string enrollment = std::string(first.at("data").at("enrollment_token").as_string());
  EXPECT_TRUE(HasFieldError(AsToken("auth.mfa.enroll", token, json::object{{"method", "email"}, {"code", "123"}}),
                            "enrollment_token", "FIELD_REQUIRED"));
  ASSERT_TRUE(IsSuccess(AsToken("auth.mfa.enroll", token,
                                json::object{{"method", "email"}, {"code", Messages()[0].secret}, {"enrollment_token", enrollment}})));
  const json::object login = Login("alice");
  ASSERT_EQ(login.at("data").at("mfa_method"), "email");
  ASSERT_EQ(Messages().size(), 2u);
  const std::string mfa = std::string(login.at("data").at("mfa_token").as_string());
  EXPECT_TRUE(IsSuccess(Public("auth.mfa.verify", json::object{{"mfa_token", mfa}, {"code", Messages()[1].secret}})));
}

TEST_F(AuthTest, DisablingMfaNeedsThePassword) {
  CreateAccount("alice");
  const std::string token = AccessToken("alice");
  const std::string secret =
      std::string(AsToken("auth.mfa.enroll", token, json::object{{"method", "totp"}}).at("data").at("secret").as_string());
  ASSERT_TRUE(IsSuccess(AsToken("auth.mfa.enroll", token,
                                json::object{{"method", "totp"}, {"code", CurrentTotp(secret, kStartMillis / 1000)}})));
  EXPECT_TRUE(IsError(AsToken("auth.mfa.enroll", token, json::object{{"method", "totp"}}), 10006));
  EXPECT_TRUE(HasFieldError(AsToken("auth.mfa.disable", token, json::object{{"password", "Wrong-Horse-42"}}), "password",
                            "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(AsToken("auth.mfa.disable", token, json::object{}), "password", "FIELD_REQUIRED"));
  ASSERT_TRUE(IsSuccess(AsToken("auth.mfa.disable", token, json::object{{"password", kPassword}})));
  EXPECT_TRUE(Login("alice").at("data").as_object().contains("access_token"));
  EXPECT_TRUE(HasFieldError(AsToken("auth.mfa.enroll", token, json::object{{"method", "sms"}}), "method",
                            "VALUE_NOT_ALLOWED"));
}

// --- single sign-on ---------------------------------------------------------------------------------

class SsoTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    key_ = GenerateEc();
    json::object jwk = PrivateEcJwk(key_.get(), "idp-1");
    signer_ = security::JwtKey::FromJwk(jwk).value();
    jwk.erase("d");
    jwk["alg"] = "ES256";
    jwk["use"] = "sig";
    sso_ = json::object{{"issuer", "https://idp.example"}, {"client_id", "portal-10"},
                        {"jwks", json::object{{"keys", json::array{jwk}}}}};
  }

  void ConfigureSso(bool auto_provision) {
    json::object sso = sso_;
    sso["auto_provision"] = auto_provision;
    ASSERT_TRUE(IsSuccess(Call("portal.config.update", CustomerAdmin(), json::object{{"sso_config", sso}})));
  }

  std::string IdToken(std::string_view subject, std::string_view audience = "portal-10") {
    const std::int64_t now = kStartMillis / 1000;
    return security::Sign(signer_, json::object{{"iss", "https://idp.example"}, {"aud", audience}, {"sub", subject},
                                                {"email", "carol@example.com"}, {"email_verified", true},
                                                {"name", "Carol"}, {"iat", now}, {"exp", now + 300}})
        .value();
  }

  json::object SsoLogin(const std::string& id_token) {
    return Public("auth.sso.login", json::object{{"tenant_id", 1}, {"customer_id", 10}, {"id_token", id_token}});
  }

  Pkey key_;
  security::JwtKey signer_ = security::JwtKey::FromSecret("unused", std::string(32, 'u')).value();
  json::object sso_;
};

TEST_F(SsoTest, AVerifiedIdTokenProvisionsAnAccountAndSignsIn) {
  ConfigureSso(true);
  const json::object answer = SsoLogin(IdToken("carol-123"));
  ASSERT_TRUE(IsSuccess(answer)) << json::serialize(answer);
  const json::object listed = Call("users.list", CustomerAdmin(), json::object{});
  ASSERT_EQ(listed.at("pagination").at("total"), 1);
  EXPECT_EQ(listed.at("data").at(0).at("sso_linked"), true);
  EXPECT_EQ(listed.at("data").at(0).at("email"), "carol@example.com");
  EXPECT_EQ(listed.at("data").at(0).at("has_password"), false);
  // The same subject signs in to the same account.
  ASSERT_TRUE(IsSuccess(SsoLogin(IdToken("carol-123"))));
  EXPECT_EQ(Call("users.list", CustomerAdmin(), json::object{}).at("pagination").at("total"), 1);
}

TEST_F(SsoTest, WithoutProvisioningAnUnknownSubjectIsRefused) {
  ConfigureSso(false);
  EXPECT_TRUE(IsError(SsoLogin(IdToken("carol-123")), 10002));
}

TEST_F(SsoTest, ATokenForAnotherAudienceOrWithoutConfigurationIsRefused) {
  EXPECT_TRUE(IsError(SsoLogin(IdToken("carol-123")), 10002));  // no sso_config yet
  ConfigureSso(true);
  EXPECT_TRUE(IsError(SsoLogin(IdToken("carol-123", "another-client")), 10002));
  std::string token = IdToken("carol-123");
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(IsError(SsoLogin(token), 10002));
  const json::object bad = Public("auth.sso.login", json::object{{"tenant_id", 1}});
  EXPECT_TRUE(HasFieldError(bad, "customer_id", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(bad, "id_token", "FIELD_REQUIRED"));
}

}  // namespace
}  // namespace selfservice::test
