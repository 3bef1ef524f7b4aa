// RegisterFts5Tokenizer: an FTS5 table with tokenize='selfservice' indexes and matches Chinese and
// English text with the search tokenizer, and its highlight() marks exactly the matched text.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "search/fts5_tokenizer.hpp"

namespace selfservice::search {
namespace {

class Fts5Table : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_EQ(RegisterFts5Tokenizer(db_), SQLITE_OK);
    ASSERT_EQ(Exec("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='selfservice')"), SQLITE_OK)
        << sqlite3_errmsg(db_);
    Insert(1, "服务器无法连接", "服务器无法连接，请检查防火墙和网络设置。");
    Insert(2, "Connection refused", "ssh: connect to host example.org port 22: Connection refused");
    Insert(3, "nginx 起不来", "nginx起不来，先看 /var/log/nginx/error.log 里的报错");
    Insert(4, "Wi-Fi", "The wifi keeps dropping every few minutes");
    Insert(5, "ＮＧＩＮＸ 重启", "用 ＮＧＩＮＸ 的 reload 代替重启");
  }

  void TearDown() override { sqlite3_close(db_); }

  int Exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }

  void Insert(std::int64_t rowid, const std::string& title, const std::string& body) {
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(db_, "INSERT INTO t(rowid, title, body) VALUES (?1, ?2, ?3)", -1, &stmt, nullptr),
        SQLITE_OK);
    sqlite3_bind_int64(stmt, 1, rowid);
    sqlite3_bind_text(stmt, 2, title.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, body.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
  }

  // The first column of the rows of `sql` (one text parameter, `query`) as text, in rowid order.
  std::vector<std::string> Column(const std::string& sql, const std::string& query) {
    std::vector<std::string> values;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_);
      return values;
    }
    sqlite3_bind_text(stmt, 1, query.c_str(), -1, SQLITE_TRANSIENT);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      values.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return values;
  }

  std::vector<std::string> Matches(const std::string& query) {
    return Column("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", query);
  }

  std::vector<std::string> HighlightedBodies(const std::string& query) {
    return Column("SELECT highlight(t, 1, '[', ']') FROM t WHERE t MATCH ?1 ORDER BY rowid", query);
  }

  sqlite3* db_ = nullptr;
};

using Rows = std::vector<std::string>;

TEST_F(Fts5Table, FindsChineseTextByItsWords) {
  EXPECT_EQ(Matches("服务器 连接"), (Rows{"1"}));
}

TEST_F(Fts5Table, FindsOtherFormsOfAnEnglishWord) {
  EXPECT_EQ(Matches("connecting"), (Rows{"2"}));
}

TEST_F(Fts5Table, FindsMixedScriptText) {
  EXPECT_EQ(Matches("nginx起不来"), (Rows{"3"}));
}

TEST_F(Fts5Table, MatchesFullWidthAndHalfWidthFormsAlike) {
  EXPECT_EQ(Matches("ＮＧＩＮＸ"), (Rows{"3", "5"}));
  EXPECT_EQ(Matches("nginx"), (Rows{"3", "5"}));
}

TEST_F(Fts5Table, IgnoresStopWordsOfTheQuery) {
  EXPECT_EQ(Matches("wifi keeps dropping"), (Rows{"4"}));
}

TEST_F(Fts5Table, HighlightsChineseMatchesExactly) {
  EXPECT_EQ(HighlightedBodies("服务器 连接"), (Rows{"[服务器]无法[连接]，请检查防火墙和网络设置。"}));
}

TEST_F(Fts5Table, HighlightsTheWholeSourceWordOfAStem) {
  EXPECT_EQ(HighlightedBodies("connecting"),
            (Rows{"ssh: [connect] to host example.org port 22: [Connection] refused"}));
}

TEST_F(Fts5Table, HighlightsWordsNextToChineseAndFullWidthText) {
  EXPECT_EQ(HighlightedBodies("nginx"), (Rows{"[nginx]起不来，先看 /var/log/[nginx]/error.log 里的报错",
                                              "用 [ＮＧＩＮＸ] 的 reload 代替重启"}));
}

