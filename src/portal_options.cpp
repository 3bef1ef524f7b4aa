// PortalOptions::FromJson: the options JSON of selfservice_portal_open, read into PortalOptions.
// Types are checked here; the rules of the remote systems' options are their own Validate()
// functions, run by ValidateRemoteOptions() with each field named by its path.

#include <algorithm>
#include <cctype>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>

#include "core/base64.hpp"
#include "core/logging.hpp"
#include "domain/rules.hpp"
#include "security/password_hasher.hpp"
#include "security/rate_limiter.hpp"
#include "selfservice/portal.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

std::string Path(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

// One key of an options object: reads the value into T, false when its JSON type is wrong.
template <typename T>
struct Member {
  std::string_view key;
  std::function<bool(const json::value&, T&)> read;
};

// An integer; an int field saturates, so that its Validate() reports OUT_OF_RANGE.
template <typename T, typename N>
Member<T> Integer(std::string_view key, N T::*field) {
  return {key, [field](const json::value& value, T& into) {
            if (!value.is_int64()) return false;
            into.*field = static_cast<N>(std::clamp<std::int64_t>(value.get_int64(), std::numeric_limits<N>::min(),
                                                                  std::numeric_limits<N>::max()));
            return true;
          }};
}

template <typename T>
Member<T> Number(std::string_view key, double T::*field) {
  return {key, [field](const json::value& value, T& into) {
            if (!value.is_number()) return false;
            into.*field = value.to_number<double>();
            return true;
          }};
}

template <typename T>
Member<T> String(std::string_view key, std::string T::*field) {
  return {key, [field](const json::value& value, T& into) {
            if (!value.is_string()) return false;
            into.*field = std::string(value.get_string());
            return true;
          }};
}

template <typename T>
Member<T> StringList(std::string_view key, std::vector<std::string> T::*field) {
  return {key, [field](const json::value& value, T& into) {
            if (!value.is_array()) return false;
            std::vector<std::string> items;
            for (const auto& item : value.get_array()) {
              if (!item.is_string()) return false;
              items.emplace_back(item.get_string());
            }
            into.*field = std::move(items);
            return true;
          }};
}

// Reads the object at `path` into `into`: FIELD_INVALID for a value that is not an object or a
// member of the wrong type; unknown keys are logged by name (never by value: it may be a secret).
// `nested` keys are the caller's to read.
template <typename T>
void ReadObject(const json::value& value, std::string_view path, const std::vector<Member<T>>& members, T& into,
                std::vector<FieldError>& errors, std::initializer_list<std::string_view> nested = {}) {
  if (!value.is_object()) {
    errors.push_back(FieldError{std::string(path), field_code::kInvalid, {}});
    return;
  }
  for (const auto& [key, item] : value.get_object()) {
    if (std::find(nested.begin(), nested.end(), key) != nested.end()) continue;
    auto member = std::find_if(members.begin(), members.end(), [&](const Member<T>& m) { return m.key == key; });
    if (member == members.end()) {
      Log().warn("portal options: ignoring unknown key '{}'", Path(path, key));
    } else if (!member->read(item, into)) {
      errors.push_back(FieldError{Path(path, key), field_code::kInvalid, {}});
    }
  }
}

const std::vector<Member<ElasticsearchOptions>>& ElasticsearchMembers() {
  using E = ElasticsearchOptions;
  static const std::vector<Member<E>> kMembers = {
      StringList("urls", &E::urls),
      String("index", &E::index),
      String("api_key", &E::api_key),
      String("username", &E::username),
      String("password", &E::password),
      Integer("request_timeout_ms", &E::request_timeout_ms),
      Integer("connect_timeout_ms", &E::connect_timeout_ms),
      String("ca_file", &E::ca_file),
      Number("suggest_ticket_below_score", &E::suggest_ticket_below_score),
      Integer("bulk_batch_size", &E::bulk_batch_size),
  };
  return kMembers;
}

const std::vector<Member<PlatformKnowledgeOptions>>& KnowledgeSourceMembers() {
  using K = PlatformKnowledgeOptions;
  static const std::vector<Member<K>> kMembers = {
      String("base_url", &K::base_url),        String("api_token", &K::api_token),
      Integer("timeout_ms", &K::timeout_ms),   Integer("connect_timeout_ms", &K::connect_timeout_ms),
      String("ca_file", &K::ca_file),
  };
  return kMembers;
}

const std::vector<Member<PlatformTicketOptions>>& TicketSystemMembers() {
  using T = PlatformTicketOptions;
  static const std::vector<Member<T>> kMembers = {
      String("base_url", &T::base_url),        String("api_token", &T::api_token),
      Integer("timeout_ms", &T::timeout_ms),   Integer("connect_timeout_ms", &T::connect_timeout_ms),
      String("ca_file", &T::ca_file),
  };
  return kMembers;
}

const std::vector<Member<PlatformAiOptions>>& PlatformAiMembers() {
  using P = PlatformAiOptions;
  static const std::vector<Member<P>> kMembers = {
      String("base_url", &P::base_url),      String("api_key", &P::api_key),
      Integer("timeout_ms", &P::timeout_ms), Integer("connect_timeout_ms", &P::connect_timeout_ms),
      String("ca_file", &P::ca_file),
  };
  return kMembers;
}

const std::vector<Member<OpenAiOptions>>& OpenAiMembers() {
  using O = OpenAiOptions;
  static const std::vector<Member<O>> kMembers = {
      String("base_url", &O::base_url),
      String("api_key", &O::api_key),
      String("model", &O::model),
      Integer("timeout_ms", &O::timeout_ms),
      Integer("connect_timeout_ms", &O::connect_timeout_ms),
      String("ca_file", &O::ca_file),
      Integer("max_tokens", &O::max_tokens),
      Number("temperature", &O::temperature),
      Integer("context_articles", &O::context_articles),
  };
  return kMembers;
}

const std::vector<Member<CircuitBreakerOptions>>& BreakerMembers() {
  using B = CircuitBreakerOptions;
  static const std::vector<Member<B>> kMembers = {
      Integer("sliding_window_size", &B::sliding_window_size),
      Integer("minimum_number_of_calls", &B::minimum_number_of_calls),
      Number("failure_rate_threshold", &B::failure_rate_threshold),
      Number("slow_call_rate_threshold", &B::slow_call_rate_threshold),
      Integer("slow_call_duration_threshold_ms", &B::slow_call_duration_threshold_ms),
      Integer("wait_duration_in_open_state_ms", &B::wait_duration_in_open_state_ms),
      Integer("permitted_number_of_calls_in_half_open_state", &B::permitted_number_of_calls_in_half_open_state),
  };
  return kMembers;
}

const std::vector<Member<SyncOptions>>& SyncMembers() {
  static const std::vector<Member<SyncOptions>> kMembers = {
      Integer("page_size", &SyncOptions::page_size),
      Integer("max_pages", &SyncOptions::max_pages),
  };
  return kMembers;
}

// A breaker's options; its slow-call duration is `timeout_ms` (the guarded call's timeout, so a
// timed-out call counts as slow) unless the object names one.
void ReadBreaker(const json::object& parent, std::string_view path, std::int64_t timeout_ms,
                 CircuitBreakerOptions& into, std::vector<FieldError>& errors) {
  if (timeout_ms >= 1) into.slow_call_duration_threshold_ms = timeout_ms;  // a bad timeout is reported once
  if (const json::value* breaker = parent.if_contains("breaker")) {
    ReadObject(*breaker, Path(path, "breaker"), BreakerMembers(), into, errors);
  }
}

// "search": {"backend", "elasticsearch", "breaker"}.
void ReadSearch(const json::value& value, PortalOptions& options, std::vector<FieldError>& errors) {
  if (!value.is_object()) {
    errors.push_back(FieldError{"search", field_code::kInvalid, {}});
    return;
  }
  const json::object& search = value.get_object();
  bool use_elasticsearch = false;
  if (const json::value* backend = search.if_contains("backend")) {
    if (!backend->is_string()) {
      errors.push_back(FieldError{"search.backend", field_code::kInvalid, {}});
    } else if (backend->get_string() == "elasticsearch") {
      use_elasticsearch = true;
    } else if (backend->get_string() != "local") {
      errors.push_back(FieldError{"search.backend", field_code::kNotAllowed, {{"allowed", "local, elasticsearch"}}});
    }
  }
  ElasticsearchOptions elasticsearch;
  const json::value* given = search.if_contains("elasticsearch");
  if (given != nullptr) ReadObject(*given, "search.elasticsearch", ElasticsearchMembers(), elasticsearch, errors);
  ReadBreaker(search, "search", elasticsearch.request_timeout_ms, options.search_breaker, errors);
  for (const auto& [key, ignored] : search) {
    if (key != "backend" && key != "elasticsearch" && key != "breaker") {
      Log().warn("portal options: ignoring unknown key '{}'", Path("search", key));
    }
  }
  if (use_elasticsearch && given == nullptr) {
    errors.push_back(FieldError{"search.elasticsearch", field_code::kRequired, {}});
  } else if (use_elasticsearch) {
    options.elasticsearch = std::move(elasticsearch);
  }
}

// "knowledge_source": {"base_url", "api_token", "timeout_ms", ..., "breaker", "sync"}.
void ReadKnowledgeSource(const json::value& value, PortalOptions& options, std::vector<FieldError>& errors) {
  if (!value.is_object()) {
    errors.push_back(FieldError{"knowledge_source", field_code::kInvalid, {}});
    return;
  }
  PlatformKnowledgeOptions platform;
  ReadObject(value, "knowledge_source", KnowledgeSourceMembers(), platform, errors, {"breaker", "sync"});
  const json::object& source = value.get_object();
  ReadBreaker(source, "knowledge_source", platform.timeout_ms, options.knowledge_source_breaker, errors);
  if (const json::value* sync = source.if_contains("sync")) {
    ReadObject(*sync, "knowledge_source.sync", SyncMembers(), options.knowledge_sync, errors);
  }
  options.knowledge_source = std::move(platform);
}

// "ticket_system": {"base_url", "api_token", "timeout_ms", ..., "breaker"}.
void ReadTicketSystem(const json::value& value, PortalOptions& options, std::vector<FieldError>& errors) {
  if (!value.is_object()) {
    errors.push_back(FieldError{"ticket_system", field_code::kInvalid, {}});
    return;
  }
  PlatformTicketOptions platform;
  ReadObject(value, "ticket_system", TicketSystemMembers(), platform, errors, {"breaker"});
  ReadBreaker(value.get_object(), "ticket_system", platform.timeout_ms, options.ticket_system_breaker,
              errors);
  options.ticket_system = std::move(platform);
}

// "rate_limits": the buckets of security::ParseRateLimits, whose classes must be the method
// table's (MethodInfo::rate_class), so a misspelt class cannot go unnoticed.
void ReadRateLimits(const json::value& value, PortalOptions& options, std::vector<FieldError>& errors) {
  auto parsed = security::ParseRateLimits(value);
  if (!parsed.ok()) {
    for (FieldError error : parsed.status().field_errors()) {
      error.field = error.field.empty() ? "rate_limits" : "rate_limits." + error.field;
      errors.push_back(std::move(error));
    }
    return;
  }
  static constexpr std::string_view kClasses[] = {"auth", "ai", "search", "read", "write"};
  for (const auto& [name, limit] : parsed->classes) {
    if (std::find(std::begin(kClasses), std::end(kClasses), name) == std::end(kClasses)) {
      errors.push_back({"rate_limits.classes." + name, field_code::kNotAllowed,
                        {{"allowed", "auth, ai, search, read, write"}}});
    }
  }
  options.rate_limits = std::move(parsed).value();
}

// A key id of the "auth" and "encryption" rings: [A-Za-z0-9_-]{1,32}, not secret.
bool IsKeyId(std::string_view id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '_' || c == '-';
         });
}

