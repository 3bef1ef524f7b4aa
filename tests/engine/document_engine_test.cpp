// DocumentEngine over an in-memory store and BlobStore: who sees which document, downloads that
// count and are recorded, publishing from bytes or from a completed upload.

#include "core/sha256.hpp"
#include "engine/document_engine.hpp"
#include "engine_test_support.hpp"

namespace selfservice::test {
namespace {

const std::string kPdf = "%PDF-1.7\nmanual\n%%EOF";

class DocumentEngineTest : public EngineTest {
 protected:
  PublishRequest Request(std::string title, std::optional<std::int64_t> customer_id = std::nullopt) {
    PublishRequest r;
    r.document.document.title = std::move(title);
    r.document.document.category = "manual";
    r.document.document.customer_id = customer_id;
    r.filename = "guide.pdf";
    r.content_type = "application/pdf";
    r.data = kPdf;
    return r;
  }

  StoredDocument Publish(PublishRequest request, const RequestContext& who = PlatformAdmin(1, 1, 1)) {
    auto published = documents_.Publish(who, std::move(request));
    EXPECT_TRUE(published.ok()) << Describe(published);
    return published.ok() ? published.value() : StoredDocument{};
  }

  std::unique_ptr<BlobStore> blobs_ = NewMemoryBlobStore();
  AttachmentEngine uploads_{*store_, *blobs_, clock_, AttachmentOptions{},
                            [](const RequestContext&, std::int64_t) -> Result<TicketAccess> {
                              return Status::NotFound("ticket");
                            }};
  DocumentEngine documents_{*store_, uploads_, clock_};
  const RequestContext user_ = User(1, 10, 100);
};

TEST_F(DocumentEngineTest, PublishedDocumentsAreListedAndDownloadedWithTheirChecksum) {
  const StoredDocument published = Publish(Request("运维指南"));
  EXPECT_EQ(published.sha256, Sha256Hex(kPdf));
  auto listed = documents_.List(user_, DocumentFilter{}, PageRequest{});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->total, 1);
  auto download = documents_.Download(user_, published.document.id, true);
  ASSERT_TRUE(download.ok()) << Describe(download);
  EXPECT_EQ(download->bytes, kPdf);
  EXPECT_EQ(download->document.document.download_count, 1);
}

TEST_F(DocumentEngineTest, ADownloadIsRecordedAsABehaviourEvent) {
  const StoredDocument published = Publish(Request("manual"));
  ASSERT_TRUE(documents_.Download(user_, published.document.id, false).ok());
  BehaviorFilter filter;
  filter.action_type = ActionType::download;
  auto events = store_->analytics().List(Scope(user_), filter, PageRequest{});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->total, 1);
  EXPECT_EQ(events->items[0].action_target, "document:" + std::to_string(published.document.id));
}

