#include "router.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <boost/json/value.hpp>

namespace selfservice::server {
namespace json = boost::json;

namespace {

// The segments of a path, without the empty ones of leading, trailing or doubled slashes.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Router::Router(const std::vector<MethodInfo>& methods) : methods_(methods) {
  for (std::size_t i = 0; i < methods_.size(); ++i) {
    Route route{i, {}, 0};
    for (std::string_view segment : Segments(methods_[i].route)) {
      route.segments.emplace_back(segment);
      if (!IsParameter(segment)) ++route.literals;
    }
    routes_.push_back(std::move(route));
  }
}

Router::Lookup Router::Find(std::string_view verb, std::string_view path) const {
  const std::vector<std::string_view> segments = Segments(path);
  const Route* best = nullptr;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      matches = IsParameter(route.segments[i]) || route.segments[i] == segments[i];
    }
    if (!matches) continue;
    const std::string_view route_verb = methods_[route.method_index].http_method;
    if (route_verb != verb) {
      if (std::find(allowed.begin(), allowed.end(), route_verb) == allowed.end()) allowed.emplace_back(route_verb);
      continue;
    }
    if (best == nullptr || route.literals > best->literals) best = &route;
  }
  Lookup lookup;
  if (best == nullptr) {
    if (allowed.empty()) return lookup;
    lookup.outcome = Outcome::kWrongVerb;
    for (const std::string& name : allowed) {
      if (!lookup.allowed_verbs.empty()) lookup.allowed_verbs += ", ";
      lookup.allowed_verbs += name;
    }
    return lookup;
  }
  lookup.match.method_index = best->method_index;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& segment = best->segments[i];
    if (!IsParameter(segment)) continue;
    std::optional<std::string> value = PercentDecode(segments[i], false);
    if (!value) return Lookup{};  // an undecodable id names nothing
    lookup.match.parameters.emplace_back(segment.substr(1, segment.size() - 2), std::move(*value));
  }
  lookup.outcome = Outcome::kMatched;
  return lookup;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexDigit(text[i + 1]);
      const int low = HexDigit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

json::value GuessType(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  const std::string_view digits = !text.empty() && text.front() == '-' ? text.substr(1) : text;
  const bool canonical = !digits.empty() && digits.size() <= 18 && (digits.size() == 1 || digits.front() != '0') &&
                         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                         text != "-0";
  if (canonical) {
    std::int64_t number = 0;
    std::from_chars(text.data(), text.data() + text.size(), number);
    return number;
  }
  return json::string(text);
}

std::optional<std::string> AddQueryFields(std::string_view query, json::object& request,
                                          std::vector<std::string>& url_fields) {
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    std::optional<std::string> name = PercentDecode(pair.substr(0, equals), true);
    if (!name || name->empty()) return std::string(pair.substr(0, equals));
    std::optional<std::string> text =
        PercentDecode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (!text) return name;
    json::value value = GuessType(*text);
    if (json::value* existing = request.if_contains(*name)) {
      if (!existing->is_array()) {
        json::array list;
        list.push_back(std::move(*existing));
        *existing = std::move(list);
      }
      existing->get_array().push_back(std::move(value));
    } else {
      request.emplace(*name, std::move(value));
      url_fields.push_back(std::move(*name));
    }
  }
  return std::nullopt;
}

bool RetypeUrlField(json::object& request, std::string_view field) {
  json::value* value = request.if_contains(field);
  if (value == nullptr) return false;
  if (value->is_int64()) {
    *value = json::string(std::to_string(value->get_int64()));
    return true;
  }
  if (value->is_bool()) {
    *value = json::string(value->get_bool() ? "true" : "false");
    return true;
  }
  if (value->is_string()) {
    json::array list;
    list.push_back(std::move(*value));
    *value = std::move(list);
    return true;
  }
  return false;
}

}  // namespace selfservice::server
