// Portal: one self-service portal instance, the C++ entry point of libselfservice.
//
// A Portal owns a Store and the engines, and answers method calls ("sessions.start",
// "feedback.submit", ...; docs/API.md lists them) with the unified envelope of REQ-019 4.2/4.3:
//   success {code: 200, message, data, timestamp, trace_id[, pagination]}
//   failure {code, message, errors: [{field, message, code}], timestamp, trace_id, help_url}
// Messages come from the zh-CN / en-US catalogs chosen by the context's locale.
//
// Thread safety: Invoke may be called from many threads at once on one Portal. Nothing throws.
// A progress callback runs on the thread that called Invoke, before Invoke returns; subscription
// callbacks (Subscribe) run on a library thread.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "selfservice/ai.hpp"
#include "selfservice/auth.hpp"
#include "selfservice/blob_store.hpp"
#include "selfservice/circuit_breaker.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/download.hpp"
#include "selfservice/elasticsearch.hpp"
#include "selfservice/knowledge_source.hpp"
#include "selfservice/ticket_system.hpp"
#include "selfservice/notifier.hpp"
#include "selfservice/rate_limit.hpp"
#include "selfservice/repository.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// "MAJOR.MINOR.PATCH" of this build.
std::string_view Version();

// Limits of attachments and documents ("attachments" option; docs/ATTACHMENTS.md). A customer's
// portal configuration may tighten them (security_settings.attachments), never loosen them.
struct AttachmentOptions {
  std::int64_t max_bytes = 20LL * 1024 * 1024;  // one ticket attachment
  std::int64_t max_document_bytes = 512LL * 1024 * 1024;  // one document
  int max_per_ticket = 10;
  // Lowercase media types; the bytes must match the type's magic number. Empty: PNG, JPEG, GIF,
  // WebP, PDF, ZIP, gzip, the Office Open XML types, text/plain, text/csv, application/json.
  std::vector<std::string> allowed_types;
  std::int64_t upload_expiry_seconds = 24 * 3600;  // an upload untouched this long is swept
};

struct PortalOptions {
  std::string storage = "sqlite::memory:";
  int pool_size = 4;
  // Paused sessions idle this long are timed out by sessions.sweep.
  std::int64_t session_idle_timeout_seconds = 30 * 60;
  // Error envelopes carry help_url = help_url_base + code.
  std::string help_url_base = "https://docs.example.com/api/errors/";
  // spdlog level name for the library's logger ("trace" ... "off").
  std::string log_level = "warn";
  std::shared_ptr<Clock> clock;  // the system clock when null; the circuit breakers time with it

  // Set: search.query asks this Elasticsearch cluster through `search_breaker` and the local
  // engine answers when it fails, is slow or is cut off; knowledge writes are mirrored to it
  // (docs/ELASTICSEARCH.md). Unset: the local engine alone ("search": {"backend": "local"}).
  std::optional<ElasticsearchOptions> elasticsearch;
  CircuitBreakerOptions search_breaker;
  // Set: knowledge.sync pulls the platform's knowledge base (REQ-005) into the local store and
  // knowledge.vote forwards votes to it through `knowledge_source_breaker`
  // (docs/KNOWLEDGE_SOURCE.md).
  std::optional<PlatformKnowledgeOptions> knowledge_source;
  CircuitBreakerOptions knowledge_source_breaker;
  SyncOptions knowledge_sync;
  // Set: tickets are mirrored to the platform's ticket service (REQ-003) through the outbox and
  // `ticket_system_breaker`, and tickets.sync applies its status changes (docs/TICKETS.md).
  // Unset: the embedded ticket store alone.
  std::optional<PlatformTicketOptions> ticket_system;
  CircuitBreakerOptions ticket_system_breaker;

