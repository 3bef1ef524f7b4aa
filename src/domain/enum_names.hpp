// Enum <-> wire-name helpers shared by the domain sources.

#pragma once

#include <string>

#include "domain/describe.hpp"

namespace selfservice {

// "a, b, c": the allowed values of an enumeration, for VALUE_NOT_ALLOWED messages.
template <typename E>
std::string EnumNameList() {
  std::string names;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (!names.empty()) names += ", ";
    names += WireName(d.name);
  });
  return names;
}

}  // namespace selfservice
