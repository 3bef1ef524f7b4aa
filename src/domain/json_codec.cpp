// JSON form of the model, written once over the Boost.Describe reflection in describe.hpp.

#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <type_traits>

#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>

#include "domain/describe.hpp"
#include "domain/enum_names.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

template <typename T> struct IsOptional : std::false_type {};
template <typename T> struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T> struct IsVector : std::false_type {};
template <typename T> struct IsVector<std::vector<T>> : std::true_type {};
template <typename T> struct IsStringMap : std::false_type {};
template <typename T> struct IsStringMap<std::map<std::string, T>> : std::true_type {};

template <typename T>
json::value WriteField(const T& value) {
  if constexpr (std::is_same_v<T, Timestamp>) {
    return json::string(FormatTimestamp(value));
  } else if constexpr (IsOptional<T>::value) {
    return value ? WriteField(*value) : json::value(nullptr);
  } else if constexpr (IsVector<T>::value) {
    json::array array;
    array.reserve(value.size());
    for (const auto& item : value) array.push_back(WriteField(item));
    return array;
  } else if constexpr (IsStringMap<T>::value) {
    json::object object;
    for (const auto& [key, item] : value) object.emplace(key, WriteField(item));
    return object;
  } else if constexpr (std::is_enum_v<T>) {
    return json::string(EnumName(value));
  } else if constexpr (std::is_same_v<T, bool>) {
    return json::value(value);
  } else if constexpr (std::is_integral_v<T>) {
    return json::value(static_cast<std::int64_t>(value));
  } else if constexpr (std::is_floating_point_v<T>) {
    return json::value(static_cast<double>(value));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return json::string(value);
  } else {
    static_assert(std::is_same_v<T, json::value>, "no JSON form for this field type");
    return value;
  }
}

template <typename T>
json::object WriteStruct(const T& value) {
  json::object out;
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
      [&](auto member) { out.emplace(member.name, WriteField(value.*member.pointer)); });
  return out;
}

// Reads one JSON value into a field; returns the field code of the problem, or nullptr.
template <typename T>
const char* ReadField(const json::value& in, T& out) {
  if constexpr (IsOptional<T>::value) {
    if (in.is_null()) {
      out.reset();
      return nullptr;
    }
    typename T::value_type inner{};
    if (const char* problem = ReadField(in, inner)) return problem;
    out = std::move(inner);
    return nullptr;
  } else {
    if (in.is_null()) return field_code::kRequired;
    if constexpr (std::is_same_v<T, Timestamp>) {
      if (in.is_int64()) {
        out.millis = in.get_int64();
        return nullptr;
      }
      if (!in.is_string()) return field_code::kInvalid;
      auto parsed = ParseTimestamp(std::string_view(in.get_string()));
      if (!parsed) return field_code::kInvalid;
      out = *parsed;
      return nullptr;
    } else if constexpr (IsVector<T>::value) {
      if (!in.is_array()) return field_code::kInvalid;
      T items;
      items.reserve(in.get_array().size());
      for (const auto& element : in.get_array()) {
        typename T::value_type item{};
        if (const char* problem = ReadField(element, item)) {
          return problem == field_code::kRequired ? field_code::kInvalid : problem;
        }
        items.push_back(std::move(item));
      }
      out = std::move(items);
      return nullptr;
    } else if constexpr (IsStringMap<T>::value) {
      if (!in.is_object()) return field_code::kInvalid;
      T items;
      for (const auto& [key, element] : in.get_object()) {
        typename T::mapped_type item{};
        if (const char* problem = ReadField(element, item)) {
          return problem == field_code::kRequired ? field_code::kInvalid : problem;
        }
        items.emplace(std::string(key), std::move(item));
      }
      out = std::move(items);
      return nullptr;
    } else if constexpr (std::is_enum_v<T>) {
      if (!in.is_string()) return field_code::kInvalid;
      auto parsed = ParseEnum<T>(std::string_view(in.get_string()));
      if (!parsed) return field_code::kNotAllowed;
      out = *parsed;
      return nullptr;
    } else if constexpr (std::is_same_v<T, bool>) {
      if (in.is_bool()) {
        out = in.get_bool();
        return nullptr;
      }
      // The spec stores flags as TINYINT; 0 and 1 are accepted as well.
      if (in.is_int64() && (in.get_int64() == 0 || in.get_int64() == 1)) {
        out = in.get_int64() == 1;
        return nullptr;
      }
      return field_code::kInvalid;
    } else if constexpr (std::is_integral_v<T>) {
      std::int64_t number = 0;
      if (in.is_int64()) {
        number = in.get_int64();
      } else if (in.is_uint64()) {
        return field_code::kOutOfRange;
      } else {
        return field_code::kInvalid;
      }
      if (number < std::numeric_limits<T>::min() || number > std::numeric_limits<T>::max()) {
        return field_code::kOutOfRange;
      }
      out = static_cast<T>(number);
      return nullptr;
    } else if constexpr (std::is_floating_point_v<T>) {
      if (in.is_double()) {
        out = in.get_double();
      } else if (in.is_int64()) {
        out = static_cast<double>(in.get_int64());
      } else {
        return field_code::kInvalid;
      }
      return std::isfinite(out) ? nullptr : field_code::kInvalid;
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!in.is_string()) return field_code::kInvalid;
      out.assign(in.get_string().data(), in.get_string().size());
      return nullptr;
    } else {
      static_assert(std::is_same_v<T, json::value>, "no JSON form for this field type");
      out = in;
      return nullptr;
    }
  }
}

