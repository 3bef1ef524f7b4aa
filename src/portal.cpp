#include "selfservice/portal.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <variant>
#include <unordered_map>
#include <iterator>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/envelope.hpp"
#include "core/logging.hpp"
#include "core/random.hpp"
#include "dispatch/attachment_methods.hpp"
#include "dispatch/context_json.hpp"
#include "dispatch/method_table.hpp"
#include "engine/subscription_hub.hpp"
#include "engine/ticket_fan_out.hpp"
#include "engine/ticket_sync_engine.hpp"
#include "notify/notification_dispatcher.hpp"
#include "search/fallback_search.hpp"
#include "search/mirrored_knowledge_repository.hpp"
#include "security/rate_limiter.hpp"

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

// The remote systems the options configure and the decorators that put them in front of the
// store, built before the engines that use them; the unset ones stay null.
struct Remotes {
  std::shared_ptr<Clock> clock;  // dates the marks and cursors they store
  std::unique_ptr<ElasticsearchSearch> elasticsearch;
  std::unique_ptr<CircuitBreaker> search_breaker;
  std::unique_ptr<search::FallbackSearch> search;
  std::unique_ptr<search::MirroredKnowledgeRepository> mirror;
  std::unique_ptr<KnowledgeSource> knowledge_source;
  std::unique_ptr<CircuitBreaker> knowledge_source_breaker;
  std::unique_ptr<KnowledgeSourceEngine> knowledge_source_engine;
  std::unique_ptr<OutboxRelay> outbox;  // always set
  std::unique_ptr<EventRecorder> events;  // always set: writes the behaviour events engines observe
  std::unique_ptr<AiProvider> ai;  // always set: the extractive answerer unless the options name another
  std::unique_ptr<CircuitBreaker> ai_breaker;
  // The platform's ticket service (REQ-003), when configured; `ticket_sync` registers its
  // deliverers in the outbox and listens to the ticket engine through `ticket_observer`.
  std::unique_ptr<TicketSystem> ticket_system;
  std::unique_ptr<CircuitBreaker> ticket_system_breaker;
  std::unique_ptr<TicketSyncEngine> ticket_sync;
  // Ticket changes: the live status subscriptions and the notification channels, both fed by
  // `ticket_observer`, the one observer the ticket engine is given. Declared after the outbox, so
  // the dispatcher's thread stops before the outbox goes.
  std::unique_ptr<SubscriptionHub> subscriptions;          // always set
  std::unique_ptr<notify::NotificationDispatcher> notifications;  // always set; may have no channel
  std::unique_ptr<TicketFanOut> ticket_observer;           // always set
  // The channels in the order they are tried for account messages (password resets, sign-in codes).
  std::vector<std::shared_ptr<Notifier>> account_channels;

  // Who answers search.query: Elasticsearch with the local fallback, or the local engine.
  SearchBackend& Search(Store& store) { return search ? static_cast<SearchBackend&>(*search) : store.search(); }
  // Where knowledge writes go: through the Elasticsearch mirror when there is one.
  KnowledgeRepository& Articles(Store& store) { return mirror ? *mirror : store.knowledge(); }
};

