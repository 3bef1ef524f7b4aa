// FTS5 auxiliary functions the local search ranks with.
//
//   selfservice_matched(fts_table, column)  -> integer bit mask: bit i is set when query phrase i
//                                              (i < 63) occurs in `column` of the row (-1: any column)
//
// FTS5's bm25() says how strongly a row matches; the mask says which of the query's terms it
// matches at all, so the ranking can weigh coverage of the query (and of the title) by each term's
// rarity, which bm25's sum over terms does not do on its own.

#pragma once

#include <sqlite3.h>

namespace selfservice::search {

// Registers the functions on `db`; call once per connection. Returns SQLITE_OK or an error code.
int RegisterFts5Ranking(sqlite3* db);

}  // namespace selfservice::search
