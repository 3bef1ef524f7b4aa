// Portal::OpenDownload and Download: the bytes of attachments and documents as they are stored,
// whole or by range, behind the checks every call makes, and what a reader sees when the store
// fails, loses or damages a file while it is being read.

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "core/base64.hpp"
#include "core/sha256.hpp"
#include "harness.hpp"

namespace selfservice::test {
namespace {

// A memory blob store whose reads a test can spoil: flip a byte of every read, answer short, or
// lose the blob, to see what a download makes of a failing store.
class SpoilingBlobStore final : public BlobStore {
 public:
  enum class Spoil { kNone, kFlipByte, kTruncate, kLose, kFail };

  std::string_view name() const override { return "spoiling"; }
  Status WriteAt(std::string_view key, std::int64_t offset, std::string_view bytes) override {
    return inner_->WriteAt(key, offset, bytes);
  }
  Status Put(std::string_view key, std::string_view bytes) override { return inner_->Put(key, bytes); }
  Status Move(std::string_view from, std::string_view to) override { return inner_->Move(from, to); }
  Result<std::int64_t> Size(std::string_view key) override { return inner_->Size(key); }
  Status Delete(std::string_view key) override { return inner_->Delete(key); }
  std::optional<std::string> LocalPath(std::string_view) const override { return std::nullopt; }

  Result<std::string> Read(std::string_view key, std::int64_t offset, std::int64_t length) override {
    switch (spoil_.load()) {
      case Spoil::kLose: return Status::NotFound("blob");
      case Spoil::kFail: return Status::Error(ErrorCode::kUploadFailed, "disk on fire", true);
      case Spoil::kTruncate: return offset >= 100 ? std::string() : inner_->Read(key, offset, std::min<std::int64_t>(length, 100 - offset));
      case Spoil::kFlipByte: {
        auto bytes = inner_->Read(key, offset, length);
        if (bytes.ok() && !bytes->empty()) (*bytes)[0] = static_cast<char>((*bytes)[0] ^ 0x20);
        return bytes;
      }
      case Spoil::kNone: break;
    }
    return inner_->Read(key, offset, length);
  }

  void Set(Spoil spoil) { spoil_ = spoil; }

 private:
  std::unique_ptr<BlobStore> inner_ = NewMemoryBlobStore();
  std::atomic<Spoil> spoil_{Spoil::kNone};
};

class DownloadsTest : public PortalTest {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(kStartMillis);
    PortalOptions options;
    options.clock = clock_;
    options.blob_store = blobs_;
    options.log_level = "off";
    auto portal = Portal::Open(std::move(options));
    ASSERT_TRUE(portal.ok()) << portal.status().detail();
    portal_ = std::move(portal).value();
    attachment_ = Attach(User(), file_);
  }

  // An attachment of `bytes` on a new ticket of `caller`, through the resumable upload.
  std::int64_t Attach(const Caller& caller, const std::string& bytes) {
    const json::object ticket = Call("tickets.create", caller,
                                     json::object{{"title", "打印机无法连接"}, {"description", "附上日志"},
                                                  {"category", "hardware"}, {"priority", 2}});
    EXPECT_TRUE(IsSuccess(ticket)) << ticket;
    const json::object begun =
        Call("tickets.attachments.begin", caller,
             json::object{{"ticket_id", ticket.at("data").at("id")}, {"filename", "错误日志.pdf"},
                          {"size", static_cast<std::int64_t>(bytes.size())}, {"content_type", "application/pdf"},
                          {"sha256", Sha256Hex(bytes)}});
    EXPECT_TRUE(IsSuccess(begun)) << begun;
    const json::value upload_id = begun.at("data").at("upload_id");
    EXPECT_TRUE(IsSuccess(Call("tickets.attachments.append", caller,
                               json::object{{"upload_id", upload_id}, {"offset", 0}, {"data_base64", Base64Encode(bytes)}})));
    const json::object completed = Call("tickets.attachments.complete", caller, json::object{{"upload_id", upload_id}});
    EXPECT_TRUE(IsSuccess(completed)) << completed;
    return completed.at("data").at("attachment").at("id").as_int64();
  }

