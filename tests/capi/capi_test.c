/*
 * The C ABI driven from C, as a C host sees it (compiled as C99, no JSON library): every function
 * of capi/selfservice.h, its NULL and malformed inputs, and a customer's whole self-service flow
 * on a file database. Envelopes are checked by searching their text.
 */
#define _POSIX_C_SOURCE 200809L

#include "selfservice.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "envelope_text.h"

static const char* phase = "";

static void StartPhase(const char* name) {
  fprintf(stderr, "=== Test %s\n", name);
  phase = name;
}

#define CheckCondition(cond)                                                              \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, phase, #cond); \
      abort();                                                                            \
    }                                                                                     \
  } while (0)

/* Like CheckCondition, and shows the envelope the check was about. */
#define CheckEnvelope(cond, envelope)                                                                    \
  do {                                                                                                   \
    if (!(cond)) {                                                                                       \
      fprintf(stderr, "%s:%d: %s: check failed: %s\n  envelope: %s\n", __FILE__, __LINE__, phase, #cond, \
              (envelope) ? (envelope) : "(null)");                                                       \
      abort();                                                                                           \
    }                                                                                                    \
  } while (0)

static int Contains(const char* text, const char* part) {
  return text != NULL && strstr(text, part) != NULL;
}

/* A request built with printf formatting, for requests that name an id. */
static const char* Format(char* buffer, size_t size, const char* format, ...) {
  va_list args;
  int n;
  va_start(args, format);
  n = vsnprintf(buffer, size, format, args);
  va_end(args);
  CheckCondition(n > 0 && (size_t)n < size);
  return buffer;
}

/* Calls a method, checks the envelope's code and returns the envelope (free it). */
static char* CallAt(int line, selfservice_portal* portal, const char* method, const char* context,
                    const char* request, long expected) {
  char* envelope = selfservice_invoke(portal, method, context, request);
  if (envelope == NULL || Code(envelope) != expected) {
    fprintf(stderr, "%s:%d: %s: %s answered %ld, expected %ld\n  envelope: %s\n", __FILE__, line, phase,
            method ? method : "(null)", Code(envelope), expected, envelope ? envelope : "(null)");
    abort();
  }
  return envelope;
}

#define Call(portal, method, context, request, expected) \
  CallAt(__LINE__, portal, method, context, request, expected)

/* Calls a method and checks only its code. */
#define Expect(portal, method, context, request, expected) \
  selfservice_free(CallAt(__LINE__, portal, method, context, request, expected))

static const char kUser[] =
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":100,\"roles\":[\"customer_user\"],"
    "\"locale\":\"en-US\",\"trace_id\":\"capi-test-trace\"}";
static const char kUserZh[] =
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":100,\"roles\":[\"customer_user\"],\"locale\":\"zh-CN\"}";
static const char kCustomerAdmin[] =
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":101,\"roles\":[\"customer_admin\"],\"locale\":\"en-"
    "US\"}";
static const char kPlatformAdmin[] =
    "{\"tenant_id\":1,\"customer_id\":1,\"user_id\":900,\"roles\":[\"platform_admin\"],\"locale\":\"en-US\"}";
static const char kOtherTenant[] =
    "{\"tenant_id\":2,\"customer_id\":20,\"user_id\":200,\"roles\":[\"customer_user\"],\"locale\":\"en-US\"}";

static void TestVersion(void) {
  const char* version = selfservice_version();
  int major = -1, minor = -1, patch = -1;
  char rest = 0;
  StartPhase("version");
  CheckCondition(version != NULL);
  CheckCondition(sscanf(version, "%d.%d.%d%c", &major, &minor, &patch, &rest) == 3);
  CheckCondition(strcmp(version, SELFSERVICE_TEST_VERSION) == 0);
  CheckCondition(version == selfservice_version());
  StartPhase("abi_version");
  CheckCondition(selfservice_abi_version() == SELFSERVICE_TEST_ABI_VERSION);
}

