// C ABI shims for the portal: translate C strings and handles, delegate to selfservice::Portal,
// and make sure nothing thrown ever crosses into C.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "selfservice.h"
#include "selfservice/portal.hpp"

struct selfservice_portal {
  std::unique_ptr<selfservice::Portal> portal;
};

namespace {

// Strings handed to C are malloc'ed so selfservice_free() is plain free(), whatever C++ runtime
// the host uses.
char* ToC(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out != nullptr) std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

std::optional<std::string_view> Optional(const char* text) {
  return text ? std::optional<std::string_view>(text) : std::nullopt;
}

// The envelope for a failure caught at the boundary. Runs inside catch handlers, so it must not
// throw itself: when even the envelope cannot be made, memory is exhausted and the answer is NULL.
char* ToCError(const selfservice::Status& status) noexcept {
  try {
    return ToC(selfservice::ErrorEnvelope(status));
  } catch (...) {
    return nullptr;
  }
}

selfservice::Status Unexpected() {
  return selfservice::Status::Error(selfservice::ErrorCode::kDatabaseUnavailable);
}

char* Invoke(selfservice_portal* portal, const char* method, const char* context_json,
             const char* request_json, const selfservice::ProgressCallback& progress) noexcept {
  try {
    // A 10001 names the missing argument, as the portal does for a NULL request_json.
    if (portal == nullptr)
      return ToCError(selfservice::Status::InvalidField("portal", selfservice::field_code::kRequired));
    if (method == nullptr)
      return ToCError(selfservice::Status::InvalidField("method", selfservice::field_code::kRequired));
    return ToC(portal->portal->Invoke(method, Optional(context_json), Optional(request_json), progress));
  } catch (...) {
    return ToCError(Unexpected());
  }
}

}  // namespace

extern "C" {

const char* selfservice_version(void) {
  return SELFSERVICE_VERSION_STRING;
}

int selfservice_abi_version(void) {
  return SELFSERVICE_ABI_VERSION;
}

selfservice_portal* selfservice_portal_open(const char* options_json, char** error_json) {
  if (error_json != nullptr) *error_json = nullptr;
  try {
    auto options = options_json
                       ? selfservice::PortalOptions::FromJson(options_json)
                       : selfservice::Result<selfservice::PortalOptions>(selfservice::PortalOptions{});
    selfservice::Status failure;
    if (options.ok()) {
      auto portal = selfservice::Portal::Open(std::move(options).value());
      if (portal.ok()) return new selfservice_portal{std::move(portal).value()};
      failure = portal.status();
    } else {
      failure = options.status();
    }
    if (error_json != nullptr) *error_json = ToCError(failure);
  } catch (...) {
    if (error_json != nullptr) *error_json = ToCError(Unexpected());
  }
  return nullptr;
}

void selfservice_portal_close(selfservice_portal* portal) {
  delete portal;
}

char* selfservice_invoke(selfservice_portal* portal, const char* method, const char* context_json,
                         const char* request_json) {
  return Invoke(portal, method, context_json, request_json, nullptr);
}

char* selfservice_invoke_with_progress(selfservice_portal* portal, const char* method,
                                       const char* context_json, const char* request_json,
                                       selfservice_progress_fn progress, void* user_data) {
  try {
    selfservice::ProgressCallback callback;
    if (progress != nullptr) {
      callback = [progress, user_data](std::int64_t done, std::int64_t total) {
        return progress(user_data, done, total) == 0;
      };
    }
    return Invoke(portal, method, context_json, request_json, callback);
  } catch (...) {
    return ToCError(Unexpected());
  }
}

void selfservice_free(void* p) {
  std::free(p);
}

}  // extern "C"
