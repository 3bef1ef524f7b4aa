// BlobStore: where the bytes of attachments and documents live, apart from the database that
// describes them (docs/ATTACHMENTS.md).
//
// A blob is named by a key of '/'-separated segments of letters, digits, '.', '_' and '-' (no
// empty, "." or ".." segment, at most 512 bytes), so no key can leave the store's own space. The
// portal puts the tenant first in every key it makes ("tenants/7/attachments/..."): one tenant's
// blobs never share a path with another's.
//
// Two ways to write. Put() replaces a whole blob atomically: a reader, or a process that starts
// after a crash, sees the old blob or the new one, never a part. WriteAt() grows a blob in place
// for a resumable upload and returns only once the bytes are durable; such a blob is a work file
// under its own key, and Move() publishes it under its final key in one atomic step.
//
// The library owns two implementations: files under a directory (write to a temporary file,
// fsync, rename, fsync the directory) and memory (for tests and "sqlite::memory:" portals).
//
// Thread safety: implementations must be safe to call from many threads at once, and no method
// may throw. Calls on different keys are independent; concurrent writes to one key are the
// caller's to order. I/O failures answer kUploadFailed (20003), retryable; a key that is not
// well formed answers kInvalidArgument on the field "key"; a missing blob answers kNotFound.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "selfservice/status.hpp"

namespace selfservice {

class BlobStore {
 public:
  BlobStore() = default;
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;
  virtual ~BlobStore() = default;

  // For diagnostics, e.g. "file" or "memory".
  virtual std::string_view name() const = 0;

  // Cuts the blob `key` to `offset` bytes (creating it empty when missing), writes `bytes` there
  // and returns once they are durable. An offset beyond the blob's size is kInvalidArgument.
  virtual Status WriteAt(std::string_view key, std::int64_t offset, std::string_view bytes) = 0;

  // Replaces the blob `key` with `bytes`, atomically and durably.
  virtual Status Put(std::string_view key, std::string_view bytes) = 0;

  // Renames `from` to `to` (replacing it), atomically and durably; kNotFound when `from` is missing.
  virtual Status Move(std::string_view from, std::string_view to) = 0;

  // The blob's size in bytes.
  virtual Result<std::int64_t> Size(std::string_view key) = 0;

  // Up to `length` bytes from `offset` (fewer at the end of the blob).
  virtual Result<std::string> Read(std::string_view key, std::int64_t offset, std::int64_t length) = 0;

  // Removes the blob; ok when it is already gone.
  virtual Status Delete(std::string_view key) = 0;

  // The blob's file on the local file system, for hosts that serve downloads themselves; nullopt
  // for stores without files. The path is not checked for existence.
  virtual std::optional<std::string> LocalPath(std::string_view key) const = 0;
};

// Blobs as files under `directory`, created by the first write. Writes go to a temporary file
// first; temporary files a crash left behind are removed when the store opens.
Result<std::unique_ptr<BlobStore>> OpenFileBlobStore(std::string directory);

// Blobs in memory, gone when the store is destroyed.
std::unique_ptr<BlobStore> NewMemoryBlobStore();

// True when `key` is a well-formed blob key (see above).
bool IsBlobKey(std::string_view key);

}  // namespace selfservice
