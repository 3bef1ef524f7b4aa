#include "engine/attachment_engine.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <utility>

#include "core/logging.hpp"
#include "core/random.hpp"
#include "core/sha256.hpp"
#include "domain/file_rules.hpp"

namespace selfservice {
namespace {

constexpr std::int64_t kHeadBytes = 512;
constexpr std::int64_t kVerifyBlock = 4LL * 1024 * 1024;

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) out += (out.empty() ? "" : ", ") + value;
  return out;
}

Status UploadFailed(std::string field, const char* code, std::vector<std::pair<std::string, std::string>> args,
                    bool retryable = false) {
  return Status::WithErrors(ErrorCode::kUploadFailed, {FieldError{std::move(field), code, std::move(args)}}, code,
                            retryable);
}

Status OffsetMismatch(std::int64_t committed) {
  return Status::WithErrors(ErrorCode::kTransitionNotAllowed,
                            {FieldError{"offset", field_code::kOffsetMismatch, {{"expected", std::to_string(committed)}}}},
                            "offset mismatch");
}

bool IsSha256(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string TenantPrefix(std::int64_t tenant_id) { return "tenants/" + std::to_string(tenant_id) + "/"; }

std::string AttachmentKey(const Upload& upload) {
  return TenantPrefix(upload.tenant_id) + "attachments/" + std::to_string(upload.ticket_id.value_or(0)) + "/" +
         upload.upload_id;
}

// The key the completed upload's bytes are under.
std::string CompletedKey(const Upload& upload) {
  return upload.target == UploadTarget::document ? AttachmentEngine::DocumentUploadKey(upload)
                                                 : AttachmentKey(upload);
}

// A tightening from security_settings.attachments: the smaller of the two.
void Tighten(const boost::json::object& settings, std::string_view key, std::int64_t& limit) {
  if (const auto* value = settings.if_contains(key); value != nullptr && value->is_int64() && value->get_int64() >= 0) {
    limit = std::min(limit, value->get_int64());
  }
}

}  // namespace

TicketLookup StoreTicketLookup(Store& store) {
  return [&store](const RequestContext& context, std::int64_t ticket_id) -> Result<TicketAccess> {
    auto ticket = store.tickets().Get(Scope(context), ticket_id);
    if (!ticket.ok()) return ticket.status();
    return TicketAccess{ticket->customer_id, ticket->user_id, ticket->status == TicketStatus::closed};
  };
}

AttachmentEngine::AttachmentEngine(Store& store, BlobStore& blobs, const Clock& clock, AttachmentOptions options,
                                   TicketLookup tickets)
    : store_(store),
      blobs_(blobs),
      clock_(clock),
      options_(std::move(options)),
      tickets_(std::move(tickets)),
      locks_(std::make_shared<std::array<std::mutex, 64>>()) {
  if (options_.allowed_types.empty()) options_.allowed_types = DefaultAllowedContentTypes();
}

std::string AttachmentEngine::DocumentUploadKey(const Upload& upload) {
  return TenantPrefix(upload.tenant_id) + "uploads/" + upload.upload_id + ".done";
}

std::mutex& AttachmentEngine::LockFor(std::string_view upload_id) {
  return (*locks_)[std::hash<std::string_view>{}(upload_id) % locks_->size()];
}

AttachmentLimits AttachmentEngine::LimitsFor(const RequestContext& context) {
  AttachmentLimits limits{options_.max_bytes, options_.max_document_bytes, options_.max_per_ticket,
                          options_.allowed_types};
  auto config = store_.portal_configs().Find(Scope(context), context.customer_id);
  if (!config.ok() || !*config || !(*config)->security_settings || !(*config)->security_settings->is_object()) {
    return limits;
  }
  const auto* own = (*config)->security_settings->get_object().if_contains("attachments");
  if (own == nullptr || !own->is_object()) return limits;
  const boost::json::object& settings = own->get_object();
  Tighten(settings, "max_bytes", limits.max_bytes);
  Tighten(settings, "max_document_bytes", limits.max_document_bytes);
  std::int64_t per_ticket = limits.max_per_ticket;
  Tighten(settings, "max_per_ticket", per_ticket);
  limits.max_per_ticket = static_cast<int>(per_ticket);
  if (const auto* types = settings.if_contains("allowed_types"); types != nullptr && types->is_array()) {
    std::vector<std::string> narrowed;
    for (const auto& type : types->get_array()) {
      if (!type.is_string()) continue;
      std::string name = BareContentType(type.get_string());
      if (std::find(limits.allowed_types.begin(), limits.allowed_types.end(), name) != limits.allowed_types.end()) {
        narrowed.push_back(std::move(name));
      }
    }
    limits.allowed_types = std::move(narrowed);
  }
  return limits;
}

