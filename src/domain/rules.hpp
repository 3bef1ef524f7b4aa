// Field rules shared by every Validate(): each check appends a FieldError when the value breaks it.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "selfservice/status.hpp"

namespace selfservice {

// TEXT columns hold at most this many bytes (the spec's DDL is MySQL, where TEXT is 64 KiB - 1).
inline constexpr std::size_t kTextBytes = 65535;

// Unicode code points in valid UTF-8 (VARCHAR(n) counts characters, not bytes).
std::size_t Utf8Length(std::string_view text);
// The first `max_chars` characters of `text` (counted as Utf8Length counts them).
std::string Utf8Prefix(std::string_view text, std::size_t max_chars);

// True for an empty string or one of white space only.
bool IsBlank(std::string_view text);

bool IsEmail(std::string_view text);
bool IsPhone(std::string_view text);
bool IsHttpUrl(std::string_view text);
bool IsHexColor(std::string_view text);
// True for a non-empty run of ASCII letters, digits, '-' and '_': the names that may become part
// of a file name or a stored reference (backup labels, encryption key ids).
bool IsAsciiToken(std::string_view text);
bool IsDomainName(std::string_view text);
bool IsIpAddress(std::string_view text);
// True when CSS text carries nothing that could break out of a <style> block or run script.
bool IsSafeCss(std::string_view text);

class FieldChecker {
 public:
  // A string that must be present and not blank, at most `max_chars` characters.
  void Required(std::string_view field, const std::string& value, std::size_t max_chars);
  // A TEXT that must be present and not blank, at most `max_bytes` bytes.
  void RequiredText(std::string_view field, const std::string& value, std::size_t max_bytes);
  void MaxChars(std::string_view field, const std::optional<std::string>& value, std::size_t max_chars);
  void MaxChars(std::string_view field, const std::string& value, std::size_t max_chars);
  void MaxBytes(std::string_view field, const std::optional<std::string>& value, std::size_t max_bytes);
  void MaxBytes(std::string_view field, const std::string& value, std::size_t max_bytes);
  void Range(std::string_view field, std::int64_t value, std::int64_t min, std::int64_t max);
  void Range(std::string_view field, const std::optional<int>& value, std::int64_t min, std::int64_t max);
  void Range(std::string_view field, const std::optional<std::int64_t>& value, std::int64_t min,
             std::int64_t max);
  void Range(std::string_view field, const std::optional<double>& value, double min, double max);
  // FIELD_INVALID unless `ok`, for any format rule.
  void Format(std::string_view field, bool ok);
  void Format(std::string_view field, const std::optional<std::string>& value, bool (*rule)(std::string_view));
  // A JSON object of at most kTextBytes serialized bytes.
  void JsonObject(std::string_view field, const std::optional<boost::json::value>& value);

  void Add(std::string_view field, const char* code, std::vector<std::pair<std::string, std::string>> args = {});
  bool HasErrorFor(std::string_view field) const;
  // The errors so far; the checker is empty afterwards.
  std::vector<FieldError> Take() { return std::exchange(errors_, {}); }

 private:
  std::vector<FieldError> errors_;
};

}  // namespace selfservice
