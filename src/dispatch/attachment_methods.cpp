#include "dispatch/attachment_methods.hpp"

#include <string>
#include <utility>

#include "core/base64.hpp"
#include "dispatch/request_reader.hpp"
#include "domain/file_rules.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::size_t kUploadIdChars = 32;
constexpr std::size_t kShaChars = 64;

json::value UploadJson(const Upload& u) {
  return json::object{{"upload_id", u.upload_id},
                      {"target", u.target == UploadTarget::document ? "document" : "ticket"},
                      {"ticket_id", u.ticket_id ? json::value(*u.ticket_id) : json::value(nullptr)},
                      {"filename", u.file_name},
                      {"content_type", u.content_type},
                      {"size", u.size_bytes},
                      {"offset", u.committed_bytes},
                      {"sha256", u.sha256},
                      {"status", EnumName(u.status)},
                      {"attachment_id", u.attachment_id ? json::value(*u.attachment_id) : json::value(nullptr)},
                      {"created_at", FormatTimestamp(u.created_at)},
                      {"updated_at", FormatTimestamp(u.updated_at)},
                      {"expires_at", FormatTimestamp(u.expires_at)}};
}

json::object AttachmentJson(const StoredAttachment& a) {
  json::object out = ToJson(a.attachment).as_object();
  out["uploaded_by"] = a.uploaded_by;
  return out;
}

// An integer field >= 0: FIELD_REQUIRED, FIELD_INVALID or OUT_OF_RANGE.
std::int64_t RequiredCount(const json::object& r, std::string_view field, std::vector<FieldError>& errors) {
  const json::value* value = r.if_contains(field);
  if (value == nullptr || value->is_null()) {
    errors.push_back({std::string(field), field_code::kRequired, {}});
  } else if (!value->is_int64()) {
    errors.push_back({std::string(field), field_code::kInvalid, {}});
  } else if (value->get_int64() < 0) {
    errors.push_back({std::string(field), field_code::kOutOfRange, {{"min", "0"}, {"max", "9223372036854775807"}}});
  } else {
    return value->get_int64();
  }
  return 0;
}

Result<Reply> UploadReply(Result<Upload> upload) {
  if (!upload.ok()) return upload.status();
  return Reply{UploadJson(*upload), std::nullopt};
}

}  // namespace

Result<Reply> AttachmentBeginMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  std::vector<FieldError> more;
  BeginUploadRequest request;
  if (auto target = reader.OptionalString("target", 16)) {
    if (*target == "document") {
      request.target = UploadTarget::document;
    } else if (*target != "ticket") {
      more.push_back({"target", field_code::kNotAllowed, {{"allowed", "ticket, document"}}});
    }
  }
  if (request.target == UploadTarget::ticket) {
    request.ticket_id = reader.RequiredId("ticket_id");
  } else {
    reader.OptionalId("ticket_id");
  }
  request.filename = reader.RequiredString("filename", 1024);
  request.size = RequiredCount(r, "size", more);
  request.content_type = reader.RequiredString("content_type", 255);
  request.sha256 = reader.RequiredString("sha256", kShaChars);
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  return UploadReply(e.attachments.Begin(c, std::move(request)));
}

Result<Reply> AppendChunk(Engines& e, const RequestContext& c, std::string_view upload_id, std::int64_t offset,
                          std::string_view bytes, const std::optional<std::string>& chunk_sha256) {
  std::vector<FieldError> errors;
  if (upload_id.empty()) errors.push_back({"upload_id", field_code::kRequired, {}});
  if (upload_id.size() > kUploadIdChars) errors.push_back({"upload_id", field_code::kTooLong, {{"max", "32"}}});
  if (offset < 0) errors.push_back({"offset", field_code::kOutOfRange, {{"min", "0"}, {"max", "9223372036854775807"}}});
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return UploadReply(e.attachments.Append(c, upload_id, offset, bytes, chunk_sha256));
}

Result<Reply> AttachmentAppendMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  std::vector<FieldError> more;
  const std::string upload_id = reader.RequiredString("upload_id", kUploadIdChars);
  const std::int64_t offset = RequiredCount(r, "offset", more);
  std::optional<std::string> bytes;
  if (const json::value* data = r.if_contains("data_base64"); data == nullptr || data->is_null()) {
    more.push_back({"data_base64", field_code::kRequired, {}});
  } else if (!data->is_string() || !(bytes = Base64Decode(data->get_string()))) {
    more.push_back({"data_base64", field_code::kInvalid, {}});
  }
  const auto chunk_sha256 = reader.OptionalString("chunk_sha256", kShaChars);
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  return AppendChunk(e, c, upload_id, offset, *bytes, chunk_sha256);
}

