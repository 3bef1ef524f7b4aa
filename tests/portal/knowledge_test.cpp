// knowledge.* through the API: who may call which method, tenant isolation, drafts, pagination,
// and the report of knowledge.import.

#include <fstream>
#include <set>
#include <string>

#include "harness.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {
namespace {

// The keys of a JSON object.
std::set<std::string> Keys(const json::value& value) {
  std::set<std::string> keys;
  for (const auto& entry : value.as_object()) keys.emplace(entry.key());
  return keys;
}

class KnowledgeTest : public PortalTest {
 protected:
  // Upserts an article as the customer administrator; returns its id.
  std::int64_t Upsert(json::object fields, const Caller& caller = CustomerAdmin()) {
    if (!fields.contains("title")) fields["title"] = "VPN drops";
    if (!fields.contains("body")) fields["body"] = "Reconnect.";
    const json::object answer = Call("knowledge.upsert", caller, fields);
    EXPECT_TRUE(IsSuccess(answer));
    return IsSuccess(answer) ? answer.at("data").at("id").as_int64() : 0;
  }

  // The article as platform_admin sees it (which counts a view).
  json::object Get(std::int64_t id, const Caller& caller = PlatformAdmin()) {
    const json::object answer = Call("knowledge.get", caller, json::object{{"id", id}});
    EXPECT_TRUE(IsSuccess(answer));
    return IsSuccess(answer) ? answer.at("data").as_object() : json::object{};
  }

