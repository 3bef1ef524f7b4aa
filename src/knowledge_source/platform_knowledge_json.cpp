#include "knowledge_source/platform_knowledge_json.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

namespace selfservice::knowledge_source {
namespace json = boost::json;
namespace {


Status Unavailable(std::string detail, bool retryable) {
  return Status::Error(ErrorCode::kSearchUnavailable, "req-005 " + std::move(detail), retryable);
}


std::optional<std::int64_t> Integer(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(value->get_uint64());
  return std::nullopt;
}

// A string field: nullopt when absent or null, an error text when of another type.
struct TextField {
  std::optional<std::string> value;
  bool malformed = false;
};
TextField Text(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_string()) return {std::nullopt, true};
  return {std::string(value->get_string()), false};
}

// The platform's message of an error answer, when the body is the envelope.
std::string EnvelopeMessage(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return {};
  TextField message = Text(parsed.get_object(), "message");
  return message.value ? net::ClipForDetail(*message.value) : std::string();
}

// Han characters (U+4000 … U+9FFF: UTF-8 lead bytes E4 … E9) mark an article as Chinese.
bool HasHan(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0xE4 && byte <= 0xE9;
  });
}

// "zh", "zh-CN", "zh_Hans", "EN-us" …: the primary language subtag.
std::optional<ArticleLang> ParseLang(std::string_view tag) {
  std::string primary(tag.substr(0, tag.find_first_of("-_")));
  std::transform(primary.begin(), primary.end(), primary.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ParseEnum<ArticleLang>(primary);
}

std::optional<Timestamp> ReadTime(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return ParseIsoTimestamp(value->get_string());
  if (value->is_int64() && value->get_int64() >= 0) return Timestamp{value->get_int64()};  // epoch millis
  return std::nullopt;
}

std::optional<std::string> ReadId(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_string() && !value->get_string().empty()) return std::string(value->get_string());
  if (value->is_int64()) return std::to_string(value->get_int64());
  if (value->is_uint64()) return std::to_string(value->get_uint64());
  return std::nullopt;
}

ItemError Bad(std::string external_id, std::string reason) {
  return ItemError{std::move(external_id), std::move(reason)};
}

}  // namespace

std::optional<Timestamp> ParseIsoTimestamp(std::string_view text) {
  // A numeric offset ends the text as "+HH:MM" or "-HH:MM" after the seconds (position 19 on).
  if (text.size() >= 25) {
    const std::size_t sign = text.size() - 6;
    const char mark = text[sign];
    if ((mark == '+' || mark == '-') && text[sign + 3] == ':') {
      int hours = 0;
      int minutes = 0;
      const char* h = text.data() + sign + 1;
      const char* m = text.data() + sign + 4;
      if (std::from_chars(h, h + 2, hours).ptr != h + 2 || std::from_chars(m, m + 2, minutes).ptr != m + 2 ||
          hours > 23 || minutes > 59) {
        return std::nullopt;
      }
      std::optional<Timestamp> local = ParseTimestamp(std::string(text.substr(0, sign)) + "Z");
      if (!local) return std::nullopt;
      const std::int64_t offset = (hours * 60 + minutes) * 60'000LL;
      return Timestamp{local->millis - (mark == '+' ? offset : -offset)};
    }
  }
  return ParseTimestamp(text);
}

ParsedItem ParseItem(const json::value& value, std::int64_t tenant_id) {
  ParsedItem parsed;
  const json::object* object = value.if_object();
  if (object == nullptr) {
    parsed.item = Bad({}, "the item is not an object");
    return parsed;
  }
  parsed.updated_at = ReadTime(object->if_contains("updated_at"));
  std::optional<std::string> id = ReadId(object->if_contains("id"));
  if (!id) {
    parsed.item = Bad({}, "id is missing or not a string or integer");
    return parsed;
  }
  const TextField status = Text(*object, "status");
  const json::value* deleted = object->if_contains("deleted");
  if ((deleted != nullptr && deleted->is_bool() && deleted->get_bool()) || status.value == "deleted") {
    parsed.item = Deletion{std::move(*id)};
    return parsed;
  }
  if (!parsed.updated_at) {
    parsed.item = Bad(*id, "updated_at is missing or not an ISO-8601 time or epoch milliseconds");
    return parsed;
  }

  KnowledgeArticle article;
  article.tenant_id = tenant_id;
  article.external_id = *id;
  article.source = std::string(kSourceName);
  article.updated_at = *parsed.updated_at;

  const TextField title = Text(*object, "title");
  if (!title.value || title.value->empty()) {
    parsed.item = Bad(*id, "title is missing or not a string");
    return parsed;
  }
  article.title = *title.value;

  TextField body = Text(*object, "content");
  if (!body.value && !body.malformed) body = Text(*object, "body");
  if (body.malformed) {
    parsed.item = Bad(*id, "content is not a string");
    return parsed;
  }
  article.body = body.value.value_or("");

  const TextField category = Text(*object, "category");
  const TextField url = Text(*object, "url");
  const TextField lang = Text(*object, "lang");
  if (category.malformed || url.malformed || lang.malformed || status.malformed) {
    parsed.item = Bad(*id, "category, url, lang or status is not a string");
    return parsed;
  }
  article.category = category.value;
  article.url = url.value;

  if (const json::value* tags = object->if_contains("tags"); tags != nullptr && !tags->is_null()) {
    if (!tags->is_array()) {
      parsed.item = Bad(*id, "tags is not an array");
      return parsed;
    }
    for (const json::value& tag : tags->get_array()) {
      if (!tag.is_string()) {
        parsed.item = Bad(*id, "a tag is not a string");
        return parsed;
      }
      article.tags.emplace_back(tag.get_string());
    }
  }

  if (lang.value) {
    std::optional<ArticleLang> known = ParseLang(*lang.value);
    if (!known) {
      parsed.item = Bad(*id, "lang is neither zh nor en");
      return parsed;
    }
    article.lang = *known;
  } else {
    article.lang = HasHan(article.title) || HasHan(article.body) ? ArticleLang::zh : ArticleLang::en;
  }

  if (status.value) {
    std::optional<PublicationStatus> known = ParseEnum<PublicationStatus>(*status.value);
    if (!known) {
      parsed.item = Bad(*id, "status is not published, draft, archived or deleted");
      return parsed;
    }
    article.status = *known;
  }
  parsed.item = std::move(article);
  return parsed;
}