  // Who answers ai.chat ("ai": {"provider": ...}; docs/AI.md): the embedded extractive answerer
  // when neither is set, else the platform's AI service (REQ-013) or an OpenAI-compatible server,
  // each through `ai_breaker`, with keyword search standing in when it fails.
  std::optional<PlatformAiOptions> platform_ai;
  std::optional<OpenAiOptions> openai;
  CircuitBreakerOptions ai_breaker;

  // The channels fed with every ticket creation and status change ("notifications": {"webhook":
  // {...}, "email": {...}}; docs/NOTIFICATIONS.md); none when empty.
  NotificationOptions notifications;

  AttachmentOptions attachments;
  // Set: every call draws a token from the bucket of its tenant, user and method class, and
  // answers 10005 with retry_after when it is empty ("rate_limits"; docs/SECURITY.md). Unset: no
  // limits, which suits a host that limits in front of the portal.
  std::optional<RateLimitOptions> rate_limits;
  // Where attachments and documents are stored: a host's own BlobStore when set, else files under
  // `blob_dir`, which defaults to "<database path>.blobs" for "sqlite:<path>"; a "sqlite::memory:"
  // portal keeps them in memory unless `blob_dir` is given.
  std::shared_ptr<BlobStore> blob_store;
  std::string blob_dir;
  // Where admin.backup writes its copies of the database (created when missing). Empty: the
  // method answers 10004 NOT_CONFIGURED. A request never names a path.
  std::string backup_dir;

  // Unset or 0 (the default): the behaviour events the portal records on its own (searches, clicks on
  // search hits, questions to the assistant) are written within their call. N > 0 ms ("analytics":
  // {"write_behind_ms"}, at most 10000): they are queued and written once every N ms in one
  // transaction per tenant, so a busy host pays one commit per interval instead of one per search;
  // analytics then lag by up to N ms, and a process that dies loses the last N ms of them.
  // portal_server sets 50 unless the options say otherwise.
  std::optional<std::int64_t> analytics_write_behind_ms;
  // Sign-in: tokens, lockout, password hashing ("auth"; docs/SECURITY.md).
  AuthOptions auth;
  // True (the default): context_json may name the caller by raw ids (tenant_id, customer_id,
  // user_id, roles), because an in-process host has authenticated them itself. False: only an
  // access_token names the caller, and raw ids answer 10002; every host that passes on requests
  // of untrusted callers (an HTTP server) sets it.
  bool trust_host_context = true;
  // The keys that encrypt sensitive columns at rest ("encryption": {"keys": [{"id",
  // "key_base64"}, ...]}, current key first; StoreOptions::encryption_keys). Never logged.
  std::vector<EncryptionKey> encryption_keys;

  // Parses {"storage", "pool_size", "session_idle_timeout_seconds", "help_url_base", "log_level",
  // "blob_dir", "backup_dir", "attachments": {"max_bytes", "max_document_bytes", "max_per_ticket",
  // "allowed_types", "upload_expiry_seconds"} (docs/ATTACHMENTS.md),
  // "search": {"backend", "elasticsearch": {...}, "breaker": {...}},
  // "knowledge_source": {..., "breaker": {...}, "sync": {...}},
  // "ai": {"provider": "local" | "req013" | "openai", "base_url", "api_key", "model", "timeout_ms",
  // ..., "breaker": {...}}, "notifications": {"webhook": {"url", "secret", "timeout_ms", ...},
  // "email": {"smtp_url", "from", "username", "password", "timeout_ms", ...}},
  // "rate_limits": {"default": {"rate_per_second", "burst"}, "classes": {"auth": {...}, ...},
  // "max_entries"}} (docs/API.md); unknown keys are
  // logged (by name, never with their values) and ignored. A breaker without
  // slow_call_duration_threshold_ms gets its adapter's timeout. Bad values answer
  // kInvalidArgument with one field error per problem, named by its path
  // ("search.elasticsearch.urls").
  static Result<PortalOptions> FromJson(std::string_view json);
};