/* The method table, as hosts and bindings discover it. */
static void TestMethods(void) {
  char* methods = NULL;
  StartPhase("methods");
  methods = selfservice_methods();
  CheckCondition(methods != NULL);
  CheckEnvelope(methods[0] == '[', methods);
  CheckEnvelope(Contains(methods,
                         "{\"name\":\"auth.login\",\"http_method\":\"POST\",\"route\":"
                         "\"/api/v1/customer-portal/auth/login\",\"least_role\":\"anyone\",\"feature\":\"\","
                         "\"rate_class\":\"auth\",\"binary\":\"\"}"),
                methods);
  CheckEnvelope(Contains(methods, "\"name\":\"tickets.create\"") && Contains(methods, "\"feature\":\"tickets\"") &&
                    Contains(methods, "\"least_role\":\"platform_admin\""),
                methods);
  CheckEnvelope(Contains(methods, "\"route\":\"/api/v1/customer-portal/documents/{id}/download\",\"least_role\":"
                                  "\"customer_user\",\"feature\":\"documents\",\"rate_class\":\"read\","
                                  "\"binary\":\"download\"}"),
                methods);
  selfservice_free(methods);
}

/* The portal's health; NULL answers an error envelope naming the portal. */
static void TestHealth(void) {
  selfservice_portal* portal = selfservice_portal_open("{\"log_level\":\"off\"}", NULL);
  char* health = NULL;
  StartPhase("health");
  CheckCondition(portal != NULL);
  health = selfservice_health(portal);
  CheckCondition(health != NULL);
  CheckEnvelope(Contains(health, "{\"status\":\"up\",\"components\":{\"database\":{\"status\":\"up\"}"), health);
  CheckEnvelope(Contains(health, "\"breakers\":{\"ai.local\":\"closed\"}"), health);
  CheckEnvelope(Contains(health, "\"outbox\":{\"pending\":0}") && Contains(health, "\"subscriptions\":0"), health);
  selfservice_free(health);
  selfservice_portal_close(portal);

  StartPhase("health of NULL");
  health = selfservice_health(NULL);
  CheckEnvelope(Code(health) == 10001 && Contains(health, "\"field\":\"portal\""), health);
  selfservice_free(health);
}

/* Opening must fail with NULL and an error envelope of `code` that names `field` (when given). */
static void CheckOpenFails(const char* options, long code, const char* field) {
  char* error = NULL;
  selfservice_portal* portal = selfservice_portal_open(options, &error);
  CheckEnvelope(portal == NULL, options);
  CheckEnvelope(Code(error) == code, error);
  CheckEnvelope(
      Contains(error, "\"errors\":") && Contains(error, "\"trace_id\":") && Contains(error, "\"help_url\":"),
      error);
  if (field != NULL) {
    char expected[64];
    CheckEnvelope(Contains(error, Format(expected, sizeof expected, "\"field\":\"%s\"", field)), error);
  }
  selfservice_free(error);
  /* The error is optional to receive. */
  CheckCondition(selfservice_portal_open(options, NULL) == NULL);
}

static void TestOpen(const char* directory) {
  char* error = (char*)"not reset";
  char options[512];
  selfservice_portal* portal;

  StartPhase("open_null_options_is_a_private_memory_database");
  portal = selfservice_portal_open(NULL, &error);
  CheckCondition(portal != NULL);
  CheckCondition(error == NULL);
  Expect(portal, "sessions.list", kUser, "{}", 200);
  selfservice_portal_close(portal);
  portal = selfservice_portal_open(NULL, NULL);
  CheckCondition(portal != NULL);
  selfservice_portal_close(portal);

  StartPhase("open_memory_with_all_options");
  error = (char*)"not reset";
  portal = selfservice_portal_open(
      "{\"storage\":\"sqlite::memory:\",\"pool_size\":2,\"session_idle_timeout_seconds\":60,"
      "\"log_level\":\"off\",\"unknown_key\":true}",
      &error);
  CheckCondition(portal != NULL);
  CheckCondition(error == NULL);
  selfservice_portal_close(portal);

  StartPhase("open_malformed_options");
  CheckOpenFails("{not json", 10001, "options_json");
  CheckOpenFails("", 10001, "options_json");
  CheckOpenFails("[1,2]", 10001, "options_json");

  StartPhase("open_bad_options");
  CheckOpenFails("{\"storage\":5}", 10001, "storage");
  CheckOpenFails("{\"storage\":\"nosuchscheme:x\"}", 10001, "storage");
  CheckOpenFails("{\"pool_size\":0}", 10001, "pool_size");
  CheckOpenFails("{\"log_level\":\"loud\"}", 10001, "log_level");

  StartPhase("open_unreachable_storage");
  CheckOpenFails(Format(options, sizeof options,
                        "{\"storage\":\"sqlite:%s/missing-dir/portal.db\",\"log_level\":\"off\"}", directory),
                 20004, NULL);

  StartPhase("close_and_free_accept_null");
  selfservice_portal_close(NULL);
  selfservice_free(NULL);
}

