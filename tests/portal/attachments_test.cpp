// tickets.attachments.* through the string API and the binary entry (Portal::UploadChunk): the
// tus-like flow, its refusals, and a portal on a file whose attachments are files beside it.
// The crash test kills a child process in the middle of an upload and checks what survives.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/base64.hpp"
#include "core/sha256.hpp"
#include "harness.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {
namespace {

json::object Form() {
  return json::object{{"title", "打印机无法连接"}, {"description", "附上错误截图"}, {"category", "hardware"}, {"priority", 2}};
}

std::int64_t CreateTicket(Portal& portal, const Caller& caller) {
  const std::string answer =
      portal.Invoke("tickets.create", json::serialize(caller.ToJson()), json::serialize(Form()));
  return json::parse(answer).at("data").at("id").as_int64();
}

json::object BeginRequest(std::int64_t ticket_id, const std::string& bytes) {
  return json::object{{"ticket_id", ticket_id},
                      {"filename", "C:\\Users\\li\\error.pdf"},
                      {"size", static_cast<std::int64_t>(bytes.size())},
                      {"content_type", "application/pdf"},
                      {"sha256", Sha256Hex(bytes)}};
}

json::object Chunk(const std::string& upload_id, std::int64_t offset, const std::string& bytes) {
  return json::object{{"upload_id", upload_id},
                      {"offset", offset},
                      {"data_base64", Base64Encode(bytes)},
                      {"chunk_sha256", Sha256Hex(bytes)}};
}

class AttachmentsTest : public PortalTest {
 protected:
  void SetUp() override {
    PortalTest::SetUp();
    ticket_ = CreateTicket(*portal_, User());
  }

  std::string Begin(const std::string& bytes) {
    const json::object answer = Call("tickets.attachments.begin", User(), BeginRequest(ticket_, bytes));
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return IsSuccess(answer) ? std::string(answer.at("data").at("upload_id").as_string()) : std::string();
  }

