#include "dispatch/ticket_methods.hpp"

#include <string>
#include <utility>
#include <vector>

#include "dispatch/request_reader.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::size_t kTitleChars = 200;
constexpr std::size_t kCategoryChars = 100;
constexpr std::size_t kSessionIdChars = 64;
constexpr std::size_t kKeyBytes = 200;
constexpr std::size_t kKeywordChars = 200;

// Checks of this file's own, joined to the reader's so that a 10001 lists every bad field once.
class TicketRequest {
 public:
  explicit TicketRequest(const json::object& r) : request_(r), reader_(r) {}

  RequestReader& reader() { return reader_; }

  // An integer priority: 1 high, 2 medium, 3 low.
  std::optional<int> Priority(bool required) {
    const json::value* value = request_.if_contains("priority");
    if (value == nullptr || value->is_null()) {
      if (required) check_.Add("priority", field_code::kRequired);
      return std::nullopt;
    }
    if (!value->is_int64()) {
      check_.Add("priority", field_code::kInvalid);
      return std::nullopt;
    }
    if (value->get_int64() < 1 || value->get_int64() > 3) {
      check_.Add("priority", field_code::kOutOfRange, {{"min", "1"}, {"max", "3"}});
      return std::nullopt;
    }
    return static_cast<int>(value->get_int64());
  }

  // {email?, phone?}; nullopt when absent or null.
  std::optional<TicketContact> Contact() {
    const json::value* value = request_.if_contains("contact");
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_object()) {
      check_.Add("contact", field_code::kInvalid);
      return std::nullopt;
    }
    TicketContact contact;
    contact.email = Part(value->get_object(), "email");
    contact.phone = Part(value->get_object(), "phone");
    check_.MaxChars("contact.email", contact.email, 255);
    check_.Format("contact.email", contact.email, IsEmail);
    check_.MaxChars("contact.phone", contact.phone, 20);
    check_.Format("contact.phone", contact.phone, IsPhone);
    return contact;
  }

  // An ISO-8601 time such as "2025-08-15T10:00:00Z".
  std::optional<Timestamp> Time(std::string_view field) {
    const json::value* value = request_.if_contains(field);
    if (value == nullptr || value->is_null()) return std::nullopt;
    std::optional<Timestamp> parsed =
        value->is_string() ? ParseTimestamp(std::string_view(value->get_string())) : std::nullopt;
    if (!parsed) check_.Add(field, field_code::kInvalid);
    return parsed;
  }

  // A string of 1 to `max_chars` characters, when present.
  std::optional<std::string> Bounded(std::string_view field, std::size_t max_chars) {
    auto text = reader_.OptionalString(field, max_chars * 4);
    if (!text) return text;
    if (text->empty()) {
      check_.Add(field, field_code::kInvalid);
      return std::nullopt;
    }
    if (Utf8Length(*text) > max_chars) {
      check_.Add(field, field_code::kTooLong, {{"max", std::to_string(max_chars)}});
      return std::nullopt;
    }
    return text;
  }

  Status Finish() {
    Status read = reader_.Finish();
    std::vector<FieldError> errors = read.field_errors();
    for (auto& error : check_.Take()) errors.push_back(std::move(error));
    return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
  }

 private:
  std::optional<std::string> Part(const json::object& contact, std::string_view key) {
    const json::value* value = contact.if_contains(key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_string()) {
      check_.Add("contact." + std::string(key), field_code::kInvalid);
      return std::nullopt;
    }
    return std::string(value->get_string());
  }

  const json::object& request_;
  RequestReader reader_;
  FieldChecker check_;
};

json::value OptionalJson(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::value DraftJson(const TicketDraft& d) {
  return json::object{{"id", d.id},
                      {"title", OptionalJson(d.title)},
                      {"description", OptionalJson(d.description)},
                      {"category", OptionalJson(d.category)},
                      {"priority", d.priority ? json::value(*d.priority) : json::value(nullptr)},
                      {"contact_email", OptionalJson(d.contact_email)},
                      {"contact_phone", OptionalJson(d.contact_phone)},
                      {"session_id", OptionalJson(d.session_id)},
                      {"created_at", FormatTimestamp(d.created_at)},
                      {"updated_at", FormatTimestamp(d.updated_at)}};
}

template <typename T, typename F>
Reply Items(const Page<T>& page, PageRequest request, F&& to_json) {
  json::array items;
  items.reserve(page.items.size());
  for (const auto& item : page.items) items.push_back(to_json(item));
  return Reply{std::move(items), Pagination{request.page, request.size, page.total}};
}

Result<Reply> TicketReply(const Result<TicketUpdate>& update) {
  if (!update.ok()) return update.status();
  return Reply{ToJson(update->ticket), std::nullopt};
}

}  // namespace

