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
  // ASCII expressions match whole words, case-insensitively; Chinese expressions match anywhere.
  std::vector<std::string> Expand(std::string_view query) const;

  bool empty() const { return groups_.empty(); }

 private:
  std::vector<std::vector<std::string>> groups_;
};

// The bundled base list.
const SynonymSet& BaseSynonyms();

}  // namespace selfservice::search