TEST_F(Fts5Table, SnippetsMarkTheMatchedText) {
  // Three terms from the match on: 防火, 火墙, 墙和.
  EXPECT_EQ(Column("SELECT snippet(t, 1, '[', ']', '...', 3) FROM t WHERE t MATCH ?1", "防火墙"),
            (Rows{"...[防火墙]和..."}));
}

TEST(RegisterFts5Tokenizer, IsNeededBeforeATableCanUseTheTokenizer) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='selfservice')", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  EXPECT_EQ(RegisterFts5Tokenizer(db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='selfservice')", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST(RegisterFts5Tokenizer, RefusesTokenizerArguments) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_EQ(RegisterFts5Tokenizer(db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='selfservice porter')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST(RegisterFts5Tokenizer, RefusesANullConnection) {
  EXPECT_EQ(RegisterFts5Tokenizer(nullptr), SQLITE_MISUSE);
}

// The registered tokenizer called directly, as FTS5 calls it, with each of its flags.
class RegisteredTokenizer : public ::testing::Test {
 protected:
  struct Term {
    std::string text;
    int start;
    int end;
    bool operator==(const Term&) const = default;
  };

  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_EQ(RegisterFts5Tokenizer(db_), SQLITE_OK);
    ASSERT_EQ(GetFts5Api(db_, &api_), SQLITE_OK);
    ASSERT_NE(api_, nullptr);
    void* context = nullptr;
    ASSERT_EQ(api_->xFindTokenizer(api_, kFts5TokenizerName, &context, &methods_), SQLITE_OK);
    ASSERT_EQ(methods_.xCreate(context, nullptr, 0, &tokenizer_), SQLITE_OK);
  }

  void TearDown() override {
    if (tokenizer_ != nullptr) methods_.xDelete(tokenizer_);
    sqlite3_close(db_);
  }

  static int Collect(void* terms, int /*tflags*/, const char* token, int size, int start, int end) {
    static_cast<std::vector<Term>*>(terms)->push_back(
        {std::string(token, static_cast<std::size_t>(size)), start, end});
    return SQLITE_OK;
  }

  std::vector<Term> Terms(int flags, const std::string& text) {
    std::vector<Term> terms;
    EXPECT_EQ(
        methods_.xTokenize(tokenizer_, &terms, flags, text.data(), static_cast<int>(text.size()), Collect),
        SQLITE_OK);
    return terms;
  }

  sqlite3* db_ = nullptr;
  fts5_api* api_ = nullptr;
  fts5_tokenizer methods_ = {};
  Fts5Tokenizer* tokenizer_ = nullptr;
};

TEST_F(RegisteredTokenizer, GivesDocumentsAndQueriesTheSameTerms) {
  // Stop words of both languages, stems, full-width text: whatever the tokenizer drops or changes
  // in an article, it drops or changes in a query alike.
  const std::string text = "为什么 Ｗｉｆｉ keeps dropping，怎么重新连接？我的话费 ipv6";
  const std::vector<Term> document = Terms(FTS5_TOKENIZE_DOCUMENT, text);
  EXPECT_FALSE(document.empty());
  EXPECT_EQ(Terms(FTS5_TOKENIZE_QUERY, text), document);
  EXPECT_EQ(Terms(FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, text), document);
  EXPECT_EQ(Terms(FTS5_TOKENIZE_AUX, text), document);
}

TEST_F(RegisteredTokenizer, StopsAtTheFirstErrorOfTheCallback) {
  int calls = 0;
  const auto fail = [](void* count, int, const char*, int, int, int) {
    ++*static_cast<int*>(count);
    return SQLITE_NOMEM;
  };
  const std::string text = "one two three";
  EXPECT_EQ(methods_.xTokenize(tokenizer_, &calls, FTS5_TOKENIZE_DOCUMENT, text.data(),
                               static_cast<int>(text.size()), fail),
            SQLITE_NOMEM);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace selfservice::search
