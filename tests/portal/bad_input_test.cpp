// Bad input for every method of the dispatch table: an empty request and a request whose fields
// have the wrong JSON types. The table is iterated, so a method added without a case here fails.

#include <map>

#include "dispatch/method_table.hpp"
#include "harness.hpp"

namespace selfservice::test {
namespace {

struct FieldCase {
  std::string field;
  std::string code;
};

struct MethodCase {
  // What {} answers: 200 for a method without required fields, else 10001 naming them.
  bool empty_succeeds = false;
  std::vector<FieldCase> empty_errors;
  // A request with wrong-typed fields, and the errors it must list (all of them at once); empty
  // for a method that reads no field.
  std::string wrong_types;
  std::vector<FieldCase> wrong_type_errors;
  // Not 0: what {} answers instead on this test's portal, whose options configure no remote system
  // (10004 NOT_CONFIGURED); the request is still read first, so wrong types answer 10001.
  std::int64_t empty_code = 0;
};

const std::map<std::string, MethodCase, std::less<>>& Cases() {
  static const std::map<std::string, MethodCase, std::less<>> kCases = {
      // {} reads the caller's own customer: its stored configuration or the defaults.
      {"portal.config.get", {true, {}, R"({"customer_id": "ten"})", {{"customer_id", "FIELD_INVALID"}}}},
      // {} is an empty patch: the configuration is stored as it is.
      {"portal.config.update",
       {true,
        {},
        R"({"portal_title": 5, "theme_color": 7, "enabled_features": "all", "status": "on", "logo_url": [],
            "custom_css": false})",
        {{"portal_title", "FIELD_INVALID"},
         {"theme_color", "FIELD_INVALID"},
         {"enabled_features", "FIELD_INVALID"},
         {"status", "FIELD_INVALID"},
         {"logo_url", "FIELD_INVALID"},
         {"custom_css", "FIELD_INVALID"}}}},
      {"portal.theme.get", {true, {}, R"({"customer_id": true})", {{"customer_id", "FIELD_INVALID"}}}},
      // {} is an empty patch, as for portal.config.update.
      {"portal.theme.update",
       {true,
        {},
        R"({"portal_title": [], "logo_url": 1, "theme_color": {}, "custom_css": 2.5})",
        {{"portal_title", "FIELD_INVALID"},
         {"logo_url", "FIELD_INVALID"},
         {"theme_color", "FIELD_INVALID"},
         {"custom_css", "FIELD_INVALID"}}}},
      // {} starts a not_started "search" session, waiting for its first question.
      {"sessions.start",
       {true,
        {},
        R"({"session_type": 1, "initial_question": 2, "session_context": "ctx"})",
        {{"session_type", "FIELD_INVALID"},
         {"initial_question", "FIELD_INVALID"},
         {"session_context", "FIELD_INVALID"}}}},
      {"sessions.get",
       {false,
        {{"session_id", "FIELD_REQUIRED"}},
        R"({"session_id": 42})",
        {{"session_id", "FIELD_INVALID"}}}},
      // {} lists the first page of 20, as feedback.list does.
      {"sessions.list",
       {true,
        {},
        R"({"state": 1, "session_type": true, "page": "1", "size": "x"})",
        {{"state", "FIELD_INVALID"},
         {"session_type", "FIELD_INVALID"},
         {"page", "FIELD_INVALID"},
         {"size", "FIELD_INVALID"}}}},
      {"sessions.transition",
       {false,
        {{"session_id", "FIELD_REQUIRED"}, {"to", "FIELD_REQUIRED"}},
        R"({"session_id": 1, "to": 2})",
        {{"session_id", "FIELD_INVALID"}, {"to", "FIELD_INVALID"}}}},
      {"sessions.interactions.add",
       {false,
        {{"session_id", "FIELD_REQUIRED"}, {"interaction_type", "FIELD_REQUIRED"}},
        R"({"session_id": 1, "interaction_type": 2, "user_input": 3, "ai_confidence": "high",
            "response_time": "fast", "knowledge_article_ids": "1,2", "helpful_rating": "5"})",
        {{"session_id", "FIELD_INVALID"},
         {"interaction_type", "FIELD_INVALID"},
         {"user_input", "FIELD_INVALID"},
         {"ai_confidence", "FIELD_INVALID"},
         {"response_time", "FIELD_INVALID"},
         {"knowledge_article_ids", "FIELD_INVALID"},
         {"helpful_rating", "FIELD_INVALID"}}}},
      {"sessions.interactions.list",
       {false,
        {{"session_id", "FIELD_REQUIRED"}},
        R"({"session_id": [], "page": 0, "size": 101})",
        {{"session_id", "FIELD_INVALID"}, {"page", "OUT_OF_RANGE"}, {"size", "OUT_OF_RANGE"}}}},
      // {} sweeps with the portal's session_idle_timeout_seconds.
      {"sessions.sweep",
       {true, {}, R"({"idle_timeout_seconds": "soon"})", {{"idle_timeout_seconds", "FIELD_INVALID"}}}},
      // The score is read only once the move is known to be allowed (spec 5.2), so a session that
      // cannot be rated answers 10006 whatever the score; a missing session_id is reported first.
      {"satisfaction.submit",
       {false,
        {{"session_id", "FIELD_REQUIRED"}},
        R"({"session_id": 5, "score": "five"})",
        {{"session_id", "FIELD_INVALID"}}}},
      {"feedback.submit",
       {false,
        {{"feedback_type", "FIELD_REQUIRED"}},
        R"({"feedback_type": 1, "related_type": 2, "related_id": 3, "rating": "good", "contact_required": "yes",
            "priority_level": "high", "feedback_content": {}})",
        {{"feedback_type", "FIELD_INVALID"},
         {"related_type", "FIELD_INVALID"},
         {"related_id", "FIELD_INVALID"},
         {"rating", "FIELD_INVALID"},
         {"contact_required", "FIELD_INVALID"},
         {"priority_level", "FIELD_INVALID"},
         {"feedback_content", "FIELD_INVALID"}}}},
      {"feedback.get", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": "abc"})", {{"id", "FIELD_INVALID"}}}},
      {"feedback.list",
       {true,
        {},
        R"({"state": 1, "feedback_type": 2, "page": -1, "size": 0})",
        {{"state", "FIELD_INVALID"},
         {"feedback_type", "FIELD_INVALID"},
         {"page", "OUT_OF_RANGE"},
         {"size", "OUT_OF_RANGE"}}}},
      {"feedback.transition",
       {false,
        {{"id", "FIELD_REQUIRED"}, {"to", "FIELD_REQUIRED"}},
        R"({"id": "1", "to": 4, "response_content": 5})",
        {{"id", "FIELD_INVALID"}, {"to", "FIELD_INVALID"}, {"response_content", "FIELD_INVALID"}}}},
      // {} is one event without its page_path.
      {"analytics.track",
       {false,
        {{"page_path", "FIELD_REQUIRED"}},
        R"({"page_path": 1, "action_type": 2, "stay_duration": "long", "device_type": 3, "ip_address": 4})",
        {{"page_path", "FIELD_INVALID"},
         {"action_type", "FIELD_INVALID"},
         {"stay_duration", "FIELD_INVALID"},
         {"device_type", "FIELD_INVALID"},
         {"ip_address", "FIELD_INVALID"}}}},
      {"knowledge.upsert",
       {false,
        {{"title", "FIELD_REQUIRED"}},
        R"({"title": 1, "body": 2, "lang": 3, "tags": "x", "external_id": 4})",
        {{"title", "FIELD_INVALID"},
         {"body", "FIELD_INVALID"},
         {"lang", "FIELD_INVALID"},
         {"tags", "FIELD_INVALID"},
         {"external_id", "FIELD_INVALID"}}}},
      {"knowledge.get", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": "abc"})", {{"id", "FIELD_INVALID"}}}},
      {"knowledge.delete", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": [1]})", {{"id", "FIELD_INVALID"}}}},
      // {} lists the first page of the tenant's articles.
      {"knowledge.list",
       {true,
        {},
        R"({"lang": 1, "category": 2, "status": 3, "page": "1"})",
        {{"lang", "FIELD_INVALID"},
         {"category", "FIELD_INVALID"},
         {"status", "FIELD_INVALID"},
         {"page", "FIELD_INVALID"}}}},
      {"knowledge.vote",
       {false,
        {{"article_id", "FIELD_REQUIRED"}, {"helpful", "FIELD_REQUIRED"}},
        R"({"article_id": "1", "helpful": "yes"})",
        {{"article_id", "FIELD_INVALID"}, {"helpful", "FIELD_INVALID"}}}},
      {"search.query",
       {false,
        {{"q", "FIELD_REQUIRED"}},
        R"({"q": 1, "lang": 2, "category": 3, "tags": "x", "page": "1"})",
        {{"q", "FIELD_INVALID"},
         {"lang", "FIELD_INVALID"},
         {"category", "FIELD_INVALID"},
         {"tags", "FIELD_INVALID"},
         {"page", "FIELD_INVALID"}}}},
      // {} answers the category counts, without articles.
      {"search.category",
       {true,
        {},
        R"({"category": 1, "lang": 2, "page": "1", "size": "x"})",
        {{"category", "FIELD_INVALID"}, {"lang", "FIELD_INVALID"}, {"page", "FIELD_INVALID"}, {"size", "FIELD_INVALID"}}}},
      {"search.tags",
       {false,
        {{"tags", "FIELD_REQUIRED"}},
        R"({"tags": "x", "lang": 1, "page": "1"})",
        {{"tags", "FIELD_INVALID"}, {"lang", "FIELD_INVALID"}, {"page", "FIELD_INVALID"}}}},
      {"search.suggestions",
       {false,
        {{"prefix", "FIELD_REQUIRED"}},
        R"({"prefix": 1, "lang": 2})",
        {{"prefix", "FIELD_INVALID"}, {"lang", "FIELD_INVALID"}}}},
      // {} answers the last week's trending queries.
      {"search.trending",
       {true,
        {},
        R"({"window_hours": "week", "half_life_hours": 1.5, "size": "ten"})",
        {{"window_hours", "FIELD_INVALID"}, {"half_life_hours", "FIELD_INVALID"}, {"size", "FIELD_INVALID"}}}},
      // Exactly one of article_id and q.
      {"knowledge.recommendations",
       {false,
        {{"article_id", "FIELD_REQUIRED"}},
        R"({"article_id": "1", "q": 2, "lang": 3, "size": "five"})",
        {{"article_id", "FIELD_INVALID"}, {"q", "FIELD_INVALID"}, {"lang", "FIELD_INVALID"}, {"size", "FIELD_INVALID"}}}},
      {"search.synonyms.set",
       {false,
        {{"term", "FIELD_REQUIRED"}, {"synonyms", "FIELD_REQUIRED"}},
        R"({"term": 5, "synonyms": "vpn"})",
        {{"term", "FIELD_INVALID"}, {"synonyms", "FIELD_INVALID"}}}},
      // {} lists the first page of the dictionary.
      {"search.synonyms.list",
       {true, {}, R"({"page": "one", "size": 0})", {{"page", "FIELD_INVALID"}, {"size", "OUT_OF_RANGE"}}}},
      // Exactly one of path and articles.
      {"knowledge.import", {false, {{"path", "FIELD_REQUIRED"}}, R"({"path": 5})", {{"path", "FIELD_INVALID"}}}},
      // Needs the knowledge_source option; {} would sync from the tenant's cursor.
      {"knowledge.sync", {false, {}, R"({"cursor": 5})", {{"cursor", "FIELD_INVALID"}}, 10004}},
      // Needs the Elasticsearch backend; {} would reindex the tenant.
      {"search.reindex", {false, {}, R"({"only_if_behind": "yes"})", {{"only_if_behind", "FIELD_INVALID"}}, 10004}},
      {"ai.chat",
       {false,
        {{"question", "FIELD_REQUIRED"}},
        R"({"question": 1, "context": {"session_id": 2, "previous_questions": "x", "user_role": 3,
            "customer_context": "y"}, "options": {"include_recommendations": "yes", "max_results": "5",
            "confidence_threshold": "high"}})",
        {{"question", "FIELD_INVALID"},
         {"context.session_id", "FIELD_INVALID"},
         {"context.previous_questions", "FIELD_INVALID"},
         {"context.user_role", "FIELD_INVALID"},
         {"context.customer_context", "FIELD_INVALID"},
         {"options.include_recommendations", "FIELD_INVALID"},
         {"options.max_results", "FIELD_INVALID"},
         {"options.confidence_threshold", "FIELD_INVALID"}}}},
      // {} lists the caller's conversations.
      {"ai.history",
       {true, {}, R"({"session_id": 5, "page": "1"})", {{"session_id", "FIELD_INVALID"}, {"page", "FIELD_INVALID"}}}},
      {"ai.feedback",
       {false,
        {{"interaction_id", "FIELD_REQUIRED"}, {"helpful_rating", "FIELD_REQUIRED"}},
        R"({"interaction_id": "x", "helpful_rating": "5", "comment": 3})",
        {{"interaction_id", "FIELD_INVALID"}, {"helpful_rating", "FIELD_INVALID"}, {"comment", "FIELD_INVALID"}}}},
      // {} recommends in the caller's locale.
      {"ai.recommendations",
       {true, {}, R"({"lang": 1, "size": "x"})", {{"lang", "FIELD_INVALID"}, {"size", "FIELD_INVALID"}}}},
      // {} delivers up to 100 due items (none here).
      {"outbox.deliver", {true, {}, R"({"limit": "all"})", {{"limit", "FIELD_INVALID"}}}},
      {"outbox.status", {true, {}, R"({"topic": 7})", {{"topic", "FIELD_INVALID"}}}},
      // No backup_dir in this portal's options.
      {"admin.backup", {false, {}, R"({"label": 5})", {{"label", "FIELD_INVALID"}}, 10004}},
      // {} re-encrypts what is not under the current key (nothing here).
      {"admin.reencrypt", {true, {}, "", {}}},
      // {} lists the caller's audit entries; verify recomputes the chain.
      {"audit.list",
       {true,
        {},
        R"({"action": 5, "actor_user_id": "x", "from": 7, "to": true, "page": "1"})",
        {{"action", "FIELD_INVALID"},
         {"actor_user_id", "FIELD_INVALID"},
         {"from", "FIELD_INVALID"},
         {"to", "FIELD_INVALID"},
         {"page", "FIELD_INVALID"}}}},
      {"audit.verify", {true, {}, "", {}}},
      // Sign-in: the caller's identity is not needed, the request's fields are.
      {"auth.login",
       {false,
        {{"tenant_id", "FIELD_REQUIRED"}, {"username", "FIELD_REQUIRED"}, {"password", "FIELD_REQUIRED"}},
        R"({"tenant_id": "one", "username": 5, "password": []})",
        {{"tenant_id", "FIELD_INVALID"}, {"username", "FIELD_INVALID"}, {"password", "FIELD_INVALID"}}}},
      {"auth.mfa.verify",
       {false,
        {{"mfa_token", "FIELD_REQUIRED"}},
        R"({"mfa_token": 1, "code": 2, "recovery_code": 3})",
        {{"mfa_token", "FIELD_INVALID"}, {"code", "FIELD_INVALID"}, {"recovery_code", "FIELD_INVALID"}}}},
      {"auth.refresh",
       {false, {{"refresh_token", "FIELD_REQUIRED"}}, R"({"refresh_token": 5})", {{"refresh_token", "FIELD_INVALID"}}}},
      // A caller named by raw ids has no login to end: only "all" can apply.
      {"auth.logout", {false, {{"all", "FIELD_REQUIRED"}}, R"({"all": "yes"})", {{"all", "FIELD_INVALID"}}}},
      {"auth.password.change",
       {false,
        {{"current_password", "FIELD_REQUIRED"}, {"new_password", "FIELD_REQUIRED"}},
        R"({"current_password": 1, "new_password": 2})",
        {{"current_password", "FIELD_INVALID"}, {"new_password", "FIELD_INVALID"}}}},
      {"auth.password.reset.request",
       {false,
        {{"tenant_id", "FIELD_REQUIRED"}, {"username", "FIELD_REQUIRED"}},
        R"({"tenant_id": "x", "username": 5})",
        {{"tenant_id", "FIELD_INVALID"}, {"username", "FIELD_INVALID"}}}},
      {"auth.password.reset.confirm",
       {false,
        {{"token", "FIELD_REQUIRED"}, {"new_password", "FIELD_REQUIRED"}},
        R"({"token": 1, "new_password": 2})",
        {{"token", "FIELD_INVALID"}, {"new_password", "FIELD_INVALID"}}}},
      {"auth.mfa.enroll",
       {false,
        {{"method", "FIELD_REQUIRED"}},
        R"({"method": 1, "code": 2, "enrollment_token": 3})",
        {{"method", "FIELD_INVALID"}, {"code", "FIELD_INVALID"}, {"enrollment_token", "FIELD_INVALID"}}}},
      {"auth.mfa.disable", {false, {{"password", "FIELD_REQUIRED"}}, R"({"password": 1})", {{"password", "FIELD_INVALID"}}}},
      {"auth.sso.login",
       {false,
        {{"tenant_id", "FIELD_REQUIRED"}, {"customer_id", "FIELD_REQUIRED"}, {"id_token", "FIELD_REQUIRED"}},
        R"({"tenant_id": "x", "customer_id": "y", "id_token": 5, "nonce": 6})",
        {{"tenant_id", "FIELD_INVALID"},
         {"customer_id", "FIELD_INVALID"},
         {"id_token", "FIELD_INVALID"},
         {"nonce", "FIELD_INVALID"}}}},
      // Accounts.
      {"users.create",
       {false,
        {{"username", "FIELD_REQUIRED"}},
        R"({"customer_id": "x", "username": 5, "email": 6, "phone": 7, "display_name": 8, "roles": "admin",
            "password": 9})",
        {{"customer_id", "FIELD_INVALID"},
         {"username", "FIELD_INVALID"},
         {"email", "FIELD_INVALID"},
         {"phone", "FIELD_INVALID"},
         {"display_name", "FIELD_INVALID"},
         {"roles", "FIELD_INVALID"},
         {"password", "FIELD_INVALID"}}}},
      {"users.get", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": "x"})", {{"id", "FIELD_INVALID"}}}},
      {"users.list",
       {true,
        {},
        R"({"customer_id": "x", "status": 5, "role": 6, "query": 7, "page": "1", "size": "x"})",
        {{"customer_id", "FIELD_INVALID"},
         {"status", "FIELD_INVALID"},
         {"role", "FIELD_INVALID"},
         {"query", "FIELD_INVALID"},
         {"page", "FIELD_INVALID"},
         {"size", "FIELD_INVALID"}}}},
      {"users.update", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": "x"})", {{"id", "FIELD_INVALID"}}}},
      {"users.roles.set",
       {false,
        {{"id", "FIELD_REQUIRED"}, {"roles", "FIELD_REQUIRED"}},
        R"({"id": "x", "roles": "admin"})",
        {{"id", "FIELD_INVALID"}, {"roles", "FIELD_INVALID"}}}},
      {"users.sessions.revoke", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": "x"})", {{"id", "FIELD_INVALID"}}}},
      {"users.erase", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": "x"})", {{"id", "FIELD_INVALID"}}}},
      // {} lists the components, incidents and maintenance of the tenant as they are now.
      {"status.summary", {true, {}, R"({"upcoming_days": "x"})", {{"upcoming_days", "FIELD_INVALID"}}}},
      {"status.components", {true, {}, R"({"group_name": 5})", {{"group_name", "FIELD_INVALID"}}}},
      {"status.incidents",
       {true,
        {},
        R"({"open": "yes", "since": 5.5, "page": "1", "size": "x"})",
        {{"open", "FIELD_INVALID"}, {"since", "FIELD_INVALID"}, {"page", "FIELD_INVALID"}, {"size", "FIELD_INVALID"}}}},
      {"status.maintenance",
       {true,
        {},
        R"({"from": true, "to": [], "status": 3})",
        {{"from", "FIELD_INVALID"}, {"to", "FIELD_INVALID"}, {"status", "FIELD_INVALID"}}}},
      // {} is the last 90 days of every component.
      {"status.uptime",
       {true, {}, R"({"days": "90", "component_id": "x"})", {{"days", "FIELD_INVALID"}, {"component_id", "FIELD_INVALID"}}}},
      {"status.ingest.alertmanager",
       {false,
        {{"alerts", "FIELD_REQUIRED"}},
        R"({"alerts": "x", "version": 4, "mapping": 1})",
        {{"alerts", "FIELD_INVALID"}, {"version", "FIELD_INVALID"}, {"mapping", "FIELD_INVALID"}}}},
      {"status.components.upsert",
       {false,
        {{"name", "FIELD_REQUIRED"}},
        R"({"id": "x", "name": 1, "description": 2, "group_name": 3, "status": 4})",
        {{"id", "FIELD_INVALID"},
         {"name", "FIELD_INVALID"},
         {"description", "FIELD_INVALID"},
         {"group_name", "FIELD_INVALID"},
         {"status", "FIELD_INVALID"}}}},
      {"status.incidents.create",
       {false,
        {{"title", "FIELD_REQUIRED"}, {"body", "FIELD_REQUIRED"}},
        R"({"title": 1, "body": 2, "status": 3, "impact": 4, "component_ids": "x", "started_at": true})",
        {{"title", "FIELD_INVALID"},
         {"body", "FIELD_INVALID"},
         {"status", "FIELD_INVALID"},
         {"impact", "FIELD_INVALID"},
         {"component_ids", "FIELD_INVALID"},
         {"started_at", "FIELD_INVALID"}}}},
      {"status.incidents.update",
       {false,
        {{"id", "FIELD_REQUIRED"}, {"body", "FIELD_REQUIRED"}},
        R"({"id": "x", "body": 1, "title": 2, "status": 3, "impact": 4, "component_ids": [0]})",
        {{"id", "FIELD_INVALID"},
         {"body", "FIELD_INVALID"},
         {"title", "FIELD_INVALID"},
         {"status", "FIELD_INVALID"},
         {"impact", "FIELD_INVALID"},
         {"component_ids", "FIELD_INVALID"}}}},
      {"status.maintenance.schedule",
       {false,
        {{"title", "FIELD_REQUIRED"}, {"starts_at", "FIELD_REQUIRED"}, {"ends_at", "FIELD_REQUIRED"}},
        R"({"title": 1, "description": 2, "component_ids": {}, "starts_at": "soon", "ends_at": false})",
        {{"title", "FIELD_INVALID"},
         {"description", "FIELD_INVALID"},
         {"component_ids", "FIELD_INVALID"},
         {"starts_at", "FIELD_INVALID"},
         {"ends_at", "FIELD_INVALID"}}}},
      {"status.maintenance.update",
       {false,
        {{"id", "FIELD_REQUIRED"}},
        R"({"id": "x", "title": 1, "description": 2, "component_ids": "x", "starts_at": "soon", "ends_at": {},
            "status": 5})",
        {{"id", "FIELD_INVALID"},
         {"title", "FIELD_INVALID"},
         {"description", "FIELD_INVALID"},
         {"component_ids", "FIELD_INVALID"},
         {"starts_at", "FIELD_INVALID"},
         {"ends_at", "FIELD_INVALID"},
         {"status", "FIELD_INVALID"}}}},
      // {} sums the last 90 days of the feedback the caller sees.
      {"feedback.stats",
       {true, {}, R"({"from": "yesterday", "to": false})", {{"from", "FIELD_INVALID"}, {"to", "FIELD_INVALID"}}}},
      {"tickets.attachments.begin",
       {false,
        {{"ticket_id", "FIELD_REQUIRED"},
         {"filename", "FIELD_REQUIRED"},
         {"size", "FIELD_REQUIRED"},
         {"content_type", "FIELD_REQUIRED"},
         {"sha256", "FIELD_REQUIRED"}},
        R"({"ticket_id": "7", "filename": 1, "size": "big", "content_type": 2, "sha256": 3, "target": 4})",
        {{"ticket_id", "FIELD_INVALID"},
         {"filename", "FIELD_INVALID"},
         {"size", "FIELD_INVALID"},
         {"content_type", "FIELD_INVALID"},
         {"sha256", "FIELD_INVALID"},
         {"target", "FIELD_INVALID"}}}},
      {"tickets.attachments.append",
       {false,
        {{"upload_id", "FIELD_REQUIRED"}, {"offset", "FIELD_REQUIRED"}, {"data_base64", "FIELD_REQUIRED"}},
        R"({"upload_id": 1, "offset": "0", "data_base64": 5, "chunk_sha256": 6})",
        {{"upload_id", "FIELD_INVALID"},
         {"offset", "FIELD_INVALID"},
         {"data_base64", "FIELD_INVALID"},
         {"chunk_sha256", "FIELD_INVALID"}}}},
      {"tickets.attachments.status",
       {false, {{"upload_id", "FIELD_REQUIRED"}}, R"({"upload_id": 1})", {{"upload_id", "FIELD_INVALID"}}}},
      {"tickets.attachments.complete",
       {false, {{"upload_id", "FIELD_REQUIRED"}}, R"({"upload_id": []})", {{"upload_id", "FIELD_INVALID"}}}},
      {"tickets.attachments.abort",
       {false, {{"upload_id", "FIELD_REQUIRED"}}, R"({"upload_id": {}})", {{"upload_id", "FIELD_INVALID"}}}},
      // {} sweeps up to 500 expired uploads of the tenant (none here).
      {"tickets.attachments.sweep", {true, {}, R"({"limit": "all"})", {{"limit", "FIELD_INVALID"}}}},
      // {} lists every attachment the caller sees.
      {"tickets.attachments.list",
       {true, {}, R"({"ticket_id": "x", "page": "1"})", {{"ticket_id", "FIELD_INVALID"}, {"page", "FIELD_INVALID"}}}},
      {"tickets.attachments.get",
       {false,
        {{"id", "FIELD_REQUIRED"}},
        R"({"id": "x", "include_data": "yes"})",
        {{"id", "FIELD_INVALID"}, {"include_data", "FIELD_INVALID"}}}},
      {"documents.uploads.begin",
       {false,
        {{"filename", "FIELD_REQUIRED"}, {"size", "FIELD_REQUIRED"}, {"content_type", "FIELD_REQUIRED"},
         {"sha256", "FIELD_REQUIRED"}},
        R"({"filename": 1, "size": "big", "content_type": 2, "sha256": 3})",
        {{"filename", "FIELD_INVALID"}, {"size", "FIELD_INVALID"}, {"content_type", "FIELD_INVALID"},
         {"sha256", "FIELD_INVALID"}}}},
      // Neither data_base64 nor upload_id: the bytes are missing.
      {"documents.publish",
       {false,
        {{"title", "FIELD_REQUIRED"}, {"data_base64", "FIELD_REQUIRED"}},
        R"({"title": 1, "data_base64": 2, "lang": 3, "customer_id": "x", "min_role": 4})",
        {{"title", "FIELD_INVALID"},
         {"data_base64", "FIELD_INVALID"},
         {"lang", "FIELD_INVALID"},
         {"customer_id", "FIELD_INVALID"},
         {"min_role", "FIELD_INVALID"}}}},
      // {} lists the documents the caller may see.
      {"documents.list",
       {true,
        {},
        R"({"category": 1, "lang": 2, "q": 3, "status": 4, "page": "1"})",
        {{"category", "FIELD_INVALID"},
         {"lang", "FIELD_INVALID"},
         {"q", "FIELD_INVALID"},
         {"status", "FIELD_INVALID"},
         {"page", "FIELD_INVALID"}}}},
      {"documents.get", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": "x"})", {{"id", "FIELD_INVALID"}}}},
      {"documents.download",
       {false,
        {{"id", "FIELD_REQUIRED"}},
        R"({"id": "x", "include_data": "yes"})",
        {{"id", "FIELD_INVALID"}, {"include_data", "FIELD_INVALID"}}}},
      // {} answers the statistics of every document the caller sees.
      {"documents.stats",
       {true, {}, R"({"category": 1, "lang": 2})", {{"category", "FIELD_INVALID"}, {"lang", "FIELD_INVALID"}}}},
      {"tickets.create",
       {false,
        {{"title", "FIELD_REQUIRED"},
         {"description", "FIELD_REQUIRED"},
         {"category", "FIELD_REQUIRED"},
         {"priority", "FIELD_REQUIRED"}},
        R"({"title": 1, "description": 2, "category": 3, "priority": "high", "contact": "x", "session_id": 4,
            "idempotency_key": 5})",
        {{"title", "FIELD_INVALID"},
         {"description", "FIELD_INVALID"},
         {"category", "FIELD_INVALID"},
         {"priority", "FIELD_INVALID"},
         {"contact", "FIELD_INVALID"},
         {"session_id", "FIELD_INVALID"},
         {"idempotency_key", "FIELD_INVALID"}}}},
      // {} lists the first page of the tickets the caller sees.
      {"tickets.list",
       {true,
        {},
        R"({"status": 1, "category": 2, "created_from": 3, "created_to": "yesterday", "keyword": [], "page": "1"})",
        {{"status", "FIELD_INVALID"},
         {"category", "FIELD_INVALID"},
         {"created_from", "FIELD_INVALID"},
         {"created_to", "FIELD_INVALID"},
         {"keyword", "FIELD_INVALID"},
         {"page", "FIELD_INVALID"}}}},
      {"tickets.get", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": "abc"})", {{"id", "FIELD_INVALID"}}}},
      {"tickets.update",
       {false,
        {{"id", "FIELD_REQUIRED"}},
        R"({"id": "1", "comment": 2, "priority": "high", "contact": []})",
        {{"id", "FIELD_INVALID"}, {"comment", "FIELD_INVALID"}, {"priority", "FIELD_INVALID"}, {"contact", "FIELD_INVALID"}}}},
      {"tickets.status", {false, {{"id", "FIELD_REQUIRED"}}, R"({"id": 1.5})", {{"id", "FIELD_INVALID"}}}},
      {"tickets.history",
       {false,
        {{"id", "FIELD_REQUIRED"}},
        R"({"id": [], "page": "1", "size": "x"})",
        {{"id", "FIELD_INVALID"}, {"page", "FIELD_INVALID"}, {"size", "FIELD_INVALID"}}}},
      // Needs the ticket_system option; {} would still need one of payload and poll.
      {"tickets.sync",
       {false, {}, R"({"payload": 5, "poll": "yes"})", {{"payload", "FIELD_INVALID"}, {"poll", "FIELD_INVALID"}},
        10004}},
      {"tickets.transition",
       {false,
        {{"id", "FIELD_REQUIRED"}, {"to", "FIELD_REQUIRED"}},
        R"({"id": "1", "to": 2, "comment": 3})",
        {{"id", "FIELD_INVALID"}, {"to", "FIELD_INVALID"}, {"comment", "FIELD_INVALID"}}}},
      // {} saves an empty draft: a form the customer opened.
      {"tickets.drafts.save",
       {true,
        {},
        R"({"draft_id": "1", "title": 1, "description": 2, "category": 3, "priority": "x", "contact": 5,
            "session_id": 6})",
        {{"draft_id", "FIELD_INVALID"},
         {"title", "FIELD_INVALID"},
         {"description", "FIELD_INVALID"},
         {"category", "FIELD_INVALID"},
         {"priority", "FIELD_INVALID"},
         {"contact", "FIELD_INVALID"},
         {"session_id", "FIELD_INVALID"}}}},
      // {} lists the caller's drafts.
      {"tickets.drafts.list",
       {true, {}, R"({"page": "one", "size": 0})", {{"page", "FIELD_INVALID"}, {"size", "OUT_OF_RANGE"}}}},
      {"tickets.drafts.delete",
       {false, {{"draft_id", "FIELD_REQUIRED"}}, R"({"draft_id": "x"})", {{"draft_id", "FIELD_INVALID"}}}},
  };
  return kCases;
}