Result<Remotes> OpenRemotes(const PortalOptions& options, Store& store) {
  if (std::vector<FieldError> errors = ValidateRemoteOptions(options); !errors.empty()) {
    return Status::Invalid(std::move(errors));
  }
  Remotes remotes;
  remotes.clock = options.clock ? options.clock : Clock::System();
  if (options.elasticsearch) {
    auto elasticsearch = ElasticsearchSearch::Create(*options.elasticsearch);
    if (!elasticsearch.ok()) return elasticsearch.status();
    auto breaker = CircuitBreaker::Create("search.elasticsearch", options.search_breaker, options.clock);
    if (!breaker.ok()) return breaker.status();
    remotes.elasticsearch = std::move(elasticsearch).value();
    remotes.search_breaker = std::move(breaker).value();
    remotes.search = std::make_unique<search::FallbackSearch>(*remotes.elasticsearch, store.search(),
                                                              *remotes.search_breaker);
    remotes.mirror = std::make_unique<search::MirroredKnowledgeRepository>(
        store.knowledge(), *remotes.elasticsearch, *remotes.search_breaker, store.remote_state(), *remotes.clock);
  }
  if (options.knowledge_source) {
    auto source = CreatePlatformKnowledgeSource(*options.knowledge_source);
    if (!source.ok()) return source.status();
    auto breaker = CircuitBreaker::Create("knowledge.req005", options.knowledge_source_breaker, options.clock);
    if (!breaker.ok()) return breaker.status();
    remotes.knowledge_source = std::move(source).value();
    remotes.knowledge_source_breaker = std::move(breaker).value();
    // Pulled articles go through the mirror too, so the Elasticsearch index follows a sync.
    remotes.knowledge_source_engine =
        std::make_unique<KnowledgeSourceEngine>(*remotes.knowledge_source, *remotes.knowledge_source_breaker,
                                                remotes.Articles(store), store.remote_state(), *remotes.clock,
                                                options.knowledge_sync);
  }
  Result<std::unique_ptr<AiProvider>> ai = options.platform_ai ? CreatePlatformAi(*options.platform_ai)
                                           : options.openai    ? CreateOpenAiChat(*options.openai)
                                                               : Result<std::unique_ptr<AiProvider>>(CreateExtractiveAnswerer());
  if (!ai.ok()) return ai.status();
  auto ai_breaker = CircuitBreaker::Create("ai." + std::string((*ai)->name()), options.ai_breaker, options.clock);
  if (!ai_breaker.ok()) return ai_breaker.status();
  remotes.outbox = std::make_unique<OutboxRelay>(store, *remotes.clock);
  remotes.events =
      std::make_unique<EventRecorder>(store, std::chrono::milliseconds(options.analytics_write_behind_ms.value_or(0)));
  remotes.ai = std::move(ai).value();
  remotes.ai_breaker = std::move(ai_breaker).value();
  if (options.ticket_system) {
    auto system = CreatePlatformTicketSystem(*options.ticket_system);
    if (!system.ok()) return system.status();
    auto breaker = CircuitBreaker::Create("tickets.req003", options.ticket_system_breaker, options.clock);
    if (!breaker.ok()) return breaker.status();
    remotes.ticket_system = std::move(system).value();
    remotes.ticket_system_breaker = std::move(breaker).value();
    remotes.ticket_sync = std::make_unique<TicketSyncEngine>(store, *remotes.ticket_system,
                                                             *remotes.ticket_system_breaker, *remotes.outbox,
                                                             *remotes.clock);
  }
  std::vector<std::shared_ptr<Notifier>> channels;
  if (options.notifications.host) channels.push_back(options.notifications.host);
  if (options.notifications.webhook) {
    auto webhook = CreateWebhookNotifier(*options.notifications.webhook);
    if (!webhook.ok()) return webhook.status();
    channels.push_back(std::move(webhook).value());
  }
  if (options.notifications.email) {
    auto email = CreateEmailNotifier(*options.notifications.email);
    if (!email.ok()) return email.status();
    channels.push_back(std::move(email).value());
  }
  remotes.account_channels = channels;
  remotes.subscriptions = std::make_unique<SubscriptionHub>();
  remotes.notifications =
      std::make_unique<notify::NotificationDispatcher>(store, *remotes.outbox, *remotes.clock, std::move(channels));
  remotes.ticket_observer = std::make_unique<TicketFanOut>(
      std::vector<TicketObserver*>{remotes.subscriptions.get(), remotes.notifications.get(),
                                   remotes.ticket_sync.get()});
  return remotes;
}