static void TestInvokeBadArguments(void) {
  char* envelope;
  selfservice_portal* portal = selfservice_portal_open("{\"log_level\":\"off\"}", NULL);
  CheckCondition(portal != NULL);

  StartPhase("invoke_null_portal");
  envelope = Call(NULL, "sessions.list", kUser, "{}", 10001);
  CheckEnvelope(Contains(envelope, "\"field\":\"portal\""), envelope);
  selfservice_free(envelope);

  StartPhase("invoke_null_method");
  envelope = Call(portal, NULL, kUser, "{}", 10001);
  CheckEnvelope(Contains(envelope, "\"field\":\"method\""), envelope);
  selfservice_free(envelope);

  StartPhase("invoke_unknown_method");
  Expect(portal, "no.such.method", kUser, "{}", 10004);
  Expect(portal, "", kUser, "{}", 10004);

  StartPhase("invoke_null_or_bad_context");
  Expect(portal, "sessions.list", NULL, "{}", 10002);
  Expect(portal, "sessions.list", "{oops", "{}", 10002);
  Expect(portal, "sessions.list", "[]", "{}", 10002);
  Expect(portal, "sessions.list", "{\"user_id\":1}", "{}", 10002);

  StartPhase("invoke_null_or_bad_request");
  envelope = Call(portal, "sessions.list", kUser, NULL, 10001);
  CheckEnvelope(Contains(envelope, "\"field\":\"request_json\""), envelope);
  selfservice_free(envelope);
  Expect(portal, "sessions.start", kUser, "{oops", 10001);
  Expect(portal, "sessions.start", kUser, "[]", 10001);
  Expect(portal, "sessions.start", kUser, "\"text\"", 10001);

  StartPhase("errors_follow_the_locale");
  envelope = Call(portal, "sessions.start", kUser, "{\"session_type\":\"bogus\"}", 10001);
  CheckEnvelope(Contains(envelope, "\"message\":\"Invalid request parameters\""), envelope);
  CheckEnvelope(Contains(envelope, "\"field\":\"session_type\""), envelope);
  CheckEnvelope(Contains(envelope, "\"help_url\":\"https://"), envelope);
  selfservice_free(envelope);
  envelope = Call(portal, "sessions.start", kUserZh, "{\"session_type\":\"bogus\"}", 10001);
  CheckEnvelope(!Contains(envelope, "\"message\":\"Invalid request parameters\""), envelope);
  selfservice_free(envelope);

  StartPhase("permissions");
  Expect(portal, "portal.theme.update", kUser, "{\"theme_color\":\"#1677FF\"}", 10003);
  Expect(portal, "sessions.sweep", kUser, "{}", 10003);

  selfservice_portal_close(portal);
}

