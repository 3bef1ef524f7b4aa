// The handlers of the ai.* methods (docs/API.md, "AI Q&A"); method_table.cpp lists them.

#pragma once

#include "dispatch/method_table.hpp"

namespace selfservice {

Result<Reply> AiChatMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AiHistoryMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AiFeedbackMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AiRecommendationsMethod(Engines& e, const RequestContext& c, const boost::json::object& r);

}  // namespace selfservice