// The host's callback as the engines call it: an exception is logged and stops the call, as
// `false` would, because a host whose callback fails can no longer follow or steer the work.
Progress Catching(const ProgressCallback& progress, std::string_view method, const std::string& trace_id) {
  return [&progress, method, &trace_id](std::int64_t done, std::int64_t total) {
    try {
      return progress(done, total);
    } catch (const std::exception& error) {
      Log().error("{}: the progress callback threw ({}), stopping (trace {})", method, error.what(),
                  trace_id);
    } catch (...) {
      Log().error("{}: the progress callback threw, stopping (trace {})", method, trace_id);
    }
    return false;
  };
}

// The byte range a download asks for: "offset" (>= 0, default 0) and "length" (>= 1, default: to
// the end); Portal::OpenDownload checks them against the file's size.
struct ByteRange {
  std::int64_t offset = 0;
  std::optional<std::int64_t> length;
};

Result<ByteRange> ReadRange(const json::object& request) {
  ByteRange range;
  std::vector<FieldError> errors;
  auto read = [&](std::string_view field, std::int64_t min) -> std::optional<std::int64_t> {
    const json::value* raw = request.if_contains(field);
    if (raw == nullptr || raw->is_null()) return std::nullopt;
    if (!raw->is_int64() && !raw->is_uint64()) {
      errors.push_back({std::string(field), field_code::kInvalid, {}});
      return std::nullopt;
    }
    if (raw->is_uint64() || raw->get_int64() < min) {
      errors.push_back({std::string(field), field_code::kOutOfRange,
                        {{"min", std::to_string(min)}, {"max", std::to_string(std::numeric_limits<std::int64_t>::max())}}});
      return std::nullopt;
    }
    return raw->get_int64();
  };
  range.offset = read("offset", 0).value_or(0);
  range.length = read("length", 1);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return range;
}

// "tickets.attachments.get, documents.download": the methods OpenDownload serves.
std::string DownloadMethodNames() {
  std::string names;
  for (const auto& method : MethodTable()) {
    if (method.with_download == nullptr) continue;
    if (!names.empty()) names += ", ";
    names += method.info.name;
  }
  return names;
}

// Sets options.blob_store, unless the host gave one: files under blob_dir, or next to the
// database ("<path>.blobs"), or memory for an in-memory database.
Status OpenBlobs(PortalOptions& options) {
  if (options.blob_store) return Status::Ok();
  constexpr std::string_view kSqlite = "sqlite:";
  std::string directory = options.blob_dir;
  const std::string_view storage = options.storage;
  if (directory.empty() && storage.substr(0, kSqlite.size()) == kSqlite && storage != "sqlite::memory:") {
    directory = std::string(storage.substr(kSqlite.size())) + ".blobs";
  }
  if (directory.empty()) {
    options.blob_store = NewMemoryBlobStore();
    return Status::Ok();
  }
  auto opened = OpenFileBlobStore(directory);
  if (!opened.ok()) return opened.status();
  options.blob_store = std::move(opened).value();
  return Status::Ok();
}

// Whether a customer's portal enables a feature (enabled_features; an absent configuration or an
// empty list enables all). Each customer's list is read from the store at most every few seconds:
// a change made through this portal applies at once (Forget), one made by another process within
// kTtl.
class FeatureGate {
 public:
  static constexpr std::chrono::seconds kTtl{5};

  explicit FeatureGate(Store& store) : store_(store) {}

  Status Check(const RequestContext& context, std::string_view feature) {
    if (feature.empty()) return Status::Ok();
    const auto key = std::make_pair(context.tenant_id, context.customer_id);
    const auto now = std::chrono::steady_clock::now();
    std::shared_ptr<const std::vector<std::string>> features;
    {
      std::lock_guard lock(mutex_);
      auto cached = cache_.find(key);
      if (cached != cache_.end() && cached->second.until > now) features = cached->second.features;
    }
    if (!features) {
      RequestContext tenant;
      tenant.tenant_id = context.tenant_id;
      tenant.roles = static_cast<unsigned>(Role::kPlatformAdmin);
      auto config = store_.portal_configs().Find(Scope(tenant), context.customer_id);
      if (!config.ok()) return config.status();
      features = std::make_shared<const std::vector<std::string>>(
          *config && (*config)->status == 1 ? (*config)->enabled_features : std::vector<std::string>());
      std::lock_guard lock(mutex_);
      if (cache_.size() > kMaxEntries) cache_.clear();
      cache_[key] = Entry{features, now + kTtl};
    }
    if (features->empty() || std::find(features->begin(), features->end(), feature) != features->end()) {
      return Status::Ok();
    }
    return Status::PermissionDenied("feature " + std::string(feature) + " is disabled");
  }

