// The memory BlobStore: a map of keys to bytes under one lock; every write is trivially atomic.

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

#include "selfservice/blob_store.hpp"

namespace selfservice {
namespace {

class MemoryBlobStore final : public BlobStore {
 public:
  std::string_view name() const override { return "memory"; }

  Status WriteAt(std::string_view key, std::int64_t offset, std::string_view bytes) override {
    if (!IsBlobKey(key)) return Status::InvalidField("key", field_code::kInvalid);
    if (offset < 0) return Status::InvalidField("offset", field_code::kOutOfRange, {{"min", "0"}});
    std::lock_guard lock(mutex_);
    std::string& blob = blobs_[std::string(key)];
    if (offset > static_cast<std::int64_t>(blob.size())) {
      return Status::InvalidField("offset", field_code::kOutOfRange, {{"max", std::to_string(blob.size())}});
    }
    blob.resize(static_cast<std::size_t>(offset));
    blob.append(bytes);
    return Status::Ok();
  }

  Status Put(std::string_view key, std::string_view bytes) override {
    if (!IsBlobKey(key)) return Status::InvalidField("key", field_code::kInvalid);
    std::lock_guard lock(mutex_);
    blobs_[std::string(key)] = std::string(bytes);
    return Status::Ok();
  }

  Status Move(std::string_view from, std::string_view to) override {
    if (!IsBlobKey(from) || !IsBlobKey(to)) return Status::InvalidField("key", field_code::kInvalid);
    std::lock_guard lock(mutex_);
    auto found = blobs_.find(from);
    if (found == blobs_.end()) return Status::NotFound("blob " + std::string(from));
    std::string bytes = std::move(found->second);
    blobs_.erase(found);
    blobs_[std::string(to)] = std::move(bytes);
    return Status::Ok();
  }

  Result<std::int64_t> Size(std::string_view key) override {
    std::lock_guard lock(mutex_);
    auto found = blobs_.find(key);
    if (found == blobs_.end()) return Status::NotFound("blob " + std::string(key));
    return static_cast<std::int64_t>(found->second.size());
  }

  Result<std::string> Read(std::string_view key, std::int64_t offset, std::int64_t length) override {
    if (offset < 0 || length < 0) return Status::InvalidField("offset", field_code::kOutOfRange, {{"min", "0"}});
    std::lock_guard lock(mutex_);
    auto found = blobs_.find(key);
    if (found == blobs_.end()) return Status::NotFound("blob " + std::string(key));
    const std::string& blob = found->second;
    if (offset >= static_cast<std::int64_t>(blob.size())) return std::string();
    return blob.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
  }

  Status Delete(std::string_view key) override {
    std::lock_guard lock(mutex_);
    if (auto found = blobs_.find(key); found != blobs_.end()) blobs_.erase(found);
    return Status::Ok();
  }

  std::optional<std::string> LocalPath(std::string_view) const override { return std::nullopt; }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string, std::less<>> blobs_;
};

}  // namespace

std::unique_ptr<BlobStore> NewMemoryBlobStore() { return std::make_unique<MemoryBlobStore>(); }

}  // namespace selfservice
