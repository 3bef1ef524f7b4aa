#include "selfservice/portal.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/envelope.hpp"
#include "core/logging.hpp"
#include "core/random.hpp"
#include "dispatch/context_json.hpp"
#include "dispatch/method_table.hpp"
#include "domain/rules.hpp"

#ifndef SELFSERVICE_VERSION_STRING
#error "SELFSERVICE_VERSION_STRING must come from the build"
#endif

namespace selfservice {
namespace json = boost::json;

std::string_view Version() { return SELFSERVICE_VERSION_STRING; }

namespace {

std::optional<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

}  // namespace

Result<PortalOptions> PortalOptions::FromJson(std::string_view text) {
  auto object = ParseObject(text);
  if (!object) return Status::InvalidField("options_json", field_code::kInvalid);
  PortalOptions options;
  FieldChecker check;
  for (const auto& [key, value] : *object) {
    if (key == "storage") {
      if (value.is_string() && !value.get_string().empty()) {
        options.storage = std::string(value.get_string());
      } else {
        check.Add("storage", field_code::kInvalid);
      }
    } else if (key == "pool_size") {
      if (!value.is_int64()) {
        check.Add("pool_size", field_code::kInvalid);
      } else if (value.get_int64() >= 1 && value.get_int64() <= 64) {
        options.pool_size = static_cast<int>(value.get_int64());
      } else {
        check.Add("pool_size", field_code::kOutOfRange, {{"min", "1"}, {"max", "64"}});
      }
    } else if (key == "session_idle_timeout_seconds") {
      if (value.is_int64() && value.get_int64() >= 0) {
        options.session_idle_timeout_seconds = value.get_int64();
      } else {
        check.Add("session_idle_timeout_seconds", field_code::kInvalid);
      }
    } else if (key == "help_url_base") {
      if (value.is_string()) {
        options.help_url_base = std::string(value.get_string());
      } else {
        check.Add("help_url_base", field_code::kInvalid);
      }
    } else if (key == "log_level") {
      static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
      if (!value.is_string()) {
        check.Add("log_level", field_code::kInvalid);
      } else if (std::find(std::begin(kLevels), std::end(kLevels), std::string_view(value.get_string())) !=
                 std::end(kLevels)) {
        options.log_level = std::string(value.get_string());
      } else {
        check.Add("log_level", field_code::kNotAllowed, {{"allowed", "trace, debug, info, warn, error, critical, off"}});
      }
    } else {
      Log().warn("portal options: ignoring unknown key '{}'", std::string_view(key));
    }
  }
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));
  return options;
}

struct Portal::Impl {
  Impl(PortalOptions opts, std::unique_ptr<Store> st)
      : options(std::move(opts)),
        clock(options.clock ? options.clock : Clock::System()),
        store(std::move(st)),
        engines{PortalConfigEngine(*store, *clock), SessionEngine(*store, *clock), FeedbackEngine(*store, *clock),
                AnalyticsEngine(*store, *clock), KnowledgeEngine(*store, *clock), SearchEngine(*store, *clock),
                BrowseEngine(*store, *clock), options} {}

  json::object Fail(const Status& status, std::string_view trace_id, Locale locale) const {
    return FailureEnvelope(status, trace_id, locale, clock->NowMillis(), options.help_url_base);
  }

  PortalOptions options;
  std::shared_ptr<Clock> clock;
  std::unique_ptr<Store> store;
  Engines engines;
};

Portal::Portal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Portal::~Portal() = default;

Store& Portal::store() { return *impl_->store; }

