// C ABI shims for the portal: translate C strings and handles, delegate to selfservice::Portal,
// and make sure nothing thrown ever crosses into C.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "selfservice.h"
#include "selfservice/portal.hpp"

struct selfservice_portal {
  std::unique_ptr<selfservice::Portal> portal;
};

struct selfservice_download {
  std::unique_ptr<selfservice::Download> download;
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

char* selfservice_methods(void) {
  try {
    boost::json::array methods;
    for (const auto& method : selfservice::Portal::Methods()) {
      methods.push_back(boost::json::object{{"name", method.name},
                                            {"http_method", method.http_method},
                                            {"route", method.route},
                                            {"least_role", method.least_role},
                                            {"feature", method.feature},
                                            {"rate_class", method.rate_class},
                                            {"binary", method.binary}});
    }
    return ToC(boost::json::serialize(methods));
  } catch (...) {
    return nullptr;
  }
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

int64_t selfservice_subscribe(selfservice_portal* portal, const char* topic_json, selfservice_event_fn callback,
                              void* user_data, selfservice_destroy_fn destroy, char** error_json) {
  if (error_json != nullptr) *error_json = nullptr;
  try {
    selfservice::Status failure;
    if (portal == nullptr) {
      failure = selfservice::Status::InvalidField("portal", selfservice::field_code::kRequired);
    } else if (topic_json == nullptr) {
      failure = selfservice::Status::InvalidField("topic_json", selfservice::field_code::kRequired);
    } else if (callback == nullptr) {
      failure = selfservice::Status::InvalidField("callback", selfservice::field_code::kRequired);
    } else {
      // The C callback and its user_data, released (destroy) when the last copy of the C++
      // callback goes, which the portal guarantees happens once, after its last call.
      struct Target {
        selfservice_event_fn callback;
        void* user_data;
        selfservice_destroy_fn destroy;
        bool armed = false;  // set once subscribed: a failed subscribe leaves user_data alone
        ~Target() {
          if (armed && destroy != nullptr) destroy(user_data);
        }
      };
      auto target = std::make_shared<Target>(Target{callback, user_data, destroy});
      auto id = portal->portal->Subscribe(topic_json, [target](std::string_view event) {
        const std::string text(event);  // NUL-terminated for C
        target->callback(target->user_data, text.c_str());
      });
      if (id.ok()) {
        target->armed = true;
        return *id;
      }
      failure = id.status();
    }
    if (error_json != nullptr) *error_json = ToCError(failure);
  } catch (...) {
    if (error_json != nullptr) *error_json = ToCError(Unexpected());
  }
  return 0;
}

int selfservice_unsubscribe(selfservice_portal* portal, int64_t subscription_id) {
  try {
    if (portal == nullptr) return -1;
    return portal->portal->Unsubscribe(subscription_id).ok() ? 0 : -1;
  } catch (...) {
    return -1;
  }
}

char* selfservice_health(selfservice_portal* portal) {
  try {
    if (portal == nullptr)
      return ToCError(selfservice::Status::InvalidField("portal", selfservice::field_code::kRequired));
    return ToC(boost::json::serialize(selfservice::HealthJson(portal->portal->Health())));
  } catch (...) {
    return ToCError(Unexpected());
  }
}

char* selfservice_upload_chunk(selfservice_portal* portal, const char* context_json, const char* upload_id,
                               int64_t offset, const void* data, size_t len) {
  return selfservice_upload_chunk_checked(portal, context_json, upload_id, offset, data, len, nullptr);
}

char* selfservice_upload_chunk_checked(selfservice_portal* portal, const char* context_json, const char* upload_id,
                                       int64_t offset, const void* data, size_t len, const char* chunk_sha256) {
  try {
    if (portal == nullptr)
      return ToCError(selfservice::Status::InvalidField("portal", selfservice::field_code::kRequired));
    if (upload_id == nullptr)
      return ToCError(selfservice::Status::InvalidField("upload_id", selfservice::field_code::kRequired));
    if (data == nullptr && len != 0)
      return ToCError(selfservice::Status::InvalidField("data", selfservice::field_code::kRequired));
    const std::string_view bytes(static_cast<const char*>(data), data == nullptr ? 0 : len);
    return ToC(portal->portal->UploadChunk(Optional(context_json), upload_id, offset, bytes, Optional(chunk_sha256)));
  } catch (...) {
    return ToCError(Unexpected());
  }
}

char* selfservice_download_open(selfservice_portal* portal, const char* method, const char* context_json,
                                const char* request_json, selfservice_download** download) {
  if (download != nullptr) *download = nullptr;
  try {
    if (download == nullptr)
      return ToCError(selfservice::Status::InvalidField("download", selfservice::field_code::kRequired));
    if (portal == nullptr)
      return ToCError(selfservice::Status::InvalidField("portal", selfservice::field_code::kRequired));
    if (method == nullptr)
      return ToCError(selfservice::Status::InvalidField("method", selfservice::field_code::kRequired));
    std::unique_ptr<selfservice::Download> opened;
    char* envelope =
        ToC(portal->portal->OpenDownload(method, Optional(context_json), Optional(request_json), opened));
    // No handle without its envelope: a caller that got NULL has nothing to close.
    if (envelope != nullptr && opened) *download = new selfservice_download{std::move(opened)};
    return envelope;
  } catch (...) {
    if (download != nullptr && *download != nullptr) {
      delete *download;
      *download = nullptr;
    }
    return ToCError(Unexpected());
  }
}

int64_t selfservice_download_read(selfservice_download* download, void* buf, size_t len, char** error_json) {
  if (error_json != nullptr) *error_json = nullptr;
  try {
    selfservice::Status failure;
    if (download == nullptr) {
      failure = selfservice::Status::InvalidField("download", selfservice::field_code::kRequired);
    } else if (buf == nullptr && len != 0) {
      failure = selfservice::Status::InvalidField("buf", selfservice::field_code::kRequired);
    } else {
      auto read = download->download->Read(static_cast<char*>(buf), len);
      if (read.ok()) return static_cast<int64_t>(*read);
      if (error_json != nullptr) *error_json = ToC(download->download->ErrorEnvelope(read.status()));
      return -1;
    }
    if (error_json != nullptr) *error_json = ToCError(failure);
  } catch (...) {
    if (error_json != nullptr) *error_json = ToCError(Unexpected());
  }
  return -1;
}

void selfservice_download_close(selfservice_download* download) {
  delete download;
}

void selfservice_free(void* p) {
  std::free(p);
}

}  // extern "C"