template <typename T>
std::vector<FieldError> MergeStruct(const json::object& in, T& into) {
  std::vector<FieldError> errors;
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
      [&](auto member) {
        const json::value* field = in.if_contains(member.name);
        if (field == nullptr) return;
        if (const char* problem = ReadField(*field, into.*member.pointer)) {
          FieldError error{member.name, problem, {}};
          using FieldType = std::remove_cvref_t<decltype(into.*member.pointer)>;
          if (problem == field_code::kNotAllowed) {
            if constexpr (std::is_enum_v<FieldType>) {
              error.args.emplace_back("allowed", EnumNameList<FieldType>());
            } else if constexpr (IsOptional<FieldType>::value) {
              if constexpr (std::is_enum_v<typename FieldType::value_type>) {
                error.args.emplace_back("allowed", EnumNameList<typename FieldType::value_type>());
              }
            }
          }
          errors.push_back(std::move(error));
        }
      });
  return errors;
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian), after Howard Hinnant's
// public-domain "days_from_civil" algorithm.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::string FormatTimestamp(Timestamp t) {
  std::int64_t seconds = t.millis / 1000;
  std::int64_t millis = t.millis % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  const std::time_t as_time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&as_time, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return buffer;
}

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  auto digits = [&](std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !digits(0, 4, year) || text[4] != '-' || !digits(5, 2, month) ||
      text[7] != '-' || !digits(8, 2, day) || (text[10] != 'T' && text[10] != ' ') ||
      !digits(11, 2, hour) || text[13] != ':' || !digits(14, 2, minute) || text[16] != ':' ||
      !digits(17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (text[pos] == '.') {
    ++pos;
    int scale = 100;
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return std::nullopt;
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return Timestamp{((days * 24 + hour) * 60 + minute) * 60000 + second * 1000LL + millis};
}

#define SELFSERVICE_JSON_FOR(Type)                                                   \
  json::value ToJson(const Type& value) { return WriteStruct(value); }               \
  std::vector<FieldError> MergeJson(const json::object& json, Type& into) {          \
    return MergeStruct(json, into);                                                  \
  }

SELFSERVICE_JSON_FOR(PortalConfig)
SELFSERVICE_JSON_FOR(Session)
SELFSERVICE_JSON_FOR(Interaction)
SELFSERVICE_JSON_FOR(BehaviorEvent)
SELFSERVICE_JSON_FOR(KnowledgeArticle)
SELFSERVICE_JSON_FOR(Ticket)
SELFSERVICE_JSON_FOR(TicketEvent)
SELFSERVICE_JSON_FOR(Attachment)
SELFSERVICE_JSON_FOR(Document)
SELFSERVICE_JSON_FOR(ServiceComponent)
SELFSERVICE_JSON_FOR(MaintenanceWindow)
SELFSERVICE_JSON_FOR(UserAccount)
#undef SELFSERVICE_JSON_FOR

json::value ToJson(const Feedback& value) {
  json::object out = WriteStruct(value);
  out["status"] = FeedbackStatusCode(value.state);
  return out;
}

std::vector<FieldError> MergeJson(const json::object& json, Feedback& into) {
  return MergeStruct(json, into);
}

}  // namespace selfservice