Result<std::unique_ptr<Portal>> Portal::Open(PortalOptions options) {
  try {
    SetLogLevel(options.log_level);
    StoreOptions store_options;
    store_options.pool_size = options.pool_size;
    auto store = OpenStore(options.storage, store_options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Portal>(new Portal(std::make_unique<Impl>(std::move(options), std::move(store).value())));
  } catch (const std::exception& error) {
    Log().error("portal open failed: {}", error.what());
    return Status::DatabaseUnavailable(error.what(), false);
  }
}

json::object Portal::Invoke(std::string_view method_name, const RequestContext& context,
                            const json::object& request) noexcept {
  std::string trace_id = context.trace_id;
  try {
    if (trace_id.empty()) trace_id = RandomHex(16);
    // The string API's contexts are complete by construction; a host's own may not be.
    if (!IsComplete(context)) {
      return impl_->Fail(Status::Unauthenticated("incomplete context"), trace_id, context.locale);
    }
    const Method* method = FindMethod(method_name);
    if (method == nullptr) return impl_->Fail(Status::NotFound("method"), trace_id, context.locale);
    if (!Permits(context, method->permission)) {
      return impl_->Fail(Status::PermissionDenied(std::string(method_name)), trace_id, context.locale);
    }
    Result<Reply> reply = method->handler(impl_->engines, context, request);
    if (!reply.ok()) return impl_->Fail(reply.status(), trace_id, context.locale);
    return SuccessEnvelope(std::move(reply->data), reply->pagination, trace_id, context.locale,
                           impl_->clock->NowMillis());
  } catch (const std::exception& error) {
    Log().error("{} failed: {} (trace {})", method_name, error.what(), trace_id);
    return impl_->Fail(Status::DatabaseUnavailable(error.what(), true), trace_id, context.locale);
  } catch (...) {
    Log().error("{} failed: unknown exception (trace {})", method_name, trace_id);
    return impl_->Fail(Status::DatabaseUnavailable("unknown exception", true), trace_id, context.locale);
  }
}

std::string Portal::Invoke(std::string_view method, std::optional<std::string_view> context_json,
                           std::optional<std::string_view> request_json) noexcept {
  Locale locale = Locale::kZhCN;
  try {
    auto context_object = context_json ? ParseObject(*context_json) : std::nullopt;
    if (!context_object) return json::serialize(impl_->Fail(Status::Unauthenticated(), RandomHex(16), locale));
    // From here on every answer carries the caller's trace id, even when the rest of the context is bad.
    std::string trace_id = TraceIdOf(*context_object);
    if (trace_id.empty()) trace_id = RandomHex(16);
    auto context = ParseContext(*context_object, locale);
    if (!context.ok()) return json::serialize(impl_->Fail(context.status(), trace_id, locale));
    context->trace_id = trace_id;
    if (!request_json) {
      return json::serialize(
          impl_->Fail(Status::InvalidField("request_json", field_code::kRequired), trace_id, locale));
    }
    auto request = ParseObject(*request_json);
    if (!request) {
      return json::serialize(
          impl_->Fail(Status::InvalidField("request_json", field_code::kInvalid), trace_id, locale));
    }
    return json::serialize(Invoke(method, *context, *request));
  } catch (const std::exception& error) {
    Log().error("invoke failed: {}", error.what());
    return ErrorEnvelope(Status::Error(ErrorCode::kDatabaseUnavailable), locale);
  } catch (...) {
    Log().error("invoke failed: unknown exception");
    return ErrorEnvelope(Status::Error(ErrorCode::kDatabaseUnavailable), locale);
  }
}

const std::vector<MethodInfo>& Portal::Methods() {
  static const std::vector<MethodInfo> kInfo = [] {
    std::vector<MethodInfo> info;
    for (const auto& method : MethodTable()) info.push_back(method.info);
    return info;
  }();
  return kInfo;
}

std::string ErrorEnvelope(const Status& status, Locale locale) {
  try {
    const std::int64_t now = Clock::System()->NowMillis();
    return json::serialize(FailureEnvelope(status, RandomHex(16), locale, now,
                                           PortalOptions().help_url_base));
  } catch (...) {
    return R"({"code":20004,"message":"internal error","errors":[]})";
  }
}

}  // namespace selfservice
