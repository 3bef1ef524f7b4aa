#include "search/fts5_ranking.hpp"

#include <cstdint>

#include "search/fts5_tokenizer.hpp"

namespace selfservice::search {
namespace {

void Matched(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int argc,
             sqlite3_value** argv) {
  const int column = argc > 0 ? sqlite3_value_int(argv[0]) : -1;
  int instances = 0;
  if (api->xInstCount(fts, &instances) != SQLITE_OK) {
    sqlite3_result_error(result, "selfservice_matched: no instances", -1);
    return;
  }
  std::uint64_t mask = 0;
  for (int i = 0; i < instances; ++i) {
    int phrase = 0, col = 0, offset = 0;
    if (api->xInst(fts, i, &phrase, &col, &offset) != SQLITE_OK) break;
    if (phrase < 63 && (column < 0 || col == column)) mask |= std::uint64_t{1} << phrase;
  }
  sqlite3_result_int64(result, static_cast<sqlite3_int64>(mask));
}

}  // namespace

int RegisterFts5Ranking(sqlite3* db) {
  fts5_api* api = nullptr;
  const int rc = GetFts5Api(db, &api);
  if (rc != SQLITE_OK) return rc;
  if (api == nullptr) return SQLITE_ERROR;
  return api->xCreateFunction(api, "selfservice_matched", nullptr, Matched, nullptr);
}

}  // namespace selfservice::search
