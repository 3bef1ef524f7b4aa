// The embedded search engine: SQLite FTS5 over knowledge_articles with the selfservice tokenizer.

#pragma once

#include <memory>

#include "selfservice/search.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::search {

std::unique_ptr<SearchBackend> MakeLocalSearch(sqlite::Database& db);

}  // namespace selfservice::search
