#include "storage/sqlite/user_repository.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>

#include "domain/rules.hpp"
#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {

constexpr std::size_t kMinUsername = 3;
constexpr std::size_t kMaxUsername = 64;
constexpr std::size_t kMaxDisplayName = 100;
constexpr std::size_t kMaxEmail = 255;
constexpr std::size_t kMaxPhone = 32;
constexpr std::size_t kMaxPasswordHash = 512;
constexpr std::size_t kMaxTotpSecret = 128;
constexpr std::size_t kMaxSsoSubject = 512;
constexpr std::size_t kMaxRecoveryCodes = 32;
constexpr std::size_t kMaxQuery = 100;
constexpr int kMaxPageSize = 1000;
constexpr std::size_t kSessionIdHex = 32;
constexpr std::size_t kMaxRefreshId = 64;
constexpr std::size_t kMaxReason = 32;
constexpr std::size_t kMaxIpAddress = 64;
constexpr std::size_t kMaxUserAgent = 512;
constexpr std::size_t kMaxFailureKey = 200;
constexpr std::size_t kMaxPurpose = 32;
constexpr std::size_t kTokenHashHex = 64;
constexpr std::size_t kMaxPayload = 4096;
constexpr unsigned kKnownRoles = static_cast<unsigned>(Role::kCustomerUser) |
                                 static_cast<unsigned>(Role::kCustomerAdmin) |
                                 static_cast<unsigned>(Role::kPlatformAdmin);

constexpr const char* kEmailColumn = "users.email";
constexpr const char* kPhoneColumn = "users.phone";
constexpr const char* kTotpColumn = "users.totp_secret";
constexpr const char* kIpColumn = "login_sessions.ip_address";
constexpr const char* kUserAgentColumn = "login_sessions.user_agent";

// Usernames and e-mail addresses compare ignoring the case of ASCII letters (usernames are ASCII).
std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsHex(std::string_view text, std::size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool letter = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!digit && !letter) return false;
  }
  return true;
}

bool IsUsernameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '@' || c == '-';
}

std::string_view UserStatusName(UserStatus status) {
  switch (status) {
    case UserStatus::active: return "active";
    case UserStatus::disabled: return "disabled";
    case UserStatus::erased: return "erased";
  }
  return "active";
}

UserStatus ParseUserStatus(std::string_view name) {
  if (name == "disabled") return UserStatus::disabled;
  if (name == "erased") return UserStatus::erased;
  return UserStatus::active;
}

std::vector<std::pair<std::string, std::string>> MaxArg(std::size_t max) { return {{"max", std::to_string(max)}}; }