static void TestSessionFlow(const char* database) {
  char options[512];
  char request[1024];
  char session_id[64];
  char* error = NULL;
  char* envelope;
  long feedback_id;
  selfservice_portal* portal;

  StartPhase("open_file_database");
  portal = selfservice_portal_open(
      Format(options, sizeof options, "{\"storage\":\"sqlite:%s\",\"log_level\":\"off\"}", database), &error);
  CheckEnvelope(portal != NULL, error);

  StartPhase("portal_config_and_theme");
  envelope = Call(portal, "portal.config.get", kUser, "{}", 200);
  CheckEnvelope(Contains(envelope, "\"theme_color\":"), envelope);
  selfservice_free(envelope);
  envelope = Call(portal, "portal.theme.update", kCustomerAdmin,
                  "{\"portal_title\":\"自助服务中心\",\"theme_color\":\"#1677FF\"}", 200);
  CheckEnvelope(Contains(envelope, "\"theme_color\":\"#1677FF\""), envelope);
  selfservice_free(envelope);
  Expect(portal, "portal.theme.update", kCustomerAdmin, "{\"theme_color\":\"not-a-colour\"}", 10001);
  envelope = Call(portal, "portal.theme.get", kUser, "{}", 200);
  CheckEnvelope(Contains(envelope, "\"portal_title\":\"自助服务中心\""), envelope);
  selfservice_free(envelope);

  StartPhase("sessions_start");
  envelope = Call(portal, "sessions.start", kUser,
                  "{\"session_type\":\"ai_chat\",\"initial_question\":\"服务器连接不上怎么办？\"}", 200);
  CheckEnvelope(StringAfter(envelope, "session_id", session_id, sizeof session_id), envelope);
  CheckEnvelope(strncmp(session_id, "sess_", 5) == 0, envelope);
  CheckEnvelope(Contains(envelope, "\"state\":\"in_progress\""), envelope);
  CheckEnvelope(Contains(envelope, "\"trace_id\":\"capi-test-trace\""), envelope);
  CheckEnvelope(Contains(envelope, "\"initial_question\":\"服务器连接不上怎么办？\""), envelope);
  selfservice_free(envelope);

  StartPhase("sessions_interactions_add");
  Expect(portal, "sessions.interactions.add", kUser,
         Format(request, sizeof request,
                "{\"session_id\":\"%s\",\"interaction_type\":\"question\",\"user_input\":\"ping 超时\"}",
                session_id),
         200);
  envelope = Call(portal, "sessions.interactions.add", kUser,
                  Format(request, sizeof request,
                         "{\"session_id\":\"%s\",\"interaction_type\":\"answer\",\"system_response\":"
                         "\"请检查防火墙\",\"ai_confidence\":0.86,\"response_time\":850}",
                         session_id),
                  200);
  CheckEnvelope(IntegerAfter(envelope, "interaction_count") == 2, envelope);
  selfservice_free(envelope);
  envelope = Call(
      portal, "sessions.interactions.add", kUser,
      Format(request, sizeof request,
             "{\"session_id\":\"%s\",\"interaction_type\":\"question\",\"ai_confidence\":7}", session_id),
      10001);
  CheckEnvelope(Contains(envelope, "\"field\":\"ai_confidence\""), envelope);
  selfservice_free(envelope);
  envelope = Call(
      portal, "sessions.interactions.list", kUser,
      Format(request, sizeof request, "{\"session_id\":\"%s\",\"page\":1,\"size\":10}", session_id), 200);
  CheckEnvelope(Contains(envelope, "\"pagination\":") && IntegerAfter(envelope, "total") == 2, envelope);
  selfservice_free(envelope);

  StartPhase("sessions_transition");
  Expect(portal, "sessions.transition", kUser,
         Format(request, sizeof request, "{\"session_id\":\"%s\",\"to\":\"paused\"}", session_id), 200);
  Expect(portal, "sessions.transition", kUser,
         Format(request, sizeof request,
                "{\"session_id\":\"%s\",\"to\":\"resolved\",\"resolution_status\":\"resolved\"}", session_id),
         10006);
  Expect(portal, "sessions.transition", kUser,
         Format(request, sizeof request, "{\"session_id\":\"%s\",\"to\":\"in_progress\"}", session_id), 200);
  Expect(portal, "sessions.transition", kUser,
         Format(request, sizeof request, "{\"session_id\":\"%s\",\"to\":\"rated\"}", session_id), 10006);
  envelope = Call(
      portal, "sessions.transition", kUser,
      Format(request, sizeof request,
             "{\"session_id\":\"%s\",\"to\":\"resolved\",\"resolution_status\":\"resolved\"}", session_id),
      200);
  CheckEnvelope(Contains(envelope, "\"state\":\"resolved\""), envelope);
  CheckEnvelope(!Contains(envelope, "\"ended_at\":null"), envelope);
  selfservice_free(envelope);

  StartPhase("satisfaction_submit");
  Expect(portal, "satisfaction.submit", kUser,
         Format(request, sizeof request, "{\"session_id\":\"%s\",\"score\":9}", session_id), 10001);
  envelope = Call(
      portal, "satisfaction.submit", kUser,
      Format(request, sizeof request, "{\"session_id\":\"%s\",\"score\":5,\"comment\":\"很快\"}", session_id),
      200);
  CheckEnvelope(Contains(envelope, "\"state\":\"rated\""), envelope);
  CheckEnvelope(IntegerAfter(envelope, "satisfaction_score") == 5, envelope);
  selfservice_free(envelope);

  StartPhase("tenant_isolation");
  Expect(portal, "sessions.get", kOtherTenant,
         Format(request, sizeof request, "{\"session_id\":\"%s\"}", session_id), 10004);
  envelope = Call(portal, "sessions.list", kOtherTenant, "{\"page\":1,\"size\":10}", 200);
  CheckEnvelope(IntegerAfter(envelope, "total") == 0, envelope);
  selfservice_free(envelope);

  StartPhase("feedback_submit");
  envelope = Call(portal, "feedback.submit", kUser,
                  Format(request, sizeof request,
                         "{\"feedback_type\":\"service\",\"related_type\":\"session\",\"related_id\":\"%s\","
                         "\"rating\":5,\"feedback_content\":\"回答准确\"}",
                         session_id),
                  200);
  feedback_id = IntegerAfter(envelope, "id");
  CheckEnvelope(feedback_id > 0, envelope);
  CheckEnvelope(Contains(envelope, "\"state\":\"pending\""), envelope);
  selfservice_free(envelope);
  envelope = Call(portal, "feedback.submit", kUser,
                  Format(request, sizeof request,
                         "{\"feedback_type\":\"service\",\"related_type\":\"session\",\"related_id\":\"%s\","
                         "\"rating\":6}",
                         session_id),
                  10001);
  CheckEnvelope(Contains(envelope, "\"field\":\"rating\""), envelope);
  selfservice_free(envelope);
  Expect(portal, "feedback.submit", kUser, "{\"feedback_type\":\"service\",\"rating\":4}", 10001);

  StartPhase("feedback_transition");
  Format(request, sizeof request, "{\"id\":%ld,\"to\":\"processing\"}", feedback_id);
  Expect(portal, "feedback.transition", kUser, request, 10003);
  Expect(portal, "feedback.transition", kPlatformAdmin, request, 200);
  Expect(portal, "feedback.transition", kPlatformAdmin,
         Format(request, sizeof request, "{\"id\":%ld,\"to\":\"closed\"}", feedback_id), 10006);
  Expect(portal, "feedback.transition", kPlatformAdmin,
         Format(request, sizeof request, "{\"id\":%ld,\"to\":\"processed\",\"response_content\":\"已处理\"}",
                feedback_id),
         200);
  Expect(portal, "feedback.transition", kUser,
         Format(request, sizeof request, "{\"id\":%ld,\"to\":\"closed\"}", feedback_id), 200);

  StartPhase("feedback_get_and_list");
  envelope =
      Call(portal, "feedback.get", kUser, Format(request, sizeof request, "{\"id\":%ld}", feedback_id), 200);
  CheckEnvelope(Contains(envelope, "\"state\":\"closed\""), envelope);
  CheckEnvelope(IntegerAfter(envelope, "status") == 4, envelope);
  CheckEnvelope(IntegerAfter(envelope, "processed_by") == 900, envelope);
  selfservice_free(envelope);
  Expect(portal, "feedback.get", kOtherTenant, request, 10004);
  envelope = Call(portal, "feedback.list", kUser, "{\"page\":1,\"size\":20}", 200);
  CheckEnvelope(Contains(envelope, "\"pagination\":") && IntegerAfter(envelope, "total") == 1, envelope);
  selfservice_free(envelope);

  StartPhase("analytics_track");
  envelope = Call(portal, "analytics.track", kUser,
                  "{\"events\":["
                  "{\"page_path\":\"/portal\",\"action_type\":\"view\",\"device_type\":\"desktop\"},"
                  "{\"page_path\":\"/faq\",\"action_type\":\"search\",\"search_keywords\":\"VPN 断线\"},"
                  "{\"page_path\":\"/faq/42\",\"action_type\":\"click\",\"device_type\":\"mobile\"}]}",
                  200);
  CheckEnvelope(IntegerAfter(envelope, "accepted") == 3, envelope);
  selfservice_free(envelope);
  Expect(portal, "analytics.track", kUser, "{\"page_path\":\"/x\",\"action_type\":\"teleport\"}", 10001);
  Expect(portal, "analytics.track", kUser, "{\"events\":{}}", 10001);

  StartPhase("sessions_list_pagination");
  Expect(portal, "sessions.start", kUser, "{\"session_type\":\"search\",\"initial_question\":\"VPN\"}", 200);
  envelope = Call(portal, "sessions.list", kUser, "{\"page\":1,\"size\":1}", 200);
  CheckEnvelope(IntegerAfter(envelope, "total") == 2 && IntegerAfter(envelope, "pages") == 2, envelope);
  selfservice_free(envelope);
  Expect(portal, "sessions.list", kUser, "{\"page\":0}", 10001);

  selfservice_portal_close(portal);

  StartPhase("file_database_survives_reopen");
  portal = selfservice_portal_open(options, &error);
  CheckEnvelope(portal != NULL, error);
  envelope = Call(portal, "sessions.get", kUser,
                  Format(request, sizeof request, "{\"session_id\":\"%s\"}", session_id), 200);
  CheckEnvelope(Contains(envelope, "\"state\":\"rated\"") && IntegerAfter(envelope, "interaction_count") == 2,
                envelope);
  selfservice_free(envelope);
  selfservice_portal_close(portal);
}

