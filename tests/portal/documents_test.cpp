// documents.* through the string API: publishing from base64 or from a resumable upload, who
// sees what, downloads that count and are recorded, and the statistics.

#include "core/base64.hpp"
#include "core/sha256.hpp"
#include "harness.hpp"

namespace selfservice::test {
namespace {

const std::string kPdf = "%PDF-1.7\n运维指南\n%%EOF";

class DocumentsTest : public PortalTest {
 protected:
  std::int64_t Publish(json::object extra = {}, const Caller& caller = PlatformAdmin()) {
    json::object request{{"title", "Nginx 运维指南"},
                         {"category", "ops"},
                         {"lang", "zh"},
                         {"filename", "nginx.pdf"},
                         {"content_type", "application/pdf"},
                         {"data_base64", Base64Encode(kPdf)}};
    for (const auto& [key, value] : extra) request[key] = value;
    const json::object answer = Call("documents.publish", caller, request);
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return IsSuccess(answer) ? answer.at("data").at("id").as_int64() : 0;
  }
};

TEST_F(DocumentsTest, ADownloadAnswersTheBytesWithSizeAndSha256AndIsCounted) {
  const std::int64_t id = Publish();
  const json::object download = Call("documents.download", User(), json::object{{"id", id}, {"include_data", true}});
  ASSERT_TRUE(IsSuccess(download)) << download;
  EXPECT_EQ(download.at("data").at("size"), static_cast<std::int64_t>(kPdf.size()));
  EXPECT_EQ(download.at("data").at("sha256"), json::value(Sha256Hex(kPdf)));
  EXPECT_EQ(Base64Decode(download.at("data").at("data_base64").as_string()), kPdf);
  EXPECT_EQ(download.at("data").at("document").at("download_count"), 1);
  EXPECT_EQ(StoredEvents(), 1);
}

TEST_F(DocumentsTest, ListSearchesTitlesAndFiltersByCategoryAndLanguage) {
  Publish();
  Publish(json::object{{"title", "VPN user manual"}, {"category", "network"}, {"lang", "en"}});
  EXPECT_EQ(Total("documents.list", User(), json::object{{"q", "vpn"}}), 1);
  EXPECT_EQ(Total("documents.list", User(), json::object{{"category", "ops"}}), 1);
  EXPECT_EQ(Total("documents.list", User(), json::object{{"lang", "en"}}), 1);
  EXPECT_EQ(Total("documents.list", User(), {}), 2);
}

TEST_F(DocumentsTest, AnotherCustomersDocumentIsNotFound) {
  const std::int64_t id = Publish(json::object{{"customer_id", 11}});
  EXPECT_TRUE(IsError(Call("documents.get", User(), json::object{{"id", id}}), 10004));
  EXPECT_TRUE(IsSuccess(Call("documents.get", User(1, 11, 110), json::object{{"id", id}})));
  EXPECT_TRUE(IsError(Call("documents.get", User(2, 11, 110), json::object{{"id", id}}), 10004));
}

TEST_F(DocumentsTest, CustomerUsersCannotPublishOrReadStats) {
  EXPECT_TRUE(IsError(Call("documents.publish", User(), json::object{{"title", "x"}}), 10003));
  EXPECT_TRUE(IsError(Call("documents.stats", User(), json::object{}), 10003));
}

TEST_F(DocumentsTest, ABigDocumentIsPublishedFromAResumableUpload) {
  const std::string bytes = "%PDF-1.7\n" + std::string(300'000, 'z');
  const json::object begun =
      Call("tickets.attachments.begin", PlatformAdmin(),
           json::object{{"target", "document"}, {"filename", "big.pdf"}, {"size", static_cast<std::int64_t>(bytes.size())},
                        {"content_type", "application/pdf"}, {"sha256", Sha256Hex(bytes)}});
  ASSERT_TRUE(IsSuccess(begun)) << begun;
  const std::string upload_id(begun.at("data").at("upload_id").as_string());
  const std::string context = json::serialize(PlatformAdmin().ToJson());
  ASSERT_TRUE(IsSuccess(json::parse(portal_->UploadChunk(context, upload_id, 0, bytes)).as_object()));
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.complete", PlatformAdmin(), json::object{{"upload_id", upload_id}})));
  const json::object published =
      Call("documents.publish", PlatformAdmin(), json::object{{"title", "Big manual"}, {"upload_id", upload_id}});
  ASSERT_TRUE(IsSuccess(published)) << published;
  EXPECT_EQ(published.at("data").at("size_bytes"), static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(published.at("data").at("sha256"), json::value(Sha256Hex(bytes)));
  // A customer may not start a document upload.
  EXPECT_TRUE(IsError(Call("tickets.attachments.begin", User(),
                           json::object{{"target", "document"}, {"filename", "x.pdf"}, {"size", 1},
                                        {"content_type", "application/pdf"}, {"sha256", Sha256Hex("x")}}),
                      10003));
}

TEST_F(DocumentsTest, ADocumentUploadBeginsOnItsOwnRouteWithoutATicket) {
  const std::string bytes = "%PDF-1.7\n" + std::string(1'000, 'q');
  const json::object begun =
      Call("documents.uploads.begin", CustomerAdmin(),
           json::object{{"filename", "vpn.pdf"}, {"size", static_cast<std::int64_t>(bytes.size())},
                        {"content_type", "application/pdf"}, {"sha256", Sha256Hex(bytes)}});
  ASSERT_TRUE(IsSuccess(begun)) << begun;
  EXPECT_EQ(begun.at("data").at("target"), "document");
  EXPECT_TRUE(begun.at("data").at("ticket_id").is_null());
  const json::value upload_id = begun.at("data").at("upload_id");
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.append", CustomerAdmin(),
                             json::object{{"upload_id", upload_id}, {"offset", 0}, {"data_base64", Base64Encode(bytes)}})));
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.complete", CustomerAdmin(), json::object{{"upload_id", upload_id}})));
  const json::object published =
      Call("documents.publish", CustomerAdmin(), json::object{{"title", "VPN manual"}, {"upload_id", upload_id}});
  ASSERT_TRUE(IsSuccess(published)) << published;
  EXPECT_EQ(published.at("data").at("sha256"), json::value(Sha256Hex(bytes)));
}

TEST_F(DocumentsTest, ADocumentUploadRefusesCustomerUsersAndAnotherTarget) {
  const json::object request{{"filename", "x.pdf"}, {"size", 1}, {"content_type", "application/pdf"}, {"sha256", Sha256Hex("x")}};
  EXPECT_TRUE(IsError(Call("documents.uploads.begin", User(), request), 10003));
  json::object ticket = request;
  ticket["target"] = "ticket";
  EXPECT_TRUE(HasFieldError(Call("documents.uploads.begin", CustomerAdmin(), ticket), "target", "VALUE_NOT_ALLOWED"));
  ticket["target"] = 7;
  EXPECT_TRUE(HasFieldError(Call("documents.uploads.begin", CustomerAdmin(), ticket), "target", "FIELD_INVALID"));
}

TEST_F(DocumentsTest, StatsCountWhatTheCallerMaySee) {
  const std::int64_t id = Publish();
  Publish(json::object{{"category", "network"}});
  ASSERT_TRUE(IsSuccess(Call("documents.download", User(), json::object{{"id", id}})));
  const json::object stats = Call("documents.stats", CustomerAdmin(), json::object{});
  ASSERT_TRUE(IsSuccess(stats)) << stats;
  EXPECT_EQ(stats.at("data").at("documents"), 2);
  EXPECT_EQ(stats.at("data").at("downloads"), 1);
  EXPECT_EQ(stats.at("data").at("most_downloaded").at(0).at("id"), id);
}

}  // namespace
}  // namespace selfservice::test
