// The handlers of the documents.* methods (docs/API.md, "Documents"); method_table.cpp lists them.

#pragma once

#include <cstdint>

#include "dispatch/method_table.hpp"

namespace selfservice {

Result<Reply> DocumentPublishMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
// tickets.attachments.begin with target "document", on a route of its own: the resumable upload of
// a document's bytes for documents.publish {upload_id}.
Result<Reply> DocumentUploadBeginMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> DocumentListMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> DocumentGetMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> DocumentDownloadMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<FileReply> DocumentDownloadFile(Engines& e, const RequestContext& c, const boost::json::object& r,
                                       std::int64_t offset);
Result<Reply> DocumentStatsMethod(Engines& e, const RequestContext& c, const boost::json::object& r);

}  // namespace selfservice
