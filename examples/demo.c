/*
 * selfservice_demo: a customer's self-service flow through the C ABI, on a file database.
 *
 *   selfservice_demo [database]        default demo.db; deleted first, so every run starts fresh
 *
 * A customer admin brands the portal, a customer asks the AI a question, talks it through, pauses
 * and comes back, gets it resolved, rates it and leaves feedback; the platform's staff process the
 * feedback and the customer closes it; the portal records what the customer did; and two bad
 * calls show the error envelope. Each step prints who calls which method with what, and the
 * envelope the library answers, indented. The exit status is 0 only when every step answered as
 * expected. This is also the example of a C host: everything goes through selfservice.h.
 */
#include "selfservice.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who calls: a label to print and the context JSON the library reads. */
typedef struct {
  const char* label;
  const char* context;
} Caller;

static const Caller kCustomer = {
    "customer_user 100 of customer 10, tenant 1 (zh-CN)",
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":100,\"roles\":[\"customer_user\"],"
    "\"locale\":\"zh-CN\",\"trace_id\":\"demo-customer\"}"};
static const Caller kCustomerEnglish = {
    "customer_user 100 of customer 10, tenant 1 (en-US)",
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":100,\"roles\":[\"customer_user\"],"
    "\"locale\":\"en-US\",\"trace_id\":\"demo-customer-en\"}"};
static const Caller kCustomerAdmin = {
    "customer_admin 101 of customer 10, tenant 1",
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":101,\"roles\":[\"customer_admin\"],"
    "\"locale\":\"zh-CN\",\"trace_id\":\"demo-admin\"}"};
static const Caller kPlatformAdmin = {
    "platform_admin 900, tenant 1",
    "{\"tenant_id\":1,\"customer_id\":1,\"user_id\":900,\"roles\":[\"platform_admin\"],"
    "\"locale\":\"zh-CN\",\"trace_id\":\"demo-staff\"}"};
static const Caller kOtherTenant = {
    "customer_user 200 of customer 20, tenant 2",
    "{\"tenant_id\":2,\"customer_id\":20,\"user_id\":200,\"roles\":[\"customer_user\"],"
    "\"locale\":\"zh-CN\",\"trace_id\":\"demo-other-tenant\"}"};

static int steps = 0;
static int failures = 0;

static void NewLine(int depth) {
  int i;
  putchar('\n');
  for (i = 0; i < depth; ++i) fputs("  ", stdout);
}

/* Prints JSON text with one member or element per line, two spaces per level, the closing brace
 * of the whole value at `depth`. Strings are copied as they are (escapes included), so no JSON
 * library is needed. */
static void PrintJson(const char* json, int depth) {
  int in_string = 0;
  const char* p;
  for (p = json; *p != '\0'; ++p) {
    if (in_string) {
      putchar(*p);
      if (*p == '\\' && p[1] != '\0') {
        putchar(*++p);
      } else if (*p == '"') {
        in_string = 0;
      }
      continue;
    }
    switch (*p) {
      case '"':
        in_string = 1;
        putchar('"');
        break;
      case '{':
      case '[':
        putchar(*p);
        if (p[1] == '}' || p[1] == ']') {
          putchar(*++p);
        } else {
          NewLine(++depth);
        }
        break;
      case '}':
      case ']':
        NewLine(--depth);
        putchar(*p);
        break;
      case ',':
        putchar(',');
        NewLine(depth);
        break;
      case ':': fputs(": ", stdout); break;
      case ' ':
      case '\t':
      case '\r':
      case '\n': break;
      default: putchar(*p);
    }
  }
  putchar('\n');
}

/* The integer after the first "key": that holds a number, or -1. Error envelopes' field errors
 * carry "code" as a string, so IntegerAfter(envelope, "code") is the envelope's code. */
static long IntegerAfter(const char* json, const char* key) {
  char pattern[64];
  const char* at = json;
  sprintf(pattern, "\"%.50s\":", key);
  while (at != NULL && (at = strstr(at, pattern)) != NULL) {
    at += strlen(pattern);
    if ((*at >= '0' && *at <= '9') || *at == '-') return strtol(at, NULL, 10);
  }
  return -1;
}

static int Contains(const char* text, const char* part) {
  return text != NULL && strstr(text, part) != NULL;
}

/* Copies the string after the first "key": into out; 0 when there is none or it does not fit. */
static int StringAfter(const char* json, const char* key, char* out, size_t size) {
  char pattern[64];
  const char* value;
  const char* end;
  sprintf(pattern, "\"%.50s\":\"", key);
  value = json != NULL ? strstr(json, pattern) : NULL;
  if (value == NULL) return 0;
  value += strlen(pattern);
  end = strchr(value, '"');
  if (end == NULL || (size_t)(end - value) >= size) return 0;
  memcpy(out, value, (size_t)(end - value));
  out[end - value] = '\0';
  return 1;
}

