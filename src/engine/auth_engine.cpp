#include "engine/auth_engine.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"
#include "core/random.hpp"
#include "core/sha256.hpp"
#include "security/jwks.hpp"
#include "security/jwt.hpp"
#include "security/password_hasher.hpp"
#include "security/password_policy.hpp"
#include "security/totp.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::string_view kAccess = "access";
constexpr std::string_view kRefresh = "refresh";
constexpr std::string_view kMfaLogin = "mfa_login";
constexpr std::string_view kMfaEmailEnroll = "mfa_email_enroll";
constexpr std::string_view kPasswordReset = "password_reset";
constexpr int kMaxCodeAttempts = 5;
constexpr std::size_t kMaxLoginBytes = 255;
constexpr int kRecoveryCodes = 10;

// The tenant as a whole: sign-in finds accounts before anyone is known.
RequestContext TenantContext(std::int64_t tenant_id) {
  RequestContext context;
  context.tenant_id = tenant_id;
  context.roles = static_cast<unsigned>(Role::kPlatformAdmin);
  return context;
}

// The context of `user` for the audit log and the scope of their own account.
RequestContext UserContext(const User& user, const RequestContext& caller) {
  RequestContext context = caller;
  context.tenant_id = user.tenant_id;
  context.customer_id = user.customer_id;
  context.user_id = user.id;
  context.roles = user.roles;
  return context;
}

constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::kCustomerUser, "customer_user"},
    {Role::kCustomerAdmin, "customer_admin"},
    {Role::kPlatformAdmin, "platform_admin"},
};

json::array RoleArray(unsigned roles) {
  json::array names;
  for (const auto& [role, name] : kRoleNames) {
    if ((roles & static_cast<unsigned>(role)) != 0) names.emplace_back(name);
  }
  return names;
}

std::optional<unsigned> RolesOf(const json::value* value) {
  if (value == nullptr || !value->is_array() || value->get_array().empty()) return std::nullopt;
  unsigned roles = 0;
  for (const auto& item : value->get_array()) {
    const auto* name = item.if_string();
    auto known = std::find_if(std::begin(kRoleNames), std::end(kRoleNames),
                              [&](const auto& entry) { return name != nullptr && entry.second == *name; });
    if (known == std::end(kRoleNames)) return std::nullopt;
    roles |= static_cast<unsigned>(known->first);
  }
  return roles;
}

