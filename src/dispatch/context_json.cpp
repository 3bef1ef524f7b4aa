#include "dispatch/context_json.hpp"

#include <algorithm>
#include <cctype>

namespace selfservice {
namespace {

std::optional<std::int64_t> PositiveId(const boost::json::object& json, std::string_view key) {
  const boost::json::value* value = json.if_contains(key);
  if (value == nullptr || !value->is_int64() || value->get_int64() <= 0) return std::nullopt;
  return value->get_int64();
}

constexpr unsigned kAllRoles = static_cast<unsigned>(Role::kCustomerUser) |
                               static_cast<unsigned>(Role::kCustomerAdmin) |
                               static_cast<unsigned>(Role::kPlatformAdmin);

// An IPv4 or IPv6 literal's characters (hex digits, '.', ':', and '%' with a zone id).
bool IsAddress(std::string_view text) {
  return !text.empty() && text.size() <= 45 && std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == ':' || c == '%' || c == '_' || c == '-';
         });
}

bool IsPrintable(std::string_view text) {
  return text.size() <= 512 && std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= 0x20 && c != 0x7F; });
}

}  // namespace

Result<RequestContext> ParseCaller(const boost::json::object& json, Locale& locale) {
  RequestContext context;
  if (const boost::json::value* value = json.if_contains("locale"); value && value->is_string()) {
    const std::string_view name(value->get_string());
    locale = name.substr(0, 2) == "en" ? Locale::kEnUS : Locale::kZhCN;
  }
  context.locale = locale;
  if (const boost::json::value* trace = json.if_contains("trace_id"); trace && !trace->is_null()) {
    if (!trace->is_string()) return Status::Unauthenticated("trace_id");
    const std::string_view id(trace->get_string());
    if (!IsTraceId(id)) return Status::Unauthenticated("trace_id");
    context.trace_id = std::string(id);
  }
  if (const boost::json::value* address = json.if_contains("client_ip"); address && !address->is_null()) {
    if (!address->is_string() || !IsAddress(address->get_string())) return Status::Unauthenticated("client_ip");
    context.client_ip = std::string(address->get_string());
  }
  if (const boost::json::value* agent = json.if_contains("user_agent"); agent && !agent->is_null()) {
    if (!agent->is_string() || !IsPrintable(agent->get_string())) return Status::Unauthenticated("user_agent");
    context.user_agent = std::string(agent->get_string());
  }
  return context;
}

Result<RequestContext> ParseContext(const boost::json::object& json, Locale& locale) {
  auto parsed = ParseCaller(json, locale);
  if (!parsed.ok()) return parsed;
  RequestContext context = std::move(parsed).value();

  const auto tenant = PositiveId(json, "tenant_id");
  const auto customer = PositiveId(json, "customer_id");
  const auto user = PositiveId(json, "user_id");
  if (!tenant || !customer || !user) return Status::Unauthenticated("context needs tenant_id, customer_id, user_id");
  context.tenant_id = *tenant;
  context.customer_id = *customer;
  context.user_id = *user;

  if (const boost::json::value* roles = json.if_contains("roles"); roles && !roles->is_null()) {
    if (!roles->is_array() || roles->get_array().empty()) return Status::Unauthenticated("roles");
    context.roles = 0;
    for (const auto& role : roles->get_array()) {
      const std::string_view name = role.is_string() ? std::string_view(role.get_string()) : std::string_view();
      if (name == "customer_user") {
        context.roles |= static_cast<unsigned>(Role::kCustomerUser);
      } else if (name == "customer_admin") {
        context.roles |= static_cast<unsigned>(Role::kCustomerAdmin);
      } else if (name == "platform_admin") {
        context.roles |= static_cast<unsigned>(Role::kPlatformAdmin);
      } else {
        return Status::Unauthenticated("unknown role");
      }
    }
  }

  return context;
}

std::string TraceIdOf(const boost::json::object& json) {
  const boost::json::value* trace = json.if_contains("trace_id");
  if (trace == nullptr || !trace->is_string() || !IsTraceId(trace->get_string())) return {};
  return std::string(trace->get_string());
}

bool IsComplete(const RequestContext& context) {
  return context.tenant_id > 0 && context.customer_id > 0 && context.user_id > 0 && context.roles != 0 &&
         (context.roles & ~kAllRoles) == 0;
}

}  // namespace selfservice