class BadInputTest : public PortalTest {
 protected:
  void SetUp() override {
    PortalTest::SetUp();
    // Something of everything, so that a bad request that wrote anything would show.
    const std::string id = StartSession(User());
    ASSERT_TRUE(IsSuccess(
        Call("sessions.interactions.add", User(),
             json::object{{"session_id", id}, {"interaction_type", "question"}, {"user_input", "q"}})));
    SubmitFeedback(User());
    ASSERT_TRUE(
        IsSuccess(Call("portal.config.update", CustomerAdmin(), json::object{{"portal_title", "ACME"}})));
    ASSERT_TRUE(IsSuccess(Call("analytics.track", User(), json::object{{"page_path", "/faq"}})));
  }
};

TEST_F(BadInputTest, EveryMethodHasACase) {
  for (const auto& method : Portal::Methods()) {
    EXPECT_TRUE(Cases().count(method.name) == 1) << "no bad-input case for " << method.name;
  }
  EXPECT_EQ(Cases().size(), Portal::Methods().size());
}

TEST_F(BadInputTest, EmptyRequestAnswersRequiredFieldsOrSucceeds) {
  for (const auto& method : Portal::Methods()) {
    auto found = Cases().find(method.name);
    if (found == Cases().end()) continue;
    const MethodCase& test = found->second;
    const std::string before = Snapshot();
    const json::object answer = Call(method.name, PlatformAdmin(), json::object{});
    if (test.empty_code != 0) {
      EXPECT_TRUE(IsError(answer, test.empty_code)) << method.name << " " << answer;
      ASSERT_EQ(answer.at("errors").as_array().size(), 1u) << method.name;
      EXPECT_EQ(answer.at("errors").at(0).at("code"), "NOT_CONFIGURED") << method.name;
      EXPECT_EQ(Snapshot(), before) << method.name << " stored something";
      continue;
    }
    if (test.empty_succeeds) {
      EXPECT_TRUE(IsSuccess(answer)) << method.name;
      continue;
    }
    ASSERT_TRUE(IsError(answer, 10001)) << method.name;
    EXPECT_EQ(answer.at("errors").as_array().size(), test.empty_errors.size())
        << method.name << " " << answer;
    for (const auto& error : test.empty_errors) {
      EXPECT_TRUE(HasFieldError(answer, error.field, error.code)) << method.name;
    }
    EXPECT_EQ(Snapshot(), before) << method.name << " stored something";
  }
}

