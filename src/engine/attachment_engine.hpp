// Resumable uploads (modelled on tus) and ticket attachments (docs/ATTACHMENTS.md).
//
// An upload is announced (Begin: name, size, type, SHA-256), filled chunk by chunk at the
// committed offset (Append: a chunk is written and synced to its work blob before the offset
// moves in the store, so an acknowledged chunk survives a crash), and verified as a whole
// (Complete: size, SHA-256 and magic bytes) before its attachment appears. An offset other than
// the committed one answers 10006 and changes nothing; a chunk whose checksum does not match
// answers 20003 and is discarded. Abort and Sweep remove uploads and their bytes.
//
// Thread safety: safe from many threads; chunks of one upload are serialised in this process
// (the store's compare-and-set keeps other processes from committing over one another).

#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/blob_store.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/portal.hpp"
#include "selfservice/repository.hpp"

namespace selfservice {

// What the attachment engine needs to know of a ticket the caller names.
struct TicketAccess {
  std::int64_t customer_id = 0;  // the ticket's owner
  std::int64_t user_id = 0;
  bool closed = false;  // a closed ticket takes no new attachment
};

// The ticket `ticket_id` as the caller sees it: kNotFound when it does not exist or is outside
// the caller's scope.
using TicketLookup = std::function<Result<TicketAccess>(const RequestContext& context, std::int64_t ticket_id)>;

// The lookup over Store::tickets().
TicketLookup StoreTicketLookup(Store& store);

struct BeginUploadRequest {
  UploadTarget target = UploadTarget::ticket;
  std::optional<std::int64_t> ticket_id;  // required for UploadTarget::ticket
  std::string filename;
  std::int64_t size = 0;
  std::string content_type;
  std::string sha256;
};

// The limits that apply to one caller: the options tightened by the customer's configuration.
struct AttachmentLimits {
  std::int64_t max_bytes = 0;
  std::int64_t max_document_bytes = 0;
  int max_per_ticket = 0;
  std::vector<std::string> allowed_types;
};

class AttachmentEngine {
 public:
  // The most one append may carry.
  static constexpr std::int64_t kMaxChunkBytes = 64LL * 1024 * 1024;

  AttachmentEngine(Store& store, BlobStore& blobs, const Clock& clock, AttachmentOptions options,
                   TicketLookup tickets);

  Result<Upload> Begin(const RequestContext& context, BeginUploadRequest request);
  Result<Upload> Append(const RequestContext& context, std::string_view upload_id, std::int64_t offset,
                        std::string_view bytes, const std::optional<std::string>& chunk_sha256);
  Result<Upload> Find(const RequestContext& context, std::string_view upload_id);
  Result<AttachmentRepository::Completed> Complete(const RequestContext& context, std::string_view upload_id);
  Status Abort(const RequestContext& context, std::string_view upload_id);
  // Removes up to `limit` of the caller's tenant's expired uploads and their bytes; returns how many.
  Result<std::int64_t> Sweep(const RequestContext& context, int limit = 500);

  Result<Page<StoredAttachment>> List(const RequestContext& context, std::optional<std::int64_t> ticket_id,
                                      PageRequest page);
  Result<StoredAttachment> Get(const RequestContext& context, std::int64_t id);

  AttachmentLimits LimitsFor(const RequestContext& context);
  BlobStore& blobs() { return blobs_; }

  // Where a completed document upload's bytes wait for documents.publish.
  static std::string DocumentUploadKey(const Upload& upload);

 private:
  std::mutex& LockFor(std::string_view upload_id);
  // Reads the blob, checking its size, SHA-256 and magic bytes against the upload.
  Status Verify(const Upload& upload, std::string_view key);

  Store& store_;
  BlobStore& blobs_;
  const Clock& clock_;
  AttachmentOptions options_;
  TicketLookup tickets_;
  std::shared_ptr<std::array<std::mutex, 64>> locks_;
};

}  // namespace selfservice
