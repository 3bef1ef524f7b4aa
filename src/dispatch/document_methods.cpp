#include "dispatch/document_methods.hpp"

#include <string>
#include <utility>

#include "core/base64.hpp"
#include "dispatch/attachment_methods.hpp"
#include "dispatch/request_reader.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::string_view kRoles[] = {"customer_user", "customer_admin", "platform_admin"};

json::object DocumentJson(const StoredDocument& d) {
  json::object out = ToJson(d.document).as_object();
  out["sha256"] = d.sha256;
  out["min_role"] = kRoles[std::clamp(d.min_role, 1, 3) - 1];
  out["feature"] = d.feature ? json::value(*d.feature) : json::value(nullptr);
  return out;
}

std::optional<bool> OptionalBool(const json::object& r, std::string_view field, std::vector<FieldError>& errors) {
  const json::value* raw = r.if_contains(field);
  if (raw == nullptr || raw->is_null()) return std::nullopt;
  if (raw->is_bool()) return raw->get_bool();
  errors.push_back({std::string(field), field_code::kInvalid, {}});
  return std::nullopt;
}

}  // namespace

Result<Reply> DocumentPublishMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  std::vector<FieldError> more;
  PublishRequest request;
  Document& d = request.document.document;
  d.title = reader.RequiredString("title", 200);
  d.description = reader.OptionalString("description", 65535);
  d.category = reader.OptionalString("category", 400);
  if (auto version = reader.OptionalString("version", 80)) d.version = *version;
  d.lang = reader.OptionalEnum<ArticleLang>("lang");
  d.customer_id = reader.OptionalId("customer_id");
  d.status = reader.OptionalEnum<PublicationStatus>("status").value_or(PublicationStatus::published);
  if (auto role = reader.OptionalString("min_role", 32)) {
    const auto found = std::find(std::begin(kRoles), std::end(kRoles), *role);
    if (found == std::end(kRoles)) {
      more.push_back({"min_role", field_code::kNotAllowed, {{"allowed", "customer_user, customer_admin, platform_admin"}}});
    } else {
      request.document.min_role = static_cast<int>(found - std::begin(kRoles)) + 1;
    }
  }
  if (auto feature = reader.OptionalString("feature", 50)) {
    const auto& known = KnownFeatures();
    if (std::find(known.begin(), known.end(), *feature) == known.end()) {
      more.push_back({"feature", field_code::kNotAllowed,
                      {{"allowed", "faq_search, ai_chat, tickets, documents, service_status, feedback, analytics"}}});
    }
    request.document.feature = std::move(feature);
  }
  request.upload_id = reader.OptionalString("upload_id", 32);
  request.filename = reader.OptionalString("filename", 1024);
  request.content_type = reader.OptionalString("content_type", 255);
  const json::value* data = r.if_contains("data_base64");
  if (data != nullptr && !data->is_null()) {
    if (!data->is_string() || !(request.data = Base64Decode(data->get_string()))) {
      more.push_back({"data_base64", field_code::kInvalid, {}});
    }
  } else if (!request.upload_id && !reader.Raw("upload_id")) {
    more.push_back({"data_base64", field_code::kRequired, {}});
  }
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  auto published = e.documents.Publish(c, std::move(request));
  if (!published.ok()) return published.status();
  return Reply{DocumentJson(*published), std::nullopt};
}

Result<Reply> DocumentUploadBeginMethod(Engines& e, const RequestContext& c, const json::object& r) {
  if (const json::value* target = r.if_contains("target");
      target != nullptr && !target->is_null() && !(target->is_string() && target->get_string() == "document")) {
    return Status::InvalidField("target", target->is_string() ? field_code::kNotAllowed : field_code::kInvalid,
                                {{"allowed", "document"}});
  }
  json::object request = r;
  request["target"] = "document";
  return AttachmentBeginMethod(e, c, request);
}

Result<Reply> DocumentListMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  DocumentFilter filter;
  filter.category = reader.OptionalString("category", 400);
  filter.lang = reader.OptionalEnum<ArticleLang>("lang");
  filter.title_contains = reader.OptionalString("q", 800);
  filter.status = reader.OptionalEnum<PublicationStatus>("status");
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto listed = e.documents.List(c, std::move(filter), page);
  if (!listed.ok()) return listed.status();
  json::array items;
  for (const auto& document : listed->items) items.push_back(DocumentJson(document));
  return Reply{std::move(items), Pagination{page.page, page.size, listed->total}};
}

Result<Reply> DocumentGetMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::int64_t id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto found = e.documents.Get(c, id);
  if (!found.ok()) return found.status();
  return Reply{DocumentJson(*found), std::nullopt};
}

namespace {

json::object DownloadJson(const DocumentDownload& download) {
  return json::object{{"document", DocumentJson(download.document)},
                      {"size", download.document.document.size_bytes},
                      {"sha256", download.document.sha256},
                      {"path", download.path ? json::value(*download.path) : json::value(nullptr)}};
}

}  // namespace

Result<Reply> DocumentDownloadMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  std::vector<FieldError> more;
  const std::int64_t id = reader.RequiredId("id");
  const bool include_data = OptionalBool(r, "include_data", more).value_or(false);
  if (Status status = reader.Finish(std::move(more)); !status.ok()) return status;
  auto download = e.documents.Download(c, id, include_data);
  if (!download.ok()) return download.status();
  json::object data = DownloadJson(*download);
  data["data_base64"] = download->bytes ? json::value(Base64Encode(*download->bytes)) : json::value(nullptr);
  return Reply{std::move(data), std::nullopt};
}

Result<FileReply> DocumentDownloadFile(Engines& e, const RequestContext& c, const json::object& r, std::int64_t offset) {
  RequestReader reader(r);
  const std::int64_t id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto download = e.documents.Download(c, id, false, offset == 0);
  if (!download.ok()) return download.status();
  const StoredDocument& d = download->document;
  return FileReply{DownloadJson(*download), d.blob_key, d.document.size_bytes, d.sha256, d.document.file_name,
                   d.document.content_type};
}

Result<Reply> DocumentStatsMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  DocumentFilter filter;
  filter.category = reader.OptionalString("category", 400);
  filter.lang = reader.OptionalEnum<ArticleLang>("lang");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto stats = e.documents.Stats(c, std::move(filter));
  if (!stats.ok()) return stats.status();
  json::array categories;
  for (const auto& entry : stats->by_category) {
    categories.push_back(json::object{{"category", entry.label}, {"documents", entry.count}});
  }
  json::array top;
  for (const auto& document : stats->most_downloaded) {
    top.push_back(json::object{{"id", document.document.id},
                               {"title", document.document.title},
                               {"download_count", document.document.download_count}});
  }
  return Reply{json::object{{"documents", stats->documents},
                            {"downloads", stats->downloads},
                            {"bytes", stats->bytes},
                            {"by_category", std::move(categories)},
                            {"most_downloaded", std::move(top)}},
               std::nullopt};
}

}  // namespace selfservice
