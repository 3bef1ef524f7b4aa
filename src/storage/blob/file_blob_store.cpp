// The file BlobStore: one file per blob under a directory. Put() writes "<file>.tmp-<random>",
// fsyncs it, renames it over the blob and fsyncs the directory, so a crash at any point leaves
// the old blob or the new one. WriteAt() cuts, writes and fdatasyncs in place (a work file of a
// resumable upload); Move() renames and fsyncs both directories.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "core/random.hpp"
#include "selfservice/blob_store.hpp"

namespace selfservice {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTempMarker = ".tmp-";

Status IoError(std::string_view what, const std::string& path, int error) {
  return Status::Error(ErrorCode::kUploadFailed, std::string(what) + " " + path + ": " + std::strerror(error), true);
}

Status BadKey() { return Status::InvalidField("key", field_code::kInvalid); }

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

Status SyncDirectory(const fs::path& directory) {
  Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) return IoError("open directory", directory.string(), errno);
  if (::fsync(fd.get()) != 0) return IoError("fsync directory", directory.string(), errno);
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view bytes, std::int64_t offset, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
    offset += written;
  }
  return Status::Ok();
}

class FileBlobStore final : public BlobStore {
 public:
  explicit FileBlobStore(fs::path root) : root_(std::move(root)) {}

  std::string_view name() const override { return "file"; }

  Status WriteAt(std::string_view key, std::int64_t offset, std::string_view bytes) override {
    if (!IsBlobKey(key)) return BadKey();
    if (offset < 0) return Status::InvalidField("offset", field_code::kOutOfRange, {{"min", "0"}});
    const fs::path path = PathOf(key);
    bool created = false;
    if (Status made = MakeParents(path); !made.ok()) return made;
    int raw = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (raw < 0 && errno == ENOENT) {
      raw = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
      created = raw >= 0;
    }
    Fd fd(raw);
    if (!fd.ok()) return IoError("open", path.string(), errno);
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return IoError("stat", path.string(), errno);
    if (offset > info.st_size) {
      return Status::InvalidField("offset", field_code::kOutOfRange, {{"max", std::to_string(info.st_size)}});
    }
    if (offset < info.st_size && ::ftruncate(fd.get(), static_cast<off_t>(offset)) != 0) {
      return IoError("truncate", path.string(), errno);
    }
    if (Status written = WriteAll(fd.get(), bytes, offset, path.string()); !written.ok()) return written;
    // fdatasync also makes the new size durable; a new file needs its directory entry too.
    if (::fdatasync(fd.get()) != 0) return IoError("fdatasync", path.string(), errno);
    return created ? SyncDirectory(path.parent_path()) : Status::Ok();
  }

  Status Put(std::string_view key, std::string_view bytes) override {
    if (!IsBlobKey(key)) return BadKey();
    const fs::path path = PathOf(key);
    if (Status made = MakeParents(path); !made.ok()) return made;
    const fs::path temp = path.string() + std::string(kTempMarker) + RandomHex(8);
    {
      Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
      if (!fd.ok()) return IoError("create", temp.string(), errno);
      Status written = WriteAll(fd.get(), bytes, 0, temp.string());
      if (written.ok() && ::fsync(fd.get()) != 0) written = IoError("fsync", temp.string(), errno);
      if (!written.ok()) {
        ::unlink(temp.c_str());
        return written;
      }
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      const int error = errno;
      ::unlink(temp.c_str());
      return IoError("rename", path.string(), error);
    }
    return SyncDirectory(path.parent_path());
  }

  Status Move(std::string_view from, std::string_view to) override {
    if (!IsBlobKey(from) || !IsBlobKey(to)) return BadKey();
    const fs::path source = PathOf(from);
    const fs::path target = PathOf(to);
    if (Status made = MakeParents(target); !made.ok()) return made;
    if (::rename(source.c_str(), target.c_str()) != 0) {
      if (errno == ENOENT) return Status::NotFound("blob " + std::string(from));
      return IoError("rename", source.string(), errno);
    }
    if (Status synced = SyncDirectory(target.parent_path()); !synced.ok()) return synced;
    return source.parent_path() == target.parent_path() ? Status::Ok() : SyncDirectory(source.parent_path());
  }

  Result<std::int64_t> Size(std::string_view key) override {
    if (!IsBlobKey(key)) return BadKey();
    struct stat info {};
    const fs::path path = PathOf(key);
    if (::stat(path.c_str(), &info) != 0) {
      if (errno == ENOENT) return Status::NotFound("blob " + std::string(key));
      return IoError("stat", path.string(), errno);
    }
    return static_cast<std::int64_t>(info.st_size);
  }

  Result<std::string> Read(std::string_view key, std::int64_t offset, std::int64_t length) override {
    if (!IsBlobKey(key)) return BadKey();
    if (offset < 0 || length < 0) return Status::InvalidField("offset", field_code::kOutOfRange, {{"min", "0"}});
    const fs::path path = PathOf(key);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.ok()) {
      if (errno == ENOENT) return Status::NotFound("blob " + std::string(key));
      return IoError("open", path.string(), errno);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return IoError("stat", path.string(), errno);
    const std::int64_t available = std::max<std::int64_t>(0, info.st_size - offset);
    std::string out(static_cast<std::size_t>(std::min(length, available)), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t got = ::pread(fd.get(), out.data() + done, out.size() - done, static_cast<off_t>(offset) +
                                                                                     static_cast<off_t>(done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return IoError("read", path.string(), errno);
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    out.resize(done);
    return out;
  }

  Status Delete(std::string_view key) override {
    if (!IsBlobKey(key)) return BadKey();
    const fs::path path = PathOf(key);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink", path.string(), errno);
    return Status::Ok();
  }

  std::optional<std::string> LocalPath(std::string_view key) const override {
    if (!IsBlobKey(key)) return std::nullopt;
    return PathOf(key).string();
  }

  // Removes the temporary files of Put() calls a crash interrupted.
  void RemoveLeftovers() {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().filename().string().find(kTempMarker) != std::string::npos) {
        fs::remove(it->path(), ec);
      }
    }
  }

 private:
  fs::path PathOf(std::string_view key) const { return root_ / fs::path(std::string(key)); }

  // Creates the directories above `path` that are missing, each made durable in its parent.
  Status MakeParents(const fs::path& path) const {
    const fs::path parent = path.parent_path();
    if (::access(parent.c_str(), F_OK) == 0) return Status::Ok();
    if (Status made = MakeParents(parent); !made.ok()) return made;
    if (::mkdir(parent.c_str(), 0750) != 0 && errno != EEXIST) return IoError("mkdir", parent.string(), errno);
    return SyncDirectory(parent.parent_path());
  }

  fs::path root_;
};

}  // namespace

bool IsBlobKey(std::string_view key) {
  if (key.empty() || key.size() > 512) return false;
  std::size_t start = 0;
  while (start <= key.size()) {
    const std::size_t end = std::min(key.find('/', start), key.size());
    const std::string_view segment = key.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

Result<std::unique_ptr<BlobStore>> OpenFileBlobStore(std::string directory) {
  if (directory.empty()) return Status::InvalidField("blob_dir", field_code::kRequired);
  // The directory is made by the first write: a portal that never stores a file leaves none.
  auto store = std::make_unique<FileBlobStore>(fs::path(directory));
  store->RemoveLeftovers();
  return std::unique_ptr<BlobStore>(std::move(store));
}

}  // namespace selfservice
