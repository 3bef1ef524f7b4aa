// The dispatch table: every method the portal answers, its REST route (spec 4.1, or ours under
// the same prefix where the spec has none), the feature that gates it, the role it needs and its
// handler. The C ABI, the C++ facade and the HTTP server all dispatch through this one table.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/envelope.hpp"
#include "engine/attachment_engine.hpp"
#include "engine/audit_log.hpp"
#include "engine/auth_engine.hpp"
#include "engine/document_engine.hpp"
#include "engine/engines.hpp"
#include "engine/status_engine.hpp"
#include "engine/ticket_engine.hpp"
#include "engine/ticket_sync_engine.hpp"
#include "search/mirrored_knowledge_repository.hpp"
#include "selfservice/portal.hpp"

namespace selfservice {

// The least role a method needs; a stronger role includes the weaker ones. kAnyone: the sign-in
// methods, called before the caller has an identity (context_json needs only locale and trace_id).
enum class Permission { kAnyone, kCustomerUser, kCustomerAdmin, kPlatformAdmin };

bool Permits(const RequestContext& context, Permission permission);

struct Engines {
  PortalConfigEngine configs;
  SessionEngine sessions;
  FeedbackEngine feedback;
  AnalyticsEngine analytics;
  KnowledgeEngine knowledge;
  SearchEngine search;
  BrowseEngine browse;
  StatusEngine status;
  AiEngine ai;
  TicketEngine tickets;
  OutboxRelay& outbox;
  KnowledgeSourceEngine* knowledge_source;  // null unless the options configure a knowledge_source
  search::MirroredKnowledgeRepository* search_index;  // null unless search goes to Elasticsearch
  const PortalOptions& options;
  AttachmentEngine attachments;
  DocumentEngine documents;  // publishes through `attachments`, initialised before it
  TicketSyncEngine* ticket_sync;  // null unless the options configure a ticket_system
  Store& store;                   // admin.backup copies it whole
  const Clock& clock;
  AuditLog& audit;
  AuthEngine& auth;
};

struct Reply {
  boost::json::value data;
  std::optional<Pagination> pagination;
};

using Handler = Result<Reply> (*)(Engines& engines, const RequestContext& context,
                                  const boost::json::object& request);
// A file a download method answers (Portal::OpenDownload): its description, as the method's JSON
// answer gives it without the bytes, and the blob that holds them.
struct FileReply {
  boost::json::object data;
  std::string blob_key;
  std::int64_t size = 0;
  std::string sha256;  // recorded at upload; empty when unknown
  std::string file_name;
  std::string content_type;
};
// The handler that answers a method's file as bytes instead of base64. `offset`: where the
// caller's range starts (a document counts a download only when it starts at 0).
using DownloadHandler = Result<FileReply> (*)(Engines& engines, const RequestContext& context,
                                              const boost::json::object& request, std::int64_t offset);

// The handler of a long-running method that reports its progress (and may be stopped) through
// `progress`.
using ProgressHandler = Result<Reply> (*)(Engines& engines, const RequestContext& context,
                                          const boost::json::object& request, const Progress& progress);

struct Method {
  MethodInfo info;
  Permission permission;
  Handler handler;
  // Set for the methods that report progress; the portal calls it instead of `handler` when the
  // caller passes a progress callback.
  ProgressHandler with_progress = nullptr;
  // Set for the methods that answer a file; Portal::OpenDownload calls it.
  DownloadHandler with_download = nullptr;
  // The portal records each successful call in the audit log (configuration changes, backups,
  // erasures). Sign-in and account methods record their own, richer entries.
  bool audited = false;
};

const std::vector<Method>& MethodTable();
// nullptr for an unknown name.
const Method* FindMethod(std::string_view name);

}  // namespace selfservice