Result<Reply> TicketCreateMethod(Engines& e, const RequestContext& c, const json::object& r) {
  TicketRequest read(r);
  NewTicket request;
  request.title = read.reader().RequiredString("title", kTitleChars);
  request.description = read.reader().RequiredString("description", kTextBytes);
  request.category = read.reader().RequiredString("category", kCategoryChars);
  request.priority = read.Priority(true).value_or(2);
  request.contact = read.Contact().value_or(TicketContact{});
  request.session_id = read.Bounded("session_id", kSessionIdChars);
  request.idempotency_key = read.Bounded("idempotency_key", kKeyBytes);
  if (Status status = read.Finish(); !status.ok()) return status;
  auto ticket = e.tickets.Create(c, std::move(request));
  if (!ticket.ok()) return ticket.status();
  return Reply{ToJson(*ticket), std::nullopt};
}

Result<Reply> TicketListMethod(Engines& e, const RequestContext& c, const json::object& r) {
  TicketRequest read(r);
  TicketFilter filter;
  filter.status = read.reader().OptionalEnum<TicketStatus>("status");
  filter.category = read.Bounded("category", kCategoryChars);
  filter.created_from = read.Time("created_from");
  filter.created_to = read.Time("created_to");
  filter.keyword = read.Bounded("keyword", kKeywordChars);
  const PageRequest page = read.reader().Page();
  if (Status status = read.Finish(); !status.ok()) return status;
  auto result = e.tickets.List(c, filter, page);
  if (!result.ok()) return result.status();
  return Items(*result, page, [](const Ticket& t) { return ToJson(t); });
}

Result<Reply> TicketGetMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::int64_t id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto ticket = e.tickets.Get(c, id);
  if (!ticket.ok()) return ticket.status();
  return Reply{ToJson(*ticket), std::nullopt};
}

Result<Reply> TicketUpdateMethod(Engines& e, const RequestContext& c, const json::object& r) {
  TicketRequest read(r);
  const std::int64_t id = read.reader().RequiredId("id");
  TicketPatch patch;
  patch.comment = read.reader().OptionalString("comment", kTextBytes);
  patch.priority = read.Priority(false);
  patch.contact = read.Contact();
  if (Status status = read.Finish(); !status.ok()) return status;
  return TicketReply(e.tickets.Update(c, id, patch));
}

Result<Reply> TicketStatusMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::int64_t id = reader.RequiredId("id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto status = e.tickets.StatusOf(c, id);
  if (!status.ok()) return status.status();
  json::object out;
  out.reserve(3);
  out.emplace("id", status->id);
  out.emplace("status", EnumName(status->status));
  out.emplace("updated_at", FormatTimestamp(status->updated_at));
  return Reply{std::move(out), std::nullopt};
}

Result<Reply> TicketHistoryMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::int64_t id = reader.RequiredId("id");
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto history = e.tickets.History(c, id, page);
  if (!history.ok()) return history.status();
  return Items(*history, page, [](const TicketEvent& event) { return ToJson(event); });
}

Result<Reply> TicketTransitionMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::int64_t id = reader.RequiredId("id");
  const TicketStatus to = reader.RequiredEnum<TicketStatus>("to", TicketStatus::new_);
  auto comment = reader.OptionalString("comment", kTextBytes);
  if (Status status = reader.Finish(); !status.ok()) return status;
  return TicketReply(e.tickets.Transition(c, id, to, std::move(comment)));
}

Result<Reply> TicketDraftSaveMethod(Engines& e, const RequestContext& c, const json::object& r) {
  TicketRequest read(r);
  TicketDraft draft;
  draft.id = read.reader().OptionalId("draft_id").value_or(0);
  draft.title = read.reader().OptionalString("title", kTitleChars * 4);
  draft.description = read.reader().OptionalString("description", kTextBytes);
  draft.category = read.reader().OptionalString("category", kCategoryChars * 4);
  draft.priority = read.Priority(false);
  if (auto contact = read.Contact()) {
    draft.contact_email = std::move(contact->email);
    draft.contact_phone = std::move(contact->phone);
  }
  draft.session_id = read.reader().OptionalString("session_id", kSessionIdChars * 4);
  if (Status status = read.Finish(); !status.ok()) return status;
  auto saved = e.tickets.SaveDraft(c, std::move(draft));
  if (!saved.ok()) return saved.status();
  return Reply{DraftJson(*saved), std::nullopt};
}

Result<Reply> TicketDraftListMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const PageRequest page = reader.Page();
  if (Status status = reader.Finish(); !status.ok()) return status;
  auto drafts = e.tickets.ListDrafts(c, page);
  if (!drafts.ok()) return drafts.status();
  return Items(*drafts, page, DraftJson);
}

Result<Reply> TicketDraftDeleteMethod(Engines& e, const RequestContext& c, const json::object& r) {
  RequestReader reader(r);
  const std::int64_t id = reader.RequiredId("draft_id");
  if (Status status = reader.Finish(); !status.ok()) return status;
  if (Status status = e.tickets.DeleteDraft(c, id); !status.ok()) return status;
  return Reply{json::object{{"draft_id", id}, {"deleted", true}}, std::nullopt};
}

}  // namespace selfservice
