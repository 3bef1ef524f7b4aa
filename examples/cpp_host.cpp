// cpp_host: a C++ host of libselfservice, using selfservice::Portal directly (no C ABI, no JSON
// text): a customer starts a session, gets an answer, resolves and rates it, then lists what they
// asked. Exits 0 only when every call answered as expected.
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <selfservice/selfservice.hpp>

namespace {

namespace json = boost::json;

// Calls one method, prints it with its envelope, and counts a failure when the code is not
// `expected`.
class Host {
 public:
  explicit Host(selfservice::Portal& portal) : portal_(portal) {}

  json::object Call(const selfservice::RequestContext& who, std::string_view method,
                    const json::object& request, std::int64_t expected = 200) {
    json::object envelope = portal_.Invoke(method, who, request);
    const bool ok = envelope.at("code") == expected;
    std::cout << method << ' ' << json::serialize(request) << "\n  -> " << json::serialize(envelope) << "\n";
    if (!ok) {
      ++failures_;
      std::cout << "  !! expected code " << expected << '\n';
    }
    return envelope;
  }

  int failures() const { return failures_; }

 private:
  selfservice::Portal& portal_;
  int failures_ = 0;
};

}  // namespace

int main() {
  selfservice::PortalOptions options;
  options.storage = "sqlite::memory:";
  auto portal = selfservice::Portal::Open(options);
  if (!portal.ok()) {
    std::cerr << "cpp_host: cannot open the portal: " << selfservice::ErrorEnvelope(portal.status()) << '\n';
    return 1;
  }
  std::cout << "libselfservice " << selfservice::Version() << '\n';

  selfservice::RequestContext customer;  // a caller this host has authenticated itself
  customer.tenant_id = 1;
  customer.customer_id = 10;
  customer.user_id = 100;
  customer.roles = static_cast<unsigned>(selfservice::Role::kCustomerUser);
  customer.locale = selfservice::Locale::kEnUS;
  customer.trace_id = "cpp-host";
  Host host(**portal);

  const json::object started = host.Call(
      customer, "sessions.start", {{"session_type", "ai_chat"}, {"initial_question", "VPN keeps dropping"}});
  const json::value* data = started.if_contains("data");
  const json::string session_id =
      data != nullptr && data->is_object() && data->as_object().contains("session_id")
          ? data->as_object().at("session_id").as_string()
          : json::string();

  host.Call(customer, "sessions.interactions.add",
            {{"session_id", session_id},
             {"interaction_type", "answer"},
             {"system_response", "Update the VPN client to 5.2; older clients drop idle tunnels."},
             {"ai_confidence", 0.9}});
  host.Call(customer, "sessions.transition",
            {{"session_id", session_id}, {"to", "resolved"}, {"resolution_status", "resolved"}});
  host.Call(customer, "satisfaction.submit", {{"session_id", session_id}, {"score", 9}}, 10001);
  host.Call(customer, "satisfaction.submit", {{"session_id", session_id}, {"score", 4}});
  const json::object listed = host.Call(customer, "sessions.list", {{"page", 1}, {"size", 10}});

  const bool one_session = listed.contains("pagination") && listed.at("pagination").at("total") == 1;
  if (!one_session) std::cout << "!! expected one session in the list\n";
  if (host.failures() != 0 || !one_session) return 1;
  std::cout << "cpp_host: every call answered as expected\n";
  return 0;
}
