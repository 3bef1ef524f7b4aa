#include "engine/document_engine.hpp"

#include <algorithm>
#include <utility>

#include "core/random.hpp"
#include "core/sha256.hpp"
#include "domain/file_rules.hpp"

namespace selfservice {
namespace {

int RoleRank(const RequestContext& context) {
  if (context.has(Role::kPlatformAdmin)) return 3;
  if (context.has(Role::kCustomerAdmin)) return 2;
  return 1;
}

bool IsAdmin(const RequestContext& context) { return RoleRank(context) >= 2; }

std::string DocumentKey(std::int64_t tenant_id) {
  return "tenants/" + std::to_string(tenant_id) + "/documents/" + RandomHex(16);
}

Status UploadFailed(std::string field, const char* code, std::vector<std::pair<std::string, std::string>> args) {
  return Status::WithErrors(ErrorCode::kUploadFailed, {FieldError{std::move(field), code, std::move(args)}}, code);
}

}  // namespace

std::optional<DocumentFilter> DocumentEngine::Visible(const RequestContext& context, DocumentFilter filter) {
  filter.max_role = RoleRank(context);
  if (!IsAdmin(context)) filter.status = PublicationStatus::published;
  if (context.has(Role::kPlatformAdmin)) return filter;
  auto config = store_.portal_configs().Find(Scope(context), context.customer_id);
  if (config.ok() && *config && !(*config)->enabled_features.empty()) {
    const auto& features = (*config)->enabled_features;
    if (std::find(features.begin(), features.end(), "documents") == features.end()) return std::nullopt;
    filter.enabled_features = features;
  }
  return filter;
}

Result<StoredDocument> DocumentEngine::Publish(const RequestContext& context, PublishRequest request) {
  if (!IsAdmin(context)) return Status::PermissionDenied("documents.publish");
  StoredDocument& d = request.document;
  d.document.tenant_id = context.tenant_id;
  // A customer_admin publishes for their own customer only.
  if (!context.has(Role::kPlatformAdmin)) d.document.customer_id = context.customer_id;
  d.min_role = std::clamp(d.min_role, 1, RoleRank(context));
  d.published_by = context.user_id;
  const Timestamp now{clock_.NowMillis()};
  d.document.created_at = d.document.updated_at = now;
  d.document.download_count = 0;

  if (!request.upload_id && !request.data) return Status::InvalidField("data_base64", field_code::kRequired);
  std::optional<Upload> upload;
  if (request.upload_id) {
    auto found = uploads_.Find(context, *request.upload_id);
    if (!found.ok()) return found.status();
    if (found->target != UploadTarget::document) return Status::InvalidField("upload_id", field_code::kInvalid);
    if (found->status != UploadStatus::complete) {
      return Status::TransitionNotAllowed(EnumName(found->status), EnumName(UploadStatus::complete));
    }
    upload = std::move(found).value();
    d.document.file_name = upload->file_name;
    d.document.content_type = upload->content_type;
    d.document.size_bytes = upload->size_bytes;
    d.sha256 = upload->sha256;
  } else {
    std::vector<FieldError> errors;
    auto name = request.filename ? SanitizeFileName(*request.filename) : std::nullopt;
    if (!name) errors.push_back({"filename", request.filename ? field_code::kInvalid : field_code::kRequired, {}});
    const std::string type = request.content_type ? BareContentType(*request.content_type) : std::string();
    if (type.empty()) errors.push_back({"content_type", field_code::kRequired, {}});
    if (!errors.empty()) return Status::Invalid(std::move(errors));
    d.document.file_name = *name;
    d.document.content_type = type;
    d.document.size_bytes = static_cast<std::int64_t>(request.data->size());
    d.sha256 = Sha256Hex(*request.data);
  }
  if (auto errors = Validate(d.document); !errors.empty()) return Status::Invalid(std::move(errors));

  if (!upload) {
    const AttachmentLimits limits = uploads_.LimitsFor(context);
    const std::string& type = d.document.content_type;
    if (std::find(limits.allowed_types.begin(), limits.allowed_types.end(), type) == limits.allowed_types.end() ||
        !ContentMatches(type, std::string_view(*request.data).substr(0, 512))) {
      std::string allowed;
      for (const auto& t : limits.allowed_types) allowed += (allowed.empty() ? "" : ", ") + t;
      return UploadFailed("content_type", field_code::kFileTypeNotAllowed, {{"allowed", allowed}});
    }
    if (d.document.size_bytes > limits.max_document_bytes) {
      return UploadFailed("data_base64", field_code::kFileTooLarge, {{"max", std::to_string(limits.max_document_bytes)}});
    }
  }

  d.blob_key = DocumentKey(context.tenant_id);
  BlobStore& blobs = uploads_.blobs();
  const Status placed = upload ? blobs.Move(AttachmentEngine::DocumentUploadKey(*upload), d.blob_key)
                               : blobs.Put(d.blob_key, *request.data);
  if (!placed.ok()) {
    if (placed.code() == ErrorCode::kNotFound) return Status::NotFound("upload bytes");
    return UploadFailed("data_base64", field_code::kStorageFailed, {{"offset", "0"}});
  }
  auto created = store_.documents().Create(Scope(context), std::move(d));
  if (!created.ok()) return created.status();
  if (upload) (void)store_.attachments().DeleteUpload(Scope(context), upload->upload_id);
  return created;
}

Result<Page<StoredDocument>> DocumentEngine::List(const RequestContext& context, DocumentFilter filter,
                                                  PageRequest page) {
  auto visible = Visible(context, std::move(filter));
  if (!visible) return Page<StoredDocument>{};
  return store_.documents().List(Scope(context), *visible, page);
}

Result<StoredDocument> DocumentEngine::Get(const RequestContext& context, std::int64_t id) {
  auto visible = Visible(context, DocumentFilter{});
  if (!visible) return Status::NotFound("document");
  auto found = store_.documents().Get(Scope(context), id);
  if (!found.ok()) return found.status();
  const auto& features = visible->enabled_features;
  const bool feature_ok = !found->feature || !features ||
                          std::find(features->begin(), features->end(), *found->feature) != features->end();
  const bool status_ok = !visible->status || found->document.status == *visible->status;
  if (found->min_role > visible->max_role || !feature_ok || !status_ok) return Status::NotFound("document");
  return found;
}

Result<DocumentDownload> DocumentEngine::Download(const RequestContext& context, std::int64_t id, bool include_data,
                                                 bool count) {
  auto found = Get(context, id);
  if (!found.ok()) return found.status();
  if (include_data && found->document.size_bytes > kMaxInlineFileBytes) {
    return Status::InvalidField("include_data", field_code::kNotAllowed,
                                {{"allowed", "false (file larger than " + std::to_string(kMaxInlineFileBytes) + " bytes)"}});
  }
  DocumentDownload out;
  BlobStore& blobs = uploads_.blobs();
  if (include_data) {
    auto bytes = blobs.Read(found->blob_key, 0, found->document.size_bytes);
    if (!bytes.ok()) return bytes.status();
    out.bytes = std::move(bytes).value();
  }
  out.path = blobs.LocalPath(found->blob_key);
  if (!count) {
    out.document = std::move(found).value();
    return out;
  }
  auto counted = store_.documents().RecordDownload(Scope(context), id);
  if (!counted.ok()) return counted.status();
  out.document = std::move(counted).value();
  BehaviorEvent event;
  event.tenant_id = context.tenant_id;
  event.customer_id = context.customer_id;
  event.user_id = context.user_id;
  event.page_path = "/documents/" + std::to_string(id);
  event.action_type = ActionType::download;
  event.action_target = "document:" + std::to_string(id);
  event.created_at = Timestamp{clock_.NowMillis()};
  if (Status recorded = store_.analytics().Append(Scope(context), {event}); !recorded.ok()) return recorded;
  return out;
}

Result<DocumentStats> DocumentEngine::Stats(const RequestContext& context, DocumentFilter filter) {
  auto visible = Visible(context, std::move(filter));
  if (!visible) return DocumentStats{};
  return store_.documents().Stats(Scope(context), *visible);
}

}  // namespace selfservice
