// Status and Result: how every fallible operation of libselfservice reports failure.
//
// Expected failures are values, never exceptions. A Status carries one code of the product
// requirement's error table (REQ-019 section 4.3, plus 10006 for refused state transitions), the
// field errors that explain a 10001, and whether retrying may succeed (the signal a circuit
// breaker acts on). User-facing text is not stored here: the envelope renders it from the
// zh-CN / en-US catalogs in the caller's locale.
//
// Thread safety: values; safe to copy and move between threads.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace selfservice {

// The error table of REQ-019 section 4.3; the numeric values are part of the public contract.
enum class ErrorCode : int {
  kOk = 200,
  kInvalidArgument = 10001,       // HTTP 400
  kUnauthenticated = 10002,       // HTTP 401
  kPermissionDenied = 10003,      // HTTP 403
  kNotFound = 10004,              // HTTP 404
  kRateLimited = 10005,           // HTTP 429
  kTransitionNotAllowed = 10006,  // HTTP 409, not in the spec's table: state machines of 5.2
  kAiUnavailable = 20001,         // HTTP 500
  kSearchUnavailable = 20002,     // HTTP 500
  kUploadFailed = 20003,          // HTTP 500
  kDatabaseUnavailable = 20004,   // HTTP 500
};

// The HTTP status the spec pairs with `code`.
int HttpStatus(ErrorCode code);

// The machine-readable codes of the `errors[].code` field of an error envelope.
namespace field_code {
inline constexpr const char* kRequired = "FIELD_REQUIRED";
inline constexpr const char* kInvalid = "FIELD_INVALID";
inline constexpr const char* kTooLong = "FIELD_TOO_LONG";
inline constexpr const char* kOutOfRange = "OUT_OF_RANGE";
inline constexpr const char* kNotAllowed = "VALUE_NOT_ALLOWED";  // not one of an enumeration
inline constexpr const char* kTransition = "TRANSITION_NOT_ALLOWED";
// Another object of the tenant already holds this value (a username, an e-mail address).
inline constexpr const char* kDuplicate = "FIELD_DUPLICATE";
// An optional part of the portal that a method needs is absent from its options (with 10004).
inline constexpr const char* kNotConfigured = "NOT_CONFIGURED";
// Why an upload failed (with 20003, or 10006 for an offset other than the committed one); each
// message says how to retry.
inline constexpr const char* kFileTooLarge = "FILE_TOO_LARGE";
inline constexpr const char* kTooManyFiles = "TOO_MANY_FILES";
inline constexpr const char* kFileTypeNotAllowed = "FILE_TYPE_NOT_ALLOWED";
inline constexpr const char* kChecksumMismatch = "CHECKSUM_MISMATCH";
inline constexpr const char* kOffsetMismatch = "OFFSET_MISMATCH";
inline constexpr const char* kUploadExpired = "UPLOAD_EXPIRED";
inline constexpr const char* kStorageFailed = "STORAGE_FAILED";
// Why a download failed (with 20003): the store could not read the file (retry from the offset in
// the args), or the file no longer matches the SHA-256 recorded at its upload (retrying won't help).
inline constexpr const char* kReadFailed = "READ_FAILED";
inline constexpr const char* kFileCorrupt = "FILE_CORRUPT";
// Not a fault of the field: a failed tickets.create kept the caller's input as the draft named in
// the args ({"draft_id", id}) (with 20004).
inline constexpr const char* kDraftSaved = "DRAFT_SAVED";
}  // namespace field_code

// One problem with one field of a request. `args` fill the catalog message's placeholders
// (for example {"max", "100"}), so the message can be rendered in any locale later.
struct FieldError {
  std::string field;
  std::string code;
  std::vector<std::pair<std::string, std::string>> args;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status Invalid(std::vector<FieldError> errors);
  static Status InvalidField(std::string field, std::string code,
                             std::vector<std::pair<std::string, std::string>> args = {});
  static Status Unauthenticated(std::string detail = {});
  static Status PermissionDenied(std::string detail = {});
  static Status NotFound(std::string detail = {});
  static Status TransitionNotAllowed(std::string_view from, std::string_view to);
  // 10004 for a method whose remote system the portal options do not configure; the field error
  // names the option (NOT_CONFIGURED).
  static Status NotConfigured(std::string option);
  static Status DatabaseUnavailable(std::string detail, bool retryable);
  static Status Error(ErrorCode code, std::string detail = {}, bool retryable = false);
  // Any code with field errors that explain it (an upload's 20003 names its reason this way).
  static Status WithErrors(ErrorCode code, std::vector<FieldError> errors, std::string detail = {},
                           bool retryable = false);
  // This status with one more entry in its field errors (a note such as DRAFT_SAVED).
  Status WithFieldError(FieldError error) const;
  // 10005: over a rate limit; retrying after `retry_after_seconds` (at least 1) may succeed.
  static Status RateLimited(std::int64_t retry_after_seconds);
  // This status with the whole seconds after which a retry may succeed: the error envelope
  // carries them as "retry_after" (an HTTP host sends them as Retry-After).
  Status WithRetryAfter(std::int64_t seconds) const;

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // Developer-facing diagnostic, never shown to end users and never containing secrets.
  const std::string& detail() const { return detail_; }
  const std::vector<FieldError>& field_errors() const { return field_errors_; }
  bool retryable() const { return retryable_; }
  const std::optional<std::int64_t>& retry_after() const { return retry_after_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string detail_;
  std::vector<FieldError> field_errors_;
  bool retryable_ = false;
  std::optional<std::int64_t> retry_after_;
};

// A value or the Status that explains its absence.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace selfservice
