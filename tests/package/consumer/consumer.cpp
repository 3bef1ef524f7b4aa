// A C++ host of an installed libselfservice: opens a portal, starts a session, prints the version.
#include <iostream>

#include <boost/json/serialize.hpp>
#include <selfservice/selfservice.hpp>

int main() {
  selfservice::PortalOptions options;
  options.log_level = "off";
  auto portal = selfservice::Portal::Open(options);
  if (!portal.ok()) {
    std::cerr << "consumer_cpp: open failed: " << static_cast<int>(portal.status().code()) << '\n';
    return 1;
  }
  selfservice::RequestContext who;
  who.tenant_id = 1;
  who.customer_id = 10;
  who.user_id = 100;
  const boost::json::object answer =
      (*portal)->Invoke("sessions.start", who, {{"session_type", "search"}, {"initial_question", "VPN"}});
  const bool ok = answer.at("code") == 200;
  std::cout << "consumer_cpp: selfservice " << selfservice::Version() << ": sessions.start "
            << (ok ? "ok" : boost::json::serialize(answer)) << '\n';
  return ok ? 0 : 1;
}
