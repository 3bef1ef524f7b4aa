// Router: finds the dispatch-table method of an HTTP request line, and turns the request's path
// parameters and query string into the fields of the method's request object.
//
// The routes are those of Portal::Methods(); nothing here lists them a second time. A literal
// segment beats a parameter ("/sessions/sweep" is sessions.sweep, not a session named "sweep").
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <boost/json/object.hpp>
#include "selfservice/portal.hpp"

namespace selfservice::server {

// What a request line matched.
struct RouteMatch {
  std::size_t method_index = 0;  // into the `methods` the Router was built with
  // The route's parameters by name ({"id", "42"}), percent-decoded.
  std::vector<std::pair<std::string, std::string>> parameters;
};

class Router {
 public:
  explicit Router(const std::vector<MethodInfo>& methods);

  enum class Outcome { kMatched, kNoRoute, kWrongVerb };
  struct Lookup {
    Outcome outcome = Outcome::kNoRoute;
    RouteMatch match;            // when kMatched
    std::string allowed_verbs;   // when kWrongVerb: the Allow header ("GET, POST")
  };
  // `path` without the query string; verbs compare exactly ("GET").
  Lookup Find(std::string_view verb, std::string_view path) const;

  const MethodInfo& method(std::size_t index) const { return methods_[index]; }

 private:
  struct Route {
    std::size_t method_index;
    std::vector<std::string> segments;  // "{id}" for a parameter
    int literals;                       // how many segments are literal
  };
  std::vector<MethodInfo> methods_;
  std::vector<Route> routes_;
};

// Percent-decodes a URL component ('+' is a space when `plus_is_space`); nullopt for a bad escape
// or a decoded NUL.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// A URL value as the JSON a method reads: a canonical decimal integer becomes a number, "true" and
// "false" booleans, anything else stays a string. URLs carry no types, while the methods read ids,
// pages and flags as numbers; RetypeUrlField undoes a wrong guess.
boost::json::value GuessType(std::string_view text);

// Adds the query string's fields ("a=1&b=x&b=y": {"a": 1, "b": ["x", "y"]}) to `request`, and
// their names to `url_fields`. Answers the name of the first undecodable field, or nullopt.
std::optional<std::string> AddQueryFields(std::string_view query, boost::json::object& request,
                                          std::vector<std::string>& url_fields);

// The other reading of a URL field whose guessed type the method refused (10001 FIELD_INVALID on
// it): a number or boolean goes back to its text, a lone string becomes a one-element array (a
// list given once). False when there is no other reading.
bool RetypeUrlField(boost::json::object& request, std::string_view field);

}  // namespace selfservice::server