Result<Reply> AttachmentStatusMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::string upload_id = reader.RequiredString("upload_id", kUploadIdChars);
  if (Status status = reader.Finish(); !status.ok()) return status;
  return UploadReply(e.attachments.Find(c, upload_id));
}

Result<Reply> AttachmentCompleteMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::string upload_id = reader.RequiredString("upload_id", kUploadIdChars);
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto completed = e.attachments.Complete(c, upload_id);
  if (!completed.ok()) return completed.status();
  json::object data{{"upload", UploadJson(completed->upload)},
                    {"attachment", completed->attachment ? json::value(AttachmentJson(*completed->attachment))
                                                         : json::value(nullptr)}};
  return Reply{std::move(data), std::nullopt};
}

Result<Reply> AttachmentAbortMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::string upload_id = reader.RequiredString("upload_id", kUploadIdChars);
  if (Status status = reader.Finish(); !status.ok()) return status;
  if (Status aborted = e.attachments.Abort(c, upload_id); !aborted.ok()) return aborted;
  return Reply{json::object{{"upload_id", upload_id}, {"aborted", true}}, std::nullopt};
}

Result<Reply> AttachmentSweepMethod(Engines& e, const RequestContext& c, const json::object& r) {
  std::vector<FieldError> errors;
  int limit = 500;
  if (const json::value* raw = r.if_contains("limit"); raw != nullptr && !raw->is_null()) {
    if (!raw->is_int64()) {
      errors.push_back({"limit", field_code::kInvalid, {}});
    } else if (raw->get_int64() < 1 || raw->get_int64() > 1000) {
      errors.push_back({"limit", field_code::kOutOfRange, {{"min", "1"}, {"max", "1000"}}});
    } else {
      limit = static_cast<int>(raw->get_int64());
    }
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto removed = e.attachments.Sweep(c, limit);
  if (!removed.ok()) return removed.status();
  return Reply{json::object{{"removed", *removed}}, std::nullopt};
}

Result<Reply> AttachmentListMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const auto ticket_id = reader.OptionalId("ticket_id");
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto listed = e.attachments.List(c, ticket_id, page);
  if (!listed.ok()) return listed.status();
  json::array items;
  for (const auto& attachment : listed->items) items.push_back(AttachmentJson(attachment));
  return Reply{std::move(items), Pagination{page.page, page.size, listed->total}};
}

namespace {

// The attachment `id` of the request with its path, for both forms of tickets.attachments.get.
Result<StoredAttachment> FindAttachment(Engines& e, const RequestContext& c, const json::object& r,
                                        bool& include_data, json::object& data) {
  RequestReader reader(r);
  const std::int64_t id = reader.RequiredId("id");
  std::vector<FieldError> more;
  if (const json::value* raw = r.if_contains("include_data"); raw != nullptr && !raw->is_null()) {
    if (raw->is_bool()) {
      include_data = raw->get_bool();
    } else {
      more.push_back({"include_data", field_code::kInvalid, {}});
    }
  }
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  auto found = e.attachments.Get(c, id);
  if (!found.ok()) return found.status();
  data = AttachmentJson(*found);
  const auto path = e.attachments.blobs().LocalPath(found->blob_key);
  data["path"] = path ? json::value(*path) : json::value(nullptr);
  return found;
}

}  // namespace

Result<Reply> AttachmentGetMethod(Engines& e, const RequestContext& c, const json::object& r) {
  bool include_data = false;
  json::object data;
  auto found = FindAttachment(e, c, r, include_data, data);
  if (!found.ok()) return found.status();
  if (include_data && found->attachment.size_bytes > kMaxInlineFileBytes) {
    return Status::InvalidField("include_data", field_code::kNotAllowed,
                                {{"allowed", "false (file larger than " + std::to_string(kMaxInlineFileBytes) + " bytes)"}});
  }
  data["data_base64"] = nullptr;
  if (include_data) {
    auto bytes = e.attachments.blobs().Read(found->blob_key, 0, found->attachment.size_bytes);
    if (!bytes.ok()) return bytes.status();
    data["data_base64"] = Base64Encode(*bytes);
  }
  return Reply{std::move(data), std::nullopt};
}

Result<FileReply> AttachmentGetFile(Engines& e, const RequestContext& c, const json::object& r, std::int64_t) {
  bool include_data = false;  // the bytes come as bytes, whatever the request says
  json::object data;
  auto found = FindAttachment(e, c, r, include_data, data);
  if (!found.ok()) return found.status();
  const Attachment& a = found->attachment;
  return FileReply{std::move(data), found->blob_key, a.size_bytes, a.sha256.value_or(""), a.file_name, a.content_type};
}

}  // namespace selfservice