Result<Envelope> ParseEnvelope(std::string_view what, std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return Unavailable(std::string(what) + ": the answer is not JSON (" + ec.message() + ")", true);
  json::object* root = parsed.if_object();
  if (root == nullptr) return Unavailable(std::string(what) + ": the answer is not an object", true);
  if (const json::value* code = root->if_contains("code"); code != nullptr) {
    const std::optional<std::int64_t> number = Integer(*root, "code");
    if (!number) return Unavailable(std::string(what) + ": the envelope's code is not a number", true);
    if (*number != 200) {
      const std::string detail = std::string(what) + ": code " + std::to_string(*number) + " " +
                                 Text(*root, "message").value.value_or("");
      switch (*number) {
        case 10002:
        case 10003: return Unavailable(std::string(what) + ": the platform refuses our token", false);
        case 10004: return Status::NotFound("req-005 " + net::ClipForDetail(detail));
        case 10005: return Unavailable(net::ClipForDetail(detail), true);
        default: return Unavailable(net::ClipForDetail(detail), *number >= 20000);
      }
    }
  }
  Envelope envelope;
  if (json::value* data = root->if_contains("data")) envelope.data = std::move(*data);
  if (const json::value* pagination = root->if_contains("pagination");
      pagination && pagination->is_object()) {
    const json::object& p = pagination->get_object();
    envelope.page = Integer(p, "page");
    envelope.size = Integer(p, "size");
    envelope.total = Integer(p, "total");
    envelope.pages = Integer(p, "pages");
  }
  return envelope;
}

const json::array* Items(const json::value& data) {
  if (const json::array* list = data.if_array()) return list;
  if (const json::object* object = data.if_object()) {
    if (const json::value* items = object->if_contains("items")) return items->if_array();
  }
  return nullptr;
}

bool HasMore(const Envelope& envelope, int page, int size, std::size_t items) {
  const std::int64_t current = envelope.page.value_or(page);
  if (envelope.pages) return current < *envelope.pages;
  if (envelope.total) return current * envelope.size.value_or(size) < *envelope.total;
  return items >= static_cast<std::size_t>(size);
}

std::optional<Cursor> ParseCursor(std::string_view text) {
  Cursor cursor;
  const std::size_t hash = text.find('#');
  if (hash != std::string_view::npos) {
    const std::string_view page = text.substr(hash + 1);
    const char* end = page.data() + page.size();
    if (page.empty() || std::from_chars(page.data(), end, cursor.page).ptr != end || cursor.page < 1)
      return std::nullopt;
    text = text.substr(0, hash);
  }
  if (!text.empty()) {
    cursor.since = ParseIsoTimestamp(text);
    if (!cursor.since) return std::nullopt;
  }
  return cursor;
}

std::string FormatCursor(const Cursor& cursor) {
  std::string text = cursor.since ? FormatTimestamp(*cursor.since) : std::string();
  if (cursor.page > 1) text += "#" + std::to_string(cursor.page);
  return text;
}

Status ErrorFromResponse(std::string_view what, const net::HttpResponse& response,
                         bool missing_is_not_found) {
  const int code = response.status;
  std::string detail = std::string(what) + ": HTTP " + std::to_string(code);
  if (code == 404 && missing_is_not_found) return Status::NotFound("req-005 " + detail);
  if (code == 401 || code == 403) {
    detail += " (the platform refuses our token)";
  } else if (std::string message = EnvelopeMessage(response.body); !message.empty()) {
    detail += " " + message;
  }
  return Unavailable(std::move(detail), code == 408 || code == 429 || code >= 500);
}

}  // namespace selfservice::knowledge_source
