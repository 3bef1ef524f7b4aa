// FTS5 auxiliary function the local search ranks with.
//
//   selfservice_hits(fts_table) -> blob of native-endian int64 values describing the current row:
//       [0] rows in the table, [1] tokens in the table (all columns), [2] column count C,
//       [3 .. 3+C) tokens of each column of the row, then one triple (phrase, column, offset)
//       per occurrence of a query phrase in the row, offset counted in tokens within its column.
//
// It hands the ranking everything it needs per candidate (term frequency per column, column
// lengths, term positions), so the scoring formula lives in C++ (local_search.cpp) instead of in
// FTS5's fixed bm25(): per-term weights from the knowledge vocabulary, coverage of the query and of
// the title, and the proximity of query terms.

#pragma once

#include <sqlite3.h>

namespace selfservice::search {

// The layout of the selfservice_hits() blob.
inline constexpr int kHitsRows = 0;
inline constexpr int kHitsTableTokens = 1;
inline constexpr int kHitsColumns = 2;
inline constexpr int kHitsColumnSizes = 3;

// Registers the function on `db`; call once per connection. Returns SQLITE_OK or an error code.
int RegisterFts5Ranking(sqlite3* db);

}  // namespace selfservice::search