// "auth": AuthOptions, with "keys": [{"kid", "alg": "HS256", "secret_base64"} |
// {"kid", "alg": "ES256", "private_key_pem"}]. Key material is checked again, cryptographically,
// when the portal opens.
void ReadAuth(const json::value& value, PortalOptions& options, std::vector<FieldError>& errors) {
  using A = AuthOptions;
  static const std::vector<Member<A>> kMembers = {
      String("issuer", &A::issuer),
      String("audience", &A::audience),
      Integer("access_ttl_seconds", &A::access_ttl_seconds),
      Integer("refresh_ttl_seconds", &A::refresh_ttl_seconds),
      Integer("leeway_seconds", &A::leeway_seconds),
      Integer("max_failures", &A::max_failures),
      Integer("failure_window_seconds", &A::failure_window_seconds),
      Integer("lock_seconds", &A::lock_seconds),
      Integer("reset_token_ttl_seconds", &A::reset_token_ttl_seconds),
      Integer("mfa_token_ttl_seconds", &A::mfa_token_ttl_seconds),
      Integer("password_memory_kib", &A::password_memory_kib),
      Integer("password_iterations", &A::password_iterations),
      Integer("password_parallelism", &A::password_parallelism),
      String("mfa_issuer", &A::mfa_issuer),
  };
  AuthOptions& auth = options.auth;
  ReadObject(value, "auth", kMembers, auth, errors, {"keys"});
  if (!value.is_object()) return;
  if (const json::value* keys = value.get_object().if_contains("keys")) {
    if (!keys->is_array()) {
      errors.push_back({"auth.keys", field_code::kInvalid, {}});
    } else {
      for (std::size_t i = 0; i < keys->get_array().size(); ++i) {
        const std::string path = "auth.keys[" + std::to_string(i) + "]";
        const json::object* entry = keys->get_array()[i].if_object();
        if (entry == nullptr) {
          errors.push_back({path, field_code::kInvalid, {}});
          continue;
        }
        TokenKey key;
        auto text = [&](std::string_view name) -> std::string {
          const json::value* member = entry->if_contains(name);
          return member != nullptr && member->is_string() ? std::string(member->get_string()) : std::string();
        };
        key.kid = text("kid");
        key.algorithm = text("alg");
        if (!IsKeyId(key.kid)) errors.push_back({path + ".kid", field_code::kInvalid, {}});
        if (key.algorithm == "HS256") {
          auto secret = Base64Decode(text("secret_base64"));
          if (!secret || secret->size() < 32) {
            errors.push_back({path + ".secret_base64", field_code::kInvalid, {}});
          } else {
            key.secret = std::move(*secret);
          }
        } else if (key.algorithm == "ES256") {
          key.private_key_pem = text("private_key_pem");
          if (key.private_key_pem.empty()) errors.push_back({path + ".private_key_pem", field_code::kRequired, {}});
        } else {
          errors.push_back({path + ".alg", field_code::kNotAllowed, {{"allowed", "HS256, ES256"}}});
        }
        auth.keys.push_back(std::move(key));
      }
    }
  }
  auto range = [&](const char* field, std::int64_t number, std::int64_t min, std::int64_t max) {
    if (number < min || number > max) {
      errors.push_back({Path("auth", field), field_code::kOutOfRange, {{"min", std::to_string(min)}, {"max", std::to_string(max)}}});
    }
  };
  range("access_ttl_seconds", auth.access_ttl_seconds, 60, 24 * 3600);
  range("refresh_ttl_seconds", auth.refresh_ttl_seconds, 300, 90LL * 24 * 3600);
  range("leeway_seconds", auth.leeway_seconds, 0, 300);
  range("max_failures", auth.max_failures, 1, 100);
  range("failure_window_seconds", auth.failure_window_seconds, 60, 7 * 24 * 3600);
  range("lock_seconds", auth.lock_seconds, 60, 7 * 24 * 3600);
  range("reset_token_ttl_seconds", auth.reset_token_ttl_seconds, 300, 7 * 24 * 3600);
  range("mfa_token_ttl_seconds", auth.mfa_token_ttl_seconds, 60, 3600);
  security::PasswordHashParams params;
  params.memory_kib = auth.password_memory_kib;
  params.iterations = auth.password_iterations;
  params.parallelism = auth.password_parallelism;
  if (Status cost = security::ValidatePasswordHashParams(params); !cost.ok()) {
    for (FieldError error : cost.field_errors()) {
      error.field = "auth.password_" + error.field;
      errors.push_back(std::move(error));
    }
  }
  if (auth.issuer.empty() || auth.issuer.size() > 255) errors.push_back({"auth.issuer", field_code::kInvalid, {}});
  if (auth.audience.empty() || auth.audience.size() > 255) errors.push_back({"auth.audience", field_code::kInvalid, {}});
  if (auth.mfa_issuer.empty() || auth.mfa_issuer.size() > 64 || auth.mfa_issuer.find(':') != std::string::npos) {
    errors.push_back({"auth.mfa_issuer", field_code::kInvalid, {}});
  }
}