Result<Upload> AttachmentEngine::Begin(const RequestContext& context, BeginUploadRequest request) {
  std::vector<FieldError> errors;
  auto file_name = SanitizeFileName(request.filename);
  if (!file_name) errors.push_back({"filename", field_code::kInvalid, {}});
  const std::string content_type = BareContentType(request.content_type);
  if (content_type.empty() || content_type.size() > 100 || content_type.find('/') == std::string::npos) {
    errors.push_back({"content_type", field_code::kInvalid, {}});
  }
  if (request.size < 0) errors.push_back({"size", field_code::kOutOfRange, {{"min", "0"}, {"max", "-"}}});
  request.sha256 = Lower(std::move(request.sha256));
  if (!IsSha256(request.sha256)) errors.push_back({"sha256", field_code::kInvalid, {}});
  if (request.target == UploadTarget::ticket && !request.ticket_id) {
    errors.push_back({"ticket_id", field_code::kRequired, {}});
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));

  std::optional<TicketAccess> ticket;
  if (request.target == UploadTarget::ticket) {
    auto found = tickets_(context, *request.ticket_id);
    if (!found.ok()) return found.status();
    if (found->closed) return Status::TransitionNotAllowed("closed", "attachment_added");
    ticket = *found;
  } else if (!context.has(Role::kCustomerAdmin) && !context.has(Role::kPlatformAdmin)) {
    return Status::PermissionDenied("document uploads are for administrators");
  }

  const AttachmentLimits limits = LimitsFor(context);
  if (std::find(limits.allowed_types.begin(), limits.allowed_types.end(), content_type) == limits.allowed_types.end()) {
    return UploadFailed("content_type", field_code::kFileTypeNotAllowed, {{"allowed", Join(limits.allowed_types)}});
  }
  const std::int64_t max = request.target == UploadTarget::ticket ? limits.max_bytes : limits.max_document_bytes;
  if (request.size > max) return UploadFailed("size", field_code::kFileTooLarge, {{"max", std::to_string(max)}});
  if (ticket) {
    auto existing = store_.attachments().ListAttachments(Scope(context), request.ticket_id, PageRequest{1, 1});
    if (!existing.ok()) return existing.status();
    if (existing->total >= limits.max_per_ticket) {
      return UploadFailed("ticket_id", field_code::kTooManyFiles, {{"max", std::to_string(limits.max_per_ticket)}});
    }
  }

  const Timestamp now{clock_.NowMillis()};
  Upload upload;
  upload.upload_id = RandomHex(16);
  upload.tenant_id = context.tenant_id;
  upload.customer_id = context.customer_id;
  upload.user_id = context.user_id;
  upload.target = request.target;
  upload.ticket_id = request.target == UploadTarget::ticket ? request.ticket_id : std::nullopt;
  upload.file_name = std::move(*file_name);
  upload.content_type = content_type;
  upload.size_bytes = request.size;
  upload.sha256 = std::move(request.sha256);
  upload.part_key = TenantPrefix(context.tenant_id) + "uploads/" + upload.upload_id + ".part";
  upload.created_at = upload.updated_at = now;
  upload.expires_at = Timestamp{now.millis + options_.upload_expiry_seconds * 1000};
  // The work blob exists from the start, so an empty file completes like any other.
  if (Status created = blobs_.WriteAt(upload.part_key, 0, {}); !created.ok()) {
    return UploadFailed("upload", field_code::kStorageFailed, {{"offset", "0"}}, true);
  }
  const std::string part_key = upload.part_key;
  auto stored = store_.attachments().CreateUpload(Scope(context), std::move(upload));
  if (!stored.ok()) (void)blobs_.Delete(part_key);
  return stored;
}

