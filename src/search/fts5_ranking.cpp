#include "search/fts5_ranking.hpp"

#include <cstdint>
#include <vector>

#include "search/fts5_tokenizer.hpp"

namespace selfservice::search {
namespace {

void Hits(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int /*argc*/,
          sqlite3_value** /*argv*/) {
  sqlite3_int64 rows = 0;
  sqlite3_int64 tokens = 0;
  int instances = 0;
  if (api->xRowCount(fts, &rows) != SQLITE_OK || api->xColumnTotalSize(fts, -1, &tokens) != SQLITE_OK ||
      api->xInstCount(fts, &instances) != SQLITE_OK) {
    sqlite3_result_error(result, "selfservice_hits: no statistics", -1);
    return;
  }
  const int columns = api->xColumnCount(fts);
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(kHitsColumnSizes + columns + 3 * instances));
  out.push_back(rows);
  out.push_back(tokens);
  out.push_back(columns);
  for (int column = 0; column < columns; ++column) {
    int size = 0;
    if (api->xColumnSize(fts, column, &size) != SQLITE_OK) {
      sqlite3_result_error(result, "selfservice_hits: no column size", -1);
      return;
    }
    out.push_back(size);
  }
  for (int i = 0; i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    if (api->xInst(fts, i, &phrase, &column, &offset) != SQLITE_OK) break;
    out.push_back(phrase);
    out.push_back(column);
    out.push_back(offset);
  }
  sqlite3_result_blob64(result, out.data(), out.size() * sizeof(std::int64_t), SQLITE_TRANSIENT);
}

}  // namespace

int RegisterFts5Ranking(sqlite3* db) {
  fts5_api* api = nullptr;
  const int rc = GetFts5Api(db, &api);
  if (rc != SQLITE_OK) return rc;
  if (api == nullptr) return SQLITE_ERROR;
  return api->xCreateFunction(api, "selfservice_hits", nullptr, Hits, nullptr);
}

}  // namespace selfservice::search
