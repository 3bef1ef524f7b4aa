#include "core/messages.hpp"

#include <array>
#include <utility>

namespace selfservice {
namespace {

struct Text {
  std::string_view zh;
  std::string_view en;
  std::string_view in(Locale locale) const { return locale == Locale::kEnUS ? en : zh; }
};

// Spec 4.3's descriptions in Chinese; the English is ours.
Text CodeText(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return {"成功", "success"};
    case ErrorCode::kInvalidArgument: return {"请求参数错误", "Invalid request parameters"};
    case ErrorCode::kUnauthenticated: return {"认证失败", "Authentication failed"};
    case ErrorCode::kPermissionDenied: return {"权限不足", "Permission denied"};
    case ErrorCode::kNotFound: return {"资源不存在", "Resource not found"};
    case ErrorCode::kRateLimited: return {"请求频率过高", "Too many requests"};
    case ErrorCode::kTransitionNotAllowed: return {"状态流转不允许", "State transition not allowed"};
    case ErrorCode::kAiUnavailable: return {"AI服务不可用", "AI service unavailable"};
    case ErrorCode::kSearchUnavailable: return {"搜索服务异常", "Search service error"};
    case ErrorCode::kUploadFailed: return {"文件上传失败", "File upload failed"};
    case ErrorCode::kDatabaseUnavailable: return {"数据库连接异常", "Database unavailable"};
  }
  return {"未知错误", "Unknown error"};
}

// Templates with {field} and the FieldError's own args.
constexpr std::pair<std::string_view, Text> kFieldTexts[] = {
    {field_code::kRequired, {"{field} 不能为空", "{field} is required"}},
    {field_code::kInvalid, {"{field} 格式不正确", "{field} has an invalid value or format"}},
    {field_code::kTooLong, {"{field} 长度不能超过 {max}", "{field} must not be longer than {max}"}},
    {field_code::kOutOfRange, {"{field} 必须在 {min} 到 {max} 之间", "{field} must be between {min} and {max}"}},
    {field_code::kNotAllowed, {"{field} 的取值无效，可选值：{allowed}", "{field} must be one of: {allowed}"}},
    {field_code::kTransition, {"不能从 {from} 流转到 {to}", "cannot move from {from} to {to}"}},
    {field_code::kDuplicate, {"{field} 已被使用", "{field} is already taken"}},
    // The password policy's codes (security/password_policy.hpp).
    {"PASSWORD_TOO_SHORT", {"密码长度不能少于 {min} 个字符", "the password must be at least {min} characters long"}},
    {"PASSWORD_TOO_LONG", {"密码长度不能超过 {max} 个字符", "the password must be at most {max} characters long"}},
    {"PASSWORD_TOO_WEAK",
     {"密码至少需要包含 {min} 类字符（小写字母、大写字母、数字、其他字符）",
      "the password needs characters of at least {min} kinds (lowercase, uppercase, digits, others)"}},
    {"PASSWORD_CONTAINS_USERNAME", {"密码不能包含用户名或邮箱名", "the password must not contain the username or e-mail name"}},
    {"PASSWORD_TOO_COMMON", {"密码过于常见，请换一个", "the password is too common; choose another"}},
    {field_code::kNotConfigured,
     {"门户选项未配置 {field}，此功能不可用", "{field} is not configured in the portal options"}},
    {field_code::kFileTooLarge,
     {"{field} 超过上限 {max} 字节，请压缩或拆分文件后重新上传",
      "{field} exceeds the limit of {max} bytes; compress or split the file and upload again"}},
    {field_code::kTooManyFiles,
     {"每个工单最多 {max} 个附件，请删除或合并后重新上传",
      "a ticket takes at most {max} attachments; merge files and upload again"}},
    {field_code::kFileTypeNotAllowed,
     {"文件内容不是允许的类型（{allowed}），请转换格式后重新上传",
      "the file's content is not one of the allowed types ({allowed}); convert it and upload again"}},
    {field_code::kChecksumMismatch,
     {"{field} 校验失败，数据已丢弃，请从偏移 {offset} 重新发送",
      "{field} does not match the data, which was discarded; send it again from offset {offset}"}},
    {field_code::kOffsetMismatch,
     {"{field} 与已确认的偏移 {expected} 不一致，请查询上传状态后从该偏移继续",
      "{field} is not the committed offset {expected}; ask the upload's status and resume from there"}},
    {field_code::kUploadExpired,
     {"上传已过期，请重新开始上传", "the upload has expired; begin a new upload"}},
    {field_code::kStorageFailed,
     {"文件暂时无法保存，请稍后从偏移 {offset} 重试", "the file could not be stored; retry from offset {offset} later"}},
    {field_code::kReadFailed,
     {"文件暂时无法读取，请稍后从偏移 {offset} 重试", "the file could not be read; retry from offset {offset} later"}},
    {field_code::kFileCorrupt,
     {"存储的文件已损坏（与上传时的校验值不符），请联系技术支持",
      "the stored file is damaged (it no longer matches its checksum); contact support"}},
    {field_code::kDraftSaved,
     {"工单未能提交，填写内容已保存为草稿 {draft_id}", "the ticket was not submitted; its input was saved as draft {draft_id}"}},
};

// Fills each {name} of `text` with the field name or the arg of that name, in one pass: a value
// is never scanned again, so a field name or value that looks like a placeholder stays as it is.
std::string Expand(std::string_view text, const FieldError& error) {
  auto lookup = [&](std::string_view name) -> const std::string* {
    if (name == "field") return &error.field;
    for (const auto& [key, value] : error.args) {
      if (key == name) return &value;
    }
    return nullptr;
  };
  std::string out;
  out.reserve(text.size() + error.field.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == '{') {
      const std::size_t close = text.find('}', pos + 1);
      if (close != std::string_view::npos) {
        if (const std::string* value = lookup(text.substr(pos + 1, close - pos - 1))) {
          out += *value;
          pos = close + 1;
          continue;
        }
      }
    }
    out += text[pos++];
  }
  return out;
}

}  // namespace

std::string_view CodeMessage(ErrorCode code, Locale locale) { return CodeText(code).in(locale); }

std::string FieldMessage(const FieldError& error, Locale locale) {
  std::string_view text = Text{"{field} 无效", "{field} is invalid"}.in(locale);
  for (const auto& [code, templates] : kFieldTexts) {
    if (code == error.code) text = templates.in(locale);
  }
  return Expand(text, error);
}

}  // namespace selfservice