  TempDir dir_;
};

// --- Roles ---------------------------------------------------------------------------------------

TEST_F(KnowledgeTest, UpsertAnswersTheArticleAndWhetherItWasCreated) {
  const json::object first = Call("knowledge.upsert", CustomerAdmin(),
                                  json::object{{"external_id", "kb-1"}, {"title", "VPN"}, {"body", "b"}});
  ASSERT_TRUE(IsSuccess(first));
  EXPECT_EQ(first.at("data").at("created"), true);
  EXPECT_EQ(first.at("data").at("tenant_id"), 1);
  EXPECT_EQ(first.at("data").at("status"), "published");
  const json::object second = Call("knowledge.upsert", CustomerAdmin(),
                                   json::object{{"external_id", "kb-1"}, {"title", "VPN 2"}, {"body", "b"}});
  ASSERT_TRUE(IsSuccess(second));
  EXPECT_EQ(second.at("data").at("created"), false);
  EXPECT_EQ(second.at("data").at("id"), first.at("data").at("id"));
  EXPECT_EQ(second.at("data").at("title"), "VPN 2");
}

TEST_F(KnowledgeTest, PlatformAdminsMayWriteKnowledge) {
  const std::int64_t id = Upsert({}, PlatformAdmin());
  EXPECT_TRUE(IsSuccess(Call("knowledge.delete", PlatformAdmin(), json::object{{"id", id}})));
  EXPECT_TRUE(
      IsSuccess(Call("knowledge.import", PlatformAdmin(),
                     json::object{{"articles", json::array{json::object{{"title", "t"}, {"body", "b"}}}}})));
}

TEST_F(KnowledgeTest, CustomerUsersMayNotUpsert) {
  const json::object answer = Call("knowledge.upsert", User(), json::object{{"title", "t"}, {"body", "b"}});
  EXPECT_TRUE(IsError(answer, 10003));
  EXPECT_EQ(Total("knowledge.list", PlatformAdmin()), 0);
}

TEST_F(KnowledgeTest, CustomerUsersMayNotDelete) {
  const std::int64_t id = Upsert({});
  EXPECT_TRUE(IsError(Call("knowledge.delete", User(), json::object{{"id", id}}), 10003));
  EXPECT_EQ(Total("knowledge.list", PlatformAdmin()), 1);
}

TEST_F(KnowledgeTest, CustomerUsersMayNotImport) {
  const json::object answer =
      Call("knowledge.import", User(),
           json::object{{"articles", json::array{json::object{{"title", "t"}, {"body", "b"}}}}});
  EXPECT_TRUE(IsError(answer, 10003));
  EXPECT_EQ(Total("knowledge.list", PlatformAdmin()), 0);
}

TEST_F(KnowledgeTest, CustomerUsersMayReadListAndVote) {
  const std::int64_t id = Upsert({});
  const json::object got = Call("knowledge.get", User(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(got));
  EXPECT_EQ(got.at("data").at("views"), 1);
  EXPECT_EQ(Total("knowledge.list", User()), 1);
  EXPECT_TRUE(IsSuccess(Call("knowledge.vote", User(), json::object{{"article_id", id}, {"helpful", true}})));
}

// An HTTP host turns the route's path parameters into request fields of the same name.
TEST_F(KnowledgeTest, EveryPathParameterOfAKnowledgeRouteIsARequiredRequestField) {
  int checked = 0;
  for (const auto& method : Portal::Methods()) {
    if (!method.name.starts_with("knowledge.")) continue;
    const std::string_view route = method.route;
    for (auto open = route.find('{'); open != std::string_view::npos; open = route.find('{', open + 1)) {
      const std::string param(route.substr(open + 1, route.find('}', open) - open - 1));
      const json::object answer = Call(method.name, PlatformAdmin(), json::object{});
      ASSERT_TRUE(IsError(answer, 10001)) << method.name;
      EXPECT_TRUE(HasFieldError(answer, param, "FIELD_REQUIRED")) << method.name << " " << route;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3);  // get, delete, vote
}

// --- Tenants and drafts --------------------------------------------------------------------------

TEST_F(KnowledgeTest, AnotherTenantsArticleIsNotFoundForGetDeleteAndVote) {
  const std::int64_t id = Upsert({});
  const Caller stranger = CustomerAdmin(2, 20, 201);
  EXPECT_TRUE(IsError(Call("knowledge.get", stranger, json::object{{"id", id}}), 10004));
  EXPECT_TRUE(IsError(Call("knowledge.delete", stranger, json::object{{"id", id}}), 10004));
  EXPECT_TRUE(
      IsError(Call("knowledge.vote", stranger, json::object{{"article_id", id}, {"helpful", false}}), 10004));
  EXPECT_EQ(Total("knowledge.list", stranger), 0);
  const json::object article = Get(id);
  EXPECT_EQ(article.at("views"), 1);  // this read only
  EXPECT_EQ(article.at("unhelpful_votes"), 0);
}

TEST_F(KnowledgeTest, UpsertByIdOfAnotherTenantsArticleIsNotFound) {
  const std::int64_t id = Upsert({});
  const json::object answer = Call("knowledge.upsert", CustomerAdmin(2, 20, 201),
                                   json::object{{"id", id}, {"title", "x"}, {"body", "y"}});
  EXPECT_TRUE(IsError(answer, 10004));
  EXPECT_EQ(Get(id).at("title"), "VPN drops");
}

TEST_F(KnowledgeTest, DraftsAreNotFoundForCustomerUsersAndVisibleToAdministrators) {
  const std::int64_t id = Upsert({{"status", "draft"}});
  EXPECT_TRUE(IsError(Call("knowledge.get", User(), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(
      IsError(Call("knowledge.vote", User(), json::object{{"article_id", id}, {"helpful", true}}), 10004));
  EXPECT_TRUE(IsSuccess(Call("knowledge.get", CustomerAdmin(), json::object{{"id", id}})));
}

TEST_F(KnowledgeTest, ListHidesDraftsFromCustomerUsersWhateverStatusTheyAskFor) {
  Upsert({{"status", "published"}});
  Upsert({{"status", "draft"}});
  Upsert({{"status", "archived"}});
  EXPECT_EQ(Total("knowledge.list", User()), 1);
  EXPECT_EQ(Total("knowledge.list", User(), json::object{{"status", "draft"}}), 0);
  EXPECT_EQ(Total("knowledge.list", CustomerAdmin()), 3);
  EXPECT_EQ(Total("knowledge.list", CustomerAdmin(), json::object{{"status", "draft"}}), 1);
}

// --- Delete, vote, list --------------------------------------------------------------------------

TEST_F(KnowledgeTest, DeleteAnswersTheIdAndTheArticleIsGone) {
  const std::int64_t id = Upsert({});
  const json::object answer = Call("knowledge.delete", CustomerAdmin(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data"), (json::object{{"id", id}, {"deleted", true}}));
  EXPECT_TRUE(IsError(Call("knowledge.get", PlatformAdmin(), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(IsError(Call("knowledge.delete", CustomerAdmin(), json::object{{"id", id}}), 10004));
}

TEST_F(KnowledgeTest, VoteAnswersTheArticleWithItsCounts) {
  const std::int64_t id = Upsert({});
  ASSERT_TRUE(IsSuccess(Call("knowledge.vote", User(), json::object{{"article_id", id}, {"helpful", true}})));
  const json::object answer =
      Call("knowledge.vote", User(), json::object{{"article_id", id}, {"helpful", false}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("id"), id);
  EXPECT_EQ(answer.at("data").at("helpful_votes"), 1);
  EXPECT_EQ(answer.at("data").at("unhelpful_votes"), 1);
}

TEST_F(KnowledgeTest, ListPaginatesNewestFirst) {
  for (int i = 1; i <= 25; ++i) {
    Upsert({{"external_id", "kb-" + std::to_string(i)}});
    clock_->Advance(1000);
  }
  const json::object first = Call("knowledge.list", User(), json::object{{"page", 1}, {"size", 10}});
  ASSERT_TRUE(IsSuccess(first));
  EXPECT_EQ(first.at("data").as_array().size(), 10u);
  EXPECT_EQ(first.at("data").as_array().front().at("external_id"), "kb-25");
  const json::object last = Call("knowledge.list", User(), json::object{{"page", 3}, {"size", 10}});
  ASSERT_TRUE(IsSuccess(last));
  ASSERT_EQ(last.at("data").as_array().size(), 5u);
  EXPECT_EQ(last.at("data").as_array().back().at("external_id"), "kb-1");
  EXPECT_EQ(last.at("pagination"), (json::object{{"page", 3}, {"size", 10}, {"total", 25}, {"pages", 3}}));
  const json::object past = Call("knowledge.list", User(), json::object{{"page", 4}, {"size", 10}});
  ASSERT_TRUE(IsSuccess(past));
  EXPECT_TRUE(past.at("data").as_array().empty());
}

TEST_F(KnowledgeTest, ListFiltersByLanguageAndCategory) {
  Upsert({{"lang", "en"}, {"category", "Network"}});
  Upsert({{"lang", "zh"}, {"category", "Network"}});
  Upsert({{"lang", "en"}, {"category", "Packages"}});
  EXPECT_EQ(Total("knowledge.list", User(), json::object{{"lang", "en"}}), 2);
  EXPECT_EQ(Total("knowledge.list", User(), json::object{{"category", "Network"}}), 2);
  EXPECT_EQ(Total("knowledge.list", User(), json::object{{"lang", "en"}, {"category", "Network"}}), 1);
}

// --- Import --------------------------------------------------------------------------------------

TEST_F(KnowledgeTest, ImportAnswersItsReport) {
  const json::object answer = Call("knowledge.import", CustomerAdmin(), Json(R"({"articles": [
      {"id": "kb-1", "title": "One", "body": "b", "lang": "en"},
      {"id": "kb-2", "body": "no title", "lang": "xx"},
      7]})"));
  ASSERT_TRUE(IsSuccess(answer));
  const json::value& data = answer.at("data");
  EXPECT_EQ(Keys(data), (std::set<std::string>{"imported", "updated", "failed", "errors", "cancelled"}));
  EXPECT_EQ(data.at("cancelled"), false);
  EXPECT_EQ(data.at("imported"), 1);
  EXPECT_EQ(data.at("updated"), 0);
  EXPECT_EQ(data.at("failed"), 2);
  const json::array& errors = data.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(Keys(errors[0]), (std::set<std::string>{"line", "external_id", "errors"}));
  EXPECT_EQ(errors[0].at("line"), 2);
  EXPECT_EQ(errors[0].at("external_id"), "kb-2");
  const json::array& fields = errors[0].at("errors").as_array();
  ASSERT_EQ(fields.size(), 1u);  // the shape first: lang; the rules (title) once the shape is right
  EXPECT_EQ(Keys(fields[0]), (std::set<std::string>{"field", "code", "message"}));
  EXPECT_EQ(fields[0].at("field"), "lang");
  EXPECT_EQ(fields[0].at("code"), "VALUE_NOT_ALLOWED");
  EXPECT_EQ(errors[1].at("line"), 3);
  EXPECT_TRUE(errors[1].at("external_id").is_null());
  EXPECT_EQ(errors[1].at("errors").at(0).at("field"), "article");
}

TEST_F(KnowledgeTest, ImportMessagesAreInTheCallersLocale) {
  const json::value request = Json(R"({"articles": [{"id": "kb-1", "body": "no title"}]})");
  const json::object en = Call("knowledge.import", CustomerAdmin().WithLocale("en-US"), request);
  const json::object zh = Call("knowledge.import", CustomerAdmin().WithLocale("zh-CN"), request);
  ASSERT_TRUE(IsSuccess(en));
  ASSERT_TRUE(IsSuccess(zh));
  EXPECT_EQ(en.at("data").at("errors").at(0).at("errors").at(0).at("message"), "title is required");
  EXPECT_EQ(zh.at("data").at("errors").at(0).at("errors").at(0).at("message"), "title 不能为空");
  EXPECT_EQ(zh.at("message"), "成功");
}

TEST_F(KnowledgeTest, ImportReadsAJsonLinesFileAndReimportUpdates) {
  const std::string path = dir_.File("kb.jsonl");
  std::ofstream(path) << R"({"id": "kb-1", "title": "One", "body": "b", "lang": "en"})"
                      << "\n"
                      << R"({"id": "kb-2", "title": "二", "body": "b", "lang": "zh"})"
                      << "\n";
  const json::object first = Call("knowledge.import", PlatformAdmin(), json::object{{"path", path}});
  ASSERT_TRUE(IsSuccess(first));
  EXPECT_EQ(first.at("data").at("imported"), 2);
  const json::object second = Call("knowledge.import", PlatformAdmin(), json::object{{"path", path}});
  ASSERT_TRUE(IsSuccess(second));
  EXPECT_EQ(second.at("data").at("imported"), 0);
  EXPECT_EQ(second.at("data").at("updated"), 2);
  EXPECT_EQ(Total("knowledge.list", User()), 2);
}

TEST_F(KnowledgeTest, ImportNeedsExactlyOneOfPathAndArticles) {
  const json::object neither = Call("knowledge.import", CustomerAdmin(), json::object{});
  ASSERT_TRUE(IsError(neither, 10001));
  EXPECT_TRUE(HasFieldError(neither, "path", "FIELD_REQUIRED"));
  const json::object both = Call("knowledge.import", CustomerAdmin(),
                                 json::object{{"path", dir_.File("kb.jsonl")}, {"articles", json::array{}}});
  EXPECT_TRUE(IsError(both, 10001));
}

TEST_F(KnowledgeTest, OnlyThePlatformImportsFromAFileOfTheHost) {
  const json::object answer =
      Call("knowledge.import", CustomerAdmin(), json::object{{"path", dir_.File("kb.jsonl")}});
  EXPECT_TRUE(IsError(answer, 10003)) << answer;
  const json::object articles = Call("knowledge.import", CustomerAdmin(),
                                     json::object{{"articles", json::array{json::object{{"title", "t"}, {"body", "b"}}}}});
  EXPECT_TRUE(IsSuccess(articles)) << articles;
}

TEST_F(KnowledgeTest, ImportOfARelativeOrMissingPathIsInvalid) {
  for (const std::string& path : {std::string("kb.jsonl"), dir_.File("missing.jsonl")}) {
    const json::object answer = Call("knowledge.import", PlatformAdmin(), json::object{{"path", path}});
    ASSERT_TRUE(IsError(answer, 10001)) << path;
    EXPECT_TRUE(HasFieldError(answer, "path", "FIELD_INVALID")) << path;
  }
}

}  // namespace
}  // namespace selfservice::test