// "encryption": {"keys": [{"id", "key_base64"}, ...]}, the current key first; each key 32 bytes.
void ReadEncryption(const json::value& value, PortalOptions& options, std::vector<FieldError>& errors) {
  const json::value* keys = value.is_object() ? value.get_object().if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array() || keys->get_array().empty()) {
    errors.push_back({"encryption.keys", field_code::kInvalid, {}});
    return;
  }
  for (const auto& [key, item] : value.get_object()) {
    if (key != "keys") Log().warn("portal options: ignoring unknown key 'encryption.{}'", std::string_view(key));
  }
  for (std::size_t i = 0; i < keys->get_array().size(); ++i) {
    const std::string path = "encryption.keys[" + std::to_string(i) + "]";
    const json::object* entry = keys->get_array()[i].if_object();
    const json::value* id = entry ? entry->if_contains("id") : nullptr;
    const json::value* material = entry ? entry->if_contains("key_base64") : nullptr;
    EncryptionKey key;
    if (id != nullptr && id->is_string()) key.id = std::string(id->get_string());
    const bool duplicate = std::any_of(options.encryption_keys.begin(), options.encryption_keys.end(),
                                       [&](const EncryptionKey& earlier) { return earlier.id == key.id; });
    if (!IsKeyId(key.id) || duplicate) errors.push_back({path + ".id", field_code::kInvalid, {}});
    std::optional<std::string> bytes;
    if (material != nullptr && material->is_string()) bytes = Base64Decode(material->get_string());
    if (!bytes || bytes->size() != 32) {
      errors.push_back({path + ".key_base64", field_code::kInvalid, {}});
    } else {
      key.key = std::move(*bytes);
    }
    options.encryption_keys.push_back(std::move(key));
  }
}