  std::int64_t ticket_ = 0;
  const std::string file_ = PdfBytes(10'000);
};

TEST_F(AttachmentsTest, AnUploadInChunksBecomesAnAttachmentWithTheSameBytes) {
  const std::string id = Begin(file_);
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.append", User(), Chunk(id, 0, file_.substr(0, 4000)))));
  const json::object status = Call("tickets.attachments.status", User(), json::object{{"upload_id", id}});
  ASSERT_TRUE(IsSuccess(status));
  EXPECT_EQ(status.at("data").at("offset"), 4000);
  EXPECT_EQ(status.at("data").at("filename"), "error.pdf");
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.append", User(), Chunk(id, 4000, file_.substr(4000)))));
  EXPECT_EQ(Total("tickets.attachments.list", User(), json::object{{"ticket_id", ticket_}}), 0);
  const json::object completed = Call("tickets.attachments.complete", User(), json::object{{"upload_id", id}});
  ASSERT_TRUE(IsSuccess(completed)) << completed;
  const std::int64_t attachment_id = completed.at("data").at("attachment").at("id").as_int64();
  EXPECT_EQ(Total("tickets.attachments.list", User(), json::object{{"ticket_id", ticket_}}), 1);
  const json::object got =
      Call("tickets.attachments.get", User(), json::object{{"id", attachment_id}, {"include_data", true}});
  ASSERT_TRUE(IsSuccess(got));
  EXPECT_EQ(Base64Decode(got.at("data").at("data_base64").as_string()), file_);
  EXPECT_EQ(got.at("data").at("sha256"), json::value(Sha256Hex(file_)));
}

TEST_F(AttachmentsTest, AFileTooBigToCarryInlineIsRefusedInlineAndGivenByItsDescription) {
  const std::string big = PdfBytes(16 * 1024 * 1024 + 1);  // one byte over kMaxInlineFileBytes
  const std::string id = Begin(big);
  const std::string context = json::serialize(User().ToJson());
  ASSERT_TRUE(IsSuccess(json::parse(portal_->UploadChunk(context, id, 0, big)).as_object()));
  const json::object completed = Call("tickets.attachments.complete", User(), json::object{{"upload_id", id}});
  ASSERT_TRUE(IsSuccess(completed)) << completed;
  const std::int64_t attachment_id = completed.at("data").at("attachment").at("id").as_int64();
  const json::object inline_data =
      Call("tickets.attachments.get", User(), json::object{{"id", attachment_id}, {"include_data", true}});
  EXPECT_TRUE(IsError(inline_data, 10001));
  EXPECT_TRUE(HasFieldError(inline_data, "include_data", "VALUE_NOT_ALLOWED")) << inline_data;
  const json::object described = Call("tickets.attachments.get", User(), json::object{{"id", attachment_id}});
  ASSERT_TRUE(IsSuccess(described)) << described;
  EXPECT_EQ(described.at("data").at("size_bytes"), static_cast<std::int64_t>(big.size()));
}

TEST_F(AttachmentsTest, AWrongOffsetAnswers10006WithTheOffsetToResumeFrom) {
  const std::string id = Begin(file_);
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.append", User(), Chunk(id, 0, file_.substr(0, 100)))));
  const json::object refused = Call("tickets.attachments.append", User(), Chunk(id, 50, file_.substr(50, 100)));
  EXPECT_TRUE(IsError(refused, 10006));
  EXPECT_TRUE(HasFieldError(refused, "offset", "OFFSET_MISMATCH"));
  EXPECT_NE(std::string(refused.at("errors").at(0).at("message").as_string()).find("100"), std::string::npos);
}

TEST_F(AttachmentsTest, ACorruptChunkAnswers20003WithARetryHint) {
  const std::string id = Begin(file_);
  json::object chunk = Chunk(id, 0, file_.substr(0, 100));
  chunk["chunk_sha256"] = Sha256Hex("other");
  const json::object refused = Call("tickets.attachments.append", User().WithLocale("en-US"), chunk);
  EXPECT_TRUE(IsError(refused, 20003));
  EXPECT_TRUE(HasFieldError(refused, "chunk_sha256", "CHECKSUM_MISMATCH"));
  EXPECT_NE(std::string(refused.at("errors").at(0).at("message").as_string()).find("from offset 0"), std::string::npos);
}

TEST_F(AttachmentsTest, TheBinaryEntryAnswersWhatTheMethodAnswers) {
  const std::string id = Begin(file_);
  const std::string context = json::serialize(User().ToJson());
  const json::value binary = json::parse(portal_->UploadChunk(context, id, 0, file_.substr(0, 100)));
  ASSERT_TRUE(IsSuccess(binary.as_object())) << binary;
  const json::object method = Call("tickets.attachments.append", User(), Chunk(id, 100, file_.substr(100, 100)));
  ASSERT_TRUE(IsSuccess(method));
  for (const char* key : {"upload_id", "size", "status", "sha256", "filename"}) {
    EXPECT_EQ(binary.at("data").at(key), method.at("data").at(key)) << key;
  }
  EXPECT_EQ(method.at("data").at("offset"), 200);
  const json::value stale = json::parse(portal_->UploadChunk(context, id, 100, file_.substr(100, 100)));
  EXPECT_TRUE(IsError(stale.as_object(), 10006));
  const json::value corrupt =
      json::parse(portal_->UploadChunk(context, id, 200, file_.substr(200, 100), Sha256Hex("x")));
  EXPECT_TRUE(IsError(corrupt.as_object(), 20003));
  EXPECT_TRUE(IsError(json::parse(portal_->UploadChunk("{}", id, 200, "x")).as_object(), 10002));
}

TEST_F(AttachmentsTest, AClosedTicketTakesNoNewAttachment) {
  for (const char* to : {"open", "in_progress", "resolved", "closed"}) {
    ASSERT_TRUE(IsSuccess(Call("tickets.transition", PlatformAdmin(), json::object{{"id", ticket_}, {"to", to}})));
  }
  EXPECT_TRUE(IsError(Call("tickets.attachments.begin", User(), BeginRequest(ticket_, file_)), 10006));
}

TEST_F(AttachmentsTest, OthersCannotTouchTheUploadOrSeeTheTicket) {
  const std::string id = Begin(file_);
  EXPECT_TRUE(IsError(Call("tickets.attachments.append", User(2, 20, 200), Chunk(id, 0, "%PDF")), 10004));
  EXPECT_TRUE(IsError(Call("tickets.attachments.status", User(1, 10, 101), json::object{{"upload_id", id}}), 10004));
  EXPECT_TRUE(IsError(Call("tickets.attachments.begin", User(1, 10, 101), BeginRequest(ticket_, file_)), 10004));
}

TEST_F(AttachmentsTest, ExecutablesAreRefusedWhateverTheirName) {
  json::object request = BeginRequest(ticket_, file_);
  request["content_type"] = "application/x-msdownload";
  const json::object refused = Call("tickets.attachments.begin", User(), request);
  EXPECT_TRUE(IsError(refused, 20003));
  EXPECT_TRUE(HasFieldError(refused, "content_type", "FILE_TYPE_NOT_ALLOWED"));
}

TEST(AttachmentOptions, AreReadFromTheOptionsJson) {
  auto options = PortalOptions::FromJson(
      R"({"blob_dir": "/tmp/b", "attachments": {"max_bytes": 1024, "max_per_ticket": 3,
          "allowed_types": ["Application/PDF"], "upload_expiry_seconds": 60}})");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->blob_dir, "/tmp/b");
  EXPECT_EQ(options->attachments.max_bytes, 1024);
  EXPECT_EQ(options->attachments.max_per_ticket, 3);
  EXPECT_EQ(options->attachments.allowed_types, std::vector<std::string>{"application/pdf"});
  EXPECT_EQ(options->attachments.upload_expiry_seconds, 60);
  auto bad = PortalOptions::FromJson(R"({"attachments": {"max_bytes": -1, "allowed_types": ["pdf"]}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field_errors().size(), 2u);
}

TEST(AttachmentsOnFiles, AttachmentsAreFilesBesideTheDatabase) {
  TempDir dir;
  PortalOptions options;
  options.storage = "sqlite:" + dir.File("portal.db");
  auto portal = Portal::Open(options);
  ASSERT_TRUE(portal.ok());
  const std::string file = PdfBytes(5000);
  const std::string context = json::serialize(User().ToJson());
  const std::int64_t ticket = CreateTicket(**portal, User());
  const json::value begun =
      json::parse((*portal)->Invoke("tickets.attachments.begin", context, json::serialize(BeginRequest(ticket, file))));
  const std::string id(begun.at("data").at("upload_id").as_string());
  ASSERT_TRUE(IsSuccess(json::parse((*portal)->UploadChunk(context, id, 0, file)).as_object()));
  const json::value completed = json::parse(
      (*portal)->Invoke("tickets.attachments.complete", context, json::serialize(json::object{{"upload_id", id}})));
  const std::int64_t attachment = completed.at("data").at("attachment").at("id").as_int64();
  const json::value got = json::parse(
      (*portal)->Invoke("tickets.attachments.get", context, json::serialize(json::object{{"id", attachment}})));
  const std::string path(got.at("data").at("path").as_string());
  EXPECT_EQ(path.rfind(dir.File("portal.db.blobs") + "/tenants/1/", 0), 0u) << path;
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), file);
}