/* Removes the database and whatever journal files SQLite left next to it. */
static void RemoveDatabase(const char* database) {
  /* The database, its WAL files and the key that encrypts its sensitive columns. */
  static const char* const kSuffixes[] = {"", "-wal", "-shm", "-journal", ".key"};
  char path[512];
  size_t i;
  for (i = 0; i < sizeof kSuffixes / sizeof kSuffixes[0]; ++i) {
    unlink(Format(path, sizeof path, "%s%s", database, kSuffixes[i]));
  }
}

/* A loopback port where nothing listens: the port of a socket bound and closed at once. */
static int ClosedPort(void) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  CheckCondition(probe >= 0);
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CheckCondition(bind(probe, (struct sockaddr*)&address, sizeof address) == 0);
  CheckCondition(getsockname(probe, (struct sockaddr*)&address, &length) == 0);
  close(probe);
  return ntohs(address.sin_port);
}

/* The remote systems of the options JSON: bad values refuse to open; an Elasticsearch cluster
 * that is down leaves search answering from the local engine, marked degraded. */
static void TestRemoteOptions(void) {
  char options[512];
  char* error = NULL;
  char* envelope;
  selfservice_portal* portal;

  StartPhase("open_refuses_bad_search_options");
  CheckOpenFails("{\"search\":{\"backend\":\"solr\"}}", 10001, "search.backend");
  CheckOpenFails("{\"search\":{\"backend\":\"elasticsearch\",\"elasticsearch\":{\"urls\":[]}}}", 10001,
                 "search.elasticsearch.urls");
  StartPhase("open_refuses_bad_knowledge_source_options");
  CheckOpenFails("{\"knowledge_source\":{\"base_url\":\"https://p.example\",\"timeout_ms\":0}}", 10001,
                 "knowledge_source.timeout_ms");

  StartPhase("elasticsearch_down_degrades_search_to_the_local_engine");
  Format(options, sizeof options,
         "{\"log_level\":\"off\",\"search\":{\"backend\":\"elasticsearch\",\"elasticsearch\":"
         "{\"urls\":[\"http://127.0.0.1:%d\"],\"request_timeout_ms\":500}}}",
         ClosedPort());
  portal = selfservice_portal_open(options, &error);
  CheckEnvelope(portal != NULL, error);
  Expect(portal, "knowledge.upsert", kCustomerAdmin,
         "{\"title\":\"Printer does not print\",\"body\":\"Check the driver.\",\"lang\":\"en\"}", 200);
  envelope = Call(portal, "search.query", kUser, "{\"q\":\"printer\"}", 200);
  CheckEnvelope(Contains(envelope, "\"backend\":\"local\"") && Contains(envelope, "\"degraded\":true") &&
                    Contains(envelope, "Printer does not print"),
                envelope);
  selfservice_free(envelope);
  Expect(portal, "search.reindex", kCustomerAdmin, "{}", 20002);

  StartPhase("knowledge_sync_without_a_knowledge_source_is_not_configured");
  envelope = Call(portal, "knowledge.sync", kCustomerAdmin, "{}", 10004);
  CheckEnvelope(Contains(envelope, "\"field\":\"knowledge_source\"") && Contains(envelope, "NOT_CONFIGURED"),
                envelope);
  selfservice_free(envelope);
  selfservice_portal_close(portal);
}

