// AttachmentEngine over an in-memory store, a fake ticket lookup and a memory (or file) BlobStore:
// the tus-like offsets, checksums, limits and what a completed upload makes visible.

#include <map>

#include "core/sha256.hpp"
#include "engine/attachment_engine.hpp"
#include "engine_test_support.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {
namespace {

const std::string kPdf = "%PDF-1.7\n" + std::string(3000, 'x') + "\n%%EOF";

class AttachmentEngineTest : public EngineTest {
 protected:
  AttachmentEngine Engine(BlobStore& blobs, AttachmentOptions options = {}) {
    return AttachmentEngine(*store_, blobs, clock_, std::move(options),
                            [this](const RequestContext& context, std::int64_t id) -> Result<TicketAccess> {
                              auto found = tickets_.find({context.tenant_id, id});
                              if (found == tickets_.end()) return Status::NotFound("ticket");
                              const TicketAccess& t = found->second;
                              if (!Scope(context).Sees(t.customer_id, t.user_id)) return Status::NotFound("ticket");
                              return t;
                            });
  }

  static BeginUploadRequest Request(const std::string& bytes, std::int64_t ticket_id = 7,
                                    std::string type = "application/pdf", std::string name = "report.pdf") {
    BeginUploadRequest r;
    r.ticket_id = ticket_id;
    r.filename = std::move(name);
    r.size = static_cast<std::int64_t>(bytes.size());
    r.content_type = std::move(type);
    r.sha256 = Sha256Hex(bytes);
    return r;
  }

  // Begins, sends `bytes` in chunks of `chunk` and completes; asserts each step.
  AttachmentRepository::Completed Upload(AttachmentEngine& engine, const std::string& bytes, std::size_t chunk = 1000,
                                         const RequestContext& who = User(1, 10, 100)) {
    auto begun = engine.Begin(who, Request(bytes));
    EXPECT_TRUE(begun.ok()) << Describe(begun);
    if (!begun.ok()) return {};
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
      const std::string piece = bytes.substr(at, chunk);
      auto appended = engine.Append(who, begun->upload_id, static_cast<std::int64_t>(at), piece, Sha256Hex(piece));
      EXPECT_TRUE(appended.ok()) << Describe(appended);
    }
    auto completed = engine.Complete(who, begun->upload_id);
    EXPECT_TRUE(completed.ok()) << Describe(completed);
    return completed.ok() ? completed.value() : AttachmentRepository::Completed{};
  }

  std::map<std::pair<std::int64_t, std::int64_t>, TicketAccess> tickets_ = {
      {{1, 7}, TicketAccess{10, 100, false}}, {{1, 8}, TicketAccess{10, 100, true}}, {{2, 7}, TicketAccess{20, 200, false}}};
  std::unique_ptr<BlobStore> blobs_ = NewMemoryBlobStore();
  const RequestContext user_ = User(1, 10, 100);
};

bool HasError(const Status& status, ErrorCode code, std::string_view field, std::string_view field_code) {
  if (status.code() != code) return false;
  for (const auto& error : status.field_errors()) {
    if (error.field == field && error.code == field_code) return true;
  }
  return false;
}

TEST_F(AttachmentEngineTest, CompletedUploadBecomesAnAttachmentOfTheTicket) {
  auto engine = Engine(*blobs_);
  auto completed = Upload(engine, kPdf);
  ASSERT_TRUE(completed.attachment);
  EXPECT_EQ(completed.upload.status, UploadStatus::complete);
  EXPECT_EQ(completed.attachment->attachment.size_bytes, static_cast<std::int64_t>(kPdf.size()));
  EXPECT_EQ(completed.attachment->attachment.sha256, Sha256Hex(kPdf));
  auto listed = engine.List(user_, 7, PageRequest{});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  ASSERT_EQ(listed->total, 1);
  auto bytes = blobs_->Read(listed->items[0].blob_key, 0, 1 << 20);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, kPdf);
  EXPECT_EQ(listed->items[0].blob_key.rfind("tenants/1/", 0), 0u);
}

TEST_F(AttachmentEngineTest, NoAttachmentIsVisibleBeforeCompletion) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 0, kPdf, std::nullopt).ok());
  EXPECT_EQ(engine.List(user_, 7, PageRequest{})->total, 0);
}

TEST_F(AttachmentEngineTest, AnOffsetOtherThanTheCommittedOneAnswers10006AndChangesNothing) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 0, kPdf.substr(0, 1000), std::nullopt).ok());
  for (std::int64_t offset : {0, 999, 1001, 5000}) {
    auto refused = engine.Append(user_, begun->upload_id, offset, kPdf.substr(1000, 10), std::nullopt);
    EXPECT_TRUE(HasError(refused.status(), ErrorCode::kTransitionNotAllowed, "offset", "OFFSET_MISMATCH")) << offset;
  }
  EXPECT_EQ(engine.Find(user_, begun->upload_id)->committed_bytes, 1000);
  EXPECT_EQ(*blobs_->Size(begun->part_key), 1000);
}

