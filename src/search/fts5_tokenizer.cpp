#include "search/fts5_tokenizer.hpp"

#include <cstddef>
#include <string_view>

#include "search/tokenizer.hpp"

namespace selfservice::search {
namespace {

using TokenCallback = int (*)(void* ctx, int tflags, const char* token, int size, int start, int end);

// FTS5 wants a non-null instance; the tokenizer has no state, so every table shares this one.
struct Instance {
  int unused;
};
Instance shared_instance;

int Create(void* /*context*/, const char** /*args*/, int arg_count, Fts5Tokenizer** out) {
  *out = nullptr;
  if (arg_count != 0) return SQLITE_ERROR;  // catches tokenize='selfservice something' early
  *out = reinterpret_cast<Fts5Tokenizer*>(&shared_instance);
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer* /*tokenizer*/) {}

// `flags` (document, query, prefix query, auxiliary function) is ignored on purpose: documents and
// queries must meet on the same terms, so a prefix query's prefix is stemmed as a word would be.
int TokenizeText(Fts5Tokenizer* /*tokenizer*/, void* ctx, int /*flags*/, const char* text, int size,
                 TokenCallback token) {
  if (text == nullptr || size <= 0) return SQLITE_OK;
  // One pointer captured, so the std::function holds the lambda without allocating.
  struct Sink {
    void* ctx;
    TokenCallback token;
    int rc;
  } sink{ctx, token, SQLITE_OK};
  Tokenize(std::string_view(text, static_cast<std::size_t>(size)),
           [&sink](std::string_view term, int start, int end) {
             if (sink.rc == SQLITE_OK) {
               sink.rc = sink.token(sink.ctx, 0, term.data(), static_cast<int>(term.size()), start, end);
             }
           });
  return sink.rc;
}

fts5_tokenizer tokenizer_methods = {Create, Delete, TokenizeText};

}  // namespace

int GetFts5Api(sqlite3* db, fts5_api** api) {
  *api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_bind_pointer(stmt, 1, api, "fts5_api_ptr", nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
  const int finalized = sqlite3_finalize(stmt);
  return rc != SQLITE_OK ? (finalized != SQLITE_OK ? finalized : rc) : SQLITE_OK;
}

int RegisterFts5Tokenizer(sqlite3* db) {
  if (db == nullptr) return SQLITE_MISUSE;
  fts5_api* api = nullptr;
  const int rc = GetFts5Api(db, &api);
  if (rc != SQLITE_OK) return rc;
  if (api == nullptr) return SQLITE_ERROR;
  return api->xCreateTokenizer(api, kFts5TokenizerName, nullptr, &tokenizer_methods, nullptr);
}

}  // namespace selfservice::search