  void Forget() {
    std::lock_guard lock(mutex_);
    cache_.clear();
  }

 private:
  static constexpr std::size_t kMaxEntries = 100'000;
  struct Entry {
    std::shared_ptr<const std::vector<std::string>> features;
    std::chrono::steady_clock::time_point until;
  };
  struct KeyHash {
    std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& key) const {
      return std::hash<std::int64_t>()(key.first * 1'000'003 ^ key.second);
    }
  };

  Store& store_;
  std::mutex mutex_;
  std::unordered_map<std::pair<std::int64_t, std::int64_t>, Entry, KeyHash> cache_;
};

}  // namespace

struct Portal::Impl {
  Impl(PortalOptions opts, std::unique_ptr<Store> st, Remotes rem, std::unique_ptr<AuditLog> log,
       std::unique_ptr<AuthEngine> authentication)
      : options(std::move(opts)),
        clock(options.clock ? options.clock : Clock::System()),
        store(std::move(st)),
        remotes(std::move(rem)),
        audit(std::move(log)),
        auth(std::move(authentication)),
        features(*store),
        engines{PortalConfigEngine(*store, *clock),
                SessionEngine(*store, *clock),
                FeedbackEngine(*store, *remotes.ai, *remotes.ai_breaker, *remotes.outbox, *clock),
                AnalyticsEngine(*store, *clock),
                KnowledgeEngine(*store, remotes.Articles(*store), *remotes.events, *clock),
                SearchEngine(*store, remotes.Search(*store), *remotes.events, *clock),
                BrowseEngine(*store, *clock),
                StatusEngine(*store, *clock),
                AiEngine(*store, remotes.Search(*store), remotes.Articles(*store), *remotes.ai, *remotes.ai_breaker,
                         remotes.knowledge_source_engine.get(), *remotes.outbox, *remotes.events, *clock),
                TicketEngine(*store, *clock, remotes.ticket_observer.get()),
                *remotes.outbox,
                remotes.knowledge_source_engine.get(),
                remotes.mirror.get(),
                options,
                AttachmentEngine(*store, *options.blob_store, *clock, options.attachments, StoreTicketLookup(*store)),
                DocumentEngine(*store, engines.attachments, *clock),
                remotes.ticket_sync.get(),
                *store,
                *clock,
                *audit,
                *auth} {}

  json::object Fail(const Status& status, std::string_view trace_id, Locale locale) const {
    return FailureEnvelope(status, trace_id, locale, clock->NowMillis(), options.help_url_base);
  }

  // 10005 with retry_after when the caller's bucket for `rate_class` is empty; OK without limits.
  // A caller without an identity yet (the sign-in methods) draws from the bucket of its source
  // address, so one address cannot try passwords faster than its class allows.
  Status Throttle(const RequestContext& context, std::string_view rate_class) {
    if (!limiter) return Status::Ok();
    char tenant[24];
    char user[24];
    const auto tenant_end = std::to_chars(std::begin(tenant), std::end(tenant), context.tenant_id).ptr;
    const auto user_end = std::to_chars(std::begin(user), std::end(user), context.user_id).ptr;
    const std::string address = context.user_id == 0 ? "ip:" + context.client_ip : std::string();
    const std::string_view caller =
        context.user_id == 0 ? std::string_view(address) : std::string_view(user, static_cast<std::size_t>(user_end - user));
    const security::RateDecision decision =
        limiter->Check({std::string_view(tenant, static_cast<std::size_t>(tenant_end - tenant)), caller, rate_class});
    return decision.allowed ? Status::Ok() : Status::RateLimited(decision.retry_after_seconds);
  }