Result<Upload> AttachmentEngine::Append(const RequestContext& context, std::string_view upload_id,
                                        std::int64_t offset, std::string_view bytes,
                                        const std::optional<std::string>& chunk_sha256) {
  if (static_cast<std::int64_t>(bytes.size()) > kMaxChunkBytes) {
    return Status::InvalidField("data", field_code::kTooLong, {{"max", std::to_string(kMaxChunkBytes)}});
  }
  if (chunk_sha256 && !IsSha256(Lower(*chunk_sha256))) return Status::InvalidField("chunk_sha256", field_code::kInvalid);
  std::lock_guard lock(LockFor(upload_id));
  const Scope scope(context);
  auto upload = store_.attachments().GetUpload(scope, upload_id);
  if (!upload.ok()) return upload.status();
  const std::int64_t now = clock_.NowMillis();
  if (upload->status != UploadStatus::uploading) {
    return Status::TransitionNotAllowed(EnumName(upload->status), EnumName(UploadStatus::uploading));
  }
  if (upload->expires_at.millis <= now) return UploadFailed("upload_id", field_code::kUploadExpired, {});
  if (offset != upload->committed_bytes) return OffsetMismatch(upload->committed_bytes);
  const std::int64_t end = offset + static_cast<std::int64_t>(bytes.size());
  if (end > upload->size_bytes) {
    return Status::InvalidField("data", field_code::kTooLong,
                                {{"max", std::to_string(upload->size_bytes - upload->committed_bytes)}});
  }
  if (chunk_sha256 && Sha256Hex(bytes) != Lower(*chunk_sha256)) {
    return UploadFailed("chunk_sha256", field_code::kChecksumMismatch, {{"offset", std::to_string(offset)}}, true);
  }
  // The type is known from the first bytes: refuse a wrong file early rather than at the end.
  if (offset == 0 && static_cast<std::int64_t>(bytes.size()) >= std::min(kHeadBytes, upload->size_bytes) &&
      !ContentMatches(upload->content_type, bytes.substr(0, kHeadBytes))) {
    return UploadFailed("data", field_code::kFileTypeNotAllowed, {{"allowed", upload->content_type}});
  }
  if (bytes.empty()) return *upload;
  // Durable first, then acknowledged: the committed offset never runs ahead of the disk.
  if (Status written = blobs_.WriteAt(upload->part_key, offset, bytes); !written.ok()) {
    Log().warn("upload {}: chunk at {} not stored: {}", upload_id, offset, written.detail());
    return UploadFailed("data", field_code::kStorageFailed, {{"offset", std::to_string(offset)}}, true);
  }
  auto committed = store_.attachments().CommitChunk(scope, upload_id, offset, end, Timestamp{now},
                                                    Timestamp{now + options_.upload_expiry_seconds * 1000});
  if (!committed.ok() && committed.status().code() == ErrorCode::kTransitionNotAllowed) {
    auto current = store_.attachments().GetUpload(scope, upload_id);
    return OffsetMismatch(current.ok() ? current->committed_bytes : offset);
  }
  return committed;
}

Result<Upload> AttachmentEngine::Find(const RequestContext& context, std::string_view upload_id) {
  return store_.attachments().GetUpload(Scope(context), upload_id);
}

Status AttachmentEngine::Verify(const Upload& upload, std::string_view key) {
  auto size = blobs_.Size(key);
  if (!size.ok()) return size.status();
  Sha256 hash;
  std::string head;
  for (std::int64_t at = 0; at < *size; at += kVerifyBlock) {
    auto block = blobs_.Read(key, at, kVerifyBlock);
    if (!block.ok()) return block.status();
    if (at == 0) head = block->substr(0, kHeadBytes);
    hash.Update(*block);
  }
  if (*size != upload.size_bytes || hash.HexDigest() != upload.sha256) {
    return UploadFailed("sha256", field_code::kChecksumMismatch, {{"offset", "0"}});
  }
  if (!ContentMatches(upload.content_type, head)) {
    return UploadFailed("data", field_code::kFileTypeNotAllowed, {{"allowed", upload.content_type}});
  }
  return Status::Ok();
}

