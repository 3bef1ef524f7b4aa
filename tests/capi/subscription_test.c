/*
 * Live ticket status through the C ABI, from C: selfservice_subscribe() and
 * selfservice_unsubscribe(), their bad arguments, delivery on a library thread, a subscription
 * ending itself from its callback, and destroy(user_data) called exactly once in every case.
 */
#define _POSIX_C_SOURCE 200809L

#include "selfservice.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static const char kUser[] =
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":100,\"roles\":[\"customer_user\"],\"locale\":\"en-US\"}";
static const char kOtherCustomer[] =
    "{\"tenant_id\":1,\"customer_id\":11,\"user_id\":110,\"roles\":[\"customer_user\"],\"locale\":\"en-US\"}";
static const char kPlatformAdmin[] =
    "{\"tenant_id\":1,\"customer_id\":1,\"user_id\":900,\"roles\":[\"platform_admin\"],\"locale\":\"en-US\"}";
static const char kNewTicket[] =
    "{\"title\":\"VPN down\",\"description\":\"since 9:00\",\"category\":\"network\",\"priority\":2,"
    "\"contact\":{\"email\":\"alice@example.com\"}}";

/* What one subscription heard; shared with the library thread under `mutex`. */
typedef struct {
  pthread_mutex_t mutex;
  pthread_cond_t changed;
  int events;
  char last_event[2048];
  char first_event[2048];
  int on_library_thread; /* every call ran on a thread other than main's */
  int destroyed;
  int64_t id;                     /* for the callback that ends its own subscription */
  selfservice_portal* portal;     /* idem */
  int unsubscribe_result;         /* what selfservice_unsubscribe answered inside the callback */
  int destroyed_inside_callback;  /* destroy had run when the callback was still running */
} Listener;

static pthread_t main_thread;

static void InitListener(Listener* listener) {
  memset(listener, 0, sizeof *listener);
  pthread_mutex_init(&listener->mutex, NULL);
  pthread_cond_init(&listener->changed, NULL);
  listener->on_library_thread = 1;
  listener->unsubscribe_result = 99;
}

static void FreeListener(Listener* listener) {
  pthread_cond_destroy(&listener->changed);
  pthread_mutex_destroy(&listener->mutex);
}

static void Record(void* user_data, const char* event_json) {
  Listener* listener = (Listener*)user_data;
  pthread_mutex_lock(&listener->mutex);
  if (listener->events == 0) snprintf(listener->first_event, sizeof listener->first_event, "%s", event_json);
  snprintf(listener->last_event, sizeof listener->last_event, "%s", event_json);
  ++listener->events;
  if (pthread_equal(pthread_self(), main_thread)) listener->on_library_thread = 0;
  pthread_cond_broadcast(&listener->changed);
  pthread_mutex_unlock(&listener->mutex);
}

static void RecordAndUnsubscribe(void* user_data, const char* event_json) {
  Listener* listener = (Listener*)user_data;
  int result;
  Record(user_data, event_json);
  result = selfservice_unsubscribe(listener->portal, listener->id);
  pthread_mutex_lock(&listener->mutex);
  listener->unsubscribe_result = result;
  listener->destroyed_inside_callback = listener->destroyed;
  pthread_mutex_unlock(&listener->mutex);
}

static void Destroy(void* user_data) {
  Listener* listener = (Listener*)user_data;
  pthread_mutex_lock(&listener->mutex);
  ++listener->destroyed;
  pthread_cond_broadcast(&listener->changed);
  pthread_mutex_unlock(&listener->mutex);
}

/* Waits up to 5 s until the listener heard `events` events and was destroyed `destroyed` times. */
static int WaitFor(Listener* listener, int events, int destroyed) {
  struct timespec deadline;
  int ok;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 5;
  pthread_mutex_lock(&listener->mutex);
  while (listener->events < events || listener->destroyed < destroyed) {
    if (pthread_cond_timedwait(&listener->changed, &listener->mutex, &deadline) != 0) break;
  }
  ok = listener->events >= events && listener->destroyed >= destroyed;
  pthread_mutex_unlock(&listener->mutex);
  return ok;
}

