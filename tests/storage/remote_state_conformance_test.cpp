// Remote-state repository conformance: the RemoteStateRepository contract of repository.hpp (the
// Elasticsearch mirror's marks and the knowledge sync cursors), run against every storage adapter
// (each URI of kStorageUris), and kept across a reopening of a file.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "selfservice/repository.hpp"
#include "storage/storage_test_support.hpp"

namespace selfservice {
namespace {

using test::CustomerAdmin;
using test::Describe;

constexpr std::int64_t kT0 = 1'700'000'000'000;

SearchIndexMiss Miss(std::optional<std::int64_t> id = std::nullopt,
                     std::optional<std::string> external_id = std::nullopt) {
  SearchIndexMiss miss;
  miss.removed_id = id;
  miss.removed_external_id = std::move(external_id);
  miss.at = Timestamp{kT0};
  return miss;
}

SyncCursor Cursor(std::string source, std::string cursor, std::int64_t at = kT0) {
  return SyncCursor{std::move(source), std::move(cursor), Timestamp{at}};
}

class RemoteStateConformance : public test::AdapterTest {
 protected:
  RemoteStateRepository& state() { return store_->remote_state(); }

  SearchIndexMarks Marks(const Scope& scope) {
    auto marks = state().FindSearchIndexMarks(scope);
    EXPECT_TRUE(marks.ok()) << Describe(marks);
    return marks.ok() ? *marks : SearchIndexMarks{};
  }

  void Mark(const Scope& scope, const SearchIndexMiss& miss) {
    Status marked = state().MarkSearchIndexBehind(scope, miss);
    EXPECT_TRUE(marked.ok()) << Describe(marked);
  }

  std::optional<SyncCursor> FindCursor(const Scope& scope, std::string_view source) {
    auto found = state().FindSyncCursor(scope, source);
    EXPECT_TRUE(found.ok()) << Describe(found);
    return found.ok() ? *found : std::nullopt;
  }