// The problems of the remote systems' options (elasticsearch, knowledge_source, their breakers,
// knowledge_sync and the notification channels), each field error named by its path in the
// options JSON; empty when usable.
// Portal::Open refuses options with problems (10001).
std::vector<FieldError> ValidateRemoteOptions(const PortalOptions& options);

// One method of the dispatch table, as hosts (HTTP servers, bindings) discover it.
struct MethodInfo {
  std::string_view name;         // "sessions.start"
  std::string_view http_method;  // "POST"
  std::string_view route;        // "/api/v1/customer-portal/sessions"
  std::string_view feature;      // the enabled_features entry that gates it
  // Its rate-limit bucket: "auth", "ai", "search", "read" (other GETs) or "write" (the rest).
  std::string_view rate_class;
  // The least role it needs: "customer_user", "customer_admin", "platform_admin", or "anyone"
  // for the sign-in methods, which need no identity.
  std::string_view least_role;
  // "download" for the methods whose file Portal::OpenDownload (selfservice_download_open) serves
  // as bytes, "upload" for the one Portal::UploadChunk (selfservice_upload_chunk) feeds with bytes,
  // "" for the rest.
  std::string_view binary;
};

// Hears the progress of a long-running call: `done` out of `total` units of work, in the method's
// own units (knowledge.import: bytes of its file, or records of its array). `done` never goes
// back, and a call that runs to its end makes one last call with (total, total). Methods that
// report nothing never call it (today only knowledge.import reports, after each transaction).
//
// Return true to go on, false to stop the call at its next safe point: an import then stops
// after the transaction just committed (never half-way through one) and answers success with
// what it stored so far and "cancelled": true. A callback that throws is treated like one that
// returned false: the exception is logged and never leaves Invoke.
//
// It runs on the thread that called Invoke, inside that call, with no lock of the portal held, so
// it may call the portal itself; a slow callback holds up only its own call.
using ProgressCallback = std::function<bool(std::int64_t done, std::int64_t total)>;

// The state of a portal's parts, for a host's health checks and metrics (portal_server's /healthz
// and /metrics). Counts only: nothing in it belongs to a tenant.
struct PortalHealth {
  struct Breaker {
    std::string name;  // "search.elasticsearch", "ai.local", "tickets.req003", ...
    CircuitBreaker::State state = CircuitBreaker::State::kClosed;
  };
  bool database_ok = false;    // the store answered a query just now
  std::string database_error;  // why not, when !database_ok (no personal data)
  std::vector<Breaker> breakers;  // one per remote system the options configure, and the AI's
  std::int64_t outbox_pending = 0;  // items of all tenants neither delivered nor abandoned
  std::optional<std::int64_t> outbox_oldest_pending_age_seconds;  // unset when none is pending
  std::int64_t subscriptions = 0;  // live ticket status subscriptions
};

// `health` as the JSON of selfservice_health() and portal_server's /healthz:
// {"status": "up" | "degraded" (a breaker not closed) | "down" (the database does not answer),
//  "components": {"database": {"status": "up" | "down", "error"?}, "breakers": {name: "closed" |
//  "open" | "half_open"}, "outbox": {"pending", "oldest_pending_age_seconds"?}, "subscriptions"}}.
boost::json::object HealthJson(const PortalHealth& health);

class Portal {
 public:
  static Result<std::unique_ptr<Portal>> Open(PortalOptions options);
  ~Portal();
  Portal(const Portal&) = delete;
  Portal& operator=(const Portal&) = delete;

  // The C ABI's call: context and request as JSON text (nullopt when the caller passed none);
  // returns the envelope as JSON text.
  std::string Invoke(std::string_view method, std::optional<std::string_view> context_json,
                     std::optional<std::string_view> request_json) noexcept;

  // The same for an already parsed context and request; returns the envelope.
  boost::json::object Invoke(std::string_view method, const RequestContext& context,
                             const boost::json::object& request) noexcept;