  std::int64_t PublishDocument(const std::string& bytes) {
    const json::object answer = Call("documents.publish", PlatformAdmin(),
                                     json::object{{"title", "Nginx 运维指南"},
                                                  {"category", "ops"},
                                                  {"lang", "zh"},
                                                  {"filename", "nginx.pdf"},
                                                  {"content_type", "application/pdf"},
                                                  {"data_base64", Base64Encode(bytes)}});
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return answer.at("data").at("id").as_int64();
  }

  // OpenDownload through the string API; the answer parsed.
  json::object Open(std::string_view method, const Caller& caller, const json::value& request,
                    std::unique_ptr<Download>& download) {
    return json::parse(portal_->OpenDownload(method, json::serialize(caller.ToJson()), json::serialize(request), download))
        .as_object();
  }

  json::object OpenAttachment(json::object request, std::unique_ptr<Download>& download, const Caller& caller = User()) {
    request["id"] = attachment_;
    return Open("tickets.attachments.get", caller, request, download);
  }

  // Every byte left in `download`, read `capacity` bytes at a time; fails the test on an error.
  static std::string ReadAll(Download& download, std::size_t capacity = 4096) {
    std::string out;
    std::string buffer(capacity, '\0');
    for (;;) {
      auto read = download.Read(buffer.data(), buffer.size());
      EXPECT_TRUE(read.ok()) << (read.ok() ? "" : read.status().detail());
      if (!read.ok() || *read == 0) return out;
      out.append(buffer.data(), *read);
    }
  }

