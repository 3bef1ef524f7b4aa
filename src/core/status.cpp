#include "selfservice/status.hpp"

#include <algorithm>
#include <string>

namespace selfservice {

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kTransitionNotAllowed: return 409;
    case ErrorCode::kAiUnavailable:
    case ErrorCode::kSearchUnavailable:
    case ErrorCode::kUploadFailed:
    case ErrorCode::kDatabaseUnavailable: return 500;
  }
  return 500;
}

Status Status::Error(ErrorCode code, std::string detail, bool retryable) {
  Status status;
  status.code_ = code;
  status.detail_ = std::move(detail);
  status.retryable_ = retryable;
  return status;
}

Status Status::WithFieldError(FieldError error) const {
  Status status = *this;
  status.field_errors_.push_back(std::move(error));
  return status;
}

Status Status::RateLimited(std::int64_t retry_after_seconds) {
  return Error(ErrorCode::kRateLimited, "rate limited", true).WithRetryAfter(retry_after_seconds);
}

Status Status::WithRetryAfter(std::int64_t seconds) const {
  Status out = *this;
  out.retry_after_ = std::max<std::int64_t>(seconds, 1);
  return out;
}

Status Status::WithErrors(ErrorCode code, std::vector<FieldError> errors, std::string detail, bool retryable) {
  Status status = Error(code, std::move(detail), retryable);
  status.field_errors_ = std::move(errors);
  return status;
}

Status Status::Invalid(std::vector<FieldError> errors) {
  Status status = Error(ErrorCode::kInvalidArgument);
  status.field_errors_ = std::move(errors);
  return status;
}

Status Status::InvalidField(std::string field, std::string code,
                            std::vector<std::pair<std::string, std::string>> args) {
  return Invalid({FieldError{std::move(field), std::move(code), std::move(args)}});
}

Status Status::Unauthenticated(std::string detail) { return Error(ErrorCode::kUnauthenticated, std::move(detail)); }
Status Status::PermissionDenied(std::string detail) { return Error(ErrorCode::kPermissionDenied, std::move(detail)); }
Status Status::NotFound(std::string detail) { return Error(ErrorCode::kNotFound, std::move(detail)); }

Status Status::TransitionNotAllowed(std::string_view from, std::string_view to) {
  Status status = Error(ErrorCode::kTransitionNotAllowed, std::string(from) + " -> " + std::string(to));
  status.field_errors_.push_back(
      FieldError{"to", field_code::kTransition, {{"from", std::string(from)}, {"to", std::string(to)}}});
  return status;
}

Status Status::NotConfigured(std::string option) {
  Status status = Error(ErrorCode::kNotFound, option + " is not configured");
  status.field_errors_.push_back(FieldError{std::move(option), field_code::kNotConfigured, {}});
  return status;
}

Status Status::DatabaseUnavailable(std::string detail, bool retryable) {
  return Error(ErrorCode::kDatabaseUnavailable, std::move(detail), retryable);
}

}  // namespace selfservice
