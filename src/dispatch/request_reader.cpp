#include "dispatch/request_reader.hpp"

#include <algorithm>

namespace selfservice {

std::string RequestReader::RequiredString(std::string_view field, std::size_t max_chars) {
  const boost::json::value* value = request_.if_contains(field);
  if (value == nullptr || value->is_null()) {
    check_.Add(field, field_code::kRequired);
    return {};
  }
  if (!value->is_string()) {
    check_.Add(field, field_code::kInvalid);
    return {};
  }
  std::string text(value->get_string());
  check_.Required(field, text, max_chars);
  return text;
}

std::optional<std::string> RequestReader::OptionalString(std::string_view field, std::size_t max_bytes) {
  const boost::json::value* value = request_.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    check_.Add(field, field_code::kInvalid);
    return std::nullopt;
  }
  std::string text(value->get_string());
  check_.MaxBytes(field, text, max_bytes);
  return text;
}

std::optional<std::int64_t> RequestReader::Integer(std::string_view field, bool required) {
  const boost::json::value* value = request_.if_contains(field);
  if (value == nullptr || value->is_null()) {
    if (required) check_.Add(field, field_code::kRequired);
    return std::nullopt;
  }
  if (!value->is_int64()) {
    check_.Add(field, field_code::kInvalid);
    return std::nullopt;
  }
  return value->get_int64();
}

std::int64_t RequestReader::RequiredId(std::string_view field) {
  auto id = Integer(field, true);
  if (id && *id <= 0) {
    check_.Add(field, field_code::kInvalid);
    return 0;
  }
  return id.value_or(0);
}

std::optional<std::int64_t> RequestReader::OptionalId(std::string_view field) {
  auto id = Integer(field, false);
  if (id && *id <= 0) {
    check_.Add(field, field_code::kInvalid);
    return std::nullopt;
  }
  return id;
}

std::optional<boost::json::value> RequestReader::OptionalObject(std::string_view field) {
  const boost::json::value* value = request_.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_object()) {
    check_.Add(field, field_code::kInvalid);
    return std::nullopt;
  }
  return *value;
}

std::vector<std::string> RequestReader::StringList(std::string_view field, bool required) {
  std::vector<std::string> out;
  const boost::json::value* value = request_.if_contains(field);
  if (value == nullptr || value->is_null()) {
    if (required) check_.Add(field, field_code::kRequired);
    return out;
  }
  const bool all_strings = value->is_array() && std::all_of(value->get_array().begin(), value->get_array().end(),
                                                            [](const auto& item) { return item.is_string(); });
  if (!all_strings) {
    check_.Add(field, field_code::kInvalid);
    return out;
  }
  for (const auto& item : value->get_array()) out.emplace_back(item.get_string());
  return out;
}

bool RequestReader::RequiredBool(std::string_view field) {
  const boost::json::value* value = request_.if_contains(field);
  if (value == nullptr || value->is_null()) {
    check_.Add(field, field_code::kRequired);
    return false;
  }
  if (!value->is_bool()) {
    check_.Add(field, field_code::kInvalid);
    return false;
  }
  return value->get_bool();
}

std::optional<boost::json::value> RequestReader::Raw(std::string_view field) const {
  const boost::json::value* value = request_.if_contains(field);
  if (value == nullptr) return std::nullopt;
  return *value;
}

PageRequest RequestReader::Page(int max_size) {
  PageRequest page;
  if (auto number = Integer("page", false)) {
    if (*number < 1 || *number > 1'000'000) {
      check_.Add("page", field_code::kOutOfRange, {{"min", "1"}, {"max", "1000000"}});
    } else {
      page.page = static_cast<int>(*number);
    }
  }
  if (auto size = Integer("size", false)) {
    if (*size < 1 || *size > max_size) {
      check_.Add("size", field_code::kOutOfRange, {{"min", "1"}, {"max", std::to_string(max_size)}});
    } else {
      page.size = static_cast<int>(*size);
    }
  }
  return page;
}

}  // namespace selfservice