/* snprintf that refuses to truncate: a demo request never comes near the buffer's size. */
static const char* Format(char* buffer, size_t size, const char* format, ...) {
  va_list args;
  int n;
  va_start(args, format);
  n = vsnprintf(buffer, size, format, args);
  va_end(args);
  if (n < 0 || (size_t)n >= size) {
    fprintf(stderr, "demo: request too long for its buffer\n");
    exit(2);
  }
  return buffer;
}

/* Records whether something the flow relies on holds. */
static int Expect(int condition, const char* what) {
  if (!condition) {
    ++failures;
    printf("  !! expected %s\n", what);
  }
  return condition;
}

/* One step: `caller` calls `method` with `request`; prints the call and the envelope, checks the
 * envelope's code. Returns the envelope, which the caller frees with selfservice_free(). */
static char* Step(selfservice_portal* portal, const char* title, const Caller* caller, const char* method,
                  const char* request, long expected_code) {
  char* envelope;
  char expected[64];
  ++steps;
  printf("\n[%d] %s\n  as %s\n  %s %s\n  => ", steps, title, caller->label, method, request);
  envelope = selfservice_invoke(portal, method, caller->context, request);
  PrintJson(envelope != NULL ? envelope : "null", 1);
  sprintf(expected, "code %ld", expected_code);
  Expect(IntegerAfter(envelope, "code") == expected_code, expected);
  return envelope;
}

/* A step whose envelope is not needed afterwards. */
static void Run(selfservice_portal* portal, const char* title, const Caller* caller, const char* method,
                const char* request, long expected_code) {
  selfservice_free(Step(portal, title, caller, method, request, expected_code));
}

/* `text` as the inside of a JSON string (quotes, backslashes and control characters escaped). */
static const char* JsonEscaped(const char* text, char* out, size_t size) {
  size_t n = 0;
  for (; *text != '\0'; ++text) {
    unsigned char c = (unsigned char)*text;
    if (n + 7 >= size) {
      fprintf(stderr, "demo: database path too long\n");
      exit(2);
    }
    if (c == '"' || c == '\\') {
      out[n++] = '\\';
      out[n++] = (char)c;
    } else if (c < 0x20) {
      n += (size_t)sprintf(out + n, "\\u%04x", c);
    } else {
      out[n++] = (char)c;
    }
  }
  out[n] = '\0';
  return out;
}

/* Deletes the database and the journal files SQLite may have left beside it. */
static void RemoveDatabase(const char* database) {
  static const char* const kSuffixes[] = {"", "-wal", "-shm", "-journal"};
  char path[1100];
  size_t i;
  for (i = 0; i < sizeof kSuffixes / sizeof kSuffixes[0]; ++i) {
    remove(Format(path, sizeof path, "%s%s", database, kSuffixes[i]));
  }
}

