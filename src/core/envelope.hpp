// The unified envelope of REQ-019 4.2 (success) and 4.3 (failure).

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "selfservice/context.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

struct Pagination {
  int page = 1;
  int size = 20;
  std::int64_t total = 0;
};

// {code: 200, message, data, timestamp, trace_id[, pagination {page, size, total, pages}]}
boost::json::object SuccessEnvelope(boost::json::value data, const std::optional<Pagination>& pagination,
                                    std::string_view trace_id, Locale locale, std::int64_t now_millis);

// {code, message, errors: [{field, message, code}], timestamp, trace_id, help_url[, retry_after]}
boost::json::object FailureEnvelope(const Status& status, std::string_view trace_id, Locale locale,
                                    std::int64_t now_millis, std::string_view help_url_base);

// "2025-08-15T10:00:00Z": the envelope's timestamp, to the second as in the spec.
std::string EnvelopeTimestamp(std::int64_t now_millis);

}  // namespace selfservice
