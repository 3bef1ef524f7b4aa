// portal.config.* and portal.theme.* through the API: roles, other customers, and bad values
// that must leave the stored configuration as it was.

#include "harness.hpp"

namespace selfservice::test {
namespace {

class ConfigTest : public PortalTest {
 protected:
  void SetUp() override {
    PortalTest::SetUp();
    ASSERT_TRUE(IsSuccess(Call("portal.config.update", CustomerAdmin(),
                               json::object{{"portal_title", "ACME 服务门户"},
                                            {"portal_domain", "support.acme.com"},
                                            {"logo_url", "https://cdn.acme.com/logo.png"},
                                            {"theme_color", "#112233"}})));
  }
  std::string Stored(std::int64_t customer_id = 10) {
    const json::object answer =
        Call("portal.config.get", PlatformAdmin(), json::object{{"customer_id", customer_id}});
    EXPECT_TRUE(IsSuccess(answer));
    return json::serialize(answer.at("data"));
  }
};

TEST_F(ConfigTest, CustomerAdminUpdateIsStored) {
  const json::object answer = Call("portal.config.get", User(), json::object{});
  ASSERT_TRUE(IsSuccess(answer));
  const json::object& data = answer.at("data").as_object();
  EXPECT_EQ(data.at("portal_title"), "ACME 服务门户");
  EXPECT_EQ(data.at("theme_color"), "#112233");
  EXPECT_EQ(data.at("customer_id"), 10);
  EXPECT_EQ(data.at("created_by"), 101);
  EXPECT_FALSE(data.at("id").is_null());
}

TEST_F(ConfigTest, DefaultsAreAnsweredWhenNothingIsStored) {
  const json::object answer = Call("portal.config.get", User(1, 11, 100), json::object{});
  ASSERT_TRUE(IsSuccess(answer));
  const json::object& data = answer.at("data").as_object();
  EXPECT_TRUE(data.at("id").is_null());
  EXPECT_TRUE(data.at("created_at").is_null());
  EXPECT_EQ(data.at("theme_color"), "#409EFF");
  EXPECT_EQ(data.at("customer_id"), 11);
  const json::object theme = Call("portal.theme.get", User(1, 11, 100), json::object{});
  ASSERT_TRUE(IsSuccess(theme));
  EXPECT_EQ(theme.at("data").at("theme_color"), "#409EFF");
}

TEST_F(ConfigTest, CustomerUserCannotUpdate) {
  const std::string before = Stored();
  for (std::string_view method : {"portal.config.update", "portal.theme.update"}) {
    EXPECT_TRUE(IsError(Call(method, User(), json::object{{"theme_color", "#000000"}}), 10003)) << method;
  }
  EXPECT_EQ(Stored(), before);
}

TEST_F(ConfigTest, BadValuesAreRefusedAndNothingChanges) {
  const std::string before = Stored();
  const std::pair<std::string, json::value> cases[] = {
      {"theme_color", "not-a-colour"},
      {"theme_color", "#12345"},
      {"theme_color", "#GGGGGG"},
      {"logo_url", "javascript:alert(1)"},
      {"logo_url", "ftp://cdn.acme.com/logo.png"},
      {"logo_url", "https://user:pw@cdn.acme.com/logo.png"},
      {"logo_url", json::string("https://cdn.acme.com/" + std::string(300, 'x'))},
      {"portal_domain", "bad domain"},
      {"portal_domain", "-acme.com"},
      {"portal_domain", "localhost"},
      {"portal_title", "   "},
      {"custom_css", "</style><script>alert(1)</script>"},
      {"enabled_features", json::array{"teleport"}},
      {"status", 3},
      {"contact_info", json::object{{"email", "not-an-email"}}},
  };
  for (const auto& [field, value] : cases) {
    for (std::string_view method : {"portal.config.update", "portal.theme.update"}) {
      const json::object answer = Call(method, CustomerAdmin(), json::object{{field, value}});
      const bool theme_field =
          field == "theme_color" || field == "logo_url" || field == "portal_title" || field == "custom_css";
      if (method == "portal.theme.update" && !theme_field) {
        EXPECT_TRUE(IsSuccess(answer)) << "theme.update ignores " << field;
        continue;
      }
      ASSERT_TRUE(IsError(answer, 10001)) << method << " " << field << " = " << value;
      EXPECT_EQ(answer.at("errors").as_array().size(), 1U) << answer;
      EXPECT_TRUE(answer.at("errors").at(0).at("field").as_string().starts_with(field)) << answer;
    }
  }
  EXPECT_EQ(Stored(), before);
}

TEST_F(ConfigTest, EveryBadValueIsListed) {
  const std::string before = Stored();
  const json::object answer =
      Call("portal.config.update", CustomerAdmin(),
           json::object{{"theme_color", "red"}, {"logo_url", "nope"}, {"portal_domain", "a b"}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "theme_color", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(answer, "logo_url", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(answer, "portal_domain", "FIELD_INVALID"));
  EXPECT_EQ(Stored(), before);
}

TEST_F(ConfigTest, EmptyPatchChangesNothing) {
  const std::string before = Stored();
  for (std::string_view method : {"portal.config.update", "portal.theme.update"}) {
    EXPECT_TRUE(IsSuccess(Call(method, CustomerAdmin(), json::object{}))) << method;
  }
  EXPECT_EQ(Stored(), before);
}

TEST_F(ConfigTest, ThemeUpdateChangesOnlyThemeFields) {
  const json::object answer =
      Call("portal.theme.update", CustomerAdmin(),
           json::object{{"theme_color", "#abc"}, {"portal_domain", "other.acme.com"}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("theme_color"), "#abc");
  EXPECT_FALSE(answer.at("data").as_object().contains("portal_domain"));
  const json::object config = Call("portal.config.get", User(), json::object{});
  EXPECT_EQ(config.at("data").at("theme_color"), "#abc");
  EXPECT_EQ(config.at("data").at("portal_domain"), "support.acme.com");
}

TEST_F(ConfigTest, ServerOwnedFieldsCannotBeForged) {
  const json::object before = Call("portal.config.get", User(), json::object{});
  const json::object answer =
      Call("portal.config.update", CustomerAdmin(),
           json::object{{"id", 999}, {"tenant_id", 2}, {"created_by", 5}, {"theme_color", "#000"}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("id"), before.at("data").at("id"));
  EXPECT_EQ(answer.at("data").at("tenant_id"), 1);
  EXPECT_EQ(answer.at("data").at("created_by"), 101);
  EXPECT_EQ(answer.at("data").at("updated_by"), 101);
}

TEST_F(ConfigTest, AnotherCustomersConfigIsHiddenFromCustomerRoles) {
  for (std::string_view method :
       {"portal.config.get", "portal.theme.get", "portal.config.update", "portal.theme.update"}) {
    EXPECT_TRUE(IsError(Call(method, CustomerAdmin(1, 11, 111), json::object{{"customer_id", 10}}), 10004))
        << method;
  }
  EXPECT_TRUE(IsError(Call("portal.config.get", User(1, 11, 111), json::object{{"customer_id", 10}}), 10004));
  EXPECT_TRUE(IsSuccess(Call("portal.config.get", CustomerAdmin(), json::object{{"customer_id", 10}})));
}

TEST_F(ConfigTest, PlatformAdminReachesEveryCustomerOfTheTenant) {
  const json::object answer = Call("portal.config.get", PlatformAdmin(), json::object{{"customer_id", 10}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("portal_title"), "ACME 服务门户");
  ASSERT_TRUE(IsSuccess(Call("portal.theme.update", PlatformAdmin(),
                             json::object{{"customer_id", 12}, {"theme_color", "#FFFFFF"}})));
  EXPECT_EQ(Call("portal.theme.get", User(1, 12, 120), json::object{}).at("data").at("theme_color"),
            "#FFFFFF");
  const json::object other_tenant =
      Call("portal.config.get", PlatformAdmin(2), json::object{{"customer_id", 10}});
  ASSERT_TRUE(IsSuccess(other_tenant));
  EXPECT_TRUE(other_tenant.at("data").at("id").is_null());
  EXPECT_EQ(other_tenant.at("data").at("theme_color"), "#409EFF");
}

TEST_F(ConfigTest, CustomerIdMustBeAPositiveInteger) {
  for (const json::value& id : {json::value("10"), json::value(0), json::value(-10), json::value(1.0)}) {
    for (std::string_view method : {"portal.config.get", "portal.theme.get"}) {
      const json::object answer = Call(method, PlatformAdmin(), json::object{{"customer_id", id}});
      ASSERT_TRUE(IsError(answer, 10001)) << method << " " << id;
      EXPECT_TRUE(HasFieldError(answer, "customer_id", "FIELD_INVALID"));
    }
  }
}

}  // namespace
}  // namespace selfservice::test