  // The caller of a string-API call: anyone for the sign-in methods, else the access token's
  // caller or, when the host is trusted, the raw ids (10002 otherwise).
  Result<RequestContext> Caller(const json::object& context_json, Locale& locale, const Method* method) {
    auto base = ParseCaller(context_json, locale);
    if (!base.ok()) return base;
    if (method != nullptr && method->permission == Permission::kAnyone) return base;
    if (const json::value* token = context_json.if_contains("access_token"); token && !token->is_null()) {
      if (!token->is_string()) return Status::Unauthenticated("access_token");
      return auth->Authenticate(token->get_string(), std::move(base).value());
    }
    if (!options.trust_host_context) return Status::Unauthenticated("raw ids are not accepted by this portal");
    return ParseContext(context_json, locale);
  }

  // Whether `context` may call `method` (named `name`) now: a complete context (but for the
  // sign-in methods), a known method, the role, the customer's features, the rate limit.
  Status Admit(std::string_view name, const Method* method, const RequestContext& context) {
    const bool anyone = method != nullptr && method->permission == Permission::kAnyone;
    // The string API's contexts are complete by construction; a host's own may not be.
    if (!anyone && !IsComplete(context)) return Status::Unauthenticated("incomplete context");
    if (method == nullptr) return Status::NotFound("method");
    if (!Permits(context, method->permission)) return Status::PermissionDenied(std::string(name));
    if (!anyone) {
      if (Status gated = features.Check(context, method->info.feature); !gated.ok()) return gated;
    }
    return Throttle(context, method->info.rate_class);
  }

  // The caller of a string-API call of `method`, with the context's trace id (or a fresh one), or
  // the failure envelope to answer. From the context's trace id on, every answer carries it, even
  // when the rest of the context is bad.
  std::variant<RequestContext, std::string> CallerOfText(std::string_view method,
                                                         std::optional<std::string_view> context_json, Locale& locale) {
    auto context_object = context_json ? ParseObject(*context_json) : std::nullopt;
    if (!context_object) return json::serialize(Fail(Status::Unauthenticated(), RandomHex(16), locale));
    std::string trace_id = TraceIdOf(*context_object);
    if (trace_id.empty()) trace_id = RandomHex(16);
    auto context = Caller(*context_object, locale, FindMethod(method));
    if (!context.ok()) return json::serialize(Fail(context.status(), trace_id, locale));
    context->trace_id = std::move(trace_id);
    return std::move(context).value();
  }

  // A string-API call parsed: its caller and request, or the failure envelope to answer.
  struct Call {
    RequestContext context;
    json::object request;
  };
  std::variant<Call, std::string> ParseCall(std::string_view method, std::optional<std::string_view> context_json,
                                            std::optional<std::string_view> request_json, Locale& locale) {
    auto caller = CallerOfText(method, context_json, locale);
    if (auto* failed = std::get_if<std::string>(&caller)) return std::move(*failed);
    RequestContext& context = std::get<RequestContext>(caller);
    if (!request_json) {
      return json::serialize(Fail(Status::InvalidField("request_json", field_code::kRequired), context.trace_id, locale));
    }
    auto request = ParseObject(*request_json);
    if (!request) {
      return json::serialize(Fail(Status::InvalidField("request_json", field_code::kInvalid), context.trace_id, locale));
    }
    return Call{std::move(context), std::move(request).value()};
  }

  PortalOptions options;
  std::shared_ptr<Clock> clock;
  std::unique_ptr<Store> store;
  Remotes remotes;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<AuthEngine> auth;
  FeatureGate features;
  Engines engines;
  std::unique_ptr<security::RateLimiter> limiter =
      options.rate_limits ? std::make_unique<security::RateLimiter>(*options.rate_limits) : nullptr;
};

Portal::Portal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Portal::~Portal() = default;

Store& Portal::store() { return *impl_->store; }