TEST_F(BadInputTest, WrongTypesAnswerEveryFieldErrorAndStoreNothing) {
  for (const auto& method : Portal::Methods()) {
    auto found = Cases().find(method.name);
    if (found == Cases().end()) continue;
    const MethodCase& test = found->second;
    if (test.wrong_types.empty()) continue;
    const std::string before = Snapshot();
    const Method* entry = FindMethod(method.name);
    ASSERT_NE(entry, nullptr);
    for (const auto& [caller, role] :
         {std::pair(PlatformAdmin(), Role::kPlatformAdmin), std::pair(CustomerAdmin(), Role::kCustomerAdmin),
          std::pair(User(), Role::kCustomerUser)}) {
      const json::object answer = CallWithText(method.name, caller, test.wrong_types);
      RequestContext context;
      context.roles = static_cast<unsigned>(role);
      if (!Permits(context, entry->permission)) {
        EXPECT_TRUE(IsError(answer, 10003)) << method.name;
        continue;
      }
      ASSERT_TRUE(IsError(answer, 10001)) << method.name;
      EXPECT_EQ(answer.at("errors").as_array().size(), test.wrong_type_errors.size())
          << method.name << " " << answer;
      for (const auto& error : test.wrong_type_errors) {
        EXPECT_TRUE(HasFieldError(answer, error.field, error.code)) << method.name;
      }
    }
    EXPECT_EQ(Snapshot(), before) << method.name << " stored something";
  }
}

