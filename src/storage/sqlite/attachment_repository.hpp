// The SQLite uploads and ticket attachments (tables uploads, ticket_attachments; migration 13).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<AttachmentRepository> MakeAttachmentRepository(Database& db);

}  // namespace selfservice::sqlite