/* What a progress callback saw; it answers `stop_at_call` (1-based) with "stop", 0 never stops. */
struct Progress {
  long calls;
  int64_t last_done;
  int64_t total;
  int went_back;
  long stop_at_call;
  const void* self;
};

static int RecordProgress(void* user_data, int64_t done, int64_t total) {
  struct Progress* progress = (struct Progress*)user_data;
  ++progress->calls;
  if (done < progress->last_done || done > total || (progress->calls > 1 && total != progress->total)) {
    progress->went_back = 1;
  }
  progress->last_done = done;
  progress->total = total;
  progress->self = user_data;
  return progress->stop_at_call != 0 && progress->calls >= progress->stop_at_call;
}

static struct Progress NewProgress(long stop_at_call) {
  struct Progress progress;
  memset(&progress, 0, sizeof progress);
  progress.stop_at_call = stop_at_call;
  return progress;
}

/* {"articles": [...]} with `count` valid records; free it. */
static char* ArticlesRequest(int count) {
  const size_t size = 64 + (size_t)count * 96;
  char* request = (char*)malloc(size);
  size_t used;
  int i;
  CheckCondition(request != NULL);
  used = (size_t)snprintf(request, size, "{\"articles\":[");
  for (i = 0; i < count; ++i) {
    used +=
        (size_t)snprintf(request + used, size - used,
                         "%s{\"id\":\"kb-%d\",\"title\":\"Article %d\",\"body\":\"Fix %d\",\"lang\":\"en\"}",
                         i > 0 ? "," : "", i, i, i);
    CheckCondition(used < size);
  }
  used += (size_t)snprintf(request + used, size - used, "]}");
  CheckCondition(used < size);
  return request;
}

