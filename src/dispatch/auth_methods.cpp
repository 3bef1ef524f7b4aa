#include "dispatch/auth_methods.hpp"

#include <algorithm>

#include "dispatch/request_reader.hpp"
#include "engine/auth_engine.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

// A secret field (a password, a token, a code) as given: not trimmed, never echoed back.
std::optional<std::string> Secret(const json::object& request, std::string_view field, std::vector<FieldError>& errors,
                                  bool required = true) {
  const json::value* value = request.if_contains(field);
  if (value == nullptr || value->is_null()) {
    if (required) errors.push_back({std::string(field), field_code::kRequired, {}});
    return std::nullopt;
  }
  if (!value->is_string()) {
    errors.push_back({std::string(field), field_code::kInvalid, {}});
    return std::nullopt;
  }
  return std::string(value->get_string());
}

// The login name: "username" or, equally, "email".
std::string LoginName(const json::object& request, std::vector<FieldError>& errors) {
  auto username = Secret(request, "username", errors, false);
  if (!username) username = Secret(request, "email", errors, false);
  if (!username) {
    if (std::none_of(errors.begin(), errors.end(), [](const FieldError& e) { return e.field == "username"; })) {
      errors.push_back({"username", field_code::kRequired, {}});
    }
    return {};
  }
  return *username;
}

std::optional<unsigned> Roles(const std::vector<std::string>& names, std::vector<FieldError>& errors,
                              std::string_view field = "roles") {
  unsigned roles = 0;
  for (const auto& name : names) {
    if (name == "customer_user") {
      roles |= static_cast<unsigned>(Role::kCustomerUser);
    } else if (name == "customer_admin") {
      roles |= static_cast<unsigned>(Role::kCustomerAdmin);
    } else if (name == "platform_admin") {
      roles |= static_cast<unsigned>(Role::kPlatformAdmin);
    } else {
      errors.push_back({std::string(field), field_code::kNotAllowed,
                        {{"allowed", "customer_user, customer_admin, platform_admin"}}});
      return std::nullopt;
    }
  }
  return roles;
}

json::object TokensJson(const TokenPair& tokens) {
  return json::object{{"access_token", tokens.access_token},
                      {"refresh_token", tokens.refresh_token},
                      {"token_type", "Bearer"},
                      {"expires_in", tokens.expires_in},
                      {"refresh_expires_in", tokens.refresh_expires_in}};
}

Result<Reply> Tokens(Result<TokenPair> tokens) {
  if (!tokens.ok()) return tokens.status();
  return Reply{TokensJson(*tokens), std::nullopt};
}

Result<Reply> OneUser(Result<User> user) {
  if (!user.ok()) return user.status();
  return Reply{UserJson(*user), std::nullopt};
}

Result<std::int64_t> TenantOf(const json::object& request, std::vector<FieldError>& errors) {
  const json::value* value = request.if_contains("tenant_id");
  if (value == nullptr || !value->is_int64() || value->get_int64() <= 0) {
    const bool absent = value == nullptr || value->is_null();
    errors.push_back({"tenant_id", absent ? field_code::kRequired : field_code::kInvalid, {}});
    return 0;
  }
  return value->get_int64();
}

}  // namespace

Result<Reply> AuthLoginMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto tenant = TenantOf(r, errors);
  const std::string login = LoginName(r, errors);
  const auto password = Secret(r, "password", errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto outcome = e.auth.Login(c, *tenant, login, *password);
  if (!outcome.ok()) return outcome.status();
  if (outcome->tokens) return Reply{TokensJson(*outcome->tokens), std::nullopt};
  return Reply{json::object{{"mfa_required", true},
                            {"mfa_token", outcome->mfa_token},
                            {"mfa_method", outcome->mfa_method}},
               std::nullopt};
}

Result<Reply> AuthMfaVerifyMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto token = Secret(r, "mfa_token", errors);
  const auto code = Secret(r, "code", errors, false);
  const auto recovery = Secret(r, "recovery_code", errors, false);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return Tokens(e.auth.VerifyMfa(c, *token, code, recovery));
}

Result<Reply> AuthRefreshMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto token = Secret(r, "refresh_token", errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return Tokens(e.auth.Refresh(c, *token));
}

Result<Reply> AuthLogoutMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto all = reader.Raw("all");
  std::vector<FieldError> more;
  if (all && !all->is_bool() && !all->is_null()) more.push_back({"all", field_code::kInvalid, {}});
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  auto revoked = e.auth.Logout(c, all && all->is_bool() && all->get_bool());
  if (!revoked.ok()) return revoked.status();
  return Reply{json::object{{"revoked", *revoked}}, std::nullopt};
}

Result<Reply> AuthPasswordChangeMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto current = Secret(r, "current_password", errors);
  const auto next = Secret(r, "new_password", errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  if (Status changed = e.auth.ChangePassword(c, *current, *next); !changed.ok()) return changed;
  return Reply{json::object{{"changed", true}, {"sessions_revoked", true}}, std::nullopt};
}

Result<Reply> AuthPasswordResetRequestMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto tenant = TenantOf(r, errors);
  const std::string login = LoginName(r, errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  if (Status requested = e.auth.RequestPasswordReset(c, *tenant, login); !requested.ok()) return requested;
  return Reply{json::object{{"accepted", true}}, std::nullopt};
}

Result<Reply> AuthPasswordResetConfirmMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto token = Secret(r, "token", errors);
  const auto password = Secret(r, "new_password", errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  if (Status reset = e.auth.ConfirmPasswordReset(c, *token, *password); !reset.ok()) return reset;
  return Reply{json::object{{"reset", true}}, std::nullopt};
}

Result<Reply> AuthMfaEnrollMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto method = Secret(r, "method", errors);
  const auto code = Secret(r, "code", errors, false);
  const auto token = Secret(r, "enrollment_token", errors, false);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto enrollment = e.auth.EnrollMfa(c, *method, code, token);
  if (!enrollment.ok()) return enrollment.status();
  json::object out{{"method", enrollment->method}, {"enabled", enrollment->enabled}};
  if (enrollment->secret) out["secret"] = *enrollment->secret;
  if (enrollment->otpauth_uri) out["otpauth_uri"] = *enrollment->otpauth_uri;
  if (enrollment->enrollment_token) out["enrollment_token"] = *enrollment->enrollment_token;
  if (enrollment->enabled) {
    json::array codes;
    for (const auto& recovery : enrollment->recovery_codes) codes.emplace_back(recovery);
    out["recovery_codes"] = std::move(codes);
  }
  return Reply{std::move(out), std::nullopt};
}

Result<Reply> AuthMfaDisableMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto password = Secret(r, "password", errors);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  if (Status disabled = e.auth.DisableMfa(c, *password); !disabled.ok()) return disabled;
  return Reply{json::object{{"enabled", false}}, std::nullopt};
}

Result<Reply> AuthSsoLoginMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  const auto tenant = TenantOf(r, errors);
  const auto token = Secret(r, "id_token", errors);
  const auto nonce = Secret(r, "nonce", errors, false);
  const json::value* customer = r.if_contains("customer_id");
  if (customer == nullptr || !customer->is_int64() || customer->get_int64() <= 0) {
    const bool absent = customer == nullptr || customer->is_null();
    errors.push_back({"customer_id", absent ? field_code::kRequired : field_code::kInvalid, {}});
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return Tokens(e.auth.SsoLogin(c, *tenant, customer->get_int64(), *token, nonce));
}

// --- users.* --------------------------------------------------------------------------------------

Result<Reply> UsersCreateMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  NewUser user;
  user.customer_id = reader.OptionalId("customer_id").value_or(0);
  user.username = reader.RequiredString("username", 64);
  user.email = reader.OptionalString("email", 255);
  user.phone = reader.OptionalString("phone", 32);
  user.display_name = reader.OptionalString("display_name", 400).value_or("");
  // A value of the wrong type is reported by StringList; an empty array is a missing role.
  const json::value* roles_value = r.if_contains("roles");
  const bool roles_given = roles_value != nullptr && roles_value->is_array();
  const std::vector<std::string> names = reader.StringList("roles");
  std::vector<FieldError> more;
  user.password = Secret(r, "password", more, false);
  if (roles_given) {
    if (auto roles = Roles(names, more)) {
      if (*roles == 0) {
        more.push_back({"roles", field_code::kRequired, {}});
      } else {
        user.roles = *roles;
      }
    }
  }
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  return OneUser(e.auth.CreateUser(c, std::move(user)));
}

Result<Reply> UsersGetMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  return OneUser(e.auth.GetUser(c, id));
}

Result<Reply> UsersListMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  UserFilter filter;
  filter.customer_id = reader.OptionalId("customer_id");
  const auto status = reader.OptionalString("status", 16);
  const auto role = reader.OptionalString("role", 32);
  filter.query = reader.OptionalString("query", 100);
  const PageRequest page = reader.Page();
  std::vector<FieldError> more;
  if (status) {
    if (*status == "active") {
      filter.status = UserStatus::active;
    } else if (*status == "disabled") {
      filter.status = UserStatus::disabled;
    } else {
      more.push_back({"status", field_code::kNotAllowed, {{"allowed", "active, disabled"}}});
    }
  }
  if (role) {
    if (auto roles = Roles({*role}, more, "role")) filter.role = static_cast<Role>(*roles);
  }
  if (Status finished = reader.Finish(std::move(more)); !finished.ok()) return finished;
  auto users = e.auth.ListUsers(c, filter, page);
  if (!users.ok()) return users.status();
  json::array items;
  for (const auto& user : users->items) items.push_back(UserJson(user));
  return Reply{std::move(items), Pagination{page.page, page.size, users->total}};
}

Result<Reply> UsersUpdateMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  return OneUser(e.auth.UpdateUser(c, id, r));
}

Result<Reply> UsersRolesSetMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  const std::vector<std::string> names = reader.StringList("roles", true);
  std::vector<FieldError> more;
  const unsigned roles = Roles(names, more).value_or(0);
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  if (roles == 0) return Status::InvalidField("roles", field_code::kRequired);
  return OneUser(e.auth.SetRoles(c, id, roles));
}

Result<Reply> UsersSessionsRevokeMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto revoked = e.auth.RevokeSessions(c, id);
  if (!revoked.ok()) return revoked.status();
  return Reply{json::object{{"revoked", *revoked}}, std::nullopt};
}

Result<Reply> UsersEraseMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto report = e.auth.EraseUser(c, id, *e.options.blob_store);
  if (!report.ok()) return report.status();
  return Reply{json::object{{"id", id},
                            {"erased", true},
                            {"deleted", report->deleted},
                            {"anonymised", report->anonymised},
                            {"files", report->blob_keys.size()}},
               std::nullopt};
}

}  // namespace selfservice
