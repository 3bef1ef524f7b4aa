// PortalConfigEngine: the spec's defaults until a customer configures the portal, then merged
// updates of the fields a request names; identity and audit fields belong to the server.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine_test_support.hpp"

namespace selfservice {
namespace {

using test::Describe;
using test::JsonObject;
using test::kSecond;
using test::kStart;
using test::PlatformAdmin;
using test::User;

class PortalConfigEngineTest : public test::EngineTest {
 protected:
  std::optional<PortalConfig> Stored(std::int64_t customer_id) {
    auto found = store_->portal_configs().Find(Scope(PlatformAdmin(1, 1, 1)), customer_id);
    EXPECT_TRUE(found.ok()) << Describe(found);
    return found.ok() ? found.value() : std::nullopt;
  }

  Result<PortalConfig> Update(const char* patch, const RequestContext* who = nullptr) {
    return engine_.Update(who ? *who : admin_, 10, JsonObject(patch));
  }

  const RequestContext admin_ = PlatformAdmin(1, 1, 7);
  PortalConfigEngine engine_{*store_, clock_};
};

TEST_F(PortalConfigEngineTest, GetAnswersTheSpecsDefaultsWhenNothingIsStored) {
  auto config = engine_.Get(User(1, 10, 100), 10);
  ASSERT_TRUE(config.ok()) << Describe(config);
  EXPECT_FALSE(config->id.has_value());
  EXPECT_EQ(config->tenant_id, 1);
  EXPECT_EQ(config->customer_id, 10);
  EXPECT_EQ(config->portal_title, "客户服务门户");
  EXPECT_EQ(config->theme_color, "#409EFF");
  EXPECT_TRUE(config->enabled_features.empty());
  EXPECT_EQ(config->status, 1);
  EXPECT_FALSE(config->portal_domain.has_value());
  EXPECT_FALSE(config->logo_url.has_value());
  EXPECT_FALSE(config->contact_info.has_value());
  EXPECT_FALSE(Stored(10).has_value());
}

TEST_F(PortalConfigEngineTest, UpdateMergesTheNamedFieldsIntoWhatIsStored) {
  auto first = Update(R"({"portal_title": "ACME 支持", "enabled_features": ["faq_search", "tickets"]})");
  ASSERT_TRUE(first.ok()) << Describe(first);
  EXPECT_TRUE(first->id.has_value());
  EXPECT_EQ(first->portal_title, "ACME 支持");
  EXPECT_EQ(first->theme_color, "#409EFF");  // defaults fill what the first update leaves out
  EXPECT_EQ(first->enabled_features, (std::vector<std::string>{"faq_search", "tickets"}));

  auto second = Update(R"({"theme_color": "#fff", "contact_info": {"email": "help@example.com"}})");
  ASSERT_TRUE(second.ok()) << Describe(second);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->portal_title, "ACME 支持");
  EXPECT_EQ(second->theme_color, "#fff");
  EXPECT_EQ(second->enabled_features, (std::vector<std::string>{"faq_search", "tickets"}));
  EXPECT_EQ(second->contact_info, test::Json(R"({"email": "help@example.com"})"));

  auto got = engine_.Get(User(1, 10, 100), 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(ToJson(*got), ToJson(*second));

  auto cleared = Update(R"({"contact_info": null})");
  ASSERT_TRUE(cleared.ok()) << Describe(cleared);
  EXPECT_FALSE(cleared->contact_info.has_value());
  EXPECT_FALSE(Stored(10)->contact_info.has_value());
}

TEST_F(PortalConfigEngineTest, UpdateIgnoresServerOwnedFieldsAndRecordsTheAuthor) {
  auto created =
      Update(R"({"id": 999, "tenant_id": 2, "customer_id": 20, "created_at": "2000-01-01T00:00:00Z",
                            "created_by": 5, "updated_at": "2000-01-01T00:00:00Z", "updated_by": 6,
                            "portal_title": "mine"})");
  ASSERT_TRUE(created.ok()) << Describe(created);
  EXPECT_NE(created->id, 999);
  EXPECT_EQ(created->tenant_id, 1);
  EXPECT_EQ(created->customer_id, 10);
  EXPECT_EQ(created->created_at.millis, kStart);
  EXPECT_EQ(created->created_by, 7);
  EXPECT_EQ(created->updated_at.millis, kStart);
  EXPECT_EQ(created->updated_by, 7);
  EXPECT_EQ(ToJson(*Stored(10)), ToJson(*created));
  EXPECT_FALSE(Stored(20).has_value());

  clock_.Advance(60 * kSecond);
  const RequestContext other_admin = PlatformAdmin(1, 1, 8);
  auto updated = Update(R"({"created_at": "2000-01-01T00:00:00Z", "created_by": 5, "portal_title": "again"})",
                        &other_admin);
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->id, created->id);
  EXPECT_EQ(updated->created_at.millis, kStart);
  EXPECT_EQ(updated->created_by, 7);
  EXPECT_EQ(updated->updated_at.millis, kStart + 60 * kSecond);
  EXPECT_EQ(updated->updated_by, 8);
  EXPECT_EQ(ToJson(*Stored(10)), ToJson(*updated));
}

TEST_F(PortalConfigEngineTest, ServerOwnedFieldsAreIgnoredWhateverTheirType) {
  auto updated = Update(R"({"id": "abc", "tenant_id": null, "customer_id": [1], "created_at": "yesterday",
                            "created_by": "me", "updated_at": false, "updated_by": {},
                            "portal_title": "still applied"})");
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->portal_title, "still applied");
  EXPECT_EQ(updated->tenant_id, 1);
  EXPECT_EQ(updated->customer_id, 10);
  EXPECT_EQ(updated->created_by, 7);
}