static int Contains(const char* text, const char* part) {
  return text != NULL && strstr(text, part) != NULL;
}

/* The id in the data of a tickets.create envelope. */
static long CreateTicket(selfservice_portal* portal, const char* context) {
  char* envelope = selfservice_invoke(portal, "tickets.create", context, kNewTicket);
  const char* data;
  long id = -1;
  CheckCondition(Contains(envelope, "\"code\":200"));
  data = strstr(envelope, "\"data\":");
  CheckCondition(data != NULL && (data = strstr(data, "\"id\":")) != NULL);
  id = strtol(data + 5, NULL, 10);
  selfservice_free(envelope);
  return id;
}

static void MoveTicket(selfservice_portal* portal, long id, const char* to) {
  char request[128];
  char* envelope;
  snprintf(request, sizeof request, "{\"id\":%ld,\"to\":\"%s\"}", id, to);
  envelope = selfservice_invoke(portal, "tickets.transition", kPlatformAdmin, request);
  CheckCondition(Contains(envelope, "\"code\":200"));
  selfservice_free(envelope);
}

static selfservice_portal* Open(void) {
  char* error = NULL;
  selfservice_portal* portal = selfservice_portal_open("{\"log_level\":\"off\"}", &error);
  CheckCondition(portal != NULL && error == NULL);
  return portal;
}

static void TestBadArguments(void) {
  selfservice_portal* portal = Open();
  Listener listener;
  char* error = NULL;
  InitListener(&listener);

  StartPhase("subscribe: NULL portal");
  CheckCondition(selfservice_subscribe(NULL, "{\"tenant_id\":1}", Record, &listener, Destroy, &error) == 0);
  CheckCondition(Contains(error, "\"code\":10001") && Contains(error, "\"field\":\"portal\""));
  selfservice_free(error);

  StartPhase("subscribe: a topic without tenant_id");
  CheckCondition(selfservice_subscribe(portal, "{\"customer_id\":10}", Record, &listener, Destroy, &error) == 0);
  CheckCondition(Contains(error, "\"code\":10001") && Contains(error, "\"field\":\"tenant_id\""));
  selfservice_free(error);

  StartPhase("subscribe: malformed and NULL topics, NULL callback");
  CheckCondition(selfservice_subscribe(portal, "{tenant", Record, &listener, Destroy, &error) == 0);
  CheckCondition(Contains(error, "\"field\":\"topic_json\""));
  selfservice_free(error);
  CheckCondition(selfservice_subscribe(portal, NULL, Record, &listener, Destroy, &error) == 0);
  CheckCondition(Contains(error, "\"field\":\"topic_json\""));
  selfservice_free(error);
  CheckCondition(selfservice_subscribe(portal, "{\"tenant_id\":1}", NULL, &listener, Destroy, &error) == 0);
  CheckCondition(Contains(error, "\"field\":\"callback\""));
  selfservice_free(error);
  CheckCondition(selfservice_subscribe(portal, "{\"tenant_id\":1}", NULL, &listener, Destroy, NULL) == 0);

  StartPhase("subscribe: a failed subscription never calls destroy");
  CheckCondition(listener.destroyed == 0);

  StartPhase("unsubscribe: NULL portal and unknown ids");
  CheckCondition(selfservice_unsubscribe(NULL, 1) == -1);
  CheckCondition(selfservice_unsubscribe(portal, 12345) == -1);
  CheckCondition(selfservice_unsubscribe(portal, 0) == -1);

  selfservice_portal_close(portal);
  CheckCondition(listener.destroyed == 0);
  FreeListener(&listener);
}

