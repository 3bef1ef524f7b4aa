// Reads the fields of one request object, collecting a FieldError for every problem so that a
// 10001 answer lists all of them at once.

#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/enum_names.hpp"
#include "domain/rules.hpp"
#include "selfservice/repository.hpp"

namespace selfservice {

class RequestReader {
 public:
  static constexpr int kMaxPageSize = 100;

  explicit RequestReader(const boost::json::object& request) : request_(request) {}

  // A non-blank string of at most `max_chars` characters.
  std::string RequiredString(std::string_view field, std::size_t max_chars);
  std::optional<std::string> OptionalString(std::string_view field, std::size_t max_bytes);
  // A positive 64-bit integer id.
  std::int64_t RequiredId(std::string_view field);
  std::optional<std::int64_t> OptionalId(std::string_view field);
  // A JSON object, or nullopt when absent or null.
  std::optional<boost::json::value> OptionalObject(std::string_view field);
  bool RequiredBool(std::string_view field);
  // An array of strings; absent or null is empty, or FIELD_REQUIRED when `required`.
  std::vector<std::string> StringList(std::string_view field, bool required = false);
  // The raw value, or nullopt when absent.
  std::optional<boost::json::value> Raw(std::string_view field) const;
  // {page, size}: page >= 1 (default 1), 1 <= size <= max_size (default 20).
  PageRequest Page(int max_size = kMaxPageSize);

  // One of the enumeration's names: FIELD_INVALID for a value that is not a string (as MergeJson
  // has it), VALUE_NOT_ALLOWED for an unknown name.
  template <typename E>
  std::optional<E> OptionalEnum(std::string_view field) {
    const boost::json::value* value = request_.if_contains(field);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_string()) {
      check_.Add(field, field_code::kInvalid);
      return std::nullopt;
    }
    std::optional<E> parsed = ParseEnum<E>(std::string_view(value->get_string()));
    if (!parsed) check_.Add(field, field_code::kNotAllowed, {{"allowed", EnumNameList<E>()}});
    return parsed;
  }

  template <typename E>
  E RequiredEnum(std::string_view field, E fallback) {
    const boost::json::value* value = request_.if_contains(field);
    if (value == nullptr || value->is_null()) {
      check_.Add(field, field_code::kRequired);
      return fallback;
    }
    return OptionalEnum<E>(field).value_or(fallback);
  }

  // Decodes the whole request into `into` with MergeJson, adding the type errors of the fields
  // not already reported, so that the answer lists every bad field once.
  template <typename T>
  void Merge(T& into) {
    for (auto& error : MergeJson(request_, into)) {
      if (!check_.HasErrorFor(error.field)) {
        check_.Add(error.field, error.code.c_str(), std::move(error.args));
      }
    }
  }

  // Ok, or 10001 with every field error seen so far, then `more` (what a handler checked itself).
  Status Finish(std::vector<FieldError> more = {}) {
    auto errors = check_.Take();
    errors.insert(errors.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
  }

 private:
  std::optional<std::int64_t> Integer(std::string_view field, bool required);

  const boost::json::object& request_;
  FieldChecker check_;
};

}  // namespace selfservice