TEST_F(AttachmentEngineTest, AChunkWhoseChecksumDoesNotMatchAnswers20003AndIsDiscarded) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  auto refused = engine.Append(user_, begun->upload_id, 0, kPdf.substr(0, 1000), Sha256Hex("something else"));
  EXPECT_TRUE(HasError(refused.status(), ErrorCode::kUploadFailed, "chunk_sha256", "CHECKSUM_MISMATCH"));
  EXPECT_TRUE(refused.status().retryable());
  EXPECT_EQ(engine.Find(user_, begun->upload_id)->committed_bytes, 0);
  EXPECT_EQ(*blobs_->Size(begun->part_key), 0);
}

TEST_F(AttachmentEngineTest, StatusGivesTheCommittedOffsetToResumeFrom) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 0, kPdf.substr(0, 1500), std::nullopt).ok());
  auto status = engine.Find(user_, begun->upload_id);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->committed_bytes, 1500);
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 1500, kPdf.substr(1500), std::nullopt).ok());
  EXPECT_TRUE(engine.Complete(user_, begun->upload_id).ok());
}

TEST_F(AttachmentEngineTest, ResumingCutsBytesBeyondTheCommittedOffset) {
  TempDir dir;
  auto blobs = OpenFileBlobStore(dir.File("blobs"));
  ASSERT_TRUE(blobs.ok());
  auto engine = Engine(**blobs);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 0, kPdf.substr(0, 1000), std::nullopt).ok());
  // A crash after the write and before the commit: bytes on disk the store never acknowledged.
  ASSERT_TRUE((*blobs)->WriteAt(begun->part_key, 1000, "garbage that was never acknowledged").ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 1000, kPdf.substr(1000), std::nullopt).ok());
  auto completed = engine.Complete(user_, begun->upload_id);
  ASSERT_TRUE(completed.ok()) << Describe(completed);
  EXPECT_EQ(*(*blobs)->Read(completed->attachment->blob_key, 0, 1 << 20), kPdf);
}

TEST_F(AttachmentEngineTest, CompleteVerifiesTheWholeSha256) {
  auto engine = Engine(*blobs_);
  BeginUploadRequest request = Request(kPdf);
  request.sha256 = Sha256Hex("not the file");
  auto begun = engine.Begin(user_, request);
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 0, kPdf, std::nullopt).ok());
  auto refused = engine.Complete(user_, begun->upload_id);
  EXPECT_TRUE(HasError(refused.status(), ErrorCode::kUploadFailed, "sha256", "CHECKSUM_MISMATCH"));
  EXPECT_EQ(engine.Find(user_, begun->upload_id)->status, UploadStatus::failed);
  EXPECT_EQ(engine.List(user_, 7, PageRequest{})->total, 0);
}

TEST_F(AttachmentEngineTest, CompleteBeforeEveryByteAnswers10006) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  EXPECT_EQ(engine.Complete(user_, begun->upload_id).status().code(), ErrorCode::kTransitionNotAllowed);
}

TEST_F(AttachmentEngineTest, ContentIsCheckedByMagicBytesNotByName) {
  auto engine = Engine(*blobs_);
  const std::string text = "just some text, not a PNG at all";
  auto begun = engine.Begin(user_, Request(text, 7, "image/png", "photo.png"));
  ASSERT_TRUE(begun.ok());
  auto refused = engine.Append(user_, begun->upload_id, 0, text, std::nullopt);
  EXPECT_TRUE(HasError(refused.status(), ErrorCode::kUploadFailed, "data", "FILE_TYPE_NOT_ALLOWED"));
  // The same bytes announced as text go through whatever the file is called.
  auto as_text = engine.Begin(user_, Request(text, 7, "text/plain", "photo.png"));
  ASSERT_TRUE(as_text.ok());
  ASSERT_TRUE(engine.Append(user_, as_text->upload_id, 0, text, std::nullopt).ok());
  EXPECT_TRUE(engine.Complete(user_, as_text->upload_id).ok());
}

TEST_F(AttachmentEngineTest, TypesOutsideTheAllowListAreRefusedAtBegin) {
  auto engine = Engine(*blobs_);
  auto refused = engine.Begin(user_, Request("MZ...", 7, "application/x-msdownload", "setup.exe"));
  EXPECT_TRUE(HasError(refused.status(), ErrorCode::kUploadFailed, "content_type", "FILE_TYPE_NOT_ALLOWED"));
}

TEST_F(AttachmentEngineTest, SizeAndCountLimitsAnswer20003) {
  AttachmentOptions options;
  options.max_bytes = 2000;
  options.max_per_ticket = 1;
  auto engine = Engine(*blobs_, options);
  auto too_big = engine.Begin(user_, Request(kPdf));
  EXPECT_TRUE(HasError(too_big.status(), ErrorCode::kUploadFailed, "size", "FILE_TOO_LARGE"));
  const std::string small = "%PDF-1.4 small";
  auto begun = engine.Begin(user_, Request(small));
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 0, small, std::nullopt).ok());
  ASSERT_TRUE(engine.Complete(user_, begun->upload_id).ok());
  auto second = engine.Begin(user_, Request(small));
  EXPECT_TRUE(HasError(second.status(), ErrorCode::kUploadFailed, "ticket_id", "TOO_MANY_FILES"));
}

