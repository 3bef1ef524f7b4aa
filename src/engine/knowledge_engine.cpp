#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string_view>

#include <boost/json/parse.hpp>

#include "engine/engines.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

bool IsAdmin(const RequestContext& context) {
  return context.has(Role::kCustomerAdmin) || context.has(Role::kPlatformAdmin);
}

// Fields the server sets. A request's or a record's values for them are not even read: imported
// records carry whatever their source exported there.
constexpr std::string_view kServerOwned[] = {"tenant_id", "helpful_votes", "unhelpful_votes", "views",
                                             "updated_at"};

json::object WithoutServerOwned(json::object fields) {
  for (std::string_view field : kServerOwned) fields.erase(field);
  return fields;
}

// Validate(), plus what the table's CHECKs refuse and Validate() lets through: an empty
// external_id, and an external_id or title holding a NUL (SQLite's length() stops at one). The
// store would refuse the whole import batch for one such line.
std::vector<FieldError> Check(const KnowledgeArticle& article) {
  std::vector<FieldError> errors = Validate(article);
  const auto has_nul = [](std::string_view text) { return text.find('\0') != std::string_view::npos; };
  if (article.external_id && (article.external_id->empty() || has_nul(*article.external_id))) {
    errors.push_back(FieldError{"external_id", field_code::kInvalid, {}});
  }
  if (has_nul(article.title)) errors.push_back(FieldError{"title", field_code::kInvalid, {}});
  return errors;
}

}  // namespace

std::optional<KnowledgeArticle> KnowledgeEngine::FromRecord(const RequestContext& context,
                                                            const json::object& record,
                                                            std::vector<FieldError>& errors) const {
  // The corpus format names the source's own id "id"; ours is the row id, so it moves over.
  json::object fields = WithoutServerOwned(record);
  const bool named_id = fields.contains("id") && !fields.contains("external_id");
  if (named_id) fields["external_id"] = fields["id"];
  fields.erase("id");
  KnowledgeArticle article;
  errors = MergeJson(fields, article);
  if (article.url) {
    // Exported documentation sometimes leaves a raw space in an anchor; encoding it is lossless.
    for (std::size_t at = article.url->find(' '); at != std::string::npos; at = article.url->find(' ', at)) {
      article.url->replace(at, 1, "%20");
    }
  }
  article.tenant_id = context.tenant_id;
  article.updated_at = Timestamp{clock_.NowMillis()};
  if (errors.empty()) errors = Check(article);
  if (errors.empty()) return article;
  if (named_id) {  // report the problem under the name the record used
    for (FieldError& error : errors) {
      if (error.field == "external_id") error.field = "id";
    }
  }
  return std::nullopt;
}

Result<UpsertOutcome> KnowledgeEngine::Upsert(const RequestContext& context, const json::object& fields) {
  KnowledgeArticle article;
  std::vector<FieldError> errors = MergeJson(WithoutServerOwned(fields), article);
  article.tenant_id = context.tenant_id;
  article.updated_at = Timestamp{clock_.NowMillis()};
  if (errors.empty()) errors = Check(article);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  auto outcomes = articles_.UpsertMany(Scope(context), {std::move(article)});
  if (!outcomes.ok()) return outcomes.status();
  return std::move(outcomes->front());
}

Result<KnowledgeArticle> KnowledgeEngine::Get(const RequestContext& context, std::int64_t id,
                                              const std::optional<std::string>& from_search) {
  const Scope scope(context);
  auto article = articles_.Get(scope, id);
  if (!article.ok()) return article.status();
  if (article->status != PublicationStatus::published && !IsAdmin(context)) {
    return Status::NotFound("unpublished knowledge article");
  }
  if (from_search) {
    if (Status recorded = RecordSearchEvent(events_, context, ActionType::click, *from_search,
                                            "article:" + std::to_string(id), clock_.NowMillis());
        !recorded.ok()) {
      return recorded;
    }
  }
  return articles_.RecordView(scope, id);
}

Status KnowledgeEngine::Delete(const RequestContext& context, std::int64_t id) {
  return articles_.Delete(Scope(context), id);
}

Result<Page<KnowledgeArticle>> KnowledgeEngine::List(const RequestContext& context, KnowledgeFilter filter,
                                                     PageRequest page) {
  if (!IsAdmin(context)) {
    if (filter.status && *filter.status != PublicationStatus::published) return Page<KnowledgeArticle>{};
    filter.status = PublicationStatus::published;
  }
  return articles_.List(Scope(context), filter, page);
}

Result<KnowledgeArticle> KnowledgeEngine::Vote(const RequestContext& context, std::int64_t id, bool helpful) {
  const Scope scope(context);
  auto article = articles_.Get(scope, id);
  if (!article.ok()) return article.status();
  if (article->status != PublicationStatus::published && !IsAdmin(context)) {
    return Status::NotFound("unpublished knowledge article");
  }
  return articles_.Vote(scope, id, helpful);
}

