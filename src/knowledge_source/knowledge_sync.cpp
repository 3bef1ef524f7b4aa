// KnowledgeSync and ForwardVote: the domain side of a KnowledgeSource, written against the ports
// only (KnowledgeSource, KnowledgeRepository, CircuitBreaker).

#include <utility>

#include "selfservice/knowledge_source.hpp"

namespace selfservice {
namespace {

constexpr int kMaxPageSize = 1000;
constexpr int kMaxPages = 10'000;

FieldError OutOfRange(std::string field, int min, int max) {
  return FieldError{std::move(field),
                    field_code::kOutOfRange,
                    {{"min", std::to_string(min)}, {"max", std::to_string(max)}}};
}

std::string Describe(const std::vector<FieldError>& errors) {
  std::string text = "invalid article:";
  for (const auto& error : errors) text += " " + error.field + " " + error.code;
  return text;
}

// Applies one batch to the store and the report; the store's failure is returned.
Status Apply(const Scope& scope, ChangeBatch batch, KnowledgeRepository& articles, SyncReport& report) {
  report.fetched +=
      static_cast<std::int64_t>(batch.articles.size() + batch.deleted.size() + batch.errors.size());
  report.failed += static_cast<std::int64_t>(batch.errors.size());
  for (auto& error : batch.errors) report.errors.push_back(std::move(error));

  std::vector<KnowledgeArticle> valid;
  valid.reserve(batch.articles.size());
  for (auto& article : batch.articles) {
    article.tenant_id = scope.tenant_id();
    if (std::vector<FieldError> problems = Validate(article); !problems.empty()) {
      ++report.failed;
      report.errors.push_back(ItemError{article.external_id.value_or(""), Describe(problems)});
      continue;
    }
    valid.push_back(std::move(article));
  }
  if (!valid.empty()) {
    Result<std::vector<UpsertOutcome>> outcomes = articles.UpsertMany(scope, std::move(valid));
    if (!outcomes.ok()) return outcomes.status();
    for (const auto& outcome : *outcomes) ++(outcome.created ? report.created : report.updated);
  }
  for (auto& external_id : batch.deleted) {
    const Status removed = articles.DeleteByExternalId(scope, external_id);
    if (removed.ok()) {
      ++report.deleted;
    } else if (removed.code() != ErrorCode::kNotFound) {  // never pulled, or already gone: done
      return removed;
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<FieldError> Validate(const SyncOptions& options) {
  std::vector<FieldError> errors;
  if (options.page_size < 1 || options.page_size > kMaxPageSize)
    errors.push_back(OutOfRange("page_size", 1, kMaxPageSize));
  if (options.max_pages < 1 || options.max_pages > kMaxPages)
    errors.push_back(OutOfRange("max_pages", 1, kMaxPages));
  return errors;
}

KnowledgeSync::KnowledgeSync(SyncOptions options) : options_(options) {}

Result<SyncReport> KnowledgeSync::SyncOnce(const Scope& scope, KnowledgeSource& source,
                                           KnowledgeRepository& articles,
                                           std::optional<std::string> cursor) const {
  if (std::vector<FieldError> errors = Validate(options_); !errors.empty())
    return Status::Invalid(std::move(errors));
  try {
    SyncReport report;
    report.next_cursor = cursor.value_or("");
    for (int page = 0; page < options_.max_pages; ++page) {
      Result<ChangeBatch> batch = source.Changes(scope, cursor, options_.page_size);
      Status applied = batch.ok() ? Status::Ok() : batch.status();
      std::string next;
      bool more = false;
      if (batch.ok()) {
        next = batch->next_cursor;
        more = batch->more;
        applied = Apply(scope, std::move(batch).value(), articles, report);
      }
      if (!applied.ok()) {
        if (page == 0) return applied;
        report.interrupted_by = std::move(applied);
        return report;
      }
      report.next_cursor = next;
      report.more = more;
      if (!more) break;
      cursor = std::move(next);
    }
    return report;
  } catch (...) {
    return Status::Error(ErrorCode::kDatabaseUnavailable, "knowledge sync: internal error", true);
  }
}

VoteForwarding ForwardVote(CircuitBreaker& breaker, KnowledgeSource& source, const Scope& scope,
                           const KnowledgeArticle& article, bool helpful) noexcept {
  if (!article.external_id || article.source != source.name()) return {false, forward_reason::kNotFromSource};
  try {
    Result<Guarded<bool>> answer = Guard(
        breaker,
        [&]() -> Result<bool> {
          Status sent = source.SendFeedback(scope, *article.external_id, helpful);
          if (!sent.ok()) return sent;
          return true;
        },
        []() -> Result<bool> { return false; });
    if (!answer.ok()) return {false, forward_reason::kRejected};
    if (answer->degraded) return {false, answer->fallback_reason};
    return {true, {}};
  } catch (...) {
    return {false, fallback_reason::kError};
  }
}

}  // namespace selfservice
