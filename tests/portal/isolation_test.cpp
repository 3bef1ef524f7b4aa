// Tenant isolation for every method of the dispatch table (issue 6, section 4).
//
// Tenant A (tenant_id 1) is seeded through the API with one object of every kind the methods
// address, each free-text field carrying the marker "alpha7q". Then, for every method of
// Portal::Methods(), the case table below builds requests naming A's objects, and they are sent by
// callers who must not see them: tenant B (tenant_id 2, with the same customer and user ids as A's
// callers) as customer_user, customer_admin and platform_admin; where row-level scope applies,
// another customer_user of A's customer; and for customer-level objects, a customer_admin of
// another customer of A. Every answer must be free of the marker and of A's unique ids, single
// objects must answer exactly as ids that exist nowhere do (so a different error cannot reveal
// that an object exists), lists must be empty, and tenant A's data must be unchanged afterwards.
//
// A method without a case fails with its name, so a new method cannot join the table without
// saying how it keeps tenants apart.

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/base64.hpp"
#include "core/sha256.hpp"
#include "harness.hpp"

namespace selfservice::test {
namespace {

// In every free-text field of tenant A; lowercase because search keywords are stored lowercased.
constexpr std::string_view kMarker = "alpha7q";

// Tenant A's callers: the owner of the row-level objects, their customer's administrator, and the
// platform's administrator (who writes status, documents and ticket moves).
Caller Owner() { return User(1, 10, 100); }
Caller OwnerAdmin() { return CustomerAdmin(1, 10, 101); }
Caller APlatform() { return PlatformAdmin(1, 1, 1); }

const std::string kAttachmentBytes = "%PDF-1.7\nalpha7q attachment\n%%EOF";
const std::string kOpenUploadBytes = "%PDF-1.7\nalpha7q upload left open\n%%EOF";
const std::string kDocumentBytes = "%PDF-1.7\nalpha7q manual\n%%EOF";
const std::string kPassword = "Correct-Horse-Battery-9";

// Tenant A's objects that the requests name.
struct Ids {
  std::string session_id;  // a paused self-service session with an interaction
  std::string ai_session_id;
  std::int64_t ai_interaction_id = 0;
  std::int64_t feedback_id = 0;
  std::int64_t article_id = 0;
  std::int64_t ticket_id = 0;
  std::int64_t draft_id = 0;
  std::int64_t attachment_id = 0;
  std::string open_upload_id;      // begun and half sent
  std::string document_upload_id;  // completed and published as `document_id`
  std::int64_t document_id = 0;
  std::int64_t component_id = 0;
  std::int64_t incident_id = 0;
  std::int64_t maintenance_id = 0;
  std::int64_t account_id = 0;  // a login account of customer 10, signed in once
  std::string username;
  std::string access_token;
  std::string refresh_token;
};

// A string id of the same shape that names nothing: its part after the last '_' zeroed, so it
// passes the same format checks as the real one.
std::string Absent(const std::string& id) {
  const std::size_t cut = id.rfind('_');
  const std::size_t start = cut == std::string::npos ? 0 : cut + 1;
  std::string out = id;
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '0');
  return out;
}

// Ids of the same shapes that exist in no tenant.
Ids Missing(const Ids& ids) {
  constexpr std::int64_t kNone = 987'654;
  Ids out;
  out.session_id = Absent(ids.session_id);
  out.ai_session_id = Absent(ids.ai_session_id);
  out.ai_interaction_id = kNone;
  out.feedback_id = kNone;
  out.article_id = kNone;
  out.ticket_id = kNone;
  out.draft_id = kNone;
  out.attachment_id = kNone;
  out.open_upload_id = Absent(ids.open_upload_id);
  out.document_upload_id = Absent(ids.document_upload_id);
  out.document_id = kNone;
  out.component_id = kNone;
  out.incident_id = kNone;
  out.maintenance_id = kNone;
  out.account_id = kNone;
  out.username = Absent(ids.username);
  out.access_token = Absent(ids.access_token);
  out.refresh_token = Absent(ids.refresh_token);
  return out;
}

// What a caller outside an object's scope must get.
enum class Expect {
  kSkip,  // this caller is not asked (the object is legitimately visible to it, or irrelevant)
  // 10004 or 10003, with the code and errors the same request naming absent ids gets.
  kNotFound,
  // A refusal (any error) identical to the one for absent ids: for requests whose ids are
  // arguments checked as the caller's tenant's (status.incidents.create's component_ids).
  kRefused,
  // 200 with nothing in it: every array in data empty, every count zero (10003 accepted from a
  // caller below the method's role, except platform_admin, who holds every role).
  kEmpty,
  // The caller's own tenant or customer answers: anything but 10002 or 20004.
  kOwn,
};

// One request of a method and what each kind of outsider must get.
struct Probe {
  std::function<json::object(const Ids&)> request;
  Expect tenant_b = Expect::kSkip;       // tenant B's customer_user, customer_admin, platform_admin
  Expect row_peer = Expect::kSkip;       // customer_user of A's customer 10, another user id
  Expect customer_peer = Expect::kSkip;  // customer_admin of A's customer 11
  // Who in tenant A gets 200 for this very request: proves the refusals are about who asks, not
  // about a malformed request. Sent after the snapshot comparison, since it may write.
  std::optional<Caller> control;
};

using CaseTable = std::map<std::string, std::vector<Probe>, std::less<>>;

json::object Webhook(std::string_view component) {
  return json::object{
      {"version", "4"},
      {"status", "resolved"},
      {"receiver", "portal"},
      {"alerts", json::array{json::object{{"status", "resolved"},
                                          {"labels", json::object{{"alertname", "ProbeFailure"},
                                                                  {"component", component},
                                                                  {"severity", "critical"}}},
                                          {"annotations", json::object{{"summary", "probe failure"}}},
                                          {"startsAt", "2025-08-15T09:00:00.000Z"},
                                          {"endsAt", "2025-08-15T09:30:00.000Z"},
                                          {"fingerprint", "1a30ba71cca2921f"}}}}};
}

json::object BeginRequest(std::int64_t ticket_id, const std::string& bytes) {
  return json::object{{"ticket_id", ticket_id},
                      {"filename", "error.pdf"},
                      {"size", static_cast<std::int64_t>(bytes.size())},
                      {"content_type", "application/pdf"},
                      {"sha256", Sha256Hex(bytes)}};
}

json::object ChunkRequest(const std::string& upload_id, std::int64_t offset, const std::string& bytes) {
  return json::object{{"upload_id", upload_id}, {"offset", offset}, {"data_base64", Base64Encode(bytes)}};
}

// The requests of every method. B's requests carry no marker themselves (an answer may echo its
// request), only A's ids and words A's objects contain ("vpn", "gateway", "network", "alpha").
const CaseTable& Cases() {
  using E = Expect;
  static const CaseTable kCases = [] {
    const std::int64_t later = kStartMillis + 2 * 24 * 3600 * 1000LL;
    CaseTable cases;
    // --- Portal configuration: per customer --------------------------------------------------
    cases["portal.config.get"] = {
        {[](const Ids&) { return json::object{{"customer_id", 10}}; }, E::kOwn, E::kSkip, E::kNotFound, OwnerAdmin()}};
    cases["portal.config.update"] = {{[](const Ids&) {
                                        return json::object{{"customer_id", 10}, {"portal_title", "Bravo portal"}};
                                      },
                                      E::kOwn, E::kSkip, E::kNotFound, OwnerAdmin()}};
    cases["portal.theme.get"] = {
        {[](const Ids&) { return json::object{{"customer_id", 10}}; }, E::kOwn, E::kSkip, E::kNotFound, OwnerAdmin()}};
    cases["portal.theme.update"] = {{[](const Ids&) {
                                       return json::object{{"customer_id", 10}, {"theme_color", "#123456"}};
                                     },
                                     E::kOwn, E::kSkip, E::kNotFound, OwnerAdmin()}};
    // --- Sessions: per user --------------------------------------------------------------------
    cases["sessions.start"] = {{[](const Ids&) {
                                  return json::object{{"session_type", "ai_chat"}, {"initial_question", "vpn gateway"}};
                                },
                                E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["sessions.get"] = {{[](const Ids& a) { return json::object{{"session_id", a.session_id}}; }, E::kNotFound,
                              E::kNotFound, E::kNotFound, Owner()}};
    cases["sessions.list"] = {
        {[](const Ids&) { return json::object{{"size", 100}}; }, E::kEmpty, E::kEmpty, E::kEmpty, std::nullopt}};
    cases["sessions.transition"] = {{[](const Ids& a) {
                                       return json::object{{"session_id", a.session_id}, {"to", "in_progress"}};
                                     },
                                     E::kNotFound, E::kNotFound, E::kNotFound, Owner()}};
    cases["sessions.interactions.add"] = {{[](const Ids& a) {
                                             return json::object{{"session_id", a.session_id},
                                                                 {"interaction_type", "question"},
                                                                 {"user_input", "bravo"}};
                                           },
                                           E::kNotFound, E::kNotFound, E::kNotFound, std::nullopt}};
    cases["sessions.interactions.list"] = {{[](const Ids& a) { return json::object{{"session_id", a.session_id}}; },
                                            E::kNotFound, E::kNotFound, E::kNotFound, Owner()}};
    // A's session is paused and older than a zero timeout: only A's own sweep may time it out.
    cases["sessions.sweep"] = {
        {[](const Ids&) { return json::object{{"idle_timeout_seconds", 0}}; }, E::kOwn, E::kSkip, E::kSkip,
         std::nullopt}};
    cases["satisfaction.submit"] = {{[](const Ids& a) {
                                       return json::object{{"session_id", a.session_id}, {"score", 1}};
                                     },
                                     E::kNotFound, E::kNotFound, E::kNotFound, std::nullopt}};
    // --- Feedback: per user, the customer's admin reads it ------------------------------------
    cases["feedback.submit"] = {{[](const Ids& a) {
                                   return json::object{{"feedback_type", "service"},
                                                       {"related_type", "session"},
                                                       {"related_id", a.session_id},
                                                       {"rating", 1},
                                                       {"feedback_content", "bravo"}};
                                 },
                                 E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["feedback.get"] = {{[](const Ids& a) { return json::object{{"id", a.feedback_id}}; }, E::kNotFound,
                              E::kNotFound, E::kNotFound, Owner()}};
    cases["feedback.list"] = {
        {[](const Ids&) { return json::object{{"size", 100}}; }, E::kEmpty, E::kEmpty, E::kEmpty, std::nullopt}};
    cases["feedback.transition"] = {{[](const Ids& a) {
                                       return json::object{{"id", a.feedback_id},
                                                           {"to", "processing"},
                                                           {"response_content", "bravo"}};
                                     },
                                     E::kNotFound, E::kNotFound, E::kNotFound, APlatform()}};
    cases["feedback.stats"] = {
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kEmpty, std::nullopt}};
    cases["analytics.track"] = {{[](const Ids& a) {
                                   return json::object{{"page_path", "/faq"},
                                                       {"action_type", "click"},
                                                       {"session_id", a.session_id}};
                                 },
                                 E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    // --- Knowledge and search: per tenant ------------------------------------------------------
    // A positive id without an external_id names the article to replace.
    cases["knowledge.upsert"] = {
        {[](const Ids& a) { return json::object{{"id", a.article_id}, {"title", "Bravo"}, {"body", "bravo"}}; },
         E::kNotFound, E::kSkip, E::kSkip, OwnerAdmin()},
        {[](const Ids&) { return json::object{{"external_id", "kb-a-1"}, {"title", "Bravo"}, {"body", "bravo"}}; },
         E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["knowledge.get"] = {
        {[](const Ids& a) { return json::object{{"id", a.article_id}}; }, E::kNotFound, E::kSkip, E::kSkip, Owner()}};
    cases["knowledge.delete"] = {
        {[](const Ids& a) { return json::object{{"id", a.article_id}}; }, E::kNotFound, E::kSkip, E::kSkip,
         std::nullopt}};
    cases["knowledge.list"] = {
        {[](const Ids&) { return json::object{{"size", 100}}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["knowledge.vote"] = {{[](const Ids& a) {
                                  return json::object{{"article_id", a.article_id}, {"helpful", false}};
                                },
                                E::kNotFound, E::kSkip, E::kSkip, std::nullopt}};
    cases["knowledge.import"] = {{[](const Ids&) {
                                    return json::object{{"articles", json::array{json::object{
                                                                         {"external_id", "kb-a-1"},
                                                                         {"title", "Bravo"},
                                                                         {"body", "bravo"}}}}};
                                  },
                                  E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["knowledge.sync"] = {{[](const Ids&) { return json::object{}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["search.query"] = {{[](const Ids&) { return json::object{{"q", "vpn gateway drops"}}; }, E::kEmpty,
                              E::kSkip, E::kSkip, Owner()}};
    cases["search.synonyms.set"] = {{[](const Ids&) {
                                       return json::object{{"term", "gateway"}, {"synonyms", json::array{"bravo"}}};
                                     },
                                     E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["search.synonyms.list"] = {
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, OwnerAdmin()}};
    cases["search.reindex"] = {{[](const Ids&) { return json::object{}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["search.category"] = {
        {[](const Ids&) { return json::object{{"category", "network"}}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["search.tags"] = {{[](const Ids&) { return json::object{{"tags", json::array{"vpn"}}}; }, E::kEmpty,
                             E::kSkip, E::kSkip, Owner()}};
    // A's past queries and its article's title both start with "alpha".
    cases["search.suggestions"] = {
        {[](const Ids&) { return json::object{{"prefix", "alpha"}}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["search.trending"] = {
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["knowledge.recommendations"] = {
        {[](const Ids& a) { return json::object{{"article_id", a.article_id}}; }, E::kNotFound, E::kSkip, E::kSkip,
         Owner()},
        {[](const Ids&) { return json::object{{"q", "vpn gateway"}}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    // --- AI chat: per user ----------------------------------------------------------------------
    cases["ai.chat"] = {{[](const Ids& a) {
                           return json::object{{"question", "vpn gateway drops"},
                                               {"context", json::object{{"session_id", a.ai_session_id}}}};
                         },
                         E::kNotFound, E::kNotFound, E::kNotFound, std::nullopt},
                        // A new conversation answers from B's own (empty) knowledge.
                        {[](const Ids&) { return json::object{{"question", "alpha vpn gateway drops"}}; }, E::kOwn,
                         E::kSkip, E::kSkip, std::nullopt}};
    cases["ai.history"] = {
        {[](const Ids& a) { return json::object{{"session_id", a.ai_session_id}}; }, E::kNotFound, E::kNotFound,
         E::kNotFound, Owner()},
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kEmpty, E::kEmpty, Owner()}};
    cases["ai.feedback"] = {{[](const Ids& a) {
                               return json::object{{"interaction_id", a.ai_interaction_id},
                                                   {"helpful_rating", 1},
                                                   {"comment", "bravo"}};
                             },
                             E::kNotFound, E::kNotFound, E::kNotFound, std::nullopt}};
    cases["ai.recommendations"] = {
        {[](const Ids&) { return json::object{{"lang", "en"}, {"size", 20}}; }, E::kEmpty, E::kSkip, E::kSkip,
         Owner()}};
    // --- Service status: per tenant, written by platform_admin ----------------------------------
    cases["status.summary"] = {{[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["status.components"] = {
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["status.incidents"] = {
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["status.maintenance"] = {
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["status.uptime"] = {
        {[](const Ids& a) { return json::object{{"component_id", a.component_id}, {"days", 1}}; }, E::kNotFound,
         E::kSkip, E::kSkip, Owner()},
        {[](const Ids&) { return json::object{{"days", 1}}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    // A resolved alert for A's component: B gets its own component of that name, A's incident stays.
    cases["status.ingest.alertmanager"] = {{[](const Ids&) { return Webhook("alpha7q-api"); }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["status.components.upsert"] = {{[](const Ids& a) {
                                            return json::object{{"id", a.component_id}, {"status", "major_outage"}};
                                          },
                                          E::kNotFound, E::kSkip, E::kSkip, APlatform()}};
    // component_ids must be the caller's tenant's: A's answer as absent ones do (FIELD_INVALID).
    cases["status.incidents.create"] = {{[](const Ids& a) {
                                           return json::object{{"title", "Bravo"},
                                                               {"body", "bravo"},
                                                               {"component_ids", json::array{a.component_id}}};
                                         },
                                         E::kRefused, E::kSkip, E::kSkip, APlatform()}};
    cases["status.incidents.update"] = {{[](const Ids& a) {
                                           return json::object{{"id", a.incident_id},
                                                               {"body", "bravo"},
                                                               {"status", "resolved"}};
                                         },
                                         E::kNotFound, E::kSkip, E::kSkip, APlatform()}};
    cases["status.maintenance.schedule"] = {{[later](const Ids& a) {
                                               return json::object{{"title", "Bravo"},
                                                                   {"component_ids", json::array{a.component_id}},
                                                                   {"starts_at", later},
                                                                   {"ends_at", later + 3600 * 1000LL}};
                                             },
                                             E::kRefused, E::kSkip, E::kSkip, APlatform()}};
    cases["status.maintenance.update"] = {{[](const Ids& a) {
                                             return json::object{{"id", a.maintenance_id}, {"status", "cancelled"}};
                                           },
                                           E::kNotFound, E::kSkip, E::kSkip, APlatform()}};
    // --- Operations: per tenant, platform_admin -------------------------------------------------
    cases["outbox.deliver"] = {{[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, APlatform()}};
    cases["outbox.status"] = {{[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, APlatform()}};
    // Store-wide by design, like admin.backup: A's data must read the same afterwards.
    cases["admin.reencrypt"] = {{[](const Ids&) { return json::object{}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["admin.backup"] = {{[](const Ids&) { return json::object{}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["audit.list"] = {
        {[](const Ids&) { return json::object{{"size", 100}}; }, E::kEmpty, E::kSkip, E::kEmpty, std::nullopt}};
    cases["audit.verify"] = {{[](const Ids&) { return json::object{}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    // --- Attachments and uploads: per user, the customer's admin reads them --------------------
    cases["tickets.attachments.begin"] = {
        {[](const Ids& a) { return BeginRequest(a.ticket_id, "%PDF-1.7\nbravo\n%%EOF"); }, E::kNotFound,
         E::kNotFound, E::kNotFound, std::nullopt}};
    cases["tickets.attachments.append"] = {{[](const Ids& a) {
                                              return ChunkRequest(a.open_upload_id, 9, kOpenUploadBytes.substr(9));
                                            },
                                            E::kNotFound, E::kNotFound, E::kNotFound, std::nullopt}};
    cases["tickets.attachments.status"] = {
        {[](const Ids& a) { return json::object{{"upload_id", a.open_upload_id}}; }, E::kNotFound, E::kNotFound,
         E::kNotFound, Owner()}};
    cases["tickets.attachments.complete"] = {
        {[](const Ids& a) { return json::object{{"upload_id", a.open_upload_id}}; }, E::kNotFound, E::kNotFound,
         E::kNotFound, std::nullopt}};
    cases["tickets.attachments.abort"] = {
        {[](const Ids& a) { return json::object{{"upload_id", a.open_upload_id}}; }, E::kNotFound, E::kNotFound,
         E::kNotFound, std::nullopt}};
    cases["tickets.attachments.sweep"] = {{[](const Ids&) { return json::object{}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["tickets.attachments.list"] = {
        {[](const Ids& a) { return json::object{{"ticket_id", a.ticket_id}}; }, E::kNotFound, E::kNotFound,
         E::kNotFound, Owner()},
        {[](const Ids&) { return json::object{{"size", 100}}; }, E::kEmpty, E::kEmpty, E::kEmpty, Owner()}};
    cases["tickets.attachments.get"] = {
        {[](const Ids& a) { return json::object{{"id", a.attachment_id}, {"include_data", true}}; }, E::kNotFound,
         E::kNotFound, E::kNotFound, Owner()}};
    // --- Documents: per tenant or customer ------------------------------------------------------
    cases["documents.publish"] = {{[](const Ids& a) {
                                     return json::object{{"title", "Bravo"}, {"upload_id", a.document_upload_id}};
                                   },
                                   E::kNotFound, E::kSkip, E::kSkip, std::nullopt}};
    // Names no object: an outsider's upload is its own tenant's.
    cases["documents.uploads.begin"] = {{[](const Ids&) {
                                           json::object request = BeginRequest(0, "%PDF-1.7\nbravo\n%%EOF");
                                           request.erase("ticket_id");
                                           return request;
                                         },
                                         E::kOwn, E::kSkip, E::kSkip, OwnerAdmin()}};
    cases["documents.list"] = {
        {[](const Ids&) { return json::object{{"size", 100}}; }, E::kEmpty, E::kSkip, E::kSkip, Owner()}};
    cases["documents.get"] = {
        {[](const Ids& a) { return json::object{{"id", a.document_id}}; }, E::kNotFound, E::kSkip, E::kSkip, Owner()}};
    cases["documents.download"] = {
        {[](const Ids& a) { return json::object{{"id", a.document_id}, {"include_data", true}}; }, E::kNotFound,
         E::kSkip, E::kSkip, Owner()}};
    cases["documents.stats"] = {
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kSkip, E::kSkip, OwnerAdmin()}};
    // --- Tickets: per user, the customer's admin reads them -------------------------------------
    cases["tickets.create"] = {
        {[](const Ids& a) {
           return json::object{{"title", "Bravo"},
                               {"description", "bravo"},
                               {"category", "hardware"},
                               {"priority", 2},
                               {"session_id", a.session_id}};
         },
         E::kNotFound, E::kNotFound, E::kNotFound, Owner()},
        {[](const Ids&) {
           return json::object{{"title", "Bravo"}, {"description", "bravo"}, {"category", "hardware"}, {"priority", 2}};
         },
         E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["tickets.list"] = {
        {[](const Ids&) { return json::object{{"size", 100}}; }, E::kEmpty, E::kEmpty, E::kEmpty, Owner()},
        {[](const Ids&) { return json::object{{"keyword", "alpha"}}; }, E::kEmpty, E::kEmpty, E::kEmpty, Owner()}};
    cases["tickets.get"] = {{[](const Ids& a) { return json::object{{"id", a.ticket_id}}; }, E::kNotFound,
                             E::kNotFound, E::kNotFound, Owner()}};
    cases["tickets.update"] = {{[](const Ids& a) {
                                  return json::object{{"id", a.ticket_id}, {"comment", "bravo"}, {"priority", 1}};
                                },
                                E::kNotFound, E::kNotFound, E::kNotFound, Owner()}};
    cases["tickets.status"] = {{[](const Ids& a) { return json::object{{"id", a.ticket_id}}; }, E::kNotFound,
                                E::kNotFound, E::kNotFound, Owner()}};
    cases["tickets.history"] = {{[](const Ids& a) { return json::object{{"id", a.ticket_id}}; }, E::kNotFound,
                                 E::kNotFound, E::kNotFound, Owner()}};
    // Closing an open ticket is a move the lifecycle lacks: answered 10006 to someone who sees the
    // ticket, so an outsider's answer must not be 10006.
    cases["tickets.transition"] = {
        {[](const Ids& a) { return json::object{{"id", a.ticket_id}, {"to", "in_progress"}}; }, E::kNotFound,
         E::kNotFound, E::kNotFound, APlatform()},
        {[](const Ids& a) { return json::object{{"id", a.ticket_id}, {"to", "closed"}}; }, E::kNotFound,
         E::kNotFound, E::kNotFound, std::nullopt}};
    cases["tickets.sync"] = {{[](const Ids&) {
                                return json::object{{"payload", json::array{json::object{
                                                                    {"id", "T-1"},
                                                                    {"status", "resolved"},
                                                                    {"updated_at", "2025-08-15T10:01:00Z"}}}}};
                              },
                              E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["tickets.drafts.save"] = {{[](const Ids& a) {
                                       return json::object{{"draft_id", a.draft_id}, {"title", "Bravo"}};
                                     },
                                     E::kNotFound, E::kNotFound, E::kNotFound, Owner()}};
    cases["tickets.drafts.list"] = {
        {[](const Ids&) { return json::object{}; }, E::kEmpty, E::kEmpty, E::kEmpty, Owner()}};
    cases["tickets.drafts.delete"] = {{[](const Ids& a) { return json::object{{"draft_id", a.draft_id}}; },
                                       E::kNotFound, E::kNotFound, E::kNotFound, std::nullopt}};
    // --- Sign-in: the request names the tenant, or carries a secret ----------------------------
    // Tenant B's sign-in with A's login and password fails exactly as for a login nobody has.
    cases["auth.login"] = {{[](const Ids& a) {
                              return json::object{{"tenant_id", 2}, {"username", a.username}, {"password", kPassword}};
                            },
                            E::kRefused, E::kSkip, E::kSkip, std::nullopt}};
    cases["auth.password.reset.request"] = {
        {[](const Ids& a) { return json::object{{"tenant_id", 2}, {"username", a.username}}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["auth.sso.login"] = {{[](const Ids& a) {
                                  return json::object{{"tenant_id", 2}, {"customer_id", 10}, {"id_token", a.access_token}};
                                },
                                E::kRefused, E::kSkip, E::kSkip, std::nullopt}};
    // A's tokens of the wrong kind are refused as tokens that name nothing.
    cases["auth.refresh"] = {
        {[](const Ids& a) { return json::object{{"refresh_token", a.access_token}}; }, E::kRefused, E::kSkip, E::kSkip, std::nullopt}};
    cases["auth.mfa.verify"] = {{[](const Ids& a) {
                                   return json::object{{"mfa_token", a.refresh_token}, {"code", "123456"}};
                                 },
                                 E::kRefused, E::kSkip, E::kSkip, std::nullopt}};
    cases["auth.password.reset.confirm"] = {{[](const Ids& a) {
                                               return json::object{{"token", a.refresh_token},
                                                                   {"new_password", "Another-Horse-Battery-7"}};
                                             },
                                             E::kRefused, E::kSkip, E::kSkip, std::nullopt}};
    // The caller's own account: B's callers share A's account's user id at most, never its account.
    cases["auth.logout"] = {{[](const Ids&) { return json::object{{"all", true}}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["auth.password.change"] = {{[](const Ids&) {
                                        return json::object{{"current_password", kPassword},
                                                            {"new_password", "Another-Horse-Battery-7"}};
                                      },
                                      E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["auth.mfa.enroll"] = {{[](const Ids&) { return json::object{{"method", "totp"}}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["auth.mfa.disable"] = {{[](const Ids&) { return json::object{{"password", kPassword}}; }, E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    // --- Accounts: per customer, the tenant's for platform_admin --------------------------------
    cases["users.create"] = {{[](const Ids& a) {
                                return json::object{{"username", a.username},
                                                    {"customer_id", 10},
                                                    {"display_name", "Bravo"},
                                                    {"password", kPassword}};
                              },
                              E::kOwn, E::kSkip, E::kSkip, std::nullopt}};
    cases["users.get"] = {{[](const Ids& a) { return json::object{{"id", a.account_id}}; }, E::kNotFound,
                           E::kNotFound, E::kNotFound, OwnerAdmin()}};
    cases["users.list"] = {
        {[](const Ids&) { return json::object{{"size", 100}}; }, E::kEmpty, E::kEmpty, E::kEmpty, OwnerAdmin()},
        {[](const Ids&) { return json::object{{"query", "alpha"}}; }, E::kEmpty, E::kEmpty, E::kEmpty, OwnerAdmin()}};
    // Not "status": "disabled": an account may not disable itself, which is refused before the
    // account is looked up, and B's platform_admin has the user id of A's account.
    cases["users.update"] = {{[](const Ids& a) {
                                return json::object{{"id", a.account_id}, {"display_name", "Bravo"}};
                              },
                              E::kNotFound, E::kNotFound, E::kNotFound, OwnerAdmin()}};
    cases["users.roles.set"] = {{[](const Ids& a) {
                                   return json::object{{"id", a.account_id},
                                                       {"roles", json::array{"customer_admin"}}};
                                 },
                                 E::kNotFound, E::kNotFound, E::kNotFound, OwnerAdmin()}};
    cases["users.erase"] = {{[](const Ids& a) { return json::object{{"id", a.account_id}}; }, E::kNotFound,
                             E::kNotFound, E::kNotFound, OwnerAdmin()}};
    cases["users.sessions.revoke"] = {{[](const Ids& a) { return json::object{{"id", a.account_id}}; },
                                       E::kNotFound, E::kNotFound, E::kNotFound, OwnerAdmin()}};
    return cases;
  }();
  return kCases;
}

std::vector<std::string> MethodNames() {
  std::vector<std::string> names;
  for (const auto& method : Portal::Methods()) names.emplace_back(method.name);
  return names;
}

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The first non-empty array in `value`, or a count named like one that is not zero; empty when
// there is none. Members of `value` that echo the request's member of the same name are left out
// (search.tags answers the tags it was asked for).
std::string SomethingIn(const json::value& value, std::string_view path, const json::object& request = {}) {
  static const std::set<std::string, std::less<>> kCounts = {"total",     "rated",   "documents", "downloads", "bytes",
                                                             "delivered", "retried", "abandoned", "pending"};
  if (const json::array* array = value.if_array()) {
    return array->empty() ? std::string() : std::string(path) + " has " + std::to_string(array->size()) + " items";
  }
  if (const json::object* object = value.if_object()) {
    for (const auto& [key, member] : *object) {
      if (const json::value* asked = request.if_contains(key); asked != nullptr && *asked == member) continue;
      const std::string where = std::string(path) + "." + std::string(key);
      if (kCounts.contains(key) && member.is_int64() && member.get_int64() != 0) return where + " is not 0";
      std::string found = SomethingIn(member, where);
      if (!found.empty()) return found;
    }
  }
  return {};
}

// A portal whose tenant A holds one object of every kind, and the checks of an outsider's answer.
class TenantATest : public PortalTest {
 protected:
  void SetUp() override {
    PortalTest::SetUp();
    if (HasFatalFailure()) return;
    // The harness's portal again, with a platform AI service nobody answers (a closed local
    // port): feedback's sentiment analysis then waits in the outbox, so tenant A has an outbox
    // item that tenant B's outbox.deliver must leave alone.
    PortalOptions options;
    options.clock = clock_;
    options.platform_ai = PlatformAiOptions{"http://127.0.0.1:9", "", 1000, 200, ""};
    auto portal = Portal::Open(std::move(options));
    ASSERT_TRUE(portal.ok()) << portal.status().detail();
    portal_ = std::move(portal).value();
    SeedTenantA();
  }

  // data of a call that must succeed.
  json::value Data(std::string_view method, const Caller& caller, const json::object& request) {
    const json::object answer = Call(method, caller, request);
    EXPECT_TRUE(IsSuccess(answer)) << method << " " << json::serialize(request);
    const json::value* data = answer.if_contains("data");
    return data != nullptr ? *data : json::value();
  }

  std::int64_t IdOf(const json::value& data) {
    const json::value* id = data.is_object() ? data.get_object().if_contains("id") : nullptr;
    return id != nullptr && id->is_int64() ? id->get_int64() : 0;
  }

  std::string StringOf(const json::value& data, std::string_view key) {
    const json::value* member = data.is_object() ? data.get_object().if_contains(key) : nullptr;
    return member != nullptr && member->is_string() ? std::string(member->get_string()) : std::string();
  }

  // A completed upload of `bytes` by `caller`; returns complete's data.
  json::value Upload(const Caller& caller, json::object begin, const std::string& bytes) {
    const std::string upload_id = StringOf(Data("tickets.attachments.begin", caller, begin), "upload_id");
    Data("tickets.attachments.append", caller, ChunkRequest(upload_id, 0, bytes));
    return Data("tickets.attachments.complete", caller, json::object{{"upload_id", upload_id}});
  }

  void SeedTenantA() {
    Data("portal.config.update", OwnerAdmin(),
         json::object{{"portal_title", "alpha7q portal"}, {"welcome_message", "alpha7q welcome"}});

    ids_.article_id = IdOf(Data("knowledge.upsert", OwnerAdmin(),
                                json::object{{"external_id", "kb-a-1"},
                                             {"title", "alpha7q VPN gateway drops"},
                                             {"body", "alpha7q: reconnect the VPN gateway"},
                                             {"category", "network"},
                                             {"tags", json::array{"vpn"}},
                                             {"lang", "en"}}));
    Data("search.synonyms.set", OwnerAdmin(),
         json::object{{"term", "alpha7q"}, {"synonyms", json::array{"vpn gateway"}}});
    // Searched by two customers, the query trends for everyone of tenant A.
    Data("search.query", Owner(), json::object{{"q", "alpha7q vpn gateway"}});
    Data("search.query", User(1, 11, 110), json::object{{"q", "alpha7q vpn gateway"}});

    ids_.session_id = StartSession(Owner(), "alpha7q 服务器连接不上怎么办？");
    Data("sessions.interactions.add", Owner(),
         json::object{{"session_id", ids_.session_id}, {"interaction_type", "question"}, {"user_input", "alpha7q"}});
    Transition(Owner(), ids_.session_id, "paused");

    ids_.feedback_id = IdOf(Data("feedback.submit", Owner(),
                                 json::object{{"feedback_type", "service"},
                                              {"related_type", "session"},
                                              {"related_id", ids_.session_id},
                                              {"rating", 4},
                                              {"feedback_content", "alpha7q helpful"},
                                              {"suggestions", "alpha7q more"}}));
    const json::value outbox = Data("outbox.status", APlatform(), json::object{});
    EXPECT_TRUE(outbox.is_object() && outbox.at("pending").as_int64() > 0) << "no outbox item: " << outbox;
    Data("analytics.track", Owner(),
         json::object{{"page_path", "/faq/alpha7q"}, {"action_type", "click"}, {"action_target", "alpha7q"}});

    const json::value chat = Data("ai.chat", Owner(), json::object{{"question", "alpha7q VPN gateway drops again"}});
    ids_.ai_session_id = StringOf(chat, "session_id");
    const json::value* interaction = chat.is_object() ? chat.get_object().if_contains("interaction_id") : nullptr;
    ids_.ai_interaction_id = interaction != nullptr && interaction->is_int64() ? interaction->get_int64() : 0;

    ids_.ticket_id = IdOf(Data("tickets.create", Owner(),
                               json::object{{"title", "alpha7q printer"},
                                            {"description", "alpha7q paper jam"},
                                            {"category", "hardware"},
                                            {"priority", 2},
                                            {"contact", json::object{{"email", "alpha7q@example.com"}}}}));
    Data("tickets.transition", APlatform(),
         json::object{{"id", ids_.ticket_id}, {"to", "open"}, {"comment", "alpha7q accepted"}});
    Data("tickets.update", Owner(), json::object{{"id", ids_.ticket_id}, {"comment", "alpha7q more details"}});
    ids_.draft_id = IdOf(Data("tickets.drafts.save", Owner(),
                              json::object{{"title", "alpha7q draft"}, {"description", "alpha7q"}}));

    json::object attachment = BeginRequest(ids_.ticket_id, kAttachmentBytes);
    attachment["filename"] = "alpha7q.pdf";
    const json::value completed = Upload(Owner(), attachment, kAttachmentBytes);
    ids_.attachment_id = completed.is_object() ? IdOf(completed.get_object().at("attachment")) : 0;
    ids_.open_upload_id = StringOf(
        Data("tickets.attachments.begin", Owner(), BeginRequest(ids_.ticket_id, kOpenUploadBytes)), "upload_id");
    Data("tickets.attachments.append", Owner(), ChunkRequest(ids_.open_upload_id, 0, kOpenUploadBytes.substr(0, 9)));

    json::object document = BeginRequest(0, kDocumentBytes);
    document.erase("ticket_id");
    document["target"] = "document";
    const json::value document_upload = Upload(APlatform(), document, kDocumentBytes);
    ids_.document_upload_id =
        document_upload.is_object() ? StringOf(document_upload.get_object().at("upload"), "upload_id") : "";
    ids_.document_id = IdOf(Data("documents.publish", APlatform(),
                                 json::object{{"title", "alpha7q manual"},
                                              {"description", "alpha7q"},
                                              {"category", "ops"},
                                              {"upload_id", ids_.document_upload_id}}));

    ids_.component_id = IdOf(Data("status.components.upsert", APlatform(),
                                  json::object{{"name", "alpha7q-api"},
                                               {"description", "alpha7q"},
                                               {"group_name", "alpha7q"}}));
    ids_.incident_id = IdOf(Data("status.incidents.create", APlatform(),
                                 json::object{{"title", "alpha7q outage"},
                                              {"body", "alpha7q investigating"},
                                              {"impact", "partial_outage"},
                                              {"component_ids", json::array{ids_.component_id}}}));
    const std::int64_t tomorrow = kStartMillis + 24 * 3600 * 1000LL;
    ids_.maintenance_id = IdOf(Data("status.maintenance.schedule", APlatform(),
                                    json::object{{"title", "alpha7q window"},
                                                 {"description", "alpha7q"},
                                                 {"component_ids", json::array{ids_.component_id}},
                                                 {"starts_at", tomorrow},
                                                 {"ends_at", tomorrow + 2 * 3600 * 1000LL}}));

    ids_.username = "user_a1";
    ids_.account_id = IdOf(Data("users.create", OwnerAdmin(),
                                json::object{{"username", ids_.username},
                                             {"email", "alpha7q@example.com"},
                                             {"display_name", "alpha7q account"},
                                             {"password", kPassword},
                                             {"roles", json::array{"customer_user"}}}));
    const json::value tokens = Data("auth.login", Owner(),
                                    json::object{{"tenant_id", 1}, {"username", ids_.username}, {"password", kPassword}});
    ids_.access_token = StringOf(tokens, "access_token");
    ids_.refresh_token = StringOf(tokens, "refresh_token");

    unique_ = {std::string(kMarker),
               Lowercase(ids_.access_token),
               Lowercase(ids_.refresh_token),
               Lowercase(ids_.session_id),
               Lowercase(ids_.ai_session_id),
               Lowercase(ids_.open_upload_id),
               Lowercase(ids_.document_upload_id),
               Sha256Hex(kAttachmentBytes),
               Sha256Hex(kOpenUploadBytes),
               Sha256Hex(kDocumentBytes)};
  }

  // Everything of tenant A the API shows, read so that reading changes nothing (no knowledge.get
  // or documents.download, which count views and downloads).
  std::string FullSnapshot() {
    json::object all{
        {"base", Snapshot()},
        {"tickets", Data("tickets.list", APlatform(), json::object{{"size", 100}})},
        {"history", Data("tickets.history", APlatform(), json::object{{"id", ids_.ticket_id}, {"size", 100}})},
        {"attachments", Data("tickets.attachments.list", APlatform(), json::object{{"size", 100}})},
        {"upload", Data("tickets.attachments.status", Owner(), json::object{{"upload_id", ids_.open_upload_id}})},
        {"drafts", Data("tickets.drafts.list", Owner(), json::object{})},
        {"documents", Data("documents.list", APlatform(), json::object{{"size", 100}})},
        {"knowledge", Data("knowledge.list", APlatform(), json::object{{"size", 100}})},
        {"synonyms", Data("search.synonyms.list", APlatform(), json::object{})},
        {"trending", Data("search.trending", APlatform(), json::object{})},
        {"ai", Data("ai.history", Owner(), json::object{{"session_id", ids_.ai_session_id}})},
        {"components", Data("status.components", APlatform(), json::object{})},
        {"incidents", Data("status.incidents", APlatform(), json::object{})},
        {"maintenance", Data("status.maintenance", APlatform(), json::object{})},
        {"outbox", Data("outbox.status", APlatform(), json::object{})},
        {"users", Data("users.list", APlatform(), json::object{{"size", 100}})},
        // The account's sign-in still holds (no one else's logout or password change revoked it).
        {"signed_in", CodeOf(CallText("sessions.list",
                                      json::serialize(json::object{{"access_token", ids_.access_token}}), "{}"))},
    };
    return json::serialize(all);
  }

  ::testing::AssertionResult CarriesNothingOfA(const json::object& answer) {
    const std::string text = Lowercase(json::serialize(answer));
    for (const auto& secret : unique_) {
      if (!secret.empty() && text.find(secret) != std::string::npos) {
        return ::testing::AssertionFailure() << "leaks '" << secret << "': " << text;
      }
    }
    return ::testing::AssertionSuccess();
  }

  // Sends `probe` as `caller` and checks the answer against `expect`.
  void Check(std::string_view method, const Probe& probe, Expect expect, const Caller& caller,
             std::string_view who) {
    if (expect == Expect::kSkip) return;
    const json::object request = probe.request(ids_);
    SCOPED_TRACE(std::string(method) + " as " + std::string(who) + " " + json::serialize(request));
    const json::object answer = Call(method, caller, request);
    EXPECT_TRUE(CarriesNothingOfA(answer));
    const std::int64_t code = CodeOf(answer);
    switch (expect) {
      case Expect::kNotFound:
      case Expect::kRefused: {
        if (expect == Expect::kNotFound) {
          EXPECT_TRUE(code == 10004 || code == 10003) << json::serialize(answer);
        } else {
          EXPECT_NE(code, 200) << json::serialize(answer);
        }
        const json::object absent = Call(method, caller, probe.request(Missing(ids_)));
        EXPECT_EQ(code, CodeOf(absent)) << "A's ids: " << json::serialize(answer)
                                        << "\nabsent ids: " << json::serialize(absent);
        EXPECT_EQ(answer.if_contains("errors") != nullptr ? answer.at("errors") : json::value(),
                  absent.if_contains("errors") != nullptr ? absent.at("errors") : json::value());
        break;
      }
      case Expect::kEmpty: {
        const bool below_role = code == 10003 && caller.roles.front() != "platform_admin";
        if (below_role) break;
        ASSERT_TRUE(IsSuccess(answer));
        EXPECT_EQ(SomethingIn(answer.at("data"), "data", request), "") << json::serialize(answer);
        if (const json::value* pagination = answer.if_contains("pagination")) {
          EXPECT_EQ(pagination->at("total"), 0) << json::serialize(answer);
        }
        break;
      }
      case Expect::kOwn:
        EXPECT_NE(code, 10002) << json::serialize(answer);
        EXPECT_NE(code, 20004) << json::serialize(answer);
        break;
      case Expect::kSkip:
        break;
    }
  }

  Ids ids_;
  std::vector<std::string> unique_;  // lowercase strings only A's objects carry
};

// The outsiders: tenant B's three roles, and inside tenant A the peers row-level scope keeps out.
std::vector<std::pair<std::string, Caller>> Outsiders() {
  return {{"tenant B customer_user", User(2, 10, 100)},
          {"tenant B customer_admin", CustomerAdmin(2, 10, 101)},
          {"tenant B platform_admin", PlatformAdmin(2, 1, 1)},
          {"tenant A customer_user of another user", User(1, 10, 999)},
          {"tenant A customer_admin of customer 11", CustomerAdmin(1, 11, 111)}};
}

class IsolationTest : public TenantATest, public ::testing::WithParamInterface<std::string> {};

TEST_P(IsolationTest, OutsidersSeeAndChangeNothingOfTenantA) {
  const std::string& method = GetParam();
  const auto found = Cases().find(method);
  ASSERT_NE(found, Cases().end()) << "method " << method << " has no isolation case in isolation_test.cpp";
  ASSERT_NE(ids_.attachment_id, 0) << "tenant A was not seeded";

  const std::string before = FullSnapshot();
  const auto outsiders = Outsiders();
  for (const Probe& probe : found->second) {
    const Expect expected[] = {probe.tenant_b, probe.tenant_b, probe.tenant_b, probe.row_peer, probe.customer_peer};
    for (std::size_t i = 0; i < outsiders.size(); ++i) {
      Check(method, probe, expected[i], outsiders[i].second, outsiders[i].first);
    }
  }
  EXPECT_EQ(FullSnapshot(), before) << method << " changed tenant A's data";

  for (const Probe& probe : found->second) {
    if (!probe.control) continue;
    const json::object request = probe.request(ids_);
    EXPECT_TRUE(IsSuccess(Call(method, *probe.control, request)))
        << method << " " << json::serialize(request) << " fails for tenant A's own caller too";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryMethod, IsolationTest, ::testing::ValuesIn(MethodNames()),
                         [](const ::testing::TestParamInfo<std::string>& method) {
                           std::string name = method.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

// Portal::UploadChunk, the binary twin of tickets.attachments.append, is outside the dispatch table.
TEST_F(TenantATest, TheBinaryChunkEntryRefusesOutsidersAsForAnAbsentUpload) {
  const std::string before = FullSnapshot();
  const std::string rest = kOpenUploadBytes.substr(9);
  for (const auto& [who, caller] : Outsiders()) {
    SCOPED_TRACE(who);
    const std::string context = json::serialize(caller.ToJson());
    const json::object answer = json::parse(portal_->UploadChunk(context, ids_.open_upload_id, 9, rest)).as_object();
    const json::object absent =
        json::parse(portal_->UploadChunk(context, Absent(ids_.open_upload_id), 9, rest)).as_object();
    EXPECT_TRUE(IsError(answer, 10004));
    EXPECT_TRUE(CarriesNothingOfA(answer));
    EXPECT_EQ(answer.at("errors"), absent.at("errors"));
  }
  EXPECT_EQ(FullSnapshot(), before);
  const std::string owner = json::serialize(Owner().ToJson());
  EXPECT_TRUE(IsSuccess(json::parse(portal_->UploadChunk(owner, ids_.open_upload_id, 9, rest)).as_object()));
}

TEST(IsolationCases, EveryMethodOfTheDispatchTableHasOne) {
  std::vector<std::string> missing;
  for (const auto& name : MethodNames()) {
    if (!Cases().contains(name)) missing.push_back(name);
  }
  EXPECT_TRUE(missing.empty()) << "methods without an isolation case: " << ::testing::PrintToString(missing);
}

TEST(IsolationCases, NameOnlyMethodsOfTheDispatchTable) {
  const std::vector<std::string> names = MethodNames();
  for (const auto& [name, probes] : Cases()) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name << " is not a method";
    EXPECT_FALSE(probes.empty()) << name;
  }
}

TEST(IsolationCases, AbsentIdsKeepTheShapeOfRealOnes) {
  Ids real;
  real.session_id = "sess_a98237af5714b838f2b7532a";
  real.open_upload_id = "upl7f3a";
  const Ids absent = Missing(real);
  EXPECT_EQ(absent.session_id, "sess_000000000000000000000000");
  EXPECT_EQ(absent.open_upload_id, "0000000");
  EXPECT_EQ(absent.ai_session_id, "");
  EXPECT_NE(absent.ticket_id, real.ticket_id);
}

TEST(IsolationCases, SomethingInFindsItemsAndCountsButNotEmptyAnswers) {
  EXPECT_EQ(SomethingIn(Json(R"({"items": [], "total": 0, "status": "operational"})"), "data"), "");
  EXPECT_EQ(SomethingIn(Json(R"([])"), "data"), "");
  EXPECT_EQ(SomethingIn(Json(R"({"a": {"items": [1]}})"), "data"), "data.a.items has 1 items");
  EXPECT_EQ(SomethingIn(Json(R"({"documents": 2})"), "data"), "data.documents is not 0");
}

TEST(IsolationCases, SomethingInLeavesOutWhatEchoesTheRequest) {
  const json::object request{{"tags", json::array{"vpn"}}};
  EXPECT_EQ(SomethingIn(Json(R"({"tags": ["vpn"], "items": []})"), "data", request), "");
  EXPECT_EQ(SomethingIn(Json(R"({"tags": ["vpn", "wifi"]})"), "data", request), "data.tags has 2 items");
}

}  // namespace
}  // namespace selfservice::test
