#include "storage/sqlite/title_index.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "search/fts5_tokenizer.hpp"

namespace selfservice::sqlite {
namespace {

using TokenCallback = int (*)(void* ctx, int tflags, const char* token, int size, int start, int end);

// Characters in the longest term: documents index every run of 1 to kLongestTerm characters.
constexpr std::size_t kLongestTerm = 3;

// FTS5 wants a non-null instance; the tokenizer has no state, so every table shares this one.
struct Instance {
  int unused;
};
Instance shared_instance;

int Create(void* /*context*/, const char** /*args*/, int arg_count, Fts5Tokenizer** out) {
  *out = nullptr;
  if (arg_count != 0) return SQLITE_ERROR;
  *out = reinterpret_cast<Fts5Tokenizer*>(&shared_instance);
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer* /*tokenizer*/) {}

// The byte length of the UTF-8 character starting with `lead`; 1 for a byte that cannot start one,
// so that any byte string cuts into the same characters in documents and queries.
std::size_t CharLength(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;
}

// What SQLite's lower() does without ICU, the case-insensitivity TitlesContaining promises.
char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Documents: every character, and colocated with it the pair and the triple it starts. Queries:
// one or two characters as themselves, a longer fragment as its overlapping triples at consecutive
// positions (triples are far rarer than pairs, and a phrase costs about the postings of its terms).
int Tokenize(Fts5Tokenizer* /*tokenizer*/, void* ctx, int flags, const char* text, int size,
             TokenCallback token) {
  if (text == nullptr || size <= 0) return SQLITE_OK;
  const std::string_view input(text, static_cast<std::size_t>(size));
  const std::size_t colon = input.find(':');
  const std::size_t title_start = colon == std::string_view::npos ? 0 : colon + 1;

  std::string lowered(input.substr(title_start));
  for (char& c : lowered) c = LowerAscii(c);
  std::vector<std::size_t> bounds;  // where each character starts, then the end
  for (std::size_t at = 0; at < lowered.size();) {
    bounds.push_back(at);
    at = std::min(lowered.size(), at + CharLength(static_cast<unsigned char>(lowered[at])));
  }
  bounds.push_back(lowered.size());
  const std::size_t chars = bounds.size() - 1;

  std::string term(input.substr(0, title_start));
  const std::size_t scope_size = term.size();
  // Emits characters [first, first + count) of the title.
  const auto emit = [&](std::size_t first, std::size_t count, int tflags) {
    term.resize(scope_size);
    term.append(lowered, bounds[first], bounds[first + count] - bounds[first]);
    return token(ctx, tflags, term.data(), static_cast<int>(term.size()),
                 static_cast<int>(title_start + bounds[first]),
                 static_cast<int>(title_start + bounds[first + count]));
  };

  int rc = SQLITE_OK;
  if ((flags & FTS5_TOKENIZE_QUERY) != 0) {
    if (chars <= kLongestTerm) return chars == 0 ? SQLITE_OK : emit(0, chars, 0);
    for (std::size_t i = 0; rc == SQLITE_OK && i + kLongestTerm <= chars; ++i) rc = emit(i, kLongestTerm, 0);
    return rc;
  }
  for (std::size_t i = 0; rc == SQLITE_OK && i < chars; ++i) {
    rc = emit(i, 1, 0);
    for (std::size_t length = 2; rc == SQLITE_OK && length <= kLongestTerm && i + length <= chars; ++length) {
      rc = emit(i, length, FTS5_TOKEN_COLOCATED);
    }
  }
  return rc;
}

fts5_tokenizer tokenizer_methods = {Create, Delete, Tokenize};

}  // namespace

int RegisterTitleTokenizer(sqlite3* db) {
  if (db == nullptr) return SQLITE_MISUSE;
  fts5_api* api = nullptr;
  const int rc = search::GetFts5Api(db, &api);
  if (rc != SQLITE_OK) return rc;
  if (api == nullptr) return SQLITE_ERROR;
  return api->xCreateTokenizer(api, kTitleTokenizerName, nullptr, &tokenizer_methods, nullptr);
}

std::string TitleScope(std::int64_t tenant_id, ArticleLang lang, PublicationStatus status) {
  std::string scope = std::to_string(tenant_id);
  scope += '/';
  scope += EnumName(lang);
  scope += '/';
  scope += EnumName(status);
  scope += ':';
  return scope;
}

std::string TitlePhrase(std::string_view scope, std::string_view fragment) {
  std::string phrase = "\"";
  for (std::string_view part : {scope, fragment}) {
    for (char c : part) {
      phrase += c;
      if (c == '"') phrase += '"';
    }
  }
  phrase += '"';
  return phrase;
}

}  // namespace selfservice::sqlite