Status KnowledgeEngine::Flush(const RequestContext& context, std::vector<KnowledgeArticle>& batch,
                              ImportReport& report) {
  if (batch.empty()) return Status::Ok();
  auto outcomes = articles_.UpsertMany(Scope(context), std::move(batch));
  batch.clear();
  if (!outcomes.ok()) return outcomes.status();
  for (const auto& outcome : *outcomes) ++(outcome.created ? report.imported : report.updated);
  return Status::Ok();
}

namespace {

// Collects one line's outcome into the report, keeping the first kMaxReportedErrors failures.
void RecordFailure(ImportReport& report, std::int64_t line, const json::object* record,
                   std::vector<FieldError> errors) {
  ++report.failed;
  if (report.errors.size() >= KnowledgeEngine::kMaxReportedErrors) return;
  ImportReport::LineError failure{line, std::nullopt, std::move(errors)};
  if (record != nullptr) {
    const json::value* id = record->if_contains("external_id");
    if (id == nullptr) id = record->if_contains("id");
    if (id != nullptr && id->is_string()) failure.external_id = std::string(id->get_string());
  }
  report.errors.push_back(std::move(failure));
}

}  // namespace

Result<ImportReport> KnowledgeEngine::ImportFile(const RequestContext& context, const std::string& path,
                                                 const Progress& progress) {
  if (path.empty() || path.front() != '/') return Status::InvalidField("path", field_code::kInvalid);
  // A directory opens as a stream on Linux and reads as nothing; opening a FIFO would block.
  std::error_code file_error;
  const bool regular = std::filesystem::is_regular_file(path, file_error);
  if (!regular) return Status::InvalidField("path", field_code::kInvalid);
  const auto total = static_cast<std::int64_t>(std::filesystem::file_size(path, file_error));
  std::ifstream in(path, std::ios::binary);
  if (file_error || !in) return Status::InvalidField("path", field_code::kInvalid);

  ImportReport report;
  std::vector<KnowledgeArticle> batch;
  std::string text;
  std::int64_t line = 0;
  std::int64_t done = 0;  // bytes read; tellg() is -1 once the last line has hit the end of the file
  std::int64_t reported = -1;
  while (std::getline(in, text)) {
    ++line;
    done = std::min(total, done + static_cast<std::int64_t>(text.size()) + 1);
    // Editors on Windows start UTF-8 files with a byte order mark, which is not JSON.
    if (line == 1 && text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    if (ec || !value.is_object()) {
      RecordFailure(report, line, nullptr, {FieldError{"line", field_code::kInvalid, {}}});
      continue;
    }
    std::vector<FieldError> errors;
    if (auto article = FromRecord(context, value.get_object(), errors)) {
      batch.push_back(std::move(*article));
    } else {
      RecordFailure(report, line, &value.get_object(), std::move(errors));
    }
    if (batch.size() >= kBatch) {
      if (Status status = Flush(context, batch, report); !status.ok()) return status;
      reported = done;
      // Stopping between batches leaves none half-written; a stop after the last line is no stop.
      if (progress && !progress(done, total) && in.peek() != std::ifstream::traits_type::eof()) {
        report.cancelled = true;
        return report;
      }
    }
  }
  if (Status status = Flush(context, batch, report); !status.ok()) return status;
  if (progress && reported != total) progress(total, total);
  return report;
}

Result<ImportReport> KnowledgeEngine::ImportArticles(const RequestContext& context,
                                                     const json::array& articles,
                                                     const Progress& progress) {
  ImportReport report;
  std::vector<KnowledgeArticle> batch;
  const auto total = static_cast<std::int64_t>(articles.size());
  std::int64_t reported = -1;
  for (std::int64_t i = 0; i < total; ++i) {
    const json::value& value = articles[static_cast<std::size_t>(i)];
    if (!value.is_object()) {
      RecordFailure(report, i + 1, nullptr, {FieldError{"article", field_code::kInvalid, {}}});
      continue;
    }
    std::vector<FieldError> errors;
    if (auto article = FromRecord(context, value.get_object(), errors)) {
      batch.push_back(std::move(*article));
    } else {
      RecordFailure(report, i + 1, &value.get_object(), std::move(errors));
    }
    if (batch.size() >= kBatch) {
      if (Status status = Flush(context, batch, report); !status.ok()) return status;
      reported = i + 1;
      if (progress && !progress(reported, total) && reported < total) {
        report.cancelled = true;
        return report;
      }
    }
  }
  if (Status status = Flush(context, batch, report); !status.ok()) return status;
  if (progress && reported != total) progress(total, total);
  return report;
}

}  // namespace selfservice