Result<std::unique_ptr<Portal>> Portal::Open(PortalOptions options) {
  try {
    SetLogLevel(options.log_level);
    StoreOptions store_options;
    store_options.pool_size = options.pool_size;
    store_options.encryption_keys = options.encryption_keys;
    auto store = OpenStore(options.storage, store_options);
    if (!store.ok()) return store.status();
    if (Status blobs = OpenBlobs(options); !blobs.ok()) return blobs;
    // Creating the remote adapters sends nothing: a cluster or platform that is down does not
    // stop the portal from opening (its breaker and fallback take over).
    auto remotes = OpenRemotes(options, **store);
    if (!remotes.ok()) return remotes.status();
    auto audit = std::make_unique<AuditLog>(**store, *remotes->clock);
    auto auth = AuthEngine::Create(options.auth, **store, *remotes->clock, *audit, remotes->account_channels);
    if (!auth.ok()) return auth.status();
    return std::unique_ptr<Portal>(new Portal(std::make_unique<Impl>(std::move(options), std::move(store).value(),
                                                                     std::move(remotes).value(), std::move(audit),
                                                                     std::move(auth).value())));
  } catch (const std::exception& error) {
    Log().error("portal open failed: {}", error.what());
    return Status::DatabaseUnavailable(error.what(), false);
  }
}

json::object Portal::Invoke(std::string_view method, const RequestContext& context,
                            const json::object& request) noexcept {
  return Invoke(method, context, request, nullptr);
}

std::string Portal::Invoke(std::string_view method, std::optional<std::string_view> context_json,
                           std::optional<std::string_view> request_json) noexcept {
  return Invoke(method, context_json, request_json, nullptr);
}

