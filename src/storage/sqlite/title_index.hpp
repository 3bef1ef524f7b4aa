// The knowledge title index (migration 6): a contentless FTS5 table, knowledge_title_fts, that
// finds the articles whose title contains a fragment, for search.suggestions.
//
// Each row indexes one article as "<tenant_id>/<lang>/<status>:<title>" (the triggers of migration
// 6 build that text; TitleScope() is its part before the title). The tokenizer registered here
// lowercases ASCII letters of the title and, at each of its characters, emits the runs of one, two
// and three characters that start there, all prefixed with the scope: so a fragment of up to three
// characters is one term, a longer one the phrase of its overlapping triples, matched at
// consecutive positions, which is exactly "the title contains the fragment". With the scope in
// every term, a query reads only the postings of one tenant, language and status.
//
// Thread safety: registration is per connection and follows the connection's own rules; the
// registered tokenizer has no state of its own.

#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "selfservice/model.hpp"

namespace selfservice::sqlite {

// The name to use in tokenize='...'. The tokenizer takes no arguments.
inline constexpr char kTitleTokenizerName[] = "selfservice_title";

// Registers the title tokenizer on `db`; call once per connection before opening a table that
// uses it. Returns SQLITE_OK, or the SQLite error code when FTS5 is missing or refuses it.
int RegisterTitleTokenizer(sqlite3* db);

// "<tenant_id>/<lang>/<status>:", the part of an indexed row before the title.
std::string TitleScope(std::int64_t tenant_id, ArticleLang lang, PublicationStatus status);

// An FTS5 phrase (quoted, quotes doubled) matching the rows of `scope` whose title contains
// `fragment`; for a MATCH against knowledge_title_fts, alone or OR-ed with others.
std::string TitlePhrase(std::string_view scope, std::string_view fragment);

}  // namespace selfservice::sqlite
