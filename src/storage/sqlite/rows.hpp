// Helpers shared by the SQLite repositories: binding a Scope and a page, and reading typed columns.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

// Row-level scope as SQL: ?1 tenant, ?2 customer (NULL: any), ?3 user (NULL: any).
#define SCOPE_WHERE " tenant_id = ?1 AND (?2 IS NULL OR customer_id = ?2) AND (?3 IS NULL OR user_id = ?3) "

inline void BindScope(Statement& stmt, const Scope& scope) {
  stmt.Bind(1, scope.tenant_id());
  if (scope.visibility() == Visibility::kTenant) {
    stmt.BindNull(2);
  } else {
    stmt.Bind(2, scope.customer_id());
  }
  if (scope.visibility() == Visibility::kOwn) {
    stmt.Bind(3, scope.user_id());
  } else {
    stmt.BindNull(3);
  }
}

inline void BindPage(Statement& stmt, int limit_index, PageRequest page) {
  stmt.Bind(limit_index, page.size);
  stmt.Bind(limit_index + 1, static_cast<std::int64_t>(page.page - 1) * page.size);
}

inline std::optional<std::string> JsonText(const std::optional<boost::json::value>& value) {
  if (!value || value->is_null()) return std::nullopt;
  return boost::json::serialize(*value);
}

inline std::optional<boost::json::value> ParseJsonColumn(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*text, ec);
  if (ec) return std::nullopt;
  return value;
}

// Reads the sealed text `column` (SealedFields, named "<table>.<column>") into `out`; on a value
// that does not open, stores its Status in `failure` and answers false, so a row is never read
// with a silently empty field.
inline bool UnsealColumn(const Statement& s, int column, const SealedFields& sealed, std::int64_t tenant_id,
                         std::string_view name, std::optional<std::string>& out, Status& failure) {
  auto plaintext = sealed.UnsealOptional(tenant_id, name, s.OptionalText(column));
  if (!plaintext.ok()) {
    failure = plaintext.status();
    return false;
  }
  out = std::move(plaintext).value();
  return true;
}

// The SQL texts of a query whose text depends on a few choices (a list's visibility and the
// filters given), each built once for the process: statements are cached by the address of their
// text. A shape is one value per choice, choice i ranging over 0 .. Radix_i - 1 (enum values or
// bools); `build` makes the text of a shape.
template <std::size_t... Radix>
class ShapedSql {
 public:
  using Shape = std::array<std::size_t, sizeof...(Radix)>;

  template <typename Build>
  explicit ShapedSql(const Build& build) {
    for (std::size_t index = 0; index < texts_.size(); ++index) {
      Shape shape{};
      std::size_t rest = index;
      for (std::size_t i = shape.size(); i-- > 0;) {
        shape[i] = rest % kRadix[i];
        rest /= kRadix[i];
      }
      texts_[index] = build(shape);
    }
  }

  const char* Get(const Shape& shape) const {
    std::size_t index = 0;
    for (std::size_t i = 0; i < shape.size(); ++i) index = index * kRadix[i] + shape[i];
    return texts_[index].c_str();
  }

 private:
  static constexpr Shape kRadix{Radix...};
  std::array<std::string, (Radix * ...)> texts_;
};

template <typename E>
E EnumColumn(const Statement& stmt, int column, E fallback) {
  return ParseEnum<E>(stmt.Text(column)).value_or(fallback);
}

inline std::optional<int> OptionalSmallInt(const Statement& stmt, int column) {
  auto value = stmt.OptionalInt(column);
  return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

inline std::optional<Timestamp> OptionalTime(const Statement& stmt, int column) {
  auto value = stmt.OptionalInt(column);
  return value ? std::optional<Timestamp>(Timestamp{*value}) : std::nullopt;
}

// The least string greater than every string that starts with `prefix`, in byte order: the end of
// the index range of the strings starting with it. None when the prefix is all 0xFF bytes.
inline std::optional<std::string> FirstAfterPrefix(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// A JSON array of strings stored in a TEXT column.
inline std::string StringArrayText(const std::vector<std::string>& values) {
  boost::json::array array;
  array.reserve(values.size());
  for (const auto& value : values) array.emplace_back(value);
  return boost::json::serialize(array);
}

inline std::vector<std::string> StringArrayColumn(const Statement& stmt, int column) {
  std::vector<std::string> out;
  if (auto parsed = ParseJsonColumn(stmt.OptionalText(column)); parsed && parsed->is_array()) {
    for (const auto& item : parsed->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

}  // namespace selfservice::sqlite
