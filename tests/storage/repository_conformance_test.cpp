// Repository conformance: the contract of repository.hpp, written once and run against every
// storage adapter (each URI of kStorageUris). A new adapter joins by adding its URI.

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "selfservice/repository.hpp"
#include "storage/storage_test_support.hpp"

namespace selfservice {
namespace {

using test::CustomerAdmin;
using test::Describe;
using test::PlatformAdmin;
using test::User;

constexpr std::int64_t kT0 = 1'700'000'000'000;


class RepositoryConformance : public test::AdapterTest {
 protected:
  SessionRepository& sessions() { return store_->sessions(); }
  FeedbackRepository& feedback() { return store_->feedback(); }
  AnalyticsRepository& analytics() { return store_->analytics(); }
  PortalConfigRepository& configs() { return store_->portal_configs(); }

  // A stored session of `owner` in `state`, created and last updated at the given times.
  Session AddSession(const RequestContext& owner, const std::string& id, std::int64_t created_millis,
                     SessionState state = SessionState::in_progress, std::optional<std::int64_t> updated = {},
                     SessionType type = SessionType::search) {
    Session v = test::MinimalSession(owner, id, created_millis);
    v.state = state;
    v.session_type = type;
    v.initial_question = "question of " + id;
    if (updated) v.updated_at = Timestamp{*updated};
    auto created = sessions().Create(Scope(owner), v);
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? created.value() : v;
  }

  Feedback AddFeedback(const RequestContext& owner, std::int64_t created_millis,
                       FeedbackState state = FeedbackState::pending,
                       FeedbackType type = FeedbackType::service) {
    Feedback v = test::MinimalFeedback(owner, created_millis);
    v.state = state;
    v.feedback_type = type;
    auto created = feedback().Create(Scope(owner), v);
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? created.value() : v;
  }

  void AddEvents(const RequestContext& owner, const std::vector<BehaviorEvent>& events) {
    Status status = analytics().Append(Scope(owner), events);
    EXPECT_TRUE(status.ok()) << Describe(status);
  }