/* Calls selfservice_invoke_with_progress, checks the envelope's code and returns it (free it). */
static char* CallWithProgressAt(int line, selfservice_portal* portal, const char* method, const char* context,
                                const char* request, struct Progress* progress, long expected) {
  char* envelope = selfservice_invoke_with_progress(portal, method, context, request,
                                                    progress ? RecordProgress : NULL, progress);
  if (envelope == NULL || Code(envelope) != expected) {
    fprintf(stderr, "%s:%d: %s: %s answered %ld, expected %ld\n  envelope: %.400s\n", __FILE__, line, phase,
            method ? method : "(null)", Code(envelope), expected, envelope ? envelope : "(null)");
    abort();
  }
  return envelope;
}

#define CallWithProgress(portal, method, context, request, progress, expected) \
  CallWithProgressAt(__LINE__, portal, method, context, request, progress, expected)

static void TestInvokeWithProgress(void) {
  char* request = ArticlesRequest(1001);
  char* envelope;
  char* plain;
  struct Progress progress = NewProgress(0);
  selfservice_portal* portal = selfservice_portal_open("{\"log_level\":\"off\"}", NULL);
  CheckCondition(portal != NULL);

  StartPhase("invoke_with_progress_reports_an_import_up_to_its_total");
  envelope = CallWithProgress(portal, "knowledge.import", kCustomerAdmin, request, &progress, 200);
  CheckEnvelope(IntegerAfter(envelope, "imported") == 1001 && Contains(envelope, "\"cancelled\":false"),
                envelope);
  selfservice_free(envelope);
  CheckCondition(progress.calls == 3); /* after the transactions of 500, 500 and 1 articles */
  CheckCondition(!progress.went_back);
  CheckCondition(progress.total == 1001 && progress.last_done == 1001);
  CheckCondition(progress.self == &progress);

  StartPhase("invoke_with_progress_stops_when_the_callback_says_so");
  progress = NewProgress(1);
  envelope = CallWithProgress(portal, "knowledge.import", kPlatformAdmin, request, &progress, 200);
  CheckEnvelope(Contains(envelope, "\"cancelled\":true"), envelope);
  CheckEnvelope(IntegerAfter(envelope, "updated") == 500 && IntegerAfter(envelope, "imported") == 0,
                envelope);
  selfservice_free(envelope);
  CheckCondition(progress.calls == 1 && progress.last_done == 500);

  StartPhase("invoke_with_progress_null_callback_is_invoke");
  envelope = selfservice_invoke_with_progress(portal, "knowledge.list", kUser, "{\"page\":1,\"size\":1}",
                                              NULL, &progress);
  plain = Call(portal, "knowledge.list", kUser, "{\"page\":1,\"size\":1}", 200);
  CheckEnvelope(Code(envelope) == 200 && IntegerAfter(envelope, "total") == 1001, envelope);
  CheckEnvelope(IntegerAfter(plain, "total") == 1001, plain);
  selfservice_free(envelope);
  selfservice_free(plain);
  envelope = selfservice_invoke_with_progress(
      portal, "knowledge.import", kCustomerAdmin,
      "{\"articles\":[{\"id\":\"kb-x\",\"title\":\"X\",\"body\":\"b\"}]}", NULL, NULL);
  CheckEnvelope(Code(envelope) == 200 && IntegerAfter(envelope, "imported") == 1, envelope);
  selfservice_free(envelope);

  StartPhase("invoke_with_progress_other_methods_never_call_it");
  progress = NewProgress(0);
  selfservice_free(CallWithProgress(portal, "sessions.start", kUser,
                                    "{\"session_type\":\"ai_chat\",\"initial_question\":\"VPN\"}", &progress,
                                    200));
  selfservice_free(CallWithProgress(portal, "knowledge.list", kUser, "{}", &progress, 200));
  CheckCondition(progress.calls == 0);

  StartPhase("invoke_with_progress_bad_input_answers_envelopes");
  envelope = CallWithProgress(NULL, "knowledge.import", kCustomerAdmin, request, &progress, 10001);
  CheckEnvelope(Contains(envelope, "\"field\":\"portal\""), envelope);
  selfservice_free(envelope);
  envelope = CallWithProgress(portal, NULL, kCustomerAdmin, request, &progress, 10001);
  CheckEnvelope(Contains(envelope, "\"field\":\"method\""), envelope);
  selfservice_free(envelope);
  selfservice_free(CallWithProgress(portal, "no.such.method", kCustomerAdmin, request, &progress, 10004));
  selfservice_free(CallWithProgress(portal, "knowledge.import", NULL, request, &progress, 10002));
  selfservice_free(CallWithProgress(portal, "knowledge.import", "{oops", request, &progress, 10002));
  envelope = CallWithProgress(portal, "knowledge.import", kCustomerAdmin, NULL, &progress, 10001);
  CheckEnvelope(Contains(envelope, "\"field\":\"request_json\""), envelope);
  selfservice_free(envelope);
  selfservice_free(CallWithProgress(portal, "knowledge.import", kCustomerAdmin, "{oops", &progress, 10001));
  selfservice_free(CallWithProgress(portal, "knowledge.import", kCustomerAdmin, "{}", &progress, 10001));
  selfservice_free(CallWithProgress(portal, "knowledge.import", kUser, request, &progress, 10003));
  selfservice_free(CallWithProgress(portal, "knowledge.import", kPlatformAdmin,
                                    "{\"path\":\"relative.jsonl\"}", &progress, 10001));
  CheckCondition(progress.calls == 0);

  selfservice_portal_close(portal);
  free(request);
}

int main(void) {
  char directory[256];
  char database[512];
  const char* tmp = getenv("TMPDIR");

  Format(directory, sizeof directory, "%s/selfservice_capi_test_XXXXXX", tmp && *tmp ? tmp : "/tmp");
  CheckCondition(mkdtemp(directory) != NULL);
  Format(database, sizeof database, "%s/portal.db", directory);

  TestVersion();
  TestMethods();
  TestHealth();
  TestOpen(directory);
  TestInvokeBadArguments();
  TestInvokeWithProgress();
  TestRemoteOptions();
  TestSessionFlow(database);

  RemoveDatabase(database);
  CheckCondition(rmdir(directory) == 0);
  fprintf(stderr, "PASS\n");
  return 0;
}