// "attachments": {"max_bytes", "max_document_bytes", "max_per_ticket", "allowed_types",
// "upload_expiry_seconds"}: limits >= 0 (max_per_ticket 0-1000), types lowercase type/subtype.
void ReadAttachments(const json::value& value, AttachmentOptions& into, std::vector<FieldError>& errors) {
  using A = AttachmentOptions;
  static const std::vector<Member<A>> kMembers = {
      Integer("max_bytes", &A::max_bytes),
      Integer("max_document_bytes", &A::max_document_bytes),
      Integer("max_per_ticket", &A::max_per_ticket),
      StringList("allowed_types", &A::allowed_types),
      Integer("upload_expiry_seconds", &A::upload_expiry_seconds),
  };
  ReadObject(value, "attachments", kMembers, into, errors);
  for (const auto& [field, number] : {std::pair<const char*, std::int64_t>{"max_bytes", into.max_bytes},
                                      {"max_document_bytes", into.max_document_bytes},
                                      {"upload_expiry_seconds", into.upload_expiry_seconds}}) {
    if (number < 0) errors.push_back(FieldError{Path("attachments", field), field_code::kOutOfRange, {{"min", "0"}, {"max", "-"}}});
  }
  if (into.max_per_ticket < 0 || into.max_per_ticket > 1000) {
    errors.push_back(FieldError{"attachments.max_per_ticket", field_code::kOutOfRange, {{"min", "0"}, {"max", "1000"}}});
  }
  for (auto& type : into.allowed_types) {
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
    if (type.find('/') == std::string::npos || type.size() > 100) {
      errors.push_back(FieldError{"attachments.allowed_types", field_code::kInvalid, {}});
      break;
    }
  }
}