  const Scope mine_ = Scope(CustomerAdmin(1, 10, 100));
  const Scope theirs_ = Scope(CustomerAdmin(2, 20, 200));
};

TEST_P(RemoteStateConformance, ATenantNeverMarkedIsNotBehindAndHasNothingPending) {
  const SearchIndexMarks marks = Marks(mine_);
  EXPECT_FALSE(marks.behind);
  EXPECT_EQ(marks.misses, 0);
  EXPECT_TRUE(marks.removed_ids.empty());
  EXPECT_TRUE(marks.removed_external_ids.empty());
}

TEST_P(RemoteStateConformance, EachMissMarksBehindCountsAndRemembersItsDeletionOnce) {
  Mark(mine_, Miss());
  Mark(mine_, Miss(7));
  Mark(mine_, Miss(3));
  Mark(mine_, Miss(7));
  Mark(mine_, Miss(std::nullopt, "kb-2"));
  Mark(mine_, Miss(std::nullopt, "kb-1"));
  const SearchIndexMarks marks = Marks(mine_);
  EXPECT_TRUE(marks.behind);
  EXPECT_EQ(marks.misses, 6);
  EXPECT_EQ(marks.removed_ids, (std::vector<std::int64_t>{3, 7}));
  EXPECT_EQ(marks.removed_external_ids, (std::vector<std::string>{"kb-1", "kb-2"}));
}

TEST_P(RemoteStateConformance, ClearingTheGenerationSeenForgetsItsDeletionsAndTheMark) {
  Mark(mine_, Miss(7));
  Mark(mine_, Miss(std::nullopt, "kb-1"));
  const SearchIndexMarks seen = Marks(mine_);
  EXPECT_TRUE(state().ClearSearchIndexMarks(mine_, seen.misses, Timestamp{kT0 + 1}).ok());
  const SearchIndexMarks marks = Marks(mine_);
  EXPECT_FALSE(marks.behind);
  EXPECT_EQ(marks.misses, seen.misses);  // the count of misses is never reset
  EXPECT_TRUE(marks.removed_ids.empty());
  EXPECT_TRUE(marks.removed_external_ids.empty());
}

TEST_P(RemoteStateConformance, AMissAfterTheGenerationSeenKeepsTheMarkAndItsDeletion) {
  Mark(mine_, Miss(7));
  const SearchIndexMarks seen = Marks(mine_);
  Mark(mine_, Miss(8));  // while the reindex ran
  EXPECT_TRUE(state().ClearSearchIndexMarks(mine_, seen.misses, Timestamp{kT0 + 1}).ok());
  const SearchIndexMarks marks = Marks(mine_);
  EXPECT_TRUE(marks.behind);
  EXPECT_EQ(marks.removed_ids, (std::vector<std::int64_t>{8}));
}

TEST_P(RemoteStateConformance, ADeletionRememberedAgainAfterTheGenerationSeenIsKept) {
  Mark(mine_, Miss(std::nullopt, "kb-1"));
  const SearchIndexMarks seen = Marks(mine_);
  Mark(mine_, Miss(std::nullopt, "kb-1"));  // deleted, pulled and deleted again while the reindex ran
  EXPECT_TRUE(state().ClearSearchIndexMarks(mine_, seen.misses, Timestamp{kT0 + 1}).ok());
  EXPECT_EQ(Marks(mine_).removed_external_ids, (std::vector<std::string>{"kb-1"}));
}

TEST_P(RemoteStateConformance, ClearingATenantWithNoMarksIsANoOp) {
  EXPECT_TRUE(state().ClearSearchIndexMarks(mine_, 0, Timestamp{kT0}).ok());
  EXPECT_FALSE(Marks(mine_).behind);
}

TEST_P(RemoteStateConformance, MarksAreTheTenantsOwn) {
  Mark(mine_, Miss(7));
  Mark(mine_, Miss(std::nullopt, "kb-1"));
  const SearchIndexMarks theirs = Marks(theirs_);
  EXPECT_FALSE(theirs.behind);
  EXPECT_EQ(theirs.misses, 0);
  EXPECT_TRUE(theirs.removed_ids.empty());
  EXPECT_TRUE(theirs.removed_external_ids.empty());

  // Another tenant's reindex of the same generation clears nothing of mine.
  EXPECT_TRUE(state().ClearSearchIndexMarks(theirs_, 2, Timestamp{kT0}).ok());
  const SearchIndexMarks marks = Marks(mine_);
  EXPECT_TRUE(marks.behind);
  EXPECT_EQ(marks.removed_ids, (std::vector<std::int64_t>{7}));
  EXPECT_EQ(marks.removed_external_ids, (std::vector<std::string>{"kb-1"}));
}

TEST_P(RemoteStateConformance, ABadMissIsRefusedAndMarksNothing) {
  for (const SearchIndexMiss& bad :
       {Miss(0), Miss(-1), Miss(std::nullopt, ""), Miss(std::nullopt, std::string(101, 'x'))}) {
    Status marked = state().MarkSearchIndexBehind(mine_, bad);
    EXPECT_EQ(marked.code(), ErrorCode::kInvalidArgument) << Describe(marked);
  }
  EXPECT_EQ(state().ClearSearchIndexMarks(mine_, -1, Timestamp{kT0}).code(), ErrorCode::kInvalidArgument);
  const SearchIndexMarks marks = Marks(mine_);
  EXPECT_FALSE(marks.behind);
  EXPECT_EQ(marks.misses, 0);
  EXPECT_TRUE(marks.removed_ids.empty());
}

TEST_P(RemoteStateConformance, ALongestExternalIdIsRemembered) {
  const std::string longest(100, 'x');
  Mark(mine_, Miss(std::nullopt, longest));
  EXPECT_EQ(Marks(mine_).removed_external_ids, (std::vector<std::string>{longest}));
}

TEST_P(RemoteStateConformance, NoCursorBeforeTheFirstSync) {
  EXPECT_EQ(FindCursor(mine_, "req005"), std::nullopt);
}

TEST_P(RemoteStateConformance, ASavedCursorIsFoundAndReplacedPerSource) {
  ASSERT_TRUE(state().SaveSyncCursor(mine_, Cursor("req005", "2025-08-15T10:00:00Z")).ok());
  ASSERT_TRUE(state().SaveSyncCursor(mine_, Cursor("other", "page-9")).ok());
  ASSERT_TRUE(state().SaveSyncCursor(mine_, Cursor("req005", "2025-08-16T00:00:00Z", kT0 + 5)).ok());
  std::optional<SyncCursor> found = FindCursor(mine_, "req005");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->source, "req005");
  EXPECT_EQ(found->cursor, "2025-08-16T00:00:00Z");
  EXPECT_EQ(found->updated_at.millis, kT0 + 5);
  found = FindCursor(mine_, "other");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cursor, "page-9");
}