static void TestDelivery(void) {
  selfservice_portal* portal = Open();
  Listener listener;
  char* error = (char*)"not reset";
  int64_t id;
  long ticket;
  InitListener(&listener);

  StartPhase("subscribe: a customer's tickets");
  id = selfservice_subscribe(portal, "{\"type\":\"ticket.status\",\"tenant_id\":1,\"customer_id\":10}", Record,
                             &listener, Destroy, &error);
  CheckCondition(id > 0);
  CheckCondition(error == NULL);

  StartPhase("subscribe: creation and a move are delivered on a library thread");
  CreateTicket(portal, kOtherCustomer); /* not this subscription's */
  ticket = CreateTicket(portal, kUser);
  MoveTicket(portal, ticket, "open");
  CheckCondition(WaitFor(&listener, 2, 0));
  pthread_mutex_lock(&listener.mutex);
  CheckCondition(listener.on_library_thread);
  CheckCondition(Contains(listener.first_event, "\"type\":\"ticket.status\""));
  CheckCondition(Contains(listener.first_event, "\"from\":null"));
  CheckCondition(Contains(listener.first_event, "\"to\":\"new\""));
  CheckCondition(Contains(listener.first_event, "\"customer_id\":10"));
  CheckCondition(Contains(listener.last_event, "\"from\":\"new\""));
  CheckCondition(Contains(listener.last_event, "\"to\":\"open\""));
  CheckCondition(Contains(listener.last_event, "\"actor_id\":900"));
  pthread_mutex_unlock(&listener.mutex);

  StartPhase("unsubscribe: destroy runs once, before it returns");
  CheckCondition(selfservice_unsubscribe(portal, id) == 0);
  CheckCondition(listener.destroyed == 1);
  CheckCondition(selfservice_unsubscribe(portal, id) == -1);
  MoveTicket(portal, ticket, "in_progress");
  selfservice_portal_close(portal);
  CheckCondition(listener.events == 2);
  CheckCondition(listener.destroyed == 1);
  FreeListener(&listener);
}

static void TestUnsubscribeFromTheCallback(void) {
  selfservice_portal* portal = Open();
  Listener listener;
  long ticket;
  InitListener(&listener);
  listener.portal = portal;

  StartPhase("unsubscribe from the callback: no deadlock, destroy right after it");
  listener.id = selfservice_subscribe(portal, "{\"tenant_id\":1}", RecordAndUnsubscribe, &listener, Destroy, NULL);
  CheckCondition(listener.id > 0);
  ticket = CreateTicket(portal, kUser);
  MoveTicket(portal, ticket, "open");
  CheckCondition(WaitFor(&listener, 1, 1));
  pthread_mutex_lock(&listener.mutex);
  CheckCondition(listener.unsubscribe_result == 0);
  CheckCondition(listener.destroyed_inside_callback == 0);
  pthread_mutex_unlock(&listener.mutex);
  selfservice_portal_close(portal);
  CheckCondition(listener.events == 1);
  CheckCondition(listener.destroyed == 1);
  FreeListener(&listener);
}

static void TestCloseDestroysWhatIsLeft(void) {
  selfservice_portal* portal = Open();
  Listener first;
  Listener second;
  InitListener(&first);
  InitListener(&second);

  StartPhase("close: destroys every subscription left, once");
  CheckCondition(selfservice_subscribe(portal, "{\"tenant_id\":1}", Record, &first, Destroy, NULL) > 0);
  CheckCondition(selfservice_subscribe(portal, "{\"tenant_id\":2}", Record, &second, Destroy, NULL) > 0);
  CheckCondition(selfservice_subscribe(portal, "{\"tenant_id\":3}", Record, NULL, NULL, NULL) > 0);
  selfservice_portal_close(portal);
  CheckCondition(first.destroyed == 1);
  CheckCondition(second.destroyed == 1);
  FreeListener(&first);
  FreeListener(&second);
}

int main(void) {
  main_thread = pthread_self();
  TestBadArguments();
  TestDelivery();
  TestUnsubscribeFromTheCallback();
  TestCloseDestroysWhatIsLeft();
  fprintf(stderr, "PASS\n");
  return 0;
}
