// The zh-CN and en-US message catalogs: every user-facing text of the library comes from here.

#pragma once

#include <string>
#include <string_view>

#include "selfservice/context.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// The envelope's `message` for a code ("请求参数错误" / "Invalid request parameters"), and for
// success ("成功" / "success").
std::string_view CodeMessage(ErrorCode code, Locale locale);

// The `errors[].message` of one field error, with its placeholders filled.
std::string FieldMessage(const FieldError& error, Locale locale);

}  // namespace selfservice