TEST_P(RemoteStateConformance, AnEmptyCursorIsACursor) {
  ASSERT_TRUE(state().SaveSyncCursor(mine_, Cursor("req005", "")).ok());
  std::optional<SyncCursor> found = FindCursor(mine_, "req005");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->cursor, "");
}

TEST_P(RemoteStateConformance, CursorsAreTheTenantsOwn) {
  ASSERT_TRUE(state().SaveSyncCursor(mine_, Cursor("req005", "mine")).ok());
  EXPECT_EQ(FindCursor(theirs_, "req005"), std::nullopt);
  ASSERT_TRUE(state().SaveSyncCursor(theirs_, Cursor("req005", "theirs")).ok());
  EXPECT_EQ(FindCursor(mine_, "req005")->cursor, "mine");
}

TEST_P(RemoteStateConformance, BadCursorsAndSourcesAreRefusedAndStoreNothing) {
  for (const SyncCursor& bad :
       {Cursor("", "c"), Cursor(std::string(65, 's'), "c"), Cursor("req005", std::string(4097, 'c'))}) {
    Status saved = state().SaveSyncCursor(mine_, bad);
    EXPECT_EQ(saved.code(), ErrorCode::kInvalidArgument) << Describe(saved);
  }
  EXPECT_EQ(state().FindSyncCursor(mine_, "").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(FindCursor(mine_, "req005"), std::nullopt);
  ASSERT_TRUE(state().SaveSyncCursor(mine_, Cursor("req005", std::string(4096, 'c'))).ok());
}

INSTANTIATE_TEST_SUITE_P(Adapters, RemoteStateConformance, ::testing::ValuesIn(test::kStorageUris),
                         test::AdapterName);

TEST(RemoteStateFile, MarksAndCursorsOutliveTheStore) {
  test::TempDir dir;
  const std::string uri = "sqlite:" + (dir.path() / "portal.db").string();
  const Scope mine(CustomerAdmin(1, 10, 100));
  {
    auto store = OpenStore(uri);
    ASSERT_TRUE(store.ok()) << Describe(store);
    ASSERT_TRUE((*store)->remote_state().MarkSearchIndexBehind(mine, Miss(7)).ok());
    ASSERT_TRUE((*store)->remote_state().SaveSyncCursor(mine, Cursor("req005", "c-1")).ok());
  }
  auto store = OpenStore(uri);
  ASSERT_TRUE(store.ok()) << Describe(store);
  auto marks = (*store)->remote_state().FindSearchIndexMarks(mine);
  ASSERT_TRUE(marks.ok()) << Describe(marks);
  EXPECT_TRUE(marks->behind);
  EXPECT_EQ(marks->removed_ids, (std::vector<std::int64_t>{7}));
  auto cursor = (*store)->remote_state().FindSyncCursor(mine, "req005");
  ASSERT_TRUE(cursor.ok() && *cursor) << Describe(cursor);
  EXPECT_EQ((**cursor).cursor, "c-1");
}

}  // namespace
}  // namespace selfservice