Result<AttachmentRepository::Completed> AttachmentEngine::Complete(const RequestContext& context,
                                                                   std::string_view upload_id) {
  std::lock_guard lock(LockFor(upload_id));
  const Scope scope(context);
  auto upload = store_.attachments().GetUpload(scope, upload_id);
  if (!upload.ok()) return upload.status();
  if (upload->status == UploadStatus::complete) {  // a retried completion answers the same
    AttachmentRepository::Completed done{*upload, std::nullopt};
    if (upload->attachment_id) {
      auto attachment = store_.attachments().GetAttachment(scope, *upload->attachment_id);
      if (attachment.ok()) done.attachment = std::move(attachment).value();
    }
    return done;
  }
  if (upload->status == UploadStatus::failed) {
    return UploadFailed("sha256", field_code::kChecksumMismatch, {{"offset", "0"}});
  }
  if (upload->committed_bytes != upload->size_bytes) return OffsetMismatch(upload->committed_bytes);
  std::optional<TicketAccess> ticket;
  if (upload->target == UploadTarget::ticket) {
    auto found = tickets_(context, *upload->ticket_id);
    if (!found.ok()) return found.status();
    if (found->closed) return Status::TransitionNotAllowed("closed", "attachment_added");
    ticket = *found;
  }
  // A crash after the move below and before the store committed leaves the bytes in place.
  const std::string final_key = CompletedKey(*upload);
  const bool moved = !blobs_.Size(upload->part_key).ok() && blobs_.Size(final_key).ok();
  const std::string source = moved ? final_key : upload->part_key;
  if (Status verified = Verify(*upload, source); !verified.ok()) {
    if (verified.code() != ErrorCode::kUploadFailed || verified.retryable()) return verified;
    (void)store_.attachments().FailUpload(scope, upload_id, Timestamp{clock_.NowMillis()});
    (void)blobs_.Delete(source);
    return verified;
  }
  if (!moved) {
    if (Status published = blobs_.Move(upload->part_key, final_key); !published.ok()) {
      return UploadFailed("upload_id", field_code::kStorageFailed, {{"offset", std::to_string(upload->size_bytes)}},
                          true);
    }
  }
  std::optional<StoredAttachment> attachment;
  const Timestamp now{clock_.NowMillis()};
  if (ticket) {
    StoredAttachment a;
    a.attachment.tenant_id = context.tenant_id;
    a.attachment.ticket_id = *upload->ticket_id;
    a.attachment.file_name = upload->file_name;
    a.attachment.content_type = upload->content_type;
    a.attachment.size_bytes = upload->size_bytes;
    a.attachment.sha256 = upload->sha256;
    a.attachment.created_at = now;
    a.customer_id = ticket->customer_id;
    a.user_id = ticket->user_id;
    a.uploaded_by = context.user_id;
    a.blob_key = final_key;
    attachment = std::move(a);
  }
  const int max_per_ticket = LimitsFor(context).max_per_ticket;
  auto completed = store_.attachments().CompleteUpload(
      scope, upload_id, std::move(attachment),
      [&](std::int64_t existing) {
        return existing < max_per_ticket
                   ? Status::Ok()
                   : UploadFailed("ticket_id", field_code::kTooManyFiles, {{"max", std::to_string(max_per_ticket)}});
      },
      now);
  if (!completed.ok() && completed.status().code() == ErrorCode::kUploadFailed) {
    (void)store_.attachments().FailUpload(scope, upload_id, now);
    (void)blobs_.Delete(final_key);
  }
  return completed;
}

Status AttachmentEngine::Abort(const RequestContext& context, std::string_view upload_id) {
  std::lock_guard lock(LockFor(upload_id));
  const Scope scope(context);
  auto upload = store_.attachments().GetUpload(scope, upload_id);
  if (!upload.ok()) return upload.status();
  if (upload->status == UploadStatus::complete && upload->target == UploadTarget::ticket) {
    return Status::TransitionNotAllowed("complete", "aborted");
  }
  // The row first: a crash in between leaves bytes nobody points at, never a row without bytes.
  if (Status deleted = store_.attachments().DeleteUpload(scope, upload_id); !deleted.ok()) return deleted;
  (void)blobs_.Delete(upload->part_key);
  if (upload->status == UploadStatus::complete) (void)blobs_.Delete(CompletedKey(*upload));
  return Status::Ok();
}

Result<std::int64_t> AttachmentEngine::Sweep(const RequestContext& context, int limit) {
  const Scope scope(context);
  // Every upload of the tenant, whoever's: the sweep is the platform's.
  RequestContext tenant = context;
  tenant.roles = static_cast<unsigned>(Role::kPlatformAdmin);
  const Scope whole(tenant);
  auto expired = store_.attachments().ListExpired(scope, Timestamp{clock_.NowMillis()}, limit);
  if (!expired.ok()) return expired.status();
  std::int64_t removed = 0;
  for (const auto& upload : *expired) {
    std::lock_guard lock(LockFor(upload.upload_id));
    if (!store_.attachments().DeleteUpload(whole, upload.upload_id).ok()) continue;
    (void)blobs_.Delete(upload.part_key);
    if (upload.status == UploadStatus::complete) (void)blobs_.Delete(CompletedKey(upload));
    ++removed;
  }
  return removed;
}

Result<Page<StoredAttachment>> AttachmentEngine::List(const RequestContext& context,
                                                      std::optional<std::int64_t> ticket_id, PageRequest page) {
  if (ticket_id) {
    auto ticket = tickets_(context, *ticket_id);
    if (!ticket.ok()) return ticket.status();
  }
  return store_.attachments().ListAttachments(Scope(context), ticket_id, page);
}

Result<StoredAttachment> AttachmentEngine::Get(const RequestContext& context, std::int64_t id) {
  return store_.attachments().GetAttachment(Scope(context), id);
}

}  // namespace selfservice