// Issue 5 section 6: a process killed (SIGKILL) in the middle of an upload. After reopening,
// every chunk it had acknowledged is there, nothing beyond the committed offset counts, no
// attachment is visible, and the upload resumes and completes with the right bytes.
TEST(AttachmentsCrash, AKilledUploaderLosesNoAcknowledgedChunkAndShowsNoHalfAttachment) {
  TempDir dir;
  PortalOptions options;
  options.storage = "sqlite:" + dir.File("portal.db");
  const std::string file = PdfBytes(8 * 1024 * 1024);
  constexpr std::size_t kChunk = 64 * 1024;
  const std::string context = json::serialize(User().ToJson());
  std::int64_t ticket = 0;
  std::string id;
  {
    auto portal = Portal::Open(options);
    ASSERT_TRUE(portal.ok());
    ticket = CreateTicket(**portal, User());
    const json::value begun = json::parse(
        (*portal)->Invoke("tickets.attachments.begin", context, json::serialize(BeginRequest(ticket, file))));
    id = std::string(begun.at("data").at("upload_id").as_string());
  }
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(acks[0]);
    auto portal = Portal::Open(options);
    if (!portal.ok()) _exit(2);
    for (std::size_t at = 0; at < file.size(); at += kChunk) {
      const json::value answer = json::parse((*portal)->UploadChunk(context, id, static_cast<std::int64_t>(at),
                                                                    std::string_view(file).substr(at, kChunk)));
      if (answer.at("code").as_int64() != 200) _exit(3);
      const std::int64_t acknowledged = answer.at("data").at("offset").as_int64();
      if (write(acks[1], &acknowledged, sizeof acknowledged) != sizeof acknowledged) _exit(4);
    }
    _exit(0);
  }
  close(acks[1]);
  std::int64_t last = 0;
  std::int64_t value = 0;
  int received = 0;
  while (received < 20 && read(acks[0], &value, sizeof value) == sizeof value) {
    last = value;
    ++received;
  }
  kill(child, SIGKILL);
  while (read(acks[0], &value, sizeof value) == sizeof value) last = value;
  close(acks[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_GT(last, 0);
  ASSERT_LT(last, static_cast<std::int64_t>(file.size())) << "the child finished before it was killed";

  auto portal = Portal::Open(options);
  ASSERT_TRUE(portal.ok());
  const json::value resumed = json::parse(
      (*portal)->Invoke("tickets.attachments.status", context, json::serialize(json::object{{"upload_id", id}})));
  const std::int64_t committed = resumed.at("data").at("offset").as_int64();
  EXPECT_GE(committed, last);
  const json::value listed = json::parse((*portal)->Invoke("tickets.attachments.list", context,
                                                           json::serialize(json::object{{"ticket_id", ticket}})));
  EXPECT_EQ(listed.at("pagination").at("total"), 0);
  EXPECT_EQ(json::parse((*portal)->Invoke("tickets.attachments.complete", context,
                                          json::serialize(json::object{{"upload_id", id}})))
                .at("code"),
            10006);
  for (std::int64_t at = committed; at < static_cast<std::int64_t>(file.size()); at += kChunk) {
    const json::value answer = json::parse((*portal)->UploadChunk(
        context, id, at, std::string_view(file).substr(static_cast<std::size_t>(at), kChunk)));
    ASSERT_EQ(answer.at("code"), 200) << answer;
  }
  const json::value completed = json::parse(
      (*portal)->Invoke("tickets.attachments.complete", context, json::serialize(json::object{{"upload_id", id}})));
  ASSERT_EQ(completed.at("code"), 200) << completed;
  const std::string path(json::parse((*portal)->Invoke(
                                         "tickets.attachments.get", context,
                                         json::serialize(json::object{
                                             {"id", completed.at("data").at("attachment").at("id")}})))
                             .at("data")
                             .at("path")
                             .as_string());
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_TRUE(content.str() == file);
}

}  // namespace
}  // namespace selfservice::test