// A required string of [min, max] bytes: identifiers and keys, whose byte length bounds the
// characters the schema counts. Free text is measured in characters (FieldChecker::MaxChars).
void Bounded(FieldChecker& check, std::string_view field, std::string_view value, std::size_t min,
             std::size_t max) {
  if (value.empty()) {
    check.Add(field, field_code::kRequired);
  } else if (value.size() > max) {
    check.Add(field, field_code::kTooLong, MaxArg(max));
  } else if (value.size() < min) {
    check.Add(field, field_code::kOutOfRange, {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
  }
}

void Positive(FieldChecker& check, std::string_view field, std::int64_t value) {
  if (value <= 0) check.Add(field, field_code::kOutOfRange, {{"min", "1"}});
}

Status Finish(FieldChecker& check) {
  std::vector<FieldError> errors = check.Take();
  return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
}

// The account rules a single account can check; uniqueness needs the table (CheckUnique).
Status CheckUser(const User& u) {
  FieldChecker check;
  if (u.username.empty()) {
    check.Add("username", field_code::kRequired);
  } else if (u.username.size() > kMaxUsername) {
    check.Add("username", field_code::kTooLong, MaxArg(kMaxUsername));
  } else if (u.username.size() < kMinUsername) {
    check.Add("username", field_code::kOutOfRange, {{"min", std::to_string(kMinUsername)}});
  } else {
    bool valid = true;
    for (char c : u.username) valid = valid && IsUsernameChar(c);
    check.Format("username", valid);
  }
  if (u.email) {
    if (Utf8Length(*u.email) > kMaxEmail) {
      check.Add("email", field_code::kTooLong, MaxArg(kMaxEmail));
    } else {
      const auto at = u.email->find('@');
      check.Format("email", at != std::string::npos && at > 0 && at + 1 < u.email->size() &&
                                u.email->find('@', at + 1) == std::string::npos);
    }
  }
  check.MaxChars("phone", u.phone, kMaxPhone);
  check.MaxChars("display_name", u.display_name, kMaxDisplayName);
  if (u.roles == 0) {
    check.Add("roles", field_code::kRequired);
  } else if ((u.roles & ~kKnownRoles) != 0) {
    check.Add("roles", field_code::kNotAllowed);
  }
  Positive(check, "customer_id", u.customer_id);
  check.MaxChars("password_hash", u.password_hash, kMaxPasswordHash);
  if (u.mfa_method && *u.mfa_method != "totp" && *u.mfa_method != "email") {
    check.Add("mfa_method", field_code::kNotAllowed);
  }
  check.MaxChars("totp_secret", u.totp_secret, kMaxTotpSecret);
  if (u.totp_last_step < -1) check.Add("totp_last_step", field_code::kOutOfRange, {{"min", "-1"}});
  if (u.recovery_code_hashes.size() > kMaxRecoveryCodes) {
    check.Add("recovery_code_hashes", field_code::kTooLong, MaxArg(kMaxRecoveryCodes));
  }
  for (const auto& hash : u.recovery_code_hashes) {
    if (!IsHex(hash, kTokenHashHex)) {
      check.Add("recovery_code_hashes", field_code::kInvalid);
      break;
    }
  }
  if (u.sso_subject) Bounded(check, "sso_subject", *u.sso_subject, 1, kMaxSsoSubject);
  return Finish(check);
}

Status CheckPage(PageRequest page) {
  FieldChecker check;
  if (page.page < 1) check.Add("page", field_code::kOutOfRange, {{"min", "1"}});
  if (page.size < 1 || page.size > kMaxPageSize) {
    check.Add("size", field_code::kOutOfRange, {{"min", "1"}, {"max", std::to_string(kMaxPageSize)}});
  }
  return Finish(check);
}

// --- Accounts ----------------------------------------------------------------------------------

#define USER_COLUMNS                                                                                       \
  "id, tenant_id, customer_id, username, email, phone, display_name, roles, status, password_hash, "      \
  "password_changed_at, mfa_method, mfa_enabled, totp_secret, totp_last_step, recovery_code_hashes, "     \
  "sso_subject, last_login_at, created_at, updated_at"

// A user's row-level scope: ?1 tenant, ?2 customer (NULL: any), ?3 the account itself (NULL: any).
#define USER_SCOPE_WHERE " tenant_id = ?1 AND (?2 IS NULL OR customer_id = ?2) AND (?3 IS NULL OR id = ?3) "

void BindUserScope(Statement& s, const Scope& scope) {
  s.Bind(1, scope.tenant_id());
  if (scope.visibility() == Visibility::kTenant) {
    s.BindNull(2);
  } else {
    s.Bind(2, scope.customer_id());
  }
  if (scope.visibility() == Visibility::kOwn) {
    s.Bind(3, scope.user_id());
  } else {
    s.BindNull(3);
  }
}

// Whether the scope may see an account of its tenant owned by `customer_id` with id `id`.
bool SeesUser(const Scope& scope, std::int64_t customer_id, std::int64_t id) {
  switch (scope.visibility()) {
    case Visibility::kTenant: return true;
    case Visibility::kCustomer: return customer_id == scope.customer_id();
    case Visibility::kOwn: return customer_id == scope.customer_id() && id == scope.user_id();
  }
  return false;
}

// The row as an account, its sealed columns opened; a value that does not open fails the read.
Result<User> ReadUser(const Statement& s, const SealedFields& sealed) {
  User u;
  u.id = s.Int(0);
  u.tenant_id = s.Int(1);
  u.customer_id = s.Int(2);
  u.username = s.Text(3);
  Status failure;
  if (!UnsealColumn(s, 4, sealed, u.tenant_id, kEmailColumn, u.email, failure) ||
      !UnsealColumn(s, 5, sealed, u.tenant_id, kPhoneColumn, u.phone, failure) ||
      !UnsealColumn(s, 13, sealed, u.tenant_id, kTotpColumn, u.totp_secret, failure)) {
    return failure;
  }
  u.display_name = s.Text(6);
  u.roles = static_cast<unsigned>(s.Int(7));
  u.status = ParseUserStatus(s.Text(8));
  u.password_hash = s.Text(9);
  u.password_changed_at = Timestamp{s.Int(10)};
  u.mfa_method = s.OptionalText(11);
  u.mfa_enabled = s.Int(12) != 0;
  u.totp_last_step = s.Int(14);
  u.recovery_code_hashes = StringArrayColumn(s, 15);
  u.sso_subject = s.OptionalText(16);
  u.last_login_at = OptionalTime(s, 17);
  u.created_at = Timestamp{s.Int(18)};
  u.updated_at = Timestamp{s.Int(19)};
  return u;
}

std::optional<std::string> LowerOptional(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  return AsciiLower(*value);
}

// FIELD_DUPLICATE for a username or e-mail another account of the tenant (not `self`) holds. The
// e-mail is looked up under every key of the ring, so an account indexed before a rotation still
// counts. Run inside the write transaction that stores the account.
Status CheckUnique(Connection& db, const SealedFields& sealed, std::int64_t tenant_id, const User& u,
                   std::int64_t self) {
  FieldChecker check;
  {
    Statement s = db.Prepare("SELECT 1 FROM users WHERE tenant_id = ?1 AND username_key = ?2 AND id <> ?3");
    s.Bind(1, tenant_id).Bind(2, AsciiLower(u.username)).Bind(3, self);
    if (s.Step()) check.Add("username", field_code::kDuplicate);
  }
  if (u.email) {
    for (const std::string& index : sealed.Indexes(tenant_id, kEmailColumn, AsciiLower(*u.email))) {
      Statement s = db.Prepare("SELECT 1 FROM users WHERE tenant_id = ?1 AND email_index = ?2 AND id <> ?3");
      s.Bind(1, tenant_id).Bind(2, index).Bind(3, self);
      if (s.Step()) {
        check.Add("email", field_code::kDuplicate);
        break;
      }
    }
  }
  if (u.sso_subject) {
    Statement s = db.Prepare("SELECT 1 FROM users WHERE tenant_id = ?1 AND sso_subject = ?2 AND id <> ?3");
    s.Bind(1, tenant_id).Bind(2, *u.sso_subject).Bind(3, self);
    if (s.Step()) check.Add("sso_subject", field_code::kDuplicate);
  }
  return Finish(check);
}

// Binds ?2-?20 of an account's stored columns (sealing those kept encrypted); ?1 is the id or tenant.
void BindUserColumns(Statement& s, const SealedFields& sealed, const User& u) {
  const std::optional<std::string> email_key = LowerOptional(u.email);
  s.Bind(2, u.customer_id)
      .Bind(3, u.username)
      .Bind(4, AsciiLower(u.username))
      .Bind(5, sealed.SealOptional(u.tenant_id, kEmailColumn, u.email))
      .Bind(6, email_key ? std::optional(sealed.Index(u.tenant_id, kEmailColumn, *email_key)) : std::nullopt)
      .Bind(7, sealed.SealOptional(u.tenant_id, kPhoneColumn, u.phone))
      .Bind(8, u.display_name)
      .Bind(9, static_cast<std::int64_t>(u.roles))
      .Bind(10, UserStatusName(u.status))
      .Bind(11, u.password_hash)
      .Bind(12, u.password_changed_at.millis)
      .Bind(13, u.mfa_method)
      .Bind(14, u.mfa_enabled ? 1 : 0)
      .Bind(15, sealed.SealOptional(u.tenant_id, kTotpColumn, u.totp_secret))
      .Bind(16, u.totp_last_step)
      .Bind(17, StringArrayText(u.recovery_code_hashes))
      .Bind(18, u.sso_subject)
      .Bind(19, u.last_login_at ? std::optional(u.last_login_at->millis) : std::nullopt)
      .Bind(20, u.updated_at.millis);
}

Result<std::optional<User>> FindUser(Connection& db, const SealedFields& sealed, const Scope& scope,
                                     std::int64_t id) {
  Statement s = db.Prepare("SELECT " USER_COLUMNS " FROM users WHERE id = ?4 AND" USER_SCOPE_WHERE);
  BindUserScope(s, scope);
  s.Bind(4, id);
  if (!s.Step()) return std::optional<User>();
  auto user = ReadUser(s, sealed);
  if (!user.ok()) return user.status();
  return std::optional<User>(std::move(user).value());
}

// --- The list's SQL: one statement per visibility and filter shape, as tickets' (?1 tenant,
// ?2 customer, ?3 the account, ?4 status, ?5 role bit, ?6 lowercase query, ?7 and ?8 limit and offset).

struct UserListShape {
  Visibility visibility = Visibility::kTenant;
  bool status = false;
  bool role = false;
  bool query = false;
};

std::string UserListSql(bool count, const UserListShape& shape) {
  std::string sql = count ? "SELECT count(*) FROM users WHERE tenant_id = ?1"
                          : "SELECT " USER_COLUMNS " FROM users WHERE tenant_id = ?1";
  if (shape.visibility != Visibility::kTenant) sql += " AND customer_id = ?2";
  if (shape.visibility == Visibility::kOwn) sql += " AND id = ?3";
  if (shape.status) sql += " AND status = ?4";
  if (shape.role) sql += " AND (roles & ?5) <> 0";
  if (shape.query) sql += " AND (instr(username_key, ?6) > 0 OR instr(lower(display_name), ?6) > 0)";
  if (!count) sql += " ORDER BY id LIMIT ?7 OFFSET ?8";
  return sql;
}

// Every shape's text, made once (ShapedSql).
const char* CachedUserListSql(bool count, const UserListShape& shape) {
  static const ShapedSql<2, 3, 2, 2, 2> kSql([](const auto& d) {
    return UserListSql(d[0] != 0, UserListShape{static_cast<Visibility>(d[1]), d[2] != 0, d[3] != 0, d[4] != 0});
  });
  return kSql.Get({count, static_cast<std::size_t>(shape.visibility), shape.status, shape.role, shape.query});
}

class SqliteUsers final : public UserRepository {
 public:
  explicit SqliteUsers(Database& db) : db_(db) {}

  Result<User> Create(const Scope& scope, User user) override {
    if (Status checked = CheckUser(user); !checked.ok()) return checked;
    // An account the caller could not see afterwards is not theirs to create; a customer_user
    // sees only the account they already have.
    if (scope.visibility() == Visibility::kOwn ||
        (scope.visibility() == Visibility::kCustomer && user.customer_id != scope.customer_id())) {
      return Status::NotFound("customer outside the scope");
    }
    user.tenant_id = scope.tenant_id();
    const SealedFields& sealed = db_.sealed();
    return db_.Write([&](Connection& db) -> Result<User> {
      if (Status unique = CheckUnique(db, sealed, user.tenant_id, user, 0); !unique.ok()) return unique;
      Statement s = db.Prepare(
          "INSERT INTO users (tenant_id, customer_id, username, username_key, email, email_index, phone, "
          "display_name, roles, status, password_hash, password_changed_at, mfa_method, mfa_enabled, totp_secret, "
          "totp_last_step, recovery_code_hashes, sso_subject, last_login_at, updated_at, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) "
          "RETURNING id");
      s.Bind(1, user.tenant_id);
      BindUserColumns(s, sealed, user);
      s.Bind(21, user.created_at.millis);
      s.Step();
      user.id = s.Int(0);
      return user;
    });
  }

  Result<User> Get(const Scope& scope, std::int64_t id) override {
    if (id <= 0) return Status::InvalidField("id", field_code::kOutOfRange, {{"min", "1"}});
    return db_.Read([&](Connection& db) -> Result<User> {
      auto found = FindUser(db, db_.sealed(), scope, id);
      if (!found.ok()) return found.status();
      if (!found.value()) return Status::NotFound("user");
      return std::move(*found.value());
    });
  }

  Result<User> FindByLogin(const Scope& scope, std::string_view login) override {
    if (login.empty()) return Status::InvalidField("login", field_code::kRequired);
    if (login.size() > kMaxEmail) return Status::InvalidField("login", field_code::kTooLong, MaxArg(kMaxEmail));
    const std::string key = AsciiLower(login);
    const SealedFields& sealed = db_.sealed();
    return db_.Read([&](Connection& db) -> Result<User> {
      {
        Statement s =
            db.Prepare("SELECT " USER_COLUMNS " FROM users WHERE username_key = ?4 AND" USER_SCOPE_WHERE);
        BindUserScope(s, scope);
        s.Bind(4, key);
        if (s.Step()) return ReadUser(s, sealed);
      }
      if (key.find('@') == std::string::npos) return Status::NotFound("user");
      for (const std::string& index : sealed.Indexes(scope.tenant_id(), kEmailColumn, key)) {
        Statement s = db.Prepare("SELECT " USER_COLUMNS " FROM users WHERE email_index = ?4 AND" USER_SCOPE_WHERE);
        BindUserScope(s, scope);
        s.Bind(4, index);
        if (s.Step()) return ReadUser(s, sealed);
      }
      return Status::NotFound("user");
    });
  }

  Result<User> FindBySsoSubject(const Scope& scope, std::string_view subject) override {
    if (subject.empty()) return Status::InvalidField("subject", field_code::kRequired);
    if (subject.size() > kMaxSsoSubject) {
      return Status::InvalidField("subject", field_code::kTooLong, MaxArg(kMaxSsoSubject));
    }
    return db_.Read([&](Connection& db) -> Result<User> {
      Statement s = db.Prepare("SELECT " USER_COLUMNS " FROM users WHERE sso_subject = ?4 AND" USER_SCOPE_WHERE);
      BindUserScope(s, scope);
      s.Bind(4, subject);
      if (!s.Step()) return Status::NotFound("user");
      return ReadUser(s, db_.sealed());
    });
  }

  Result<Page<User>> List(const Scope& scope, const UserFilter& filter, PageRequest page) override {
    if (Status checked = CheckPage(page); !checked.ok()) return checked;
    if (filter.customer_id && *filter.customer_id <= 0) {
      return Status::InvalidField("customer_id", field_code::kOutOfRange, {{"min", "1"}});
    }
    if (filter.query && Utf8Length(*filter.query) > kMaxQuery) {
      return Status::InvalidField("query", field_code::kTooLong, MaxArg(kMaxQuery));
    }
    // A customer filter narrows the platform's view to one customer; below it, a filter naming
    // another customer than the scope's matches nothing.
    Visibility visibility = scope.visibility();
    std::int64_t customer_id = scope.customer_id();
    if (filter.customer_id) {
      if (visibility == Visibility::kTenant) {
        visibility = Visibility::kCustomer;
        customer_id = *filter.customer_id;
      } else if (*filter.customer_id != scope.customer_id()) {
        return Page<User>{};
      }
    }
    const UserListShape shape{visibility, filter.status.has_value(), filter.role.has_value(),
                              filter.query && !filter.query->empty()};
    const std::string query = shape.query ? AsciiLower(*filter.query) : std::string();
    const auto bind = [&](Statement& s) {
      s.Bind(1, scope.tenant_id());
      if (shape.visibility != Visibility::kTenant) s.Bind(2, customer_id);
      if (shape.visibility == Visibility::kOwn) s.Bind(3, scope.user_id());
      if (shape.status) s.Bind(4, UserStatusName(*filter.status));
      if (shape.role) s.Bind(5, static_cast<std::int64_t>(*filter.role));
      if (shape.query) s.Bind(6, query);
    };
    return db_.Read([&](Connection& db) -> Result<Page<User>> {
      Page<User> out;
      {
        Statement s = db.Prepare(CachedUserListSql(true, shape));
        bind(s);
        s.Step();
        out.total = s.Int(0);
      }
      if (out.total == 0) return out;
      Statement s = db.Prepare(CachedUserListSql(false, shape));
      bind(s);
      BindPage(s, 7, page);
      while (s.Step()) {
        auto user = ReadUser(s, db_.sealed());
        if (!user.ok()) return user.status();
        out.items.push_back(std::move(user).value());
      }
      return out;
    });
  }

  Result<User> Update(const Scope& scope, std::int64_t id, const Mutation& mutate) override {
    if (id <= 0) return Status::InvalidField("id", field_code::kOutOfRange, {{"min", "1"}});
    const SealedFields& sealed = db_.sealed();
    return db_.Write([&](Connection& db) -> Result<User> {
      auto found = FindUser(db, sealed, scope, id);
      if (!found.ok()) return found.status();
      if (!found.value()) return Status::NotFound("user");
      const User before = *found.value();
      User user = before;
      if (Status status = mutate(user); !status.ok()) return status;
      user.id = before.id;
      user.tenant_id = before.tenant_id;
      user.created_at = before.created_at;
      if (Status checked = CheckUser(user); !checked.ok()) return checked;
      if (!SeesUser(scope, user.customer_id, user.id)) return Status::NotFound("customer outside the scope");
      if (Status unique = CheckUnique(db, sealed, user.tenant_id, user, user.id); !unique.ok()) return unique;
      // Every sealed column is written again, so an account saved after a rotation is under the
      // current key.
      Statement s = db.Prepare(
          "UPDATE users SET customer_id = ?2, username = ?3, username_key = ?4, email = ?5, email_index = ?6, "
          "phone = ?7, display_name = ?8, roles = ?9, status = ?10, password_hash = ?11, password_changed_at = ?12, "
          "mfa_method = ?13, mfa_enabled = ?14, totp_secret = ?15, totp_last_step = ?16, "
          "recovery_code_hashes = ?17, sso_subject = ?18, last_login_at = ?19, updated_at = ?20 WHERE id = ?1");
      s.Bind(1, user.id);
      BindUserColumns(s, sealed, user);
      s.Run();
      return user;
    });
  }

 private:
  Database& db_;
};

// --- Login state -------------------------------------------------------------------------------

#define LOGIN_SESSION_COLUMNS                                                                            \
  "id, tenant_id, customer_id, user_id, refresh_id, generation, created_at, refreshed_at, expires_at, " \
  "revoked_at, revoked_reason, ip_address, user_agent"

Result<LoginSession> ReadLoginSession(const Statement& s, const SealedFields& sealed) {
  LoginSession v;
  v.id = s.Text(0);
  v.tenant_id = s.Int(1);
  v.customer_id = s.Int(2);
  v.user_id = s.Int(3);
  v.refresh_id = s.Text(4);
  v.generation = static_cast<int>(s.Int(5));
  v.created_at = Timestamp{s.Int(6)};
  v.refreshed_at = Timestamp{s.Int(7)};
  v.expires_at = Timestamp{s.Int(8)};
  v.revoked_at = OptionalTime(s, 9);
  v.revoked_reason = s.OptionalText(10);
  Status failure;
  if (!UnsealColumn(s, 11, sealed, v.tenant_id, kIpColumn, v.ip_address, failure) ||
      !UnsealColumn(s, 12, sealed, v.tenant_id, kUserAgentColumn, v.user_agent, failure)) {
    return failure;
  }
  return v;
}

Result<std::optional<LoginSession>> FindLoginSession(Connection& db, const SealedFields& sealed,
                                                     std::int64_t tenant_id, std::string_view id) {
  Statement s = db.Prepare("SELECT " LOGIN_SESSION_COLUMNS " FROM login_sessions WHERE tenant_id = ?1 AND id = ?2");
  s.Bind(1, tenant_id).Bind(2, id);
  if (!s.Step()) return std::optional<LoginSession>();
  auto session = ReadLoginSession(s, sealed);
  if (!session.ok()) return session.status();
  return std::optional<LoginSession>(std::move(session).value());
}

Status CheckSessionId(std::string_view id) {
  if (id.empty()) return Status::InvalidField("session_id", field_code::kRequired);
  if (!IsHex(id, kSessionIdHex)) return Status::InvalidField("session_id", field_code::kInvalid);
  return Status::Ok();
}

Status CheckLoginSession(const LoginSession& v) {
  FieldChecker check;
  if (v.id.empty()) {
    check.Add("id", field_code::kRequired);
  } else {
    check.Format("id", IsHex(v.id, kSessionIdHex));
  }
  Positive(check, "customer_id", v.customer_id);
  Positive(check, "user_id", v.user_id);
  Bounded(check, "refresh_id", v.refresh_id, 1, kMaxRefreshId);
  if (v.generation < 0) check.Add("generation", field_code::kOutOfRange, {{"min", "0"}});
  if (v.expires_at <= v.created_at) check.Add("expires_at", field_code::kOutOfRange);
  if (v.revoked_reason) Bounded(check, "revoked_reason", *v.revoked_reason, 1, kMaxReason);
  if (v.revoked_reason.has_value() != v.revoked_at.has_value()) check.Add("revoked_reason", field_code::kInvalid);
  check.MaxChars("ip_address", v.ip_address, kMaxIpAddress);
  check.MaxChars("user_agent", v.user_agent, kMaxUserAgent);
  return Finish(check);
}

Status CheckReason(std::string_view reason) {
  FieldChecker check;
  Bounded(check, "reason", reason, 1, kMaxReason);
  return Finish(check);
}

Status CheckFailureKey(std::string_view key) {
  FieldChecker check;
  Bounded(check, "key", key, 1, kMaxFailureKey);
  return Finish(check);
}

void CheckPurpose(FieldChecker& check, std::string_view purpose) {
  Bounded(check, "purpose", purpose, 1, kMaxPurpose);
}

void CheckTokenHash(FieldChecker& check, std::string_view token_hash) {
  if (token_hash.empty()) {
    check.Add("token_hash", field_code::kRequired);
  } else {
    check.Format("token_hash", IsHex(token_hash, kTokenHashHex));
  }
}

bool IsJson(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  return !ec;
}

Status CheckToken(const OneTimeToken& t) {
  FieldChecker check;
  CheckPurpose(check, t.purpose);
  CheckTokenHash(check, t.token_hash);
  Positive(check, "user_id", t.user_id);
  Positive(check, "customer_id", t.customer_id);
  if (t.payload.size() > kMaxPayload) {
    check.Add("payload", field_code::kTooLong, MaxArg(kMaxPayload));
  } else {
    check.Format("payload", IsJson(t.payload));
  }
  if (t.attempts < 0) check.Add("attempts", field_code::kOutOfRange, {{"min", "0"}});
  if (t.expires_at <= t.created_at) check.Add("expires_at", field_code::kOutOfRange);
  return Finish(check);
}

#define TOKEN_COLUMNS "purpose, token_hash, user_id, customer_id, payload, attempts, created_at, expires_at, used_at"

OneTimeToken ReadToken(const Statement& s) {
  OneTimeToken t;
  t.purpose = s.Text(0);
  t.token_hash = s.Text(1);
  t.user_id = s.Int(2);
  t.customer_id = s.Int(3);
  t.payload = s.Text(4);
  t.attempts = static_cast<int>(s.Int(5));
  t.created_at = Timestamp{s.Int(6)};
  t.expires_at = Timestamp{s.Int(7)};
  t.used_at = OptionalTime(s, 8);
  return t;
}

// What a rotation or a token use decided inside its transaction. A refused attempt still commits
// what it changed (the revoked family, the counted attempt), so the refusal travels out of the
// transaction as data and becomes 10002 after the commit.
template <typename T>
struct Decided {
  std::optional<T> accepted;
  std::string refusal;  // why, when not accepted (a diagnostic, never a secret)
};

class SqliteSessionStore final : public SessionStore {
 public:
  explicit SqliteSessionStore(Database& db) : db_(db) {}

  Status CreateSession(const Scope& scope, const LoginSession& session) override {
    if (Status checked = CheckLoginSession(session); !checked.ok()) return checked;
    const SealedFields& sealed = db_.sealed();
    const std::int64_t tenant_id = scope.tenant_id();
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare(
          "INSERT INTO login_sessions (tenant_id, id, customer_id, user_id, refresh_id, generation, created_at, "
          "refreshed_at, expires_at, revoked_at, revoked_reason, ip_address, user_agent) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING RETURNING id");
      s.Bind(1, tenant_id)
          .Bind(2, AsciiLower(session.id))
          .Bind(3, session.customer_id)
          .Bind(4, session.user_id)
          .Bind(5, session.refresh_id)
          .Bind(6, session.generation)
          .Bind(7, session.created_at.millis)
          .Bind(8, session.refreshed_at.millis)
          .Bind(9, session.expires_at.millis)
          .Bind(10, session.revoked_at ? std::optional(session.revoked_at->millis) : std::nullopt)
          .Bind(11, session.revoked_reason)
          .Bind(12, sealed.SealOptional(tenant_id, kIpColumn, session.ip_address))
          .Bind(13, sealed.SealOptional(tenant_id, kUserAgentColumn, session.user_agent));
      if (!s.Step()) return Status::InvalidField("id", field_code::kDuplicate);
      return Status::Ok();
    });
  }

  Result<LoginSession> GetSession(const Scope& scope, std::string_view session_id) override {
    if (Status checked = CheckSessionId(session_id); !checked.ok()) return checked;
    return db_.Read([&](Connection& db) -> Result<LoginSession> {
      auto found = FindLoginSession(db, db_.sealed(), scope.tenant_id(), AsciiLower(session_id));
      if (!found.ok()) return found.status();
      if (!found.value()) return Status::NotFound("login session");
      return std::move(*found.value());
    });
  }

  Result<LoginSession> RotateRefresh(const Scope& scope, std::string_view session_id, std::string_view presented,
                                     std::string_view next, Timestamp now, Timestamp expires_at) override {
    {
      FieldChecker check;
      if (!IsHex(session_id, kSessionIdHex)) check.Add("session_id", field_code::kInvalid);
      Bounded(check, "presented", presented, 1, kMaxRefreshId);
      Bounded(check, "next", next, 1, kMaxRefreshId);
      if (!next.empty() && next == presented) check.Add("next", field_code::kInvalid);
      if (expires_at <= now) check.Add("expires_at", field_code::kOutOfRange);
      if (Status checked = Finish(check); !checked.ok()) return checked;
    }
    const SealedFields& sealed = db_.sealed();
    const std::string id = AsciiLower(session_id);
    auto decided = db_.Write([&](Connection& db) -> Result<Decided<LoginSession>> {
      auto found = FindLoginSession(db, sealed, scope.tenant_id(), id);
      if (!found.ok()) return found.status();
      if (!found.value()) return Status::NotFound("login session");
      LoginSession session = std::move(*found.value());
      if (session.revoked_at) return Decided<LoginSession>{std::nullopt, "login session revoked"};
      if (session.expires_at <= now) return Decided<LoginSession>{std::nullopt, "login session expired"};
      if (session.refresh_id != presented) {
        // An older token of the family came back: whoever holds the current one may have stolen it.
        Statement s = db.Prepare(
            "UPDATE login_sessions SET revoked_at = ?3, revoked_reason = 'reuse' WHERE tenant_id = ?1 AND id = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, id).Bind(3, now.millis);
        s.Run();
        return Decided<LoginSession>{std::nullopt, "refresh token reused; login session revoked"};
      }
      session.refresh_id = std::string(next);
      session.generation += 1;
      session.refreshed_at = now;
      session.expires_at = expires_at;
      Statement s = db.Prepare(
          "UPDATE login_sessions SET refresh_id = ?3, generation = ?4, refreshed_at = ?5, expires_at = ?6 "
          "WHERE tenant_id = ?1 AND id = ?2");
      s.Bind(1, scope.tenant_id())
          .Bind(2, id)
          .Bind(3, session.refresh_id)
          .Bind(4, session.generation)
          .Bind(5, now.millis)
          .Bind(6, expires_at.millis);
      s.Run();
      return Decided<LoginSession>{std::move(session), {}};
    });
    if (!decided.ok()) return decided.status();
    if (!decided->accepted) return Status::Unauthenticated(decided->refusal);
    return std::move(*decided->accepted);
  }

  Status RevokeSession(const Scope& scope, std::string_view session_id, std::string_view reason,
                       Timestamp at) override {
    if (Status checked = CheckSessionId(session_id); !checked.ok()) return checked;
    if (Status checked = CheckReason(reason); !checked.ok()) return checked;
    return db_.Write([&](Connection& db) -> Status {
      {
        Statement s = db.Prepare("SELECT 1 FROM login_sessions WHERE tenant_id = ?1 AND id = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, AsciiLower(session_id));
        if (!s.Step()) return Status::NotFound("login session");
      }
      Statement s = db.Prepare(
          "UPDATE login_sessions SET revoked_at = ?3, revoked_reason = ?4 "
          "WHERE tenant_id = ?1 AND id = ?2 AND revoked_at IS NULL");
      s.Bind(1, scope.tenant_id()).Bind(2, AsciiLower(session_id)).Bind(3, at.millis).Bind(4, reason);
      s.Run();
      return Status::Ok();
    });
  }

  Result<std::int64_t> RevokeUserSessions(const Scope& scope, std::int64_t user_id, std::string_view reason,
                                          Timestamp at) override {
    if (user_id <= 0) return Status::InvalidField("user_id", field_code::kOutOfRange, {{"min", "1"}});
    if (Status checked = CheckReason(reason); !checked.ok()) return checked;
    return db_.Write([&](Connection& db) -> Result<std::int64_t> {
      Statement s = db.Prepare(
          "UPDATE login_sessions SET revoked_at = ?3, revoked_reason = ?4 "
          "WHERE tenant_id = ?1 AND user_id = ?2 AND revoked_at IS NULL AND expires_at > ?3");
      s.Bind(1, scope.tenant_id()).Bind(2, user_id).Bind(3, at.millis).Bind(4, reason);
      s.Run();
      return static_cast<std::int64_t>(sqlite3_changes(db.handle()));
    });
  }

  // A failure key names an account or a source address ("ip:203.0.113.7"): it is stored as its
  // keyed blind index, so the table holds no address. Counters live minutes, so one counted
  // under a key rotated away simply starts again.
  std::string StoredKey(const Scope& scope, std::string_view key) const {
    return db_.sealed().Index(scope.tenant_id(), "login_failures.failure_key", key);
  }

  Status DeleteUserState(const Scope& scope, std::int64_t user_id) override {
    if (user_id <= 0) return Status::InvalidField("user_id", field_code::kOutOfRange, {{"min", "1"}});
    return db_.Write([&](Connection& db) -> Status {
      {
        Statement s = db.Prepare("DELETE FROM login_sessions WHERE tenant_id = ?1 AND user_id = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, user_id);
        s.Run();
      }
      {
        Statement s = db.Prepare("DELETE FROM one_time_tokens WHERE tenant_id = ?1 AND user_id = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, user_id);
        s.Run();
      }
      Statement s = db.Prepare("DELETE FROM login_failures WHERE tenant_id = ?1 AND failure_key = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, StoredKey(scope, "user:" + std::to_string(user_id)));
      s.Run();
      return Status::Ok();
    });
  }

  // A key's row is (failures, first_failure_at, locked_until). A new count starts when there is
  // none, when its window has passed, or when its lock has expired; a failure while locked is
  // counted without moving the lock, so the lock ends when it said it would.
  Result<LoginFailures> RecordFailure(const Scope& scope, std::string_view key, Timestamp now,
                                      std::int64_t window_millis, int threshold,
                                      std::int64_t lock_for_millis) override {
    {
      FieldChecker check;
      Bounded(check, "key", key, 1, kMaxFailureKey);
      if (window_millis <= 0) check.Add("window_millis", field_code::kOutOfRange, {{"min", "1"}});
      if (threshold <= 0) check.Add("threshold", field_code::kOutOfRange, {{"min", "1"}});
      if (lock_for_millis <= 0) check.Add("lock_for_millis", field_code::kOutOfRange, {{"min", "1"}});
      if (Status checked = Finish(check); !checked.ok()) return checked;
    }
    return db_.Write([&](Connection& db) -> Result<LoginFailures> {
      int failures = 0;
      std::int64_t first = now.millis;
      std::optional<std::int64_t> locked_until;
      {
        Statement s = db.Prepare(
            "SELECT failures, first_failure_at, locked_until FROM login_failures "
            "WHERE tenant_id = ?1 AND failure_key = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, StoredKey(scope, key));
        if (s.Step()) {
          const std::optional<std::int64_t> lock = s.OptionalInt(2);
          const bool locked = lock && *lock > now.millis;
          const bool lock_expired = lock && !locked;
          const bool window_passed = now.millis - s.Int(1) >= window_millis;
          if (locked || (!lock_expired && !window_passed)) {
            failures = static_cast<int>(s.Int(0));
            first = s.Int(1);
            locked_until = lock;
          }
        }
      }
      failures += 1;
      if (!locked_until && failures >= threshold) locked_until = now.millis + lock_for_millis;
      Statement s = db.Prepare(
          "INSERT INTO login_failures (tenant_id, failure_key, failures, first_failure_at, locked_until) "
          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant_id, failure_key) DO UPDATE SET "
          "failures = excluded.failures, first_failure_at = excluded.first_failure_at, "
          "locked_until = excluded.locked_until");
      s.Bind(1, scope.tenant_id()).Bind(2, StoredKey(scope, key)).Bind(3, failures).Bind(4, first).Bind(5, locked_until);
      s.Run();
      LoginFailures out;
      out.failures = failures;
      if (locked_until) out.locked_until = Timestamp{*locked_until};
      return out;
    });
  }

  // Without the window (which only RecordFailure is told), a count reads as it was last left; an
  // expired lock ends the count with it.
  Result<LoginFailures> Failures(const Scope& scope, std::string_view key, Timestamp now) override {
    if (Status checked = CheckFailureKey(key); !checked.ok()) return checked;
    return db_.Read([&](Connection& db) -> Result<LoginFailures> {
      Statement s = db.Prepare(
          "SELECT failures, locked_until FROM login_failures WHERE tenant_id = ?1 AND failure_key = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, StoredKey(scope, key));
      LoginFailures out;
      if (!s.Step()) return out;
      const std::optional<std::int64_t> lock = s.OptionalInt(1);
      if (lock && *lock <= now.millis) return out;
      out.failures = static_cast<int>(s.Int(0));
      if (lock) out.locked_until = Timestamp{*lock};
      return out;
    });
  }

  Status ClearFailures(const Scope& scope, std::string_view key) override {
    if (Status checked = CheckFailureKey(key); !checked.ok()) return checked;
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare("DELETE FROM login_failures WHERE tenant_id = ?1 AND failure_key = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, StoredKey(scope, key));
      s.Run();
      return Status::Ok();
    });
  }

  Status IssueToken(const Scope& scope, const OneTimeToken& token) override {
    if (Status checked = CheckToken(token); !checked.ok()) return checked;
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare(
          "INSERT INTO one_time_tokens (tenant_id, purpose, token_hash, user_id, customer_id, payload, attempts, "
          "created_at, expires_at, used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
          "ON CONFLICT DO NOTHING RETURNING 1");
      s.Bind(1, scope.tenant_id())
          .Bind(2, token.purpose)
          .Bind(3, AsciiLower(token.token_hash))
          .Bind(4, token.user_id)
          .Bind(5, token.customer_id)
          .Bind(6, token.payload)
          .Bind(7, token.attempts)
          .Bind(8, token.created_at.millis)
          .Bind(9, token.expires_at.millis)
          .Bind(10, token.used_at ? std::optional(token.used_at->millis) : std::nullopt);
      if (!s.Step()) return Status::InvalidField("token_hash", field_code::kDuplicate);
      return Status::Ok();
    });
  }

  Result<OneTimeToken> UseToken(const Scope& scope, std::string_view purpose, std::string_view token_hash,
                                Timestamp now, int max_attempts, const TokenCheck& check) override {
    {
      FieldChecker fields;
      CheckPurpose(fields, purpose);
      CheckTokenHash(fields, token_hash);
      if (max_attempts < 1) fields.Add("max_attempts", field_code::kOutOfRange, {{"min", "1"}});
      if (!check) fields.Add("check", field_code::kRequired);
      if (Status checked = Finish(fields); !checked.ok()) return checked;
    }
    const std::string hash = AsciiLower(token_hash);
    auto decided = db_.Write([&](Connection& db) -> Result<Decided<OneTimeToken>> {
      std::optional<OneTimeToken> found;
      {
        Statement s = db.Prepare("SELECT " TOKEN_COLUMNS
                                 " FROM one_time_tokens WHERE tenant_id = ?1 AND purpose = ?2 AND token_hash = ?3");
        s.Bind(1, scope.tenant_id()).Bind(2, purpose).Bind(3, hash);
        if (s.Step()) found = ReadToken(s);
      }
      if (!found) return Decided<OneTimeToken>{std::nullopt, "no such token"};
      OneTimeToken token = std::move(*found);
      if (token.used_at) return Decided<OneTimeToken>{std::nullopt, "token used or burnt"};
      if (token.expires_at <= now) return Decided<OneTimeToken>{std::nullopt, "token expired"};
      const bool accepted = check(token);
      if (accepted) {
        token.used_at = now;
      } else {
        token.attempts += 1;
        if (token.attempts >= max_attempts) token.used_at = now;
      }
      Statement s = db.Prepare(
          "UPDATE one_time_tokens SET attempts = ?4, used_at = ?5 "
          "WHERE tenant_id = ?1 AND purpose = ?2 AND token_hash = ?3");
      s.Bind(1, scope.tenant_id())
          .Bind(2, purpose)
          .Bind(3, hash)
          .Bind(4, token.attempts)
          .Bind(5, token.used_at ? std::optional(token.used_at->millis) : std::nullopt);
      s.Run();
      if (!accepted) return Decided<OneTimeToken>{std::nullopt, "wrong answer"};
      return Decided<OneTimeToken>{std::move(token), {}};
    });
    if (!decided.ok()) return decided.status();
    if (!decided->accepted) return Status::Unauthenticated(decided->refusal);
    return std::move(*decided->accepted);
  }

  Status RevokeTokens(const Scope& scope, std::int64_t user_id, std::string_view purpose, Timestamp at) override {
    {
      FieldChecker check;
      Positive(check, "user_id", user_id);
      CheckPurpose(check, purpose);
      if (Status checked = Finish(check); !checked.ok()) return checked;
    }
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare(
          "UPDATE one_time_tokens SET used_at = ?4 "
          "WHERE tenant_id = ?1 AND user_id = ?2 AND purpose = ?3 AND used_at IS NULL");
      s.Bind(1, scope.tenant_id()).Bind(2, user_id).Bind(3, purpose).Bind(4, at.millis);
      s.Run();
      return Status::Ok();
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<UserRepository> MakeUserRepository(Database& db) { return std::make_unique<SqliteUsers>(db); }
std::unique_ptr<SessionStore> MakeSessionStore(Database& db) { return std::make_unique<SqliteSessionStore>(db); }

}  // namespace selfservice::sqlite
