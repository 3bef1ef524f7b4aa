// auth.* and users.* (docs/API.md "Sign-in and accounts", docs/SECURITY.md).

#pragma once

#include "dispatch/method_table.hpp"

namespace selfservice {

#define SELFSERVICE_AUTH_METHOD(name) \
  Result<Reply> name(Engines& engines, const RequestContext& context, const boost::json::object& request);

SELFSERVICE_AUTH_METHOD(AuthLoginMethod)
SELFSERVICE_AUTH_METHOD(AuthMfaVerifyMethod)
SELFSERVICE_AUTH_METHOD(AuthRefreshMethod)
SELFSERVICE_AUTH_METHOD(AuthLogoutMethod)
SELFSERVICE_AUTH_METHOD(AuthPasswordChangeMethod)
SELFSERVICE_AUTH_METHOD(AuthPasswordResetRequestMethod)
SELFSERVICE_AUTH_METHOD(AuthPasswordResetConfirmMethod)
SELFSERVICE_AUTH_METHOD(AuthMfaEnrollMethod)
SELFSERVICE_AUTH_METHOD(AuthMfaDisableMethod)
SELFSERVICE_AUTH_METHOD(AuthSsoLoginMethod)
SELFSERVICE_AUTH_METHOD(UsersCreateMethod)
SELFSERVICE_AUTH_METHOD(UsersGetMethod)
SELFSERVICE_AUTH_METHOD(UsersListMethod)
SELFSERVICE_AUTH_METHOD(UsersUpdateMethod)
SELFSERVICE_AUTH_METHOD(UsersRolesSetMethod)
SELFSERVICE_AUTH_METHOD(UsersSessionsRevokeMethod)
SELFSERVICE_AUTH_METHOD(UsersEraseMethod)

#undef SELFSERVICE_AUTH_METHOD

}  // namespace selfservice
