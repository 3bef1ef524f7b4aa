// Portal: one self-service portal instance, the C++ entry point of libselfservice.
//
// A Portal owns a Store and the engines, and answers method calls ("sessions.start",
// "feedback.submit", ...; docs/API.md lists them) with the unified envelope of REQ-019 4.2/4.3:
//   success {code: 200, message, data, timestamp, trace_id[, pagination]}
//   failure {code, message, errors: [{field, message, code}], timestamp, trace_id, help_url}
// Messages come from the zh-CN / en-US catalogs chosen by the context's locale.
//
// Thread safety: Invoke may be called from many threads at once on one Portal. Nothing throws.
// A progress callback runs on the thread that called Invoke, before Invoke returns.

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
#include "selfservice/circuit_breaker.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/elasticsearch.hpp"
#include "selfservice/knowledge_source.hpp"
#include "selfservice/repository.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// "MAJOR.MINOR.PATCH" of this build.
std::string_view Version();

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

  // Who answers ai.chat ("ai": {"provider": ...}; docs/AI.md): the embedded extractive answerer
  // when neither is set, else the platform's AI service (REQ-013) or an OpenAI-compatible server,
  // each through `ai_breaker`, with keyword search standing in when it fails.
  std::optional<PlatformAiOptions> platform_ai;
  std::optional<OpenAiOptions> openai;
  CircuitBreakerOptions ai_breaker;

  // Parses {"storage", "pool_size", "session_idle_timeout_seconds", "help_url_base", "log_level",
  // "search": {"backend", "elasticsearch": {...}, "breaker": {...}},
  // "knowledge_source": {..., "breaker": {...}, "sync": {...}},
  // "ai": {"provider": "local" | "req013" | "openai", "base_url", "api_key", "model", "timeout_ms",
  // ..., "breaker": {...}}} (docs/API.md); unknown keys are
  // logged (by name, never with their values) and ignored. A breaker without
  // slow_call_duration_threshold_ms gets its adapter's timeout. Bad values answer
  // kInvalidArgument with one field error per problem, named by its path
  // ("search.elasticsearch.urls").
  static Result<PortalOptions> FromJson(std::string_view json);
};

// The problems of the remote systems' options (elasticsearch, knowledge_source, their breakers and
// knowledge_sync), each field error named by its path in the options JSON; empty when usable.
// Portal::Open refuses options with problems (10001).
std::vector<FieldError> ValidateRemoteOptions(const PortalOptions& options);

// One method of the dispatch table, as hosts (HTTP servers, bindings) discover it.
struct MethodInfo {
  std::string_view name;         // "sessions.start"
  std::string_view http_method;  // "POST"
  std::string_view route;        // "/api/v1/customer-portal/sessions"
  std::string_view feature;      // the enabled_features entry that gates it
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

  static const std::vector<MethodInfo>& Methods();

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