std::string_view StatusName(UserStatus status) {
  switch (status) {
    case UserStatus::active: return "active";
    case UserStatus::disabled: return "disabled";
    case UserStatus::erased: return "erased";
  }
  return "active";
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::int64_t Seconds(std::int64_t millis) { return millis / 1000; }

// The refusal every failed sign-in gets, whatever its cause.
Status Denied(std::string detail, std::int64_t retry_after_seconds = 0) {
  Status status = Status::Unauthenticated(std::move(detail));
  return retry_after_seconds > 0 ? status.WithRetryAfter(retry_after_seconds) : status;
}

// "<tenant>.<user>.<32 hex>": a handle for a pending second factor or a password reset. The ids
// say where to look; only the random part is secret, and only its SHA-256 is stored.
std::string NewHandle(std::int64_t tenant_id, std::int64_t user_id) {
  return std::to_string(tenant_id) + "." + std::to_string(user_id) + "." + RandomHex(16);
}

struct Handle {
  std::int64_t tenant_id = 0;
  std::int64_t user_id = 0;
};

std::optional<Handle> ParseHandle(std::string_view text) {
  if (text.size() > 80) return std::nullopt;
  Handle handle;
  const char* const end = text.data() + text.size();
  auto tenant = std::from_chars(text.data(), end, handle.tenant_id);
  if (tenant.ec != std::errc() || tenant.ptr == end || *tenant.ptr != '.') return std::nullopt;
  auto user = std::from_chars(tenant.ptr + 1, end, handle.user_id);
  if (user.ec != std::errc() || user.ptr == end || *user.ptr != '.') return std::nullopt;
  const std::string_view secret(user.ptr + 1, static_cast<std::size_t>(end - user.ptr - 1));
  if (handle.tenant_id <= 0 || handle.user_id <= 0 || secret.size() != 32 ||
      !std::all_of(secret.begin(), secret.end(), [](unsigned char c) { return std::isxdigit(c) != 0; })) {
    return std::nullopt;
  }
  return handle;
}

// Six decimal digits, uniformly drawn (rejection sampling keeps the modulo unbiased).
std::string SixDigitCode() {
  for (;;) {
    const std::string bytes = RandomBytes(4);
    std::uint32_t value = 0;
    for (unsigned char byte : bytes) value = (value << 8) | byte;
    if (value >= 4'294'000'000u) continue;  // the largest multiple of 1,000,000 below 2^32
    std::string code = std::to_string(value % 1'000'000);
    return std::string(6 - code.size(), '0') + code;
  }
}

bool SameDigest(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string CodeDigest(std::string_view purpose, const Handle& handle, std::string_view code) {
  return Sha256Hex(std::string(purpose) + "|" + std::to_string(handle.tenant_id) + "|" +
                   std::to_string(handle.user_id) + "|" + std::string(code));
}

std::optional<std::string> ClaimText(const json::object& claims, std::string_view name) {
  const json::value* value = claims.if_contains(name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<std::int64_t> ClaimId(const json::object& claims, std::string_view name) {
  const json::value* value = claims.if_contains(name);
  if (value == nullptr || !value->is_int64() || value->get_int64() <= 0) return std::nullopt;
  return value->get_int64();
}

std::optional<std::int64_t> SubjectId(const json::object& claims) {
  auto text = ClaimText(claims, "sub");
  if (!text) return std::nullopt;
  std::int64_t id = 0;
  auto parsed = std::from_chars(text->data(), text->data() + text->size(), id);
  if (parsed.ec != std::errc() || parsed.ptr != text->data() + text->size() || id <= 0) return std::nullopt;
  return id;
}

void CheckField(std::vector<FieldError>& errors, std::string_view field, std::string_view value, std::size_t max) {
  if (value.empty()) {
    errors.push_back({std::string(field), field_code::kRequired, {}});
  } else if (value.size() > max) {
    errors.push_back({std::string(field), field_code::kTooLong, {{"max", std::to_string(max)}}});
  }
}

}  // namespace

boost::json::object UserJson(const User& user) {
  json::object out;
  out["id"] = user.id;
  out["tenant_id"] = user.tenant_id;
  out["customer_id"] = user.customer_id;
  out["username"] = user.username;
  out["email"] = user.email ? json::value(*user.email) : json::value(nullptr);
  out["phone"] = user.phone ? json::value(*user.phone) : json::value(nullptr);
  out["display_name"] = user.display_name;
  out["roles"] = RoleArray(user.roles);
  out["status"] = StatusName(user.status);
  out["mfa_enabled"] = user.mfa_enabled;
  out["mfa_method"] = user.mfa_enabled && user.mfa_method ? json::value(*user.mfa_method) : json::value(nullptr);
  out["sso_linked"] = user.sso_subject.has_value();
  out["has_password"] = !user.password_hash.empty();
  out["password_changed_at"] = user.password_hash.empty() ? json::value(nullptr)
                                                          : json::value(FormatTimestamp(user.password_changed_at));
  out["last_login_at"] = user.last_login_at ? json::value(FormatTimestamp(*user.last_login_at)) : json::value(nullptr);
  out["created_at"] = FormatTimestamp(user.created_at);
  out["updated_at"] = FormatTimestamp(user.updated_at);
  return out;
}

struct AuthEngine::Impl {
  Impl(const AuthOptions& opts, Store& st, const Clock& cl, AuditLog& log, security::PasswordHasher h,
       security::KeyRing r, std::vector<std::shared_ptr<Notifier>> ch)
      : options(opts), store(st), clock(cl), audit(log), hasher(std::move(h)), ring(std::move(r)),
        channels(std::move(ch)) {}

  AuthOptions options;
  Store& store;
  const Clock& clock;
  AuditLog& audit;
  security::PasswordHasher hasher;
  security::KeyRing ring;
  std::vector<std::shared_ptr<Notifier>> channels;

  Timestamp Now() const { return Timestamp{clock.NowMillis()}; }

  security::ValidationOptions Validation(std::int64_t lifetime_seconds) const {
    security::ValidationOptions validation;
    validation.issuer = options.issuer;
    validation.audience = options.audience;
    validation.now = Seconds(clock.NowMillis());
    validation.leeway_seconds = options.leeway_seconds;
    validation.max_lifetime_seconds = lifetime_seconds;
    validation.algorithms = {security::JwtAlgorithm::kHs256, security::JwtAlgorithm::kEs256};
    return validation;
  }

  // --- failures and lockout ------------------------------------------------------------------

  // Seconds until `key` is unlocked (0: not locked).
  std::int64_t LockedFor(const Scope& scope, const std::string& key) {
    auto state = store.login_sessions().Failures(scope, key, Now());
    if (!state.ok() || !state->locked_until) return 0;
    return std::max<std::int64_t>(1, (state->locked_until->millis - clock.NowMillis() + 999) / 1000);
  }

  // Counts a failure under each key; returns the seconds of the longest lock it caused (0: none).
  std::int64_t CountFailure(const Scope& scope, const std::vector<std::string>& keys) {
    std::int64_t locked_for = 0;
    for (const auto& key : keys) {
      auto state = store.login_sessions().RecordFailure(scope, key, Now(), options.failure_window_seconds * 1000,
                                                        options.max_failures, options.lock_seconds * 1000);
      if (state.ok() && state->locked_until) {
        locked_for = std::max(locked_for, (state->locked_until->millis - clock.NowMillis() + 999) / 1000);
      }
    }
    return locked_for;
  }

  static std::string AccountKey(std::int64_t user_id) { return "user:" + std::to_string(user_id); }
  // The key of a login name no account has: failures count against it like an account's, so an
  // unknown name locks exactly as a known one does.
  static std::string NameKey(std::string_view login) { return "login:" + Sha256Hex(Lower(login)).substr(0, 32); }
  static std::optional<std::string> AddressKey(const RequestContext& caller) {
    if (caller.client_ip.empty()) return std::nullopt;
    return "ip:" + caller.client_ip;
  }

  void AuditFailure(RequestContext caller, std::int64_t tenant_id, std::string action, std::string reason,
                    const User* user) {
    caller.tenant_id = tenant_id;
    AuditEvent event{std::move(action), false, std::nullopt, json::object{{"reason", std::move(reason)}}};
    if (user != nullptr) event.target = "user:" + std::to_string(user->id);
    audit.RecordAnonymous(caller, user ? std::optional<std::int64_t>(user->customer_id) : std::nullopt,
                          std::move(event));
  }

  // --- tokens --------------------------------------------------------------------------------

  Result<TokenPair> Issue(const User& user, const LoginSession& session) {
    const std::int64_t now = Seconds(clock.NowMillis());
    json::object access{{"iss", options.issuer},
                        {"aud", options.audience},
                        {"sub", std::to_string(user.id)},
                        {"tid", user.tenant_id},
                        {"cid", user.customer_id},
                        {"roles", RoleArray(user.roles)},
                        {"sid", session.id},
                        {"typ", kAccess},
                        {"iat", now},
                        {"nbf", now},
                        {"exp", now + options.access_ttl_seconds}};
    const std::int64_t refresh_expiry = Seconds(session.expires_at.millis);
    json::object refresh{{"iss", options.issuer}, {"aud", options.audience}, {"sub", std::to_string(user.id)},
                         {"tid", user.tenant_id}, {"sid", session.id},       {"jti", session.refresh_id},
                         {"typ", kRefresh},       {"iat", now},              {"exp", refresh_expiry}};
    auto access_token = security::Sign(ring, access);
    if (!access_token.ok()) return access_token.status();
    auto refresh_token = security::Sign(ring, refresh);
    if (!refresh_token.ok()) return refresh_token.status();
    return TokenPair{std::move(access_token).value(), std::move(refresh_token).value(), options.access_ttl_seconds,
                     refresh_expiry - now};
  }

  // Starts a login of `user` and answers its tokens; records the sign-in.
  Result<TokenPair> StartLogin(const User& user, const RequestContext& caller, std::string_view how) {
    const Scope scope(TenantContext(user.tenant_id));
    LoginSession session;
    session.id = RandomHex(16);
    session.tenant_id = user.tenant_id;
    session.customer_id = user.customer_id;
    session.user_id = user.id;
    session.refresh_id = RandomHex(16);
    session.created_at = Now();
    session.refreshed_at = session.created_at;
    session.expires_at = Timestamp{clock.NowMillis() + options.refresh_ttl_seconds * 1000};
    if (!caller.client_ip.empty()) session.ip_address = caller.client_ip;
    if (!caller.user_agent.empty()) session.user_agent = caller.user_agent.substr(0, 512);
    if (Status created = store.login_sessions().CreateSession(scope, session); !created.ok()) return created;
    auto tokens = Issue(user, session);
    if (!tokens.ok()) return tokens.status();
    const Timestamp at = Now();
    auto stamped = store.users().Update(scope, user.id, [&](User& stored) {
      stored.last_login_at = at;
      return Status::Ok();
    });
    if (!stamped.ok()) Log().warn("auth: last_login_at not stored for a user of tenant {}", user.tenant_id);
    audit.Record(UserContext(user, caller),
                 AuditEvent{"auth.login", true, "user:" + std::to_string(user.id),
                            json::object{{"method", how}, {"session", session.id.substr(0, 8)}}});
    return tokens;
  }

  // --- account messages ---------------------------------------------------------------------

  Status SendAccountMessage(const AccountMessage& message) {
    Status last = Status::NotConfigured("notifications");
    for (const auto& channel : channels) {
      Status sent = channel->SendAccountMessage(message);
      if (sent.ok()) return sent;
      const bool not_configured = sent.code() == ErrorCode::kNotFound &&
                                  !sent.field_errors().empty() &&
                                  sent.field_errors().front().code == field_code::kNotConfigured;
      if (!not_configured) {
        Log().warn("auth: the {} channel did not send an account message: {}", channel->name(), sent.detail());
        last = sent;
      }
    }
    return last;
  }

  AccountMessage MessageFor(const User& user, AccountMessage::Kind kind, std::string secret, std::int64_t ttl,
                            Locale locale) const {
    AccountMessage message;
    message.kind = kind;
    message.tenant_id = user.tenant_id;
    message.customer_id = user.customer_id;
    message.user_id = user.id;
    message.username = user.username;
    message.email = user.email;
    message.phone = user.phone;
    message.secret = std::move(secret);
    message.expires_in_seconds = ttl;
    message.at = Now();
    message.locale = locale;
    return message;
  }

  // Sends a sign-in code for `purpose` and stores its digest under a new handle, which is returned.
  Result<std::string> SendCode(const User& user, std::string_view purpose, Locale locale) {
    const std::string handle_text = NewHandle(user.tenant_id, user.id);
    const Handle handle = *ParseHandle(handle_text);
    std::string code = SixDigitCode();
    OneTimeToken token;
    token.purpose = std::string(purpose);
    token.token_hash = Sha256Hex(handle_text);
    token.user_id = user.id;
    token.customer_id = user.customer_id;
    token.payload = json::serialize(json::object{{"code", CodeDigest(purpose, handle, code)}});
    token.created_at = Now();
    token.expires_at = Timestamp{clock.NowMillis() + options.mfa_token_ttl_seconds * 1000};
    const Scope scope(TenantContext(user.tenant_id));
    if (Status issued = store.login_sessions().IssueToken(scope, token); !issued.ok()) return issued;
    Status sent = SendAccountMessage(
        MessageFor(user, AccountMessage::Kind::kSignInCode, std::move(code), options.mfa_token_ttl_seconds, locale));
    if (!sent.ok()) return sent;
    return handle_text;
  }

  // Whether `code` is the one SendCode sent for the token.
  static bool CodeMatches(const OneTimeToken& token, std::string_view purpose, const Handle& handle,
                          std::string_view code) {
    boost::system::error_code ec;
    json::value payload = json::parse(token.payload, ec);
    const json::value* digest = !ec && payload.is_object() ? payload.get_object().if_contains("code") : nullptr;
    return digest != nullptr && digest->is_string() && code.size() == 6 &&
           SameDigest(digest->get_string(), CodeDigest(purpose, handle, code));
  }

  // --- policy --------------------------------------------------------------------------------

  // The password policy of the customer's portal (security_settings.password_policy), or the default.
  security::PasswordPolicy PolicyFor(std::int64_t tenant_id, std::int64_t customer_id) {
    auto config = store.portal_configs().Find(Scope(TenantContext(tenant_id)), customer_id);
    if (!config.ok() || !*config || !(*config)->security_settings || !(*config)->security_settings->is_object()) {
      return {};
    }
    auto policy = security::ParsePasswordPolicy((*config)->security_settings->get_object());
    return policy.ok() ? *policy : security::PasswordPolicy{};
  }

  Result<std::string> NewPasswordHash(const User& user, std::string_view password, std::string_view field) {
    Status policy = security::CheckPassword(PolicyFor(user.tenant_id, user.customer_id), password, user.username,
                                            user.email.value_or(""));
    if (!policy.ok()) {
      std::vector<FieldError> errors = policy.field_errors();
      for (auto& error : errors) error.field = std::string(field);
      return Status::Invalid(std::move(errors));
    }
    return hasher.Hash(password);
  }
};

AuthEngine::AuthEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuthEngine::~AuthEngine() = default;

Result<std::unique_ptr<AuthEngine>> AuthEngine::Create(const AuthOptions& options, Store& store, const Clock& clock,
                                                       AuditLog& audit, std::vector<std::shared_ptr<Notifier>> channels) {
  security::PasswordHashParams params;
  params.memory_kib = options.password_memory_kib;
  params.iterations = options.password_iterations;
  params.parallelism = options.password_parallelism;
  auto hasher = security::PasswordHasher::Create(params);
  if (!hasher.ok()) {
    std::vector<FieldError> cost = hasher.status().field_errors();
    for (auto& error : cost) error.field = "auth.password_" + error.field;
    return Status::Invalid(std::move(cost));
  }
  security::KeyRing ring;
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < options.keys.size(); ++i) {
    const TokenKey& given = options.keys[i];
    auto key = given.algorithm == "ES256"
                   ? security::JwtKey::FromPrivatePem(given.kid, security::JwtAlgorithm::kEs256, given.private_key_pem)
                   : security::JwtKey::FromSecret(given.kid, given.secret);
    if (!key.ok() || !ring.Add(std::move(key).value()).ok()) {
      errors.push_back({"auth.keys[" + std::to_string(i) + "]", field_code::kInvalid, {}});
    }
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  if (options.keys.empty()) {
    // No keys given: one for this portal's life (AuthOptions::keys).
    std::string secret = RandomBytes(32);
    auto key = security::JwtKey::FromSecret("ephemeral", secret);
    OPENSSL_cleanse(secret.data(), secret.size());
    if (!key.ok()) return key.status();
    static_cast<void>(ring.Add(std::move(key).value()));
    static_cast<void>(ring.SetCurrent("ephemeral"));
  } else if (Status current = ring.SetCurrent(options.keys.front().kid); !current.ok()) {
    return Status::InvalidField("auth.keys[0]", field_code::kInvalid);
  }
  return std::unique_ptr<AuthEngine>(new AuthEngine(std::make_unique<Impl>(
      options, store, clock, audit, std::move(hasher).value(), std::move(ring), std::move(channels))));
}

// --- sign-in ------------------------------------------------------------------------------------

Result<LoginOutcome> AuthEngine::Login(const RequestContext& caller, std::int64_t tenant_id, std::string_view login,
                                       std::string_view password) {
  Impl& d = *impl_;
  std::vector<FieldError> errors;
  if (tenant_id <= 0) errors.push_back({"tenant_id", field_code::kRequired, {}});
  CheckField(errors, "username", login, kMaxLoginBytes);
  CheckField(errors, "password", password, security::kMaxPasswordBytes);
  if (!errors.empty()) return Status::Invalid(std::move(errors));

  const Scope scope(TenantContext(tenant_id));
  auto found = d.store.users().FindByLogin(scope, login);
  if (!found.ok() && found.status().code() != ErrorCode::kNotFound) return found.status();
  const User* user = found.ok() ? &found.value() : nullptr;
  std::vector<std::string> keys{user ? Impl::AccountKey(user->id) : Impl::NameKey(login)};
  if (auto address = Impl::AddressKey(caller)) keys.push_back(*address);

  std::int64_t locked_for = 0;
  for (const auto& key : keys) locked_for = std::max(locked_for, d.LockedFor(scope, key));
  if (locked_for > 0) {
    d.hasher.VerifyDummy(password);  // the same time as a real check
    d.AuditFailure(caller, tenant_id, "auth.login", "locked", user);
    return Denied("locked", locked_for);
  }

  bool match = false;
  if (user != nullptr && !user->password_hash.empty()) {
    match = d.hasher.Verify(password, user->password_hash) == security::PasswordMatch::kMatch;
  } else {
    d.hasher.VerifyDummy(password);
  }
  if (!match) {
    const std::int64_t locked = d.CountFailure(scope, keys);
    d.AuditFailure(caller, tenant_id, "auth.login", "bad_credentials", user);
    if (locked > 0) {
      d.AuditFailure(caller, tenant_id, "auth.lockout", "too_many_failures", user);
      return Denied("locked", locked);
    }
    return Denied("bad credentials");
  }
  if (user->status != UserStatus::active) {
    d.AuditFailure(caller, tenant_id, "auth.login", "account_" + std::string(StatusName(user->status)), user);
    return Denied("account not active");
  }
  static_cast<void>(d.store.login_sessions().ClearFailures(scope, keys.front()));
  if (d.hasher.NeedsRehash(user->password_hash)) {
    if (auto rehashed = d.hasher.Hash(password); rehashed.ok()) {
      auto stored = d.store.users().Update(scope, user->id, [&](User& account) {
        account.password_hash = *rehashed;
        return Status::Ok();
      });
      if (!stored.ok()) Log().warn("auth: a stronger password hash was not stored (tenant {})", tenant_id);
    }
  }

  LoginOutcome outcome;
  if (user->mfa_enabled) {
    const std::string method = user->mfa_method.value_or("totp");
    if (method == "email") {
      auto handle = d.SendCode(*user, kMfaLogin, caller.locale);
      if (!handle.ok()) return handle.status();
      outcome.mfa_token = std::move(handle).value();
    } else {
      outcome.mfa_token = NewHandle(tenant_id, user->id);
      OneTimeToken token;
      token.purpose = std::string(kMfaLogin);
      token.token_hash = Sha256Hex(outcome.mfa_token);
      token.user_id = user->id;
      token.customer_id = user->customer_id;
      token.created_at = d.Now();
      token.expires_at = Timestamp{d.clock.NowMillis() + d.options.mfa_token_ttl_seconds * 1000};
      if (Status issued = d.store.login_sessions().IssueToken(scope, token); !issued.ok()) return issued;
    }
    outcome.mfa_method = method;
    return outcome;
  }
  auto tokens = d.StartLogin(*user, caller, "password");
  if (!tokens.ok()) return tokens.status();
  outcome.tokens = std::move(tokens).value();
  return outcome;
}

Result<TokenPair> AuthEngine::VerifyMfa(const RequestContext& caller, std::string_view mfa_token,
                                        const std::optional<std::string>& code,
                                        const std::optional<std::string>& recovery_code) {
  Impl& d = *impl_;
  std::vector<FieldError> errors;
  CheckField(errors, "mfa_token", mfa_token, 80);
  if (code.has_value() == recovery_code.has_value()) {
    errors.push_back({code ? "recovery_code" : "code", code ? field_code::kNotAllowed : field_code::kRequired,
                      {{"allowed", "code, recovery_code"}}});
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  const auto handle = ParseHandle(mfa_token);
  if (!handle) return Denied("malformed mfa token");
  const Scope scope(TenantContext(handle->tenant_id));
  auto user = d.store.users().Get(scope, handle->user_id);
  if (!user.ok()) return Denied("no such account");
  const std::string key = Impl::AccountKey(user->id);
  if (const std::int64_t locked = d.LockedFor(scope, key); locked > 0) return Denied("locked", locked);

  const std::string method = user->mfa_method.value_or("totp");
  std::optional<std::int64_t> step;
  bool recovery_known = false;
  if (recovery_code) {
    auto digest = security::HashRecoveryCode(*recovery_code);
    recovery_known = digest && std::find(user->recovery_code_hashes.begin(), user->recovery_code_hashes.end(),
                                         *digest) != user->recovery_code_hashes.end();
  } else if (method == "totp" && user->totp_secret) {
    if (auto secret = security::Base32Decode(*user->totp_secret)) {
      step = security::VerifyTotp(*secret, *code, Seconds(d.clock.NowMillis()), {}, 1, user->totp_last_step);
    }
  }
  auto used = d.store.login_sessions().UseToken(
      scope, kMfaLogin, Sha256Hex(mfa_token), d.Now(), kMaxCodeAttempts, [&](const OneTimeToken& token) {
        if (token.user_id != user->id || !user->mfa_enabled) return false;
        if (recovery_code) return recovery_known;
        if (method == "email") return Impl::CodeMatches(token, kMfaLogin, *handle, *code);
        return step.has_value();
      });
  if (!used.ok()) {
    if (used.status().code() == ErrorCode::kUnauthenticated) {
      const std::int64_t locked = d.CountFailure(scope, {key});
      d.AuditFailure(caller, handle->tenant_id, "auth.mfa.verify", "wrong_code", &*user);
      return Denied("wrong second factor", locked);
    }
    return used.status();
  }
  // Spend what was used, atomically: a TOTP step once, a recovery code once.
  auto spent = d.store.users().Update(scope, user->id, [&](User& account) -> Status {
    if (recovery_code) {
      return security::ConsumeRecoveryCode(*recovery_code, account.recovery_code_hashes) ? Status::Ok()
                                                                                          : Denied("recovery code spent");
    }
    if (step) {
      if (account.totp_last_step >= *step) return Denied("code replayed");
      account.totp_last_step = *step;
    }
    return Status::Ok();
  });
  if (!spent.ok()) {
    if (spent.status().code() == ErrorCode::kUnauthenticated) {
      d.AuditFailure(caller, handle->tenant_id, "auth.mfa.verify", "replayed", &*user);
    }
    return spent.status();
  }
  static_cast<void>(d.store.login_sessions().ClearFailures(scope, key));
  if (recovery_code) {
    d.audit.Record(UserContext(*spent, caller),
                   AuditEvent{"auth.mfa.recovery_code_used", true, "user:" + std::to_string(user->id),
                              json::object{{"remaining", spent->recovery_code_hashes.size()}}});
  }
  return d.StartLogin(*spent, caller, recovery_code ? "recovery_code" : method);
}

Result<TokenPair> AuthEngine::Refresh(const RequestContext& caller, std::string_view refresh_token) {
  Impl& d = *impl_;
  if (refresh_token.empty()) return Status::InvalidField("refresh_token", field_code::kRequired);
  auto claims = security::Verify(d.ring, refresh_token, d.Validation(d.options.refresh_ttl_seconds));
  if (!claims.ok()) return Denied(claims.status().detail());
  const auto tenant = ClaimId(*claims, "tid");
  const auto user_id = SubjectId(*claims);
  const auto session_id = ClaimText(*claims, "sid");
  const auto presented = ClaimText(*claims, "jti");
  if (ClaimText(*claims, "typ") != std::string(kRefresh) || !tenant || !user_id || !session_id || !presented) {
    return Denied("not a refresh token");
  }
  const Scope scope(TenantContext(*tenant));
  const Timestamp now = d.Now();
  auto session = d.store.login_sessions().RotateRefresh(
      scope, *session_id, *presented, RandomHex(16), now,
      Timestamp{now.millis + d.options.refresh_ttl_seconds * 1000});
  if (!session.ok()) {
    if (session.status().code() != ErrorCode::kUnauthenticated) return session.status();
    auto after = d.store.login_sessions().GetSession(scope, *session_id);
    if (after.ok() && after->revoked_reason == std::string("reuse") && after->revoked_at == now) {
      RequestContext actor = caller;
      actor.tenant_id = *tenant;
      actor.customer_id = after->customer_id;
      actor.user_id = after->user_id;
      d.audit.Record(actor, AuditEvent{"auth.refresh.reuse", false, "user:" + std::to_string(after->user_id),
                                       json::object{{"session", session_id->substr(0, 8)}}});
    }
    return Denied("refresh refused");
  }
  auto user = d.store.users().Get(scope, session->user_id);
  if (!user.ok() || user->status != UserStatus::active || user->id != *user_id) {
    static_cast<void>(d.store.login_sessions().RevokeSession(scope, *session_id, "disabled", now));
    return Denied("account not active");
  }
  return d.Issue(*user, *session);
}

Result<TokenPair> AuthEngine::SsoLogin(const RequestContext& caller, std::int64_t tenant_id, std::int64_t customer_id,
                                       std::string_view id_token, const std::optional<std::string>& nonce) {
  Impl& d = *impl_;
  std::vector<FieldError> errors;
  if (tenant_id <= 0) errors.push_back({"tenant_id", field_code::kRequired, {}});
  if (customer_id <= 0) errors.push_back({"customer_id", field_code::kRequired, {}});
  CheckField(errors, "id_token", id_token, 16 * 1024);
  if (nonce && (nonce->empty() || nonce->size() > 255)) errors.push_back({"nonce", field_code::kInvalid, {}});
  if (!errors.empty()) return Status::Invalid(std::move(errors));

  const Scope scope(TenantContext(tenant_id));
  auto config = d.store.portal_configs().Find(scope, customer_id);
  if (!config.ok()) return config.status();
  const json::object* sso = *config && (*config)->sso_config ? (*config)->sso_config->if_object() : nullptr;
  auto text = [&](std::string_view name) -> std::string {
    const json::value* value = sso ? sso->if_contains(name) : nullptr;
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  const std::string issuer = text("issuer");
  const std::string client_id = text("client_id");
  const json::value* jwks = sso ? sso->if_contains("jwks") : nullptr;
  if (issuer.empty() || client_id.empty() || jwks == nullptr) {
    d.AuditFailure(caller, tenant_id, "auth.sso.login", "not_configured", nullptr);
    return Denied("sso not configured");
  }
  auto keys = security::ParseJwks(jwks->is_string() ? std::string(jwks->get_string()) : json::serialize(*jwks));
  if (!keys.ok()) {
    d.AuditFailure(caller, tenant_id, "auth.sso.login", "bad_jwks", nullptr);
    return Denied("sso keys unusable");
  }
  auto identity = security::VerifyIdToken(*keys, id_token, issuer, client_id, Seconds(d.clock.NowMillis()),
                                          nonce ? std::optional<std::string_view>(*nonce) : std::nullopt);
  if (!identity.ok()) {
    d.AuditFailure(caller, tenant_id, "auth.sso.login", std::string(identity.status().detail()), nullptr);
    return Denied("id token refused");
  }
  const std::string subject = issuer + " " + identity->subject;
  auto user = d.store.users().FindBySsoSubject(scope, subject);
  if (!user.ok() && user.status().code() != ErrorCode::kNotFound) return user.status();
  if (!user.ok()) {
    const json::value* provision = sso->if_contains("auto_provision");
    if (provision == nullptr || !provision->is_bool() || !provision->get_bool()) {
      d.AuditFailure(caller, tenant_id, "auth.sso.login", "unknown_subject", nullptr);
      return Denied("no account for this identity");
    }
    User account;
    account.customer_id = customer_id;
    account.username = "sso-" + Sha256Hex(subject).substr(0, 16);
    const auto verified = identity->claims.if_contains("email_verified");
    if (identity->email && verified && verified->is_bool() && verified->get_bool()) account.email = identity->email;
    const auto name = ClaimText(identity->claims, "name");
    account.display_name = name && name->size() <= 100 ? *name : account.username;
    account.sso_subject = subject;
    account.password_changed_at = d.Now();
    user = d.store.users().Create(scope, std::move(account));
    if (!user.ok()) {
      d.AuditFailure(caller, tenant_id, "auth.sso.login", "provisioning_failed", nullptr);
      return Denied("account could not be provisioned");
    }
    d.audit.Record(UserContext(*user, caller), AuditEvent{"users.provision", true, "user:" + std::to_string(user->id),
                                                          json::object{{"via", "sso"}}});
  }
  if (user->customer_id != customer_id || user->status != UserStatus::active) {
    d.AuditFailure(caller, tenant_id, "auth.sso.login", "account_not_usable", &*user);
    return Denied("account not usable");
  }
  return d.StartLogin(*user, caller, "sso");
}

Result<RequestContext> AuthEngine::Authenticate(std::string_view access_token, RequestContext base) {
  Impl& d = *impl_;
  auto claims = security::Verify(d.ring, access_token, d.Validation(d.options.access_ttl_seconds));
  if (!claims.ok()) return Denied(claims.status().detail());
  const auto tenant = ClaimId(*claims, "tid");
  const auto customer = ClaimId(*claims, "cid");
  const auto user = SubjectId(*claims);
  const auto session_id = ClaimText(*claims, "sid");
  const auto roles = RolesOf(claims->if_contains("roles"));
  if (ClaimText(*claims, "typ") != std::string(kAccess) || !tenant || !customer || !user || !session_id || !roles) {
    return Denied("not an access token");
  }
  auto session = d.store.login_sessions().GetSession(Scope(TenantContext(*tenant)), *session_id);
  if (!session.ok()) {
    return session.status().code() == ErrorCode::kNotFound ? Denied("login unknown") : session.status();
  }
  if (session->revoked_at || session->expires_at.millis <= d.clock.NowMillis() || session->user_id != *user) {
    return Denied("login ended");
  }
  base.tenant_id = *tenant;
  base.customer_id = *customer;
  base.user_id = *user;
  base.roles = *roles;
  base.login_session_id = *session_id;
  return base;
}

Result<std::int64_t> AuthEngine::Logout(const RequestContext& context, bool everywhere) {
  Impl& d = *impl_;
  const Scope scope(TenantContext(context.tenant_id));
  std::int64_t revoked = 0;
  if (everywhere) {
    auto count = d.store.login_sessions().RevokeUserSessions(scope, context.user_id, "logout", d.Now());
    if (!count.ok()) return count.status();
    revoked = *count;
  } else {
    if (context.login_session_id.empty()) return Status::InvalidField("all", field_code::kRequired);
    Status status = d.store.login_sessions().RevokeSession(scope, context.login_session_id, "logout", d.Now());
    if (!status.ok()) return status;
    revoked = 1;
  }
  d.audit.Record(context, AuditEvent{"auth.logout", true, "user:" + std::to_string(context.user_id),
                                     json::object{{"everywhere", everywhere}, {"revoked", revoked}}});
  return revoked;
}

// --- passwords ------------------------------------------------------------------------------------

Status AuthEngine::ChangePassword(const RequestContext& context, std::string_view current, std::string_view next) {
  Impl& d = *impl_;
  std::vector<FieldError> errors;
  CheckField(errors, "current_password", current, security::kMaxPasswordBytes);
  CheckField(errors, "new_password", next, security::kMaxPasswordBytes);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  const Scope tenant(TenantContext(context.tenant_id));
  auto user = d.store.users().Get(tenant, context.user_id);
  if (!user.ok()) return user.status().code() == ErrorCode::kNotFound ? Status::NotFound("account") : user.status();
  const std::string key = Impl::AccountKey(user->id);
  if (const std::int64_t locked = d.LockedFor(tenant, key); locked > 0) return Denied("locked", locked);
  if (user->password_hash.empty() ||
      d.hasher.Verify(current, user->password_hash) != security::PasswordMatch::kMatch) {
    const std::int64_t locked = d.CountFailure(tenant, {key});
    d.audit.Record(context, AuditEvent{"auth.password.change", false, "user:" + std::to_string(user->id),
                                       json::object{{"reason", "wrong_current_password"}}});
    if (locked > 0) return Denied("locked", locked);
    return Status::InvalidField("current_password", field_code::kInvalid);
  }
  auto hash = d.NewPasswordHash(*user, next, "new_password");
  if (!hash.ok()) return hash.status();
  const Timestamp now = d.Now();
  auto stored = d.store.users().Update(tenant, user->id, [&](User& account) {
    account.password_hash = *hash;
    account.password_changed_at = now;
    return Status::Ok();
  });
  if (!stored.ok()) return stored.status();
  // Every login ends, the caller's included: a stolen session must not outlive the new password.
  static_cast<void>(d.store.login_sessions().RevokeUserSessions(tenant, user->id, "password", now));
  d.audit.Record(context, AuditEvent{"auth.password.change", true, "user:" + std::to_string(user->id), {}});
  return Status::Ok();
}

Status AuthEngine::RequestPasswordReset(const RequestContext& caller, std::int64_t tenant_id, std::string_view login) {
  Impl& d = *impl_;
  std::vector<FieldError> errors;
  if (tenant_id <= 0) errors.push_back({"tenant_id", field_code::kRequired, {}});
  CheckField(errors, "username", login, kMaxLoginBytes);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  const Scope scope(TenantContext(tenant_id));
  auto user = d.store.users().FindByLogin(scope, login);
  if (!user.ok()) {
    if (user.status().code() != ErrorCode::kNotFound) return user.status();
    d.AuditFailure(caller, tenant_id, "auth.password.reset.request", "unknown_account", nullptr);
    return Status::Ok();
  }
  if (user->status != UserStatus::active || (!user->email && !user->phone)) {
    d.AuditFailure(caller, tenant_id, "auth.password.reset.request", "no_channel_or_inactive", &*user);
    return Status::Ok();
  }
  const Timestamp now = d.Now();
  static_cast<void>(d.store.login_sessions().RevokeTokens(scope, user->id, kPasswordReset, now));
  std::string handle = NewHandle(tenant_id, user->id);
  OneTimeToken token;
  token.purpose = std::string(kPasswordReset);
  token.token_hash = Sha256Hex(handle);
  token.user_id = user->id;
  token.customer_id = user->customer_id;
  token.created_at = now;
  token.expires_at = Timestamp{now.millis + d.options.reset_token_ttl_seconds * 1000};
  if (Status issued = d.store.login_sessions().IssueToken(scope, token); !issued.ok()) return issued;
  Status sent = d.SendAccountMessage(d.MessageFor(*user, AccountMessage::Kind::kPasswordReset, std::move(handle),
                                                  d.options.reset_token_ttl_seconds, caller.locale));
  RequestContext actor = UserContext(*user, caller);
  d.audit.Record(actor, AuditEvent{"auth.password.reset.request", sent.ok(), "user:" + std::to_string(user->id),
                                   json::object{{"sent", sent.ok()}}});
  // The answer is the same whether or not a message went out, so it reveals nothing; the log and
  // the audit entry say what happened.
  if (!sent.ok()) Log().warn("auth: no channel sent a password reset (tenant {})", tenant_id);
  return Status::Ok();
}

Status AuthEngine::ConfirmPasswordReset(const RequestContext& caller, std::string_view token, std::string_view password) {
  Impl& d = *impl_;
  std::vector<FieldError> errors;
  CheckField(errors, "token", token, 80);
  CheckField(errors, "new_password", password, security::kMaxPasswordBytes);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  const auto handle = ParseHandle(token);
  if (!handle) return Denied("malformed reset token");
  const Scope scope(TenantContext(handle->tenant_id));
  auto user = d.store.users().Get(scope, handle->user_id);
  if (!user.ok() || user->status != UserStatus::active) return Denied("no such account");
  // The policy is checked before the token is spent, so a refused password costs no new e-mail.
  auto hash = d.NewPasswordHash(*user, password, "new_password");
  if (!hash.ok()) return hash.status();
  auto used = d.store.login_sessions().UseToken(scope, kPasswordReset, Sha256Hex(token), d.Now(), kMaxCodeAttempts,
                                                [&](const OneTimeToken& stored) { return stored.user_id == user->id; });
  if (!used.ok()) {
    d.AuditFailure(caller, handle->tenant_id, "auth.password.reset.confirm", "token_refused", &*user);
    return used.status().code() == ErrorCode::kUnauthenticated ? Denied("reset token refused") : used.status();
  }
  const Timestamp now = d.Now();
  auto stored = d.store.users().Update(scope, user->id, [&](User& account) {
    account.password_hash = *hash;
    account.password_changed_at = now;
    return Status::Ok();
  });
  if (!stored.ok()) return stored.status();
  static_cast<void>(d.store.login_sessions().ClearFailures(scope, Impl::AccountKey(user->id)));
  static_cast<void>(d.store.login_sessions().RevokeUserSessions(scope, user->id, "password", now));
  d.audit.Record(UserContext(*user, caller),
                 AuditEvent{"auth.password.reset.confirm", true, "user:" + std::to_string(user->id), {}});
  return Status::Ok();
}

// --- MFA ------------------------------------------------------------------------------------------

Result<MfaEnrollment> AuthEngine::EnrollMfa(const RequestContext& context, std::string_view method,
                                            const std::optional<std::string>& code,
                                            const std::optional<std::string>& enrollment_token) {
  Impl& d = *impl_;
  if (method != "totp" && method != "email") {
    return Status::InvalidField("method", field_code::kNotAllowed, {{"allowed", "totp, email"}});
  }
  if (code && (code->empty() || code->size() > 16)) return Status::InvalidField("code", field_code::kInvalid);
  if (code && method == "email" && !enrollment_token) {
    return Status::InvalidField("enrollment_token", field_code::kRequired);
  }
  const Scope tenant(TenantContext(context.tenant_id));
  auto user = d.store.users().Get(tenant, context.user_id);
  if (!user.ok()) return user.status().code() == ErrorCode::kNotFound ? Status::NotFound("account") : user.status();
  if (user->mfa_enabled) return Status::TransitionNotAllowed("mfa_enabled", "enroll");
  MfaEnrollment enrollment;
  enrollment.method = std::string(method);

  if (!code) {  // the first step
    if (method == "email") {
      if (!user->email) return Status::InvalidField("email", field_code::kRequired);
      auto handle = d.SendCode(*user, kMfaEmailEnroll, context.locale);
      if (!handle.ok()) return handle.status();
      enrollment.enrollment_token = std::move(handle).value();
      return enrollment;
    }
    const std::string secret = security::Base32Encode(security::GenerateTotpSecret());
    auto stored = d.store.users().Update(tenant, user->id, [&](User& account) {
      account.totp_secret = secret;
      account.mfa_method = "totp";
      account.totp_last_step = -1;
      return Status::Ok();
    });
    if (!stored.ok()) return stored.status();
    enrollment.secret = secret;
    enrollment.otpauth_uri = security::OtpauthUri(d.options.mfa_issuer, user->username, *security::Base32Decode(secret));
    return enrollment;
  }

  // The second step: the first code proves the factor works before it is required.
  std::optional<std::int64_t> step;
  std::vector<FieldError> wrong{{"code", field_code::kInvalid, {}}};
  if (method == "totp") {
    if (!user->totp_secret || user->mfa_method != std::string("totp")) {
      return Status::TransitionNotAllowed("not_enrolled", "confirm");
    }
    auto secret = security::Base32Decode(*user->totp_secret);
    if (secret) step = security::VerifyTotp(*secret, *code, Seconds(d.clock.NowMillis()));
    if (!step) {
      d.CountFailure(tenant, {Impl::AccountKey(user->id)});
      return Status::Invalid(std::move(wrong));
    }
  } else {
    const auto handle = ParseHandle(*enrollment_token);
    if (!handle || handle->user_id != user->id || handle->tenant_id != user->tenant_id) {
      return Status::InvalidField("enrollment_token", field_code::kInvalid);
    }
    auto used = d.store.login_sessions().UseToken(
        tenant, kMfaEmailEnroll, Sha256Hex(*enrollment_token), d.Now(), kMaxCodeAttempts,
        [&](const OneTimeToken& token) { return Impl::CodeMatches(token, kMfaEmailEnroll, *handle, *code); });
    if (!used.ok()) {
      d.CountFailure(tenant, {Impl::AccountKey(user->id)});
      return used.status().code() == ErrorCode::kUnauthenticated ? Status::Invalid(std::move(wrong)) : used.status();
    }
  }
  std::vector<std::string> codes = security::GenerateRecoveryCodes(kRecoveryCodes);
  std::vector<std::string> hashes;
  for (const auto& recovery : codes) hashes.push_back(*security::HashRecoveryCode(recovery));
  auto stored = d.store.users().Update(tenant, user->id, [&](User& account) -> Status {
    if (account.mfa_enabled) return Status::TransitionNotAllowed("mfa_enabled", "enroll");
    account.mfa_enabled = true;
    account.mfa_method = std::string(method);
    if (method == "email") account.totp_secret.reset();
    if (step) account.totp_last_step = *step;
    account.recovery_code_hashes = hashes;
    return Status::Ok();
  });
  if (!stored.ok()) return stored.status();
  d.audit.Record(context, AuditEvent{"auth.mfa.enroll", true, "user:" + std::to_string(user->id),
                                     json::object{{"method", method}}});
  enrollment.enabled = true;
  enrollment.recovery_codes = std::move(codes);
  return enrollment;
}

Status AuthEngine::DisableMfa(const RequestContext& context, std::string_view password) {
  Impl& d = *impl_;
  if (password.empty()) return Status::InvalidField("password", field_code::kRequired);
  if (password.size() > security::kMaxPasswordBytes) {
    return Status::InvalidField("password", field_code::kTooLong,
                                {{"max", std::to_string(security::kMaxPasswordBytes)}});
  }
  const Scope tenant(TenantContext(context.tenant_id));
  auto user = d.store.users().Get(tenant, context.user_id);
  if (!user.ok()) return user.status().code() == ErrorCode::kNotFound ? Status::NotFound("account") : user.status();
  const std::string key = Impl::AccountKey(user->id);
  if (const std::int64_t locked = d.LockedFor(tenant, key); locked > 0) return Denied("locked", locked);
  if (user->password_hash.empty() || d.hasher.Verify(password, user->password_hash) != security::PasswordMatch::kMatch) {
    d.CountFailure(tenant, {key});
    return Status::InvalidField("password", field_code::kInvalid);
  }
  auto stored = d.store.users().Update(tenant, user->id, [&](User& account) {
    account.mfa_enabled = false;
    account.mfa_method.reset();
    account.totp_secret.reset();
    account.totp_last_step = -1;
    account.recovery_code_hashes.clear();
    return Status::Ok();
  });
  if (!stored.ok()) return stored.status();
  d.audit.Record(context, AuditEvent{"auth.mfa.disable", true, "user:" + std::to_string(user->id), {}});
  return Status::Ok();
}

// --- accounts -------------------------------------------------------------------------------------

namespace {

// Only a platform_admin grants, removes or touches platform_admin.
bool MayManage(const RequestContext& context, unsigned roles) {
  return context.has(Role::kPlatformAdmin) || (roles & static_cast<unsigned>(Role::kPlatformAdmin)) == 0;
}

}  // namespace

Result<User> AuthEngine::CreateUser(const RequestContext& context, NewUser input) {
  Impl& d = *impl_;
  if (input.customer_id == 0) input.customer_id = context.customer_id;
  if (input.customer_id != context.customer_id && !context.has(Role::kPlatformAdmin)) {
    return Status::NotFound("customer");
  }
  if (!MayManage(context, input.roles)) return Status::PermissionDenied("platform_admin is granted by platform_admin");
  User user;
  user.customer_id = input.customer_id;
  user.username = std::move(input.username);
  user.email = std::move(input.email);
  user.phone = std::move(input.phone);
  user.display_name = input.display_name.empty() ? user.username : std::move(input.display_name);
  user.roles = input.roles;
  user.tenant_id = context.tenant_id;
  user.password_changed_at = d.Now();
  if (input.password) {
    auto hash = d.NewPasswordHash(user, *input.password, "password");
    if (!hash.ok()) return hash.status();
    user.password_hash = std::move(hash).value();
  }
  auto created = d.store.users().Create(Scope(context), std::move(user));
  if (!created.ok()) return created.status();
  d.audit.Record(context, AuditEvent{"users.create", true, "user:" + std::to_string(created->id),
                                     json::object{{"roles", RoleArray(created->roles)},
                                                  {"customer_id", created->customer_id}}});
  return created;
}

Result<User> AuthEngine::GetUser(const RequestContext& context, std::int64_t id) {
  return impl_->store.users().Get(Scope(context), id);
}

Result<Page<User>> AuthEngine::ListUsers(const RequestContext& context, const UserFilter& filter, PageRequest page) {
  return impl_->store.users().List(Scope(context), filter, page);
}

Result<User> AuthEngine::UpdateUser(const RequestContext& context, std::int64_t id, const json::object& patch) {
  Impl& d = *impl_;
  std::vector<FieldError> errors;
  std::optional<UserStatus> status;
  for (const auto& [key, value] : patch) {
    if (key == "id") continue;
    if (key == "display_name" || key == "email" || key == "phone") {
      if (!value.is_string() && !(value.is_null() && key != "display_name")) {
        errors.push_back({std::string(key), field_code::kInvalid, {}});
      }
    } else if (key == "status") {
      const auto* name = value.if_string();
      if (name != nullptr && *name == "active") {
        status = UserStatus::active;
      } else if (name != nullptr && *name == "disabled") {
        status = UserStatus::disabled;
      } else {
        errors.push_back({"status", field_code::kNotAllowed, {{"allowed", "active, disabled"}}});
      }
    } else {
      errors.push_back({std::string(key), field_code::kNotAllowed,
                        {{"allowed", "display_name, email, phone, status"}}});
    }
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  if (status && id == context.user_id && *status == UserStatus::disabled) {
    return Status::PermissionDenied("an account cannot disable itself");
  }
  std::optional<UserStatus> before;
  auto updated = d.store.users().Update(Scope(context), id, [&](User& user) -> Status {
    if (!MayManage(context, user.roles)) return Status::PermissionDenied("platform_admin account");
    if (user.status == UserStatus::erased) return Status::NotFound("user");
    before = user.status;
    auto text = [&](std::string_view name) -> std::optional<std::string> {
      const json::value& value = patch.at(name);
      return value.is_string() ? std::optional<std::string>(std::string(value.get_string())) : std::nullopt;
    };
    if (patch.contains("display_name")) user.display_name = *text("display_name");
    if (patch.contains("email")) user.email = text("email");
    if (patch.contains("phone")) user.phone = text("phone");
    if (status) user.status = *status;
    return Status::Ok();
  });
  if (!updated.ok()) return updated.status();
  if (status == UserStatus::disabled && before == UserStatus::active) {
    static_cast<void>(
        d.store.login_sessions().RevokeUserSessions(Scope(TenantContext(context.tenant_id)), id, "disabled", d.Now()));
  }
  json::array fields;
  for (const auto& [key, value] : patch) fields.emplace_back(key);
  d.audit.Record(context, AuditEvent{"users.update", true, "user:" + std::to_string(id),
                                     json::object{{"fields", std::move(fields)},
                                                  {"status", StatusName(updated->status)}}});
  return updated;
}

Result<User> AuthEngine::SetRoles(const RequestContext& context, std::int64_t id, unsigned roles) {
  Impl& d = *impl_;
  if (!MayManage(context, roles)) return Status::PermissionDenied("platform_admin is granted by platform_admin");
  unsigned before = 0;
  auto updated = d.store.users().Update(Scope(context), id, [&](User& user) -> Status {
    if (!MayManage(context, user.roles)) return Status::PermissionDenied("platform_admin account");
    if (user.status == UserStatus::erased) return Status::NotFound("user");
    before = user.roles;
    user.roles = roles;
    return Status::Ok();
  });
  if (!updated.ok()) return updated.status();
  if (before != roles) {
    // Tokens carry roles: the account signs in again to get the new ones.
    static_cast<void>(
        d.store.login_sessions().RevokeUserSessions(Scope(TenantContext(context.tenant_id)), id, "roles", d.Now()));
  }
  d.audit.Record(context, AuditEvent{"users.roles.set", true, "user:" + std::to_string(id),
                                     json::object{{"from", RoleArray(before)}, {"to", RoleArray(roles)}}});
  return updated;
}

Result<Store::ErasureReport> AuthEngine::EraseUser(const RequestContext& context, std::int64_t id, BlobStore& blobs) {
  Impl& d = *impl_;
  auto user = d.store.users().Get(Scope(context), id);
  if (!user.ok()) return user.status();
  if (!MayManage(context, user->roles)) return Status::PermissionDenied("platform_admin account");
  if (user->status == UserStatus::erased) return Status::NotFound("user");
  auto report = d.store.EraseUser(Scope(context), id);
  if (!report.ok()) return report.status();
  std::int64_t files_left = 0;
  for (const auto& key : report->blob_keys) {
    Status deleted = blobs.Delete(key);
    if (!deleted.ok() && deleted.code() != ErrorCode::kNotFound) ++files_left;
  }
  if (files_left > 0) Log().error("users.erase: {} files of an erased account could not be deleted", files_left);
  d.audit.Record(context, AuditEvent{"users.erase", files_left == 0, "user:" + std::to_string(id),
                                     json::object{{"deleted", report->deleted},
                                                  {"anonymised", report->anonymised},
                                                  {"files", report->blob_keys.size()},
                                                  {"files_left", files_left}}});
  return report;
}

Result<std::int64_t> AuthEngine::RevokeSessions(const RequestContext& context, std::int64_t id) {
  Impl& d = *impl_;
  auto user = d.store.users().Get(Scope(context), id);
  if (!user.ok()) return user.status();
  if (!MayManage(context, user->roles)) return Status::PermissionDenied("platform_admin account");
  auto revoked =
      d.store.login_sessions().RevokeUserSessions(Scope(TenantContext(context.tenant_id)), id, "admin", d.Now());
  if (!revoked.ok()) return revoked.status();
  d.audit.Record(context, AuditEvent{"users.sessions.revoke", true, "user:" + std::to_string(id),
                                     json::object{{"revoked", *revoked}}});
  return revoked;
}

}  // namespace selfservice