  Session GetSession(const RequestContext& who, const std::string& id) {
    auto found = sessions().Get(Scope(who), id);
    EXPECT_TRUE(found.ok()) << Describe(found);
    return found.ok() ? found.value() : Session{};
  }

};

std::vector<std::string> SessionIds(const Page<Session>& page) {
  std::vector<std::string> ids;
  for (const auto& s : page.items) ids.push_back(s.session_id);
  return ids;
}

std::string Sid(int n) {
  return "sess_" + std::to_string(1000 + n);
}

// --- Round trips ---------------------------------------------------------------------------------

TEST_P(RepositoryConformance, SessionCreateAssignsRowIdAndGetReturnsEveryField) {
  const auto owner = User(1, 10, 100);
  Session full = test::FullSession(owner, "sess_full", kT0);
  auto created = sessions().Create(Scope(owner), full);
  ASSERT_TRUE(created.ok()) << Describe(created);
  EXPECT_GT(created->id, 0);
  full.id = created->id;
  EXPECT_EQ(ToJson(*created), ToJson(full));
  EXPECT_EQ(ToJson(GetSession(owner, "sess_full")), ToJson(full));
}

TEST_P(RepositoryConformance, SessionWithoutOptionalFieldsRoundTrips) {
  const auto owner = User(1, 10, 100);
  Session minimal = test::MinimalSession(owner, "sess_min", kT0);
  auto created = sessions().Create(Scope(owner), minimal);
  ASSERT_TRUE(created.ok()) << Describe(created);
  minimal.id = created->id;
  const Session got = GetSession(owner, "sess_min");
  EXPECT_EQ(ToJson(got), ToJson(minimal));
  EXPECT_FALSE(got.session_context.has_value());
  EXPECT_FALSE(got.satisfaction_score.has_value());
  EXPECT_FALSE(got.feedback_content.has_value());
  EXPECT_FALSE(got.ended_at.has_value());
}

TEST_P(RepositoryConformance, SessionRowIdsAreDistinct) {
  const auto owner = User(1, 10, 100);
  const Session a = AddSession(owner, Sid(1), kT0);
  const Session b = AddSession(owner, Sid(2), kT0);
  EXPECT_NE(a.id, b.id);
}

TEST_P(RepositoryConformance, DuplicateSessionIdIsRefusedAndKeepsTheFirst) {
  const auto owner = User(1, 10, 100);
  const Session first = AddSession(owner, "sess_dup", kT0);
  Session second = test::FullSession(owner, "sess_dup", kT0 + 5);
  auto created = sessions().Create(Scope(owner), second);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ToJson(GetSession(owner, "sess_dup")), ToJson(first));
}

TEST_P(RepositoryConformance, SessionUpdateStoresEveryMutableField) {
  const auto owner = User(1, 10, 100);
  AddSession(owner, "sess_u", kT0, SessionState::not_started);
  auto updated = sessions().Update(Scope(owner), "sess_u", [](Session& s, std::vector<Interaction>&) {
    s.initial_question = "新问题";
    s.session_context = test::Json(R"({"k":[1,2,{"x":null}]})");
    s.state = SessionState::rated;
    s.resolution_status = ResolutionStatus::resolved;
    s.satisfaction_score = 5;
    s.feedback_content = "thanks";
    s.session_duration = 3600;
    s.interaction_count = 12;
    s.updated_at = Timestamp{kT0 + 3'600'000};
    s.ended_at = Timestamp{kT0 + 3'600'001};
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_TRUE(updated->appended.empty());
  const Session got = GetSession(owner, "sess_u");
  EXPECT_EQ(ToJson(got), ToJson(updated->session));
  EXPECT_EQ(got.initial_question, "新问题");
  EXPECT_EQ(got.session_context, test::Json(R"({"k":[1,2,{"x":null}]})"));
  EXPECT_EQ(got.state, SessionState::rated);
  EXPECT_EQ(got.resolution_status, ResolutionStatus::resolved);
  EXPECT_EQ(got.satisfaction_score, 5);
  EXPECT_EQ(got.feedback_content, "thanks");
  EXPECT_EQ(got.session_duration, 3600);
  EXPECT_EQ(got.interaction_count, 12);
  EXPECT_EQ(got.updated_at.millis, kT0 + 3'600'000);
  ASSERT_TRUE(got.ended_at.has_value());
  EXPECT_EQ(got.ended_at->millis, kT0 + 3'600'001);
}

TEST_P(RepositoryConformance, SessionUpdateCanClearOptionalFields) {
  const auto owner = User(1, 10, 100);
  ASSERT_TRUE(sessions().Create(Scope(owner), test::FullSession(owner, "sess_c", kT0)).ok());
  auto updated = sessions().Update(Scope(owner), "sess_c", [](Session& s, std::vector<Interaction>&) {
    s.session_context.reset();
    s.satisfaction_score.reset();
    s.feedback_content.reset();
    s.ended_at.reset();
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  const Session got = GetSession(owner, "sess_c");
  EXPECT_FALSE(got.session_context.has_value());
  EXPECT_FALSE(got.satisfaction_score.has_value());
  EXPECT_FALSE(got.feedback_content.has_value());
  EXPECT_FALSE(got.ended_at.has_value());
}

TEST_P(RepositoryConformance, AppendedInteractionsRoundTripEveryField) {
  const auto owner = User(1, 10, 100);
  AddSession(owner, "sess_i", kT0);
  Interaction minimal;
  minimal.interaction_type = InteractionType::question;
  minimal.user_input = "q";
  minimal.created_at = Timestamp{kT0 + 2};
  auto updated = sessions().Update(Scope(owner), "sess_i", [&](Session&, std::vector<Interaction>& append) {
    append.push_back(test::FullInteraction(kT0 + 1));
    append.push_back(minimal);
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  ASSERT_EQ(updated->appended.size(), 2u);
  for (const auto& appended : updated->appended) {
    EXPECT_GT(appended.id, 0);
    EXPECT_EQ(appended.session_id, "sess_i");
    EXPECT_EQ(appended.tenant_id, 1);
  }
  EXPECT_NE(updated->appended[0].id, updated->appended[1].id);

  auto listed = sessions().ListInteractions(Scope(owner), "sess_i", PageRequest{1, 20});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  EXPECT_EQ(listed->total, 2);
  ASSERT_EQ(listed->items.size(), 2u);
  EXPECT_EQ(ToJson(listed->items[0]), ToJson(updated->appended[0]));
  EXPECT_EQ(ToJson(listed->items[1]), ToJson(updated->appended[1]));
  EXPECT_EQ(listed->items[0].ai_confidence, 0.87);
  EXPECT_EQ(listed->items[0].knowledge_article_ids, (std::vector<std::int64_t>{3, 1, 4'000'000'000'001}));
  EXPECT_FALSE(listed->items[1].system_response.has_value());
  EXPECT_FALSE(listed->items[1].ai_confidence.has_value());
  EXPECT_FALSE(listed->items[1].response_time.has_value());
  EXPECT_FALSE(listed->items[1].helpful_rating.has_value());
  EXPECT_TRUE(listed->items[1].knowledge_article_ids.empty());
}

TEST_P(RepositoryConformance, UpdateOfUnknownSessionAnswersNotFoundWithoutCallingTheMutation) {
  const auto owner = User(1, 10, 100);
  bool called = false;
  auto updated = sessions().Update(Scope(owner), "sess_nope", [&](Session&, std::vector<Interaction>&) {
    called = true;
    return Status::Ok();
  });
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(called);
  auto got = sessions().Get(Scope(owner), "sess_nope");
  EXPECT_EQ(got.status().code(), ErrorCode::kNotFound);
  auto listed = sessions().ListInteractions(Scope(owner), "sess_nope", PageRequest{});
  EXPECT_EQ(listed.status().code(), ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, SessionUpdateCannotChangeIdentityAndAnswersWhatIsStored) {
  const auto owner = User(1, 10, 100);
  const Session before = AddSession(owner, "sess_id", kT0);
  auto updated = sessions().Update(Scope(owner), "sess_id", [](Session& s, std::vector<Interaction>&) {
    s.id += 1000;
    s.session_id = "sess_other";
    s.tenant_id = 2;
    s.customer_id = 20;
    s.user_id = 200;
    s.session_type = SessionType::ticket;
    s.created_at = Timestamp{1};
    s.interaction_count = 3;
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  const Session stored = GetSession(owner, "sess_id");
  EXPECT_EQ(ToJson(updated->session), ToJson(stored));
  EXPECT_EQ(stored.id, before.id);
  EXPECT_EQ(stored.tenant_id, 1);
  EXPECT_EQ(stored.customer_id, 10);
  EXPECT_EQ(stored.user_id, 100);
  EXPECT_EQ(stored.session_type, before.session_type);
  EXPECT_EQ(stored.created_at, before.created_at);
  EXPECT_EQ(stored.interaction_count, 3);
  EXPECT_EQ(sessions().Get(Scope(owner), "sess_other").status().code(), ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, FeedbackRoundTripsEveryField) {
  const auto owner = User(1, 10, 100);
  for (Feedback expected : {test::FullFeedback(owner, kT0), test::MinimalFeedback(owner, kT0 + 1)}) {
    auto created = feedback().Create(Scope(owner), expected);
    ASSERT_TRUE(created.ok()) << Describe(created);
    EXPECT_GT(created->id, 0);
    expected.id = created->id;
    EXPECT_EQ(ToJson(*created), ToJson(expected));
    auto got = feedback().Get(Scope(owner), created->id);
    ASSERT_TRUE(got.ok()) << Describe(got);
    EXPECT_EQ(ToJson(*got), ToJson(expected));
  }
}

TEST_P(RepositoryConformance, FeedbackUpdateStoresEveryMutableField) {
  const auto owner = User(1, 10, 100);
  const Feedback stored = AddFeedback(owner, kT0);
  auto updated = feedback().Update(Scope(owner), stored.id, [](Feedback& f) {
    f.rating = 5;
    f.feedback_content = "better now";
    f.suggestions = "none";
    f.contact_required = true;
    f.priority_level = 3;
    f.sentiment_score = 0.5;
    f.state = FeedbackState::processed;
    f.processed_by = 42;
    f.processed_at = Timestamp{kT0 + 10};
    f.response_content = "done";
    f.updated_at = Timestamp{kT0 + 11};
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  auto got = feedback().Get(Scope(owner), stored.id);
  ASSERT_TRUE(got.ok()) << Describe(got);
  EXPECT_EQ(ToJson(*got), ToJson(*updated));
  EXPECT_EQ(got->rating, 5);
  EXPECT_EQ(got->sentiment_score, 0.5);
  EXPECT_EQ(got->state, FeedbackState::processed);
  EXPECT_EQ(got->processed_by, 42);
  ASSERT_TRUE(got->processed_at.has_value());
  EXPECT_EQ(got->processed_at->millis, kT0 + 10);
  EXPECT_EQ(got->updated_at.millis, kT0 + 11);
  EXPECT_EQ(got->created_at.millis, kT0);
}

TEST_P(RepositoryConformance, FeedbackUpdateCannotChangeIdentityAndAnswersWhatIsStored) {
  const auto owner = User(1, 10, 100);
  const Feedback before = AddFeedback(owner, kT0);
  auto updated = feedback().Update(Scope(owner), before.id, [](Feedback& f) {
    f.id += 1000;
    f.tenant_id = 2;
    f.customer_id = 20;
    f.user_id = 200;
    f.feedback_type = FeedbackType::bug;
    f.related_id = "elsewhere";
    f.related_type = RelatedType::session;
    f.created_at = Timestamp{1};
    f.rating = 3;
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  auto stored = feedback().Get(Scope(owner), before.id);
  ASSERT_TRUE(stored.ok()) << Describe(stored);
  EXPECT_EQ(ToJson(*updated), ToJson(*stored));
  EXPECT_EQ(stored->tenant_id, 1);
  EXPECT_EQ(stored->customer_id, 10);
  EXPECT_EQ(stored->user_id, 100);
  EXPECT_EQ(stored->feedback_type, before.feedback_type);
  EXPECT_EQ(stored->related_id, before.related_id);
  EXPECT_EQ(stored->created_at, before.created_at);
  EXPECT_EQ(stored->rating, 3);
}

TEST_P(RepositoryConformance, EveryFeedbackStateRoundTrips) {
  const auto owner = User(1, 10, 100);
  for (FeedbackState state :
       {FeedbackState::pending, FeedbackState::processing, FeedbackState::processed, FeedbackState::closed,
        FeedbackState::needs_info, FeedbackState::reprocessing}) {
    const Feedback stored = AddFeedback(owner, kT0, state);
    auto got = feedback().Get(Scope(owner), stored.id);
    ASSERT_TRUE(got.ok()) << Describe(got);
    EXPECT_EQ(got->state, state) << EnumName(state);
  }
}

TEST_P(RepositoryConformance, EventsRoundTripEveryField) {
  const auto owner = User(1, 10, 100);
  std::vector<BehaviorEvent> events = {test::FullEvent(owner, kT0 + 1), test::MinimalEvent(owner, kT0)};
  AddEvents(owner, events);
  auto listed = analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{1, 20});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  ASSERT_EQ(listed->total, 2);
  ASSERT_EQ(listed->items.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_GT(listed->items[i].id, 0);
    events[i].id = listed->items[i].id;
    EXPECT_EQ(ToJson(listed->items[i]), ToJson(events[i]));
  }
  EXPECT_FALSE(listed->items[1].device_type.has_value());
  EXPECT_FALSE(listed->items[1].session_id.has_value());
}

TEST_P(RepositoryConformance, ConfigFindAnswersNothingWhenNoneIsStored) {
  auto found = configs().Find(Scope(PlatformAdmin(1, 10, 1)), 10);
  ASSERT_TRUE(found.ok()) << Describe(found);
  EXPECT_FALSE(found->has_value());
}

TEST_P(RepositoryConformance, ConfigUpsertStartsFromDefaultsAndRoundTripsEveryField) {
  const auto admin = PlatformAdmin(1, 10, 1);
  PortalConfig expected = test::FullConfig(kT0);
  auto stored = configs().Upsert(Scope(admin), 10, [&](PortalConfig& c) {
    EXPECT_FALSE(c.id.has_value());
    EXPECT_EQ(c.tenant_id, 1);
    EXPECT_EQ(c.customer_id, 10);
    EXPECT_EQ(c.portal_title, "客户服务门户");
    EXPECT_EQ(c.theme_color, "#409EFF");
    EXPECT_TRUE(c.enabled_features.empty());
    EXPECT_EQ(c.status, 1);
    expected.tenant_id = c.tenant_id;
    expected.customer_id = c.customer_id;
    c = expected;
    return Status::Ok();
  });
  ASSERT_TRUE(stored.ok()) << Describe(stored);
  ASSERT_TRUE(stored->id.has_value());
  expected.id = stored->id;
  EXPECT_EQ(ToJson(*stored), ToJson(expected));
  auto found = configs().Find(Scope(admin), 10);
  ASSERT_TRUE(found.ok()) << Describe(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(ToJson(**found), ToJson(expected));
}

TEST_P(RepositoryConformance, ConfigUpsertUpdatesTheStoredRow) {
  const auto admin = PlatformAdmin(1, 10, 1);
  auto first = configs().Upsert(Scope(admin), 10, [](PortalConfig& c) {
    PortalConfig full = test::FullConfig(kT0);
    full.tenant_id = c.tenant_id;
    full.customer_id = c.customer_id;
    c = full;
    return Status::Ok();
  });
  ASSERT_TRUE(first.ok()) << Describe(first);
  auto second = configs().Upsert(Scope(admin), 10, [&](PortalConfig& c) {
    EXPECT_EQ(ToJson(c), ToJson(*first));  // the mutation sees what is stored
    c.portal_title = "新标题";
    c.theme_color.reset();
    c.contact_info.reset();
    c.enabled_features = {"ai_chat"};
    c.updated_at = Timestamp{kT0 + 99};
    c.updated_by = 79;
    return Status::Ok();
  });
  ASSERT_TRUE(second.ok()) << Describe(second);
  EXPECT_EQ(second->id, first->id);
  auto found = configs().Find(Scope(admin), 10);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(ToJson(**found), ToJson(*second));
  EXPECT_EQ((*found)->portal_title, "新标题");
  EXPECT_FALSE((*found)->theme_color.has_value());
  EXPECT_FALSE((*found)->contact_info.has_value());
  EXPECT_EQ((*found)->enabled_features, std::vector<std::string>{"ai_chat"});
  EXPECT_EQ((*found)->created_at.millis, kT0);
  EXPECT_EQ((*found)->created_by, 77);
  EXPECT_EQ((*found)->updated_at.millis, kT0 + 99);
  EXPECT_EQ((*found)->updated_by, 79);
}

TEST_P(RepositoryConformance, ConfigUpsertStoresUnderTheScopesTenantAndTheNamedCustomer) {
  const auto admin = PlatformAdmin(1, 10, 1);
  auto stored = configs().Upsert(Scope(admin), 10, [](PortalConfig& c) {
    c.tenant_id = 2;  // a mutation cannot move the row to another tenant or customer
    c.customer_id = 20;
    c.portal_title = "mine";
    return Status::Ok();
  });
  ASSERT_TRUE(stored.ok()) << Describe(stored);
  EXPECT_EQ(stored->tenant_id, 1);
  EXPECT_EQ(stored->customer_id, 10);
  EXPECT_EQ(stored->portal_title, "mine");
  for (const auto& [tenant, customer] : {std::pair(2, 20), std::pair(1, 20), std::pair(2, 10)}) {
    auto other = configs().Find(Scope(PlatformAdmin(tenant, 1, 1)), customer);
    ASSERT_TRUE(other.ok()) << Describe(other);
    EXPECT_FALSE(other->has_value()) << tenant << "/" << customer;
  }
}

TEST_P(RepositoryConformance, TextComesBackByteForByte) {
  const auto owner = User(1, 10, 100);
  Feedback v = test::MinimalFeedback(owner, kT0);
  v.feedback_content = std::string("nul\0inside", 10);
  v.suggestions = "emoji 😀 and 汉字 and \"quotes\" and 'single' and \\ backslash";
  v.response_content = "";
  auto created = feedback().Create(Scope(owner), v);
  ASSERT_TRUE(created.ok()) << Describe(created);
  auto got = feedback().Get(Scope(owner), created->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->feedback_content, v.feedback_content);
  EXPECT_EQ(got->suggestions, v.suggestions);
  EXPECT_EQ(got->response_content, std::optional<std::string>(""));
}

TEST_P(RepositoryConformance, ColumnLengthsCountCharactersNotBytes) {
  const auto owner = User(1, 10, 100);
  std::string path;
  for (int i = 0; i < 255; ++i) path += "页";  // 765 bytes, 255 characters
  BehaviorEvent fits = test::MinimalEvent(owner, kT0);
  fits.page_path = path;
  EXPECT_TRUE(analytics().Append(Scope(owner), {fits}).ok());
  BehaviorEvent too_long = fits;
  too_long.page_path += "页";
  EXPECT_EQ(analytics().Append(Scope(owner), {too_long}).code(), ErrorCode::kInvalidArgument);
  auto listed = analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->total, 1);
  EXPECT_EQ(listed->items[0].page_path, path);

  std::string title;
  for (int i = 0; i < 100; ++i) title += "题";
  auto stored = configs().Upsert(Scope(PlatformAdmin(1, 10, 1)), 10, [&](PortalConfig& c) {
    c.portal_title = title;
    return Status::Ok();
  });
  EXPECT_TRUE(stored.ok()) << Describe(stored);
  auto refused = configs().Upsert(Scope(PlatformAdmin(1, 10, 1)), 10, [&](PortalConfig& c) {
    c.portal_title = title + "题";
    return Status::Ok();
  });
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
}

// --- Tenant isolation ----------------------------------------------------------------------------

TEST_P(RepositoryConformance, AnotherTenantCannotReadOrChangeASession) {
  const auto owner = PlatformAdmin(1, 10, 100);
  const auto stranger = PlatformAdmin(2, 10, 100);
  const Session stored = AddSession(owner, "sess_t", kT0, SessionState::paused, kT0);

  EXPECT_EQ(sessions().Get(Scope(stranger), "sess_t").status().code(), ErrorCode::kNotFound);
  bool called = false;
  auto updated = sessions().Update(Scope(stranger), "sess_t", [&](Session& s, std::vector<Interaction>&) {
    called = true;
    s.state = SessionState::closed;
    return Status::Ok();
  });
  EXPECT_EQ(updated.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(called);
  auto listed = sessions().List(Scope(stranger), SessionFilter{}, PageRequest{});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  EXPECT_EQ(listed->total, 0);
  EXPECT_TRUE(listed->items.empty());
  EXPECT_EQ(sessions().ListInteractions(Scope(stranger), "sess_t", PageRequest{}).status().code(),
            ErrorCode::kNotFound);
  auto idle = sessions().ListIdlePaused(Scope(stranger), Timestamp{kT0 + 1}, 10);
  ASSERT_TRUE(idle.ok()) << Describe(idle);
  EXPECT_TRUE(idle->empty());
  EXPECT_EQ(ToJson(GetSession(owner, "sess_t")), ToJson(stored));
}

TEST_P(RepositoryConformance, AnotherTenantCannotReadOrChangeFeedback) {
  const auto owner = PlatformAdmin(1, 10, 100);
  const auto stranger = PlatformAdmin(2, 10, 100);
  const Feedback stored = AddFeedback(owner, kT0);

  EXPECT_EQ(feedback().Get(Scope(stranger), stored.id).status().code(), ErrorCode::kNotFound);
  bool called = false;
  auto updated = feedback().Update(Scope(stranger), stored.id, [&](Feedback& f) {
    called = true;
    f.state = FeedbackState::closed;
    return Status::Ok();
  });
  EXPECT_EQ(updated.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(called);
  auto listed = feedback().List(Scope(stranger), FeedbackFilter{}, PageRequest{});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  EXPECT_EQ(listed->total, 0);
  EXPECT_TRUE(listed->items.empty());
  auto got = feedback().Get(Scope(owner), stored.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(ToJson(*got), ToJson(stored));
}

TEST_P(RepositoryConformance, AnotherTenantSeesNoEvents) {
  const auto owner = PlatformAdmin(1, 10, 100);
  AddEvents(owner, {test::FullEvent(owner, kT0)});
  auto listed = analytics().List(Scope(PlatformAdmin(2, 10, 100)), BehaviorFilter{}, PageRequest{});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  EXPECT_EQ(listed->total, 0);
  EXPECT_TRUE(listed->items.empty());
}

TEST_P(RepositoryConformance, EachTenantHasItsOwnPortalConfig) {
  const auto first = PlatformAdmin(1, 10, 1);
  const auto second = PlatformAdmin(2, 10, 1);
  auto stored = configs().Upsert(Scope(first), 10, [](PortalConfig& c) {
    c.portal_title = "tenant one";
    return Status::Ok();
  });
  ASSERT_TRUE(stored.ok()) << Describe(stored);

  auto other = configs().Find(Scope(second), 10);
  ASSERT_TRUE(other.ok()) << Describe(other);
  EXPECT_FALSE(other->has_value());

  auto theirs = configs().Upsert(Scope(second), 10, [](PortalConfig& c) {
    EXPECT_FALSE(c.id.has_value());  // starts from the defaults, not from tenant 1's row
    c.portal_title = "tenant two";
    return Status::Ok();
  });
  ASSERT_TRUE(theirs.ok()) << Describe(theirs);
  EXPECT_NE(theirs->id, stored->id);
  EXPECT_EQ(theirs->tenant_id, 2);
  auto mine = configs().Find(Scope(first), 10);
  ASSERT_TRUE(mine.ok() && mine->has_value());
  EXPECT_EQ((*mine)->portal_title, "tenant one");
}

TEST_P(RepositoryConformance, CreatingForAnotherTenantIsRefused) {
  const auto caller = PlatformAdmin(1, 10, 100);
  const auto foreign = User(2, 10, 100);
  EXPECT_EQ(sessions().Create(Scope(caller), test::MinimalSession(foreign, "sess_x", kT0)).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(feedback().Create(Scope(caller), test::MinimalFeedback(foreign, kT0)).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(analytics()
                .Append(Scope(caller), {test::MinimalEvent(caller, kT0), test::MinimalEvent(foreign, kT0)})
                .code(),
            ErrorCode::kNotFound);
  for (const auto& who : {caller, PlatformAdmin(2, 10, 100)}) {
    EXPECT_EQ(sessions().List(Scope(who), SessionFilter{}, PageRequest{})->total, 0);
    EXPECT_EQ(feedback().List(Scope(who), FeedbackFilter{}, PageRequest{})->total, 0);
    EXPECT_EQ(analytics().List(Scope(who), BehaviorFilter{}, PageRequest{})->total, 0);
  }
}

// --- Row-level scope -----------------------------------------------------------------------------

// Tenant 1: customer 10 with users 100 and 101, customer 20 with user 200; tenant 2 mirrors user 100.
class RowScope : public RepositoryConformance {
 protected:
  void SetUp() override {
    RepositoryConformance::SetUp();
    if (HasFatalFailure()) return;
    for (const auto& owner : owners_) {
      const std::string id = "sess_" + std::to_string(owner.tenant_id) + "_" + std::to_string(owner.user_id);
      AddSession(owner, id, kT0, SessionState::paused, kT0);
      feedback_ids_.push_back(AddFeedback(owner, kT0).id);
      AddEvents(owner, {test::MinimalEvent(owner, kT0)});
    }
  }

  // How many of the four owners' rows a caller sees, and which.
  std::set<std::int64_t> VisibleUsers(const RequestContext& who) {
    std::set<std::int64_t> users;
    auto listed = sessions().List(Scope(who), SessionFilter{}, PageRequest{});
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    for (const auto& s : listed->items) users.insert(s.user_id);
    EXPECT_EQ(listed->total, static_cast<std::int64_t>(users.size()));
    return users;
  }

  const std::vector<RequestContext> owners_ = {User(1, 10, 100), User(1, 10, 101), User(1, 20, 200),
                                               User(2, 10, 100)};
  std::vector<std::int64_t> feedback_ids_;
};

TEST_P(RowScope, CustomerUserSeesOnlyOwnRows) {
  const auto me = User(1, 10, 100);
  EXPECT_EQ(VisibleUsers(me), (std::set<std::int64_t>{100}));
  EXPECT_TRUE(sessions().Get(Scope(me), "sess_1_100").ok());
  EXPECT_EQ(sessions().Get(Scope(me), "sess_1_101").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(sessions().Get(Scope(me), "sess_1_200").status().code(), ErrorCode::kNotFound);
  bool called = false;
  auto updated = sessions().Update(Scope(me), "sess_1_101", [&](Session&, std::vector<Interaction>&) {
    called = true;
    return Status::Ok();
  });
  EXPECT_EQ(updated.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(called);
  EXPECT_EQ(sessions().ListInteractions(Scope(me), "sess_1_101", PageRequest{}).status().code(),
            ErrorCode::kNotFound);
  auto idle = sessions().ListIdlePaused(Scope(me), Timestamp{kT0}, 10);
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(*idle, std::vector<std::string>{"sess_1_100"});

  auto fb = feedback().List(Scope(me), FeedbackFilter{}, PageRequest{});
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(fb->total, 1);
  ASSERT_EQ(fb->items.size(), 1u);
  EXPECT_EQ(fb->items[0].user_id, 100);
  EXPECT_TRUE(feedback().Get(Scope(me), feedback_ids_[0]).ok());
  EXPECT_EQ(feedback().Get(Scope(me), feedback_ids_[1]).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(
      feedback().Update(Scope(me), feedback_ids_[1], [](Feedback&) { return Status::Ok(); }).status().code(),
      ErrorCode::kNotFound);

  auto events = analytics().List(Scope(me), BehaviorFilter{}, PageRequest{});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->total, 1);
  ASSERT_EQ(events->items.size(), 1u);
  EXPECT_EQ(events->items[0].user_id, 100);
}

TEST_P(RowScope, CustomerAdminSeesTheWholeCustomer) {
  const auto admin = CustomerAdmin(1, 10, 555);
  EXPECT_EQ(VisibleUsers(admin), (std::set<std::int64_t>{100, 101}));
  EXPECT_TRUE(sessions().Get(Scope(admin), "sess_1_101").ok());
  EXPECT_EQ(sessions().Get(Scope(admin), "sess_1_200").status().code(), ErrorCode::kNotFound);
  auto updated = sessions().Update(Scope(admin), "sess_1_101",
                                   [](Session&, std::vector<Interaction>&) { return Status::Ok(); });
  EXPECT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(sessions()
                .Update(Scope(admin), "sess_1_200",
                        [](Session&, std::vector<Interaction>&) { return Status::Ok(); })
                .status()
                .code(),
            ErrorCode::kNotFound);
  auto idle = sessions().ListIdlePaused(Scope(admin), Timestamp{kT0}, 10);
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->size(), 2u);

  auto fb = feedback().List(Scope(admin), FeedbackFilter{}, PageRequest{});
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(fb->total, 2);
  EXPECT_TRUE(feedback().Get(Scope(admin), feedback_ids_[1]).ok());
  EXPECT_EQ(feedback().Get(Scope(admin), feedback_ids_[2]).status().code(), ErrorCode::kNotFound);

  auto events = analytics().List(Scope(admin), BehaviorFilter{}, PageRequest{});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->total, 2);
}

TEST_P(RowScope, PlatformAdminSeesTheWholeTenantAndNothingElse) {
  const auto admin = PlatformAdmin(1, 99, 999);
  EXPECT_EQ(VisibleUsers(admin), (std::set<std::int64_t>{100, 101, 200}));
  EXPECT_TRUE(sessions().Get(Scope(admin), "sess_1_200").ok());
  EXPECT_EQ(sessions().Get(Scope(admin), "sess_2_100").status().code(), ErrorCode::kNotFound);
  auto idle = sessions().ListIdlePaused(Scope(admin), Timestamp{kT0}, 10);
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->size(), 3u);

  auto fb = feedback().List(Scope(admin), FeedbackFilter{}, PageRequest{});
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(fb->total, 3);
  EXPECT_TRUE(feedback().Get(Scope(admin), feedback_ids_[2]).ok());
  EXPECT_EQ(feedback().Get(Scope(admin), feedback_ids_[3]).status().code(), ErrorCode::kNotFound);

  auto events = analytics().List(Scope(admin), BehaviorFilter{}, PageRequest{});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->total, 3);
}

TEST_P(RowScope, StrongestRoleOfAContextWins) {
  RequestContext both = User(1, 10, 100);
  both.roles = static_cast<unsigned>(Role::kCustomerUser) | static_cast<unsigned>(Role::kPlatformAdmin);
  EXPECT_EQ(VisibleUsers(both), (std::set<std::int64_t>{100, 101, 200}));
  both.roles = static_cast<unsigned>(Role::kCustomerUser) | static_cast<unsigned>(Role::kCustomerAdmin);
  EXPECT_EQ(VisibleUsers(both), (std::set<std::int64_t>{100, 101}));
}

TEST_P(RowScope, PortalConfigOfAnotherCustomerIsVisibleOnlyToThePlatform) {
  ASSERT_TRUE(
      configs().Upsert(Scope(PlatformAdmin(1, 1, 1)), 20, [](PortalConfig&) { return Status::Ok(); }).ok());
  for (const auto& who : {User(1, 10, 100), CustomerAdmin(1, 10, 100)}) {
    EXPECT_EQ(configs().Find(Scope(who), 20).status().code(), ErrorCode::kNotFound);
    bool called = false;
    auto upserted = configs().Upsert(Scope(who), 20, [&](PortalConfig&) {
      called = true;
      return Status::Ok();
    });
    EXPECT_EQ(upserted.status().code(), ErrorCode::kNotFound);
    EXPECT_FALSE(called);
  }
  auto own = configs().Find(Scope(User(1, 20, 200)), 20);
  ASSERT_TRUE(own.ok()) << Describe(own);
  EXPECT_TRUE(own->has_value());
  auto platform = configs().Find(Scope(PlatformAdmin(1, 10, 1)), 20);
  ASSERT_TRUE(platform.ok()) << Describe(platform);
  EXPECT_TRUE(platform->has_value());
}

// --- Update atomicity ----------------------------------------------------------------------------

TEST_P(RepositoryConformance, FailedSessionMutationWritesNothing) {
  const auto owner = User(1, 10, 100);
  const Session before = AddSession(owner, "sess_a", kT0);
  auto updated = sessions().Update(Scope(owner), "sess_a", [](Session& s, std::vector<Interaction>& append) {
    s.state = SessionState::resolved;
    s.interaction_count = 99;
    s.ended_at = Timestamp{kT0 + 1};
    append.push_back(test::FullInteraction(kT0 + 1));
    append.push_back(test::FullInteraction(kT0 + 2));
    return Status::InvalidField("score", field_code::kOutOfRange);
  });
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(updated.status().field_errors().size(), 1u);
  EXPECT_EQ(updated.status().field_errors()[0].field, "score");
  EXPECT_EQ(ToJson(GetSession(owner, "sess_a")), ToJson(before));
  auto listed = sessions().ListInteractions(Scope(owner), "sess_a", PageRequest{});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total, 0);
}

TEST_P(RepositoryConformance, RejectedInteractionRowRollsBackTheWholeUpdate) {
  const auto owner = User(1, 10, 100);
  const Session before = AddSession(owner, "sess_r", kT0);
  Interaction bad = test::FullInteraction(kT0 + 2);
  bad.helpful_rating = 9;  // breaks the column's CHECK
  auto updated = sessions().Update(Scope(owner), "sess_r", [&](Session& s, std::vector<Interaction>& append) {
    s.interaction_count = 2;
    append.push_back(test::FullInteraction(kT0 + 1));
    append.push_back(bad);
    return Status::Ok();
  });
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ToJson(GetSession(owner, "sess_r")), ToJson(before));
  auto listed = sessions().ListInteractions(Scope(owner), "sess_r", PageRequest{});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total, 0);
  // The store is still usable afterwards.
  EXPECT_TRUE(
      sessions()
          .Update(Scope(owner), "sess_r", [](Session&, std::vector<Interaction>&) { return Status::Ok(); })
          .ok());
}

TEST_P(RepositoryConformance, FailedFeedbackMutationWritesNothing) {
  const auto owner = User(1, 10, 100);
  const Feedback before = AddFeedback(owner, kT0);
  auto updated = feedback().Update(Scope(owner), before.id, [](Feedback& f) {
    f.state = FeedbackState::closed;
    f.response_content = "x";
    return Status::PermissionDenied("no");
  });
  EXPECT_EQ(updated.status().code(), ErrorCode::kPermissionDenied);
  auto got = feedback().Get(Scope(owner), before.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(ToJson(*got), ToJson(before));
}

TEST_P(RepositoryConformance, FailedConfigMutationWritesNothing) {
  const auto admin = PlatformAdmin(1, 10, 1);
  auto refused = configs().Upsert(Scope(admin), 10, [](PortalConfig& c) {
    c.portal_title = "never stored";
    return Status::InvalidField("theme_color", field_code::kInvalid);
  });
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  auto none = configs().Find(Scope(admin), 10);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto stored = configs().Upsert(Scope(admin), 10, [](PortalConfig& c) {
    c.portal_title = "kept";
    return Status::Ok();
  });
  ASSERT_TRUE(stored.ok());
  refused = configs().Upsert(Scope(admin), 10, [](PortalConfig& c) {
    c.portal_title = "never stored";
    return Status::InvalidField("theme_color", field_code::kInvalid);
  });
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  auto found = configs().Find(Scope(admin), 10);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(ToJson(**found), ToJson(*stored));
}

// --- Concurrency ---------------------------------------------------------------------------------

TEST_P(RepositoryConformance, ConcurrentUpdatesLoseNoIncrement) {
  const auto owner = User(1, 10, 100);
  AddSession(owner, "sess_cc", kT0);
  constexpr int kThreads = 8;
  constexpr int kUpdatesPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kUpdatesPerThread; ++i) {
        auto updated =
            sessions().Update(Scope(owner), "sess_cc", [](Session& s, std::vector<Interaction>& append) {
              s.interaction_count += 1;
              Interaction note;
              note.interaction_type = InteractionType::answer;
              note.created_at = Timestamp{kT0};
              append.push_back(note);
              return Status::Ok();
            });
        if (!updated.ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(GetSession(owner, "sess_cc").interaction_count, kThreads * kUpdatesPerThread);
  auto listed = sessions().ListInteractions(Scope(owner), "sess_cc", PageRequest{1, 1});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total, kThreads * kUpdatesPerThread);
}

TEST_P(RepositoryConformance, ConcurrentCreatesAllSucceedBesideReaders) {
  const auto owner = User(1, 10, 100);
  constexpr int kThreads = 8;
  constexpr int kCreatesPerThread = 200;
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  std::vector<std::vector<std::int64_t>> row_ids(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCreatesPerThread; ++i) {
        const std::string id = "sess_" + std::to_string(t) + "_" + std::to_string(i);
        auto created = sessions().Create(Scope(owner), test::MinimalSession(owner, id, kT0 + i));
        if (created.ok()) {
          row_ids[t].push_back(created->id);
        } else {
          ++failures;
        }
      }
    });
  }
  std::thread reader([&] {
    while (writing.load()) {
      auto listed = sessions().List(Scope(owner), SessionFilter{}, PageRequest{1, 5});
      if (!listed.ok()) ++failures;
    }
  });
  for (auto& thread : threads) thread.join();
  writing = false;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::int64_t> distinct;
  for (const auto& ids : row_ids) distinct.insert(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kCreatesPerThread));
  auto listed = sessions().List(Scope(owner), SessionFilter{}, PageRequest{1, 1});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total, kThreads * kCreatesPerThread);
}

// --- Pagination, filters, ordering ---------------------------------------------------------------

TEST_P(RepositoryConformance, SessionsPageNewestFirst) {
  const auto owner = User(1, 10, 100);
  constexpr int kCount = 25;
  for (int i = 0; i < kCount; ++i) {
    const int n = (i * 7) % kCount;  // stored out of time order
    AddSession(owner, Sid(n), kT0 + n * 1000);
  }
  std::vector<std::string> seen;
  for (int page = 1; page <= 4; ++page) {
    auto listed = sessions().List(Scope(owner), SessionFilter{}, PageRequest{page, 10});
    ASSERT_TRUE(listed.ok()) << Describe(listed);
    EXPECT_EQ(listed->total, kCount);
    EXPECT_EQ(listed->items.size(), page <= 2 ? 10u : page == 3 ? 5u : 0u) << "page " << page;
    for (const auto& id : SessionIds(*listed)) seen.push_back(id);
  }
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(seen[i], Sid(kCount - 1 - i));
}

TEST_P(RepositoryConformance, SessionsCreatedAtTheSameMillisecondListLatestRowFirst) {
  const auto owner = User(1, 10, 100);
  AddSession(owner, Sid(1), kT0);
  AddSession(owner, Sid(2), kT0);
  AddSession(owner, Sid(3), kT0);
  auto listed = sessions().List(Scope(owner), SessionFilter{}, PageRequest{});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(SessionIds(*listed), (std::vector<std::string>{Sid(3), Sid(2), Sid(1)}));
}

TEST_P(RepositoryConformance, SessionsFilterByStateAndType) {
  const auto owner = User(1, 10, 100);
  AddSession(owner, Sid(1), kT0 + 1, SessionState::paused, {}, SessionType::search);
  AddSession(owner, Sid(2), kT0 + 2, SessionState::paused, {}, SessionType::ai_chat);
  AddSession(owner, Sid(3), kT0 + 3, SessionState::resolved, {}, SessionType::ai_chat);
  AddSession(owner, Sid(4), kT0 + 4, SessionState::in_progress, {}, SessionType::ticket);
  auto list = [&](SessionFilter filter) {
    auto listed = sessions().List(Scope(owner), filter, PageRequest{});
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    EXPECT_EQ(listed->total, static_cast<std::int64_t>(listed->items.size()));
    return SessionIds(*listed);
  };
  EXPECT_EQ(list({SessionState::paused, {}, {}}), (std::vector<std::string>{Sid(2), Sid(1)}));
  EXPECT_EQ(list({{}, SessionType::ai_chat, {}}), (std::vector<std::string>{Sid(3), Sid(2)}));
  EXPECT_EQ(list({SessionState::paused, SessionType::ai_chat, {}}), (std::vector<std::string>{Sid(2)}));
  EXPECT_EQ(list({SessionState::closed, {}, {}}), std::vector<std::string>{});
  EXPECT_EQ(list({}).size(), 4u);
}

TEST_P(RepositoryConformance, FeedbackPagesNewestFirstAndFilters) {
  const auto owner = User(1, 10, 100);
  std::vector<std::int64_t> ids(6);
  // Stored out of time order.
  ids[3] = AddFeedback(owner, kT0 + 3, FeedbackState::processing, FeedbackType::bug).id;
  ids[0] = AddFeedback(owner, kT0 + 0, FeedbackState::pending, FeedbackType::bug).id;
  ids[5] = AddFeedback(owner, kT0 + 5, FeedbackState::pending, FeedbackType::feature).id;
  ids[1] = AddFeedback(owner, kT0 + 1, FeedbackState::closed, FeedbackType::service).id;
  ids[4] = AddFeedback(owner, kT0 + 4, FeedbackState::pending, FeedbackType::bug).id;
  ids[2] = AddFeedback(owner, kT0 + 2, FeedbackState::needs_info, FeedbackType::suggestion).id;
  auto list = [&](FeedbackFilter filter, PageRequest page) {
    auto listed = feedback().List(Scope(owner), filter, page);
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    std::vector<std::int64_t> out;
    for (const auto& f : listed->items) out.push_back(f.id);
    return std::pair(listed->total, out);
  };
  EXPECT_EQ(list({}, {1, 4}),
            std::pair(std::int64_t{6}, std::vector<std::int64_t>{ids[5], ids[4], ids[3], ids[2]}));
  EXPECT_EQ(list({}, {2, 4}), std::pair(std::int64_t{6}, std::vector<std::int64_t>{ids[1], ids[0]}));
  EXPECT_EQ(list({}, {3, 4}), std::pair(std::int64_t{6}, std::vector<std::int64_t>{}));
  EXPECT_EQ(list({FeedbackState::pending, {}}, {}),
            std::pair(std::int64_t{3}, std::vector<std::int64_t>{ids[5], ids[4], ids[0]}));
  EXPECT_EQ(list({{}, FeedbackType::bug}, {}),
            std::pair(std::int64_t{3}, std::vector<std::int64_t>{ids[4], ids[3], ids[0]}));
  EXPECT_EQ(list({FeedbackState::pending, FeedbackType::bug}, {1, 1}),
            std::pair(std::int64_t{2}, std::vector<std::int64_t>{ids[4]}));
  EXPECT_EQ(list({FeedbackState::needs_info, {}}, {}),
            std::pair(std::int64_t{1}, std::vector<std::int64_t>{ids[2]}));
  EXPECT_EQ(list({FeedbackState::reprocessing, {}}, {}),
            std::pair(std::int64_t{0}, std::vector<std::int64_t>{}));
}

TEST_P(RepositoryConformance, EventsListNewestFirstByTheirOwnTime) {
  const auto owner = User(1, 10, 100);
  // A batch recorded offline arrives after newer events: its older created_at still places it last.
  std::vector<BehaviorEvent> live;
  for (int i = 0; i < 3; ++i) {
    BehaviorEvent e = test::MinimalEvent(owner, kT0 + 10'000 + i);
    e.page_path = "/live/" + std::to_string(i);
    live.push_back(e);
  }
  AddEvents(owner, live);
  std::vector<BehaviorEvent> offline;
  for (int i = 0; i < 2; ++i) {
    BehaviorEvent e = test::MinimalEvent(owner, kT0 + i);
    e.page_path = "/offline/" + std::to_string(i);
    offline.push_back(e);
  }
  AddEvents(owner, offline);
  auto listed = analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{1, 10});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  std::vector<std::string> paths;
  for (const auto& e : listed->items) paths.push_back(e.page_path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/live/2", "/live/1", "/live/0", "/offline/1", "/offline/0"}));
}

TEST_P(RepositoryConformance, EventsPageAndFilterByActionAndSession) {
  const auto owner = User(1, 10, 100);
  std::vector<BehaviorEvent> events;
  const ActionType actions[] = {ActionType::view, ActionType::search, ActionType::click};
  for (int i = 0; i < 9; ++i) {
    BehaviorEvent e = test::MinimalEvent(owner, kT0 + i);
    e.page_path = "/p/" + std::to_string(i);
    e.action_type = actions[i % 3];
    if (i % 2 == 0) e.session_id = "sess_even";
    events.push_back(e);
  }
  AddEvents(owner, events);
  auto list = [&](BehaviorFilter filter, PageRequest page) {
    auto listed = analytics().List(Scope(owner), filter, page);
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    std::vector<std::string> paths;
    for (const auto& e : listed->items) paths.push_back(e.page_path);
    return std::pair(listed->total, paths);
  };
  using Paths = std::vector<std::string>;
  EXPECT_EQ(list({}, {1, 4}), std::pair(std::int64_t{9}, Paths{"/p/8", "/p/7", "/p/6", "/p/5"}));
  EXPECT_EQ(list({}, {3, 4}), std::pair(std::int64_t{9}, Paths{"/p/0"}));
  EXPECT_EQ(list({ActionType::search, {}}, {}), std::pair(std::int64_t{3}, Paths{"/p/7", "/p/4", "/p/1"}));
  EXPECT_EQ(list({{}, std::string("sess_even")}, {}),
            std::pair(std::int64_t{5}, Paths{"/p/8", "/p/6", "/p/4", "/p/2", "/p/0"}));
  EXPECT_EQ(list({ActionType::view, std::string("sess_even")}, {}),
            std::pair(std::int64_t{2}, Paths{"/p/6", "/p/0"}));
  EXPECT_EQ(list({ActionType::download, {}}, {}), std::pair(std::int64_t{0}, Paths{}));
  EXPECT_EQ(list({{}, std::string("sess_other")}, {}), std::pair(std::int64_t{0}, Paths{}));
}

TEST_P(RepositoryConformance, InteractionsListOldestFirstInPages) {
  const auto owner = User(1, 10, 100);
  AddSession(owner, "sess_p", kT0);
  for (int batch = 0; batch < 2; ++batch) {
    auto updated = sessions().Update(Scope(owner), "sess_p", [&](Session&, std::vector<Interaction>& append) {
      for (int i = 0; i < 3; ++i) {
        Interaction v;
        v.interaction_type = InteractionType::question;
        v.user_input = "q" + std::to_string(batch * 3 + i);
        v.created_at = Timestamp{kT0 + batch * 3 + i};
        append.push_back(v);
      }
      return Status::Ok();
    });
    ASSERT_TRUE(updated.ok()) << Describe(updated);
  }
  std::vector<std::string> inputs;
  for (int page = 1; page <= 4; ++page) {
    auto listed = sessions().ListInteractions(Scope(owner), "sess_p", PageRequest{page, 2});
    ASSERT_TRUE(listed.ok()) << Describe(listed);
    EXPECT_EQ(listed->total, 6);
    EXPECT_EQ(listed->items.size(), page <= 3 ? 2u : 0u);
    for (const auto& v : listed->items) inputs.push_back(*v.user_input);
  }
  EXPECT_EQ(inputs, (std::vector<std::string>{"q0", "q1", "q2", "q3", "q4", "q5"}));
}

TEST_P(RepositoryConformance, InteractionsOfOneSessionOnly) {
  const auto owner = User(1, 10, 100);
  AddSession(owner, "sess_one", kT0);
  AddSession(owner, "sess_two", kT0);
  for (const char* id : {"sess_one", "sess_two", "sess_two"}) {
    ASSERT_TRUE(sessions()
                    .Update(Scope(owner), id,
                            [](Session&, std::vector<Interaction>& append) {
                              Interaction v;
                              v.interaction_type = InteractionType::answer;
                              v.created_at = Timestamp{kT0};
                              append.push_back(v);
                              return Status::Ok();
                            })
                    .ok());
  }
  EXPECT_EQ(sessions().ListInteractions(Scope(owner), "sess_one", PageRequest{})->total, 1);
  EXPECT_EQ(sessions().ListInteractions(Scope(owner), "sess_two", PageRequest{})->total, 2);
}

TEST_P(RepositoryConformance, ListIdlePausedAnswersPausedSessionsIdleSinceOldestFirst) {
  const auto owner = User(1, 10, 100);
  AddSession(owner, "sess_new", kT0, SessionState::paused, kT0 + 3000);
  AddSession(owner, "sess_edge", kT0, SessionState::paused, kT0 + 2000);
  AddSession(owner, "sess_old", kT0, SessionState::paused, kT0 + 1000);
  AddSession(owner, "sess_busy", kT0, SessionState::in_progress, kT0);
  AddSession(owner, "sess_gone", kT0, SessionState::timed_out, kT0);
  AddSession(owner, "sess_nost", kT0, SessionState::not_started, kT0);

  auto idle = sessions().ListIdlePaused(Scope(owner), Timestamp{kT0 + 2000}, 10);
  ASSERT_TRUE(idle.ok()) << Describe(idle);
  EXPECT_EQ(*idle, (std::vector<std::string>{"sess_old", "sess_edge"}));
  idle = sessions().ListIdlePaused(Scope(owner), Timestamp{kT0 + 2000}, 1);
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(*idle, std::vector<std::string>{"sess_old"});
  idle = sessions().ListIdlePaused(Scope(owner), Timestamp{kT0 + 999}, 10);
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->empty());
}

// --- Analytics batches ---------------------------------------------------------------------------

TEST_P(RepositoryConformance, AppendStoresAWholeBatchOrNothing) {
  const auto owner = User(1, 10, 100);
  BehaviorEvent empty_path = test::MinimalEvent(owner, kT0);
  empty_path.page_path.clear();
  BehaviorEvent negative_stay = test::MinimalEvent(owner, kT0);
  negative_stay.stay_duration = -1;
  BehaviorEvent long_target = test::MinimalEvent(owner, kT0);
  long_target.action_target = std::string(256, 'x');
  for (const BehaviorEvent& bad : {empty_path, negative_stay, long_target}) {
    Status status =
        analytics().Append(Scope(owner), {test::FullEvent(owner, kT0), bad, test::FullEvent(owner, kT0)});
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << Describe(status);
    auto listed = analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{});
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(listed->total, 0);
  }
  AddEvents(owner, {test::FullEvent(owner, kT0), test::MinimalEvent(owner, kT0)});
  EXPECT_EQ(analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{})->total, 2);
}

TEST_P(RepositoryConformance, LargeBatchesKeepEveryFieldOfEveryEventOrStoreNothing) {
  const auto owner = User(1, 10, 100);
  constexpr int kEvents = 123;  // not a multiple of any sensible chunk size
  std::vector<BehaviorEvent> events;
  for (int i = 0; i < kEvents; ++i) {
    BehaviorEvent e = i % 3 == 0 ? test::MinimalEvent(owner, kT0 + i) : test::FullEvent(owner, kT0 + i);
    e.page_path = "/p/" + std::to_string(i);
    e.stay_duration = i;
    if (i % 3 == 1) e.search_keywords = "kw " + std::to_string(i);
    events.push_back(e);
  }
  std::vector<BehaviorEvent> with_bad_row = events;
  with_bad_row[77].stay_duration = -1;
  EXPECT_EQ(analytics().Append(Scope(owner), with_bad_row).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{})->total, 0);

  AddEvents(owner, events);
  auto listed = analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{1, 200});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  ASSERT_EQ(listed->total, kEvents);
  ASSERT_EQ(listed->items.size(), static_cast<std::size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) {
    const BehaviorEvent& got = listed->items[kEvents - 1 - i];  // newest first
    BehaviorEvent expected = events[i];
    expected.id = got.id;
    EXPECT_EQ(ToJson(got), ToJson(expected)) << "event " << i;
  }
}

TEST_P(RepositoryConformance, AppendOfAnEmptyBatchStoresNothing) {
  const auto owner = User(1, 10, 100);
  EXPECT_TRUE(analytics().Append(Scope(owner), {}).ok());
  EXPECT_EQ(analytics().List(Scope(owner), BehaviorFilter{}, PageRequest{})->total, 0);
}


INSTANTIATE_TEST_SUITE_P(Adapters, RepositoryConformance, ::testing::ValuesIn(test::kStorageUris), test::AdapterName);
INSTANTIATE_TEST_SUITE_P(Adapters, RowScope, ::testing::ValuesIn(test::kStorageUris), test::AdapterName);

}  // namespace
}  // namespace selfservice