// "ai": {"provider", the provider's own options, "breaker"}.
void ReadAi(const json::value& value, PortalOptions& options, std::vector<FieldError>& errors) {
  if (!value.is_object()) {
    errors.push_back(FieldError{"ai", field_code::kInvalid, {}});
    return;
  }
  const json::object& ai = value.get_object();
  std::string_view provider = "local";
  if (const json::value* given = ai.if_contains("provider")) {
    if (!given->is_string()) {
      errors.push_back(FieldError{"ai.provider", field_code::kInvalid, {}});
      return;
    }
    provider = given->get_string();
  }
  std::int64_t timeout_ms = CircuitBreakerOptions().slow_call_duration_threshold_ms;
  if (provider == "req013") {
    PlatformAiOptions platform;
    ReadObject(value, "ai", PlatformAiMembers(), platform, errors, {"provider", "breaker"});
    timeout_ms = platform.timeout_ms;
    options.platform_ai = std::move(platform);
  } else if (provider == "openai") {
    OpenAiOptions openai;
    ReadObject(value, "ai", OpenAiMembers(), openai, errors, {"provider", "breaker"});
    timeout_ms = openai.timeout_ms;
    options.openai = std::move(openai);
  } else if (provider == "local") {
    for (const auto& [key, ignored] : ai) {
      if (key != "provider" && key != "breaker") Log().warn("portal options: ignoring unknown key '{}'", Path("ai", key));
    }
  } else {
    errors.push_back(FieldError{"ai.provider", field_code::kNotAllowed, {{"allowed", "local, req013, openai"}}});
    return;
  }
  ReadBreaker(ai, "ai", timeout_ms, options.ai_breaker, errors);
}

