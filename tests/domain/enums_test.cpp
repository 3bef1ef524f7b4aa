// EnumName and ParseEnum: every enumerator has the wire name the spec fixes, and back.

#include <gtest/gtest.h>

#include <string_view>
#include <utility>
#include <vector>

#include "domain/enum_names.hpp"
#include "selfservice/model.hpp"

namespace selfservice {
namespace {

// Every enumerator of E with its wire name, in declaration order: EnumName gives the name,
// ParseEnum gives the enumerator back.
template <typename E>
void ExpectNames(const std::vector<std::pair<E, std::string_view>>& expected) {
  for (const auto& [value, name] : expected) {
    EXPECT_EQ(EnumName(value), name);
    EXPECT_EQ(ParseEnum<E>(name), value) << name;
  }
}

TEST(EnumNames, SessionType) {
  ExpectNames<SessionType>(
      {{SessionType::search, "search"}, {SessionType::ai_chat, "ai_chat"}, {SessionType::ticket, "ticket"}});
}

TEST(EnumNames, SessionState) {
  using S = SessionState;
  ExpectNames<S>({{S::not_started, "not_started"},
                  {S::in_progress, "in_progress"},
                  {S::paused, "paused"},
                  {S::resolved, "resolved"},
                  {S::escalated, "escalated"},
                  {S::timed_out, "timed_out"},
                  {S::rated, "rated"},
                  {S::closed, "closed"}});
}

TEST(EnumNames, ResolutionStatus) {
  using R = ResolutionStatus;
  ExpectNames<R>({{R::pending, "pending"}, {R::resolved, "resolved"}, {R::escalated, "escalated"}});
}

TEST(EnumNames, InteractionType) {
  using I = InteractionType;
  ExpectNames<I>({{I::question, "question"},
                  {I::answer, "answer"},
                  {I::recommendation, "recommendation"},
                  {I::feedback, "feedback"}});
}

TEST(EnumNames, FeedbackType) {
  using F = FeedbackType;
  ExpectNames<F>(
      {{F::service, "service"}, {F::feature, "feature"}, {F::bug, "bug"}, {F::suggestion, "suggestion"}});
}

TEST(EnumNames, RelatedType) {
  using R = RelatedType;
  ExpectNames<R>({{R::ticket, "ticket"}, {R::knowledge, "knowledge"}, {R::session, "session"}});
}

TEST(EnumNames, FeedbackState) {
  using F = FeedbackState;
  ExpectNames<F>({{F::pending, "pending"},
                  {F::processing, "processing"},
                  {F::processed, "processed"},
                  {F::closed, "closed"},
                  {F::needs_info, "needs_info"},
                  {F::reprocessing, "reprocessing"}});
}

TEST(EnumNames, ActionType) {
  using A = ActionType;
  ExpectNames<A>({{A::view, "view"},
                  {A::search, "search"},
                  {A::click, "click"},
                  {A::download, "download"},
                  {A::submit, "submit"}});
}

TEST(EnumNames, DeviceType) {
  using D = DeviceType;
  ExpectNames<D>({{D::desktop, "desktop"}, {D::mobile, "mobile"}, {D::tablet, "tablet"}});
}

TEST(EnumNames, ArticleLang) {
  ExpectNames<ArticleLang>({{ArticleLang::zh, "zh"}, {ArticleLang::en, "en"}});
}

TEST(EnumNames, PublicationStatus) {
  using P = PublicationStatus;
  ExpectNames<P>({{P::draft, "draft"}, {P::published, "published"}, {P::archived, "archived"}});
}

TEST(EnumNames, TicketStatus) {
  using T = TicketStatus;
  ExpectNames<T>({{T::new_, "new"},
                  {T::open, "open"},
                  {T::in_progress, "in_progress"},
                  {T::pending_customer, "pending_customer"},
                  {T::resolved, "resolved"},
                  {T::closed, "closed"},
                  {T::reopened, "reopened"}});
}

// "new" is a C++ keyword: the enumerator is new_, and the underscore is no part of the wire name.
TEST(EnumNames, KeywordEnumeratorIsNamedWithoutItsUnderscore) {
  EXPECT_EQ(ParseEnum<TicketStatus>("new_"), std::nullopt);
  EXPECT_EQ(ParseEnum<TicketStatus>("pending"), std::nullopt);
  EXPECT_EQ(EnumNameList<TicketStatus>(), "new, open, in_progress, pending_customer, resolved, closed, reopened");
}

TEST(EnumNames, TicketEventType) {
  using T = TicketEventType;
  ExpectNames<T>({{T::created, "created"},
                  {T::status_changed, "status_changed"},
                  {T::comment, "comment"},
                  {T::attachment_added, "attachment_added"},
                  {T::assigned, "assigned"}});
}

TEST(EnumNames, UploadStatus) {
  using U = UploadStatus;
  ExpectNames<U>({{U::uploading, "uploading"}, {U::complete, "complete"}, {U::failed, "failed"}});
}

TEST(EnumNames, ComponentStatus) {
  using C = ComponentStatus;
  ExpectNames<C>({{C::operational, "operational"},
                  {C::degraded_performance, "degraded_performance"},
                  {C::partial_outage, "partial_outage"},
                  {C::major_outage, "major_outage"},
                  {C::under_maintenance, "under_maintenance"}});
}

TEST(EnumNames, MaintenanceStatus) {
  using M = MaintenanceStatus;
  ExpectNames<M>({{M::scheduled, "scheduled"},
                  {M::in_progress, "in_progress"},
                  {M::completed, "completed"},
                  {M::cancelled, "cancelled"}});
}

TEST(EnumNames, AccountStatus) {
  using A = AccountStatus;
  ExpectNames<A>({{A::active, "active"}, {A::locked, "locked"}, {A::disabled, "disabled"}});
}

TEST(ParseEnum, UnknownNameGivesNullopt) {
  EXPECT_EQ(ParseEnum<SessionType>("phone"), std::nullopt);
  EXPECT_EQ(ParseEnum<TicketStatus>("reopen"), std::nullopt);
  EXPECT_EQ(ParseEnum<AccountStatus>("deleted"), std::nullopt);
}

TEST(ParseEnum, EmptyNameGivesNullopt) {
  EXPECT_EQ(ParseEnum<FeedbackState>(""), std::nullopt);
}

TEST(ParseEnum, NamesAreCaseSensitive) {
  EXPECT_EQ(ParseEnum<SessionType>("AI_CHAT"), std::nullopt);
  EXPECT_EQ(ParseEnum<ArticleLang>("ZH"), std::nullopt);
}

TEST(ParseEnum, NameWithSurroundingSpaceGivesNullopt) {
  EXPECT_EQ(ParseEnum<DeviceType>(" mobile"), std::nullopt);
  EXPECT_EQ(ParseEnum<DeviceType>("mobile "), std::nullopt);
}

TEST(ParseEnum, NameOfAnotherEnumGivesNullopt) {
  EXPECT_EQ(ParseEnum<SessionState>("processing"), std::nullopt);
  EXPECT_EQ(ParseEnum<FeedbackState>("in_progress"), std::nullopt);
}

TEST(EnumName, UndefinedValueHasAnEmptyName) {
  EXPECT_EQ(EnumName(static_cast<SessionType>(42)), "");
}

TEST(FeedbackStatusCode, UndefinedStateHasCodeZero) {
  EXPECT_EQ(FeedbackStatusCode(static_cast<FeedbackState>(42)), 0);
}

TEST(KnownFeatures, ListsThePortalFeatures) {
  EXPECT_EQ(KnownFeatures(), (std::vector<std::string_view>{"faq_search", "ai_chat", "tickets", "documents",
                                                            "service_status", "feedback", "analytics"}));
}

}  // namespace
}  // namespace selfservice
