// Status, Result and the HTTP status of every error code (REQ-019 4.3).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "selfservice/status.hpp"

namespace selfservice {
namespace {

TEST(ErrorCode, HasTheSpecsNumbers) {
  EXPECT_EQ(static_cast<int>(ErrorCode::kOk), 200);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidArgument), 10001);
  EXPECT_EQ(static_cast<int>(ErrorCode::kUnauthenticated), 10002);
  EXPECT_EQ(static_cast<int>(ErrorCode::kPermissionDenied), 10003);
  EXPECT_EQ(static_cast<int>(ErrorCode::kNotFound), 10004);
  EXPECT_EQ(static_cast<int>(ErrorCode::kRateLimited), 10005);
  EXPECT_EQ(static_cast<int>(ErrorCode::kTransitionNotAllowed), 10006);
  EXPECT_EQ(static_cast<int>(ErrorCode::kAiUnavailable), 20001);
  EXPECT_EQ(static_cast<int>(ErrorCode::kSearchUnavailable), 20002);
  EXPECT_EQ(static_cast<int>(ErrorCode::kUploadFailed), 20003);
  EXPECT_EQ(static_cast<int>(ErrorCode::kDatabaseUnavailable), 20004);
}

TEST(HttpStatus, PairsEveryCodeWithTheSpecsHttpStatus) {
  EXPECT_EQ(HttpStatus(ErrorCode::kOk), 200);
  EXPECT_EQ(HttpStatus(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatus(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatus(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(HttpStatus(ErrorCode::kTransitionNotAllowed), 409);
}

TEST(HttpStatus, ServiceFailuresAreServerErrors) {
  for (ErrorCode code : {ErrorCode::kAiUnavailable, ErrorCode::kSearchUnavailable, ErrorCode::kUploadFailed,
                         ErrorCode::kDatabaseUnavailable}) {
    EXPECT_EQ(HttpStatus(code), 500) << static_cast<int>(code);
  }
}

TEST(Status, DefaultIsOk) {
  const Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kOk);
  EXPECT_TRUE(status.detail().empty());
  EXPECT_TRUE(status.field_errors().empty());
  EXPECT_FALSE(status.retryable());
}

TEST(Status, OkFactoryIsOk) {
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(Status, InvalidCarriesItsFieldErrors) {
  const std::vector<FieldError> errors = {{"question", field_code::kRequired, {}},
                                          {"customer_id", field_code::kInvalid, {}}};
  const Status status = Status::Invalid(errors);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.field_errors(), errors);
  EXPECT_FALSE(status.retryable());
}

TEST(Status, InvalidFieldCarriesOneErrorWithItsArgs) {
  const Status status = Status::InvalidField("portal_title", field_code::kTooLong, {{"max", "100"}});
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.field_errors(),
            (std::vector<FieldError>{{"portal_title", field_code::kTooLong, {{"max", "100"}}}}));
}

TEST(Status, UnauthenticatedIs10002WithDetail) {
  const Status status = Status::Unauthenticated("token expired");
  EXPECT_EQ(status.code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(status.detail(), "token expired");
  EXPECT_TRUE(status.field_errors().empty());
}

TEST(Status, PermissionDeniedIs10003) {
  const Status status = Status::PermissionDenied();
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(status.detail().empty());
}

TEST(Status, NotFoundIs10004) {
  const Status status = Status::NotFound("session sess_1");
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_EQ(status.detail(), "session sess_1");
}

TEST(Status, TransitionNotAllowedIs10006NamingBothStates) {
  const Status status = Status::TransitionNotAllowed("in_progress", "rated");
  EXPECT_EQ(status.code(), ErrorCode::kTransitionNotAllowed);
  EXPECT_EQ(status.detail(), "in_progress -> rated");
  EXPECT_EQ(
      status.field_errors(),
      (std::vector<FieldError>{{"to", field_code::kTransition, {{"from", "in_progress"}, {"to", "rated"}}}}));
}

TEST(Status, DatabaseUnavailableCarriesRetryable) {
  EXPECT_TRUE(Status::DatabaseUnavailable("busy", true).retryable());
  const Status status = Status::DatabaseUnavailable("corrupt", false);
  EXPECT_EQ(status.code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_EQ(status.detail(), "corrupt");
  EXPECT_FALSE(status.retryable());
}

TEST(Status, ErrorCarriesAnyCode) {
  const Status status = Status::Error(ErrorCode::kRateLimited, "60 per minute", true);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kRateLimited);
  EXPECT_EQ(status.detail(), "60 per minute");
  EXPECT_TRUE(status.retryable());
}

TEST(Status, ErrorIsNotRetryableByDefault) {
  EXPECT_FALSE(Status::Error(ErrorCode::kAiUnavailable).retryable());
}

// Either a value or NotFound, the way a repository answers.
Result<int> Lookup(int key) {
  if (key < 0) return Status::NotFound("negative key");
  return key * 2;
}

TEST(Result, HoldsAValue) {
  Result<int> result = Lookup(21);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), 42);
  EXPECT_EQ(*result, 42);
  EXPECT_TRUE(result.status().ok());
}

TEST(Result, HoldsTheStatusOfAFailure) {
  const Result<int> result = Lookup(-1);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotFound);
}

TEST(Result, HoldsAStatus) {
  const Result<std::string> result(Status::NotFound("x"));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(result.status().detail(), "x");
}

TEST(Result, GivesAccessToMembersAndMovesTheValueOut) {
  Result<std::string> result(std::string("sess_abc"));
  EXPECT_EQ(result->size(), 8u);
  const std::string moved = std::move(result).value();
  EXPECT_EQ(moved, "sess_abc");
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> result(std::make_unique<int>(7));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(**result, 7);
}

}  // namespace
}  // namespace selfservice