json::object Portal::Invoke(std::string_view method_name, const RequestContext& context,
                            const json::object& request, const ProgressCallback& progress) noexcept {
  std::string trace_id = context.trace_id;
  try {
    if (trace_id.empty()) trace_id = RandomHex(16);
    const Method* method = FindMethod(method_name);
    if (Status admitted = impl_->Admit(method_name, method, context); !admitted.ok()) {
      return impl_->Fail(admitted, trace_id, context.locale);
    }
    Result<Reply> reply = progress && method->with_progress != nullptr
                              ? method->with_progress(impl_->engines, context, request,
                                                      Catching(progress, method_name, trace_id))
                              : method->handler(impl_->engines, context, request);
    if (!reply.ok()) return impl_->Fail(reply.status(), trace_id, context.locale);
    if (method_name == "portal.config.update") impl_->features.Forget();
    if (method->audited) impl_->audit->Record(context, AuditEvent{std::string(method_name), true, std::nullopt, {}});
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
                           std::optional<std::string_view> request_json,
                           const ProgressCallback& progress) noexcept {
  Locale locale = Locale::kZhCN;
  try {
    auto call = impl_->ParseCall(method, context_json, request_json, locale);
    if (auto* failed = std::get_if<std::string>(&call)) return std::move(*failed);
    auto& [context, request] = std::get<Impl::Call>(call);
    return json::serialize(Invoke(method, context, request, progress));
  } catch (const std::exception& error) {
    Log().error("invoke failed: {}", error.what());
  } catch (...) {
    Log().error("invoke failed: unknown exception");
  }
  return ErrorEnvelope(Status::Error(ErrorCode::kDatabaseUnavailable), locale);
}

json::object Portal::OpenDownload(std::string_view method_name, const RequestContext& context,
                                  const json::object& request, std::unique_ptr<Download>& download) noexcept {
  download.reset();
  std::string trace_id = context.trace_id;
  try {
    if (trace_id.empty()) trace_id = RandomHex(16);
    const Method* method = FindMethod(method_name);
    if (method != nullptr && method->with_download == nullptr) {
      return impl_->Fail(Status::InvalidField("method", field_code::kNotAllowed, {{"allowed", DownloadMethodNames()}}),
                         trace_id, context.locale);
    }
    if (Status admitted = impl_->Admit(method_name, method, context); !admitted.ok()) {
      return impl_->Fail(admitted, trace_id, context.locale);
    }
    auto range = ReadRange(request);
    if (!range.ok()) return impl_->Fail(range.status(), trace_id, context.locale);
    auto file = method->with_download(impl_->engines, context, request, range->offset);
    if (!file.ok()) return impl_->Fail(file.status(), trace_id, context.locale);
    // HTTP's rule for a range (RFC 9110 14.1.2): it starts at a byte of the file, and a length
    // past the end is cut there. An empty file has the one empty range at 0.
    const std::int64_t last = std::max<std::int64_t>(file->size - 1, 0);
    if (range->offset > last) {
      return impl_->Fail(Status::InvalidField("offset", field_code::kOutOfRange,
                                              {{"min", "0"}, {"max", std::to_string(last)}}),
                         trace_id, context.locale);
    }
    const std::int64_t length = std::min(range->length.value_or(file->size), file->size - range->offset);
    // The same two objects whatever the method, for hosts that serve the bytes (HTTP headers).
    file->data["file"] = json::object{{"name", file->file_name},
                                      {"content_type", file->content_type},
                                      {"size", file->size},
                                      {"sha256", file->sha256.empty() ? json::value(nullptr) : json::value(file->sha256)}};
    file->data["range"] = json::object{{"offset", range->offset}, {"length", length}, {"size", file->size}};
    download = std::make_unique<Download>(Download::Source{impl_->options.blob_store, std::move(file->blob_key),
                                                           file->size, range->offset, length, std::move(file->sha256),
                                                           context.locale, trace_id, impl_->clock,
                                                           impl_->options.help_url_base});
    return SuccessEnvelope(std::move(file->data), std::nullopt, trace_id, context.locale, impl_->clock->NowMillis());
  } catch (const std::exception& error) {
    Log().error("{} download failed: {} (trace {})", method_name, error.what(), trace_id);
    download.reset();
    return impl_->Fail(Status::DatabaseUnavailable(error.what(), true), trace_id, context.locale);
  } catch (...) {
    Log().error("{} download failed: unknown exception (trace {})", method_name, trace_id);
    download.reset();
    return impl_->Fail(Status::DatabaseUnavailable("unknown exception", true), trace_id, context.locale);
  }
}

std::string Portal::OpenDownload(std::string_view method, std::optional<std::string_view> context_json,
                                 std::optional<std::string_view> request_json,
                                 std::unique_ptr<Download>& download) noexcept {
  download.reset();
  Locale locale = Locale::kZhCN;
  try {
    auto call = impl_->ParseCall(method, context_json, request_json, locale);
    if (auto* failed = std::get_if<std::string>(&call)) return std::move(*failed);
    auto& [context, request] = std::get<Impl::Call>(call);
    return json::serialize(OpenDownload(method, context, request, download));
  } catch (const std::exception& error) {
    Log().error("download failed: {}", error.what());
  } catch (...) {
    Log().error("download failed: unknown exception");
  }
  download.reset();
  return ErrorEnvelope(Status::Error(ErrorCode::kDatabaseUnavailable), locale);
}

Result<std::int64_t> Portal::Subscribe(std::string_view topic_json,
                                       std::function<void(std::string_view event_json)> callback) {
  try {
    auto topic = TicketTopic::Parse(topic_json);
    if (!topic.ok()) return topic.status();
    return impl_->remotes.subscriptions->Subscribe(std::move(topic).value(), std::move(callback));
  } catch (const std::exception& error) {
    Log().error("subscribe failed: {}", error.what());
    return Status::DatabaseUnavailable(error.what(), true);
  }
}

PortalHealth Portal::Health() noexcept {
  PortalHealth health;
  try {
    auto vitals = impl_->store->ReadVitals();
    health.database_ok = vitals.ok();
    if (vitals.ok()) {
      health.outbox_pending = vitals->outbox_pending;
      if (vitals->oldest_outbox_pending) {
        health.outbox_oldest_pending_age_seconds =
            std::max<std::int64_t>(0, (impl_->clock->NowMillis() - vitals->oldest_outbox_pending->millis) / 1000);
      }
    } else {
      health.database_error = vitals.status().detail();
    }
    const Remotes& remotes = impl_->remotes;
    for (const CircuitBreaker* breaker : {remotes.search_breaker.get(), remotes.knowledge_source_breaker.get(),
                                          remotes.ai_breaker.get(), remotes.ticket_system_breaker.get()}) {
      if (breaker != nullptr) health.breakers.push_back({std::string(breaker->name()), breaker->state()});
    }
    health.subscriptions = static_cast<std::int64_t>(remotes.subscriptions->size());
  } catch (const std::exception& error) {
    health.database_ok = false;
    health.database_error = error.what();
  }
  return health;
}

json::object HealthJson(const PortalHealth& health) {
  json::object breakers;
  bool degraded = false;
  for (const auto& breaker : health.breakers) {
    breakers.emplace(breaker.name, StateName(breaker.state));
    degraded = degraded || breaker.state != CircuitBreaker::State::kClosed;
  }
  json::object database{{"status", health.database_ok ? "up" : "down"}};
  if (!health.database_ok) database.emplace("error", health.database_error);
  json::object outbox{{"pending", health.outbox_pending}};
  if (health.outbox_oldest_pending_age_seconds) {
    outbox.emplace("oldest_pending_age_seconds", *health.outbox_oldest_pending_age_seconds);
  }
  return {{"status", !health.database_ok ? "down" : degraded ? "degraded" : "up"},
          {"components", json::object{{"database", std::move(database)},
                                      {"breakers", std::move(breakers)},
                                      {"outbox", std::move(outbox)},
                                      {"subscriptions", health.subscriptions}}}};
}

Result<RequestContext> Portal::Authenticate(std::string_view access_token) noexcept {
  try {
    return impl_->auth->Authenticate(access_token, RequestContext{});
  } catch (const std::exception& error) {
    Log().error("authenticate failed: {}", error.what());
    return Status::DatabaseUnavailable(error.what(), true);
  }
}

Status Portal::Unsubscribe(std::int64_t id) {
  try {
    return impl_->remotes.subscriptions->Unsubscribe(id);
  } catch (const std::exception& error) {
    Log().error("unsubscribe failed: {}", error.what());
    return Status::DatabaseUnavailable(error.what(), true);
  }
}

std::string Portal::UploadChunk(std::optional<std::string_view> context_json, std::string_view upload_id,
                                std::int64_t offset, std::string_view bytes,
                                std::optional<std::string_view> chunk_sha256) noexcept {
  Locale locale = Locale::kZhCN;
  try {
    // The checks and the bucket of the method this is the binary twin of.
    constexpr std::string_view kMethod = "tickets.attachments.append";
    auto caller = impl_->CallerOfText(kMethod, context_json, locale);
    if (auto* failed = std::get_if<std::string>(&caller)) return std::move(*failed);
    const RequestContext& context = std::get<RequestContext>(caller);
    const std::string& trace_id = context.trace_id;
    if (Status admitted = impl_->Admit(kMethod, FindMethod(kMethod), context); !admitted.ok()) {
      return json::serialize(impl_->Fail(admitted, trace_id, locale));
    }
    Result<Reply> reply = AppendChunk(impl_->engines, context, upload_id, offset, bytes,
                                      chunk_sha256 ? std::optional<std::string>(*chunk_sha256) : std::nullopt);
    if (!reply.ok()) return json::serialize(impl_->Fail(reply.status(), trace_id, locale));
    return json::serialize(
        SuccessEnvelope(std::move(reply->data), std::nullopt, trace_id, locale, impl_->clock->NowMillis()));
  } catch (const std::exception& error) {
    Log().error("upload chunk failed: {}", error.what());
  } catch (...) {
    Log().error("upload chunk failed: unknown exception");
  }
  return ErrorEnvelope(Status::Error(ErrorCode::kDatabaseUnavailable), locale);
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
