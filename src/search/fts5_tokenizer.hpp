// The search tokenizer (search/tokenizer.hpp) as an SQLite FTS5 tokenizer, so that an FTS5 table
// declared with tokenize='selfservice' indexes articles and parses MATCH queries with it, and its
// highlight() and snippet() mark the right spans.
//
// Thread safety: registration is per connection and follows the connection's own rules; the
// registered tokenizer has no state of its own.

#pragma once

#include <sqlite3.h>

namespace selfservice::search {

// The name to use in tokenize='...'. The tokenizer takes no arguments.
inline constexpr char kFts5TokenizerName[] = "selfservice";

// Registers the tokenizer on `db` under kFts5TokenizerName; call once per connection before
// opening a table that uses it. Returns SQLITE_OK, or the SQLite error code when FTS5 is missing or
// refuses the registration.
int RegisterFts5Tokenizer(sqlite3* db);

// The connection's FTS5 API (`*api` is null when FTS5 is not compiled in); for registering
// tokenizers and auxiliary functions.
int GetFts5Api(sqlite3* db, fts5_api** api);

}  // namespace selfservice::search