TEST_F(DocumentEngineTest, ACustomersDocumentIsThatCustomersAlone) {
  const StoredDocument own = Publish(Request("for 10", 10));
  Publish(Request("for 11", 11));
  Publish(Request("for everyone"));
  EXPECT_EQ(documents_.List(user_, DocumentFilter{}, PageRequest{})->total, 2);
  EXPECT_TRUE(documents_.Get(user_, own.document.id).ok());
  EXPECT_EQ(documents_.Get(User(1, 11, 110), own.document.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(documents_.Get(User(2, 10, 100), own.document.id).status().code(), ErrorCode::kNotFound);
}

TEST_F(DocumentEngineTest, RoleAndEnabledFeaturesNarrowWhatIsSeen) {
  PublishRequest admins = Request("admins only");
  admins.document.min_role = 2;
  const StoredDocument admin_doc = Publish(std::move(admins));
  PublishRequest ai = Request("ai guide");
  ai.document.feature = "ai_chat";
  Publish(std::move(ai));
  Publish(Request("plain"));
  EXPECT_EQ(documents_.List(user_, DocumentFilter{}, PageRequest{})->total, 2);
  EXPECT_EQ(documents_.Get(user_, admin_doc.document.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(documents_.List(CustomerAdmin(1, 10, 101), DocumentFilter{}, PageRequest{})->total, 3);
  ASSERT_TRUE(store_->portal_configs()
                  .Upsert(Scope(user_), 10,
                          [](PortalConfig& config) {
                            config.enabled_features = {"documents", "tickets"};
                            return Status::Ok();
                          })
                  .ok());
  EXPECT_EQ(documents_.List(user_, DocumentFilter{}, PageRequest{})->total, 1);
  ASSERT_TRUE(store_->portal_configs()
                  .Upsert(Scope(user_), 10,
                          [](PortalConfig& config) {
                            config.enabled_features = {"tickets"};
                            return Status::Ok();
                          })
                  .ok());
  EXPECT_EQ(documents_.List(user_, DocumentFilter{}, PageRequest{})->total, 0);
}

TEST_F(DocumentEngineTest, CustomersSeeOnlyPublishedDocuments) {
  PublishRequest draft = Request("draft");
  draft.document.document.status = PublicationStatus::draft;
  const StoredDocument stored = Publish(std::move(draft));
  EXPECT_EQ(documents_.Get(user_, stored.document.id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(documents_.Get(PlatformAdmin(1, 1, 1), stored.document.id).ok());
}

TEST_F(DocumentEngineTest, ACustomerAdminPublishesForTheirOwnCustomer) {
  const StoredDocument stored = Publish(Request("ours"), CustomerAdmin(1, 10, 101));
  EXPECT_EQ(stored.document.customer_id, 10);
  EXPECT_EQ(documents_.Publish(user_, Request("x")).status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(DocumentEngineTest, ACompletedDocumentUploadCanBePublished) {
  const RequestContext admin = PlatformAdmin(1, 1, 1);
  BeginUploadRequest begin;
  begin.target = UploadTarget::document;
  begin.filename = "big.pdf";
  begin.size = static_cast<std::int64_t>(kPdf.size());
  begin.content_type = "application/pdf";
  begin.sha256 = Sha256Hex(kPdf);
  auto upload = uploads_.Begin(admin, begin);
  ASSERT_TRUE(upload.ok()) << Describe(upload);
  ASSERT_TRUE(uploads_.Append(admin, upload->upload_id, 0, kPdf, std::nullopt).ok());
  ASSERT_TRUE(uploads_.Complete(admin, upload->upload_id).ok());
  PublishRequest request;
  request.document.document.title = "big manual";
  request.upload_id = upload->upload_id;
  const StoredDocument stored = Publish(std::move(request));
  EXPECT_EQ(stored.document.file_name, "big.pdf");
  auto download = documents_.Download(user_, stored.document.id, true);
  ASSERT_TRUE(download.ok()) << Describe(download);
  EXPECT_EQ(download->bytes, kPdf);
  EXPECT_EQ(uploads_.Find(admin, upload->upload_id).status().code(), ErrorCode::kNotFound);
}

TEST_F(DocumentEngineTest, BytesThatAreNotTheirTypeAreRefused) {
  PublishRequest request = Request("fake");
  request.data = "not a pdf";
  EXPECT_EQ(documents_.Publish(PlatformAdmin(1, 1, 1), std::move(request)).status().code(), ErrorCode::kUploadFailed);
}

TEST_F(DocumentEngineTest, StatsCountDocumentsDownloadsAndCategories) {
  const StoredDocument a = Publish(Request("a"));
  Publish(Request("b"));
  ASSERT_TRUE(documents_.Download(user_, a.document.id, false).ok());
  ASSERT_TRUE(documents_.Download(user_, a.document.id, false).ok());
  auto stats = documents_.Stats(CustomerAdmin(1, 10, 101), DocumentFilter{});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 2);
  EXPECT_EQ(stats->downloads, 2);
  ASSERT_EQ(stats->by_category.size(), 1u);
  EXPECT_EQ(stats->by_category[0].count, 2);
  ASSERT_FALSE(stats->most_downloaded.empty());
  EXPECT_EQ(stats->most_downloaded[0].document.id, a.document.id);
}

}  // namespace
}  // namespace selfservice::test
