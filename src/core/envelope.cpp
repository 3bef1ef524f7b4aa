#include "core/envelope.hpp"

#include "core/messages.hpp"
#include "selfservice/model.hpp"

namespace selfservice {
namespace json = boost::json;

std::string EnvelopeTimestamp(std::int64_t now_millis) {
  std::string text = FormatTimestamp(Timestamp{now_millis - ((now_millis % 1000) + 1000) % 1000});
  text.erase(text.size() - 5, 4);  // drop ".000", keep "Z"
  return text;
}

json::object SuccessEnvelope(json::value data, const std::optional<Pagination>& pagination,
                             std::string_view trace_id, Locale locale, std::int64_t now_millis) {
  json::object out;
  out.reserve(6);
  out.emplace("code", 200);
  out.emplace("message", CodeMessage(ErrorCode::kOk, locale));
  out.emplace("data", std::move(data));
  out.emplace("timestamp", EnvelopeTimestamp(now_millis));
  out.emplace("trace_id", trace_id);
  if (pagination) {
    const std::int64_t pages =
        pagination->size > 0 ? (pagination->total + pagination->size - 1) / pagination->size : 0;
    out.emplace("pagination", json::object{{"page", pagination->page},
                                           {"size", pagination->size},
                                           {"total", pagination->total},
                                           {"pages", pages}});
  }
  return out;
}

json::object FailureEnvelope(const Status& status, std::string_view trace_id, Locale locale,
                             std::int64_t now_millis, std::string_view help_url_base) {
  json::array errors;
  errors.reserve(status.field_errors().size());
  for (const auto& error : status.field_errors()) {
    errors.push_back(json::object{
        {"field", error.field}, {"message", FieldMessage(error, locale)}, {"code", error.code}});
  }
  const int code = static_cast<int>(status.code());
  json::object out;
  out.reserve(6);
  out.emplace("code", code);
  out.emplace("message", CodeMessage(status.code(), locale));
  out.emplace("errors", std::move(errors));
  out.emplace("timestamp", EnvelopeTimestamp(now_millis));
  out.emplace("trace_id", trace_id);
  out.emplace("help_url", std::string(help_url_base) + std::to_string(code));
  if (status.retry_after()) out.emplace("retry_after", *status.retry_after());
  return out;
}

}  // namespace selfservice
