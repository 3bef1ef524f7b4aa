// The SQLite knowledge repository (knowledge_articles).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<KnowledgeRepository> MakeKnowledgeRepository(Database& db);

}  // namespace selfservice::sqlite
