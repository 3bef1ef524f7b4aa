// search.synonyms.*: a tenant's own synonyms widen its searches, and only its own.

#include "harness.hpp"

namespace selfservice::test {
namespace {

class SynonymsTest : public PortalTest {
 protected:
  void SetUp() override {
    PortalTest::SetUp();
    ASSERT_TRUE(IsSuccess(Call("knowledge.upsert", CustomerAdmin(),
                               json::object{{"title", "远程办公网关断开的处理"},
                                            {"body", "网关断开后，先检查证书是否过期，再重新登录网关。"},
                                            {"lang", "zh"}})));
  }

  std::size_t HitsFor(const Caller& who, std::string_view q) {
    const json::object answer = Call("search.query", who, json::object{{"q", q}, {"lang", "zh"}});
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return IsSuccess(answer) ? answer.at("data").at("hits").as_array().size() : 0;
  }
};

TEST_F(SynonymsTest, ATenantSynonymFindsWhatTheCustomersOwnWordsMiss) {
  EXPECT_EQ(HitsFor(User(), "小绿锁掉了"), 0u);
  const json::object set = Call("search.synonyms.set", CustomerAdmin(),
                                json::object{{"term", "小绿锁"}, {"synonyms", json::array{"远程办公网关"}}});
  ASSERT_TRUE(IsSuccess(set)) << set;
  EXPECT_EQ(set.at("data").at("term"), "小绿锁");
  EXPECT_EQ(HitsFor(User(), "小绿锁掉了"), 1u);
}

// An English synonym matches the words as the index holds them, so inflected forms match too.
TEST_F(SynonymsTest, AnEnglishSynonymMatchesTheInflectedFormsOfItsWords) {
  ASSERT_TRUE(IsSuccess(Call("search.synonyms.set", CustomerAdmin(),
                             json::object{{"term", "gateway"}, {"synonyms", json::array{"远程办公网关"}}})));
  EXPECT_EQ(HitsFor(User(), "Gateways dropped"), 1u);
  EXPECT_EQ(HitsFor(User(), "gatewayish"), 0u);
}

TEST_F(SynonymsTest, SynonymsOfOneTenantDoNotReachAnother) {
  ASSERT_TRUE(IsSuccess(Call("search.synonyms.set", CustomerAdmin(),
                             json::object{{"term", "小绿锁"}, {"synonyms", json::array{"远程办公网关"}}})));
  const json::object other = Call("search.synonyms.list", CustomerAdmin(2, 20, 200), json::object{});
  ASSERT_TRUE(IsSuccess(other));
  EXPECT_TRUE(other.at("data").as_array().empty());
  EXPECT_EQ(other.at("pagination").at("total"), 0);
}

TEST_F(SynonymsTest, AnEmptyListRemovesTheEntry) {
  ASSERT_TRUE(IsSuccess(Call("search.synonyms.set", CustomerAdmin(),
                             json::object{{"term", "小绿锁"}, {"synonyms", json::array{"远程办公网关"}}})));
  ASSERT_TRUE(IsSuccess(
      Call("search.synonyms.set", CustomerAdmin(), json::object{{"term", "小绿锁"}, {"synonyms", json::array{}}})));
  EXPECT_EQ(Call("search.synonyms.list", CustomerAdmin(), json::object{}).at("pagination").at("total"), 0);
  EXPECT_EQ(HitsFor(User(), "小绿锁掉了"), 0u);
}

TEST_F(SynonymsTest, ListShowsEntriesByTerm) {
  for (const char* term : {"b-term", "a-term"}) {
    ASSERT_TRUE(IsSuccess(
        Call("search.synonyms.set", CustomerAdmin(), json::object{{"term", term}, {"synonyms", json::array{"x"}}})));
  }
  const json::object list = Call("search.synonyms.list", CustomerAdmin(), json::object{});
  ASSERT_TRUE(IsSuccess(list));
  ASSERT_EQ(list.at("data").as_array().size(), 2u);
  EXPECT_EQ(list.at("data").at(0).at("term"), "a-term");
}

TEST_F(SynonymsTest, OnlyAdministratorsEditOrReadTheDictionary) {
  EXPECT_TRUE(IsError(
      Call("search.synonyms.set", User(), json::object{{"term", "t"}, {"synonyms", json::array{"x"}}}), 10003));
  EXPECT_TRUE(IsError(Call("search.synonyms.list", User(), json::object{}), 10003));
}

TEST_F(SynonymsTest, BlankOrOverlongSynonymsAreRefusedAndNothingIsStored) {
  const json::object blank =
      Call("search.synonyms.set", CustomerAdmin(), json::object{{"term", "t"}, {"synonyms", json::array{"ok", " "}}});
  ASSERT_TRUE(IsError(blank, 10001));
  EXPECT_TRUE(HasFieldError(blank, "synonyms[1]", "FIELD_REQUIRED"));
  json::array many;
  for (int i = 0; i < 21; ++i) many.emplace_back("s" + std::to_string(i));
  const json::object too_many =
      Call("search.synonyms.set", CustomerAdmin(), json::object{{"term", "t"}, {"synonyms", many}});
  ASSERT_TRUE(IsError(too_many, 10001));
  EXPECT_TRUE(HasFieldError(too_many, "synonyms", "FIELD_TOO_LONG"));
  EXPECT_EQ(Call("search.synonyms.list", CustomerAdmin(), json::object{}).at("pagination").at("total"), 0);
}

}  // namespace
}  // namespace selfservice::test