TEST_F(PortalConfigEngineTest, AnInvalidUpdateStoresNothing) {
  auto refused = Update(R"({"theme_color": "blue", "portal_title": "never"})");
  ASSERT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << Describe(refused);
  ASSERT_EQ(refused.status().field_errors().size(), 1u);
  EXPECT_EQ(refused.status().field_errors()[0].field, "theme_color");
  EXPECT_FALSE(Stored(10).has_value());

  auto stored = Update(R"({"portal_title": "kept"})");
  ASSERT_TRUE(stored.ok());
  for (const char* patch :
       {R"({"theme_color": "#12345G", "portal_title": "never"})",
        R"({"enabled_features": ["teleport"], "portal_title": "never"})", R"({"portal_title": 5})",
        R"({"portal_title": "   "})", R"j({"logo_url": "javascript:alert(1)"})j", R"({"status": 3})",
        R"({"custom_css": "</style><script>"})"}) {
    clock_.Advance(kSecond);
    auto bad = Update(patch);
    EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument) << patch;
    EXPECT_EQ(ToJson(*Stored(10)), ToJson(*stored)) << patch;
  }
}

TEST_F(PortalConfigEngineTest, CustomersOutsideTheCallersScopeAreNotFound) {
  const RequestContext user = User(1, 20, 200);
  const RequestContext customer_admin = test::CustomerAdmin(1, 20, 201);
  for (const RequestContext* who : {&user, &customer_admin}) {
    EXPECT_EQ(engine_.Get(*who, 10).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(Update(R"({"portal_title": "theirs"})", who).status().code(), ErrorCode::kNotFound);
  }
  EXPECT_FALSE(Stored(10).has_value());
  auto own = engine_.Update(customer_admin, 20, JsonObject(R"({"portal_title": "ours"})"));
  ASSERT_TRUE(own.ok()) << Describe(own);
  EXPECT_EQ(own->customer_id, 20);
}

TEST_F(PortalConfigEngineTest, EachTenantConfiguresItsOwnCustomer) {
  ASSERT_TRUE(Update(R"({"portal_title": "tenant one"})").ok());
  auto other = engine_.Get(PlatformAdmin(2, 1, 1), 10);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->id.has_value());
  EXPECT_EQ(other->portal_title, "客户服务门户");
  EXPECT_EQ(other->tenant_id, 2);
}

}  // namespace
}  // namespace selfservice
