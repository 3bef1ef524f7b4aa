// admin.backup (docs/SECURITY.md, "Backup and restore"): a consistent copy of the database taken
// while the portal keeps serving, and a portal opened on the copy (the restore) sees what was
// stored before it.

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {
namespace {

std::unique_ptr<Portal> OpenAt(const std::string& storage, const std::string& backup_dir = "") {
  PortalOptions options;
  options.storage = storage;
  options.log_level = "off";
  options.backup_dir = backup_dir;
  auto portal = Portal::Open(std::move(options));
  EXPECT_TRUE(portal.ok()) << portal.status().detail();
  return portal.ok() ? std::move(portal).value() : nullptr;
}

json::object Call(Portal& portal, std::string_view method, const Caller& caller, const json::value& request) {
  return json::parse(portal.Invoke(method, json::serialize(caller.ToJson()), json::serialize(request))).as_object();
}

std::int64_t CreateTicket(Portal& portal, int n) {
  const json::object answer =
      Call(portal, "tickets.create", User(),
           json::object{{"title", "VPN 断开 #" + std::to_string(n)}, {"description", "ERR-0417"}, {"category", "network"},
                        {"priority", 2}});
  EXPECT_TRUE(IsSuccess(answer)) << answer;
  return IsSuccess(answer) ? answer.at("data").at("id").as_int64() : 0;
}

std::string IntegrityOf(const std::string& path) {
  sqlite3* db = nullptr;
  std::string out = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return out;
}

TEST(AdminBackup, ACopyTakenWhileWritesGoOnRestoresEverythingStoredBeforeIt) {
  TempDir dir;
  auto portal = OpenAt("sqlite:" + dir.File("portal.db"), dir.File("backups"));
  ASSERT_NE(portal, nullptr);
  std::vector<std::int64_t> before;
  for (int i = 0; i < 50; ++i) before.push_back(CreateTicket(*portal, i));
  // A writer keeps creating tickets during the backup: it neither waits for it nor breaks it.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 1000; !stop; ++i) {
      if (CreateTicket(*portal, i) != 0) ++written;
    }
  });
  const json::object answer = Call(*portal, "admin.backup", PlatformAdmin(), json::object{{"label", "nightly"}});
  stop = true;
  writer.join();
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  const json::object& data = answer.at("data").as_object();
  const std::string path(data.at("path").as_string());
  EXPECT_TRUE(std::string(data.at("file").as_string()).starts_with("selfservice-"));
  EXPECT_NE(std::string(data.at("file").as_string()).find("-nightly-"), std::string::npos);
  EXPECT_EQ(std::filesystem::path(path).parent_path(), std::filesystem::path(dir.File("backups")));
  EXPECT_EQ(data.at("bytes").as_int64(), static_cast<std::int64_t>(std::filesystem::file_size(path)));
  EXPECT_GT(data.at("pages").as_int64(), 0);
  EXPECT_EQ(IntegrityOf(path), "ok");
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));

  // Restore: a portal opened on the copy has every ticket made before the backup.
  portal.reset();
  auto restored = OpenAt("sqlite:" + path);
  ASSERT_NE(restored, nullptr);
  for (std::int64_t id : before) {
    EXPECT_TRUE(IsSuccess(Call(*restored, "tickets.get", User(), json::object{{"id", id}}))) << id;
  }
  const json::object listed = Call(*restored, "tickets.list", User(), json::object{});
  ASSERT_TRUE(IsSuccess(listed)) << listed;
  EXPECT_GE(listed.at("pagination").at("total").as_int64(), 50);
  EXPECT_LE(listed.at("pagination").at("total").as_int64(), 50 + written.load());
}

TEST(AdminBackup, AnInMemoryPortalIsBackedUpToAFileToo) {
  TempDir dir;
  auto portal = OpenAt("sqlite::memory:", dir.File("backups"));
  ASSERT_NE(portal, nullptr);
  const std::int64_t id = CreateTicket(*portal, 1);
  const json::object answer = Call(*portal, "admin.backup", PlatformAdmin(), json::object{});
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  auto restored = OpenAt("sqlite:" + std::string(answer.at("data").at("path").as_string()));
  ASSERT_NE(restored, nullptr);
  EXPECT_TRUE(IsSuccess(Call(*restored, "tickets.get", User(), json::object{{"id", id}})));
}

TEST(AdminBackup, OnlyThePlatformBacksUpAndALabelNamesNoPath) {
  TempDir dir;
  auto portal = OpenAt("sqlite::memory:", dir.File("backups"));
  ASSERT_NE(portal, nullptr);
  EXPECT_TRUE(IsError(Call(*portal, "admin.backup", CustomerAdmin(), json::object{}), 10003));
  for (const char* label : {"../etc", "a/b", "", "nightly backup", "x.db"}) {
    const json::object answer = Call(*portal, "admin.backup", PlatformAdmin(), json::object{{"label", label}});
    EXPECT_TRUE(HasFieldError(answer, "label", "FIELD_INVALID")) << label << " " << answer;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.File("backups")));  // refused before anything was written
}

TEST(AdminBackup, WithoutABackupDirItIsNotConfigured) {
  auto portal = OpenAt("sqlite::memory:");
  ASSERT_NE(portal, nullptr);
  const json::object answer = Call(*portal, "admin.backup", PlatformAdmin(), json::object{});
  EXPECT_TRUE(IsError(answer, 10004)) << answer;
  EXPECT_TRUE(HasFieldError(answer, "backup_dir", "NOT_CONFIGURED"));
}

TEST(AdminBackup, AnUnwritableBackupDirAnswers20004) {
  TempDir dir;
  const std::string blocker = dir.File("not-a-dir");
  { std::ofstream(blocker) << "x"; }
  auto portal = OpenAt("sqlite::memory:", blocker + "/backups");
  ASSERT_NE(portal, nullptr);
  EXPECT_TRUE(IsError(Call(*portal, "admin.backup", PlatformAdmin(), json::object{}), 20004));
}

}  // namespace
}  // namespace selfservice::test
