// Download throughput from local disk through the C++ entry (Portal::OpenDownload and
// Download::Read, what selfservice_download_open/_read call) and through the C ABI: a portal on a
// file database with file blobs, one 64 MiB attachment read whole per iteration with reads of
// 64 KiB or 1 MiB. A whole-file read is checked against the file's SHA-256; a range (from byte 1
// to the end) is not, which shows what the check costs. The reference is the same file read with
// read(2) into the same buffer: the floor any download API stands on. bytes_per_second is
// wall-clock (docs/PERFORMANCE.md, "Attachments").

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <string>

#include <boost/json.hpp>

#include "core/sha256.hpp"
#include "selfservice.h"
#include "selfservice/portal.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace json = boost::json;

constexpr const char* kContext =
    R"({"tenant_id":1,"customer_id":100,"user_id":1000,"roles":["customer_user"],"trace_id":"bench-download-001"})";
constexpr std::size_t kFileBytes = 64u * 1024 * 1024;

json::value Must(const std::string& envelope) {
  json::value answer = json::parse(envelope);
  if (answer.at("code").as_int64() != 200) throw std::runtime_error(envelope);
  return answer;
}

// One portal on a file database with one 64 MiB attachment, shared by every case.
struct Fixture {
  selfservice::test::TempDir dir;
  std::unique_ptr<selfservice::Portal> portal;
  selfservice_portal* c_portal = nullptr;
  std::int64_t attachment = 0;
  std::string path;  // the attachment's blob file

  Fixture() {
    std::string file = "%PDF-1.7\n";
    file.resize(kFileBytes);
    for (std::size_t i = 9; i < file.size(); ++i) file[i] = static_cast<char>('a' + (i * 7919) % 26);
    selfservice::PortalOptions options;
    options.storage = "sqlite:" + dir.File("portal.db");
    options.attachments.max_bytes = static_cast<std::int64_t>(kFileBytes);
    auto opened = selfservice::Portal::Open(options);
    if (!opened.ok()) throw std::runtime_error("open");
    portal = std::move(opened).value();
    const json::value ticket = Must(portal->Invoke(
        "tickets.create", kContext, R"({"title":"bench","description":"download","category":"bench","priority":2})"));
    const json::value begun = Must(portal->Invoke(
        "tickets.attachments.begin", kContext,
        json::serialize(json::object{{"ticket_id", ticket.at("data").at("id")}, {"filename", "big.pdf"},
                                     {"size", static_cast<std::int64_t>(file.size())},
                                     {"content_type", "application/pdf"}, {"sha256", selfservice::Sha256Hex(file)}})));
    const std::string id(begun.at("data").at("upload_id").as_string());
    constexpr std::size_t kChunk = 8u * 1024 * 1024;
    for (std::size_t at = 0; at < file.size(); at += kChunk) {
      Must(portal->UploadChunk(kContext, id, static_cast<std::int64_t>(at), std::string_view(file).substr(at, kChunk)));
    }
    const json::value done = Must(portal->Invoke("tickets.attachments.complete", kContext,
                                                 json::serialize(json::object{{"upload_id", id}})));
    attachment = done.at("data").at("attachment").at("id").as_int64();
    const json::value got = Must(portal->Invoke("tickets.attachments.get", kContext,
                                                json::serialize(json::object{{"id", attachment}})));
    path = std::string(got.at("data").at("path").as_string());
    char* error = nullptr;
    c_portal = selfservice_portal_open(json::serialize(json::object{{"storage", options.storage}}).c_str(), &error);
    if (c_portal == nullptr) throw std::runtime_error(error ? error : "open");
  }
  ~Fixture() { selfservice_portal_close(c_portal); }

  std::string Request(std::int64_t offset) const {
    return json::serialize(json::object{{"id", attachment}, {"offset", offset}});
  }
};

Fixture& Shared() {
  static Fixture fixture;
  return fixture;
}

void Download(benchmark::State& state, std::int64_t offset) {
  Fixture& f = Shared();
  std::string buffer(static_cast<std::size_t>(state.range(0)) * 1024, '\0');
  std::int64_t bytes = 0;
  for (auto _ : state) {
    std::unique_ptr<selfservice::Download> download;
    Must(f.portal->OpenDownload("tickets.attachments.get", kContext, f.Request(offset), download));
    for (;;) {
      auto read = download->Read(buffer.data(), buffer.size());
      if (!read.ok()) throw std::runtime_error(read.status().detail());
      if (*read == 0) break;
      bytes += static_cast<std::int64_t>(*read);
    }
  }
  state.SetBytesProcessed(bytes);
}

void BM_DownloadWholeChecked(benchmark::State& state) { Download(state, 0); }
void BM_DownloadRangeUnchecked(benchmark::State& state) { Download(state, 1); }

void BM_DownloadThroughTheCAbi(benchmark::State& state) {
  Fixture& f = Shared();
  std::string buffer(static_cast<std::size_t>(state.range(0)) * 1024, '\0');
  const std::string request = f.Request(0);
  std::int64_t bytes = 0;
  for (auto _ : state) {
    selfservice_download* download = nullptr;
    selfservice_free(selfservice_download_open(f.c_portal, "tickets.attachments.get", kContext, request.c_str(), &download));
    if (download == nullptr) throw std::runtime_error("download_open");
    std::int64_t read;
    while ((read = selfservice_download_read(download, buffer.data(), buffer.size(), nullptr)) > 0) bytes += read;
    selfservice_download_close(download);
    if (read < 0) throw std::runtime_error("download_read");
  }
  state.SetBytesProcessed(bytes);
}

// The floor: the blob file read with read(2) into the same buffer.
void BM_ReadFileReference(benchmark::State& state) {
  Fixture& f = Shared();
  std::string buffer(static_cast<std::size_t>(state.range(0)) * 1024, '\0');
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("open " + f.path);
    ssize_t read;
    while ((read = ::read(fd, buffer.data(), buffer.size())) > 0) bytes += read;
    ::close(fd);
  }
  state.SetBytesProcessed(bytes);
}

BENCHMARK(BM_ReadFileReference)->Arg(64)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DownloadWholeChecked)->Arg(64)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DownloadRangeUnchecked)->Arg(64)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DownloadThroughTheCAbi)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
