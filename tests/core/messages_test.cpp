// The zh-CN and en-US catalogs: code messages (REQ-019 4.3) and field messages.

#include <gtest/gtest.h>

#include "core/messages.hpp"

namespace selfservice {
namespace {

TEST(LocaleName, NamesBothLocales) {
  EXPECT_EQ(LocaleName(Locale::kZhCN), "zh-CN");
  EXPECT_EQ(LocaleName(Locale::kEnUS), "en-US");
}

TEST(CodeMessage, SuccessInBothLocales) {
  EXPECT_EQ(CodeMessage(ErrorCode::kOk, Locale::kZhCN), "成功");
  EXPECT_EQ(CodeMessage(ErrorCode::kOk, Locale::kEnUS), "success");
}

TEST(CodeMessage, ChineseTextsAreTheSpecsDescriptions) {
  EXPECT_EQ(CodeMessage(ErrorCode::kInvalidArgument, Locale::kZhCN), "请求参数错误");
  EXPECT_EQ(CodeMessage(ErrorCode::kUnauthenticated, Locale::kZhCN), "认证失败");
  EXPECT_EQ(CodeMessage(ErrorCode::kPermissionDenied, Locale::kZhCN), "权限不足");
  EXPECT_EQ(CodeMessage(ErrorCode::kNotFound, Locale::kZhCN), "资源不存在");
  EXPECT_EQ(CodeMessage(ErrorCode::kRateLimited, Locale::kZhCN), "请求频率过高");
  EXPECT_EQ(CodeMessage(ErrorCode::kAiUnavailable, Locale::kZhCN), "AI服务不可用");
  EXPECT_EQ(CodeMessage(ErrorCode::kSearchUnavailable, Locale::kZhCN), "搜索服务异常");
  EXPECT_EQ(CodeMessage(ErrorCode::kUploadFailed, Locale::kZhCN), "文件上传失败");
  EXPECT_EQ(CodeMessage(ErrorCode::kDatabaseUnavailable, Locale::kZhCN), "数据库连接异常");
}

TEST(CodeMessage, TransitionRefusalHasAChineseText) {
  EXPECT_EQ(CodeMessage(ErrorCode::kTransitionNotAllowed, Locale::kZhCN), "状态流转不允许");
}

TEST(CodeMessage, EnglishTexts) {
  EXPECT_EQ(CodeMessage(ErrorCode::kInvalidArgument, Locale::kEnUS), "Invalid request parameters");
  EXPECT_EQ(CodeMessage(ErrorCode::kUnauthenticated, Locale::kEnUS), "Authentication failed");
  EXPECT_EQ(CodeMessage(ErrorCode::kPermissionDenied, Locale::kEnUS), "Permission denied");
  EXPECT_EQ(CodeMessage(ErrorCode::kNotFound, Locale::kEnUS), "Resource not found");
  EXPECT_EQ(CodeMessage(ErrorCode::kRateLimited, Locale::kEnUS), "Too many requests");
  EXPECT_EQ(CodeMessage(ErrorCode::kTransitionNotAllowed, Locale::kEnUS), "State transition not allowed");
  EXPECT_EQ(CodeMessage(ErrorCode::kAiUnavailable, Locale::kEnUS), "AI service unavailable");
  EXPECT_EQ(CodeMessage(ErrorCode::kSearchUnavailable, Locale::kEnUS), "Search service error");
  EXPECT_EQ(CodeMessage(ErrorCode::kUploadFailed, Locale::kEnUS), "File upload failed");
  EXPECT_EQ(CodeMessage(ErrorCode::kDatabaseUnavailable, Locale::kEnUS), "Database unavailable");
}

TEST(CodeMessage, UndefinedCodeHasAGenericText) {
  EXPECT_EQ(CodeMessage(static_cast<ErrorCode>(12345), Locale::kZhCN), "未知错误");
  EXPECT_EQ(CodeMessage(static_cast<ErrorCode>(12345), Locale::kEnUS), "Unknown error");
}

TEST(FieldMessage, RequiredInBothLocales) {
  const FieldError error{"question", field_code::kRequired, {}};
  EXPECT_EQ(FieldMessage(error, Locale::kZhCN), "question 不能为空");
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "question is required");
}

TEST(FieldMessage, InvalidInBothLocales) {
  const FieldError error{"customer_id", field_code::kInvalid, {}};
  EXPECT_EQ(FieldMessage(error, Locale::kZhCN), "customer_id 格式不正确");
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "customer_id has an invalid value or format");
}

TEST(FieldMessage, TooLongFillsTheMaximum) {
  const FieldError error{"portal_title", field_code::kTooLong, {{"max", "100"}}};
  EXPECT_EQ(FieldMessage(error, Locale::kZhCN), "portal_title 长度不能超过 100");
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "portal_title must not be longer than 100");
}

TEST(FieldMessage, OutOfRangeFillsBothBounds) {
  const FieldError error{"rating", field_code::kOutOfRange, {{"min", "1"}, {"max", "5"}}};
  EXPECT_EQ(FieldMessage(error, Locale::kZhCN), "rating 必须在 1 到 5 之间");
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "rating must be between 1 and 5");
}

TEST(FieldMessage, NotAllowedListsTheAllowedValues) {
  const FieldError error{"session_type", field_code::kNotAllowed, {{"allowed", "search, ai_chat, ticket"}}};
  EXPECT_EQ(FieldMessage(error, Locale::kZhCN), "session_type 的取值无效，可选值：search, ai_chat, ticket");
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "session_type must be one of: search, ai_chat, ticket");
}

TEST(FieldMessage, TransitionNamesBothStates) {
  const FieldError error{"to", field_code::kTransition, {{"from", "in_progress"}, {"to", "rated"}}};
  EXPECT_EQ(FieldMessage(error, Locale::kZhCN), "不能从 in_progress 流转到 rated");
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "cannot move from in_progress to rated");
}

TEST(FieldMessage, UnknownCodeHasAGenericText) {
  const FieldError error{"x", "SOMETHING_ELSE", {}};
  EXPECT_EQ(FieldMessage(error, Locale::kZhCN), "x 无效");
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "x is invalid");
}

TEST(FieldMessage, IgnoresArgsWithoutAPlaceholder) {
  const FieldError error{"title", field_code::kRequired, {{"max", "100"}}};
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "title is required");
}

TEST(FieldMessage, FieldNameThatLooksLikeAPlaceholderIsNotExpanded) {
  // Field names can come from the request (contact_info keys).
  const FieldError error{"contact_info.{max}", field_code::kTooLong, {{"max", "255"}}};
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "contact_info.{max} must not be longer than 255");
}

TEST(FieldMessage, ArgValueThatLooksLikeAPlaceholderIsNotExpanded) {
  const FieldError error{"rating", field_code::kOutOfRange, {{"min", "{max}"}, {"max", "5"}}};
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "rating must be between {max} and 5");
}

TEST(FieldMessage, LeavesBracesWithoutAMatchingArgAlone) {
  const FieldError error{"css{", field_code::kRequired, {}};
  EXPECT_EQ(FieldMessage(error, Locale::kEnUS), "css{ is required");
}

TEST(FieldMessage, KeepsUtf8FieldNames) {
  const FieldError error{"标题", field_code::kRequired, {}};
  EXPECT_EQ(FieldMessage(error, Locale::kZhCN), "标题 不能为空");
}

}  // namespace
}  // namespace selfservice