TEST_F(AttachmentEngineTest, TheCustomersSecuritySettingsTightenTheLimits) {
  auto engine = Engine(*blobs_);
  ASSERT_TRUE(store_->portal_configs()
                  .Upsert(Scope(user_), 10,
                          [](PortalConfig& config) {
                            config.security_settings = Json(R"({"attachments": {"max_bytes": 100, "allowed_types": ["application/pdf", "application/x-evil"]}})");
                            return Status::Ok();
                          })
                  .ok());
  EXPECT_TRUE(HasError(engine.Begin(user_, Request(kPdf)).status(), ErrorCode::kUploadFailed, "size", "FILE_TOO_LARGE"));
  EXPECT_EQ(engine.LimitsFor(user_).allowed_types, std::vector<std::string>{"application/pdf"});
}

TEST_F(AttachmentEngineTest, FileNamesAreSanitised) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request(kPdf, 7, "application/pdf", "../../etc/\x01pass\x7fwd.pdf"));
  ASSERT_TRUE(begun.ok()) << Describe(begun);
  EXPECT_EQ(begun->file_name, "passwd.pdf");
  auto refused = engine.Begin(user_, Request(kPdf, 7, "application/pdf", "../.."));
  EXPECT_TRUE(HasError(refused.status(), ErrorCode::kInvalidArgument, "filename", "FIELD_INVALID"));
}

TEST_F(AttachmentEngineTest, ClosedTicketsTakeNoAttachmentAndUnseenTicketsAreNotFound) {
  auto engine = Engine(*blobs_);
  EXPECT_EQ(engine.Begin(user_, Request(kPdf, 8)).status().code(), ErrorCode::kTransitionNotAllowed);
  EXPECT_EQ(engine.Begin(user_, Request(kPdf, 99)).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(engine.Begin(User(1, 10, 101), Request(kPdf, 7)).status().code(), ErrorCode::kNotFound);
}

TEST_F(AttachmentEngineTest, AnotherTenantNeitherSeesTheUploadNorTheAttachment) {
  auto engine = Engine(*blobs_);
  auto completed = Upload(engine, kPdf);
  ASSERT_TRUE(completed.attachment);
  const RequestContext other = PlatformAdmin(2, 20, 200);
  EXPECT_EQ(engine.Find(other, completed.upload.upload_id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(engine.Get(other, completed.attachment->attachment.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(engine.List(other, std::nullopt, PageRequest{})->total, 0);
}

TEST_F(AttachmentEngineTest, AbortRemovesTheUploadAndItsBytes) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 0, kPdf.substr(0, 100), std::nullopt).ok());
  ASSERT_TRUE(engine.Abort(user_, begun->upload_id).ok());
  EXPECT_EQ(engine.Find(user_, begun->upload_id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(blobs_->Size(begun->part_key).status().code(), ErrorCode::kNotFound);
}

TEST_F(AttachmentEngineTest, StaleUploadsExpireAndAreSwept) {
  AttachmentOptions options;
  options.upload_expiry_seconds = 60;
  auto engine = Engine(*blobs_, options);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  clock_.Advance(61 * kSecond);
  auto late = engine.Append(user_, begun->upload_id, 0, kPdf.substr(0, 10), std::nullopt);
  EXPECT_TRUE(HasError(late.status(), ErrorCode::kUploadFailed, "upload_id", "UPLOAD_EXPIRED"));
  auto swept = engine.Sweep(PlatformAdmin(1, 1, 1));
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(engine.Find(user_, begun->upload_id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(blobs_->Size(begun->part_key).status().code(), ErrorCode::kNotFound);
}

TEST_F(AttachmentEngineTest, CompletingAgainAfterACrashBetweenMoveAndCommitSucceeds) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request(kPdf));
  ASSERT_TRUE(begun.ok());
  ASSERT_TRUE(engine.Append(user_, begun->upload_id, 0, kPdf, std::nullopt).ok());
  const std::string final_key = "tenants/1/attachments/7/" + begun->upload_id;
  ASSERT_TRUE(blobs_->Move(begun->part_key, final_key).ok());
  EXPECT_EQ(engine.List(user_, 7, PageRequest{})->total, 0);
  auto completed = engine.Complete(user_, begun->upload_id);
  ASSERT_TRUE(completed.ok()) << Describe(completed);
  EXPECT_EQ(completed->attachment->blob_key, final_key);
  // And a retried completion answers the same attachment.
  auto again = engine.Complete(user_, begun->upload_id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->attachment->attachment.id, completed->attachment->attachment.id);
}

TEST_F(AttachmentEngineTest, AnEmptyFileCompletes) {
  auto engine = Engine(*blobs_);
  auto begun = engine.Begin(user_, Request("", 7, "text/plain", "empty.txt"));
  ASSERT_TRUE(begun.ok());
  auto completed = engine.Complete(user_, begun->upload_id);
  ASSERT_TRUE(completed.ok()) << Describe(completed);
  EXPECT_EQ(completed->attachment->attachment.size_bytes, 0);
}

}  // namespace
}  // namespace selfservice::test
