// A Portal opened from an options JSON text (as the C ABI opens one), on the system clock so that
// its circuit breakers time real calls, and called through the string API.

#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "harness.hpp"
#include "selfservice/portal.hpp"

namespace selfservice::test {

class OptionsPortal {
 public:
  explicit OptionsPortal(std::string_view options_json) {
    auto options = PortalOptions::FromJson(options_json);
    EXPECT_TRUE(options.ok()) << options.status().detail();
    if (!options.ok()) return;
    auto portal = Portal::Open(std::move(options).value());
    EXPECT_TRUE(portal.ok()) << portal.status().detail();
    if (portal.ok()) portal_ = std::move(portal).value();
  }

  bool ok() const { return portal_ != nullptr; }

  json::object Call(std::string_view method, const Caller& caller, const json::value& request) {
    const std::string answer =
        portal_->Invoke(method, json::serialize(caller.ToJson()), json::serialize(request));
    json::value parsed = json::parse(answer);
    return parsed.is_object() ? std::move(parsed.get_object()) : json::object{};
  }

  // data of a call that must succeed.
  json::object Data(std::string_view method, const Caller& caller, const json::value& request) {
    json::object answer = Call(method, caller, request);
    EXPECT_TRUE(IsSuccess(answer)) << method << " " << answer;
    const json::value* data = answer.if_contains("data");
    return data != nullptr && data->is_object() ? data->get_object() : json::object{};
  }

 private:
  std::unique_ptr<Portal> portal_;
};

}  // namespace selfservice::test