const std::vector<Member<WebhookOptions>>& WebhookMembers() {
  using W = WebhookOptions;
  static const std::vector<Member<W>> kMembers = {
      String("url", &W::url),                Integer("timeout_ms", &W::timeout_ms),
      String("secret", &W::secret),          Integer("connect_timeout_ms", &W::connect_timeout_ms),
      String("ca_file", &W::ca_file),
  };
  return kMembers;
}

const std::vector<Member<EmailOptions>>& EmailMembers() {
  using E = EmailOptions;
  static const std::vector<Member<E>> kMembers = {
      String("smtp_url", &E::smtp_url),      String("from", &E::from),
      String("username", &E::username),      String("password", &E::password),
      Integer("timeout_ms", &E::timeout_ms), Integer("connect_timeout_ms", &E::connect_timeout_ms),
      String("ca_file", &E::ca_file),
  };
  return kMembers;
}

// "notifications": {"webhook": {...}, "email": {...}}; a channel is on when its object is there.
void ReadNotifications(const json::value& value, PortalOptions& options, std::vector<FieldError>& errors) {
  if (!value.is_object()) {
    errors.push_back(FieldError{"notifications", field_code::kInvalid, {}});
    return;
  }
  for (const auto& [key, channel] : value.get_object()) {
    if (key == "webhook") {
      WebhookOptions webhook;
      ReadObject(channel, "notifications.webhook", WebhookMembers(), webhook, errors);
      options.notifications.webhook = std::move(webhook);
    } else if (key == "email") {
      EmailOptions email;
      ReadObject(channel, "notifications.email", EmailMembers(), email, errors);
      options.notifications.email = std::move(email);
    } else {
      Log().warn("portal options: ignoring unknown key '{}'", Path("notifications", key));
    }
  }
}

std::optional<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

void AddPrefixed(std::vector<FieldError>& into, std::string_view prefix, std::vector<FieldError> errors) {
  for (auto& error : errors) {
    error.field = Path(prefix, error.field);
    into.push_back(std::move(error));
  }
}

}  // namespace