/* The whole flow on an open portal. */
static void Walk(selfservice_portal* portal) {
  char request[1024];
  char session_id[64] = "";
  char* envelope;
  long feedback_id;

  Run(portal, "Read the portal configuration (defaults until an admin saves one)", &kCustomer,
      "portal.config.get", "{}", 200);

  envelope = Step(portal, "Brand the portal: title and theme colour", &kCustomerAdmin, "portal.theme.update",
                  "{\"portal_title\":\"云服务自助中心\",\"theme_color\":\"#1677FF\","
                  "\"logo_url\":\"https://example.com/logo.png\"}",
                  200);
  Expect(Contains(envelope, "\"theme_color\":\"#1677FF\""), "the new theme colour");
  selfservice_free(envelope);

  envelope = Step(portal, "Start an AI chat session with a question", &kCustomer, "sessions.start",
                  "{\"session_type\":\"ai_chat\",\"initial_question\":\"服务器连接不上怎么办？\"}", 200);
  Expect(StringAfter(envelope, "session_id", session_id, sizeof session_id), "a session_id");
  Expect(Contains(envelope, "\"state\":\"in_progress\""), "the session in_progress");
  selfservice_free(envelope);

  Run(portal, "The customer adds detail to the question", &kCustomer, "sessions.interactions.add",
      Format(request, sizeof request,
             "{\"session_id\":\"%s\",\"interaction_type\":\"question\","
             "\"user_input\":\"ping 服务器超时，SSH 也连不上\"}",
             session_id),
      200);

  envelope = Step(portal, "The AI answers", &kCustomer, "sessions.interactions.add",
                  Format(request, sizeof request,
                         "{\"session_id\":\"%s\",\"interaction_type\":\"answer\","
                         "\"system_response\":\"请检查安全组是否放行 22 端口，并确认实例正在运行。\","
                         "\"ai_confidence\":0.86,\"response_time\":850}",
                         session_id),
                  200);
  Expect(IntegerAfter(envelope, "interaction_count") == 2, "two interactions");
  selfservice_free(envelope);

  Run(portal, "The customer steps away: pause", &kCustomer, "sessions.transition",
      Format(request, sizeof request, "{\"session_id\":\"%s\",\"to\":\"paused\"}", session_id), 200);
  Run(portal, "... and comes back: resume", &kCustomer, "sessions.transition",
      Format(request, sizeof request, "{\"session_id\":\"%s\",\"to\":\"in_progress\"}", session_id), 200);
  Run(portal, "The answer worked: resolve", &kCustomer, "sessions.transition",
      Format(request, sizeof request,
             "{\"session_id\":\"%s\",\"to\":\"resolved\",\"resolution_status\":\"resolved\"}", session_id),
      200);

  envelope =
      Step(portal, "Rate the session 5", &kCustomer, "satisfaction.submit",
           Format(request, sizeof request,
                  "{\"session_id\":\"%s\",\"score\":5,\"comment\":\"回答很快，问题解决了\"}", session_id),
           200);
  Expect(Contains(envelope, "\"state\":\"rated\""), "the session rated");
  selfservice_free(envelope);

  envelope = Step(portal, "Leave feedback about the session", &kCustomer, "feedback.submit",
                  Format(request, sizeof request,
                         "{\"feedback_type\":\"service\",\"related_type\":\"session\",\"related_id\":\"%s\","
                         "\"rating\":5,\"feedback_content\":\"AI 助手很专业\","
                         "\"suggestions\":\"希望支持上传截图\"}",
                         session_id),
                  200);
  feedback_id = IntegerAfter(envelope, "id");
  Expect(feedback_id > 0, "a feedback id");
  selfservice_free(envelope);

  Run(portal, "The platform's staff take the feedback", &kPlatformAdmin, "feedback.transition",
      Format(request, sizeof request, "{\"id\":%ld,\"to\":\"processing\"}", feedback_id), 200);
  Run(portal, "... and answer it", &kPlatformAdmin, "feedback.transition",
      Format(
          request, sizeof request,
          "{\"id\":%ld,\"to\":\"processed\",\"response_content\":\"感谢建议，截图上传将在下个版本支持。\"}",
          feedback_id),
      200);
  Run(portal, "The customer is satisfied and closes the feedback", &kCustomer, "feedback.transition",
      Format(request, sizeof request, "{\"id\":%ld,\"to\":\"closed\"}", feedback_id), 200);

  envelope = Step(
      portal, "Record what the customer did on the portal (a batch of events)", &kCustomer, "analytics.track",
      "{\"events\":["
      "{\"page_path\":\"/portal\",\"action_type\":\"view\",\"device_type\":\"desktop\"},"
      "{\"page_path\":\"/portal/search\",\"action_type\":\"search\",\"search_keywords\":\"服务器 连接\"},"
      "{\"page_path\":\"/portal/sessions\",\"action_type\":\"click\",\"device_type\":\"desktop\"},"
      "{\"page_path\":\"/portal/feedback\",\"action_type\":\"submit\",\"device_type\":\"desktop\"}]}",
      200);
  Expect(IntegerAfter(envelope, "accepted") == 4, "four events accepted");
  selfservice_free(envelope);

  Run(portal, "Another question, searched this time", &kCustomer, "sessions.start",
      "{\"session_type\":\"search\",\"initial_question\":\"VPN 经常断线\"}", 200);

  envelope = Step(portal, "List the customer's sessions, one per page", &kCustomer, "sessions.list",
                  "{\"page\":1,\"size\":1}", 200);
  Expect(IntegerAfter(envelope, "total") == 2 && IntegerAfter(envelope, "pages") == 2,
         "two sessions on two pages");
  selfservice_free(envelope);

  envelope =
      Step(portal, "Bad input: a rating of 6 (answered in English)", &kCustomerEnglish, "feedback.submit",
           Format(request, sizeof request,
                  "{\"feedback_type\":\"service\",\"related_type\":\"session\",\"related_id\":\"%s\","
                  "\"rating\":6}",
                  session_id),
           10001);
  Expect(Contains(envelope, "\"field\":\"rating\""), "a field error on rating");
  selfservice_free(envelope);

  Run(portal, "Bad input: another tenant reads the session", &kOtherTenant, "sessions.get",
      Format(request, sizeof request, "{\"session_id\":\"%s\"}", session_id), 10004);
}

int main(int argc, char** argv) {
  const char* database = argc > 1 ? argv[1] : "demo.db";
  char escaped[1024];
  char options[1100];
  char* error = NULL;
  selfservice_portal* portal;

  printf("libselfservice %s (C ABI %d), database %s\n", selfservice_version(), selfservice_abi_version(),
         database);
  RemoveDatabase(database);
  portal = selfservice_portal_open(
      Format(options, sizeof options, "{\"storage\":\"sqlite:%s\",\"log_level\":\"warn\"}",
             JsonEscaped(database, escaped, sizeof escaped)),
      &error);
  if (portal == NULL) {
    printf("cannot open the portal: ");
    PrintJson(error != NULL ? error : "null", 0);
    selfservice_free(error);
    return 1;
  }

  Walk(portal);
  selfservice_portal_close(portal);

  if (failures != 0) {
    printf("\ndemo: %d expectation(s) failed in %d steps\n", failures, steps);
    return 1;
  }
  printf("\ndemo: all %d steps answered as expected\n", steps);
  return 0;
}