TEST_F(BadInputTest, NullForARequiredFieldIsRequired) {
  for (const auto& method : Portal::Methods()) {
    auto found = Cases().find(method.name);
    if (found == Cases().end() || found->second.empty_succeeds || found->second.empty_code != 0) continue;
    json::object request;
    for (const auto& error : found->second.empty_errors) request[error.field] = nullptr;
    const json::object answer = Call(method.name, PlatformAdmin(), request);
    ASSERT_TRUE(IsError(answer, 10001)) << method.name;
    for (const auto& error : found->second.empty_errors) {
      EXPECT_TRUE(HasFieldError(answer, error.field, "FIELD_REQUIRED")) << method.name;
    }
  }
}

TEST_F(BadInputTest, UnknownFieldsAreIgnored) {
  const json::object answer =
      Call("sessions.start", User(),
           json::object{{"initial_question", "x"}, {"no_such_field", json::array{1, 2}}});
  EXPECT_TRUE(IsSuccess(answer));
}

TEST_F(BadInputTest, PermissionIsCheckedBeforeTheRequest) {
  for (const auto& method : MethodTable()) {
    if (method.permission == Permission::kCustomerUser || method.permission == Permission::kAnyone) continue;
    const json::object answer =
        CallWithText(method.info.name, User(), R"({"customer_id": "x", "idle_timeout_seconds": -1})");
    EXPECT_TRUE(IsError(answer, 10003)) << method.info.name;
  }
}