  // Both calls with a progress callback (null: none, as above) for long-running methods.
  std::string Invoke(std::string_view method, std::optional<std::string_view> context_json,
                     std::optional<std::string_view> request_json, const ProgressCallback& progress) noexcept;
  boost::json::object Invoke(std::string_view method, const RequestContext& context,
                             const boost::json::object& request, const ProgressCallback& progress) noexcept;

  // The file of a download method (MethodInfo::binary == "download": tickets.attachments.get,
  // documents.download) as bytes, for hosts that stream it (selfservice_download_open). After the
  // checks of Invoke, answers the method's envelope without "data_base64" and with "file":
  // {"name", "content_type", "size", "sha256"} and "range": {"offset", "length", "size"} in its
  // data, and on success sets `download` to read the bytes
  // from (it is reset on failure). The request may ask for a range: "offset" (a byte of the file,
  // default 0) and "length" (>= 1, cut at the file's end; default: to the end); a document counts
  // as downloaded only when its range starts at 0. Other methods answer 10001 on "method".
  std::string OpenDownload(std::string_view method, std::optional<std::string_view> context_json,
                           std::optional<std::string_view> request_json, std::unique_ptr<Download>& download) noexcept;
  boost::json::object OpenDownload(std::string_view method, const RequestContext& context,
                                   const boost::json::object& request, std::unique_ptr<Download>& download) noexcept;

  static const std::vector<MethodInfo>& Methods();

  // Probes the store and reads the breakers and the outbox backlog; never throws, never blocks on
  // a remote system.
  PortalHealth Health() noexcept;

  // Who an access token names (auth.login's access_token): the context a call bearing it runs as,
  // with `client_ip` and `user_agent` empty. 10002 when it is malformed, expired, signed by no key
  // of the ring, or its login has ended. Hosts use it to scope what they serve outside Invoke,
  // such as a WebSocket of live ticket status.
  Result<RequestContext> Authenticate(std::string_view access_token) noexcept;

  // Live ticket status (docs/API.md, "Subscriptions"): `callback` hears, as event JSON
  // (TicketEventJson), every ticket creation and status change committed after Subscribe returns
  // that matches `topic_json` ({"type": "ticket.status", "tenant_id", "customer_id"?, "user_id"?,
  // "ticket_id"?}; tenant_id required, so a subscription never sees another tenant's tickets).
  // Returns the subscription's id (> 0), or 10001 naming the bad field of the topic.
  //
  // Callbacks run on a library thread, one at a time and in order, never on the caller's thread
  // and never while a lock of the portal is held: a callback may call Subscribe, Unsubscribe or
  // Invoke. A callback that throws is logged; its subscription stays. A slow callback delays the
  // others. The callback object is destroyed exactly once, after its last call: by Unsubscribe,
  // or when the portal is destroyed.
  Result<std::int64_t> Subscribe(std::string_view topic_json, std::function<void(std::string_view event_json)> callback);
  // Ends a subscription. After it returns no call of its callback starts, and one running on
  // another thread has returned; called from that subscription's own callback, it does not wait
  // for itself, and no further call follows. 10004 for an id that is not a live subscription.
  Status Unsubscribe(std::int64_t id);

  // The binary twin of tickets.attachments.append (selfservice_upload_chunk): appends `bytes` at
  // `offset` of the caller's upload `upload_id`, checked against `chunk_sha256` (64 hex digits)
  // when given, and returns the envelope the method would (data: the upload's status).
  std::string UploadChunk(std::optional<std::string_view> context_json, std::string_view upload_id, std::int64_t offset,
                          std::string_view bytes, std::optional<std::string_view> chunk_sha256 = std::nullopt) noexcept;

  Store& store();

 private:
  struct Impl;
  explicit Portal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The error envelope of `status` for a call that could not reach a Portal (a NULL handle in C, or
// options that could not open one).
std::string ErrorEnvelope(const Status& status, Locale locale = Locale::kZhCN);

}  // namespace selfservice