  std::shared_ptr<SpoilingBlobStore> blobs_ = std::make_shared<SpoilingBlobStore>();
  const std::string file_ = PdfBytes(10'000);
  std::int64_t attachment_ = 0;
};

TEST_F(DownloadsTest, AWholeAttachmentReadsBackTheUploadedBytes) {
  std::unique_ptr<Download> download;
  const json::object answer = OpenAttachment({}, download);
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  ASSERT_NE(download, nullptr);
  EXPECT_EQ(download->size(), 10'000);
  EXPECT_EQ(download->offset(), 0);
  EXPECT_EQ(download->length(), 10'000);
  EXPECT_EQ(ReadAll(*download, 3000), file_);
  EXPECT_EQ(download->position(), 10'000);
  auto after_end = download->Read(nullptr, 0);
  ASSERT_TRUE(after_end.ok());
  EXPECT_EQ(*after_end, 0u);
}

TEST_F(DownloadsTest, TheAnswerDescribesTheFileWithoutItsBytes) {
  std::unique_ptr<Download> download;
  const json::object answer = OpenAttachment({}, download);
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  const json::object& data = answer.at("data").as_object();
  EXPECT_FALSE(data.contains("data_base64"));
  EXPECT_EQ(data.at("id"), attachment_);
  EXPECT_EQ(data.at("file").at("name"), "错误日志.pdf");
  EXPECT_EQ(data.at("file").at("content_type"), "application/pdf");
  EXPECT_EQ(data.at("file").at("size"), 10'000);
  EXPECT_EQ(data.at("file").at("sha256"), json::value(Sha256Hex(file_)));
  EXPECT_EQ(data.at("range"), Json(R"({"offset": 0, "length": 10000, "size": 10000})"));
}

TEST_F(DownloadsTest, ARangeReadsJustItsBytesAndALengthPastTheEndIsCut) {
  std::unique_ptr<Download> download;
  ASSERT_TRUE(IsSuccess(OpenAttachment(json::object{{"offset", 100}, {"length", 50}}, download)));
  EXPECT_EQ(ReadAll(*download), file_.substr(100, 50));

  const json::object tail = OpenAttachment(json::object{{"offset", 9'990}, {"length", 1'000}}, download);
  ASSERT_TRUE(IsSuccess(tail)) << tail;
  EXPECT_EQ(tail.at("data").at("range"), Json(R"({"offset": 9990, "length": 10, "size": 10000})"));
  EXPECT_EQ(ReadAll(*download), file_.substr(9'990));
}

TEST_F(DownloadsTest, AnInterruptedDownloadResumesFromWhereItStopped) {
  std::unique_ptr<Download> first;
  ASSERT_TRUE(IsSuccess(OpenAttachment({}, first)));
  std::string got(4'000, '\0');
  auto read = first->Read(got.data(), got.size());
  ASSERT_TRUE(read.ok());
  got.resize(*read);
  first.reset();  // the connection dropped

  std::unique_ptr<Download> rest;
  ASSERT_TRUE(IsSuccess(OpenAttachment(json::object{{"offset", static_cast<std::int64_t>(got.size())}}, rest)));
  got += ReadAll(*rest);
  EXPECT_EQ(got, file_);
}

TEST_F(DownloadsTest, AnOffsetPastTheLastByteIsOutOfRange) {
  std::unique_ptr<Download> download;
  for (std::int64_t offset : {10'000, 10'001, 1'000'000}) {
    const json::object answer = OpenAttachment(json::object{{"offset", offset}}, download);
    EXPECT_TRUE(IsError(answer, 10001)) << offset;
    EXPECT_TRUE(HasFieldError(answer, "offset", "OUT_OF_RANGE")) << answer;
    EXPECT_EQ(download, nullptr);
  }
  EXPECT_TRUE(IsSuccess(OpenAttachment(json::object{{"offset", 9'999}}, download)));
}

TEST_F(DownloadsTest, BadRangeValuesAreRefusedByName) {
  std::unique_ptr<Download> download;
  const json::object answer = OpenAttachment(json::object{{"offset", -1}, {"length", 0}}, download);
  EXPECT_TRUE(HasFieldError(answer, "offset", "OUT_OF_RANGE")) << answer;
  EXPECT_TRUE(HasFieldError(answer, "length", "OUT_OF_RANGE")) << answer;
  const json::object typed = OpenAttachment(json::object{{"offset", "10"}, {"length", 1.5}}, download);
  EXPECT_TRUE(HasFieldError(typed, "offset", "FIELD_INVALID")) << typed;
  EXPECT_TRUE(HasFieldError(typed, "length", "FIELD_INVALID")) << typed;
  const json::object huge = OpenAttachment(json::object{{"offset", 18'446'744'073'709'551'615ULL}}, download);
  EXPECT_TRUE(HasFieldError(huge, "offset", "OUT_OF_RANGE")) << huge;
  EXPECT_EQ(download, nullptr);
}

TEST_F(DownloadsTest, TheMethodsOwnFieldsAreCheckedAsForInvoke) {
  std::unique_ptr<Download> download;
  EXPECT_TRUE(HasFieldError(Open("tickets.attachments.get", User(), json::object{}, download), "id", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(Open("documents.download", User(), json::object{{"id", "x"}}, download), "id", "FIELD_INVALID"));
  EXPECT_TRUE(IsError(Open("tickets.attachments.get", User(), json::object{{"id", 999}}, download), 10004));
  EXPECT_EQ(download, nullptr);
}

TEST_F(DownloadsTest, OnlyTheDownloadMethodsOpenADownload) {
  std::unique_ptr<Download> download;
  const json::object other = Open("tickets.get", User(), json::object{{"id", 1}}, download);
  EXPECT_TRUE(HasFieldError(other, "method", "VALUE_NOT_ALLOWED")) << other;
  EXPECT_NE(json::serialize(other).find("tickets.attachments.get, documents.download"), std::string::npos) << other;
  EXPECT_TRUE(IsError(Open("files.fetch", User(), json::object{{"id", 1}}, download), 10004));
  EXPECT_EQ(download, nullptr);
}

TEST_F(DownloadsTest, AFailedOpenResetsADownloadTheCallerStillHeld) {
  std::unique_ptr<Download> download;
  ASSERT_TRUE(IsSuccess(OpenAttachment({}, download)));
  ASSERT_NE(download, nullptr);
  EXPECT_TRUE(IsError(OpenAttachment(json::object{{"offset", -5}}, download), 10001));
  EXPECT_EQ(download, nullptr);
}

TEST_F(DownloadsTest, ABadContextOrRequestTextIsRefusedBeforeAnythingOpens) {
  std::unique_ptr<Download> download;
  const std::string user = json::serialize(User().ToJson());
  EXPECT_TRUE(IsError(json::parse(portal_->OpenDownload("tickets.attachments.get", std::nullopt, "{}", download)).as_object(), 10002));
  EXPECT_TRUE(IsError(json::parse(portal_->OpenDownload("tickets.attachments.get", "{oops", "{}", download)).as_object(), 10002));
  const json::object no_request = json::parse(portal_->OpenDownload("tickets.attachments.get", user, std::nullopt, download)).as_object();
  EXPECT_TRUE(HasFieldError(no_request, "request_json", "FIELD_REQUIRED")) << no_request;
  const json::object bad_request = json::parse(portal_->OpenDownload("tickets.attachments.get", user, "[1]", download)).as_object();
  EXPECT_TRUE(HasFieldError(bad_request, "request_json", "FIELD_INVALID")) << bad_request;
  EXPECT_EQ(download, nullptr);
}

TEST_F(DownloadsTest, AnotherCustomersOrTenantsAttachmentIsNotFound) {
  std::unique_ptr<Download> download;
  EXPECT_TRUE(IsError(OpenAttachment({}, download, User(1, 11, 110)), 10004));
  EXPECT_TRUE(IsError(OpenAttachment({}, download, User(2, 10, 100)), 10004));
  EXPECT_EQ(download, nullptr);
  // The customer's admin sees the customer's attachments.
  EXPECT_TRUE(IsSuccess(OpenAttachment({}, download, CustomerAdmin())));
}

TEST_F(DownloadsTest, ADocumentCountsAsDownloadedOnceForAFullReadNotForAResume) {
  const std::string bytes = PdfBytes(5'000);
  const std::int64_t id = PublishDocument(bytes);
  std::unique_ptr<Download> download;
  const json::object whole = Open("documents.download", User(), json::object{{"id", id}}, download);
  ASSERT_TRUE(IsSuccess(whole)) << whole;
  EXPECT_EQ(whole.at("data").at("document").at("download_count"), 1);
  EXPECT_EQ(whole.at("data").at("sha256"), json::value(Sha256Hex(bytes)));
  EXPECT_EQ(whole.at("data").at("file").at("name"), "nginx.pdf");
  EXPECT_EQ(ReadAll(*download), bytes);

  ASSERT_TRUE(IsSuccess(Open("documents.download", User(), json::object{{"id", id}, {"offset", 2'500}}, download)));
  EXPECT_EQ(ReadAll(*download), bytes.substr(2'500));
  const json::object stored = Call("documents.get", User(), json::object{{"id", id}});
  EXPECT_EQ(stored.at("data").at("download_count"), 1);
  EXPECT_EQ(StoredEvents(), 1);
}

TEST_F(DownloadsTest, ADisabledFeatureRefusesTheDownload) {
  const std::int64_t id = PublishDocument(PdfBytes(100));
  ASSERT_TRUE(IsSuccess(Call("portal.config.update", CustomerAdmin(),
                             json::object{{"enabled_features", json::array{"tickets"}}})));
  std::unique_ptr<Download> download;
  EXPECT_TRUE(IsError(Open("documents.download", User(), json::object{{"id", id}}, download), 10003));
  EXPECT_EQ(download, nullptr);
  EXPECT_TRUE(IsSuccess(OpenAttachment({}, download)));
}

TEST_F(DownloadsTest, AFileThatNoLongerMatchesItsChecksumFailsBeforeItsLastByte) {
  std::unique_ptr<Download> download;
  ASSERT_TRUE(IsSuccess(OpenAttachment({}, download)));
  blobs_->Set(SpoilingBlobStore::Spoil::kFlipByte);
  std::string buffer(4'000, '\0');
  std::int64_t delivered = 0;
  Result<std::size_t> read = download->Read(buffer.data(), buffer.size());
  while (read.ok() && *read > 0) {
    delivered += static_cast<std::int64_t>(*read);
    read = download->Read(buffer.data(), buffer.size());
  }
  ASSERT_FALSE(read.ok());
  EXPECT_LT(delivered, 10'000);
  EXPECT_EQ(read.status().code(), ErrorCode::kUploadFailed);
  const json::object envelope = json::parse(download->ErrorEnvelope(read.status())).as_object();
  EXPECT_TRUE(IsError(envelope, 20003));
  EXPECT_TRUE(HasFieldError(envelope, "file", "FILE_CORRUPT")) << envelope;
  // The failure sticks: nothing more comes out of a damaged file.
  EXPECT_FALSE(download->Read(buffer.data(), buffer.size()).ok());
}

TEST_F(DownloadsTest, ARangeOfADamagedFileIsNotCheckedSinceOnlyTheWholeFileHasADigest) {
  std::unique_ptr<Download> download;
  ASSERT_TRUE(IsSuccess(OpenAttachment(json::object{{"offset", 1}}, download)));
  blobs_->Set(SpoilingBlobStore::Spoil::kFlipByte);
  std::string buffer(20'000, '\0');
  auto read = download->Read(buffer.data(), buffer.size());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, 9'999u);
}

TEST_F(DownloadsTest, AFileShorterThanRecordedFailsWithTheOffsetToRetryFrom) {
  std::unique_ptr<Download> download;
  ASSERT_TRUE(IsSuccess(OpenAttachment({}, download)));
  blobs_->Set(SpoilingBlobStore::Spoil::kTruncate);
  std::string buffer(64, '\0');
  ASSERT_TRUE(download->Read(buffer.data(), buffer.size()).ok());
  ASSERT_TRUE(download->Read(buffer.data(), buffer.size()).ok());  // bytes 64..99
  auto read = download->Read(buffer.data(), buffer.size());
  ASSERT_FALSE(read.ok());
  const json::object envelope = json::parse(download->ErrorEnvelope(read.status())).as_object();
  EXPECT_TRUE(IsError(envelope, 20003));
  EXPECT_TRUE(HasFieldError(envelope, "file", "READ_FAILED")) << envelope;
  EXPECT_NE(json::serialize(envelope).find("100"), std::string::npos) << envelope;
}

TEST_F(DownloadsTest, AStoreThatFailsAnswersARetryableReadFailure) {
  std::unique_ptr<Download> download;
  ASSERT_TRUE(IsSuccess(OpenAttachment({}, download)));
  blobs_->Set(SpoilingBlobStore::Spoil::kFail);
  char buffer[16];
  auto read = download->Read(buffer, sizeof buffer);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kUploadFailed);
  EXPECT_TRUE(read.status().retryable());
}

TEST_F(DownloadsTest, AFileDeletedWhileBeingReadIsNotFound) {
  std::unique_ptr<Download> download;
  ASSERT_TRUE(IsSuccess(OpenAttachment({}, download)));
  blobs_->Set(SpoilingBlobStore::Spoil::kLose);
  char buffer[16];
  auto read = download->Read(buffer, sizeof buffer);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kNotFound);
}

TEST_F(DownloadsTest, AReadFailureSpeaksTheCallersLocaleAndCarriesItsTrace) {
  std::unique_ptr<Download> download;
  const Caller caller = User().WithLocale("en-US").WithTrace("0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(IsSuccess(OpenAttachment({}, download, caller)));
  blobs_->Set(SpoilingBlobStore::Spoil::kFail);
  char buffer[16];
  auto read = download->Read(buffer, sizeof buffer);
  ASSERT_FALSE(read.ok());
  const json::object envelope = json::parse(download->ErrorEnvelope(read.status())).as_object();
  EXPECT_EQ(envelope.at("trace_id"), "0123456789abcdef0123456789abcdef");
  EXPECT_NE(json::serialize(envelope).find("could not be read"), std::string::npos) << envelope;
}

TEST_F(DownloadsTest, ADownloadOutlivesThePortalThatOpenedIt) {
  std::unique_ptr<Download> download;
  ASSERT_TRUE(IsSuccess(OpenAttachment({}, download)));
  portal_.reset();
  EXPECT_EQ(ReadAll(*download), file_);
}

TEST_F(DownloadsTest, ManyThreadsDownloadAtOnce) {
  constexpr int kThreads = 8;
  std::atomic<int> whole{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        std::unique_ptr<Download> download;
        const std::int64_t offset = (t * 997 + round * 31) % 10'000;
        const std::string answer = portal_->OpenDownload(
            "tickets.attachments.get", json::serialize(User().ToJson()),
            json::serialize(json::object{{"id", attachment_}, {"offset", offset}}), download);
        if (download && ReadAll(*download, 1'000) == file_.substr(static_cast<std::size_t>(offset))) ++whole;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(whole.load(), kThreads * 20);
}

TEST_F(DownloadsTest, TheMethodTableNamesTheBinaryMethods) {
  std::map<std::string, std::string> binary;
  for (const MethodInfo& method : Portal::Methods()) {
    if (!method.binary.empty()) binary[std::string(method.name)] = std::string(method.binary);
  }
  EXPECT_EQ(binary, (std::map<std::string, std::string>{{"documents.download", "download"},
                                                        {"tickets.attachments.append", "upload"},
                                                        {"tickets.attachments.get", "download"}}));
}

}  // namespace
}  // namespace selfservice::test