TEST_F(BadInputTest, ListMethodsRefuseBadPages) {
  const std::string id = StartSession(User());
  const std::pair<json::object, std::string> cases[] = {
      {json::object{{"page", 0}}, "page"},       {json::object{{"page", -3}}, "page"},
      {json::object{{"page", 1000001}}, "page"}, {json::object{{"size", 0}}, "size"},
      {json::object{{"size", 101}}, "size"},     {json::object{{"size", -1}}, "size"},
  };
  for (const auto& method : Portal::Methods()) {
    const std::string_view name = method.name;
    if (name.size() < 5 || name.substr(name.size() - 5) != ".list") continue;
    for (auto [request, field] : cases) {
      request["session_id"] = id;
      const json::object answer = Call(name, CustomerAdmin(), request);
      ASSERT_TRUE(IsError(answer, 10001)) << name << " " << request;
      EXPECT_TRUE(HasFieldError(answer, field, "OUT_OF_RANGE")) << name << " " << request;
    }
    for (const json::value& size :
         {json::value("x"), json::value(2.5), json::value(true), json::value(json::array{})}) {
      const json::object answer = Call(name, CustomerAdmin(), json::object{{"session_id", id}, {"size", size}});
      ASSERT_TRUE(IsError(answer, 10001)) << name;
      EXPECT_TRUE(HasFieldError(answer, "size", "FIELD_INVALID")) << name;
    }
    EXPECT_TRUE(IsSuccess(Call(name, CustomerAdmin(), json::object{{"session_id", id}, {"page", 1}, {"size", 100}})))
        << name;
  }
}

}  // namespace
}  // namespace selfservice::test
