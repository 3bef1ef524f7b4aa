// The handlers of the tickets.attachments.* methods (docs/API.md, "Attachments"); method_table.cpp
// lists them.

#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dispatch/method_table.hpp"

namespace selfservice {

Result<Reply> AttachmentBeginMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AttachmentAppendMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AttachmentStatusMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AttachmentCompleteMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AttachmentAbortMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AttachmentSweepMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AttachmentListMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> AttachmentGetMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<FileReply> AttachmentGetFile(Engines& e, const RequestContext& c, const boost::json::object& r, std::int64_t offset);

// What tickets.attachments.append answers, for bytes that are already binary: the method after
// its base64 decoding, and Portal::UploadChunk (selfservice_upload_chunk).
Result<Reply> AppendChunk(Engines& e, const RequestContext& c, std::string_view upload_id, std::int64_t offset,
                          std::string_view bytes, const std::optional<std::string>& chunk_sha256);

}  // namespace selfservice