std::vector<FieldError> ValidateRemoteOptions(const PortalOptions& options) {
  std::vector<FieldError> errors;
  if (options.elasticsearch) {
    AddPrefixed(errors, "search.elasticsearch", Validate(*options.elasticsearch));
    AddPrefixed(errors, "search.breaker", Validate(options.search_breaker));
  }
  if (options.knowledge_source) {
    AddPrefixed(errors, "knowledge_source", Validate(*options.knowledge_source));
    AddPrefixed(errors, "knowledge_source.breaker", Validate(options.knowledge_source_breaker));
    AddPrefixed(errors, "knowledge_source.sync", Validate(options.knowledge_sync));
  }
  if (options.ticket_system) {
    AddPrefixed(errors, "ticket_system", Validate(*options.ticket_system));
    AddPrefixed(errors, "ticket_system.breaker", Validate(options.ticket_system_breaker));
  }
  if (options.platform_ai) AddPrefixed(errors, "ai", Validate(*options.platform_ai));
  if (options.openai) AddPrefixed(errors, "ai", Validate(*options.openai));
  AddPrefixed(errors, "ai.breaker", Validate(options.ai_breaker));
  if (options.notifications.webhook) AddPrefixed(errors, "notifications.webhook", Validate(*options.notifications.webhook));
  if (options.notifications.email) AddPrefixed(errors, "notifications.email", Validate(*options.notifications.email));
  return errors;
}

Result<PortalOptions> PortalOptions::FromJson(std::string_view text) {
  auto object = ParseObject(text);
  if (!object) return Status::InvalidField("options_json", field_code::kInvalid);
  PortalOptions options;
  FieldChecker check;
  std::vector<FieldError> remote_errors;
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
    } else if (key == "search") {
      ReadSearch(value, options, remote_errors);
    } else if (key == "knowledge_source") {
      ReadKnowledgeSource(value, options, remote_errors);
    } else if (key == "ticket_system") {
      ReadTicketSystem(value, options, remote_errors);
    } else if (key == "ai") {
      ReadAi(value, options, remote_errors);
    } else if (key == "attachments") {
      ReadAttachments(value, options.attachments, remote_errors);
    } else if (key == "blob_dir") {
      if (value.is_string() && !value.get_string().empty()) {
        options.blob_dir = std::string(value.get_string());
      } else {
        check.Add("blob_dir", field_code::kInvalid);
      }
    } else if (key == "backup_dir") {
      if (value.is_string() && !value.get_string().empty()) {
        options.backup_dir = std::string(value.get_string());
      } else {
        check.Add("backup_dir", field_code::kInvalid);
      }
    } else if (key == "notifications") {
      ReadNotifications(value, options, remote_errors);
    } else if (key == "rate_limits") {
      ReadRateLimits(value, options, remote_errors);
    } else if (key == "auth") {
      ReadAuth(value, options, remote_errors);
    } else if (key == "encryption") {
      ReadEncryption(value, options, remote_errors);
    } else if (key == "analytics") {
      const json::value* write_behind = value.is_object() ? value.get_object().if_contains("write_behind_ms") : nullptr;
      if (!value.is_object()) {
        check.Add("analytics", field_code::kInvalid);
      } else if (write_behind != nullptr && !write_behind->is_int64()) {
        check.Add("analytics.write_behind_ms", field_code::kInvalid);
      } else if (write_behind != nullptr && (write_behind->get_int64() < 0 || write_behind->get_int64() > 10000)) {
        check.Add("analytics.write_behind_ms", field_code::kOutOfRange, {{"min", "0"}, {"max", "10000"}});
      } else if (write_behind != nullptr) {
        options.analytics_write_behind_ms = write_behind->get_int64();
      }
    } else if (key == "trust_host_context") {
      if (value.is_bool()) {
        options.trust_host_context = value.get_bool();
      } else {
        check.Add("trust_host_context", field_code::kInvalid);
      }
    } else {
      Log().warn("portal options: ignoring unknown key '{}'", std::string_view(key));
    }
  }
  std::vector<FieldError> errors = check.Take();
  // Type errors first; the rules only make sense for values of the right types.
  if (remote_errors.empty()) remote_errors = ValidateRemoteOptions(options);
  errors.insert(errors.end(), remote_errors.begin(), remote_errors.end());
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return options;
}

}  // namespace selfservice
