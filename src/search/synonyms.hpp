// Synonyms: groups of expressions that mean the same to a customer ("连不上" = "无法连接" =
// "connection refused"). A query that contains one expression of a group is also matched against
// the group's other expressions.
//
// The library ships a base list of common zh/en IT-operations equivalences (synonyms.cpp),
// written for this library; tenants add their own on top (search.synonyms.set).
//
// Thread safety: a SynonymSet is immutable once built; share it freely.

#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace selfservice::search {

class SynonymSet {
 public:
  // Adds a group of equivalent expressions (lowercase for ASCII letters is applied here).
  void AddGroup(const std::vector<std::string>& expressions);

  // The expressions equivalent to something `query` contains, excluding what it already contains.
  // An ASCII expression matches the query's terms as the index holds them: whole words, case
  // folded, stemmed and without stop words ("alerted" contains "alert", "disk is full" contains
  // "disk full"; "spinning" does not contain "pin"), so an expression made only of stop words
  // never matches. Any other expression matches anywhere in the text.
  std::vector<std::string> Expand(std::string_view query) const;

  bool empty() const { return groups_.empty(); }

 private:
  struct Expression {
    std::string text;                // lowercase
    bool ascii = false;
    std::vector<std::string> terms;  // of an ASCII expression, as Tokenize() makes them

    bool In(std::string_view lowered_query, const std::vector<std::string>& query_terms) const;
  };

  std::vector<std::vector<Expression>> groups_;
};

// The bundled base list.
const SynonymSet& BaseSynonyms();

}  // namespace selfservice::search
