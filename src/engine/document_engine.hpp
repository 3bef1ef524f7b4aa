// The document center (REQ-019-008): publishing manuals and guides, listing what the caller may
// see, downloads that are counted and recorded as behaviour events, and statistics
// (docs/ATTACHMENTS.md, "Documents").
//
// Who sees a document: its tenant's callers, narrowed to one customer when it has a customer_id,
// to callers holding at least its min_role, to customers whose portal enables its feature (when
// it names one) and, for customer callers, to published documents. A customer whose portal
// disables "documents" sees none.
//
// Thread safety: stateless beyond its references; safe from many threads.

#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/attachment_engine.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/repository.hpp"

namespace selfservice {

struct PublishRequest {
  StoredDocument document;  // title, description, category, version, lang, customer_id, status, min_role, feature
  std::optional<std::string> filename;      // with data
  std::optional<std::string> content_type;  // with data
  std::optional<std::string> data;          // the bytes, for small files
  std::optional<std::string> upload_id;     // or a completed upload with target "document"
};

struct DocumentDownload {
  StoredDocument document;
  std::optional<std::string> path;   // the file, when the blob store has files
  std::optional<std::string> bytes;  // when asked for and small enough
};

class DocumentEngine {
 public:
  DocumentEngine(Store& store, AttachmentEngine& uploads, const Clock& clock)
      : store_(store), uploads_(uploads), clock_(clock) {}

  Result<StoredDocument> Publish(const RequestContext& context, PublishRequest request);
  Result<Page<StoredDocument>> List(const RequestContext& context, DocumentFilter filter, PageRequest page);
  Result<StoredDocument> Get(const RequestContext& context, std::int64_t id);
  // Counts the download and records it for analytics unless `count` is false (the rest of a
  // download that was interrupted: its first part was counted).
  Result<DocumentDownload> Download(const RequestContext& context, std::int64_t id, bool include_data,
                                    bool count = true);
  // Over the documents List() would answer for `filter` (title and paging aside).
  Result<DocumentStats> Stats(const RequestContext& context, DocumentFilter filter);

 private:
  // The caller's filter: role, features and (for customers) published only; nullopt when the
  // customer's portal disables documents.
  std::optional<DocumentFilter> Visible(const RequestContext& context, DocumentFilter filter);

  Store& store_;
  AttachmentEngine& uploads_;
  const Clock& clock_;
};

}  // namespace selfservice
